/* SPDX-License-Identifier: MIT */
/*
 * compare.c - several runs side by side (compare.h).
 *
 * The columns are a table (compare_metrics[], in compare_metrics.c): each names
 * its run.json key (keys.h), which way is better, and how the value is derived,
 * so that a new column is a new row, not new code. What is here lays them out:
 * the labels, the best marked, the ratios, the figures and the findings.
 */
#include "report/compare.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "metrics/keys.h"
#include "metrics/statistics.h"
#include "report/findings.h"
#include "report/plot.h"
#include "report/profile_section.h"
#include "report/readout.h"

/* Whether run @rd is among those metric @m's best is chosen from. */
static bool among(const struct rundir *rd, const struct compare_metric *m)
{
	return m->among == FAMILY_ANY || compare_family(rd) == m->among;
}

/* ---- labels -------------------------------------------------------------------------- */

static char *options_of(const struct rundir *rd)
{
	char *s = NULL;
	json_t *o = rundir_get(rd, MK_OPTIONS);

	s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	return s ? s : strdup("");
}

/* The options as a command line would show them (server's, then load's). */
static void options_text(const struct rundir *rd, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	if (report_options_append(rd, MK_OPTIONS_SERVER, buf, len, &used))
		report_options_append(rd, MK_OPTIONS_LOAD, buf, len, &used);
}

static bool all_same(const struct rundir *runs, size_t n, const char *key)
{
	for (size_t i = 1; i < n; i++)
		if (strcmp(rundir_str(&runs[i], key, ""), rundir_str(&runs[0], key, "")))
			return false;
	return true;
}

static bool same_options(const struct rundir *runs, size_t n)
{
	char *first = options_of(&runs[0]);
	bool same = true;

	for (size_t i = 1; i < n && same; i++) {
		char *o = options_of(&runs[i]);
		same = !strcmp(o, first);
		free(o);
	}
	free(first);
	return same;
}

char **compare_labels(const struct rundir *runs, size_t n)
{
	char **l = calloc(n + 1, sizeof(*l));
	bool kernels = !all_same(runs, n, MK_KERNEL_RELEASE);
	bool options = !same_options(runs, n);

	for (size_t i = 0; l && i < n; i++) {
		char opts[256] = "";
		if (options)
			options_text(&runs[i], opts, sizeof(opts));
		if (asprintf(&l[i], "%s%s%s%s%s%s", rundir_str(&runs[i], MK_MODEL, "?"),
			     kernels ? " @ " : "",
			     kernels ? rundir_str(&runs[i], MK_KERNEL_RELEASE, "?") : "",
			     *opts ? " (" : "", opts, *opts ? ")" : "") < 0) {
			compare_labels_free(l, i);
			return NULL;
		}
	}
	/* Still alike (repeats): number them, #1, #2, ... in order. */
	char **base = calloc(n + 1, sizeof(*base));
	for (size_t i = 0; l && base && i < n; i++)
		base[i] = strdup(l[i]);
	for (size_t i = 0; l && base && i < n; i++) {
		size_t same = 0, rank = 0;
		for (size_t j = 0; j < n; j++) {
			bool alike = base[j] && base[i] && !strcmp(base[i], base[j]);
			same += alike;
			rank += alike && j <= i;
		}
		char *s = NULL;
		if (same > 1 && asprintf(&s, "%s #%zu", base[i], rank) >= 0)
			free(l[i]), l[i] = s;
	}
	compare_labels_free(base, n);
	return l;
}

void compare_labels_free(char **labels, size_t n)
{
	for (size_t i = 0; labels && i < n; i++)
		free(labels[i]);
	free(labels);
}

/* Repeats of one configuration: the same model, options and kernel throughout. */
static bool repeats(const struct rundir *runs, size_t n)
{
	return n > 1 && all_same(runs, n, MK_MODEL) && all_same(runs, n, MK_KERNEL_RELEASE) &&
	       same_options(runs, n);
}

/* ---- the tables ------------------------------------------------------------------------- */

