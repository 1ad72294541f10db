/* SPDX-License-Identifier: MIT */
/*
 * test_json.c - whole files, histograms as objects, dotted paths.
 *
 * Every test that writes files gets a fresh directory (setup) that is emptied and
 * removed afterwards (teardown), so "nothing left behind" can be checked by listing it:
 * a failed save must leave neither the target nor its "<path>.tmp.<pid>" file, and must
 * not touch a target that was already there.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonio.h"

/* ---- a scratch directory per test ----------------------------------------------------------- */

static int dir_setup(void **state)
{
	char *dir = strdup("/tmp/herd-test-json.XXXXXX");

	if (!dir || !mkdtemp(dir)) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

static int dir_teardown(void **state)
{
	char *dir = *state, path[PATH_MAX];
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	}
	if (d)
		closedir(d);
	rmdir(dir);
	free(dir);
	return 0;
}

/* Entries in @dir other than . and .. */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void join(char *buf, const char *dir, const char *name)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", dir, name);

	assert_true(n > 0 && n < PATH_MAX);
}

/* The whole file as a string (caller frees). */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);
	size_t n;

	assert_non_null(f);
	assert_non_null(buf);
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* ---- jsonio_save ---------------------------------------------------------------------------- */

static void test_save_roundtrip(void **state)
{
	char path[PATH_MAX];
	json_error_t jerr;
	json_t *root = json_pack("{s:i, s:f, s:[f,f,f], s:{s:s, s:b, s:n}, s:I}", "count", 2003,
				 "ratio", 7.9, "reals", 0.1, 1e-3, -2.5, "nested", "name",
				 "prefork \xc3\xa9\"quoted\"", "ok", 1, "none", "big",
				 (json_int_t)3600000000000LL);
	json_t *back;

	assert_non_null(root);
	join(path, *state, "run.json");
	assert_int_equal(jsonio_save(root, path), 0);
	back = json_load_file(path, 0, &jerr);
	assert_non_null(back);
	assert_true(json_equal(root, back));
	assert_int_equal(count_entries(*state), 1); /* no tmp file left */
	json_decref(back);
	json_decref(root);
}

/* Two-space indent, sorted keys, a final newline. */
static void test_save_format(void **state)
{
	char path[PATH_MAX], *text;
	json_t *root = json_pack("{s:i, s:[i,f]}", "b", 1, "a", 2, 0.5);

	join(path, *state, "f.json");
	assert_int_equal(jsonio_save(root, path), 0);
	text = slurp(path);
	assert_string_equal(text, "{\n  \"a\": [\n    2,\n    0.5\n  ],\n  \"b\": 1\n}\n");
	free(text);
	json_decref(root);
}

static void test_save_replaces_existing(void **state)
{
	char path[PATH_MAX], *text;
	json_t *root = json_pack("{s:i}", "x", 1);

	join(path, *state, "r.json");
	spit(path, "old contents, longer than the new ones\n");
	assert_int_equal(jsonio_save(root, path), 0);
	text = slurp(path);
	assert_string_equal(text, "{\n  \"x\": 1\n}\n");
	assert_int_equal(count_entries(*state), 1);
	free(text);
	json_decref(root);
}

