/* SPDX-License-Identifier: MIT */
/*
 * findings.c - the findings engine (findings.h): a table of rows evaluated
 * over a set of runs, and their templates filled with the numbers.
 *
 * A slot's values are gathered run by run from run.json (value_of), over
 * the runs of the row's model; a bound is on one statistic of one slot; a
 * template is copied with each {placeholder} replaced by a number formatted as
 * its metric says, then each of the row's further pieces whose bounds hold.
 * Nothing here names a model or a metric: those are the tables'
 * (herd_findings.c, kernels/findings.c), so that a sentence cannot state a
 * number the runs do not hold, and a new finding is a new row. findings_say
 * hands each sentence to its caller (kernels.md writes Markdown of its own);
 * findings_write is the section of a document, over run directories, with a
 * summary table first.
 */
#include "report/findings.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "metrics/keys.h"
#include "vec.h"

#define NSLOTS	  3
#define NAME_MAX_ 24 /* a placeholder's name, "a.values" */

/* The number at run.json's dotted @key, or NAN. */
static double num(json_t *run, const char *key)
{
	json_t *j = key ? jsonio_get_path(run, key) : NULL;

	return json_is_number(j) ? json_number_value(j) : NAN;
}

double finding_value(json_t *run, const struct finding_metric *m)
{
	double v = num(run, m->key);

	for (int i = 0; i < 2; i++) {
		if (m->plus[i])
			v += num(run, m->plus[i]);
		if (m->minus[i])
			v -= num(run, m->minus[i]);
	}
	if (m->per) {
		double per = num(run, m->per);
		v = per > 0 ? v / per : NAN;
	}
	return v * (m->scale ? m->scale : 1);
}

static bool is_model(const struct finding_run *r, const char *model)
{
	return model && r->model && !strcmp(r->model, model);
}

/* Run @i's value of @m among @runs (NAN when it has none). */
static double value_of(const struct finding_run *runs, size_t n, size_t i,
		       const struct finding_metric *m)
{
	double v = finding_value(runs[i].run, m);

	if (!m->beside)
		return v;
	for (size_t j = 0; j < n; j++) {
		if (j == i || !is_model(&runs[j], m->beside) || !runs[i].label || !runs[j].label ||
		    strcmp(runs[i].label, runs[j].label))
			continue;
		double other = finding_value(runs[j].run, m);
		return other > 0 && v >= m->floor ? other / v : NAN;
	}
	return NAN;
}

/* A slot's statistics over the runs of one model. */
struct stats {
	size_t n; /* runs with a value */
	double mean, lo, hi;
};

static struct stats stats_of(const struct finding_run *runs, size_t n, const char *model,
			     const struct finding_metric *m)
{
	struct stats s = { 0, NAN, INFINITY, -INFINITY };
	double sum = 0;

	for (size_t i = 0; m->key && i < n; i++) {
		double v = is_model(&runs[i], model) ? value_of(runs, n, i, m) : NAN;
		if (isnan(v))
			continue;
		s.n++;
		sum += v;
		s.lo = v < s.lo ? v : s.lo;
		s.hi = v > s.hi ? v : s.hi;
	}
	if (s.n)
		s.mean = sum / (double)s.n;
	else
		s.lo = s.hi = NAN;
	return s;
}

static void put_value(struct strbuf *b, const struct finding_metric *m, double v)
{
	if (isnan(v) || isinf(v))
		strbuf_addf(b, "-");
	else
		strbuf_addf(b, "%.*f%s", m->prec, v, m->unit ? m->unit : "");
}

/* What a row's placeholders are filled from. */
struct row_values {
	const struct finding *row;
	struct stats s[NSLOTS], than[NSLOTS];
	const struct finding_run *runs;
	size_t n;
	const struct findings_sink *sink; /* its quote(), told of each number put */
};

/* A value of @m put into a sentence, and told to the sink's quote(). */
static void quote_value(struct strbuf *b, const struct row_values *rv,
			const struct finding_metric *m, double v)
{
	size_t at = b->len;

	put_value(b, m, v);
	if (rv->sink && rv->sink->quote && !b->oom && !isnan(v) && !isinf(v))
		rv->sink->quote(rv->sink->to, m, v, b->s + at);
}

static double stat(const struct row_values *rv, int slot, enum finding_stat st)
{
	const struct stats *s = &rv->s[slot];

	switch (st) {
	case FS_MEAN:
		return s->mean;
	case FS_LO:
		return s->lo;
	case FS_HI:
		return s->hi;
	case FS_N:
		return (double)s->n;
	case FS_RANGE:
		return s->hi - s->lo;
	case FS_SPREAD:
		return s->hi / s->lo;
	case FS_OVER:
		return s->mean > 0 ? rv->than[slot].mean / s->mean : NAN;
	}
	return NAN;
}

