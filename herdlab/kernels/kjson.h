/* SPDX-License-Identifier: MIT */
/*
 * kjson.h - kernels.json: what ran where, written after every kernel and read
 * back by --report-only, by one module with one schema (kjson.c).
 */
#ifndef HERD_KERNELS_KJSON_H
#define HERD_KERNELS_KJSON_H

#include <jansson.h>
#include <stddef.h>

#include "kernels/matrix.h"

/*
 * Write @out/kernels.json: the matrix so far, with @comparison (what the
 * comparison wrote, or why not; NULL before it ran). With @o->original
 * (--report-only), the record as the run wrote it, with the new comparison and
 * when the report was rewritten. A failure is said, not fatal.
 */
void kjson_save(const struct kernels_opts *o, const struct kresult *kr, int nk, const char *out,
		const char *started, json_t *comparison);

/*
 * Read @out/kernels.json back into @o (models, load, workers, timeouts, the
 * herdlab that ran it; @o->original holds the record, and @o's strings point
 * into it) and @kr (at most @max kernels, each model's run.json loaded from
 * @out), @started from it. The number of kernels; dies when there is none.
 */
int kjson_load(const char *out, struct kernels_opts *o, struct kresult *kr, int max, char *started,
	       size_t startedlen);

#endif
