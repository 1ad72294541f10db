/* SPDX-License-Identifier: MIT */
/*
 * numbers.c - the study's numbers (study.h): a run's value by key, a cell's
 * median and range over its repeats, a claim's value from its cells, theirs
 * from their table.
 *
 * A run is its run.json as herdlab run wrote it, and every key the study
 * names is run.json's full path ("trace.accept.wakeups_per_accept",
 * "cost.server.cpu_ns", "tcp.netstat.ListenOverflows"): the key a sentence
 * quotes is where a reader finds the number.
 *
 * CPU and time come from the untraced repeats when there are any (the tracer
 * costs CPU); what only the tracer measures comes from the traced repeat.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "metrics/statistics.h"
#include "study/study.h"

json_t *study_view(json_t *run)
{
	return json_incref(run);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median, lowest and highest of @v[0..n) (sorted in place). */
static void summarize(double *v, int n, struct study_num *out)
{
	out->n = n;
	if (!n) {
		out->med = out->lo = out->hi = NAN;
		return;
	}
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	out->lo = v[0];
	out->hi = v[n - 1];
	out->med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct study_num study_cell_num(const struct study_cell *c, const struct finding_metric *m)
{
	double untraced[STUDY_MAX_REPS], traced[STUDY_MAX_REPS];
	int nu = 0, nt = 0;
	struct study_num out = { 0 };

	for (int r = 0; m->key && r < c->reps && r < STUDY_MAX_REPS; r++) {
		double v = c->rep[r].view ? finding_value(c->rep[r].view, m) : NAN;
		if (isnan(v) || isinf(v))
			continue;
		if (c->rep[r].traced)
			traced[nt++] = v;
		else
			untraced[nu++] = v;
	}
	if (nu)
		summarize(untraced, nu, &out);
	else
		summarize(traced, nt, &out);
	out.traced = !nu && nt;
	return out;
}

const struct study_cell *study_cell_find(const struct study *s, const struct study_experiment *e,
					 const char *id)
{
	for (size_t i = 0; id && i < s->ncells; i++)
		if (s->cells[i].exp == e && !strcmp(s->cells[i].id, id))
			return &s->cells[i];
	return NULL;
}

/* Why @pattern's cells give no value of @m, into @needs (if it is still empty). */
static void say_missing(const struct study *s, const struct study_experiment *e,
			const char *pattern, const struct finding_metric *m, char *needs,
			size_t len)
{
	bool any = false;

	if (!needs || !len || needs[0])
		return;
	for (size_t i = 0; i < s->ncells; i++) {
		const struct study_cell *c = &s->cells[i];
		if (c->exp != e || fnmatch(pattern, c->id, 0))
			continue;
		any = true;
		if (c->skip[0]) {
			snprintf(needs, len, "cell %s, skipped: %s", c->id, c->skip);
			return;
		}
	}
	if (!any)
		snprintf(needs, len, "cell %s, not in this study (%s)", pattern,
			 s->quick ? "not in --quick" : "not run");
	else
		snprintf(needs, len, "%s%s%s in %s", m->key, m->per ? " per " : "",
			 m->per ? m->per : "", pattern);
}

/* The largest median of @m over the cells of @e matching @pattern; NAN if none. */
static double cells_value(const struct study *s, const struct study_experiment *e,
			  const char *pattern, const struct finding_metric *m, char *needs,
			  size_t len)
{
	double best = NAN;

	for (size_t i = 0; i < s->ncells; i++) {
		const struct study_cell *c = &s->cells[i];
		if (c->exp != e || fnmatch(pattern, c->id, 0))
			continue;
		struct study_num n = study_cell_num(c, m);
		if (n.n && (isnan(best) || n.med > best))
			best = n.med;
	}
	if (isnan(best))
		say_missing(s, e, pattern, m, needs, len);
	return best;
}

double study_value_of(const struct study *s, const struct study_experiment *e,
		      const struct study_value *v, char *needs, size_t len)
{
	double x = cells_value(s, e, v->cell, &v->m, needs, len);

	if (v->minus)
		x -= cells_value(s, e, v->minus, &v->m, needs, len);
	if (v->over) {
		const struct finding_metric *om = v->over_m.key ? &v->over_m : &v->m;
		double y = cells_value(s, e, v->over, om, needs, len);
		if (v->minus)
			y -= cells_value(s, e, v->minus, om, needs, len);
		if (!(y > 0)) {
			if (needs && len && !needs[0] && !isnan(y))
				snprintf(needs, len, "a positive %s in %s", om->key, v->over);
			return NAN;
		}
		x /= y;
	}
	return x;
}

double seed_value_of(const struct seed_value *v)
{
	const struct seed_table *t = seed_table_find(v->table);
	double x = seed_value(t, v->row, v->col);

	if (v->over_row) {
		double y = seed_value(t, v->over_row, v->over_col);
		x = y > 0 ? x / y : NAN;
	}
	return x * (v->scale ? v->scale : 1);
}

/* In @obj (a copy of one repeat's view), each number the untraced repeats also have, at
 * the dotted @path, becomes their median. */
static void medians_into(json_t *obj, const struct study_cell *c, char *path, size_t len)
{
	const char *k;
	json_t *v;
	size_t at = strlen(path);

	json_object_foreach(obj, k, v)
	{
		if (snprintf(path + at, len - at, "%s%s", at ? "." : "", k) >= (int)(len - at))
			continue;
		if (json_is_object(v)) {
			medians_into(v, c, path, len);
		} else if (json_is_number(v)) {
			double u[STUDY_MAX_REPS];
			int n = 0;
			for (int r = 0; r < c->reps && r < STUDY_MAX_REPS; r++) {
				json_t *j = c->rep[r].traced || !c->rep[r].view
						    ? NULL
						    : jsonio_get_path(c->rep[r].view, path);
				if (json_is_number(j))
					u[n++] = json_number_value(j);
			}
			struct study_num sn;
			summarize(u, n, &sn);
			if (n)
				json_object_set_new(obj, k, json_real(sn.med));
		}
	}
	path[at] = '\0';
}

json_t *study_cell_view(const struct study_cell *c)
{
	const struct study_rep *base = NULL;
	char path[512] = "";

	for (int r = 0; r < c->reps && r < STUDY_MAX_REPS && !base; r++)
		if (c->rep[r].view && c->rep[r].traced)
			base = &c->rep[r];
	for (int r = 0; r < c->reps && r < STUDY_MAX_REPS && !base; r++)
		if (c->rep[r].view)
			base = &c->rep[r];
	if (!base)
		return NULL;
	json_t *v = json_deep_copy(base->view);
	if (v)
		medians_into(v, c, path, sizeof(path));
	return v;
}
