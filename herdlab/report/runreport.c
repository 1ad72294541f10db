/* SPDX-License-Identifier: MIT */
/*
 * runreport.c - one run explained (runreport.h): the document, its JSON twin,
 * and the files `herdlab run` leaves.
 *
 * Everything reads run.json by its dotted keys (keys.h) and the joined tables;
 * nothing is measured again. The sections are in their own files (sections.h);
 * this one puts them in order, gives the same numbers to programs as JSON
 * (mostly run.json's own objects, copied under the report's names by one table),
 * and writes report.md and report.html, each whole or not at all (outfile.h).
 */
#include "report/runreport.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "jsonio.h"
#include "log.h"
#include "metrics/keys.h"
#include "path.h"
#include "report/outfile.h"
#include "report/plot.h"
#include "report/profile_section.h"
#include "report/sections.h"

#define T(key) MK_DOT(MK_TRACE, key) /* a tracer's key, as run.json holds it */

/* What table @name left out, in full: everything below is without it. */
static void partial_para(struct doc *d, const char *name, int err, const struct csv_stats *st)
{
	if (err)
		doc_para(d,
			 "This report is partial: %s could not be read (%s); what it holds is "
			 "missing below.",
			 name, st->why);
	else if (st->rejected)
		doc_para(
			d,
			"This report is partial: %zu of %zu rows of %s were rejected (the first at "
			"line %zu: %s) and are left out of everything below.",
			st->rejected, st->rejected + st->rows, name, st->first_line, st->why);
}

int report_write(const struct rundir *rd, enum doc_format fmt, FILE *out, const char *plot_dir,
		 const char *plot_link, bool redraw)
{
	char title[768], status[512];
	struct report_figs f = { plot_dir, plot_link ? plot_link : plot_dir, !redraw };

	if (plot_dir && mkdir(plot_dir, 0755) < 0 && errno != EEXIST) {
		log_warn("cannot create %s: %m; the report goes without figures", plot_dir);
		f.dir = NULL;
	}
	/* The first line says whether the run finished and whether this report is whole. */
	report_status(rd, status, sizeof(status));
	snprintf(title, sizeof(title), "herdlab report: %s on Linux %s%s%s%s",
		 rundir_str(rd, MK_MODEL, "?"), rundir_str(rd, MK_KERNEL_RELEASE, "?"),
		 *status ? " (" : "", status, *status ? ")" : "");
	struct doc *d = doc_open(out, fmt, title);
	if (!d)
		return -1;
	if (report_incomplete(rd))
		doc_para(d,
			 "This run did not finish (%s): its numbers cover only the part that ran.",
			 report_incomplete_reason(rd));
	partial_para(d, "requests.csv", rd->reqs_err, &rd->reqs_read);
	partial_para(d, "connections.csv", rd->conns_err, &rd->conns_read);
	section_summary(d, rd);
	section_cost(d, rd);
	section_load_server(d, rd, &f);
	section_netns(d, rd);
	if (rundir_traced(rd)) {
		section_accept(d, rd, &f);
		section_sched(d, rd, &f);
		section_waits(d, rd);
		section_proc(d, rd, &f);
		section_tcp(d, rd);
		section_fates(d, rd);
		section_decomposition(d, rd, &f);
		section_causes(d, rd);
		section_tracer(d, rd);
		section_profile(d, rd, &f);
	} else {
		doc_para(d,
			 "This run was not traced (--no-trace): only the client's side is known.");
	}
	return doc_close(d);
}

/* ---- JSON -------------------------------------------------------------------------------------- */