static void test_save_missing_dir_fails(void **state)
{
	char path[PATH_MAX], tmp[PATH_MAX + 32];
	json_t *root = json_pack("{s:i}", "x", 1);

	join(path, *state, "missing/run.json");
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	errno = 0;
	assert_int_equal(jsonio_save(root, path), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(count_entries(*state), 0);
	json_decref(root);
}

/* ---- jsonio_save_with ----------------------------------------------------------------------- */

static int fill_csv(FILE *f, void *arg)
{
	fprintf(f, "id,latency_ns\n");
	for (int i = 1; i <= *(int *)arg; i++)
		fprintf(f, "%d,%d\n", i, i * 1000);
	return 0;
}

/* Writes half a file, then gives up. */
static int fill_abandon(FILE *f, void *arg)
{
	fprintf(f, "id,latency_ns\n1,");
	return -1;
}

static void test_save_with_writes_csv(void **state)
{
	char path[PATH_MAX], *text;
	int rows = 3;

	join(path, *state, "requests.csv");
	assert_int_equal(jsonio_save_with(path, fill_csv, &rows), 0);
	text = slurp(path);
	assert_string_equal(text, "id,latency_ns\n1,1000\n2,2000\n3,3000\n");
	assert_int_equal(count_entries(*state), 1);
	free(text);
}

static void test_save_with_abandon_leaves_nothing(void **state)
{
	char path[PATH_MAX];

	join(path, *state, "requests.csv");
	assert_int_equal(jsonio_save_with(path, fill_abandon, NULL), -1);
	assert_int_equal(errno, ECANCELED); /* the fill gave no errno of its own */
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(count_entries(*state), 0);
}

static void test_save_with_abandon_keeps_old_target(void **state)
{
	char path[PATH_MAX], *text;

	join(path, *state, "requests.csv");
	spit(path, "old\n");
	assert_int_equal(jsonio_save_with(path, fill_abandon, NULL), -1);
	text = slurp(path);
	assert_string_equal(text, "old\n");
	assert_int_equal(count_entries(*state), 1);
	free(text);
}

/* ---- jsonio_hist ---------------------------------------------------------------------------- */

static json_int_t int_at(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static double real_at(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_real(v));
	return json_real_value(v);
}

/* 1, 2, 3, 4, 100 in bucket 0, where every value is its own bucket. */
static void test_hist_known_values(void **state)
{
	struct hist h;
	json_t *o, *want;
	double sd;

	assert_int_equal(hist_init(&h, 1000000), 0);
	for (uint64_t v = 1; v <= 4; v++)
		hist_record(&h, v);
	hist_record(&h, 100);
	o = jsonio_hist(&h, 1);
	assert_non_null(o);
	assert_int_equal(int_at(o, "count"), 5);
	assert_int_equal(int_at(o, "clamped"), 0);
	assert_int_equal(int_at(o, "min"), 1);
	assert_int_equal(int_at(o, "max"), 100);
	assert_true(real_at(o, "mean") == 22.0);
	sd = real_at(o, "stddev"); /* variance 7610 / 5 */
	assert_true(sd * sd > 1522 - 1e-9 && sd * sd < 1522 + 1e-9);
	assert_int_equal(int_at(o, "p50"), 3);
	assert_int_equal(int_at(o, "p90"), 100);
	assert_int_equal(int_at(o, "p99"), 100);
	assert_int_equal(int_at(o, "p999"), 100);
	assert_int_equal(int_at(o, "p9999"), 100);
	want = json_pack("[[iii][iii][iii][iii][iii]]", 1, 1, 1, 2, 2, 1, 3, 3, 1, 4, 4, 1, 100,
			 100, 1);
	assert_true(json_equal(json_object_get(o, "buckets"), want));
	assert_int_equal(json_object_size(o), 12);
	json_decref(want);
	json_decref(o);
	hist_free(&h);
}

/* ns recorded, us reported: every value becomes a real divided by 1000. */
static void test_hist_unit_div(void **state)
{
	struct hist h;
	json_t *o, *b;

	assert_int_equal(hist_init(&h, 3600000000000ULL), 0);
	hist_record(&h, 1500);
	hist_record(&h, 2500000); /* bucket 11: [2498560, 2500607] */
	o = jsonio_hist(&h, 1000);
	assert_non_null(o);
	assert_int_equal(int_at(o, "count"), 2);
	assert_true(real_at(o, "min") == 1.5);
	assert_true(real_at(o, "max") == 2500.0);
	assert_true(real_at(o, "mean") == 1250.75);
	assert_true(real_at(o, "p50") == 1.5);
	assert_true(real_at(o, "p90") == 2500.0); /* the bucket's top, capped by max */
	b = json_array_get(json_object_get(o, "buckets"), 1);
	assert_true(json_real_value(json_array_get(b, 0)) == 2498560 / 1000.0);
	assert_true(json_real_value(json_array_get(b, 1)) == 2500607 / 1000.0);
	assert_true(json_is_integer(json_array_get(b, 2)));
	json_decref(o);
	hist_free(&h);
}

static void test_hist_empty(void **state)
{
	struct hist h;
	json_t *o;

	assert_int_equal(hist_init(&h, 1000), 0);
	o = jsonio_hist(&h, 1);
	assert_int_equal(int_at(o, "count"), 0);
	assert_int_equal(int_at(o, "min"), 0);
	assert_int_equal(int_at(o, "max"), 0);
	assert_int_equal(int_at(o, "p50"), 0);
	assert_int_equal(int_at(o, "p9999"), 0);
	assert_true(real_at(o, "mean") == 0.0);
	assert_true(real_at(o, "stddev") == 0.0);
	assert_int_equal(json_array_size(json_object_get(o, "buckets")), 0);
	json_decref(o);
	hist_free(&h);
}

static void test_hist_counts_clamped(void **state)
{
	struct hist h;
	json_t *o;

	assert_int_equal(hist_init(&h, 1000), 0);
	hist_record_n(&h, 5000, 3);
	o = jsonio_hist(&h, 1);
	assert_int_equal(int_at(o, "clamped"), 3);
	assert_int_equal(int_at(o, "max"), 1000);
	json_decref(o);
	hist_free(&h);
}

static void test_hist_bad_divisor(void **state)
{
	struct hist h;

	assert_int_equal(hist_init(&h, 1000), 0);
	errno = 0;
	assert_null(jsonio_hist(&h, 0));
	assert_int_equal(errno, EINVAL);
	hist_free(&h);
}

/* ---- jsonio_set_path ------------------------------------------------------------------------ */

static void test_set_path_creates_nesting(void **state)
{
	json_t *o = json_object(), *want;

	assert_int_equal(jsonio_set_path(o, "accept.wakeups_by_wait.epoll", json_integer(8)), 0);
	assert_int_equal(jsonio_set_path(o, "accept.wakeups_by_wait.futex", json_integer(2)), 0);
	assert_int_equal(jsonio_set_path(o, "accept.accepted", json_integer(10)), 0);
	assert_int_equal(jsonio_set_path(o, "model", json_string("prefork")), 0);
	want = json_pack("{s:{s:{s:i, s:i}, s:i}, s:s}", "accept", "wakeups_by_wait", "epoll", 8,
			 "futex", 2, "accepted", 10, "model", "prefork");
	assert_true(json_equal(o, want));
	json_decref(want);
	json_decref(o);
}

static void test_set_path_replaces_leaf(void **state)
{
	json_t *o = json_object();

	assert_int_equal(jsonio_set_path(o, "a.b", json_integer(1)), 0);
	assert_int_equal(jsonio_set_path(o, "a.b", json_integer(2)), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "a"), "b")), 2);
	json_decref(o);
}

