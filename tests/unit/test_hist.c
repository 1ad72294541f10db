/* SPDX-License-Identifier: MIT */
/*
 * test_hist.c - the histogram against the truth it approximates.
 *
 * Every distribution test records an array of values, sorts a copy, and compares each
 * percentile with the exact nearest-rank value sorted[ceil(p/100 * n) - 1]. The rank is
 * computed here in integers (p is written in parts per million), independently of the
 * floating-point rank inside hist.c. The contract from hist.h is that a reported
 * percentile is never below the exact one and above it by at most 1/1024 of it; the
 * layout promised by the design is checked too: it is exactly the top of the exact
 * value's bucket, capped by the exact max. The values come from a fixed-seed generator,
 * so a failure is reproducible.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"

#define NS_PER_HOUR (3600ULL * 1000000000ULL)
#define N_VALUES    100003 /* a prime: no distribution divides it evenly */

/* The percentiles checked, as doubles for hist.c and as parts per million for the rank. */
static const struct {
	double p;     /* as passed to hist_percentile() */
	uint64_t ppm; /* the same percentile, exactly: p * 10000 */
} pcts[] = {
	{ 1, 10000 },	{ 10, 100000 }, { 25, 250000 },	  { 50, 500000 },    { 75, 750000 },
	{ 90, 900000 }, { 99, 990000 }, { 99.9, 999000 }, { 99.99, 999900 }, { 100, 1000000 },
};

/* ---- a fixed-seed generator (splitmix64) ---------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double rng_unit(void)
{
	return (rng_next() >> 11) * 0x1.0p-53;
}

/*
 * The shapes are built without libm (the Makefile links none): exponential-like as a
 * geometric number of halvings (trailing zeros of random bits) plus a uniform fraction;
 * log-normal-like as a product of uniform factors (its log is a sum: nearly normal);
 * log-uniform as a random power of two times a random mantissa.
 */
static uint64_t rng_exponential(double scale)
{
	int k = __builtin_ctzll(rng_next() | (1ULL << 63));

	return (uint64_t)((k + rng_unit()) * scale);
}

/* @base times 12 factors uniform in [0.5, 2): from base/4096 to base*4096, long-tailed. */
static uint64_t rng_lognormal(double base)
{
	double v = base;

	for (int i = 0; i < 12; i++)
		v *= 0.5 + 1.5 * rng_unit();
	return (uint64_t)v;
}

/* 2^k + [0, 2^k) for k in 0..41, redrawn until it is at most @max. */
static uint64_t rng_loguniform(uint64_t max)
{
	uint64_t v;

	do {
		int k = (int)(rng_next() % 42);

		v = ((uint64_t)1 << k) + (rng_next() & (((uint64_t)1 << k) - 1));
	} while (v > max);
	return v;
}

/* ---- the reference: sorted arrays ----------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* sorted[ceil(ppm/1e6 * n) - 1], at least the first. */
static uint64_t exact_percentile(const uint64_t *sorted, size_t n, uint64_t ppm)
{
	uint64_t rank = (ppm * n + 999999) / 1000000;

	return sorted[rank ? rank - 1 : 0];
}

static void check_percentiles(const struct hist *h, const uint64_t *sorted, size_t n)
{
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		uint64_t exact = exact_percentile(sorted, n, pcts[i].ppm);
		uint64_t got = hist_percentile(h, pcts[i].p);
		uint64_t top = hist_highest_equivalent(h, exact);

		if (got < exact || got - exact > exact / 1024 + 1) {
			print_error("p%g: got %" PRIu64 ", exact %" PRIu64 "\n", pcts[i].p, got,
				    exact);
			fail();
		}
		assert_int_equal(got, top < h->max ? top : h->max);
	}
}

static bool close_to(long double got, long double want, long double rel)
{
	long double d = got > want ? got - want : want - got;

	return d <= rel * (want > 0 ? want : -want) + rel;
}

/* Exact moments, computed in two passes (the variance: the test has no sqrt). */
static void check_moments(const struct hist *h, const uint64_t *sorted, size_t n)
{
	long double sum = 0, sq = 0, mean, sd = hist_stddev(h);

	for (size_t i = 0; i < n; i++)
		sum += sorted[i];
	mean = sum / n;
	for (size_t i = 0; i < n; i++)
		sq += (sorted[i] - mean) * (sorted[i] - mean);
	assert_int_equal(h->total, n);
	assert_int_equal(h->min, sorted[0]);
	assert_int_equal(h->max, sorted[n - 1]);
	assert_true(close_to(hist_mean(h), mean, 1e-12L));
	assert_true(close_to(sd * sd, sq / n, 1e-9L));
}

