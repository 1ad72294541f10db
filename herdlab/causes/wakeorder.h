/* SPDX-License-Identifier: MIT */
/*
 * wakeorder.h - which of the idle workers each arrival woke first.
 *
 * For an arrival's first wakeup, the woken worker's rank among the workers
 * asleep in the same kind of wait at that moment, two ways: by when they went
 * to sleep (1 = the longest asleep: FIFO; N = the latest: LIFO), and by when
 * they were created (1 = the first created; a pool's workers register their
 * waits in that order, so this is the order of a wait queue built at
 * registration, as epoll's is). Only arrivals with two idle workers or more
 * are ranked: with one there is no order to see.
 */
#ifndef HERD_CAUSES_WAKEORDER_H
#define HERD_CAUSES_WAKEORDER_H

#include "causes/schedlog.h"

#define WAKE_RANKS 9 /* ranks 1..8 counted each, 9 and later in the last */

struct wake_order {
	uint64_t arrivals;	    /* arrivals ranked (two idle workers or more) */
	uint64_t fifo, lifo;	    /* ... whose first woken slept longest / least long */
	uint64_t created_first;	    /* ... was the first created of the idle ones */
	uint64_t created_last;	    /* ... the last created */
	uint64_t same;		    /* ... was the previous ranked arrival's first woken */
	uint64_t ranks[WAKE_RANKS]; /* by sleep: rank r counted in ranks[r - 1] */
	double idle_sum;	    /* idle workers summed over arrivals (for their mean) */
};

/* The wake order of every arrival in @log, by wait kind (@out[WAIT_KINDS]). */
void wakeorder_compute(const struct sched_log *log, struct wake_order *out);

#endif
