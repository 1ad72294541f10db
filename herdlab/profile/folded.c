/* SPDX-License-Identifier: MIT */
/* folded.c - folded stacks (folded.h). */
#include "profile/folded.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int folded_add(struct folded *f, const char *stack, uint64_t count)
{
	struct folded_stack *s = vec_push(&f->stacks);

	if (!s)
		return -ENOMEM;
	if (!(s->stack = strdup(stack))) {
		f->stacks.len--;
		return -ENOMEM;
	}
	s->count = count;
	f->total += count;
	return 0;
}

static int by_stack(const void *a, const void *b)
{
	return strcmp(((const struct folded_stack *)a)->stack,
		      ((const struct folded_stack *)b)->stack);
}

void folded_finish(struct folded *f)
{
	size_t w = 0;

	if (!f->stacks.len)
		return;
	qsort(f->stacks.data, f->stacks.len, f->stacks.size, by_stack);
	for (size_t i = 1; i < f->stacks.len; i++) {
		struct folded_stack *last = vec_at(&f->stacks, w), *s = vec_at(&f->stacks, i);
		if (!strcmp(last->stack, s->stack)) {
			last->count += s->count;
			free(s->stack);
		} else {
			*(struct folded_stack *)vec_at(&f->stacks, ++w) = *s;
		}
	}
	f->stacks.len = w + 1;
}

int folded_write(FILE *out, const struct folded *f)
{
	for (size_t i = 0; i < f->stacks.len; i++) {
		const struct folded_stack *s = vec_at(&f->stacks, i);
		if (fprintf(out, "%s %" PRIu64 "\n", s->stack, s->count) < 0)
			return -1;
	}
	return ferror(out) ? -1 : 0;
}

size_t folded_top(const struct folded *f, size_t *idx, size_t n)
{
	size_t k = 0;

	/* insertion into the n best so far: n is small (the report's ten) */
	for (size_t i = 0; i < f->stacks.len; i++) {
		uint64_t c = ((const struct folded_stack *)vec_at(&f->stacks, i))->count;
		size_t j = k < n ? k++ : n;
		while (j > 0 &&
		       ((const struct folded_stack *)vec_at(&f->stacks, idx[j - 1]))->count < c) {
			if (j < n)
				idx[j] = idx[j - 1];
			j--;
		}
		if (j < n)
			idx[j] = i;
	}
	return k;
}

void folded_free(struct folded *f)
{
	for (size_t i = 0; i < f->stacks.len; i++)
		free(((struct folded_stack *)vec_at(&f->stacks, i))->stack);
	vec_free(&f->stacks);
	f->total = 0;
}
