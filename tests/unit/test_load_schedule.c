/* SPDX-License-Identifier: MIT */
/*
 * test_load_schedule.c - herdload's open-loop arrival times (loadgen/schedule.c).
 *
 * Constant arrivals must be exact to the nanosecond and, split over threads, interleave
 * into the whole run's sequence; Poisson arrivals must have the right mean (within 2%
 * over 100k gaps with a fixed seed), the exponential's shape, no negative or NaN gap,
 * and repeat given the seed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <math.h>

#include "clock.h"
#include "schedule.h"

#define START	1000000000ULL /* an arbitrary run start, ns */
#define SAMPLES 100000
#define SEED	42

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void test_constant_arrivals_are_exact(void **state)
{
	struct schedule s;

	schedule_init(&s, START, 1000, 0, 1, false, SEED);
	for (uint64_t k = 0; k < 10000; k++)
		assert_int_equal(schedule_next(&s), START + k * 1000000ULL);
}

static void test_constant_arrivals_at_an_uneven_rate(void **state)
{
	struct schedule s;

	/* 3 per second: 333333333.3 ns apart, rounded per arrival, never accumulated. */
	schedule_init(&s, START, 3, 0, 1, false, SEED);
	for (uint64_t k = 0; k < 3000; k++)
		assert_int_equal(schedule_next(&s), START + (uint64_t)llround(k * 1e9 / 3));
}

static void test_peek_does_not_advance(void **state)
{
	struct schedule s;

	schedule_init(&s, START, 10, 0, 1, true, SEED);
	uint64_t first = schedule_peek(&s);
	assert_int_equal(schedule_peek(&s), first);
	assert_int_equal(schedule_next(&s), first);
	assert_true(schedule_peek(&s) >= first);
}

static void test_constant_split_interleaves_into_the_whole_rate(void **state)
{
	enum { THREADS = 4, PER = 2500 };
	struct schedule s[THREADS];
	uint64_t *all = malloc(THREADS * PER * sizeof(*all));
	size_t n = 0;

	for (unsigned t = 0; t < THREADS; t++) {
		schedule_init(&s[t], START, 1000, t, THREADS, false, SEED);
		for (int k = 0; k < PER; k++)
			all[n++] = schedule_next(&s[t]);
	}
	qsort(all, n, sizeof(*all), cmp_u64);
	for (size_t k = 0; k < n; k++)
		assert_int_equal(all[k], START + k * 1000000ULL);
	free(all);
}

static void test_poisson_mean_gap_matches_the_rate(void **state)
{
	struct schedule s;
	double rate = 5000, mean;

	schedule_init(&s, START, rate, 0, 1, true, SEED);
	uint64_t first = schedule_next(&s), last = first;
	for (int i = 0; i < SAMPLES; i++)
		last = schedule_next(&s);
	mean = (double)(last - first) / SAMPLES;
	assert_true(fabs(mean - 1e9 / rate) < 0.02 * 1e9 / rate);
}

static void test_poisson_gaps_are_never_negative(void **state)
{
	struct schedule s;

	schedule_init(&s, START, 1e6, 0, 1, true, SEED);
	uint64_t prev = schedule_next(&s);
	assert_true(prev >= START);
	for (int i = 0; i < SAMPLES; i++) {
		uint64_t at = schedule_next(&s);
		assert_true(at >= prev);
		prev = at;
	}
}

static void test_exponential_draws_are_finite(void **state)
{
	struct load_rng r;

	rng_seed(&r, SEED, 0);
	for (int i = 0; i < SAMPLES; i++) {
		double g = rng_exp(&r, 1000.0);
		assert_false(isnan(g));
		assert_true(isfinite(g));
		assert_true(g >= 0);
	}
}

/* P(gap > mean) = 1/e for an exponential: the shape, not only the mean. */
static void test_poisson_gaps_are_exponential(void **state)
{
	struct load_rng r;
	int above = 0;

	rng_seed(&r, SEED, 0);
	for (int i = 0; i < SAMPLES; i++)
		above += rng_exp(&r, 1.0) > 1.0;
	assert_true(fabs((double)above / SAMPLES - exp(-1)) < 0.01);
}

static void test_poisson_repeats_with_the_seed(void **state)
{
	struct schedule a, b, c;
	bool differ = false;

	schedule_init(&a, START, 1000, 1, 2, true, SEED);
	schedule_init(&b, START, 1000, 1, 2, true, SEED);
	schedule_init(&c, START, 1000, 1, 2, true, SEED + 1);
	for (int i = 0; i < 1000; i++) {
		uint64_t x = schedule_next(&a);
		assert_int_equal(x, schedule_next(&b));
		differ |= x != schedule_next(&c);
	}
	assert_true(differ);
}

static void test_poisson_threads_draw_different_streams(void **state)
{
	struct schedule a, b;

	schedule_init(&a, START, 1000, 0, 2, true, SEED);
	schedule_init(&b, START, 1000, 1, 2, true, SEED);
	assert_int_not_equal(schedule_next(&a), schedule_next(&b));
}

/* Four Poisson schedules of rate R/4 together deliver R over a long window. */
static void test_poisson_split_keeps_the_total_rate(void **state)
{
	enum { THREADS = 4 };
	const double rate = 10000, window_s = 20;
	const uint64_t end = START + (uint64_t)(window_s * 1e9);
	uint64_t count = 0;

	for (unsigned t = 0; t < THREADS; t++) {
		struct schedule s;
		schedule_init(&s, START, rate, t, THREADS, true, SEED);
		while (schedule_next(&s) < end)
			count++;
	}
	assert_true(fabs((double)count - rate * window_s) < 0.02 * rate * window_s);
}

