/* SPDX-License-Identifier: MIT */
/*
 * waitcost.h - the cost of waiting, from the waits object's rows (bpf/waits.h):
 * per call kind and in total, what run.json's trace.wait.* says.
 *
 *	waitcost_sum()       the rows (one per task and kind) summed by kind
 *	waitcost_json()      run.json's trace.wait.*
 *	waitcost_sentence()  "select spent 4.1 us of CPU per call over 1011 descriptors:
 *	                     4.0 ns per descriptor"
 *	waitcost_print()     the text of `herdlab trace --waits`
 *
 * Pure arithmetic over the rows, so that it is unit tested on fixed ones
 * (tests/unit/test_waits.c) and redone the same from waits.csv.
 */
#ifndef HERD_METRICS_WAITCOST_H
#define HERD_METRICS_WAITCOST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "waits.h"

/* One kind's calls (or all of them), summed over tasks, and the means. */
struct wait_sum {
	uint64_t tasks;	       /* tasks with at least one such call */
	uint64_t calls;	       /* calls */
	uint64_t nfds;	       /* descriptors watched, summed over the calls */
	uint64_t maxevents;    /* epoll's maxevents, summed */
	uint64_t ready;	       /* descriptors returned ready, summed */
	uint64_t empty;	       /* calls that returned 0 */
	uint64_t errors;       /* calls that returned an error */
	uint64_t unknown_nfds; /* calls whose nfds is unknown (left out of nfds_per_call) */
	uint64_t cpu_ns;       /* on a CPU inside the calls */
	uint64_t elapsed_ns;   /* inside the calls, entry to exit */
	/* the means (0 without calls; cpu_ns_per_fd also 0 without descriptors) */
	double nfds_per_call;	   /* nfds / the calls whose nfds is known */
	double maxevents_per_call; /* maxevents / calls */
	double ready_per_call;	   /* ready / calls */
	double cpu_ns_per_call;	   /* cpu_ns / calls */
	double cpu_ns_per_fd;	   /* cpu_ns_per_call / nfds_per_call */
	double elapsed_ns_per_call;
};

struct wait_summary {
	struct wait_sum kind[WAITS_KINDS]; /* by enum waits_kind */
	struct wait_sum total;		   /* every kind */
};

/* @rows (@n of them, any order) summed into @out; 0, or -ENOMEM. */
int waitcost_sum(const struct waits_row *rows, size_t n, struct wait_summary *out);

/*
 * run.json's trace.wait into @trace (the trace object): @s's kinds and total, and
 * from @r (may be NULL: a summary redone from waits.csv) the histograms, how
 * epoll's nfds is known, the object's program ids. 0, or -1 when out of memory.
 */
int waitcost_json(json_t *trace, const struct wait_summary *s, const struct waits_result *r);

/* The sentence for one kind's numbers (@name "select"), into @buf; @buf. */
char *waitcost_sentence(char *buf, size_t len, const char *name, uint64_t calls,
			double cpu_ns_per_call, double nfds_per_call, double cpu_ns_per_fd);

/* A table and a sentence per kind, for `herdlab trace --waits`. */
void waitcost_print(FILE *f, const struct wait_summary *s);

#endif
