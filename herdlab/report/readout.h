/* SPDX-License-Identifier: MIT */
/*
 * readout.h - run.json's values as the reports show them: what the run report's
 * sections and compare share.
 *
 * Numbers and latencies formatted one way ("-" where run.json has nothing), a
 * run's options as a command line, "metric | value" rows given as tables of
 * {label, key, decimals}, and where a figure is drawn and linked.
 */
#ifndef HERD_REPORT_READOUT_H
#define HERD_REPORT_READOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "report/doc.h"
#include "session/rundir.h"

/*
 * What a report of @rd must say first: that the run did not finish (run.json's
 * complete: false, and its incomplete_reason) and that the report is partial
 * (a table that could not be read, rows rejected). Either is a phrase for the
 * first line ("incomplete: interrupted by SIGINT"; "partial: 3 of 1009 rows of
 * requests.csv rejected"); "" when there is nothing to say. Both into @buf.
 */
bool report_incomplete(const struct rundir *rd);
bool report_partial(const struct rundir *rd);
const char *report_incomplete_reason(const struct rundir *rd);
const char *report_partial_reason(const struct rundir *rd, char *buf, size_t len);
const char *report_status(const struct rundir *rd, char *buf, size_t len);

/* A latency in microseconds, in the unit that reads best ("-" for NAN). */
const char *report_fmt_us(char *buf, size_t len, double us);

/* A number with @prec decimals, or "-" when missing (NAN). */
const char *report_fmt_num(char *buf, size_t len, double v, int prec);

/* run.json's value at @key "." @sub (a field of the object at @key), or NULL / NAN. */
json_t *report_get(const struct rundir *rd, const char *key, const char *sub);
double report_num(const struct rundir *rd, const char *key, const char *sub);

/*
 * The strings of the array at @key (a run's options) appended to @buf, space
 * separated ("?" for one that is not a string), at *@used. False when @buf is
 * full: what fitted is kept.
 */
bool report_options_append(const struct rundir *rd, const char *key, char *buf, size_t len,
			   size_t *used);

/* One "metric | value" row of a two-column table. */
void report_row(struct doc *d, const char *label, const char *value);
void report_row_us(struct doc *d, const char *label, double us);

/* A row of run.json's number at @key, with @prec decimals. */
struct report_row {
	const char *label; /* the metric, as the table says it */
	const char *key;   /* run.json's dotted key */
	int prec;	   /* decimals shown */
};

void report_rows(struct doc *d, const struct rundir *rd, const struct report_row *rows, size_t n);

/* Where a report's figures go. */
struct report_figs {
	const char *dir;  /* where the SVG files go (NULL: no figures) */
	const char *link; /* how the document refers to that directory */
	bool reuse;	  /* a figure already there is used as it is */
};

/* "DIR/NAME.svg" for drawing and "LINK/NAME.svg" for the document (PATH_MAX each);
 * false when there are no figures or the name does not fit. */
bool report_fig_paths(const struct report_figs *f, const char *name, char *file, char *link);

/* Whether the figure at @file is there to be used without drawing it again. */
bool report_fig_reuse(const struct report_figs *f, const char *file);

#endif
