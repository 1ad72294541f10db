/* SPDX-License-Identifier: MIT */
/*
 * records.h - what the tracer's raw records mean, for everything built on them.
 *
 * The computation (metrics.c), its outputs (metrics_json.c, metrics_text.c) and
 * the tables (csv.c) all read struct herd_task and struct herd_log2 the same
 * way: these are the few definitions they share, in a file below all of them.
 * The names are the metrics module's (metrics_), as its callers know them.
 */
#ifndef HERD_METRICS_RECORDS_H
#define HERD_METRICS_RECORDS_H

#include <stdint.h>

#include "herd.h"

/* The name of a wait kind ("accept", "epoll", ...) or a reaper ("parent", ...), as used in
 * JSON and reports; "unknown" out of range. */
const char *metrics_wait_name(int kind);
const char *metrics_reaper_name(int reaper);

/* A task's accept wakeups over every wait kind (WAIT_NONE is never a wakeup). */
uint64_t metrics_task_wakeups(const struct herd_task *t);

/*
 * The kernel's log2 histograms: slot 0 holds [0, 1], slot i [2^i, 2^(i+1) - 1] (the last
 * slot also everything longer). A percentile is the top of the slot holding its nearest
 * rank: an upper bound, good to a factor of two; 0 for an empty histogram.
 */
uint64_t metrics_log2_low(int slot);
uint64_t metrics_log2_high(int slot);
uint64_t metrics_log2_count(const struct herd_log2 *h);
uint64_t metrics_log2_percentile(const struct herd_log2 *h, unsigned int pct);

#endif