/* The columns any run has a value for. */
static size_t present(const struct rundir *runs, size_t n, const struct compare_metric **cols)
{
	size_t k = 0;

	for (size_t m = 0; m < compare_nmetrics; m++) {
		for (size_t i = 0; i < n; i++)
			if (!isnan(compare_value(&runs[i], &compare_metrics[m]))) {
				cols[k++] = &compare_metrics[m];
				break;
			}
	}
	return k;
}

/* Whether run @i holds the best value of column @m among the runs it is judged with. */
static bool is_best(const struct rundir *runs, size_t n, size_t i, const struct compare_metric *m)
{
	bool beaten = false, beats = false; /* all equal: nothing to mark */
	double v = compare_value(&runs[i], m);

	if (!m->better || isnan(v) || n < 2 || !among(&runs[i], m))
		return false;
	for (size_t j = 0; j < n; j++) {
		double o = compare_value(&runs[j], m);
		if (isnan(o) || !among(&runs[j], m))
			continue;
		beaten |= m->better > 0 ? o > v : o < v;
		beats |= m->better > 0 ? o < v : o > v;
	}
	return beats && !beaten;
}

/* The columns of @cols marked only within a family, as a list ("herd factor and fairness"). */
static void family_columns(const struct compare_metric **cols, size_t k, char *buf, size_t len)
{
	size_t used = 0, total = 0, seen = 0;

	buf[0] = 0;
	for (size_t c = 0; c < k; c++)
		total += cols[c]->among != FAMILY_ANY;
	for (size_t c = 0; c < k; c++) {
		if (cols[c]->among == FAMILY_ANY)
			continue;
		seen++;
		int w = snprintf(buf + used, len - used, "%s%s",
				 seen == 1	 ? ""
				 : seen == total ? " and "
						 : ", ",
				 cols[c]->name);
		if (w < 0 || (size_t)w >= len - used)
			return;
		used += (size_t)w;
	}
}

/* Whether the runs mix pools with models of one acceptor: then say how the marks are made. */
static bool mixed_families(const struct rundir *runs, size_t n)
{
	bool pool = false, other = false;

	for (size_t i = 0; i < n; i++) {
		pool |= compare_family(&runs[i]) == FAMILY_POOL;
		other |= compare_family(&runs[i]) != FAMILY_POOL;
	}
	return pool && other;
}

/* The most metric columns one table has (table_head's heads, values_table's spreads). */
#define TABLE_COLS 10

/* The align string and heads of a table: "run" then one column per metric. */
static void table_head(struct doc *d, const struct compare_metric **cols, size_t k)
{
	char align[32] = "l";

	for (size_t c = 0; c < k && c < sizeof(align) - 2; c++)
		strcat(align, "r");
	/* doc_table takes its heads as arguments: give it the most we have (TABLE_COLS + 1). */
	const char *h[TABLE_COLS + 1] = { "run" };
	for (size_t c = 0; c < TABLE_COLS; c++)
		h[c + 1] = c < k ? cols[c]->name : "";
	doc_table(d, align, h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10]);
}

static void values_table(struct doc *d, const struct rundir *runs, size_t n, char **labels,
			 const struct compare_metric **cols, size_t k)
{
	table_head(d, cols, k);
	for (size_t i = 0; i < n; i++) {
		doc_cell(d, false, "%s%s", labels[i],
			 report_incomplete(&runs[i]) ? " (incomplete)" : "");
		for (size_t c = 0; c < k; c++) {
			double v = compare_value(&runs[i], cols[c]);
			if (isnan(v))
				doc_cell(d, false, "-");
			else
				doc_cell(d, is_best(runs, n, i, cols[c]), "%.*f", cols[c]->prec, v);
		}
	}
	if (repeats(runs, n)) {
		double *v = malloc(n * sizeof(*v));
		struct spread s[TABLE_COLS];
		for (size_t c = 0; v && c < k; c++) {
			for (size_t i = 0; i < n; i++)
				v[i] = compare_value(&runs[i], cols[c]);
			s[c] = statistics_spread(v, n);
		}
		free(v);
		doc_cell(d, false, "mean");
		for (size_t c = 0; c < k; c++)
			doc_cell(d, false, "%.*f", cols[c]->prec, s[c].mean);
		doc_cell(d, false, "spread (sd)");
		for (size_t c = 0; c < k; c++)
			doc_cell(d, false, "%.*f (%.1f%%)", cols[c]->prec, s[c].sd,
				 s[c].mean ? 100 * s[c].sd / fabs(s[c].mean) : 0);
	}
	doc_table_end(d);
}

