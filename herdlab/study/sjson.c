/* SPDX-License-Identifier: MIT */
/*
 * sjson.c - study.json, written and read back by one module (study.h).
 *
 *	study       when and how it ran: mode, repeats, duration, complete (and
 *	            if not, why), the machine, the kernel, herdlab's version and
 *	            the options its herdlab run had
 *	experiments each with its cells: parameters (the herdlab run arguments),
 *	            repeats (run directories relative to study.json, traced,
 *	            complete or why not, seconds), why a cell was skipped, and
 *	            the numbers of every key its experiment reads (median, min,
 *	            max over the repeats); then, once the pages are made, their
 *	            tables and ours, and every sentence with the numbers it quotes
 *	claims      each claim, its value and theirs, its rule and its verdict
 *
 * It is written after every cell (so an interrupted study says how far it got)
 * and again with the pages. --report-only reads the mode and the options back,
 * makes the same cells, and finds each repeat's run.json where it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "log.h"
#include "path.h"
#include "study/study.h"
#include "version.h"

/* Add @key's numbers over @c's repeats to @nums (once per key). */
static void add_num(json_t *nums, const struct study_cell *c, const char *key)
{
	if (!key || json_object_get(nums, key))
		return;
	struct study_num n = study_cell_num(c, &(struct finding_metric){ .key = key });
	if (!n.n)
		return;
	json_object_set_new(nums, key,
			    json_pack("{s:f,s:f,s:f,s:i,s:b}", "median", n.med, "min", n.lo, "max",
				      n.hi, "n", n.n, "traced", n.traced));
}

static void add_metric(json_t *nums, const struct study_cell *c, const struct finding_metric *m)
{
	add_num(nums, c, m->key);
	add_num(nums, c, m->per);
	for (int i = 0; i < 2; i++) {
		add_num(nums, c, m->plus[i]);
		add_num(nums, c, m->minus[i]);
	}
}

/* Every key @c's experiment reads: its tables', its claims', its explanations'. */
static json_t *cell_numbers(const struct study_cell *c)
{
	const struct study_experiment *e = c->exp;
	json_t *nums = json_object();

	for (size_t t = 0; t < e->ntables; t++) {
		add_metric(nums, c, &e->tables[t].m);
		for (int k = 0; k < STUDY_MAX_COLS; k++)
			add_num(nums, c, e->tables[t].colkey[k]);
	}
	for (size_t i = 0; i < nstudy_claims; i++)
		if (!strcmp(study_claims[i].exp, e->id)) {
			add_metric(nums, c, &study_claims[i].ours.m);
			add_metric(nums, c, &study_claims[i].ours.over_m);
		}
	for (size_t w = 0; w < e->why->n; w++)
		for (size_t r = 0; r < e->why->w[w].nrows; r++)
			for (int m = 0; m < 3; m++)
				add_metric(nums, c, &e->why->w[w].rows[r].m[m]);
	return nums;
}

static json_t *cell_json(const struct study *s, const struct study_cell *c)
{
	json_t *args = json_array(), *reps = json_array();
	size_t outlen = strlen(s->out);

	for (int i = 0; i < c->nwords; i++)
		json_array_append_new(args, json_string(c->words[i]));
	for (int r = 0; r < c->reps && !c->skip[0]; r++) {
		const struct study_rep *rep = &c->rep[r];
		if (!rep->dir[0])
			continue;
		const char *rel = !strncmp(rep->dir, s->out, outlen) && rep->dir[outlen] == '/'
					  ? rep->dir + outlen + 1
					  : rep->dir;
		json_array_append_new(reps, json_pack("{s:s,s:b,s:b,s:b,s:s,s:f}", "dir", rel,
						      "traced", rep->traced, "ran", rep->ran,
						      "complete", rep->complete, "reason",
						      rep->reason, "seconds", rep->seconds));
	}
	json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:o,s:i,s:o}", "id", c->id, "label", c->label,
			      "variant", c->variant->label, "model", c->variant->model, "args",
			      args, "repeats", c->skip[0] ? 0 : c->reps, "reps", reps);
	if (c->skip[0])
		json_object_set_new(j, "skipped", json_string(c->skip));
	if (c->note[0])
		json_object_set_new(j, "note", json_string(c->note));
	json_object_set_new(j, "numbers", cell_numbers(c));
	return j;
}

