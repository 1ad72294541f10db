/* SPDX-License-Identifier: MIT */
/*
 * test_suggest.c - "did you mean": the edit distance (a swap of neighbours costs
 * 1), and a suggestion only when one name is near enough to be the one meant.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "suggest.h"

static const char *const models[] = {
	"iterative",
	"fork",
	"thread",
	"prefork",
	"prefork-mutex",
	"prefork-epoll",
	"prefork-epoll-exclusive",
	"prefork-reuseport",
	"epoll",
	"epoll-threads",
	"uring",
};
#define NMODELS (sizeof(models) / sizeof(models[0]))

static void test_distance(void **state)
{
	assert_int_equal(suggest_distance("", ""), 0);
	assert_int_equal(suggest_distance("fork", "fork"), 0);
	assert_int_equal(suggest_distance("", "abc"), 3);
	assert_int_equal(suggest_distance("kitten", "sitting"), 3);
	assert_int_equal(suggest_distance("prefrok", "prefork"), 1); /* a swap */
	assert_int_equal(suggest_distance("forkk", "fork"), 1);	     /* an insertion */
	assert_int_equal(suggest_distance("frk", "fork"), 1);	     /* a deletion */
	assert_int_equal(suggest_distance("ca", "abc"), 3);	     /* no swap through an edit */
}

static void test_too_long_is_no_distance(void **state)
{
	char word[100];

	for (int i = 0; i < 99; i++)
		word[i] = 'a';
	word[99] = 0;
	assert_true(suggest_distance(word, "a") == SIZE_MAX);
}

static void test_nearest(void **state)
{
	assert_string_equal(suggest_nearest("prefrok", models, NMODELS), "prefork");
	assert_string_equal(suggest_nearest("prefork-epol", models, NMODELS), "prefork-epoll");
	assert_string_equal(suggest_nearest("treads", models, NMODELS), "thread");
	assert_string_equal(suggest_nearest("urnig", models, NMODELS), "uring");
}

static void test_nothing_near(void **state)
{
	assert_null(suggest_nearest("nginx", models, NMODELS));
	assert_null(suggest_nearest("x", models, NMODELS));
	assert_null(suggest_nearest("prefork", models, 0));
}

static void test_no_guess_between_two(void **state)
{
	static const char *const two[] = { "cat", "car" };

	assert_null(suggest_nearest("caz", two, 2));
	assert_string_equal(suggest_nearest("cat", two, 2), "cat");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_too_long_is_no_distance),
		cmocka_unit_test(test_nearest),
		cmocka_unit_test(test_nothing_near),
		cmocka_unit_test(test_no_guess_between_two),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
