/* SPDX-License-Identifier: MIT */
/*
 * tables.c - a page's tables (pages.h): theirs as the document gives it, ours
 * with the same rows and columns (the median over the repeats, and the range
 * when they differ), and how the two compare, with one figure per column.
 *
 * How they compare depends on what the numbers are: the same quantity in the
 * same unit gives the ratio ours / theirs; totals over a workload we cannot
 * repeat exactly (UNP's CPU, TLPI's loop) compare by shape, each value over
 * its column's first row or as a share of one row (fork's), on both sides.
 * Every number shown is also put into study.json's table, with the cell and
 * the key it came from.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "path.h"
#include "report/plot.h"
#include "study/pages.h"

/* @t with {row} and {col} replaced, into @out. */
static void fill2(const char *t, const char *row, const char *col, char *out, size_t len)
{
	size_t o = 0;

	for (; *t && o + 1 < len; t++) {
		const char *v = !strncmp(t, "{row}", 5)	  ? row
				: !strncmp(t, "{col}", 5) ? col
							  : NULL;
		if (!v) {
			out[o++] = *t;
			continue;
		}
		o += (size_t)snprintf(out + o, len - o, "%s", v);
		t += 4;
		if (o >= len)
			o = len - 1;
	}
	out[o] = '\0';
}

/* One number of ours: its cell, its key, and its median and range. */
struct ours {
	char cell[96];
	const struct study_cell *c; /* NULL: no such cell in this study */
	struct finding_metric m;
	struct study_num n;
};

static struct ours ours_at(const struct page *p, const struct study_table *t,
			   const struct seed_table *st, int i, int j)
{
	struct ours o = { .m = t->m };

	fill2(t->cell, t->rowcell[i] ? t->rowcell[i] : st->rows[i],
	      t->colcell[j] ? t->colcell[j] : st->cols[j], o.cell, sizeof(o.cell));
	if (t->colkey[j])
		o.m.key = t->colkey[j];
	o.c = study_cell_find(p->s, p->e, o.cell);
	if (o.c)
		o.n = study_cell_num(o.c, &o.m);
	if (o.n.n && t->minus) {
		const struct study_cell *b = study_cell_find(p->s, p->e, t->minus);
		struct study_num bn = b ? study_cell_num(b, &o.m) : (struct study_num){ 0 };
		if (!bn.n)
			o.n.n = 0;
		o.n.med -= bn.med;
		o.n.lo -= bn.med;
		o.n.hi -= bn.med;
	}
	return o;
}

static int row_index(const struct seed_table *st, const char *label)
{
	for (int i = 0; label && i < STUDY_MAX_ROWS && st->rows[i]; i++)
		if (!strcmp(st->rows[i], label))
			return i;
	return -1;
}

/* The row each value of column @j is compared to: @t->norm_row, or the first (shape). */
static int base_row(const struct study_table *t, const struct seed_table *st)
{
	return t->norm_row ? row_index(st, t->norm_row) : t->shape ? 0 : -1;
}

static int nrows(const struct seed_table *st)
{
	int n = 0;

	while (n < STUDY_MAX_ROWS && st->rows[n])
		n++;
	return n;
}

static int ncols(const struct seed_table *st)
{
	int n = 0;

	while (n < STUDY_MAX_COLS && st->cols[n])
		n++;
	return n;
}

/* A cell of ours, "-" when there is none, with the reason in one word. */
static void put_ours(struct doc *d, const struct ours *o, struct strbuf *b)
{
	if (o->n.n) {
		const char *u = o->m.unit ? o->m.unit : "";
		strbuf_addf(b, "%.*f%s", o->m.prec, o->n.med, u);
		if (o->n.n > 1 && fabs(o->n.hi - o->n.lo) * pow(10, o->m.prec) >= 1)
			strbuf_addf(b, " (%.*f-%.*f)", o->m.prec, o->n.lo, o->m.prec, o->n.hi);
	} else {
		strbuf_addf(b, "%s", !o->c ? "-" : o->c->skip[0] ? "skipped" : "not measured");
	}
	doc_cell(d, false, "%s", b->s ? b->s : "");
}

/* The heads: @first, then the columns' labels. */
static void table_start(struct doc *d, const struct seed_table *st, const char *first)
{
	const char *h[10] = { first };
	char align[12] = "l";
	int nc = ncols(st);

	for (int j = 0; j < nc && j < 9; j++) {
		h[j + 1] = st->cols[j];
		strcat(align, "r");
	}
	doc_table(d, align, h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9]);
}

/* Theirs over their base row (or ours over ours): NAN without one. */
static double over_base(double v, double base)
{
	return base > 0 || base < 0 ? v / base : NAN;
}

/* A shape: a share in percent, or times the first row's; "-" for none. */
static void put_shape(struct strbuf *b, double v, bool share)
{
	if (isnan(v))
		strbuf_addf(b, "-");
	else if (share)
		strbuf_addf(b, "%.0f%%", v * 100);
	else
		strbuf_addf(b, "%.2f", v);
}

/* The comparison of (@i, @j): the ratio, or both sides' shape. */
static void put_compare(struct doc *d, const struct study_table *t, const struct seed_table *st,
			const struct ours *o, const struct ours *ob, int i, int j, json_t *cj)
{
	int br = base_row(t, st);
	double theirs = st->v[i][j];

	if (br < 0) {
		double r = o->n.n && theirs > 0 ? o->n.med / theirs : NAN;
		if (isnan(r))
			doc_cell(d, false, "-");
		else
			doc_cell(d, false, "%.2f", r);
		if (!isnan(r))
			json_object_set_new(cj, "ratio", json_real(r));
		return;
	}
	double ts = over_base(theirs, st->v[br][j]);
	double os = o->n.n && ob->n.n ? over_base(o->n.med, ob->n.med) : NAN;
	struct strbuf b = { 0 };
	put_shape(&b, ts, t->norm_row != NULL);
	strbuf_addf(&b, " / ");
	put_shape(&b, os, t->norm_row != NULL);
	doc_cell(d, false, "%s", b.s ? b.s : "");
	strbuf_free(&b);
	if (!isnan(ts))
		json_object_set_new(cj, "theirs_shape", json_real(ts));
	if (!isnan(os))
		json_object_set_new(cj, "ours_shape", json_real(os));
}

