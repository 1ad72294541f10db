/* SPDX-License-Identifier: MIT */
/*
 * suggest.h - "did you mean prefork?": the known name nearest to a mistyped one.
 *
 * Nearness is the edit distance (Levenshtein: one letter inserted, deleted or
 * replaced costs 1; two neighbours swapped cost 1 as well, the commonest typing
 * slip, "prefrok"). A name is suggested only when it is near enough to be the
 * one meant: at most a third of the word's letters (and at least 1, at most 3)
 * differ, and no other name is as near, so a suggestion is never a guess
 * between two.
 */
#ifndef HERD_SUGGEST_H
#define HERD_SUGGEST_H

#include <stddef.h>

/* The edit distance of @a and @b (adjacent swaps count 1); SIZE_MAX if either is too long. */
size_t suggest_distance(const char *a, const char *b);

/* The one name of @names[0..n) nearest to @word, near enough to be meant; or NULL. */
const char *suggest_nearest(const char *word, const char *const *names, size_t n);

#endif
