/* SPDX-License-Identifier: MIT */
/*
 * compare.h - several runs side by side: `herdlab compare DIR...`, the demo's
 * table, `herdlab run --repeat`'s summary and the kernels comparison.
 *
 * One row per run, one column per key metric (compare_metrics[]); the best
 * value of each column is marked, among the runs where the column means the
 * same thing (compare_family), and a second table gives every value as a
 * ratio to the first run's. When all runs are repeats of one configuration
 * (same model, options and kernel), mean and spread close the table.
 */
#ifndef HERD_COMPARE_H
#define HERD_COMPARE_H

#include <jansson.h>
#include <stdio.h>

#include "report/doc.h"
#include "session/rundir.h"

/*
 * A key metric: where it is in run.json, and which way is better. The value shown
 * is key's value times scale, divided by per's value when per is given (no value
 * when that is not positive); when count is given and that count is not
 * positive, there is no value (a latency of no fork is not 0).
 */
/*
 * Who waits for a new connection, by model: what a herd metric means depends on
 * it. In a pool, several workers wait on the listener (or on listeners of their
 * own) and the herd factor counts the tasks each connection woke: lower is
 * better. Where one task accepts and hands connections on (a process or thread
 * per connection, a parent passing descriptors, a queue, an event loop) there is
 * no herd to have: its herd factor is below 1 whenever the acceptor was busy and
 * found the next connection waiting, and "lower" only means busier.
 */
enum compare_family {
	FAMILY_ANY,  /* every run (a metric that means the same everywhere) */
	FAMILY_POOL, /* several workers accept on the listener */
};

/* The family of the run's model; FAMILY_ANY for a model not known to be a pool. */
enum compare_family compare_family(const struct rundir *rd);

struct compare_metric {
	const char *name;	   /* column head ("herd factor") */
	const char *key;	   /* run.json key */
	int better;		   /* +1 higher is better, -1 lower, 0 neither */
	enum compare_family among; /* the best is marked only among runs of this family */
	int prec;		   /* decimals shown */
	double scale;		   /* the value shown is run.json's times this */
	const char *per;	   /* run.json key to divide by (NULL: none) */
	const char *count;	   /* run.json key of the sample's size (NULL: none) */
};

#define COMPARE_METRICS_MAX 64 /* entries of compare_metrics[] at most */
extern const struct compare_metric compare_metrics[];
extern const size_t compare_nmetrics;

/* Metric @m of a run: NAN when the run does not have it. */
double compare_value(const struct rundir *rd, const struct compare_metric *m);

/* Each run's label: its model, plus whatever tells it from the others
 * (kernel, options); @labels[i] is allocated, free with compare_labels_free. */
char **compare_labels(const struct rundir *runs, size_t n);
void compare_labels_free(char **labels, size_t n);

/*
 * The comparison of @n runs on @out. Figures (md and html only) go to
 * @plot_dir, linked as @plot_link/NAME.svg; NULL leaves them out. 0, or -1.
 */
int compare_write(const struct rundir *runs, size_t n, enum doc_format fmt, FILE *out,
		  const char *plot_dir, const char *plot_link);

struct findings_table;

/*
 * The same, with @findings (findings.h) after the tables (NULL: none); without
 * @tables, the findings alone (the runs' kernel, the summary table, the sentences).
 */
int compare_write_findings(const struct rundir *runs, size_t n, enum doc_format fmt, FILE *out,
			   const char *plot_dir, const char *plot_link,
			   const struct findings_table *findings, bool tables);

/* The same as JSON: {runs: [{dir, label, metrics...}], repeats?: {metric: spread}}. */
json_t *compare_json(const struct rundir *runs, size_t n);

#endif
