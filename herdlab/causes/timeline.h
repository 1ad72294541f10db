/* SPDX-License-Identifier: MIT */
/*
 * timeline.h - a window of the run drawn: what each server task did, the
 * connections and whom their arrivals woke, and the client's requests above.
 *
 *	timeline_svg()   an SVG drawn here (report.html puts it inline): one lane
 *	                 per task, its running, runnable and sleeping spans coloured
 *	                 by what it slept in; each connection as a bar from its
 *	                 handshake to its accept, with a line from the arrival to
 *	                 every task it woke (dashed red: woken for nothing); the
 *	                 client's requests in a band above; a legend and a time axis
 *	timeline_json()  the same as Chrome trace events (Perfetto, chrome://tracing):
 *	                 a track per task ("X" slices), the connections and the
 *	                 client's requests on tracks of their own, a flow ("s"/"f")
 *	                 from each arrival to each task it woke
 * Both show [from, to) of the run's clock; times are written from t0 (the load's start).
 */
#ifndef HERD_CAUSES_TIMELINE_H
#define HERD_CAUSES_TIMELINE_H

#include <sys/types.h>

#include "causes/schedlog.h"
#include "metrics/csv.h"

struct timeline_in {
	const struct sched_log *log;
	const struct client_req *reqs; /* may be NULL (herdlab trace) */
	size_t nreqs;
	const ssize_t *match; /* request i's connection in conns, or -1 (NULL: none) */
	const struct herd_conn *conns;
	size_t nconns;
	uint64_t t0;	   /* time 0 of the axis */
	uint64_t from, to; /* the window */
};

/* 0, or -1 with errno. */
int timeline_svg(const char *path, const struct timeline_in *in);
int timeline_json(const char *path, const struct timeline_in *in);

/* The name of a span's state as both show it ("running", "sleep: socket", ...). */
const char *timeline_span_name(const struct span *s);

#endif