/* Skipping counts exactly the arrivals that taking them one by one would. */
static void test_skip_counts_constant_arrivals_exactly(void **state)
{
	struct schedule a, b;
	uint64_t end = START + 123456789, n = 0;

	schedule_init(&a, START, 777, 2, 3, false, SEED);
	schedule_init(&b, START, 777, 2, 3, false, SEED);
	while (schedule_peek(&a) < end) {
		schedule_next(&a);
		n++;
	}
	assert_int_equal(schedule_skip_until(&b, end), n);
	assert_int_equal(schedule_peek(&b), schedule_peek(&a));
	assert_int_equal(schedule_skip_until(&b, end), 0);
}

static void test_skip_counts_poisson_arrivals_exactly(void **state)
{
	struct schedule a, b;
	uint64_t end = START + 2000000000ULL, n = 0;

	schedule_init(&a, START, 5000, 0, 1, true, SEED);
	schedule_init(&b, START, 5000, 0, 1, true, SEED);
	while (schedule_peek(&a) < end) {
		schedule_next(&a);
		n++;
	}
	assert_int_equal(schedule_skip_until(&b, end), n);
	assert_int_equal(schedule_peek(&b), schedule_peek(&a));
}

/* A window too long to draw: 1e6/s for 100 s is counted at its expected 1e8. */
static void test_skip_over_a_huge_poisson_window_is_estimated(void **state)
{
	struct schedule s;
	uint64_t end = START + 100 * 1000000000ULL;
	uint64_t n;

	schedule_init(&s, START, 1e6, 0, 1, true, SEED);
	n = schedule_skip_until(&s, end);
	assert_true(fabs((double)n - 1e8) < 0.01 * 1e8);
	assert_true(schedule_peek(&s) >= end);
}

/* --ramp 2 at 1000/s: R t^2 / 2S arrivals by t within the ramp (250 by 1 s, 1000 by 2 s),
 * then 1000 a second; the count is exact, and skip_until agrees with it. */
static void test_ramp_counts_are_exact(void **state)
{
	struct schedule s, k;
	uint64_t per[4] = { 0 };

	schedule_init(&s, START, 1000, 0, 1, false, SEED);
	schedule_set_ramp(&s, 2 * NSEC_PER_SEC);
	for (;;) {
		uint64_t due = schedule_next(&s);
		if (due >= START + 4 * NSEC_PER_SEC)
			break;
		per[(due - START) / NSEC_PER_SEC]++;
	}
	assert_int_equal(per[0], 250);
	assert_int_equal(per[1], 750);
	assert_int_equal(per[2], 1000);
	assert_int_equal(per[3], 1000);
	schedule_init(&k, START, 1000, 0, 1, false, SEED);
	schedule_set_ramp(&k, 2 * NSEC_PER_SEC);
	assert_int_equal(schedule_skip_until(&k, START + NSEC_PER_SEC), 250);
	assert_int_equal(schedule_skip_until(&k, START + 3 * NSEC_PER_SEC), 1750);
}

/* Poisson arrivals ramp the same way: about a quarter of the ramp's in its first half. */
static void test_ramp_poisson_rises(void **state)
{
	struct schedule s;
	uint64_t first = 0, second = 0, last = 0;

	schedule_init(&s, START, 10007, 0, 1, true, SEED);
	schedule_set_ramp(&s, 2 * NSEC_PER_SEC);
	for (;;) {
		uint64_t due = schedule_next(&s);
		assert_true(due >= last);
		last = due;
		if (due >= START + 2 * NSEC_PER_SEC)
			break;
		if (due < START + NSEC_PER_SEC)
			first++;
		else
			second++;
	}
	/* expected 2502 and 7505; a Poisson count's sd is about its square root */
	assert_true(first > 2300 && first < 2700);
	assert_true(second > 7200 && second < 7800);
}

static void test_rng_unit_is_in_the_half_open_interval(void **state)
{
	struct load_rng r;

	rng_seed(&r, SEED, 3);
	for (int i = 0; i < SAMPLES; i++) {
		double u = rng_unit(&r);
		assert_true(u > 0 && u <= 1);
	}
}

static void test_rng_below_stays_below(void **state)
{
	struct load_rng r;
	int seen[7] = { 0 };

	rng_seed(&r, SEED, 4);
	for (int i = 0; i < 7000; i++) {
		uint64_t v = rng_below(&r, 7);
		assert_true(v < 7);
		seen[v]++;
	}
	for (int v = 0; v < 7; v++)
		assert_true(seen[v] > 800 && seen[v] < 1200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constant_arrivals_are_exact),
		cmocka_unit_test(test_constant_arrivals_at_an_uneven_rate),
		cmocka_unit_test(test_peek_does_not_advance),
		cmocka_unit_test(test_constant_split_interleaves_into_the_whole_rate),
		cmocka_unit_test(test_poisson_mean_gap_matches_the_rate),
		cmocka_unit_test(test_poisson_gaps_are_never_negative),
		cmocka_unit_test(test_exponential_draws_are_finite),
		cmocka_unit_test(test_poisson_gaps_are_exponential),
		cmocka_unit_test(test_poisson_repeats_with_the_seed),
		cmocka_unit_test(test_poisson_threads_draw_different_streams),
		cmocka_unit_test(test_poisson_split_keeps_the_total_rate),
		cmocka_unit_test(test_skip_counts_constant_arrivals_exactly),
		cmocka_unit_test(test_skip_counts_poisson_arrivals_exactly),
		cmocka_unit_test(test_skip_over_a_huge_poisson_window_is_estimated),
		cmocka_unit_test(test_ramp_counts_are_exact),
		cmocka_unit_test(test_ramp_poisson_rises),
		cmocka_unit_test(test_rng_unit_is_in_the_half_open_interval),
		cmocka_unit_test(test_rng_below_stays_below),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
