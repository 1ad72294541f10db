/* SPDX-License-Identifier: MIT */
/*
 * test_heap.c - the timer heap against a brute-force minimum.
 *
 * The random test drives a pool of nodes through inserts, moves (up and down) and
 * removals with a fixed-seed generator and a small key range (so equal keys are common),
 * and after every step compares heap_min() with a linear scan over the nodes that should
 * be in the heap, then checks the whole structure: the heap order, that every node's
 * @pos points back at its own slot, and that nodes outside the heap have pos 0.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "heap.h"

#define POOL 257 /* nodes in the random test */

static uint64_t rng_state;

/* splitmix64: fixed seed, reproducible failures. */
static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Heap order, back-pointers, and exactly @in_count nodes of @pool in the heap. */
static void check_structure(const struct heap *h, const struct heap_node *pool, size_t n,
			    unsigned in_count)
{
	assert_int_equal(h->len, in_count);
	assert_true(h->len <= h->cap);
	for (unsigned i = 0; i < h->len; i++) {
		assert_int_equal(h->v[i]->pos, i + 1);
		if (i > 0)
			assert_true(h->v[(i - 1) / 2]->key <= h->v[i]->key);
	}
	for (size_t i = 0; i < n; i++)
		if (pool[i].pos)
			assert_ptr_equal(h->v[pool[i].pos - 1], &pool[i]);
}

static void test_empty_heap_has_no_min(void **state)
{
	struct heap h;

	heap_init(&h);
	assert_null(heap_min(&h));
	heap_free(&h);
}

static void test_insert_sets_pos(void **state)
{
	struct heap h;
	struct heap_node n = { 0 };

	heap_init(&h);
	assert_false(heap_contains(&n));
	assert_int_equal(heap_set(&h, &n, 42), 0);
	assert_true(heap_contains(&n));
	assert_int_equal(n.pos, 1);
	assert_int_equal(n.key, 42);
	assert_ptr_equal(heap_min(&h), &n);
	heap_free(&h);
}

static void test_remove_clears_pos(void **state)
{
	struct heap h;
	struct heap_node a = { 0 }, b = { 0 };

	heap_init(&h);
	assert_int_equal(heap_set(&h, &a, 1), 0);
	assert_int_equal(heap_set(&h, &b, 2), 0);
	heap_remove(&h, &a);
	assert_false(heap_contains(&a));
	assert_int_equal(b.pos, 1);
	assert_ptr_equal(heap_min(&h), &b);
	heap_remove(&h, &b);
	assert_null(heap_min(&h));
	heap_free(&h);
}

static void test_remove_absent_is_noop(void **state)
{
	struct heap h;
	struct heap_node a = { 0 }, b = { 0 };

	heap_init(&h);
	assert_int_equal(heap_set(&h, &a, 1), 0);
	heap_remove(&h, &b);
	assert_int_equal(h.len, 1);
	assert_int_equal(a.pos, 1);
	heap_free(&h);
}

/* Moving a node later lets the next one become the minimum, and back again. */
static void test_move_down_and_up(void **state)
{
	struct heap h;
	struct heap_node n[5] = { 0 };

	heap_init(&h);
	for (int i = 0; i < 5; i++)
		assert_int_equal(heap_set(&h, &n[i], 10 * (i + 1)), 0);
	assert_int_equal(heap_set(&h, &n[0], 100), 0);
	assert_ptr_equal(heap_min(&h), &n[1]);
	check_structure(&h, n, 5, 5);
	assert_int_equal(heap_set(&h, &n[4], 5), 0);
	assert_ptr_equal(heap_min(&h), &n[4]);
	check_structure(&h, n, 5, 5);
	heap_free(&h);
}

/* Removing the minimum over and over yields the keys in order. */
static void test_drain_in_order(void **state)
{
	struct heap h;
	struct heap_node *n = calloc(1000, sizeof(*n));
	uint64_t last = 0;

	assert_non_null(n);
	heap_init(&h);
	rng_state = 3;
	for (int i = 0; i < 1000; i++) /* 1000 > the initial capacity: it grows */
		assert_int_equal(heap_set(&h, &n[i], rng_next() % 100000), 0);
	for (int i = 0; i < 1000; i++) {
		struct heap_node *m = heap_min(&h);

		assert_non_null(m);
		assert_true(m->key >= last);
		last = m->key;
		heap_remove(&h, m);
		assert_false(heap_contains(m));
	}
	assert_null(heap_min(&h));
	heap_free(&h);
	free(n);
}

/* The brute-force minimum over the nodes that are in. */
static const struct heap_node *scan_min(const struct heap_node *pool, size_t n)
{
	const struct heap_node *m = NULL;

	for (size_t i = 0; i < n; i++)
		if (pool[i].pos && (!m || pool[i].key < m->key))
			m = &pool[i];
	return m;
}

static void test_random_against_bruteforce(void **state)
{
	struct heap h;
	struct heap_node pool[POOL] = { 0 };
	unsigned in = 0;

	heap_init(&h);
	rng_state = 1;
	for (int step = 0; step < 100000; step++) {
		struct heap_node *n = &pool[rng_next() % POOL];
		const struct heap_node *m;

		if (rng_next() % 3 == 0) {
			in -= heap_contains(n);
			heap_remove(&h, n);
		} else {
			in += !heap_contains(n);
			assert_int_equal(heap_set(&h, n, rng_next() % 1000), 0);
		}
		m = scan_min(pool, POOL);
		if (!m) {
			assert_null(heap_min(&h));
		} else {
			assert_non_null(heap_min(&h));
			assert_int_equal(heap_min(&h)->key, m->key);
		}
		check_structure(&h, pool, POOL, in);
	}
	heap_free(&h);
}

/* A heap that cannot grow any further refuses the insert and leaves the node alone. */
static void test_set_fails_when_full(void **state)
{
	struct heap_node *slot = NULL;
	struct heap h = { .v = &slot, .len = UINT_MAX / 2 + 1, .cap = UINT_MAX / 2 + 1 };
	struct heap_node n = { .key = 7 };

	errno = 0;
	assert_int_equal(heap_set(&h, &n, 1), -1);
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(n.pos, 0);
	assert_int_equal(n.key, 7);
	assert_ptr_equal(h.v, &slot);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_heap_has_no_min),
		cmocka_unit_test(test_insert_sets_pos),
		cmocka_unit_test(test_remove_clears_pos),
		cmocka_unit_test(test_remove_absent_is_noop),
		cmocka_unit_test(test_move_down_and_up),
		cmocka_unit_test(test_drain_in_order),
		cmocka_unit_test(test_random_against_bruteforce),
		cmocka_unit_test(test_set_fails_when_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
