/* SPDX-License-Identifier: MIT */
/*
 * runreport.h - one run explained: `herdlab report DIR`, and the report.md and
 * report.html that `herdlab run` leaves in every run directory.
 *
 * Sections: summary (throughput, latency, errors); accept wakeups (herd factor,
 * futile wakeups, by wait kind, per-worker share and fairness); scheduling;
 * processes (fork and first-run latency, zombies); TCP (accept queue,
 * overflows); the latency decomposition of the slowest 1%; the tracer's own
 * losses. Figures (gnuplot SVG): latency CDFs by component, wakeups per
 * connection, accepts per worker, run-queue latency, zombies over time.
 */
#ifndef HERD_RUNREPORT_H
#define HERD_RUNREPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "report/doc.h"
#include "session/rundir.h"

#define REPORT_SLOWEST 0.01 /* the decomposition looks at the slowest 1% */

/*
 * Where a request's time went, in microseconds, averaged over a set of requests
 * that join_parts() (join.h) could cut: each opened a connection the kernel saw
 * accepted, on a timeline both sides agree on. The parts are its parts:
 *	handshake  client's connect() to the server's ESTABLISHED
 *	queue      ESTABLISHED to accept() returning it (the accept-queue wait)
 *	server     accepted to the client's first response byte (run.json's
 *	           join.server_to_first_byte_us)
 *	rest       everything else: waiting for the scheduled start (open loop),
 *	           and the transfer after the first byte
 * The four add up to total (scheduled start to last byte, what the client saw).
 */
struct decomposition {
	size_t n;
	double total, handshake, queue, server, rest;
};

/*
 * Decompose the joined requests (@match from join_requests): @slow gets the
 * slowest @share of them by total time (at least one), @median as many around
 * the median, @all every one. Returns how many requests could be decomposed.
 */
size_t report_decompose(const struct client_req *reqs, size_t n, const struct herd_conn *conns,
			const ssize_t *match, double share, struct decomposition *slow,
			struct decomposition *median, struct decomposition *all);

/*
 * The report of @rd (loaded with its tables) on @out. Figures are drawn into
 * @plot_dir (with @redraw, or when not there yet) and linked as
 * @plot_link/NAME.svg; @plot_dir NULL leaves them out. 0, or -1 if writing failed.
 */
int report_write(const struct rundir *rd, enum doc_format fmt, FILE *out, const char *plot_dir,
		 const char *plot_link, bool redraw);

/* The report as JSON: the numbers of every section, the decomposition included. */
json_t *report_json(const struct rundir *rd);

/* DIR/report.md, DIR/report.html and DIR/plots/: what `herdlab run` leaves. */
int report_files(const char *dir);

#endif
