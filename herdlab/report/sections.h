/* SPDX-License-Identifier: MIT */
/*
 * sections.h - the sections of one run's report, in the order report_write()
 * puts them (runreport.h).
 *
 *	summary.c        the run and the client's side: throughput, latency, errors
 *	trace_sections.c what the tracer saw: accept wakeups, scheduling,
 *	                 processes, TCP, the tracer itself
 *	decomposition.c  the latency decomposition (the join's parts)
 *	cost.c           what the server and herdload cost in their own cgroups
 *	srvload.c        herdsrv's and herdload's own records: phases, clients,
 *	                 the server's counters, prefork-dynamic's pool
 *	fates_section.c  the fates of the connections that went wrong
 *	netns_section.c  the run's network namespace, sysctls and TCP counters
 *	wait_section.c   what the server's select, poll and epoll calls cost (--waits)
 *
 * Each says what it has to say once, through doc.h, so that the text, Markdown
 * and HTML reports cannot disagree.
 */
#ifndef HERD_REPORT_SECTIONS_H
#define HERD_REPORT_SECTIONS_H

#include <jansson.h>

#include "report/doc.h"
#include "report/readout.h"
#include "session/rundir.h"

void section_summary(struct doc *d, const struct rundir *rd);

void section_accept(struct doc *d, const struct rundir *rd, const struct report_figs *f);
void section_sched(struct doc *d, const struct rundir *rd, const struct report_figs *f);
void section_proc(struct doc *d, const struct rundir *rd, const struct report_figs *f);
void section_tcp(struct doc *d, const struct rundir *rd);
void section_tracer(struct doc *d, const struct rundir *rd);

void section_cost(struct doc *d, const struct rundir *rd);
void section_netns(struct doc *d, const struct rundir *rd);

/* srvload.c: phases, clients, the server's counters, prefork-dynamic's pool. */
void section_load_server(struct doc *d, const struct rundir *rd, const struct report_figs *f);
void section_fates(struct doc *d, const struct rundir *rd);

void section_waits(struct doc *d, const struct rundir *rd);

void section_decomposition(struct doc *d, const struct rundir *rd, const struct report_figs *f);
void section_causes(struct doc *d, const struct rundir *rd); /* causes_section.c */

/* The join's share matched and the decomposition, into the report's JSON @o; 0 or -1. */
int decomposition_json(json_t *o, const struct rundir *rd);

#endif
