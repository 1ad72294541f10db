/* SPDX-License-Identifier: MIT */
/*
 * study.h - herdlab study: the five source documents' experiments re-run as
 * `herdlab run` cells, their tables beside ours, verdicts and explanations.
 *
 * Everything the study knows about the documents is data, in four tables:
 *
 *	seeds.c        their tables, transcribed once, with the document and the
 *	               environment they ran in (struct seed_doc, struct seed_table)
 *	experiments.c  what we run: per document, groups of cells (a group is a
 *	               set of server variants crossed with up to two axes, each
 *	               cell a `herdlab run` argument vector), and our tables with
 *	               the same rows and columns as theirs (struct study_table)
 *	claims.c       what the documents claim, the number that tests each claim
 *	               and the thresholds that turn it into a verdict
 *	why.c          the explanations: rows of the findings engine
 *	               (report/findings.h), chosen and filled from the numbers
 *
 * and the code that works through them, one file per job:
 *
 *	cells.c     the cells expanded from the groups; which options herdlab run
 *	            has (a cell needing one it lacks is skipped, with the reason)
 *	runner.c    one repeat of one cell: herdlab run spawned, its large CSVs
 *	            gzipped, its run.json read back
 *	numbers.c   a run's numbers by key (run.json's full paths), a cell's
 *	            median and range
 *	verdict.c   a claim's value and its verdict from its thresholds
 *	pages.c     README.md and one page per document (doc.c: .md and .html)
 *	sjson.c     study.json, written after every cell and read back by
 *	            --report-only
 *	cmd_study.c the command: options, the loop over repeats and cells
 *
 * Every key the study reads is run.json's own full dotted path, made from
 * metrics/keys.h's names (the tracer's under "trace.", the cgroup's under
 * "cost.server.", the namespace's under "tcp.netstat."), so that the key a
 * sentence quotes is the one a reader finds in the cell's run.json. A key a
 * run.json lacks (an older kernel without the fate tracepoints, a cell that
 * could not run) makes the sentence that needs it say "not measured (needs
 * KEY)" instead.
 */
#ifndef HERD_STUDY_H
#define HERD_STUDY_H

#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "metrics/keys.h"
#include "report/findings.h"

/* run.json's full paths from keys.h's names (each argument a string literal). */
#define SK_TRACE(k)	 MK_DOT(MK_TRACE, k)	   /* "trace.accept.accepted" */
#define SK_SERVER(k)	 MK_DOT(MK_COST_SERVER, k) /* "cost.server.cpu_ns": the server's cgroup */
#define SK_CLIENT(k)	 MK_DOT(MK_COST_CLIENT, k) /* "cost.client.cpu_ns": herdload's */
#define SK_NETSTAT(k)	 MK_DOT(MK_TCP_NETSTAT, k) /* "tcp.netstat.ListenOverflows" (--netns) */
#define SK_WAIT(kind, f) SK_TRACE(MK_DOT(kind, f)) /* "trace.wait.poll.cpu_ns_per_call" */
/* client.requests.total (keys.h names its parent only) */
#define SK_CLIENT_REQUESTS_TOTAL MK_DOT(MK_CLIENT_REQUESTS, "total")
/* A profiler bucket's share of the samples (its names are profile/buckets.c's). */
#define SK_BUCKET(name) MK_DOT(MK_PROFILE, MK_DOT(MK_PROF_BUCKETS, MK_DOT(name, MK_BUCKET_SHARE)))

#define STUDY_MAX_VARIANTS 12
#define STUDY_MAX_ROWS	   24
#define STUDY_MAX_COLS	   8
#define STUDY_MAX_REPS	   10
#define STUDY_NA	   NAN /* a cell of their table they do not give */

/* ---- seeds.c: the documents and their tables ---------------------------------------------- */

