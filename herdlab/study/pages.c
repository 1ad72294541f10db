/* SPDX-License-Identifier: MIT */
/*
 * pages.c - the study's pages (study.h): README.md, one page per experiment
 * (EXPERIMENT.md and a self-contained EXPERIMENT.html, both from one series of
 * doc.c calls), and study.json with everything they show.
 *
 * README.md says what ran (machine, kernel, mode, duration, complete or not)
 * and lists every claim with its verdict, computed from the thresholds stated
 * beside it, each linking to its page. A page gives the document and its
 * environment, how the cells ran here (the skipped ones with the reason),
 * their tables and ours (tables.c), its claims, the explanations (why.c's rows
 * through the findings engine: every sentence chosen and filled from the
 * numbers, its quoted numbers kept in study.json beside it), what differs
 * between their setup and ours, and the command that reruns one cell.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "path.h"
#include "report/outfile.h"
#include "study/pages.h"

/* ---- claims ------------------------------------------------------------------------------- */

static void put_num(struct strbuf *b, double v)
{
	if (isnan(v))
		strbuf_addf(b, "-");
	else
		strbuf_addf(b, "%.3g", v);
}

/* Every claim of the experiments run, evaluated, as study.json's "claims". */
static json_t *claims_json(const struct study *s)
{
	json_t *all = json_array();

	for (size_t i = 0; i < nstudy_claims; i++) {
		const struct study_claim *c = &study_claims[i];
		const struct study_experiment *e = study_experiment_find(c->exp);
		char needs[320] = "", rule[96];
		if (!e || !study_wanted(s, e->id))
			continue;
		double ours = study_value_of(s, e, &c->ours, needs, sizeof(needs));
		double theirs = seed_value_of(&c->theirs);
		enum verdict v = verdict_of(&c->rule, ours);
		verdict_rule_str(&c->rule, rule, sizeof(rule));
		json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "id", c->id, "experiment",
				      c->exp, "claim", c->text, "measure", c->measure, "rule", rule,
				      "verdict", verdict_name[v]);
		json_object_set_new(j, "ours", isnan(ours) ? json_null() : json_real(ours));
		json_object_set_new(j, "theirs", isnan(theirs) ? json_null() : json_real(theirs));
		if (v == V_NOT_MEASURED)
			json_object_set_new(j, "needs", json_string(needs));
		json_array_append_new(all, j);
	}
	return all;
}

/* The claims of @e as a table: claim, theirs, ours, rule, verdict. */
static void claims_table(struct doc *d, json_t *claims, const char *exp, const char *link)
{
	size_t i;
	json_t *c;

	doc_table(d, "lrrll", "claim", "theirs", "ours", "rule", "verdict");
	json_array_foreach(claims, i, c)
	{
		const char *ce = json_string_value(json_object_get(c, "experiment"));
		if (exp && strcmp(ce, exp))
			continue;
		struct strbuf t = { 0 }, o = { 0 }, v = { 0 };
		put_num(&t, json_is_number(json_object_get(c, "theirs"))
				    ? json_number_value(json_object_get(c, "theirs"))
				    : NAN);
		put_num(&o, json_is_number(json_object_get(c, "ours"))
				    ? json_number_value(json_object_get(c, "ours"))
				    : NAN);
		strbuf_addf(&v, "%s", json_string_value(json_object_get(c, "verdict")));
		if (json_object_get(c, "needs"))
			strbuf_addf(&v, " (needs %s)",
				    json_string_value(json_object_get(c, "needs")));
		if (link)
			doc_cell(d, false, "[%s](%s.md#claims): %s",
				 json_string_value(json_object_get(c, "claim")), ce,
				 json_string_value(json_object_get(c, "measure")));
		else
			doc_cell(d, false, "%s: %s", json_string_value(json_object_get(c, "claim")),
				 json_string_value(json_object_get(c, "measure")));
		doc_cell(d, false, "%s", t.s);
		doc_cell(d, false, "%s", o.s);
		doc_cell(d, false, "%s", json_string_value(json_object_get(c, "rule")));
		doc_cell(d, false, "%s", v.s);
		strbuf_free(&t);
		strbuf_free(&o);
		strbuf_free(&v);
	}
	doc_table_end(d);
}

/* ---- explanations --------------------------------------------------------------------------- */

/* @keys (up to two, NULL-padded) as @q's array @name, when there are any. */
static void quote_keys(json_t *q, const char *name, const char *const keys[2])
{
	json_t *a = json_array();

	for (int i = 0; i < 2; i++)
		if (keys[i])
			json_array_append_new(a, json_string(keys[i]));
	if (json_array_size(a))
		json_object_set_new(q, name, a);
	else
		json_decref(a);
}

