/* SPDX-License-Identifier: MIT */
/*
 * tally.h - a request that ended, counted by its thread: the counters, the
 * latency histograms, the --csv records and the --progress line's atomics. The
 * state machine (client.c) calls it once per request, when the request ends.
 */
#ifndef HERD_LOAD_TALLY_H
#define HERD_LOAD_TALLY_H

#include <stdbool.h>
#include <stdint.h>

#include "client.h"

/*
 * Count request @r that ended (a warmup one, not @measured, only as such);
 * @started_ns is when it actually started, the origin of its uncorrected latency.
 */
void tally_request(struct load_thread *t, const struct load_record *r, bool measured,
		   uint64_t started_ns);

#endif
