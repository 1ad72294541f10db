/* SPDX-License-Identifier: MIT */
/*
 * metrics.h - from what the tracer collected (struct trace_result) to the
 * metrics of DESIGN.md, and their three outputs: a text report, trace.json,
 * and the connections.csv / tasks.csv tables.
 *
 * Pure user-space arithmetic over the collected records, so every definition
 * (herd factor, futile wakeups, Jain's index, zombies over time...) is unit
 * tested on synthetic records (tests/unit/test_metrics.c).
 */
#ifndef HERD_METRICS_H
#define HERD_METRICS_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "hist.h"
#include "trace.h"

/* One worker's share of the accepts. */
struct worker_share {
	uint32_t tid;	   /* the task */
	uint32_t tgid;	   /* its process */
	uint64_t accepted; /* connections it accepted */
	uint64_t wakeups;  /* accept wakeups it got (all wait kinds) */
	uint64_t futile;   /* of which futile */
};

/* The number of zombies at a moment: the series changes at every exit and reap. */
struct zombie_point {
	uint64_t t_ns;	/* since the start of the trace */
	uint32_t count; /* zombies from then on */
};

struct trace_metrics {
	/* accept.* */
	uint64_t accepted;		 /* accept.accepted */
	uint64_t wakeups;		 /* accept.wakeups (every wait kind) */
	uint64_t wakeups_by[WAIT_KINDS]; /* accept.wakeups_by_wait */
	double herd_factor;		 /* accept.wakeups_per_accept */
	uint64_t futile;		 /* accept.futile_wakeups */
	uint64_t eagain;		 /* accept.eagain */
	struct worker_share *workers;	 /* accept.per_task: tasks that accepted or were woken */
	size_t nworkers;
	double fairness;  /* accept.fairness: Jain's index over workers' accepts */
	double max_share; /* the busiest worker's accepts over the mean */
	/* sched.* */
	uint64_t switches, voluntary, involuntary, migrations;
	double switches_per_request; /* switches / accepted */
	uint64_t run_ns;	     /* CPU time of all targets */
	/* proc.* */
	uint64_t processes, threads;  /* target tasks seen, by kind */
	uint64_t forks;		      /* fork/clone calls that created a task */
	uint64_t exits;		      /* target processes that exited */
	uint64_t zombies_peak;	      /* proc.zombies_peak */
	uint64_t unreaped;	      /* proc.unreaped: zombies at the end */
	uint64_t reaped_by[REAPERS];  /* proc.reaped_by */
	struct hist zombie_lifetime;  /* ns, exact (HdrHistogram) */
	struct zombie_point *zombies; /* proc.zombies_over_time */
	size_t nzombies;
	/* tcp.* */
	uint64_t established, queue_peak, listen_overflows, listen_drops;
	/* tracer.* */
	uint64_t lost_events, map_full;
	double duration_s; /* the traced interval */
};

/* Compute everything; 0 or -ENOMEM. */
int metrics_compute(const struct trace_result *r, struct trace_metrics *m);
void metrics_free(struct trace_metrics *m);

/* trace.json: DESIGN.md's keys (accept.*, sched.*, proc.*, tcp.*, tracer.*). */
json_t *metrics_json(const struct trace_metrics *m, const struct trace_result *r);

/* The text report: tables and log2 histograms. */
void metrics_print(FILE *f, const struct trace_metrics *m, const struct trace_result *r);

/* connections.csv and tasks.csv, written atomically. */
int metrics_write_connections(const char *path, const struct trace_result *r);
int metrics_write_tasks(const char *path, const struct trace_result *r);

/* One line of live counters for -i (accepts, wakeups, herd factor, switches, forks, zombies). */
void metrics_print_interval(FILE *f, const struct trace_metrics *now,
			    const struct trace_metrics *prev, double seconds);

/* The name of a wait kind ("accept", "epoll", ...), as used in JSON and reports. */
const char *metrics_wait_name(int kind);

#endif
