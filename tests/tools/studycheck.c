/* SPDX-License-Identifier: MIT */
/*
 * studycheck - is a herdlab study directory complete and consistent?
 *
 *	studycheck DIR
 *
 * Reads DIR/study.json and checks what the study promises, not what it found:
 * the study is complete; every claim has a verdict (one of the four), and one
 * not measured says what it needs; every experiment has its cells, each either
 * skipped with a reason or with its repeats' run directories and run.json in
 * place; every table has a cell for each of its rows and columns; every page
 * exists in Markdown and HTML; every number a sentence states (outside its
 * `quoted keys`) is one of the numbers study.json keeps beside it; and every
 * key it quotes is one those numbers were read from (their key, per, plus or
 * minus), unless the sentence says it is not measured and needs it. Prints one
 * line per problem; exits 0 when there are none, 1 otherwise.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int problems;

/* One problem: @what, about @a (and @b). */
static void problem(const char *what, const char *a, const char *b)
{
	printf("studycheck: %s: %s%s%s\n", what, a ? a : "", b ? " " : "", b ? b : "");
	problems++;
}

static bool exists(const char *dir, const char *rel, const char *name)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s%s%s", dir, rel, name[0] ? "/" : "", name);
	return stat(path, &st) == 0 && (S_ISDIR(st.st_mode) || st.st_size > 0);
}

/* Whether @tok is among the shown values of @numbers (units after the number ignored). */
static bool quoted(json_t *numbers, const char *tok, size_t len)
{
	size_t i;
	json_t *n;

	json_array_foreach(numbers, i, n)
	{
		const char *shown = json_string_value(json_object_get(n, "shown"));
		size_t sl = shown ? strspn(shown, "-0123456789.") : 0;
		if (shown && sl == len && !strncmp(shown, tok, len))
			return true;
	}
	return false;
}

/* Whether @key (@len bytes) is one the sentence's @numbers were read from. */
static bool read_from(json_t *numbers, const char *key, size_t len)
{
	static const char *const fields[] = { "key", "per" };
	size_t i, k;
	json_t *n, *s;

	json_array_foreach(numbers, i, n)
	{
		for (k = 0; k < 2; k++) {
			const char *f = json_string_value(json_object_get(n, fields[k]));
			if (f && strlen(f) == len && !strncmp(f, key, len))
				return true;
		}
		json_array_foreach(json_object_get(n, "plus"), k,
				   s) if (json_string_length(s) == len &&
					  !strncmp(json_string_value(s), key, len)) return true;
		json_array_foreach(json_object_get(n, "minus"), k,
				   s) if (json_string_length(s) == len &&
					  !strncmp(json_string_value(s), key, len)) return true;
	}
	return false;
}

/* Every `key` quoted in @text (a dotted name in backquotes) is one its numbers came from. */
static void check_keys(const char *text, json_t *numbers)
{
	for (const char *p = strchr(text, '`'); p; p = strchr(p + 1, '`')) {
		const char *end = strchr(p + 1, '`');
		if (!end)
			break;
		size_t len = (size_t)(end - p - 1);
		bool dotted = memchr(p + 1, '.', len) && strcspn(p + 1, " ,()=") >= len;
		bool needs = p - text >= 6 && !strncmp(p - 6, "needs ", 6);
		if (dotted && !needs && !read_from(numbers, p + 1, len)) {
			char key[128];
			snprintf(key, sizeof(key), "%.*s", (int)(len < 120 ? len : 120), p + 1);
			problem("a key a sentence quotes is not one its numbers came from", key,
				text);
		}
		p = end;
	}
}

/* Every number in @text outside backquotes is among @numbers. */
static void check_sentence(const char *text, json_t *numbers)
{
	bool code = false;

	for (const char *p = text; *p; p++) {
		if (*p == '`') {
			code = !code;
			continue;
		}
		/* digits inside a word (w32, prefork-10, 100M-c15) name things, not numbers */
		if (code || !isdigit((unsigned char)*p) ||
		    (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '.')) ||
		    (p > text + 1 && p[-1] == '-' && isalnum((unsigned char)p[-2])))
			continue;
		const char *s =
			p > text && p[-1] == '-' && (p - 1 == text || p[-2] == ' ') ? p - 1 : p;
		size_t len = strspn(p, "0123456789.") + (size_t)(p - s);
		while (len > 0 && s[len - 1] == '.')
			len--; /* the sentence's full stop */
		/* a word with digits in it (w32, 100M, c15) is a label, not a number */
		if (!isalpha((unsigned char)s[len]) && s[len] != '_' && !quoted(numbers, s, len)) {
			char tok[64];
			snprintf(tok, sizeof(tok), "%.*s", (int)(len < 60 ? len : 60), s);
			problem("a number of a sentence is not among its numbers", tok, text);
		}
		p = s + len - 1 > p ? s + len - 1 : p;
		while (isalnum((unsigned char)p[1]) || p[1] == '.')
			p++;
	}
}