static void on_quote(void *to, const struct finding_metric *m, double v, const char *shown)
{
	struct page *p = to;

	if (!p->pending)
		return;
	json_t *q = json_pack("{s:s?,s:s?,s:f,s:s}", "key", m->key, "per", m->per, "value", v,
			      "shown", shown);
	/* the keys added to it and taken from it, so that each key a sentence names is here */
	quote_keys(q, "plus", m->plus);
	quote_keys(q, "minus", m->minus);
	json_array_append_new(p->pending, q);
}

static void on_say(void *to, const char *text)
{
	struct page *p = to;

	doc_para(p->d, "%s", text);
	if (p->sentences && p->pending)
		json_array_append_new(p->sentences,
				      json_pack("{s:s,s:s,s:o}", "section", p->section, "text",
						text, "numbers", p->pending));
	else
		json_decref(p->pending);
	p->pending = json_array(); /* the next sentence's */
}

/* One explanation section over the runs of its cells. */
static void page_why(struct page *p, const struct study_why *w)
{
	struct finding_run runs[512];
	size_t n = 0;

	for (size_t i = 0; i < p->s->ncells && n < sizeof(runs) / sizeof(runs[0]); i++) {
		const struct study_cell *c = &p->s->cells[i];
		if (c->exp != p->e || fnmatch(w->cells, c->id, 0))
			continue;
		json_t *v = study_cell_view(c);
		if (v)
			runs[n++] = (struct finding_run){ v, c->variant->label, c->label };
	}
	doc_heading(p->d, w->heading);
	p->section = w->heading;
	p->pending = json_array();
	size_t said =
		findings_say(runs, n, w->rows, w->nrows,
			     &(struct findings_sink){ .say = on_say, .to = p, .quote = on_quote });
	if (!said)
		doc_para(p->d,
			 "Nothing to say: none of the cells %s ran with the numbers these "
			 "sentences need.",
			 w->cells);
	json_decref(p->pending);
	p->pending = NULL;
	for (size_t i = 0; i < n; i++)
		json_decref(runs[i].run);
}

/* ---- a page --------------------------------------------------------------------------------- */

/* How the cells ran: counts, skipped cells with the reason, options left out. */
static void page_cells(struct page *p)
{
	int ncells = 0, runs = 0, failed = 0, skipped = 0;

	for (size_t i = 0; i < p->s->ncells; i++) {
		const struct study_cell *c = &p->s->cells[i];
		if (c->exp != p->e)
			continue;
		ncells++;
		skipped += c->skip[0] != 0;
		for (int r = 0; r < c->reps && !c->skip[0]; r++) {
			runs += c->rep[r].ran;
			failed += c->rep[r].dir[0] && !c->rep[r].complete;
		}
	}
	doc_para(p->d,
		 "%d cells (%s mode), %d runs; the first repeat of each cell is traced, the others "
		 "untraced (their medians are the CPU and time figures). %d runs incomplete, %d "
		 "cells skipped.",
		 ncells, p->s->quick ? "--quick" : "full", runs, failed, skipped);
	for (size_t i = 0; i < p->s->ncells; i++) {
		const struct study_cell *c = &p->s->cells[i];
		if (c->exp != p->e)
			continue;
		if (c->skip[0])
			doc_para(p->d, "- Skipped %s: %s.", c->id, c->skip);
		else if (c->note[0])
			doc_para(p->d, "- %s %s.", c->id, c->note);
		for (int r = 0; r < c->reps && !c->skip[0]; r++)
			if (c->rep[r].dir[0] && !c->rep[r].complete)
				doc_para(p->d, "- %s rep-%d incomplete: %s.", c->id, r + 1,
					 c->rep[r].reason[0] ? c->rep[r].reason : "not run");
	}
}

static void page_body(struct page *p, json_t *claims)
{
	const struct seed_doc *sd = seed_doc_find(p->e->doc);
	char cmd[2048] = "";

	doc_para(p->d, "Source: `%s`, %s. Their environment: %s.", p->e->doc, sd ? sd->title : "?",
		 sd ? sd->env : "?");
	doc_para(p->d, "What it set out to show: %s.", p->e->claim);
	doc_heading(p->d, "How it ran here");
	page_cells(p);
	doc_heading(p->d, "Their tables and ours");
	for (size_t t = 0; t < p->e->ntables; t++)
		page_table(p, &p->e->tables[t], (int)t);
	doc_heading(p->d, "Claims");
	claims_table(p->d, claims, p->e->id, NULL);
	for (size_t w = 0; w < p->e->why->n; w++)
		page_why(p, &p->e->why->w[w]);
	doc_heading(p->d, "What differs between their setup and ours");
	doc_para(p->d, "%s", p->e->differs);
	doc_heading(p->d, "Rerun one cell");
	for (size_t i = 0; i < p->s->ncells && !cmd[0]; i++)
		if (p->s->cells[i].exp == p->e && !p->s->cells[i].skip[0])
			study_cell_command(p->s, &p->s->cells[i], cmd, sizeof(cmd));
	doc_para(p->d,
		 "`%s` (each cell's command is in study.json; `herdlab study --only %s` "
		 "reruns the experiment).",
		 cmd, p->e->id);
}