int sjson_save(const struct study *s, json_t *results)
{
	json_t *exps = json_array(), *root, *rx = json_object_get(results, "experiments");
	char path[PATH_MAX + 16];

	for (size_t i = 0; i < nstudy_experiments; i++) {
		const struct study_experiment *e = &study_experiments[i];
		if (!study_wanted(s, e->id))
			continue;
		json_t *cells = json_array();
		for (size_t c = 0; c < s->ncells; c++)
			if (s->cells[c].exp == e)
				json_array_append_new(cells, cell_json(s, &s->cells[c]));
		json_t *x = json_pack("{s:s,s:s,s:s,s:o}", "id", e->id, "doc", e->doc, "title",
				      e->title, "cells", cells);
		json_object_update(x, json_object_get(rx, e->id));
		json_array_append_new(exps, x);
	}
	root = json_pack("{s:{s:s,s:f,s:s,s:i,s:s?,s:b,s:s,s:s,s:s,s:s},s:o}", "study", "started",
			 s->started, "duration_s", s->duration_s, "mode",
			 s->quick ? "quick" : "full", "repeat", s->repeat, "only", s->only,
			 "complete", s->complete, "incomplete_reason", s->incomplete, "machine",
			 s->machine, "kernel", s->kernel, "herdlab_version", herdlab_version,
			 "experiments", exps);
	if (!root)
		return -1;
	json_object_set_new(json_object_get(root, "study"), "options", json_string(s->options));
	if (json_object_get(results, "claims"))
		json_object_set(root, "claims", json_object_get(results, "claims"));
	if (path_fmt(path, sizeof(path), "%s/study.json", s->out) < 0 || jsonio_save(root, path)) {
		log_warn("cannot write %s/study.json: %m", s->out);
		json_decref(root);
		return -1;
	}
	json_decref(root);
	return 0;
}

/* Fill the cells made again from the mode with their repeats from study.json's @exps. */
static void load_reps(struct study *s, json_t *exps)
{
	size_t i, j, k;
	json_t *x, *cj, *rj;

	json_array_foreach(exps, i, x)
	{
		const struct study_experiment *e =
			study_experiment_find(json_string_value(json_object_get(x, "id")));
		json_array_foreach(json_object_get(x, "cells"), j, cj)
		{
			struct study_cell *c = (struct study_cell *)study_cell_find(
				s, e, json_string_value(json_object_get(cj, "id")));
			if (!c)
				continue;
			json_array_foreach(json_object_get(cj, "reps"), k, rj)
			{
				if ((int)k >= c->reps || k >= STUDY_MAX_REPS)
					break;
				const char *dir = json_string_value(json_object_get(rj, "dir"));
				const char *why = json_string_value(json_object_get(rj, "reason"));
				if (!dir || path_fmt(c->rep[k].dir, sizeof(c->rep[k].dir), "%s%s%s",
						     dir[0] == '/' ? "" : s->out,
						     dir[0] == '/' ? "" : "/", dir) < 0)
					continue;
				snprintf(c->rep[k].reason, sizeof(c->rep[k].reason), "%s",
					 why ? why : "");
				c->rep[k].seconds =
					json_number_value(json_object_get(rj, "seconds"));
				study_load_rep(c, (int)k);
			}
			const char *skip = json_string_value(json_object_get(cj, "skipped"));
			if (skip)
				snprintf(c->skip, sizeof(c->skip), "%s", skip);
		}
	}
}

int sjson_load(struct study *s, const char *dir)
{
	char path[PATH_MAX + 16];
	json_error_t err;
	json_t *root, *st;

	if (path_fmt(path, sizeof(path), "%s/study.json", dir) < 0 ||
	    !(root = json_load_file(path, 0, &err))) {
		log_warn("cannot read %s/study.json: %s", dir, err.text);
		return -1;
	}
	st = json_object_get(root, "study");
	s->quick = !strcmp(json_string_value(json_object_get(st, "mode")) ?: "", "quick");
	s->repeat = (int)json_integer_value(json_object_get(st, "repeat"));
	if (s->repeat < 1 || s->repeat > STUDY_MAX_REPS)
		s->repeat = s->quick ? 1 : 3;
	static char only_buf[512]; /* --only as the study was run, for the life of the command */
	const char *only = json_string_value(json_object_get(st, "only"));
	snprintf(only_buf, sizeof(only_buf), "%s", only ? only : "");
	s->only = only ? only_buf : NULL;
	snprintf(s->started, sizeof(s->started), "%s",
		 json_string_value(json_object_get(st, "started")) ?: "");
	snprintf(s->options, sizeof(s->options), "%s",
		 json_string_value(json_object_get(st, "options")) ?: " ");
	snprintf(s->incomplete, sizeof(s->incomplete), "%s",
		 json_string_value(json_object_get(st, "incomplete_reason")) ?: "");
	s->complete = json_is_true(json_object_get(st, "complete"));
	s->duration_s = json_number_value(json_object_get(st, "duration_s"));
	snprintf(s->out, sizeof(s->out), "%s", dir);
	int rc = study_cells(s);
	if (rc == 0)
		load_reps(s, json_object_get(root, "experiments"));
	json_decref(root);
	return rc;
}
