/* SPDX-License-Identifier: MIT */
/*
 * metrics.h - from what the tracer collected (struct trace_result) to the
 * metrics of DESIGN.md, and their outputs.
 *
 *	records.c       what the raw records mean: wait kinds and reapers by
 *	                name, log2 slots, a task's wakeups (records.h)
 *	metrics.c       the computation (struct trace_metrics)
 *	metrics_json.c  run.json's "trace" object (trace.json) and its "join" object
 *	metrics_text.c  the text report of `herdlab trace`, and its -i lines
 *	csv.c           the tables (csv.h)
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
#include "metrics/csv.h"
#include "metrics/records.h"
#include "trace.h"

#define METRICS_COMM_LEN 16 /* struct herd_task's comm */

/* One worker's share of the accepts. */
struct worker_share {
	uint32_t tid;			 /* the task */
	uint32_t tgid;			 /* its process */
	uint64_t accepted;		 /* connections it accepted */
	uint64_t wakeups;		 /* accept wakeups it got (all wait kinds) */
	uint64_t futile;		 /* of which futile */
	char comm[METRICS_COMM_LEN + 1]; /* its name ("" if unknown) */
};

/* The number of zombies at a moment: the series changes at every exit and reap. */
struct zombie_point {
	uint64_t t_ns;	/* since the start of the trace */
	uint32_t count; /* zombies from then on */
};

/* A process that reaped zombies of the targets (proc.reapers). */
struct reaper {
	uint32_t pid;	 /* the reaping process */
	char comm[16];	 /* its name */
	int by;		 /* enum herd_reaper: its relation to them (parent, or an adopter) */
	uint64_t reaped; /* zombies it reaped */
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
	uint64_t processes, threads; /* target tasks seen, by kind */
	uint64_t forks;		     /* fork/clone calls that created a task */
	uint64_t exits;		     /* target processes that exited */
	uint64_t zombies_peak;	     /* proc.zombies_peak */
	uint64_t unreaped;	     /* proc.unreaped: zombies at the end */
	uint64_t reaped_by[REAPERS]; /* proc.reaped_by */
	struct reaper *reapers;	     /* proc.reapers: who reaped, by process */
	size_t nreapers;
	struct hist zombie_lifetime;  /* ns, exact (HdrHistogram) */
	struct zombie_point *zombies; /* proc.zombies_over_time */
	size_t nzombies;
	/* tcp.* */
	uint64_t established, queue_peak, listen_overflows, listen_drops;
	/* tracer.* */
	uint64_t lost_events, map_full;
	double duration_s; /* the traced interval */
};

/* ---- metrics.c: the computation --------------------------------------------------------- */

/* Compute everything; 0 or -ENOMEM. */
int metrics_compute(const struct trace_result *r, struct trace_metrics *m);
void metrics_free(struct trace_metrics *m);

/* @a / @b, or 0 when @b is 0. */
double metrics_ratio(uint64_t a, uint64_t b);

/* The accepts of all the workers: what their shares are of. */
uint64_t metrics_workers_accepted(const struct trace_metrics *m);

/* The zombies at the end of the series (equal to m->unreaped). */
uint64_t metrics_zombies_now(const struct trace_metrics *m);

/* ---- metrics_json.c: run.json ------------------------------------------------------------- */

/* trace.json, run.json's "trace": DESIGN.md's keys (accept.*, sched.*, proc.*, tcp.*, tracer.*). */
json_t *metrics_json(const struct trace_metrics *m, const struct trace_result *r);

/*
 * run.json's "join": the requests of @requests_csv matched to @r's connections, and the
 * spectra of join_parts() over them (handshake, accept-queue wait, server time to the
 * first and to the last byte). {"error": ...} when requests.csv cannot be read.
 */
json_t *metrics_join_json(const char *requests_csv, const struct trace_result *r);

/* An array of the @n ids (the tracer's programs, links, maps); NULL when out of memory. */
json_t *metrics_json_ids(const uint32_t *ids, size_t n);

/* ---- metrics_text.c: the text report ------------------------------------------------------ */

/* The text report: tables and log2 histograms. */
void metrics_print(FILE *f, const struct trace_metrics *m, const struct trace_result *r);

/* One line of live counters for -i (accepts, wakeups, herd factor, switches, forks, zombies). */
void metrics_print_interval(FILE *f, const struct trace_metrics *now,
			    const struct trace_metrics *prev, double seconds);

/* ---- csv.c: the tables (the names herdlab run and trace call) -------------------------------- */

/* connections.csv and tasks.csv, written atomically; 0 or -errno (errno set, for "%m"). */
static inline int metrics_write_connections(const char *path, const struct trace_result *r)
{
	return csv_write_connections(path, r);
}

static inline int metrics_write_tasks(const char *path, const struct trace_result *r)
{
	return csv_write_tasks(path, r);
}

#endif
