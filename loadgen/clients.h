/* SPDX-License-Identifier: MIT */
/*
 * clients.h - --clients-csv: one row per client, as the echo study's client kept them.
 *
 * A run's summary says what the load as a whole got; a server model can also be unfair,
 * serving some clients at once and starving others (a thread pool's queue, an accept
 * loop that favours one listener), which only shows client by client. The rows are made
 * from the run's request records (load.h), so they add up exactly to the summary's
 * totals: requests, ok and failed, bytes, and the errors by kind.
 */
#ifndef HERD_LOAD_CLIENTS_H
#define HERD_LOAD_CLIENTS_H

#include "load.h"

/* The header line of --clients-csv (without its newline); the error kinds follow. */
#define CLIENTS_CSV_HEADER                                                         \
	"client,thread,requests,ok,failed,bytes_sent,bytes_received,total_p50_us," \
	"total_p99_us,total_max_us"

/* One row per client of @o (those that ran nothing too), in client order. 0, or -1. */
int clients_write_csv(const char *path, const struct load_opts *o, const struct load_result *r);

#endif