/* Column @j as a figure: theirs and ours (or their shapes) by row. */
static void figure(const struct page *p, const struct study_table *t, const struct seed_table *st,
		   int ti, int j)
{
	int nr = nrows(st), br = base_row(t, st), both = 0;
	double v[2 * STUDY_MAX_ROWS];
	const char *groups[STUDY_MAX_ROWS], *series[2] = { "theirs", "ours" };
	char file[PATH_MAX], link[160], caption[320];

	for (int i = 0; i < nr; i++) {
		struct ours o = ours_at(p, t, st, i, j);
		struct ours ob = br >= 0 ? ours_at(p, t, st, br, j) : o;
		double th = st->v[i][j], ou = o.n.n ? o.n.med : NAN;
		if (br >= 0) {
			th = over_base(th, st->v[br][j]);
			ou = ob.n.n ? over_base(ou, ob.n.med) : NAN;
		}
		groups[i] = st->rows[i];
		v[2 * i] = th;
		v[2 * i + 1] = ou;
		both += !isnan(th) && !isnan(ou);
	}
	if (!both || p->fmt != DOC_MD) /* drawn once, for the first rendering */
		goto show;
	snprintf(link, sizeof(link), "figures/%s-%d-%d.svg", p->e->id, ti, j);
	if (path_fmt(file, sizeof(file), "%s/%s", p->s->out, link) < 0)
		return;
	plot_bars(file,
		  &(struct plot_axes){ .ylabel = br < 0	       ? st->caption
						 : t->norm_row ? "share of the base row"
							       : "over the first row",
				       .prec = 2 },
		  groups, (size_t)nr, series, 2, v);
show:
	if (!both)
		return;
	snprintf(link, sizeof(link), "figures/%s-%d-%d.svg", p->e->id, ti, j);
	if (path_fmt(file, sizeof(file), "%s/%s", p->s->out, link) < 0)
		return;
	snprintf(caption, sizeof(caption), "%s, %s: theirs beside ours%s", st->caption, st->cols[j],
		 br < 0	       ? ""
		 : t->norm_row ? " (as shares)"
			       : " (over the first row)");
	if (access(file, R_OK) == 0)
		doc_figure(p->d, file, link, caption);
}

void page_table(struct page *p, const struct study_table *t, int ti)
{
	const struct seed_table *st = seed_table_find(t->seed);
	json_t *tj, *cells = json_array();
	int nr, nc, br;

	if (!st) {
		log_warn("study: table %s has no seed", t->seed);
		return;
	}
	nr = nrows(st), nc = ncols(st), br = base_row(t, st);
	doc_para(p->d, "Table: %s. Theirs: %s (%s). Ours: %s.", st->caption, st->where, st->doc,
		 t->note);
	table_start(p->d, st, "theirs");
	for (int i = 0; i < nr; i++) {
		doc_cell(p->d, false, "%s", st->rows[i]);
		for (int j = 0; j < nc; j++)
			if (isnan(st->v[i][j]))
				doc_cell(p->d, false, "-");
			else
				doc_cell(p->d, false, "%.*f%s%s", st->prec, st->v[i][j],
					 st->unit[0] ? " " : "", st->unit);
	}
	doc_table_end(p->d);
	table_start(p->d, st, "ours");
	for (int i = 0; i < nr; i++) {
		doc_cell(p->d, false, "%s", st->rows[i]);
		for (int j = 0; j < nc; j++) {
			struct ours o = ours_at(p, t, st, i, j);
			struct strbuf b = { 0 };
			put_ours(p->d, &o, &b);
			strbuf_free(&b);
		}
	}
	doc_table_end(p->d);
	table_start(p->d, st,
		    br < 0	  ? "ours / theirs"
		    : t->norm_row ? "share: theirs / ours"
				  : "over row 1: theirs / ours");
	for (int i = 0; i < nr; i++) {
		doc_cell(p->d, false, "%s", st->rows[i]);
		for (int j = 0; j < nc; j++) {
			struct ours o = ours_at(p, t, st, i, j);
			struct ours ob = br >= 0 ? ours_at(p, t, st, br, j) : o;
			json_t *cj = json_pack("{s:s,s:s,s:s,s:s?}", "row", st->rows[i], "col",
					       st->cols[j], "cell", o.cell, "key", o.m.key);
			if (!isnan(st->v[i][j]))
				json_object_set_new(cj, "theirs", json_real(st->v[i][j]));
			if (o.n.n)
				json_object_set_new(cj, "ours",
						    json_pack("{s:f,s:f,s:f,s:i}", "median",
							      o.n.med, "min", o.n.lo, "max", o.n.hi,
							      "n", o.n.n));
			put_compare(p->d, t, st, &o, &ob, i, j, cj);
			json_array_append_new(cells, cj);
		}
	}
	doc_table_end(p->d);
	for (int j = 0; j < nc; j++)
		figure(p, t, st, ti, j);
	tj = json_pack("{s:s,s:s,s:s,s:s,s:o}", "seed", st->id, "caption", st->caption, "where",
		       st->where, "note", t->note, "cells", cells);
	if (p->results)
		json_array_append(p->results, tj);
	json_decref(tj);
}