/* Record @v[0..n), then compare against the sorted copy. Frees nothing of the caller's. */
static void check_distribution(uint64_t *v, size_t n, uint64_t highest)
{
	struct hist h;

	assert_int_equal(hist_init(&h, highest), 0);
	for (size_t i = 0; i < n; i++)
		hist_record(&h, v[i]);
	qsort(v, n, sizeof(*v), cmp_u64);
	check_percentiles(&h, v, n);
	check_moments(&h, v, n);
	assert_int_equal(h.clamped, 0);
	hist_free(&h);
}

static uint64_t *values_new(size_t n)
{
	uint64_t *v = calloc(n, sizeof(*v));

	assert_non_null(v);
	rng_state = 42;
	return v;
}

/* ---- percentiles over distributions --------------------------------------------------------- */

static void test_percentiles_uniform_wide(void **state)
{
	uint64_t *v = values_new(N_VALUES);

	for (size_t i = 0; i < N_VALUES; i++)
		v[i] = rng_next() % 1000000000000ULL;
	check_distribution(v, N_VALUES, NS_PER_HOUR);
	free(v);
}

static void test_percentiles_exponential(void **state)
{
	uint64_t *v = values_new(N_VALUES);

	for (size_t i = 0; i < N_VALUES; i++)
		v[i] = rng_exponential(50000.0);
	check_distribution(v, N_VALUES, NS_PER_HOUR);
	free(v);
}

/* Long-tailed, like real request latencies. */
static void test_percentiles_lognormal(void **state)
{
	uint64_t *v = values_new(N_VALUES);

	for (size_t i = 0; i < N_VALUES; i++)
		v[i] = rng_lognormal(200000.0);
	check_distribution(v, N_VALUES, NS_PER_HOUR);
	free(v);
}

static void test_percentiles_all_equal(void **state)
{
	uint64_t *v = values_new(1000);

	for (size_t i = 0; i < 1000; i++)
		v[i] = 123456789;
	check_distribution(v, 1000, NS_PER_HOUR);
	free(v);
}

static void test_percentiles_single_value(void **state)
{
	uint64_t v[1] = { 987654321 };

	check_distribution(v, 1, NS_PER_HOUR);
}

/* Log-uniform from 1 ns to 1 h, both ends included: every bucket of the range is used. */
static void test_percentiles_span_1ns_to_1h(void **state)
{
	uint64_t *v = values_new(N_VALUES);

	for (size_t i = 0; i < N_VALUES; i++)
		v[i] = rng_loguniform(NS_PER_HOUR);
	v[0] = 1;
	v[1] = NS_PER_HOUR;
	check_distribution(v, N_VALUES, NS_PER_HOUR);
	free(v);
}

static void test_percentiles_all_zero(void **state)
{
	uint64_t *v = values_new(500);

	check_distribution(v, 500, NS_PER_HOUR);
	free(v);
}

/* A third zeros, the rest small integers that bucket 0 holds one per counter. */
static void test_percentiles_zeros_and_small(void **state)
{
	uint64_t *v = values_new(3001);

	for (size_t i = 0; i < 3001; i++)
		v[i] = i % 3 ? rng_next() % 5000 : 0;
	check_distribution(v, 3001, NS_PER_HOUR);
	free(v);
}

/* 99.9% of 1000 is rank 999 exactly, although 99.9 / 100 * 1000 is not 999 in binary. */
static void test_percentile_rank_is_not_pushed_up(void **state)
{
	struct hist h;

	assert_int_equal(hist_init(&h, 100000), 0);
	for (uint64_t i = 1; i <= 1000; i++)
		hist_record(&h, i);
	assert_int_equal(hist_percentile(&h, 99.9), 999);
	assert_int_equal(hist_percentile(&h, 0.1), 1);
	assert_int_equal(hist_percentile(&h, 50), 500);
	assert_int_equal(hist_percentile(&h, 0.0001), 1);
	hist_free(&h);
}

/* ---- exact statistics ----------------------------------------------------------------------- */