/* One source document. */
struct seed_doc {
	const char *file;  /* its name in the seeds directory, "000_537e4ca49a8665a3.txt" */
	const char *title; /* what it is, in a line */
	const char *env;   /* the machines and software it ran on, as it says */
};

/* One of their tables: rows by columns, NAN where they give no number. */
struct seed_table {
	const char *id;			  /* named by our tables ("fs_mean") */
	const char *doc;		  /* the document's file name */
	const char *where;		  /* where in the document it is */
	const char *caption;		  /* what the numbers are */
	const char *unit;		  /* of every value ("s", "" for counts) */
	int prec;			  /* decimals shown */
	const char *rows[STUDY_MAX_ROWS]; /* NULL-terminated */
	const char *cols[STUDY_MAX_COLS]; /* NULL-terminated */
	double v[STUDY_MAX_ROWS][STUDY_MAX_COLS];
};

extern const struct seed_doc seed_docs[];
extern const size_t nseed_docs;
extern const struct seed_table seed_tables[];
extern const size_t nseed_tables;

const struct seed_doc *seed_doc_find(const char *file);
const struct seed_table *seed_table_find(const char *id);
/* Row @row, column @col of @t by their labels; NAN when either is not there. */
double seed_value(const struct seed_table *t, const char *row, const char *col);

/* ---- experiments.c: what we run, and our tables ------------------------------------------ */

/* One server of a group: the model and its own options. */
struct study_variant {
	const char *label; /* names the cells ("prefork-5"); the findings' model */
	const char *model; /* herdsrv's model */
	const char *args;  /* more server options, words split on spaces (NULL: none) */
	bool full_only;	   /* left out of --quick */
};

/*
 * An axis of a group: its values, comma-separated, in full mode and in --quick.
 * A value may carry more placeholders: "100M:n=1" is the value "100M" with {n}
 * = 1 for the cells it makes.
 */
struct study_axis {
	const char *name;  /* the placeholder: {size} (NULL: no axis) */
	const char *full;  /* "10K:n=20,1M:n=20" */
	const char *quick; /* NULL: as in full mode */
};

/*
 * A group of cells: every variant by every value of each axis. @args is the
 * rest of the herdlab run command line, with placeholders: {label}, {model},
 * each axis and each value's extras, and {x*y}, the product of two (numbers or
 * placeholders), so that "--requests {clients*n}" scales with the clients.
 */
struct study_group {
	const char *name;				   /* what the group measures, in a word */
	struct study_variant variants[STUDY_MAX_VARIANTS]; /* up to the first without a label */
	struct study_axis axes[2];
	const char *id;	   /* the cell's id, with placeholders ("{label}-{size}-c{clients}") */
	const char *args;  /* herdlab run's arguments, with placeholders */
	const char *needs; /* options herdlab run must have, or the cells are skipped */
	const char *wants; /* options added when herdlab run has them (observations) */
	bool once;	   /* one (traced) repeat whatever --repeat says */
	bool full_only;	   /* the whole group is left out of --quick */
};

/*
 * One of our tables: their table's rows and columns, and where each of our
 * numbers comes from. Cell (row, col) is the cell whose id is @cell with {row}
 * and {col} replaced (by @rowcell / @colcell when given, else by the labels),
 * and its value is @m over the cell's repeats (the median), less @minus's.
 */
struct study_table {
	const char *seed; /* their table (seed_table id) */
	const char *cell; /* "{row}-c{col}" */
	const char *rowcell[STUDY_MAX_ROWS];
	const char *colcell[STUDY_MAX_COLS];
	struct finding_metric m;	    /* our number */
	const char *colkey[STUDY_MAX_COLS]; /* a column's own key instead of m.key */
	const char *minus;		    /* a cell whose value is taken from each (NULL: none) */
	const char *norm_row;		    /* each value also as a share of this row's */
	bool shape;			    /* other units: compare values over the first row's */
	const char *note;		    /* how our number is made, in words */
};

