/* SPDX-License-Identifier: MIT */
/*
 * causes.h - why each request was slow, in kernel terms, after the run.
 *
 * herdlab run --causes records every switch and wakeup of the server's tasks
 * into the run directory's sched.bin (bpf/sched_trace.h). Once the run is
 * over, causes_write() joins that record with the run's tables (requests.csv,
 * connections.csv, tasks.csv) and writes:
 *	requests_causes.csv  one row per joined request: its accept-queue wait and
 *	                     server time cut into causes (split.h), its wakeups
 *	run.json causes.*    each cause's mean/p50/p99, the slowest 1% and the
 *	                     median requests' means, what was lost
 *	run.json wake_order.*  which idle worker each arrival woke (wakeorder.h)
 *	timeline.svg, timeline.json  with --timeline: a window of the run drawn
 *	                     (timeline.h)
 * Nothing here reads the kernel: a run directory holds all of it, so the same
 * numbers come out of it again.
 */
#ifndef HERD_CAUSES_H
#define HERD_CAUSES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sched_trace.h"

#define CAUSES_SCHED_FILE "sched.bin"
#define CAUSES_CSV	  "requests_causes.csv"
#define CAUSES_CAP_BYTES  (256ULL << 20) /* sched.bin's cap: about 3.7 M records */

/* The causes, in requests_causes.csv's and causes.stats' order. */
enum cause {
	CAUSE_TOTAL,	     /* what the client saw */
	CAUSE_QUEUE,	     /* the accept-queue wait */
	CAUSE_CAPACITY,	     /* ... with no worker idle */
	CAUSE_WOKEN_RUNQ,    /* ... the woken accepting worker's run-queue wait */
	CAUSE_HERD,	     /* ... others woken for it running on its CPU meanwhile */
	CAUSE_QUEUE_REST,    /* ... the rest */
	CAUSE_SERVER,	     /* the server time */
	CAUSE_ONCPU,	     /* ... its task on a CPU */
	CAUSE_RUNQ,	     /* ... runnable, not running */
	CAUSE_SLEEP,	     /* ... blocked in a timer */
	CAUSE_LOCK,	     /* ... on a lock */
	CAUSE_SOCKET,	     /* ... on a descriptor */
	CAUSE_BLOCKED_OTHER, /* ... elsewhere */
	CAUSE_SERVER_REST,   /* ... not covered by the record */
	CAUSE_INVOLUNTARY,   /* preemptions of its task (a count) */
	CAUSE_WAKEUPS,	     /* tasks its arrival woke (a count) */
	CAUSES,
};

/* A cause's name in the CSV and run.json ("capacity_us"). */
const char *causes_name(enum cause c);

struct causes_opts {
	bool timeline;			       /* draw timeline.svg and timeline.json */
	double start_ms, len_ms;	       /* the window (start < 0: around the slowest) */
	const struct sched_trace_stats *stats; /* what the recording kept and lost */
};

/* "START:LEN" (ms, START >= 0, LEN > 0) into @start_ms, @len_ms; false if it is not. */
bool causes_parse_window(const char *arg, double *start_ms, double *len_ms);

/* The files above from run directory @dir, and run.json's two objects; 0 or -1 (said). */
int causes_write(const char *dir, const struct causes_opts *o, json_t **causes,
		 json_t **wake_order);

/*
 * What made the slowest 1% slow compared with the median, in one sentence made
 * from run.json's causes object @causes; false (and "") when it has no numbers.
 */
bool causes_sentence(const json_t *causes, char *buf, size_t len);

#endif
