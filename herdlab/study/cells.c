/* SPDX-License-Identifier: MIT */
/*
 * cells.c - the study's cells, expanded from the experiments' groups (study.h),
 * and the options herdlab run has.
 *
 * A group's cells are its variants by its axes' values, axis values outer and
 * variants inner, so that the runner can rotate the variants of each block
 * from one repeat to the next. Each cell's id and arguments are the group's
 * templates with the placeholders filled: {label}, {model}, each axis by name,
 * the extras a value carries ("100M:n=1" gives {n}), and {x*y}, a product.
 *
 * Whether herdlab run has an option is read once from `herdlab run --help`
 * (which lists its own options, herdsrv's and herdload's). A cell that needs
 * an option herdlab run lacks is skipped with that reason; one that only
 * wants an observation (--waits, --netns) runs without it and says so.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "log.h"
#include "path.h"
#include "spawn.h"
#include "study/study.h"

#define MAX_PH 16 /* placeholders of one cell */

/* A cell's placeholders: names and values. */
struct dict {
	char name[MAX_PH][32];
	char value[MAX_PH][64];
	int n;
};

static void dict_set(struct dict *d, const char *name, size_t nlen, const char *value, size_t vlen)
{
	if (d->n >= MAX_PH)
		return;
	snprintf(d->name[d->n], sizeof(d->name[0]), "%.*s", (int)nlen, name);
	snprintf(d->value[d->n], sizeof(d->value[0]), "%.*s", (int)vlen, value);
	d->n++;
}

static const char *dict_get(const struct dict *d, const char *name)
{
	for (int i = d->n - 1; i >= 0; i--)
		if (!strcmp(d->name[i], name))
			return d->value[i];
	return NULL;
}

/* An axis value "100M:n=1:m=2" into @d: the value under the axis' name, then the extras. */
static void dict_axis(struct dict *d, const char *axis, const char *value, size_t len)
{
	const char *end = value + len, *colon = memchr(value, ':', len);

	dict_set(d, axis, strlen(axis), value, (size_t)((colon ? colon : end) - value));
	while (colon && colon < end) {
		const char *p = colon + 1, *eq = memchr(p, '=', (size_t)(end - p));
		colon = memchr(p, ':', (size_t)(end - p));
		const char *stop = colon ? colon : end;
		if (eq && eq < stop)
			dict_set(d, p, (size_t)(eq - p), eq + 1, (size_t)(stop - eq - 1));
	}
}

/* A factor of {x*y}: a placeholder's value or a number. */
static double factor(const struct dict *d, const char *name)
{
	const char *v = dict_get(d, name);

	return atof(v ? v : name);
}

/* @t with its placeholders filled into @out; -1 when one is unknown or it does not fit. */
static int expand(const struct dict *d, const char *t, char *out, size_t len)
{
	size_t o = 0;

	for (; *t; t++) {
		char name[64];
		const char *end = *t == '{' ? strchr(t, '}') : NULL;
		const char *v;
		char num[32];
		if (!end) {
			if (o + 1 >= len)
				return -1;
			out[o++] = *t;
			continue;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(end - t - 1), t + 1);
		char *star = strchr(name, '*');
		if (star) {
			*star = '\0';
			snprintf(num, sizeof(num), "%.0f", factor(d, name) * factor(d, star + 1));
			v = num;
		} else if (!(v = dict_get(d, name))) {
			log_warn("study: unknown placeholder {%s} in \"%s\"", name, t);
			return -1;
		}
		if (o + strlen(v) >= len)
			return -1;
		memcpy(out + o, v, strlen(v));
		o += strlen(v);
		t = end;
	}
	out[o] = '\0';
	return 0;
}