/* An explanation: rows of the findings engine over the runs of some cells. */
struct study_why {
	const char *heading;
	const char *cells; /* which cells' runs, an fnmatch pattern on the cell id */
	const struct finding *rows;
	size_t nrows;
};

/* An experiment's explanations (why.c). */
struct study_whys {
	const struct study_why *w;
	size_t n;
};

/* One document's experiment. */
struct study_experiment {
	const char *id;	   /* its directory under cells/ and its page ("fileserver") */
	const char *doc;   /* the seed document's file name */
	const char *title; /* the page's title */
	const char *claim; /* what the document set out to show, in a sentence */
	const struct study_group *groups;
	size_t ngroups;
	const struct study_table *tables;
	size_t ntables;
	const struct study_whys *why;
	const char *differs; /* how their setup differs from ours (setups, not results) */
};

extern const struct study_whys why_fileserver, why_prefork_epoll, why_unp, why_echo, why_forkpool;

extern const struct study_experiment study_experiments[];
extern const size_t nstudy_experiments;

const struct study_experiment *study_experiment_find(const char *id);

/* ---- claims.c and verdict.c: claims, their numbers, verdicts ------------------------------- */

enum verdict { V_NOT_MEASURED, V_REPRODUCED, V_DIFFERS, V_NOT_REPRODUCED };
extern const char *const verdict_name[4]; /* "not measured", "reproduced", ... */

/*
 * A number from cells: @m of @cell (an fnmatch pattern: the largest value of
 * the cells it matches), less @m of @minus, divided by @m (or @over_m) of @over.
 */
struct study_value {
	const char *cell;
	const char *minus; /* NULL: nothing taken */
	const char *over;  /* NULL: not divided */
	struct finding_metric m;
	struct finding_metric over_m; /* over.key NULL: @m */
};

/* Their side of a claim: a value of their table, or one over another. */
struct seed_value {
	const char *table; /* NULL: they give no number */
	const char *row, *col;
	const char *over_row, *over_col; /* NULL: not divided */
	double scale;			 /* times this (0: 1) */
};

/* How a value becomes a verdict: reproduced past @reproduced, differs past @differs. */
struct verdict_rule {
	bool below;	   /* the claim holds for small values: <= instead of >= */
	double reproduced; /* value >= this (below: <=): reproduced */
	double differs;	   /* else value >= this (below: <=): differs; else not reproduced */
};

struct study_claim {
	const char *id;	     /* its anchor */
	const char *exp;     /* the experiment (and page) it belongs to */
	const char *text;    /* the claim, in the document's sense */
	const char *measure; /* what the value is, in words */
	struct study_value ours;
	struct seed_value theirs;
	struct verdict_rule rule;
};

extern const struct study_claim study_claims[];
extern const size_t nstudy_claims;

/* The verdict of @v under @r (NAN: not measured). */
enum verdict verdict_of(const struct verdict_rule *r, double v);
/* The rule in words: "reproduced if >= 5, differs if >= 2" into @buf. */
void verdict_rule_str(const struct verdict_rule *r, char *buf, size_t len);

/* ---- cells.c, runner.c: the cells and their repeats ---------------------------------------- */

/* One repeat of a cell. */
struct study_rep {
	char dir[PATH_MAX]; /* its run directory */
	bool traced;	    /* with the tracer (the first repeat) */
	bool ran;	    /* herdlab run was started and left a run.json */
	bool complete;	    /* its run.json says complete */
	char reason[256];   /* why not ("" when complete) */
	double seconds;	    /* how long herdlab run took */
	json_t *view;	    /* its run.json as numbers.c sees it (NULL: none) */
};

/* One cell: a herdlab run command line, its repeats and what became of them. */
struct study_cell {
	const struct study_experiment *exp;
	const struct study_group *group;
	const struct study_variant *variant;
	char id[96];	/* unique in its experiment: "fork-1M-c15" */
	char label[96]; /* what {x.list} names its runs by: the axis values ("1M c15") */
	char **words;	/* herdlab run's arguments after "run", NULL-terminated (owned) */
	int nwords;
	int reps;	/* repeats it runs */
	char skip[256]; /* why it does not run ("": it runs) */
	char note[256]; /* options left out because herdlab run lacks them */
	struct study_rep rep[STUDY_MAX_REPS];
};

