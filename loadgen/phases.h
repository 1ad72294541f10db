/* SPDX-License-Identifier: MIT */
/*
 * phases.h - --phases SPEC: a closed-loop load that changes over the run, and each
 * phase's numbers apart.
 *
 *	SPEC   := PHASE[,PHASE]...                      at most LOAD_MAX_PHASES phases
 *	PHASE  := DURATION[:clients=N][:PATH]           the fields after DURATION in any order
 *	DURATION := NUMBER(s|ms)                        "3s", "1.5s", "250ms"; more than 0
 *	PATH   := /...                                  what the phase's requests GET
 *
 *	--phases 3s:clients=2:/size/1K,4s:clients=30:/sleep/100,3s:clients=2
 *
 * The phases run one after the other from the measured start (the end of --warmup;
 * the warmup runs the first phase's load), and the run lasts their sum, so --phases
 * stands for --duration and excludes --requests, --duration, --rate and --ramp. A phase
 * without clients= has --clients; one without a path has --path / --mix. A phase's
 * clients are at most that many requests in flight: the run has as many client slots
 * as its largest phase, and a thread (of --threads) starts a request only while it has
 * fewer in flight than its share of the phase's clients. When a phase ends, requests in
 * flight finish (and count in the phase they started in); the next phase's limit
 * applies to what starts from then on.
 *
 * A request belongs to the phase it was due in (its scheduled time), so the phases'
 * requests add up exactly to the run's. Their numbers are computed from the request
 * records (herdload keeps them whenever --phases is given): requests, ok, failed and
 * the errors by kind, ok requests per second of the phase's duration, and the p50,
 * p99 and max of the ok requests' total latency (due to last byte, nearest rank).
 */
#ifndef HERD_LOAD_PHASES_H
#define HERD_LOAD_PHASES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "errors.h"

#define LOAD_MAX_PHASES 64

struct load_workload;
struct load_result;

struct load_phase {
	uint64_t start_ns;    /* offset from the measured start */
	uint64_t duration_ns; /* how long it lasts */
	unsigned clients;     /* requests in flight at most (0 in the spec: --clients) */
	int path;	      /* index in the workload's paths, or -1: the --path / --mix draw */
	char *path_str;	      /* the PATH as given (NULL: none) */
};

struct load_phases {
	struct load_phase p[LOAD_MAX_PHASES]; /* in order */
	unsigned n;			      /* entries in @p (0: no --phases) */
	uint64_t total_ns;		      /* the sum of their durations */
	unsigned max_clients;		      /* the largest phase's clients */
	unsigned base_paths;		      /* the workload's paths before the phases' */
};

/* One phase's numbers (from the request records). */
struct phase_stats {
	uint64_t requests;	    /* due in the phase: ok + failed */
	uint64_t ok;		    /* of which succeeded */
	uint64_t failed;	    /* of which failed */
	uint64_t errors[ERR_KINDS]; /* @failed by kind */
	double requests_per_s;	    /* @ok over the phase's duration */
	double p50_us, p99_us;	    /* the ok requests' total latency (NAN: none) */
	double max_us;		    /* their largest (NAN: none) */
};

/*
 * Parse @spec into @ph, clients= left 0 where not given. -1 with a message naming the
 * bad part in @why (@cap bytes): "phase 2 '4x': a duration is a number and s or ms".
 */
int phases_parse(const char *spec, struct load_phases *ph, char *why, size_t cap);

/*
 * Settle @ph against the run's options: a phase without clients= gets @clients; the
 * phases' paths join @w (never drawn by --mix: see phases.c). 0, or -1 with @why.
 */
int phases_settle(struct load_phases *ph, unsigned clients, struct load_workload *w, char *why,
		  size_t cap);

/* The phase of offset @off_ns from the measured start (the last one past the end). */
unsigned phases_at(const struct load_phases *ph, uint64_t off_ns);

/* Every phase's numbers from @r's records into @out (@ph->n entries). 0, or -1 (ENOMEM). */
int phases_stats(const struct load_phases *ph, const struct load_result *r,
		 struct phase_stats *out);

/* The summary's per-phase table, and the JSON "phases" array ([] without --phases). */
void phases_print(FILE *f, const struct load_phases *ph, const struct load_result *r);
json_t *phases_json(const struct load_phases *ph, const struct load_result *r);

void phases_free(struct load_phases *ph);

#endif
