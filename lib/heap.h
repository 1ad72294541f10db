/* SPDX-License-Identifier: MIT */
/*
 * heap.h - an intrusive binary min-heap of deadlines.
 *
 * Event loops keep one timer per connection (its read deadline, or when its
 * /sleep ends). The timer lives inside the connection and remembers its own
 * position in the heap, so moving or cancelling it is O(log n), and the loop asks
 * the heap for the earliest deadline to compute its wait timeout.
 */
#ifndef HERD_HEAP_H
#define HERD_HEAP_H

#include <stdbool.h>
#include <stdint.h>

struct heap_node {
	uint64_t key; /* the deadline, monotonic ns */
	unsigned pos; /* 1-based position in the heap; 0 when not in it */
};

struct heap {
	struct heap_node **v; /* v[0..len) */
	unsigned len, cap;
};

void heap_init(struct heap *h);
void heap_free(struct heap *h);
/* Insert @n with @key, or move it there if it is already in the heap. -1 on ENOMEM. */
int heap_set(struct heap *h, struct heap_node *n, uint64_t key);
void heap_remove(struct heap *h, struct heap_node *n);
static inline struct heap_node *heap_min(const struct heap *h)
{
	return h->len ? h->v[0] : 0;
}
static inline bool heap_contains(const struct heap_node *n)
{
	return n->pos != 0;
}

#endif
