/* SPDX-License-Identifier: MIT */
/*
 * test_compare.c - compare without a run: its values, labels, marks (the best
 * only among runs where a column means the same), ratios, repeats' spread, a
 * run that did not finish in its row; and the findings engine over the herd's
 * table: a row said when its bounds hold, its alternative otherwise; over
 * labelled runs, a sentence's pieces, a value beside another model's run of
 * the same label, an optional slot, and a function row.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/compare.h"
#include "report/findings.h"
#include "session/rundir.h"

/* ---- compare --------------------------------------------------------------------------- */

static struct rundir fake_run(const char *model, const char *release, double herd, double futile,
			      double accepted, double forks)
{
	struct rundir rd = { 0 };

	rd.run = json_pack("{s:s, s:{s:s}, s:{s:[s,s]}, s:{s:{s:f, s:f, s:f}, s:{s:{s:f, s:f}}}}",
			   "model", model, "kernel", "release", release, "options", "server",
			   "--workers", "8", "trace", "accept", "wakeups_per_accept", herd,
			   "futile_wakeups", futile, "accepted", accepted, "proc", "fork_latency",
			   "count", forks, "p50", 131071.0);
	assert_non_null(rd.run);
	return rd;
}

static const struct compare_metric *metric(const char *name)
{
	for (size_t i = 0; i < compare_nmetrics; i++)
		if (!strcmp(compare_metrics[i].name, name))
			return &compare_metrics[i];
	fail_msg("no metric %s", name);
	return NULL;
}

static void test_compare_values(void **state)
{
	struct rundir a = fake_run("prefork-epoll", "6.1", 7.96, 1394, 200, 8);
	struct rundir b = fake_run("prefork", "6.1", 1.0, 0, 200, 0);

	(void)state;
	assert_float_equal(compare_value(&a, metric("herd factor")), 7.96, 1e-12);
	assert_float_equal(compare_value(&a, metric("futile per accept")), 6.97, 1e-12);
	assert_float_equal(compare_value(&a, metric("fork p50 us")), 131.071, 1e-9);
	assert_true(isnan(compare_value(&b, metric("fork p50 us")))); /* no fork: no latency */
	assert_true(isnan(compare_value(&b, metric("requests/s"))));  /* not in run.json */
	rundir_free(&a);
	rundir_free(&b);
}

/* Labels: the model, the kernel only when kernels differ, #k for repeats. */
static void test_compare_labels(void **state)
{
	struct rundir k[2] = { fake_run("prefork", "5.10", 1, 0, 1, 0),
			       fake_run("prefork", "6.1", 1, 0, 1, 0) };
	struct rundir r[3] = { fake_run("epoll", "6.1", 1, 0, 1, 0),
			       fake_run("epoll", "6.1", 1, 0, 1, 0),
			       fake_run("fork", "6.1", 1, 0, 1, 0) };
	char **l;

	(void)state;
	l = compare_labels(k, 2);
	assert_string_equal(l[0], "prefork @ 5.10");
	assert_string_equal(l[1], "prefork @ 6.1");
	compare_labels_free(l, 2);
	l = compare_labels(r, 3);
	assert_string_equal(l[0], "epoll #1");
	assert_string_equal(l[1], "epoll #2");
	assert_string_equal(l[2], "fork");
	compare_labels_free(l, 3);
	for (int i = 0; i < 2; i++)
		rundir_free(&k[i]);
	for (int i = 0; i < 3; i++)
		rundir_free(&r[i]);
}

/* The lowest herd factor is marked; a column of equal values marks nothing; ratios to the first. */
static void test_compare_marks_and_ratios(void **state)
{
	struct rundir runs[2] = { fake_run("prefork-epoll", "6.1", 8, 700, 100, 8),
				  fake_run("prefork", "6.1", 2, 0, 100, 8) };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(compare_write(runs, 2, DOC_MD, f, NULL, NULL), 0);
	fclose(f);
	assert_non_null(strstr(buf, "| prefork-epoll | 8.00 | 7.00 | 131 |"));
	assert_non_null(strstr(buf, "| prefork | **2.00** | **0.00** | 131 |"));
	assert_non_null(strstr(buf, "| prefork | 0.25x | 0.00x | 1.00x |"));
	assert_null(strstr(buf, "mean")); /* different models: not repeats */
	free(buf);
	rundir_free(&runs[0]);
	rundir_free(&runs[1]);
}

/* Repeats of one configuration close with mean and spread. */
static void test_compare_repeats_spread(void **state)
{
	struct rundir runs[2] = { fake_run("prefork", "6.1", 1.0, 0, 10, 0),
				  fake_run("prefork", "6.1", 3.0, 0, 10, 0) };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(compare_write(runs, 2, DOC_MD, f, NULL, NULL), 0);
	fclose(f);
	assert_non_null(strstr(buf, "| mean | 2.00 |"));
	assert_non_null(strstr(buf, "| spread (sd) | 1.41 (70.7%) |"));
	json_t *j = compare_json(runs, 2);
	assert_float_equal(
		json_number_value(json_object_get(
			json_object_get(json_object_get(j, "repeats"), "herd factor"), "sd")),
		sqrt(2.0), 1e-12);
	json_decref(j);
	free(buf);
	rundir_free(&runs[0]);
	rundir_free(&runs[1]);
}

