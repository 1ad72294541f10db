/* SPDX-License-Identifier: MIT */
/*
 * heap.c - the intrusive binary min-heap of heap.h.
 *
 * The heap is an array of pointers to nodes that live inside their owners; v[0] is the
 * earliest key and v[i]'s children are v[2i+1] and v[2i+2]. Every time a node moves in
 * the array its @pos is rewritten (1-based, so that 0 can mean "not in the heap"): that
 * is what lets heap_set() and heap_remove() start from the node itself instead of
 * searching, and keeps both at O(log n). Equal keys are never swapped, so a node only
 * moves when it must.
 *
 * The array grows by doubling and never shrinks; heap_free() releases it but does not
 * touch the nodes, which may already be gone by then.
 */
#include "heap.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#define HEAP_MIN_CAP 16

void heap_init(struct heap *h)
{
	h->v = NULL;
	h->len = 0;
	h->cap = 0;
}

void heap_free(struct heap *h)
{
	free(h->v);
	heap_init(h);
}

/* Put @n at index @i and tell it so. */
static void place(struct heap *h, unsigned i, struct heap_node *n)
{
	h->v[i] = n;
	n->pos = i + 1;
}

static void sift_up(struct heap *h, unsigned i)
{
	struct heap_node *n = h->v[i];

	while (i > 0) {
		unsigned parent = (i - 1) / 2;

		if (h->v[parent]->key <= n->key)
			break;
		place(h, i, h->v[parent]);
		i = parent;
	}
	place(h, i, n);
}

static void sift_down(struct heap *h, unsigned i)
{
	struct heap_node *n = h->v[i];

	for (;;) {
		unsigned child = 2 * i + 1;

		if (child >= h->len)
			break;
		if (child + 1 < h->len && h->v[child + 1]->key < h->v[child]->key)
			child++;
		if (n->key <= h->v[child]->key)
			break;
		place(h, i, h->v[child]);
		i = child;
	}
	place(h, i, n);
}

/* Restore order around index @i after its key changed in either direction. */
static void fix(struct heap *h, unsigned i)
{
	if (i > 0 && h->v[i]->key < h->v[(i - 1) / 2]->key)
		sift_up(h, i);
	else
		sift_down(h, i);
}

static int grow(struct heap *h)
{
	unsigned cap = h->cap ? h->cap * 2 : HEAP_MIN_CAP;
	struct heap_node **v;

	if (h->cap > UINT_MAX / 2) {
		errno = ENOMEM;
		return -1;
	}
	v = realloc(h->v, (size_t)cap * sizeof(*v));
	if (!v)
		return -1;
	h->v = v;
	h->cap = cap;
	return 0;
}

int heap_set(struct heap *h, struct heap_node *n, uint64_t key)
{
	if (n->pos) {
		n->key = key;
		fix(h, n->pos - 1);
		return 0;
	}
	if (h->len == h->cap && grow(h) < 0)
		return -1; /* @n is left as it was */
	n->key = key;
	place(h, h->len++, n);
	sift_up(h, h->len - 1);
	return 0;
}

/* Fill the hole with the last node and let it find its level; a no-op if @n is not in. */
void heap_remove(struct heap *h, struct heap_node *n)
{
	unsigned i = n->pos - 1;
	struct heap_node *last;

	if (!n->pos)
		return;
	n->pos = 0;
	last = h->v[--h->len];
	if (i == h->len)
		return;
	place(h, i, last);
	fix(h, i);
}