static void ratios_table(struct doc *d, const struct rundir *runs, size_t n, char **labels,
			 const struct compare_metric **cols, size_t k)
{
	table_head(d, cols, k);
	for (size_t i = 0; i < n; i++) {
		doc_cell(d, false, "%s", labels[i]);
		for (size_t c = 0; c < k; c++) {
			double v = compare_value(&runs[i], cols[c]),
			       v0 = compare_value(&runs[0], cols[c]);
			if (isnan(v) || isnan(v0) || v0 == 0)
				doc_cell(d, false, "-");
			else
				doc_cell(d, false, "%.2fx", v / v0);
		}
	}
	doc_table_end(d);
}

/* ---- figures ------------------------------------------------------------------------------ */

/* Distinct strings of @key over the runs, in order of appearance. */
static size_t distinct(const struct rundir *runs, size_t n, const char *key, const char **out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const char *s = rundir_str(&runs[i], key, "?");
		size_t j = 0;
		while (j < k && strcmp(out[j], s))
			j++;
		if (j == k)
			out[k++] = s;
	}
	return k;
}

/*
 * One metric over the runs. Runs of several kernels are grouped by model, one
 * bar per kernel; otherwise each run is its own bar.
 */
/* A figure of compare's: its column, its axes, its caption. */
struct compare_fig {
	const char *metric;  /* the column (compare_metrics[].name) */
	struct plot_axes ax; /* what the bars are, and a reference line */
	const char *caption; /* what the figure shows */
};

static void figure(struct doc *d, const struct rundir *runs, size_t n, char **labels,
		   const struct compare_metric *m, const struct compare_fig *fig,
		   const struct report_figs *f)
{
	char file[PATH_MAX], href[PATH_MAX], name[64] = "compare-";
	const char **models = calloc(n, sizeof(*models)), **kernels = calloc(n, sizeof(*kernels));
	double *v = calloc(n * n + 1, sizeof(*v));

	if (!models || !kernels || !v)
		goto out;
	size_t nm = distinct(runs, n, MK_MODEL, models),
	       nk = distinct(runs, n, MK_KERNEL_RELEASE, kernels);
	const char *const *groups = (const char *const *)labels;
	const char *const *series = (const char *const *)&m->name;
	size_t ng = n, ns = 1;
	if (nk > 1) {
		groups = models, ng = nm, series = kernels, ns = nk;
		for (size_t i = 0; i < ng * ns; i++)
			v[i] = NAN;
		for (size_t i = 0; i < n; i++) {
			size_t g = 0, s = 0;
			while (strcmp(models[g], rundir_str(&runs[i], MK_MODEL, "?")))
				g++;
			while (strcmp(kernels[s], rundir_str(&runs[i], MK_KERNEL_RELEASE, "?")))
				s++;
			v[g * ns + s] = compare_value(&runs[i], m);
		}
	} else {
		for (size_t i = 0; i < n; i++)
			v[i] = compare_value(&runs[i], m);
	}
	size_t j = strlen(name);
	for (const char *c = m->name; *c && j < sizeof(name) - 1; c++)
		name[j++] = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ? *c : '-';
	name[j] = 0;
	if (report_fig_paths(f, name, file, href) &&
	    !plot_bars(file, &fig->ax, groups, ng, series, ns, v))
		doc_figure(d, file, href, fig->caption);
out:
	free(models);
	free(kernels);
	free(v);
}

int compare_write(const struct rundir *runs, size_t n, enum doc_format fmt, FILE *out,
		  const char *plot_dir, const char *plot_link)
{
	return compare_write_findings(runs, n, fmt, out, plot_dir, plot_link, NULL, true);
}