/* The report's JSON, mostly run.json's own values under the report's names. */
static const struct {
	const char *to;	  /* the report's key */
	const char *from; /* run.json's */
	const char *drop; /* a field of it left out (NULL: none) */
	bool traced;	  /* only for a traced run */
} copies[] = {
	{ MK_RUN_MODEL, MK_MODEL, NULL, false },
	{ MK_RUN_OPTIONS, MK_OPTIONS, NULL, false },
	{ MK_RUN_KERNEL, MK_KERNEL, NULL, false },
	{ MK_RUN_CPUS, MK_CPUS, NULL, false },
	{ MK_RUN_START_TIME, MK_START_TIME, NULL, false },
	{ MK_RUN_TRACED, MK_TRACED, NULL, false },
	{ MK_SUMMARY_REQUESTS, MK_CLIENT_REQUESTS, NULL, false },
	{ MK_SUMMARY_THROUGHPUT, MK_CLIENT_THROUGHPUT, NULL, false },
	{ MK_SUMMARY_ERRORS, MK_CLIENT_ERRORS, NULL, false },
	{ MK_SUMMARY_LATENCY_US_CONNECT, MK_CLIENT_LATENCY_US_CONNECT, MK_HIST_HISTOGRAM, false },
	{ MK_SUMMARY_LATENCY_US_FIRST_BYTE, MK_CLIENT_LATENCY_US_FIRST_BYTE, MK_HIST_HISTOGRAM,
	  false },
	{ MK_SUMMARY_LATENCY_US_TOTAL, MK_CLIENT_LATENCY_US_TOTAL, MK_HIST_HISTOGRAM, false },
	{ MK_COST, MK_COST, NULL, false },
	{ MK_LOAD, MK_LOAD, NULL, false },
	{ MK_SERVER, MK_SERVER, NULL, false },
	{ MK_NETNS, MK_NETNS, NULL, false },
	{ MK_REPORT_NETSTAT, MK_TCP, NULL, false },
	{ MK_ACCEPT, T(MK_ACCEPT), NULL, true },
	{ MK_SCHED, T(MK_SCHED), NULL, true },
	{ MK_PROC, T(MK_PROC), NULL, true },
	{ MK_TCP, T(MK_TCP), NULL, true },
	{ MK_TRACER, T(MK_TRACER), NULL, true },
	{ MK_WAIT, T(MK_WAIT), NULL, true },
};

/* A copy of run.json's value at @key (null when it has none). */
static json_t *copy(const struct rundir *rd, const char *key)
{
	json_t *v = rundir_get(rd, key);

	return v ? json_deep_copy(v) : json_null();
}

/* The report's first keys: whether the run finished and whether the report is whole. */
static int status_json(json_t *o, const struct rundir *rd)
{
	char why[320];
	bool inc = report_incomplete(rd), part = report_partial(rd);

	return json_object_set_new(o, MK_COMPLETE, json_boolean(!inc)) ||
	       (inc && json_object_set_new(o, MK_INCOMPLETE_REASON,
					   json_string(report_incomplete_reason(rd)))) ||
	       json_object_set_new(o, MK_PARTIAL, json_boolean(part)) ||
	       (part &&
		json_object_set_new(o, MK_PARTIAL_REASON,
				    json_string(report_partial_reason(rd, why, sizeof(why)))));
}

json_t *report_json(const struct rundir *rd)
{
	json_t *o = json_object();
	bool traced = rundir_traced(rd);
	int err = !o || status_json(o, rd);

	for (size_t i = 0; !err && i < sizeof(copies) / sizeof(copies[0]); i++) {
		if (copies[i].traced && !traced)
			continue;
		json_t *v = copy(rd, copies[i].from);
		if (copies[i].drop)
			json_object_del(v, copies[i].drop);
		err = jsonio_set_path(o, copies[i].to, v);
	}
	if (!err)
		err = decomposition_json(o, rd);
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- the files herdlab run leaves -------------------------------------------------------------- */

static int write_one(const struct rundir *rd, const char *dir, const char *name,
		     enum doc_format fmt, bool redraw)
{
	char path[PATH_MAX], plot_dir[PATH_MAX];
	struct outfile o;

	if (path_join(path, sizeof(path), dir, name) < 0 ||
	    path_join(plot_dir, sizeof(plot_dir), dir, "plots") < 0) {
		log_warn("cannot write %s/%s: %m", dir, name);
		return -1;
	}
	if (outfile_open(&o, path) < 0)
		return -1;
	unsigned failed = plot_failed_writes();
	int rc = report_write(rd, fmt, o.f, plot_dir, "plots", redraw);
	/* Says what failed, naming the file; a figure not written fails the document. */
	return outfile_close(&o, rc == 0 && plot_failed_writes() == failed);
}

int report_files(const char *dir)
{
	struct rundir rd;
	int rc;

	if (rundir_load(&rd, dir, true) < 0)
		return -1;
	rc = write_one(&rd, dir, "report.md", DOC_MD, true);
	rc |= write_one(&rd, dir, "report.html", DOC_HTML, false); /* the same figures, inline */
	rundir_free(&rd);
	return rc;
}
