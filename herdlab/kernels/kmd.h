/* SPDX-License-Identifier: MIT */
/*
 * kmd.h - kernels.md: the kernels of a matrix, what changes between them, and
 * herdlab compare's table over all their runs (kmd.c, findings.c), and the
 * tracer's two paths side by side (paths.c).
 */
#ifndef HERD_KERNELS_KMD_H
#define HERD_KERNELS_KMD_H

#include <jansson.h>
#include <stdio.h>

#include "kernels/matrix.h"

/* What kernels.md is written from. */
struct kmd {
	const struct kernels_opts *o;
	const struct kresult *kr; /* the kernels, in --kernels order */
	int nk;
	const char *started; /* when the matrix started (UTC, ISO 8601) */
	json_t *comparison;  /* what finish.c's comparison wrote, or { "error": why } */
	const char *out;     /* OUT, where comparison.md is */
};

/* kernels.md into @f (@arg: a struct kmd), for jsonio_save_with. 0, or -1 on a write error. */
int kmd_fill(FILE *f, void *arg);

/* findings.c: the bullets of "What changes between kernels", from the numbers. */
void kmd_findings(FILE *f, const struct kmd *d);

/* paths.c: "The tracer's two paths", when the matrix ran kernels on both (--attach both). */
void kmd_paths(FILE *f, const struct kmd *d);

#endif