static void check_cells(const char *dir, json_t *x)
{
	size_t i, k;
	json_t *c, *r;
	const char *exp = json_string_value(json_object_get(x, "id"));

	if (!json_array_size(json_object_get(x, "cells")))
		problem("an experiment has no cells", exp, NULL);
	json_array_foreach(json_object_get(x, "cells"), i, c)
	{
		const char *id = json_string_value(json_object_get(c, "id"));
		json_t *reps = json_object_get(c, "reps");
		if (json_object_get(c, "skipped")) {
			if (!json_string_length(json_object_get(c, "skipped")))
				problem("a cell is skipped without a reason", exp, id);
			continue;
		}
		if ((json_int_t)json_array_size(reps) !=
		    json_integer_value(json_object_get(c, "repeats")))
			problem("not every repeat of a cell ran", exp, id);
		json_array_foreach(reps, k, r)
		{
			const char *rd = json_string_value(json_object_get(r, "dir"));
			if (!rd || !exists(dir, rd, "run.json"))
				problem("a repeat of a cell has no run.json", exp, id);
		}
	}
}

static void check_experiment(const char *dir, json_t *x)
{
	const char *exp = json_string_value(json_object_get(x, "id"));
	size_t i;
	json_t *t, *s;
	char page[256];

	check_cells(dir, x);
	for (int f = 0; f < 2; f++) {
		snprintf(page, sizeof(page), "%s.%s", exp, f ? "html" : "md");
		if (!exists(dir, page, ""))
			problem("an experiment has no page", exp, page);
	}
	if (!json_array_size(json_object_get(x, "tables")))
		problem("an experiment has no tables", exp, NULL);
	json_array_foreach(json_object_get(x, "tables"), i,
			   t) if (!json_array_size(json_object_get(t, "cells")))
		problem("a table has no cells", exp, NULL);
	if (!json_is_array(json_object_get(x, "sentences")))
		problem("an experiment has no sentences", exp, NULL);
	json_array_foreach(json_object_get(x, "sentences"), i, s)
	{
		check_sentence(json_string_value(json_object_get(s, "text")),
			       json_object_get(s, "numbers"));
		check_keys(json_string_value(json_object_get(s, "text")),
			   json_object_get(s, "numbers"));
	}
}

int main(int argc, char **argv)
{
	static const char *const verdicts[] = { "reproduced", "differs", "not reproduced",
						"not measured" };
	char path[4096];
	json_error_t err;
	size_t i;
	json_t *x;

	if (argc != 2) {
		fprintf(stderr, "usage: studycheck DIR\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/study.json", argv[1]);
	json_t *root = json_load_file(path, 0, &err);
	if (!root) {
		printf("studycheck: cannot read %s: %s\n", path, err.text);
		return 1;
	}
	if (!json_is_true(json_object_get(json_object_get(root, "study"), "complete")))
		problem("the study is not complete",
			json_string_value(json_object_get(json_object_get(root, "study"),
							  "incomplete_reason")),
			NULL);
	if (!exists(argv[1], "README.md", ""))
		problem("no README.md", argv[1], NULL);
	if (!json_array_size(json_object_get(root, "claims")))
		problem("no claims", argv[1], NULL);
	json_array_foreach(json_object_get(root, "claims"), i, x)
	{
		const char *v = json_string_value(json_object_get(x, "verdict"));
		bool known = false;
		for (int k = 0; k < 4; k++)
			known |= v && !strcmp(v, verdicts[k]);
		if (!known)
			problem("a claim has no verdict",
				json_string_value(json_object_get(x, "id")), NULL);
		else if (!strcmp(v, "not measured") &&
			 !json_string_length(json_object_get(x, "needs")))
			problem("a claim not measured does not say what it needs",
				json_string_value(json_object_get(x, "id")), NULL);
	}
	json_array_foreach(json_object_get(root, "experiments"), i, x) check_experiment(argv[1], x);
	json_decref(root);
	if (!problems)
		printf("studycheck: %s is complete and consistent\n", argv[1]);
	return problems ? 1 : 0;
}
