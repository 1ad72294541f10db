/* SPDX-License-Identifier: MIT */
/*
 * latency.h - the four latency histograms that each client thread keeps and the
 * run merges: what each one measures is defined once, in latency_record().
 *
 * Times are CLOCK_MONOTONIC nanoseconds. "Due" is when a request was scheduled to
 * start (the open loop's arrival, or in a closed loop when it started), so the
 * latencies measured from it include any wait for a free slot: coordinated
 * omission corrected. "Started" is when it actually began on a connection.
 */
#ifndef HERD_LOAD_LATENCY_H
#define HERD_LOAD_LATENCY_H

#include <stdint.h>

#include "hist.h"

#define LOAD_HIST_HIGHEST (3600ULL * 1000000000ULL) /* histograms in ns, up to an hour */

struct load_record;

/* Latencies of successful requests, ns. */
struct load_latency {
	struct hist connect;	  /* connect() -> established (new connections only) */
	struct hist first_byte;	  /* due -> first byte of the response */
	struct hist total;	  /* due -> last byte (coordinated omission corrected) */
	struct hist total_uncorr; /* started -> last byte */
};

/* All four empty; 0, or -1 (out of memory: free what was made with latency_free). */
int latency_init(struct load_latency *l);
/* One successful request @r that actually started at @started_ns. */
void latency_record(struct load_latency *l, const struct load_record *r, uint64_t started_ns);
/* Add @src's counts to @dst; 0, or -1 (out of memory). */
int latency_merge(struct load_latency *dst, const struct load_latency *src);
void latency_free(struct load_latency *l);

#endif