/* The first paragraph: which kernel(s), how many CPUs, and how the best is marked. */
static void runs_para(struct doc *d, const struct rundir *runs, size_t n, enum doc_format fmt,
		      bool tables)
{
	const char *kernels[64];
	size_t nk = distinct(runs, n < 64 ? n : 64, MK_KERNEL_RELEASE, kernels);
	double cpus = rundir_num(&runs[0], MK_CPUS);
	char c[32] = "";

	for (size_t i = 1; i < n; i++)
		if (rundir_num(&runs[i], MK_CPUS) != cpus)
			cpus = NAN;
	if (!isnan(cpus))
		snprintf(c, sizeof(c), ", %.0f CPUs", cpus);
	doc_para(d, "Kernel%s %s%s%s%s%s.", nk > 1 ? "s" : "", kernels[0],
		 nk > 1 ? " and others (see the labels)" : "", c,
		 tables ? "; the best value of each column is marked" : "",
		 tables && fmt == DOC_TEXT ? " with *" : "");
}

/* The values, what they mean, and the ratios to the first run. */
static void tables_part(struct doc *d, const struct rundir *runs, size_t n, char **labels,
			const struct compare_metric **cols, size_t k)
{
	char fam[128];

	size_t c = 0;
	do /* a table holds TABLE_COLS columns: more go into the next one below it */
		values_table(d, runs, n, labels, cols + c, k - c < TABLE_COLS ? k - c : TABLE_COLS);
	while ((c += TABLE_COLS) < k);
	family_columns(cols, k, fam, sizeof(fam));
	if (*fam && mixed_families(runs, n))
		doc_para(d,
			 "The best of %s is marked only among the pools (workers that all wait for "
			 "connections): where one task accepts and hands connections on, there is "
			 "no herd, and a lower value only means a busier acceptor.",
			 fam);
	for (size_t i = 0; i < n; i++)
		if (report_incomplete(&runs[i]))
			doc_para(
				d,
				"%s did not finish (%s): its numbers cover only the part that ran.",
				labels[i], report_incomplete_reason(&runs[i]));
	if (n > 1) {
		doc_heading(d, "Relative to the first run");
		c = 0;
		do
			ratios_table(d, runs, n, labels, cols + c,
				     k - c < TABLE_COLS ? k - c : TABLE_COLS);
		while ((c += TABLE_COLS) < k);
	}
	compare_profile(d, runs, n, labels);
	/* Runs before the log-linear kernel histograms (no "resolution") kept log2 bounds. */
	size_t fine = 0;
	for (size_t i = 0; i < n; i++)
		fine += rundir_get(&runs[i],
				   "trace." MK_SCHED_RUNQ_LATENCY "." MK_HIST_RESOLUTION) != NULL;
	doc_para(d,
		 "herd factor: tasks woken per accepted connection; futile: wakeups that found "
		 "nothing to accept; fairness: Jain's index of the workers' accepts (1 = even); "
		 "p99: the client's total latency; runq, fork and first-run latencies come from "
		 "the kernel's histograms, %s.",
		 fine == n   ? "each value within 1/16 of the truth"
		 : fine == 0 ? "the upper bounds of log2 buckets (as these runs recorded them)"
			     : "within 1/16 where a run recorded them so, else the upper bounds of "
			       "log2 buckets");
}

/* The figures, in order: one bar chart per headline metric. */
static const struct compare_fig figs[] = {
	{ "herd factor",
	  { NULL, "tasks woken per new connection", 2, 1, "1: one task woken per connection" },
	  "The herd factor: how many tasks each new connection woke, on average" },
	{ "switches/request",
	  { NULL, "context switches per request", 2, 0, NULL },
	  "Context switches per request, the server's tasks' together" },
	{ "fairness",
	  { NULL, "Jain's index over the workers", 3, 1, "1: every worker accepted alike" },
	  "How evenly the workers shared the connections" },
	{ "p99 us",
	  { NULL, "microseconds", 0, 0, NULL },
	  "The 99th percentile of the latency the clients saw" },
};

/* One bar chart per headline metric, drawn into @plot_dir. */
static void figures_part(struct doc *d, const struct rundir *runs, size_t n, char **labels,
			 const struct compare_metric **cols, size_t k, const char *plot_dir,
			 const char *plot_link)
{
	struct report_figs where = { plot_dir, plot_link ? plot_link : plot_dir, false };

	if (mkdir(plot_dir, 0755) < 0 && errno != EEXIST) {
		log_warn("cannot create %s: %m; the comparison goes without figures", plot_dir);
		return;
	}
	doc_heading(d, "Figures");
	for (size_t f = 0; f < sizeof(figs) / sizeof(figs[0]); f++)
		for (size_t c = 0; c < k; c++)
			if (!strcmp(cols[c]->name, figs[f].metric))
				figure(d, runs, n, labels, cols[c], &figs[f], &where);
}

