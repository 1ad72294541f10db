/* SPDX-License-Identifier: MIT */
/*
 * findings.h - sentences made from numbers: a table of rows, not branches of code.
 *
 * A findings table says what a set of runs shows, in words, the way compare's
 * metric table shows it in columns. Each row names the model whose runs it is
 * about, up to three metrics (slots {a}, {b}, {c}) whose values over those runs
 * fill its template, the bounds on those values under which it is said, and the
 * template. A row marked `otherwise` is the alternative of the row before it:
 * it is said only when no row of its chain before it was. A row may name a
 * second model (`than`), whose values the template can quote beside the first
 * model's ({than.a}) or divide by them ({a.over}). A summary table of the same
 * metrics, one row per model, comes first, so that every number a sentence
 * quotes is in it.
 *
 * A row's sentence may go on in pieces (`more`), each added when its own
 * bounds hold; and a row may be a function instead (`write`), for a finding
 * that walks the runs in its own way. The runs are a flat list, each with its
 * model and a label (`label`: what {a.list} names its value by, and which runs
 * stand beside each other: kernels.md's runs are labelled by kernel, so a
 * metric can divide another model's value by this one's on the same kernel).
 *
 * The engine (findings.c) knows no model and no metric; the tables are data
 * (herd_findings.c: the thundering herd, for the demo's herd.md and `herdlab
 * compare --findings`; kernels/findings.c: kernels.md's "What changes between
 * kernels"). Templates say:
 *	{model} {than}              the row's models
 *	{a} {a.lo} {a.hi} {a.n}     the mean of slot a over the model's runs, its
 *	                            lowest, highest, and how many runs have it
 *	{a.values}                  every run's value, in order ("0.458, 0.286")
 *	{a.list}                    the same, each after its run's label
 *	                            ("host 7.90, 5.10 7.61")
 *	{a.than}                    the mean of slot a over @than's runs
 *	{a.over}                    that, divided by {a} ("times fewer")
 */
#ifndef HERD_REPORT_FINDINGS_H
#define HERD_REPORT_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "report/doc.h"
#include "session/rundir.h"
#include "vec.h"

/* A number of one run: (key + plus... - minus...) / per * scale; NAN when a key is missing. */
struct finding_metric {
	const char *key;      /* run.json's dotted key (NULL: the slot is unused) */
	const char *plus[2];  /* keys added to it (NULL: none) */
	const char *minus[2]; /* keys taken from it */
	const char *per;      /* the result divided by this key's value (NULL: by 1); no
				 value when that is not positive */
	double scale;	      /* times this (0: 1) */
	int prec;	      /* decimals shown */
	const char *unit;     /* after every value shown ("%"; NULL: nothing) */
	const char *beside;   /* instead: the value of the run of this model with the same
				 label, divided by this run's value, */
	double floor;	      /* where this run's is at least @floor (and the other's > 0) */
	bool optional;	      /* the row is said even when this slot has no value */
};

/* One run's value of @m (not counting @m->beside); NAN when a key it needs is missing. */
double finding_value(json_t *run, const struct finding_metric *m);

/* What of a slot's values a bound is on. */
enum finding_stat {
	FS_MEAN,   /* the mean over the model's runs */
	FS_LO,	   /* the lowest */
	FS_HI,	   /* the highest */
	FS_N,	   /* how many runs have a value */
	FS_RANGE,  /* highest - lowest */
	FS_SPREAD, /* highest / lowest */
	FS_OVER,   /* the @than model's mean / this one's */
};

enum finding_op { FO_ANY, FO_GE, FO_GT, FO_LE, FO_LT }; /* FO_ANY (a zeroed bound) holds */

struct finding_bound {
	int slot; /* 0, 1, 2: a, b, c */
	enum finding_stat stat;
	enum finding_op op;
	double v;
};

/* A piece of a row's sentence, added when both its bounds hold. */
struct finding_piece {
	struct finding_bound when[2];
	const char *text; /* a template (NULL: the row has no more pieces) */
};

struct finding {
	const char *model; /* whose runs (a row about a model not run is not said) */
	const char *than;  /* a second model, for {than}, {x.than}, {x.over} (NULL: none) */
	struct finding_metric m[3]; /* the slots a, b, c */
	/* Said when both hold, and each slot used but not optional has a value. */
	struct finding_bound when[2];
	bool otherwise;		      /* only if no row of its chain before it was said */
	const char *text;	      /* the template */
	struct finding_piece more[8]; /* after @text, each whose bounds hold */
	/* Instead of all the above: a finding of its own, into @b, from findings_say's @arg. */
	void (*write)(struct strbuf *b, const void *arg);
};

/* A column of the summary table: a metric, its head, and whether to show its range. */
struct finding_column {
	const char *head;	 /* "herd factor" */
	struct finding_metric m; /* the metric */
	bool range;		 /* over several runs: "lo-hi" instead of the mean */
};

struct findings_table {
	const char *heading;		   /* the section's heading */
	const struct finding_column *cols; /* the summary table's columns */
	size_t ncols;
	const struct finding *rows; /* the sentences */
	size_t nrows;
};

/* A run as the engine sees it. */
struct finding_run {
	json_t *run;	   /* its run.json */
	const char *model; /* the model it ran (NULL: none) */
	const char *label; /* what names it in {x.list}, and which runs stand beside it */
};

/* Where findings_say's sentences go. */
struct findings_sink {
	void (*say)(void *to, const char *text); /* one row's sentence */
	void *to;				 /* what @say is given */
	const void *arg;			 /* what a row's @write is given */
	/*
	 * Told of every number a sentence quotes, before that sentence is said (NULL:
	 * nobody asks): the metric it is a value of, the value and how it was shown.
	 * The study keeps them beside the sentence, so that each of its numbers can
	 * be traced to the key it came from.
	 */
	void (*quote)(void *to, const struct finding_metric *m, double v, const char *shown);
};

/* Each of @rows said over @runs, in order, into @sink; how many were said. */
size_t findings_say(const struct finding_run *runs, size_t n, const struct finding *rows,
		    size_t nrows, const struct findings_sink *sink);

/*
 * The section: @t's heading, its summary table over the models of @runs (in the
 * order they first appear), and each row's sentence whose bounds hold. Says
 * nothing (returns 0) when no row is about a model among @runs.
 */
size_t findings_write(struct doc *d, const struct rundir *runs, size_t n,
		      const struct findings_table *t);

/* The thundering herd's table (herd_findings.c). */
extern const struct findings_table herd_findings;

#endif