/* A non-object in the way: -1, the value is still consumed (valgrind sees no leak). */
static void test_set_path_non_object_in_way(void **state)
{
	json_t *o = json_pack("{s:i}", "a", 5), *want = json_deep_copy(o);

	errno = 0;
	assert_int_equal(jsonio_set_path(o, "a.b", json_integer(1)), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_true(json_equal(o, want));
	json_decref(want);
	json_decref(o);
}

static void test_set_path_empty_component(void **state)
{
	json_t *o = json_object();

	assert_int_equal(jsonio_set_path(o, "a..b", json_integer(1)), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(jsonio_set_path(o, "a.", json_integer(1)), -1);
	assert_int_equal(jsonio_set_path(o, "", json_integer(1)), -1);
	assert_int_equal(json_object_size(o), 0);
	json_decref(o);
}

#define DIR_TEST(f) cmocka_unit_test_setup_teardown(f, dir_setup, dir_teardown)

/* ---- jsonio_get_path ------------------------------------------------------------------------ */

static void test_get_path_objects_and_arrays(void **state)
{
	json_t *o = json_pack("{s:{s:[{s:i}, {s:i}], s:i}}", "kernels", "list", "herd", 8, "herd",
			      1, "count", 2);

	(void)state;
	assert_int_equal(json_integer_value(jsonio_get_path(o, "kernels.count")), 2);
	assert_int_equal(json_integer_value(jsonio_get_path(o, "kernels.list.0.herd")), 8);
	assert_int_equal(json_integer_value(jsonio_get_path(o, "kernels.list.1.herd")), 1);
	assert_ptr_equal(jsonio_get_path(o, ""), o);
	assert_null(jsonio_get_path(o, "kernels.list.2.herd")); /* past the end */
	assert_null(jsonio_get_path(o, "kernels.count.x"));	/* through a number */
	assert_null(jsonio_get_path(o, "kernels.list.herd"));	/* a name into an array */
	assert_null(jsonio_get_path(o, "nope"));
	assert_null(jsonio_get_path(NULL, "kernels"));
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		DIR_TEST(test_save_roundtrip),
		DIR_TEST(test_save_format),
		DIR_TEST(test_save_replaces_existing),
		DIR_TEST(test_save_missing_dir_fails),
		DIR_TEST(test_save_with_writes_csv),
		DIR_TEST(test_save_with_abandon_leaves_nothing),
		DIR_TEST(test_save_with_abandon_keeps_old_target),
		cmocka_unit_test(test_hist_known_values),
		cmocka_unit_test(test_hist_unit_div),
		cmocka_unit_test(test_hist_empty),
		cmocka_unit_test(test_hist_counts_clamped),
		cmocka_unit_test(test_hist_bad_divisor),
		cmocka_unit_test(test_set_path_creates_nesting),
		cmocka_unit_test(test_set_path_replaces_leaf),
		cmocka_unit_test(test_set_path_non_object_in_way),
		cmocka_unit_test(test_set_path_empty_component),
		cmocka_unit_test(test_get_path_objects_and_arrays),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