int compare_write_findings(const struct rundir *runs, size_t n, enum doc_format fmt, FILE *out,
			   const char *plot_dir, const char *plot_link,
			   const struct findings_table *findings, bool tables)
{
	const struct compare_metric *cols[COMPARE_METRICS_MAX];
	char title[128];
	size_t incomplete = 0;

	if (!n)
		return -1;
	char **labels = compare_labels(runs, n);
	if (!labels)
		return -1;
	size_t k = present(runs, n, cols);
	for (size_t i = 0; i < n; i++)
		incomplete += report_incomplete(&runs[i]);
	snprintf(title, sizeof(title), "herdlab compare: %zu runs", n);
	if (incomplete)
		snprintf(title + strlen(title), sizeof(title) - strlen(title), " (%zu incomplete)",
			 incomplete);
	struct doc *d = doc_open(out, fmt, title);
	if (!d) {
		compare_labels_free(labels, n);
		return -1;
	}
	runs_para(d, runs, n, fmt, tables);
	if (tables)
		tables_part(d, runs, n, labels, cols, k);
	if (findings)
		findings_write(d, runs, n, findings);
	if (tables && plot_dir && fmt != DOC_TEXT)
		figures_part(d, runs, n, labels, cols, k, plot_dir, plot_link);
	compare_labels_free(labels, n);
	return doc_close(d);
}

json_t *compare_json(const struct rundir *runs, size_t n)
{
	char **labels = compare_labels(runs, n);
	json_t *o = json_object(), *a = json_array();
	double *v = malloc((n + 1) * sizeof(*v));

	if (!labels || !o || !a || !v)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		json_t *r =
			json_pack("{s:s, s:s, s:s, s:s}", MK_RUN_DIR, runs[i].path, MK_RUN_LABEL,
				  labels[i], MK_MODEL, rundir_str(&runs[i], MK_MODEL, "?"),
				  MK_KERNEL, rundir_str(&runs[i], MK_KERNEL_RELEASE, "?"));
		if (r && report_incomplete(&runs[i]))
			json_object_set_new(r, MK_INCOMPLETE_REASON,
					    json_string(report_incomplete_reason(&runs[i])));
		if (r)
			json_object_set_new(r, MK_COMPLETE,
					    json_boolean(!report_incomplete(&runs[i])));
		for (size_t m = 0; r && m < compare_nmetrics; m++) {
			double x = compare_value(&runs[i], &compare_metrics[m]);
			json_object_set_new(r, compare_metrics[m].name,
					    isnan(x) ? json_null() : json_real(x));
		}
		if (!r || json_array_append_new(a, r))
			goto fail;
	}
	json_object_set_new(o, MK_COMPARE_RUNS, a);
	a = NULL;
	if (repeats(runs, n)) {
		json_t *s = json_object();
		for (size_t m = 0; s && m < compare_nmetrics; m++) {
			for (size_t i = 0; i < n; i++)
				v[i] = compare_value(&runs[i], &compare_metrics[m]);
			struct spread sp = statistics_spread(v, n);
			if (sp.n)
				json_object_set_new(s, compare_metrics[m].name,
						    json_pack("{s:I, s:f, s:f, s:f, s:f}",
							      MK_SPREAD_N, (json_int_t)sp.n,
							      MK_SPREAD_MEAN, sp.mean, MK_SPREAD_SD,
							      sp.sd, MK_SPREAD_MIN, sp.min,
							      MK_SPREAD_MAX, sp.max));
		}
		json_object_set_new(o, MK_COMPARE_REPEATS, s);
	}
	free(v);
	compare_labels_free(labels, n);
	return o;
fail:
	json_decref(a);
	json_decref(o);
	free(v);
	compare_labels_free(labels, n);
	return NULL;
}
