/* SPDX-License-Identifier: MIT */
/*
 * test_statistics.c - the shared statistics (herdlab/statistics.h) against answers worked
 * out by hand: nearest-rank percentiles, mean and sample spread, Jain's index.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "metrics/statistics.h"

/* ---- percentiles ---------------------------------------------------------------------------- */

/* 1..100: the p-th percentile by nearest rank is p itself. */
static void test_percentile_of_one_to_hundred(void **state)
{
	double v[100];

	(void)state;
	for (int i = 0; i < 100; i++)
		v[i] = 100 - i; /* unsorted on purpose */
	statistics_sort(v, 100);
	assert_float_equal(statistics_percentile(v, 100, 50), 50, 0);
	assert_float_equal(statistics_percentile(v, 100, 99), 99, 0);
	assert_float_equal(statistics_percentile(v, 100, 99.9), 100, 0);
	assert_float_equal(statistics_percentile(v, 100, 0), 1, 0);
	assert_float_equal(statistics_percentile(v, 100, 100), 100, 0);
}

/* Nearest rank never interpolates: the median of {1, 2, 3, 4} is 2 (rank ceil(2) = 2). */
static void test_percentile_never_interpolates(void **state)
{
	const double v[] = { 1, 2, 3, 4 };

	(void)state;
	assert_float_equal(statistics_percentile(v, 4, 50), 2, 0);
	assert_float_equal(statistics_percentile(v, 4, 50.1), 3, 0);
	assert_float_equal(statistics_percentile(v, 4, 75), 3, 0);
	assert_float_equal(statistics_percentile(v, 4, 76), 4, 0);
}

static void test_percentile_of_one_and_none(void **state)
{
	const double v[] = { 42 };

	(void)state;
	assert_float_equal(statistics_percentile(v, 1, 1), 42, 0);
	assert_float_equal(statistics_percentile(v, 1, 99.99), 42, 0);
	assert_true(isnan(statistics_percentile(NULL, 0, 50)));
}

/* ---- mean and spread ------------------------------------------------------------------------ */

/* {2, 4, 4, 4, 5, 5, 7, 9}: mean 5, squares sum 32, sample sd sqrt(32 / 7). */
static void test_spread_by_hand(void **state)
{
	const double v[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	struct spread s = statistics_spread(v, 8);

	(void)state;
	assert_int_equal(s.n, 8);
	assert_float_equal(s.mean, 5, 1e-12);
	assert_float_equal(s.sd, sqrt(32.0 / 7.0), 1e-12);
	assert_float_equal(s.min, 2, 0);
	assert_float_equal(s.max, 9, 0);
}

/* A missing value (NAN: a run without that metric) is left out, not averaged as 0. */
static void test_spread_skips_missing(void **state)
{
	const double v[] = { NAN, 10, 20, NAN };
	struct spread s = statistics_spread(v, 4);

	(void)state;
	assert_int_equal(s.n, 2);
	assert_float_equal(s.mean, 15, 1e-12);
	assert_float_equal(s.sd, sqrt(50.0), 1e-12);
	assert_float_equal(s.min, 10, 0);
	assert_float_equal(s.max, 20, 0);
}

static void test_spread_of_one_and_none(void **state)
{
	const double one[] = { 3.5 };
	struct spread s = statistics_spread(one, 1);

	(void)state;
	assert_int_equal(s.n, 1);
	assert_float_equal(s.mean, 3.5, 0);
	assert_float_equal(s.sd, 0, 0);
	s = statistics_spread(NULL, 0);
	assert_int_equal(s.n, 0);
	assert_true(isnan(s.mean) && isnan(s.min) && isnan(s.max));
}

/* Large values close together: a one-pass sum of squares would lose them. */
static void test_spread_is_numerically_stable(void **state)
{
	const double v[] = { 1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16 };
	struct spread s = statistics_spread(v, 4);

	(void)state;
	assert_float_equal(s.mean, 1e9 + 10, 1e-6);
	assert_float_equal(s.sd, sqrt(30.0), 1e-9); /* (36 + 9 + 9 + 36) / 3 */
}

/* ---- Jain's index --------------------------------------------------------------------------- */

static void test_jain_equal_is_one(void **state)
{
	const uint64_t x[] = { 7, 7, 7, 7, 7 };

	(void)state;
	assert_float_equal(statistics_jain(x, 5), 1.0, 1e-12);
}

static void test_jain_one_does_all_is_one_over_n(void **state)
{
	const uint64_t x[] = { 0, 0, 2003, 0 };

	(void)state;
	assert_float_equal(statistics_jain(x, 4), 0.25, 1e-12);
}

/* (1 + 2 + 3)^2 / (3 * (1 + 4 + 9)) = 36 / 42 = 6/7 */
static void test_jain_mixed_by_hand(void **state)
{
	const uint64_t x[] = { 1, 2, 3 };

	(void)state;
	assert_float_equal(statistics_jain(x, 3), 6.0 / 7.0, 1e-12);
}

static void test_jain_empty_is_zero(void **state)
{
	(void)state;
	assert_float_equal(statistics_jain(NULL, 0), 0.0, 0);
}

/* Nothing accepted: nothing shared, undefined, 0 like the empty case. */
static void test_jain_all_zero_is_zero(void **state)
{
	const uint64_t x[] = { 0, 0, 0 };

	(void)state;
	assert_float_equal(statistics_jain(x, 3), 0.0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentile_of_one_to_hundred),
		cmocka_unit_test(test_percentile_never_interpolates),
		cmocka_unit_test(test_percentile_of_one_and_none),
		cmocka_unit_test(test_spread_by_hand),
		cmocka_unit_test(test_spread_skips_missing),
		cmocka_unit_test(test_spread_of_one_and_none),
		cmocka_unit_test(test_spread_is_numerically_stable),
		cmocka_unit_test(test_jain_equal_is_one),
		cmocka_unit_test(test_jain_one_does_all_is_one_over_n),
		cmocka_unit_test(test_jain_mixed_by_hand),
		cmocka_unit_test(test_jain_empty_is_zero),
		cmocka_unit_test(test_jain_all_zero_is_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
