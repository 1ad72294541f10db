/* SPDX-License-Identifier: MIT */
/*
 * suggest.c - the known name nearest to a mistyped one (suggest.h).
 *
 * The distance is the restricted Damerau-Levenshtein one ("optimal string
 * alignment"), computed over three rows of the usual table: names here are
 * model and option names, a few dozen letters, so anything longer than
 * SUGGEST_MAX is not a typo worth correcting.
 */
#include "suggest.h"

#include <stdint.h>
#include <string.h>

#define SUGGEST_MAX 64 /* the longest word compared */

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

size_t suggest_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t rows[3][SUGGEST_MAX + 1]; /* the rows for a's i-2, i-1 and i letters */

	if (la > SUGGEST_MAX || lb > SUGGEST_MAX)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		rows[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t *cur = rows[i % 3], *prev = rows[(i + 2) % 3], *two = rows[(i + 1) % 3];
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    two[j - 2] + 1 < cur[j])
				cur[j] = two[j - 2] + 1; /* a swap of neighbours */
		}
	}
	return rows[la % 3][lb];
}

const char *suggest_nearest(const char *word, const char *const *names, size_t n)
{
	size_t len = strlen(word), limit = len / 3;
	size_t best = SIZE_MAX;
	const char *found = NULL;
	int ties = 0;

	limit = limit < 1 ? 1 : limit > 3 ? 3 : limit;
	for (size_t i = 0; i < n; i++) {
		size_t d = suggest_distance(word, names[i]);
		if (d < best) {
			best = d, found = names[i], ties = 1;
		} else if (d == best) {
			ties++;
		}
	}
	return found && best <= limit && ties == 1 ? found : NULL;
}
