/* SPDX-License-Identifier: MIT */
/*
 * repeat_summary.h - herdlab run --repeat K's summary: DIR/summary.md,
 * summary.html and summary.json, the K runs DIR/rep-1 ... compared.
 */
#ifndef HERD_REPEAT_SUMMARY_H
#define HERD_REPEAT_SUMMARY_H

/* The summary of the @k runs DIR/rep-1 ... DIR/rep-@k, into @dir; 0 or -1. */
int repeat_summary_write(const char *dir, int k);

#endif
