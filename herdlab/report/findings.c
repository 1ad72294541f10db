/* SPDX-License-Identifier: MIT */
/*
 * findings.c - the findings engine (findings.h): a table of rows evaluated
 * over a set of runs, and their templates filled with the numbers.
 *
 * A slot's values are gathered run by run from run.json (finding_value), over
 * the runs of the row's model; a bound is on one statistic of one slot; a
 * template is copied with each {placeholder} replaced by a number formatted as
 * its metric says. Nothing here names a model or a metric: those are the
 * tables' (herd_findings.c), so that a sentence cannot state a number the
 * runs do not hold, and a new finding is a new row.
 */
#include "report/findings.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/keys.h"
#include "vec.h"

#define NSLOTS	  3
#define NAME_MAX_ 24 /* a placeholder's name, "a.values" */

double finding_value(const struct rundir *rd, const struct finding_metric *m)
{
	double v = rundir_num(rd, m->key);

	for (int i = 0; i < 2; i++) {
		if (m->plus[i])
			v += rundir_num(rd, m->plus[i]);
		if (m->minus[i])
			v -= rundir_num(rd, m->minus[i]);
	}
	if (m->per) {
		double per = rundir_num(rd, m->per);
		v = per > 0 ? v / per : NAN;
	}
	return v * (m->scale ? m->scale : 1);
}

/* A slot's statistics over the runs of one model. */
struct stats {
	size_t n; /* runs with a value */
	double mean, lo, hi;
};

static bool is_model(const struct rundir *rd, const char *model)
{
	return model && !strcmp(rundir_str(rd, MK_MODEL, ""), model);
}

static struct stats stats_of(const struct rundir *runs, size_t n, const char *model,
			     const struct finding_metric *m)
{
	struct stats s = { 0, NAN, INFINITY, -INFINITY };
	double sum = 0;

	for (size_t i = 0; m->key && i < n; i++) {
		double v = is_model(&runs[i], model) ? finding_value(&runs[i], m) : NAN;
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
	const struct rundir *runs;
	size_t n;
};

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

/* Every run's value of @slot, in order, "0.458, 0.286". */
static void put_values(struct strbuf *b, const struct row_values *rv, int slot)
{
	const struct finding_metric *m = &rv->row->m[slot];
	bool first = true;

	for (size_t i = 0; i < rv->n; i++) {
		double v = is_model(&rv->runs[i], rv->row->model) ? finding_value(&rv->runs[i], m)
								  : NAN;
		if (isnan(v))
			continue;
		strbuf_addf(b, "%s", first ? "" : ", ");
		put_value(b, m, v);
		first = false;
	}
}

/* One placeholder, @name ("model", "a", "b.values"); false when it is not one. */
static bool put_placeholder(struct strbuf *b, const struct row_values *rv, const char *name)
{
	static const struct {
		const char *suffix;
		int stat; /* enum finding_stat, or -1: the values, -2: @than's mean */
	} suffixes[] = {
		{ "", FS_MEAN },      { ".lo", FS_LO },	 { ".hi", FS_HI }, { ".n", FS_N },
		{ ".over", FS_OVER }, { ".values", -1 }, { ".than", -2 },
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
		if (suffixes[i].stat == -1)
			put_values(b, rv, slot);
		else if (suffixes[i].stat == -2)
			put_value(b, &rv->row->m[slot], rv->than[slot].mean);
		else if (suffixes[i].stat == FS_N)
			strbuf_addf(b, "%zu", rv->s[slot].n);
		else if (suffixes[i].stat == FS_OVER)
			strbuf_addf(b, "%.1f", stat(rv, slot, FS_OVER));
		else
			put_value(b, &rv->row->m[slot], stat(rv, slot, suffixes[i].stat));
		return true;
	}
	return false;
}

/* The row's template with its placeholders filled; an unknown one is left as it is. */
static void fill(struct strbuf *b, const struct row_values *rv)
{
	for (const char *t = rv->row->text; *t;) {
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
static bool said(const struct finding *row, const struct rundir *runs, size_t n,
		 struct row_values *rv)
{
	*rv = (struct row_values){ .row = row, .runs = runs, .n = n };
	for (int s = 0; s < NSLOTS; s++) {
		rv->s[s] = stats_of(runs, n, row->model, &row->m[s]);
		rv->than[s] = stats_of(runs, n, row->than, &row->m[s]);
		if (row->m[s].key && (!rv->s[s].n || (row->than && !rv->than[s].n)))
			return false;
	}
	return holds(rv, &row->when[0]) && holds(rv, &row->when[1]);
}

/* The distinct models of @runs, in the order they first appear (borrowed strings). */
static size_t models_of(const struct rundir *runs, size_t n, const char **out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const char *m = rundir_str(&runs[i], MK_MODEL, "?");
		size_t j = 0;
		while (j < k && strcmp(out[j], m))
			j++;
		if (j == k)
			out[k++] = m;
	}
	return k;
}

/* One row per model: how many runs, and each column's mean (or range). */
static void summary_table(struct doc *d, const struct rundir *runs, size_t n,
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

size_t findings_write(struct doc *d, const struct rundir *runs, size_t n,
		      const struct findings_table *t)
{
	const char **models = calloc(n + 1, sizeof(*models));
	size_t nm = models ? models_of(runs, n, models) : 0, about = 0, written = 0;
	bool chain_said = false;

	for (size_t r = 0; r < t->nrows; r++)
		for (size_t i = 0; i < n && !about; i++)
			about += is_model(&runs[i], t->rows[r].model);
	if (!about) {
		free(models);
		return 0;
	}
	doc_heading(d, t->heading);
	summary_table(d, runs, n, t, models, nm);
	for (size_t r = 0; r < t->nrows; r++) {
		struct row_values rv;
		if (!t->rows[r].otherwise)
			chain_said = false;
		else if (chain_said)
			continue;
		if (!said(&t->rows[r], runs, n, &rv))
			continue;
		struct strbuf b = { 0 };
		fill(&b, &rv);
		if (!b.oom && b.s)
			doc_para(d, "%s", b.s);
		strbuf_free(&b);
		chain_said = true;
		written++;
	}
	free(models);
	return written;
}
