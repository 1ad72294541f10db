/* SPDX-License-Identifier: MIT */
/*
 * test_optlist.c - a getopt_long table printed (as herdsrv --options does) and read
 * back (as herdlab run does) is the same table; a line that is not one is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optlist.h"

static const struct option table[] = {
	{ "workers", required_argument, 0, 256 },
	{ "exclusive", no_argument, 0, 257 },
	{ "color", optional_argument, 0, 258 },
	{ "connect-timeout", required_argument, 0, 259 },
	{ 0, 0, 0, 0 },
};

static char *printed(const struct option *opts)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	optlist_print(f, opts);
	fclose(f);
	return text;
}

static void test_print_one_line_each(void **state)
{
	char *text = printed(table);

	assert_string_equal(text, "--workers value\n--exclusive flag\n--color optional\n"
				  "--connect-timeout value\n");
	free(text);
}

static void test_round_trip(void **state)
{
	char *text = printed(table);
	size_t n = 99;
	struct option *back = optlist_parse(text, &n);

	assert_non_null(back);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(back[i].name, table[i].name);
		assert_int_equal(back[i].has_arg, table[i].has_arg);
		assert_null(back[i].flag);
		assert_int_equal(back[i].val, 0);
	}
	assert_null(back[n].name); /* ended like a getopt_long table */
	optlist_free(back);
	free(text);
}

static void test_empty_and_blank_lines(void **state)
{
	size_t n = 99;
	struct option *o = optlist_parse("", &n);

	assert_non_null(o);
	assert_int_equal(n, 0);
	assert_null(o[0].name);
	optlist_free(o);
	o = optlist_parse("\n--a flag\n\n--b value", &n);
	assert_non_null(o);
	assert_int_equal(n, 2);
	assert_string_equal(o[1].name, "b");
	optlist_free(o);
}

static void test_malformed_refused(void **state)
{
	static const char *const bad[] = {
		"workers value\n", "--workers\n",     "--workers maybe\n",
		"-- value\n",	   "--a flag\n--b\n", "--workers value \n",
	};
	size_t n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_null(optlist_parse(bad[i], &n));
		assert_int_equal(errno, EINVAL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_print_one_line_each),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_empty_and_blank_lines),
		cmocka_unit_test(test_malformed_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
