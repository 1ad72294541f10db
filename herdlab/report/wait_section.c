/* SPDX-License-Identifier: MIT */
/*
 * wait_section.c - the report's "The cost of waiting" section: what each
 * select, poll and epoll call of the server cost (run.json trace.wait.*, made
 * by `herdlab run --waits`; bpf/waits.h).
 *
 * One table, a row per call kind and one for all of them: calls, descriptors
 * watched and returned ready per call, CPU per call and per descriptor, time
 * inside per call and the share of it on a CPU. Then a sentence per kind from
 * the same numbers ("select spent 4.1 us of CPU per call over 1011 descriptors:
 * 4.0 ns per descriptor"), which is TLPI's table read from the kernel's side:
 * select's and poll's CPU per call grows with the descriptors they are handed,
 * epoll's does not. A run without --waits has no such section.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "metrics/keys.h"
#include "metrics/waitcost.h"
#include "report/sections.h"

#define T(key) MK_DOT(MK_TRACE, key) /* a tracer's key, as run.json holds it */

/* The kinds and the total, as run.json holds them, and their names here. */
static const struct {
	const char *key;  /* trace.wait.<kind> */
	const char *name; /* in the table and the sentence */
} kinds[] = {
	{ T(MK_WAIT_SELECT), "select" },
	{ T(MK_WAIT_POLL), "poll" },
	{ T(MK_WAIT_EPOLL), "epoll" },
	{ T(MK_WAIT_TOTAL), "all" },
};

/* Field @field of kind @k, or NAN. */
static double num(const struct rundir *rd, size_t k, const char *field)
{
	char key[128];

	snprintf(key, sizeof(key), "%s.%s", kinds[k].key, field);
	return rundir_num(rd, key);
}

/* A cell of @v scaled by @div with @prec decimals, "-" when unknown. */
static void cell(struct doc *d, double v, double div, int prec)
{
	if (isnan(v))
		doc_cell(d, false, "-");
	else
		doc_cell(d, false, "%.*f", prec, v / div);
}

void section_waits(struct doc *d, const struct rundir *rd)
{
	const size_t n = sizeof(kinds) / sizeof(kinds[0]);
	char line[256];

	if (!rundir_get(rd, T(MK_WAIT)))
		return; /* the run was made without --waits */
	doc_heading(d, "The cost of waiting");
	if (!(num(rd, n - 1, MK_WK_CALLS) > 0)) {
		doc_para(d, "The server made no select, poll or epoll call while traced.");
		return;
	}
	doc_table(d, "lrrrrrrr", "call", "calls", "descriptors/call", "ready/call", "CPU us/call",
		  "CPU ns/descriptor", "inside us/call", "on CPU %");
	for (size_t k = 0; k < n; k++) {
		double calls = num(rd, k, MK_WK_CALLS);
		if (!(calls > 0))
			continue;
		double cpu = num(rd, k, MK_WK_CPU_NS_PER_CALL);
		double in = num(rd, k, MK_WK_ELAPSED_NS_PER_CALL);
		doc_cell(d, false, "%s", kinds[k].name);
		doc_cell(d, false, "%.0f", calls);
		cell(d, num(rd, k, MK_WK_NFDS_PER_CALL), 1, 1);
		cell(d, num(rd, k, MK_WK_READY_PER_CALL), 1, 2);
		cell(d, cpu, 1e3, 2);
		cell(d, num(rd, k, MK_WK_CPU_NS_PER_FD), 1, 1);
		cell(d, in, 1e3, 1);
		cell(d, in > 0 ? 100 * cpu / in : NAN, 1, 0);
	}
	doc_table_end(d);
	for (size_t k = 0; k + 1 < n; k++) {
		double calls = num(rd, k, MK_WK_CALLS);
		if (calls > 0)
			doc_para(d, "%s",
				 waitcost_sentence(line, sizeof(line), kinds[k].name,
						   (uint64_t)calls,
						   num(rd, k, MK_WK_CPU_NS_PER_CALL),
						   num(rd, k, MK_WK_NFDS_PER_CALL),
						   num(rd, k, MK_WK_CPU_NS_PER_FD)));
	}
	const char *interest = rundir_str(rd, T(MK_WAIT_EPOLL_INTEREST), MV_WAIT_INTEREST_UNKNOWN);
	doc_para(d,
		 "Each call is timed from its entry to its exit; its CPU is the part of that "
		 "time the task was on a CPU (sched_switch), so blocked time is left out. "
		 "Descriptors: select's highest + 1, poll's nfds, and epoll's interest list%s. "
		 "Per task in waits.csv.",
		 strcmp(interest, MV_WAIT_INTEREST_REFCOUNT)
			 ? " (unknown on this kernel: counted as 0)"
			 : " (the eventpoll's references but its file's)");
}
