/* SPDX-License-Identifier: MIT */
/*
 * records.h - what the tracer's raw records mean, for everything built on them.
 *
 * The computation (metrics.c), its outputs (metrics_json.c, metrics_text.c) and
 * the tables (csv.c) all read struct herd_task and struct herd_histogram the same
 * way: these are the few definitions they share, in a file below all of them.
 * The names are the metrics module's (metrics_), as its callers know them.
 */
#ifndef HERD_METRICS_RECORDS_H
#define HERD_METRICS_RECORDS_H

#include <stdint.h>

#include "herd.h"
#include "hist.h"

/* The name of a wait kind ("accept", "epoll", ...) or a reaper ("parent", ...), as used in
 * JSON and reports; "unknown" out of range. */
const char *metrics_wait_name(int kind);
const char *metrics_reaper_name(int reaper);

/* A TCP state's name as /proc/net/tcp's documentation gives it ("SYN_SENT"), "?" out of
 * range; and back (-1: not a state's name). */
const char *metrics_tcp_state_name(int state);
int metrics_tcp_state_of(const char *name);

/*
 * A fate's dropped handshake segments: the client's SYNs sent again (each after one that
 * went unanswered), SYNs dropped with nothing listening, ACKs dropped at a full accept
 * queue. Its main reason: "LISTEN_OVERFLOW", "NO_SOCKET", "unanswered" (a SYN sent
 * again: the one before was dropped without a reason, at a full queue), or "".
 */
uint64_t metrics_fate_syn_drops(const struct herd_fate *f);
const char *metrics_fate_reason(const struct herd_fate *f);

/* A task's accept wakeups over every wait kind (WAIT_NONE is never a wakeup). */
uint64_t metrics_task_wakeups(const struct herd_task *t);

/*
 * A kernel-side histogram (herd.h: log-linear, 16 slots per power of two) as a lib/hist
 * histogram of the same layout, so that its percentiles come from the client's code:
 * a value it reports is the top of the slot holding it, within 1/16 of the truth. The
 * extremes are those of the first and last non-empty slots, the mean uses each slot's
 * middle. 0, or -1 when out of memory; free @out with hist_free.
 */
int metrics_kernel_hist(const struct herd_histogram *h, struct hist *out);

#endif