/* Append the words of @s (split on spaces) to @c's argument vector. */
static int add_words(struct study_cell *c, const char *s)
{
	while (s && *s) {
		while (*s == ' ')
			s++;
		size_t n = strcspn(s, " ");
		if (!n)
			break;
		char **w = realloc(c->words, (size_t)(c->nwords + 2) * sizeof(*w));
		if (!w)
			return -1;
		c->words = w;
		if (!(w[c->nwords] = strndup(s, n))) /* still NULL-terminated */
			return -1;
		w[++c->nwords] = NULL;
		s += n;
	}
	return 0;
}

bool study_has_option(const struct study *s, const char *opt)
{
	char word[80];

	snprintf(word, sizeof(word), " %s ", opt);
	return strstr(s->options, word) != NULL;
}

int study_ask_options(struct study *s)
{
	const char *tmp = getenv("TMPDIR");
	char path[PATH_MAX];
	size_t o = 1;

	if (path_fmt(path, sizeof(path), "%s/herdlab-study.XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0)
		return -1;
	int fd = mkstemp(path);
	if (fd < 0) {
		log_warn("cannot make a temporary file %s: %m", path);
		return -1;
	}
	int code = spawn_run(
		&(struct spawn){ .argv = (char *const[]){ s->self, "run", "--help", NULL },
				 .out_fd = fd },
		NULL);
	close(fd);
	char *text = files_read(path, NULL);
	unlink(path);
	if (code != 0 || !text) {
		log_warn("herdlab run --help did not say its options (exit %d)", code);
		free(text);
		return -1;
	}
	snprintf(s->options, sizeof(s->options), " ");
	for (char *p = text; (p = strstr(p, "--"));) {
		size_t n = 2;
		while (isalnum((unsigned char)p[n]) || p[n] == '-')
			n++;
		char word[80];
		snprintf(word, sizeof(word), " %.*s ", (int)(n < 70 ? n : 70), p);
		if (n > 2 && (p == text || !isalnum((unsigned char)p[-1])) &&
		    !strstr(s->options, word) && o + n + 2 < sizeof(s->options)) {
			snprintf(s->options + o, sizeof(s->options) - o, "%.*s ", (int)n, p);
			o += n + 1;
		}
		p += n;
	}
	free(text);
	return 0;
}

bool study_wanted(const struct study *s, const char *id)
{
	const char *p = s->only;
	size_t n = strlen(id);

	if (!p)
		return true;
	while ((p = strstr(p, id))) {
		if ((p == s->only || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

/* The observations that only the traced repeat is asked for. */
static bool traced_only(const char *opt)
{
	return !strcmp(opt, "--waits") || !strcmp(opt, "--profile") || !strcmp(opt, "--causes");
}

/* @c's --needs and --wants against what herdlab run has. */
static void check_options(const struct study *s, struct study_cell *c)
{
	const struct study_group *g = c->group;
	char opt[64];

	for (const char *p = g->needs; p && *p; p += strspn(p, " ")) {
		size_t n = strcspn(p, " ");
		snprintf(opt, sizeof(opt), "%.*s", (int)n, p);
		p += n;
		if (!study_has_option(s, opt) && !c->skip[0])
			snprintf(c->skip, sizeof(c->skip),
				 "herdlab run has no %s yet (its --help does not list it)", opt);
	}
	for (const char *p = g->wants; p && *p; p += strspn(p, " ")) {
		size_t n = strcspn(p, " ");
		snprintf(opt, sizeof(opt), "%.*s", (int)n, p);
		p += n;
		if (!study_has_option(s, opt)) {
			size_t at = strlen(c->note);
			snprintf(c->note + at, sizeof(c->note) - at,
				 "%sran without %s (herdlab run "
				 "has no such option yet)",
				 at ? "; " : "", opt);
		} else if (!traced_only(opt) && add_words(c, opt) < 0) {
			snprintf(c->skip, sizeof(c->skip), "out of memory");
		}
	}
}

/* One cell of group @g: variant @v at the axis values @vals[0..1] (lengths @lens). */
static int make_cell(struct study *s, const struct study_experiment *e, const struct study_group *g,
		     const struct study_variant *v, const char *const vals[2], const size_t lens[2])
{
	struct study_cell *cells = realloc(s->cells, (s->ncells + 1) * sizeof(*cells));
	struct dict d = { .n = 0 };
	char args[1024];

	if (!cells)
		return -1;
	s->cells = cells;
	struct study_cell *c = memset(&cells[s->ncells++], 0, sizeof(*c));
	c->exp = e;
	c->group = g;
	c->variant = v;
	c->reps = g->once ? 1 : s->repeat;
	dict_set(&d, "label", 5, v->label, strlen(v->label));
	dict_set(&d, "model", 5, v->model, strlen(v->model));
	for (int a = 0; a < 2; a++)
		if (g->axes[a].name)
			dict_axis(&d, g->axes[a].name, vals[a], lens[a]);
	if (expand(&d, g->id, c->id, sizeof(c->id)) < 0 ||
	    expand(&d, g->args, args, sizeof(args)) < 0) {
		snprintf(c->skip, sizeof(c->skip), "its id or arguments could not be made");
		return 0;
	}
	size_t ll = strlen(v->label);
	snprintf(c->label, sizeof(c->label), "%s",
		 !strncmp(c->id, v->label, ll) && c->id[ll] == '-' ? c->id + ll + 1 : c->id);
	if (add_words(c, "--model") < 0 || add_words(c, v->model) < 0 ||
	    add_words(c, v->args) < 0 || add_words(c, args) < 0)
		return -1;
	check_options(s, c);
	return 0;
}

/* The values of axis @a ("" once when the group has no such axis). */
static const char *axis_values(const struct study *s, const struct study_axis *a)
{
	if (!a->name)
		return "";
	return s->quick && a->quick ? a->quick : a->full;
}

static int group_cells(struct study *s, const struct study_experiment *e,
		       const struct study_group *g)
{
	const char *v0 = axis_values(s, &g->axes[0]), *v1 = axis_values(s, &g->axes[1]);

	for (const char *p = v0;;) {
		size_t l0 = strcspn(p, ",");
		for (const char *q = v1;;) {
			size_t l1 = strcspn(q, ",");
			const char *vals[2] = { p, q };
			size_t lens[2] = { l0, l1 };
			for (int i = 0; i < STUDY_MAX_VARIANTS && g->variants[i].label; i++)
				if (!(s->quick && g->variants[i].full_only) &&
				    make_cell(s, e, g, &g->variants[i], vals, lens) < 0)
					return -1;
			if (!q[l1])
				break;
			q += l1 + 1;
		}
		if (!p[l0])
			break;
		p += l0 + 1;
	}
	return 0;
}

int study_cells(struct study *s)
{
	for (size_t i = 0; i < nstudy_experiments; i++) {
		const struct study_experiment *e = &study_experiments[i];
		if (!study_wanted(s, e->id))
			continue;
		for (size_t g = 0; g < e->ngroups; g++)
			if (!(s->quick && e->groups[g].full_only) &&
			    group_cells(s, e, &e->groups[g]) < 0) {
				log_warn("out of memory making the cells");
				return -1;
			}
	}
	return 0;
}

void study_cell_command(const struct study *s, const struct study_cell *c, char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "build/herdlab run");

	(void)s;
	for (int i = 0; i < c->nwords && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, " %s", c->words[i]);
	if (o < len)
		snprintf(buf + o, len - o, " --out runs/%s", c->id);
}

void study_cells_free(struct study *s)
{
	for (size_t i = 0; i < s->ncells; i++) {
		struct study_cell *c = &s->cells[i];
		for (int w = 0; w < c->nwords; w++)
			free(c->words[w]);
		free(c->words);
		for (int r = 0; r < STUDY_MAX_REPS; r++)
			json_decref(c->rep[r].view);
	}
	free(s->cells);
	s->cells = NULL;
	s->ncells = 0;
}
