/* SPDX-License-Identifier: MIT */
/*
 * folded.h - a profile as folded stacks: one line per distinct stack,
 * "frame;frame;frame count", root first, kernel frames ending in "_[k]" -- the
 * format flamegraph.pl, speedscope and inferno read, and what the flame graph,
 * the buckets and the report's top stacks are all made from.
 *
 *	folded_add()     one stack's samples (the same stack twice adds up, at folded_finish)
 *	folded_finish()  sort by stack and merge duplicates: the order written and drawn
 *	folded_write()   the lines onto a FILE
 *	folded_top()     the stacks by samples, most first
 */
#ifndef HERD_PROFILE_FOLDED_H
#define HERD_PROFILE_FOLDED_H

#include <stdint.h>
#include <stdio.h>

#include "vec.h"

struct folded_stack {
	char *stack;	/* frames, root first, joined by ';' (owned) */
	uint64_t count; /* samples */
};

struct folded {
	struct vec stacks; /* struct folded_stack */
	uint64_t total;	   /* samples, all stacks */
};

#define FOLDED_INIT                                     \
	{                                               \
		.stacks = VEC_INIT(struct folded_stack) \
	}

/* Add @count samples of @stack (copied); 0 or -ENOMEM. */
int folded_add(struct folded *f, const char *stack, uint64_t count);
/* Sorted by stack, duplicates merged. */
void folded_finish(struct folded *f);
/* Every line, "stack count\n"; 0, or -1 when writing failed. */
int folded_write(FILE *out, const struct folded *f);
/* The indices of the @n stacks with the most samples (ties: in stack order); how many. */
size_t folded_top(const struct folded *f, size_t *idx, size_t n);
void folded_free(struct folded *f);

#endif