static bool holds(const struct row_values *rv, const struct finding_bound *b)
{
	double v = b->op == FO_ANY ? 0 : stat(rv, b->slot, b->stat);

	switch (b->op) {
	case FO_ANY:
		return true;
	case FO_GE:
		return v >= b->v;
	case FO_GT:
		return v > b->v;
	case FO_LE:
		return v <= b->v;
	case FO_LT:
		return v < b->v;
	}
	return false;
}

/* Every run's value of @slot, in order, "0.458, 0.286"; with @label, "host 0.458, ...". */
static void put_values(struct strbuf *b, const struct row_values *rv, int slot, bool label)
{
	const struct finding_metric *m = &rv->row->m[slot];
	bool first = true;

	for (size_t i = 0; i < rv->n; i++) {
		double v = is_model(&rv->runs[i], rv->row->model) ? value_of(rv->runs, rv->n, i, m)
								  : NAN;
		if (isnan(v))
			continue;
		strbuf_addf(b, "%s", first ? "" : ", ");
		if (label)
			strbuf_addf(b, "%s ", rv->runs[i].label ? rv->runs[i].label : "?");
		quote_value(b, rv, m, v);
		first = false;
	}
}

/* {x.over}: @than's mean over this one's, one decimal, a number of no metric's unit. */
static void quote_over(struct strbuf *b, const struct row_values *rv, int slot)
{
	const struct finding_metric *m = &rv->row->m[slot];
	struct finding_metric ratio = {
		.key = m->key, .per = m->per, .beside = rv->row->than, .prec = 1
	};
	double v = stat(rv, slot, FS_OVER);
	size_t at = b->len;

	strbuf_addf(b, "%.1f", v);
	if (rv->sink && rv->sink->quote && !b->oom && !isnan(v) && !isinf(v))
		rv->sink->quote(rv->sink->to, &ratio, v, b->s + at);
}

/* One placeholder, @name ("model", "a", "b.values"); false when it is not one. */
static bool put_placeholder(struct strbuf *b, const struct row_values *rv, const char *name)
{
	static const struct {
		const char *suffix;
		int stat; /* enum finding_stat, or -1: the values, -2: @than's mean, -3: the
			     values labelled */
	} suffixes[] = {
		{ "", FS_MEAN },      { ".lo", FS_LO },	 { ".hi", FS_HI }, { ".n", FS_N },
		{ ".over", FS_OVER }, { ".values", -1 }, { ".than", -2 },  { ".list", -3 },
	};

	if (!strcmp(name, "model") || !strcmp(name, "than")) {
		strbuf_addf(b, "%s", name[0] == 'm' ? rv->row->model : rv->row->than);
		return true;
	}
	int slot = name[0] - 'a';
	if (slot < 0 || slot >= NSLOTS || !rv->row->m[slot].key)
		return false;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if (strcmp(name + 1, suffixes[i].suffix))
			continue;
		if (suffixes[i].stat == -1 || suffixes[i].stat == -3)
			put_values(b, rv, slot, suffixes[i].stat == -3);
		else if (suffixes[i].stat == -2)
			quote_value(b, rv, &rv->row->m[slot], rv->than[slot].mean);
		else if (suffixes[i].stat == FS_N)
			strbuf_addf(b, "%zu", rv->s[slot].n);
		else if (suffixes[i].stat == FS_OVER)
			quote_over(b, rv, slot);
		else
			quote_value(b, rv, &rv->row->m[slot], stat(rv, slot, suffixes[i].stat));
		return true;
	}
	return false;
}

/* Template @t with its placeholders filled; an unknown one is left as it is. */
static void fill(struct strbuf *b, const struct row_values *rv, const char *t)
{
	while (*t) {
		const char *end = *t == '{' ? strchr(t, '}') : NULL;
		char name[NAME_MAX_];
		if (end && (size_t)(end - t - 1) < sizeof(name)) {
			snprintf(name, sizeof(name), "%.*s", (int)(end - t - 1), t + 1);
			if (put_placeholder(b, rv, name)) {
				t = end + 1;
				continue;
			}
		}
		strbuf_addf(b, "%c", *t++);
	}
}

/* Whether @row is said over @runs, its values into @rv. */
static bool said(const struct finding *row, const struct finding_run *runs, size_t n,
		 const struct findings_sink *sink, struct row_values *rv)
{
	*rv = (struct row_values){ .row = row, .runs = runs, .n = n, .sink = sink };
	for (int s = 0; s < NSLOTS; s++) {
		rv->s[s] = stats_of(runs, n, row->model, &row->m[s]);
		rv->than[s] = stats_of(runs, n, row->than, &row->m[s]);
		if (row->m[s].key && !row->m[s].optional &&
		    (!rv->s[s].n || (row->than && !rv->than[s].n)))
			return false;
	}
	return holds(rv, &row->when[0]) && holds(rv, &row->when[1]);
}

