/* SPDX-License-Identifier: MIT */
/*
 * pool_log.h - prefork-dynamic's pool over time: --pool-log FILE, and the pool's
 * figures in the counters (counters.h: pool.start, max_total, forks, ...).
 *
 * The parent knows at every moment how many of its children are idle, busy and alive
 * (prefork_dynamic.c's bookkeeping), and it looks after every batch of messages and
 * reaps. pool_log_note() is called then: it keeps the largest total, and with
 * --pool-log it appends a row whenever one of the three numbers changed, so the file
 * is the pool's step function, exact to the parent's view. Rows are kept in memory
 * (a few bytes each; at most POOL_LOG_MAX, later changes dropped: the counters'
 * pool.samples says how many were kept) and written at exit through lib/files' afile:
 *	t_ns,t_s,idle,busy,total
 * t_ns is CLOCK_MONOTONIC (the clock of herdload's and the tracer's records), t_s the
 * seconds since the pool started. Busy children serve a connection; total - idle -
 * busy are leaving (told to retire, or past --max-requests) but not yet reaped.
 */
#ifndef HERD_POOL_LOG_H
#define HERD_POOL_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "vec.h"

#define POOL_LOG_MAX (1u << 22) /* rows kept */

struct pool_log {
	const char *path;      /* --pool-log FILE, or NULL: only the counters */
	struct vec rows;       /* struct pool_row */
	uint64_t t0;	       /* when the pool started */
	int idle, busy, total; /* the last row's numbers (-1 before the first) */
};

void pool_log_init(struct pool_log *l, const char *path, uint64_t t0);
/* The pool is now @idle / @busy / @total at @now. */
void pool_log_note(struct pool_log *l, uint64_t now, int idle, int busy, int total);
/* Write --pool-log (if any); 0, or -1 with errno. */
int pool_log_write(struct pool_log *l);
void pool_log_free(struct pool_log *l);

#endif