static void test_moments_known_values(void **state)
{
	static const uint64_t v[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	struct hist h;

	assert_int_equal(hist_init(&h, 1000), 0);
	for (size_t i = 0; i < 8; i++)
		hist_record(&h, v[i]);
	assert_true(hist_mean(&h) == 5.0);
	assert_true(hist_stddev(&h) == 2.0);
	hist_free(&h);
}

/* min and max are the values recorded, not their buckets' ends. */
static void test_extremes_are_exact(void **state)
{
	struct hist h;

	assert_int_equal(hist_init(&h, NS_PER_HOUR), 0);
	hist_record(&h, 1000003);
	hist_record(&h, NS_PER_HOUR - 7);
	assert_int_equal(h.min, 1000003);
	assert_int_equal(h.max, NS_PER_HOUR - 7);
	assert_int_equal(hist_percentile(&h, 1), 1000003 | 511);
	assert_int_equal(hist_percentile(&h, 100), NS_PER_HOUR - 7);
	hist_free(&h);
}

static void test_empty(void **state)
{
	struct hist h;

	assert_int_equal(hist_init(&h, NS_PER_HOUR), 0);
	assert_int_equal(h.total, 0);
	assert_int_equal(h.min, UINT64_MAX);
	assert_int_equal(hist_percentile(&h, 50), 0);
	assert_true(hist_mean(&h) == 0.0);
	assert_true(hist_stddev(&h) == 0.0);
	hist_free(&h);
}

static void test_record_n_equals_n_records(void **state)
{
	struct hist a, b;

	assert_int_equal(hist_init(&a, NS_PER_HOUR), 0);
	assert_int_equal(hist_init(&b, NS_PER_HOUR), 0);
	hist_record_n(&a, 777777, 5);
	hist_record_n(&a, 3, 2);
	hist_record_n(&a, 1, 0);
	for (int i = 0; i < 5; i++)
		hist_record(&b, 777777);
	hist_record(&b, 3);
	hist_record(&b, 3);
	assert_memory_equal(a.counts, b.counts, a.counts_len * sizeof(*a.counts));
	assert_int_equal(a.total, 7);
	assert_int_equal(a.min, 3);
	assert_true(hist_mean(&a) == hist_mean(&b));
	assert_true(hist_stddev(&a) == hist_stddev(&b));
	hist_free(&a);
	hist_free(&b);
}

static void test_reset_empties(void **state)
{
	struct hist h;

	assert_int_equal(hist_init(&h, 1000), 0);
	hist_record(&h, 5000);
	hist_reset(&h);
	assert_int_equal(h.total, 0);
	assert_int_equal(h.clamped, 0);
	assert_int_equal(h.min, UINT64_MAX);
	assert_int_equal(h.max, 0);
	for (size_t i = 0; i < h.counts_len; i++)
		assert_int_equal(h.counts[i], 0);
	hist_free(&h);
}

/* ---- merge ---------------------------------------------------------------------------------- */

/* Both halves merged into an empty one, so its extremes can only come from them. */
static void test_merge_halves_equals_whole(void **state)
{
	struct hist whole, half[2], sum;

	assert_int_equal(hist_init(&whole, NS_PER_HOUR), 0);
	assert_int_equal(hist_init(&half[0], NS_PER_HOUR), 0);
	assert_int_equal(hist_init(&half[1], NS_PER_HOUR), 0);
	assert_int_equal(hist_init(&sum, NS_PER_HOUR), 0);
	rng_state = 5;
	for (size_t i = 0; i < N_VALUES; i++) {
		uint64_t v = rng_loguniform(NS_PER_HOUR);

		hist_record(&whole, v);
		hist_record(&half[i % 2], v);
	}
	assert_int_equal(hist_merge(&sum, &half[0]), 0);
	assert_int_equal(hist_merge(&sum, &half[1]), 0);
	for (size_t i = 0; i < whole.counts_len; i++)
		assert_int_equal(sum.counts[i], whole.counts[i]);
	assert_int_equal(sum.total, whole.total);
	assert_int_equal(sum.min, whole.min);
	assert_int_equal(sum.max, whole.max);
	assert_true(close_to(hist_mean(&sum), hist_mean(&whole), 1e-12L));
	assert_true(close_to(hist_stddev(&sum), hist_stddev(&whole), 1e-9L));
	for (int i = 0; i < 2; i++)
		hist_free(&half[i]);
	hist_free(&whole);
	hist_free(&sum);
}

static void test_merge_different_highest_fails(void **state)
{
	struct hist a, b;

	assert_int_equal(hist_init(&a, NS_PER_HOUR), 0);
	assert_int_equal(hist_init(&b, NS_PER_HOUR / 2), 0);
	hist_record(&b, 1234);
	errno = 0;
	assert_int_equal(hist_merge(&a, &b), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(a.total, 0);
	hist_free(&a);
	hist_free(&b);
}

/* ---- clamping ------------------------------------------------------------------------------- */

static void test_clamp_above_highest(void **state)
{
	struct hist h;

	assert_int_equal(hist_init(&h, 10000), 0);
	hist_record(&h, 5);
	hist_record(&h, 10000);
	hist_record(&h, 10001);
	hist_record_n(&h, UINT64_MAX, 2);
	assert_int_equal(h.total, 5);
	assert_int_equal(h.clamped, 3);
	assert_int_equal(h.max, 10000);
	assert_int_equal(hist_percentile(&h, 100), 10000);
	hist_free(&h);
}

/* The largest highest: the top counter ends at UINT64_MAX without overflowing. */
static void test_highest_uint64_max(void **state)
{
	struct hist h;

	assert_int_equal(hist_init(&h, UINT64_MAX), 0);
	hist_record(&h, UINT64_MAX);
	hist_record(&h, 0);
	assert_int_equal(h.clamped, 0);
	assert_int_equal(hist_highest_equivalent(&h, UINT64_MAX), UINT64_MAX);
	assert_int_equal(hist_percentile(&h, 100), UINT64_MAX);
	assert_int_equal(hist_percentile(&h, 50), 0);
	hist_free(&h);
}

static void test_bucket_count_from_highest(void **state)
{
	struct hist h;

	assert_int_equal(hist_init(&h, 2047), 0);
	assert_int_equal(h.bucket_count, 1);
	assert_int_equal(h.counts_len, 2048);
	hist_free(&h);
	assert_int_equal(hist_init(&h, 2048), 0);
	assert_int_equal(h.bucket_count, 2);
	assert_int_equal(h.counts_len, 3072);
	hist_free(&h);
	/* 3.6e12 < 2^42 = 2048 << 31: 32 buckets. */
	assert_int_equal(hist_init(&h, NS_PER_HOUR), 0);
	assert_int_equal(h.bucket_count, 32);
	hist_free(&h);
}

/* ---- foreach and equivalence ---------------------------------------------------------------- */

/* hist_foreach() state: what the walk saw. */
struct walk {
	uint64_t total;	     /* counts summed */
	uint64_t next_low;   /* every bucket must start at or after this */
	unsigned visits;     /* buckets visited */
	unsigned stop_after; /* return false after this many (0: never) */
};

static bool visit(uint64_t low, uint64_t high, uint64_t count, void *arg)
{
	struct walk *w = arg;

	assert_true(low <= high);
	assert_true(low >= w->next_low);
	assert_true(count > 0);
	w->next_low = high + 1;
	w->total += count;
	return ++w->visits != w->stop_after;
}

static void test_foreach_covers_total(void **state)
{
	struct hist h;
	struct walk w = { 0 };

	assert_int_equal(hist_init(&h, NS_PER_HOUR), 0);
	rng_state = 7;
	for (int i = 0; i < 10000; i++)
		hist_record(&h, rng_loguniform(NS_PER_HOUR));
	hist_record_n(&h, 0, 3);
	hist_foreach(&h, visit, &w);
	assert_int_equal(w.total, h.total);
	assert_true(w.visits > 100);
	hist_free(&h);
}

static void test_foreach_stops_early(void **state)
{
	struct hist h;
	struct walk w = { .stop_after = 2 };

	assert_int_equal(hist_init(&h, 1000), 0);
	for (uint64_t v = 1; v <= 10; v++)
		hist_record(&h, v);
	hist_foreach(&h, visit, &w);
	assert_int_equal(w.visits, 2);
	hist_free(&h);
}

static void check_equivalents(const struct hist *h, uint64_t v)
{
	uint64_t lo = hist_lowest_equivalent(h, v), hi = hist_highest_equivalent(h, v);
	uint64_t width = hi - lo + 1;

	assert_true(lo <= v && v <= hi);
	assert_true((width & (width - 1)) == 0); /* a power of two */
	assert_true(hi - lo <= lo / 1024);
	assert_int_equal(hist_lowest_equivalent(h, hi), lo);
	assert_int_equal(hist_highest_equivalent(h, lo), hi);
	if (hi != UINT64_MAX) /* the next value starts the next range */
		assert_int_equal(hist_lowest_equivalent(h, hi + 1), hi + 1);
}

static void test_equivalents_bracket_value(void **state)
{
	struct hist h;

	assert_int_equal(hist_init(&h, UINT64_MAX), 0);
	for (int k = 0; k < 64; k++) {
		uint64_t p = (uint64_t)1 << k;

		check_equivalents(&h, p - 1);
		check_equivalents(&h, p);
		check_equivalents(&h, p + 1);
	}
	check_equivalents(&h, UINT64_MAX);
	rng_state = 9;
	for (int i = 0; i < 100000; i++)
		check_equivalents(&h, rng_next() >> (rng_next() % 64));
	/* Below 2048 every value is its own bucket. */
	for (uint64_t v = 0; v < 2048; v++)
		assert_int_equal(hist_highest_equivalent(&h, v), v);
	hist_free(&h);
}

/*
 * The coarse layout the tracer's kernel side uses (5 bits: 16 sub-buckets per power of
 * two): every percentile within 1/16 of the exact value, values below 32 exact, and the
 * counter of a value at the place the layout formula puts it.
 */
static void test_coarse_bits(void **state)
{
	uint64_t *v = values_new(N_VALUES);
	struct hist h;

	assert_int_equal(hist_init_bits(&h, (1ULL << 40) - 1, 5), 0);
	assert_int_equal(h.counts_len, 592);
	for (size_t i = 0; i < N_VALUES; i++) {
		v[i] = rng_exponential(50000.0);
		hist_record(&h, v[i]);
	}
	qsort(v, N_VALUES, sizeof(*v), cmp_u64);
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		uint64_t exact = exact_percentile(v, N_VALUES, pcts[i].ppm);
		uint64_t got = hist_percentile(&h, pcts[i].p);
		assert_true(got >= exact && got - exact <= exact / 16 + 1);
	}
	for (uint64_t x = 0; x < 32; x++)
		assert_int_equal(hist_highest_equivalent(&h, x), x);
	assert_int_equal(hist_index(&h, 31), 31);
	assert_int_equal(hist_index(&h, 32), 32); /* bucket 1: [32, 64) in steps of 2 */
	assert_int_equal(hist_index(&h, 63), 47);
	assert_int_equal(hist_index(&h, 64), 48);
	assert_int_equal(hist_index(&h, (1ULL << 40) - 1), 591);
	struct hist fine;
	assert_int_equal(hist_init(&fine, (1ULL << 40) - 1), 0);
	assert_int_equal(hist_merge(&fine, &h), -1); /* different layouts never add */
	hist_free(&fine);
	hist_free(&h);
	assert_int_equal(hist_init_bits(&h, 100, 1), -1);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_coarse_bits),
		cmocka_unit_test(test_percentiles_uniform_wide),
		cmocka_unit_test(test_percentiles_exponential),
		cmocka_unit_test(test_percentiles_lognormal),
		cmocka_unit_test(test_percentiles_all_equal),
		cmocka_unit_test(test_percentiles_single_value),
		cmocka_unit_test(test_percentiles_span_1ns_to_1h),
		cmocka_unit_test(test_percentiles_all_zero),
		cmocka_unit_test(test_percentiles_zeros_and_small),
		cmocka_unit_test(test_percentile_rank_is_not_pushed_up),
		cmocka_unit_test(test_moments_known_values),
		cmocka_unit_test(test_extremes_are_exact),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_record_n_equals_n_records),
		cmocka_unit_test(test_reset_empties),
		cmocka_unit_test(test_merge_halves_equals_whole),
		cmocka_unit_test(test_merge_different_highest_fails),
		cmocka_unit_test(test_clamp_above_highest),
		cmocka_unit_test(test_highest_uint64_max),
		cmocka_unit_test(test_bucket_count_from_highest),
		cmocka_unit_test(test_foreach_covers_total),
		cmocka_unit_test(test_foreach_stops_early),
		cmocka_unit_test(test_equivalents_bracket_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