/* The distinct models of @runs, in the order they first appear (borrowed strings). */
static size_t models_of(const struct finding_run *runs, size_t n, const char **out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const char *m = runs[i].model ? runs[i].model : "?";
		size_t j = 0;
		while (j < k && strcmp(out[j], m))
			j++;
		if (j == k)
			out[k++] = m;
	}
	return k;
}

/* One row per model: how many runs, and each column's mean (or range). */
static void summary_table(struct doc *d, const struct finding_run *runs, size_t n,
			  const struct findings_table *t, const char **models, size_t nm)
{
	char align[24] = "lr";
	const char *h[10] = { "model", "runs" };

	for (size_t c = 0; c < t->ncols && c < 8; c++) {
		strcat(align, "r");
		h[c + 2] = t->cols[c].head;
	}
	doc_table(d, align, h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9]);
	for (size_t i = 0; i < nm; i++) {
		size_t runs_of = 0;
		for (size_t r = 0; r < n; r++)
			runs_of += is_model(&runs[r], models[i]);
		doc_cell(d, false, "%s", models[i]);
		doc_cell(d, false, "%zu", runs_of);
		for (size_t c = 0; c < t->ncols && c < 8; c++) {
			const struct finding_metric *m = &t->cols[c].m;
			struct stats s = stats_of(runs, n, models[i], m);
			struct strbuf lo = { 0 }, hi = { 0 };
			put_value(&lo, m, t->cols[c].range ? s.lo : s.mean);
			put_value(&hi, m, s.hi);
			if (lo.oom || hi.oom)
				doc_cell(d, false, "?");
			else if (t->cols[c].range && s.n > 1 && strcmp(lo.s, hi.s))
				doc_cell(d, false, "%s-%s", lo.s, hi.s); /* as they read */
			else
				doc_cell(d, false, "%s", lo.s);
			strbuf_free(&lo);
			strbuf_free(&hi);
		}
	}
	doc_table_end(d);
}

/* Row @r's sentence into @b, if it is said; whether it was. */
static bool say_row(struct strbuf *b, const struct finding *r, const struct finding_run *runs,
		    size_t n, const struct findings_sink *sink)
{
	struct row_values rv;

	if (!said(r, runs, n, sink, &rv))
		return false;
	fill(b, &rv, r->text ? r->text : "");
	for (size_t p = 0; p < sizeof(r->more) / sizeof(r->more[0]) && r->more[p].text; p++)
		if (holds(&rv, &r->more[p].when[0]) && holds(&rv, &r->more[p].when[1]))
			fill(b, &rv, r->more[p].text);
	return true;
}

size_t findings_say(const struct finding_run *runs, size_t n, const struct finding *rows,
		    size_t nrows, const struct findings_sink *sink)
{
	size_t written = 0;
	bool chain_said = false;

	for (size_t r = 0; r < nrows; r++) {
		struct strbuf b = { 0 };
		bool said_it;
		if (!rows[r].otherwise)
			chain_said = false;
		else if (chain_said)
			continue;
		if (rows[r].write) {
			rows[r].write(&b, sink->arg);
			said_it = false; /* a function's finding is no chain's */
		} else {
			said_it = say_row(&b, &rows[r], runs, n, sink);
		}
		if (!b.oom && b.s && b.s[0]) {
			sink->say(sink->to, b.s);
			written++;
		}
		strbuf_free(&b);
		chain_said |= said_it;
	}
	return written;
}

static void say_para(void *to, const char *text)
{
	doc_para(to, "%s", text);
}

size_t findings_write(struct doc *d, const struct rundir *rds, size_t n,
		      const struct findings_table *t)
{
	struct finding_run *runs = calloc(n + 1, sizeof(*runs));
	const char **models = calloc(n + 1, sizeof(*models));
	const struct findings_sink sink = { .say = say_para, .to = d };
	size_t nm = 0, about = 0, written = 0;

	for (size_t i = 0; runs && i < n; i++)
		runs[i] = (struct finding_run){ .run = rds[i].run,
						.model = rundir_str(&rds[i], MK_MODEL, NULL),
						.label = rds[i].path };
	if (runs && models)
		nm = models_of(runs, n, models);
	for (size_t r = 0; runs && r < t->nrows; r++)
		for (size_t i = 0; i < n && !about; i++)
			about += is_model(&runs[i], t->rows[r].model);
	if (about) {
		doc_heading(d, t->heading);
		summary_table(d, runs, n, t, models, nm);
		written = findings_say(runs, n, t->rows, t->nrows, &sink);
	}
	free(runs);
	free(models);
	return written;
}