/* The study as run: its options, its cells, and its time. */
struct study {
	bool quick;
	int repeat;	     /* --repeat K (full: 3, quick: 1) */
	const char *only;    /* --only LIST (NULL: every experiment) */
	char out[PATH_MAX];  /* --out DIR */
	char self[PATH_MAX]; /* this herdlab */
	struct study_cell *cells;
	size_t ncells;
	char started[32];     /* UTC, ISO 8601 */
	double duration_s;    /* of the cells' runs */
	bool complete;	      /* every cell ran (or was skipped with a reason) */
	char incomplete[256]; /* why not */
	char machine[256];    /* what it ran on, in a line */
	char kernel[128];     /* uname -r */
	char options[1024];   /* the options herdlab run has (cells.c), " --a --b " */
	volatile sig_atomic_t *stop;
};

/* Whether experiment @id is asked for by --only. */
bool study_wanted(const struct study *s, const char *id);
/* The cells of every experiment asked for, in s->cells; 0 or -1 (out of memory, said). */
int study_cells(struct study *s);
/* Whether herdlab run has option @opt ("--netns"), from s->options. */
bool study_has_option(const struct study *s, const char *opt);
/* s->options from `herdlab run --help`; 0 or -1 (said). */
int study_ask_options(struct study *s);
/* The shell command that reruns @c alone (traced) into @buf. */
void study_cell_command(const struct study *s, const struct study_cell *c, char *buf, size_t len);
void study_cells_free(struct study *s);

/* Run repeat @r (0-based) of @c; fills c->rep[r]. */
void study_run_rep(const struct study *s, struct study_cell *c, int r);
/* Read back c->rep[r]'s run.json (after a run, or for --report-only). */
void study_load_rep(struct study_cell *c, int r);

/* ---- numbers.c --------------------------------------------------------------------------- */

/* @run (a run.json) as the study reads it: the same object, one more reference. */
json_t *study_view(json_t *run);

/* A cell's numbers of one metric over its repeats. */
struct study_num {
	int n;		    /* repeats with a value */
	double med, lo, hi; /* median, lowest, highest (NAN when n is 0) */
	bool traced;	    /* from the traced repeat (no untraced one has it) */
};

/* @m over @c's repeats: the untraced ones when any has it, else the traced one. */
struct study_num study_cell_num(const struct study_cell *c, const struct finding_metric *m);
/* The cell of experiment @e with id @id among @s's cells (NULL: none). */
const struct study_cell *study_cell_find(const struct study *s, const struct study_experiment *e,
					 const char *id);
/*
 * One run.json-like view of @c for the explanations: its traced repeat's view
 * with the untraced repeats' median in place of each number they also have
 * (NULL when no repeat left a run.json). Free with json_decref.
 */
json_t *study_cell_view(const struct study_cell *c);
/* A claim's value (verdict.c's input) from the cells; NAN when not measured. */
double study_value_of(const struct study *s, const struct study_experiment *e,
		      const struct study_value *v, char *needs, size_t len);
/* Their value of a claim; NAN when they give none. */
double seed_value_of(const struct seed_value *v);

/* ---- pages.c, sjson.c -------------------------------------------------------------------- */

/* README.md, one page per experiment (.md, .html) and study.json into s->out. 0 or -1. */
int study_pages(struct study *s);

/* study.json's cells and state (written after each cell); 0 or -1 (said). */
int sjson_save(const struct study *s, json_t *results);
/* --report-only: @s's options and cells from @dir/study.json; 0 or -1 (said). */
int sjson_load(struct study *s, const char *dir);

#endif