/* A fork's herd factor (one acceptor) is never "best" beside pools; incomplete runs say so. */
static void test_compare_best_within_the_family(void **state)
{
	struct rundir runs[3] = { fake_run("fork", "6.1", 0.29, 0, 100, 100),
				  fake_run("prefork", "6.1", 1.0, 30, 100, 8),
				  fake_run("prefork-epoll", "6.1", 5.0, 400, 100, 8) };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	json_object_set_new(runs[2].run, "complete", json_false());
	json_object_set_new(runs[2].run, "incomplete_reason", json_string("interrupted"));
	assert_int_equal(compare_write(runs, 3, DOC_MD, f, NULL, NULL), 0);
	fclose(f);
	assert_non_null(strstr(buf, "# herdlab compare: 3 runs (1 incomplete)\n"));
	assert_non_null(strstr(buf, "| fork | 0.29 | 0.00 |"));		   /* not marked */
	assert_non_null(strstr(buf, "| prefork | **1.00** | **0.30** |")); /* the pools' best */
	assert_non_null(strstr(buf, "| prefork-epoll (incomplete) | 5.00 |"));
	assert_non_null(strstr(buf, "marked only among the pools"));
	assert_non_null(strstr(buf, "prefork-epoll did not finish (interrupted)"));
	free(buf);
	json_t *j = compare_json(runs, 3);
	json_t *r2 = json_array_get(json_object_get(j, "runs"), 2);
	assert_true(json_is_false(json_object_get(r2, "complete")));
	json_decref(j);
	for (int i = 0; i < 3; i++)
		rundir_free(&runs[i]);
}

/* The findings: a row is said when its bounds hold, its alternative otherwise. */
static void test_findings_from_the_numbers(void **state)
{
	struct rundir runs[2] = { fake_run("prefork-epoll", "6.1", 5.0, 400, 100, 8),
				  fake_run("prefork-epoll-exclusive", "6.1", 1.0, 20, 100, 8) };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(
		compare_write_findings(runs, 2, DOC_MD, f, NULL, NULL, &herd_findings, false), 0);
	fclose(f);
	assert_non_null(strstr(buf, "| prefork-epoll | 1 | 5.00 | 4.00 |"));
	assert_non_null(strstr(buf, "(prefork-epoll) woke 5.00 tasks for each new connection, "
				    "4.00 of them for nothing"));
	assert_non_null(strstr(buf, "cut that to 1.00 per connection, 5.0 times fewer wakeups "
				    "than prefork-epoll's 5.00"));
	assert_null(strstr(buf, "| run |"));	   /* the findings alone: no per-run table */
	assert_null(strstr(buf, "prefork-mutex")); /* no run of it: not said */
	free(buf);
	rundir_free(&runs[0]);
	rundir_free(&runs[1]);

	/* No herd to speak of: the alternative sentence. */
	runs[0] = fake_run("prefork-epoll", "6.1", 1.2, 10, 100, 8);
	f = open_memstream(&buf, &len);
	assert_int_equal(
		compare_write_findings(runs, 1, DOC_TEXT, f, NULL, NULL, &herd_findings, false), 0);
	fclose(f);
	assert_non_null(strstr(buf, "woke only 1.20 tasks per connection, 0.10 of them futile."));
	free(buf);
	rundir_free(&runs[0]);
}

/* ---- the engine over labelled runs ---------------------------------------------------- */

static void say_into(void *to, const char *text)
{
	strcat(to, text);
}

static void say_arg(struct strbuf *b, const void *arg)
{
	strbuf_addf(b, "[%s]", (const char *)arg);
}

static void test_findings_pieces_and_beside(void **state)
{
	static const struct finding rows[] = {
		{ .model = "m",
		  .m = { { .key = "x", .prec = 1 },
			 { .key = "x",
			   .beside = "base",
			   .floor = 0.5,
			   .prec = 1,
			   .optional = true },
			 { .key = "none", .prec = 0, .optional = true } },
		  .when = { { 0, FS_LO, FO_GE, 1 } },
		  .text = "{model} {a.list}",
		  .more = { { { { 1, FS_N, FO_GT, 0 }, { 1, FS_SPREAD, FO_GE, 1.5 } },
			      "; {b.lo} to {b.hi} fewer" },
			    { { { 1, FS_N, FO_GT, 0 }, { 1, FS_SPREAD, FO_LT, 1.5 } }, "; narrow" },
			    { { { 2, FS_N, FO_GT, 0 } }, "; never" },
			    { .text = "[{c.list}]." } } },
		{ .model = "m", .m = { { .key = "x" } }, .otherwise = true, .text = "not said" },
		{ .write = say_arg },
		{ .model = "gone", .m = { { .key = "x" } }, .text = "no runs, not said" },
	};
	json_t *j[4] = { json_pack("{s:f}", "x", 2.0), json_pack("{s:f}", "x", 8.0),
			 json_pack("{s:f}", "x", 4.0), json_pack("{s:f}", "x", 6.0) };
	const struct finding_run runs[] = {
		{ j[0], "m", "k1" },
		{ j[1], "base", "k1" },
		{ j[2], "m", "k2" },
		{ j[3], "base", "k3" }, /* nothing of m beside it */
	};
	char out[512] = "";
	const struct findings_sink sink = { .say = say_into, .to = out, .arg = "fn" };

	(void)state;
	assert_int_equal(findings_say(runs, 4, rows, 4, &sink), 2);
	/* k1: 8 / 2 = 4 fewer; k2 has no base run; the empty slot c says nothing */
	assert_string_equal(out, "m k1 2.0, k2 4.0; narrow[].[fn]");
	for (int i = 0; i < 4; i++)
		json_decref(j[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compare_values),
		cmocka_unit_test(test_compare_labels),
		cmocka_unit_test(test_compare_marks_and_ratios),
		cmocka_unit_test(test_compare_repeats_spread),
		cmocka_unit_test(test_compare_best_within_the_family),
		cmocka_unit_test(test_findings_from_the_numbers),
		cmocka_unit_test(test_findings_pieces_and_beside),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