/* The page of @e in @fmt; its tables and sentences into @rx when given. */
static int write_page(const struct study *s, const struct study_experiment *e, enum doc_format fmt,
		      json_t *claims, json_t *rx)
{
	char path[PATH_MAX];
	struct outfile of;

	if (path_fmt(path, sizeof(path), "%s/%s.%s", s->out, e->id, fmt == DOC_MD ? "md" : "html") <
		    0 ||
	    outfile_open(&of, path) < 0)
		return -1;
	struct page p = { .s = s, .e = e, .fmt = fmt, .d = doc_open(of.f, fmt, e->title) };
	if (rx) {
		p.results = json_array();
		p.sentences = json_array();
	}
	if (!p.d) {
		outfile_close(&of, false);
		return -1;
	}
	page_body(&p, claims);
	int rc = doc_close(p.d);
	if (rx) {
		json_object_set_new(rx, "tables", p.results);
		json_object_set_new(rx, "sentences", p.sentences);
	}
	return outfile_close(&of, rc == 0) < 0 || rc < 0 ? -1 : 0;
}

/* ---- README.md -------------------------------------------------------------------------------- */

static int write_readme(const struct study *s, json_t *claims)
{
	char path[PATH_MAX];
	struct outfile of;

	if (path_fmt(path, sizeof(path), "%s/README.md", s->out) < 0 || outfile_open(&of, path) < 0)
		return -1;
	struct doc *d =
		doc_open(of.f, DOC_MD, "The study: five documents' experiments, reproduced");
	if (!d) {
		outfile_close(&of, false);
		return -1;
	}
	doc_para(d, "`herdlab study` re-ran each source document's experiment as `herdlab run` "
		    "cells, put our numbers beside theirs and explained them with the kernel's "
		    "events.");
	doc_table(d, "ll", "", "");
	doc_cell(d, false, "machine");
	doc_cell(d, false, "%s", s->machine);
	doc_cell(d, false, "kernel");
	doc_cell(d, false, "%s", s->kernel);
	doc_cell(d, false, "mode");
	doc_cell(d, false, "%s, %d repeat%s per cell%s%s", s->quick ? "--quick" : "full", s->repeat,
		 s->repeat == 1 ? "" : "s", s->only ? ", --only " : "", s->only ? s->only : "");
	doc_cell(d, false, "started");
	doc_cell(d, false, "%s", s->started);
	doc_cell(d, false, "duration");
	doc_cell(d, false, "%.0f s", s->duration_s);
	doc_cell(d, false, "complete");
	doc_cell(d, false, "%s%s", s->complete ? "yes" : "no: ", s->complete ? "" : s->incomplete);
	doc_table_end(d);
	doc_heading(d, "Claims");
	doc_para(d, "Each claim is the document's; ours is one number from our cells, and the "
		    "verdict follows from the thresholds beside it (\"differs\": the effect is "
		    "there, of another size). Not measured: a key the run did not have yet, or a "
		    "cell that was skipped (its page says why).");
	claims_table(d, claims, NULL, "link");
	doc_heading(d, "Pages");
	for (size_t i = 0; i < nstudy_experiments; i++)
		if (study_wanted(s, study_experiments[i].id))
			doc_para(d, "- [%s](%s.md) ([html](%s.html)): `%s`",
				 study_experiments[i].title, study_experiments[i].id,
				 study_experiments[i].id, study_experiments[i].doc);
	doc_para(d, "Every cell's run directory is under cells/EXPERIMENT/CELL/rep-K; study.json "
		    "holds every cell, its parameters, run directories and numbers, the tables, "
		    "each sentence with the numbers it quotes, and the verdicts.");
	int rc = doc_close(d);
	return outfile_close(&of, rc == 0) < 0 || rc < 0 ? -1 : 0;
}

int study_pages(struct study *s)
{
	json_t *claims = claims_json(s), *exps = json_object();
	char figs[PATH_MAX];
	int rc = 0;

	if (path_fmt(figs, sizeof(figs), "%s/figures", s->out) == 0)
		files_mkdirs(figs, 0755);
	for (size_t i = 0; i < nstudy_experiments; i++) {
		const struct study_experiment *e = &study_experiments[i];
		json_t *rx = json_object();
		if (!study_wanted(s, e->id)) {
			json_decref(rx);
			continue;
		}
		rc |= write_page(s, e, DOC_MD, claims, rx);
		rc |= write_page(s, e, DOC_HTML, claims, NULL);
		json_object_set_new(exps, e->id, rx);
	}
	rc |= write_readme(s, claims);
	json_t *results = json_pack("{s:o,s:o}", "claims", claims, "experiments", exps);
	rc |= sjson_save(s, results);
	json_decref(results);
	return rc ? -1 : 0;
}
