/* SPDX-License-Identifier: MIT */
/*
 * hist.c - the log-linear histogram of hist.h, laid out as HdrHistogram does it.
 *
 * With 2048 sub-buckets (the default; unit magnitude 0, so the smallest value is 0), bucket 0 holds
 * the values 0..2047 one per counter, and bucket b >= 1 holds [1024 << b, 2048 << b) in
 * 1024 counters of width 2^b: that is why a value and its bucket's top differ by less than
 * 1/1024 of the value. Only the upper half of every bucket after the first is stored (its
 * lower half is covered by the bucket below), so the counters form one flat array:
 *
 *	bucket(v)  = 64 - clz(v | 2047) - 11	the power-of-two range, 0 for v < 2048
 *	sub(v)     = v >> bucket(v)		1024..2047 (0..2047 in bucket 0)
 *	index(v)   = ((bucket + 1) << 10) + (sub - 1024)
 *
 * (HdrHistogram writes 64 - clz: "63 - clz" would put 2047 in bucket -1.) Percentiles walk
 * the counters in order; the exact extremes and sums live beside them, so min, max, mean
 * and stddev are not rounded to buckets and a percentile can be capped by the true max.
 */
#include "hist.h"

#include <errno.h>
#include <float.h>
#include <stdlib.h>
#include <string.h>

/* The layout's constants, from the histogram's sub-bucket bits. */
#define SUB_BITS(h)   ((h)->sub_bits)
#define HALF_BITS(h)  ((h)->sub_bits - 1)
#define HALF_COUNT(h) ((uint64_t)1 << HALF_BITS(h))
#define SUB_MASK(h)   (((uint64_t)1 << SUB_BITS(h)) - 1)

static int bucket_index(const struct hist *h, uint64_t v)
{
	return 64 - __builtin_clzll(v | SUB_MASK(h)) - SUB_BITS(h);
}

size_t hist_index(const struct hist *h, uint64_t v)
{
	int bucket = bucket_index(h, v);
	uint64_t sub = v >> bucket;

	return ((size_t)(bucket + 1) << HALF_BITS(h)) + (size_t)(sub - HALF_COUNT(h));
}

uint64_t hist_index_low(const struct hist *h, size_t i)
{
	int bucket = (int)(i >> HALF_BITS(h)) - 1;
	uint64_t sub = (i & (HALF_COUNT(h) - 1)) + HALF_COUNT(h);

	if (bucket < 0) {
		sub -= HALF_COUNT(h);
		bucket = 0;
	}
	return sub << bucket;
}

int hist_init(struct hist *h, uint64_t highest)
{
	return hist_init_bits(h, highest, HIST_SUB_BUCKET_BITS);
}

int hist_init_bits(struct hist *h, uint64_t highest, int sub_bits)
{
	memset(h, 0, sizeof(*h));
	if (sub_bits < 2 || sub_bits > 16) {
		errno = EINVAL;
		return -1;
	}
	h->sub_bits = sub_bits;
	h->highest = highest;
	h->bucket_count = bucket_index(h, highest) + 1;
	h->counts_len = (size_t)(h->bucket_count + 1) << HALF_BITS(h);
	h->counts = calloc(h->counts_len, sizeof(*h->counts));
	if (!h->counts)
		return -1;
	h->min = UINT64_MAX;
	return 0;
}

void hist_free(struct hist *h)
{
	free(h->counts);
	h->counts = NULL;
	h->counts_len = 0;
}

void hist_reset(struct hist *h)
{
	memset(h->counts, 0, h->counts_len * sizeof(*h->counts));
	h->total = 0;
	h->clamped = 0;
	h->min = UINT64_MAX;
	h->max = 0;
	h->sum = 0;
	h->sum_sq = 0;
}

/*
 * A value above @highest is recorded as @highest everywhere, extremes and sums included,
 * so that every statistic describes the same (clamped) data; @clamped says how many.
 */
void hist_record_n(struct hist *h, uint64_t value, uint64_t n)
{
	long double v;

	if (n == 0)
		return;
	if (value > h->highest) {
		value = h->highest;
		h->clamped += n;
	}
	h->counts[hist_index(h, value)] += n;
	h->total += n;
	if (value < h->min)
		h->min = value;
	if (value > h->max)
		h->max = value;
	v = (long double)value;
	h->sum += v * n;
	h->sum_sq += v * v * n;
}

void hist_record(struct hist *h, uint64_t value)
{
	hist_record_n(h, value, 1);
}

int hist_merge(struct hist *dst, const struct hist *src)
{
	if (dst->highest != src->highest || dst->sub_bits != src->sub_bits ||
	    dst->counts_len != src->counts_len) {
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 0; i < src->counts_len; i++)
		dst->counts[i] += src->counts[i];
	dst->total += src->total;
	dst->clamped += src->clamped;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->sum += src->sum;
	dst->sum_sq += src->sum_sq;
	return 0;
}

/*
 * ceil(p/100 * total), clamped to 1..total. A product that is an integer up to rounding
 * (99.9% of 1000 computes as 999.0000000000001) counts as that integer, so "the 999th"
 * is not pushed to the 1000th by the binary representation of 99.9.
 */
static uint64_t percentile_rank(double p, uint64_t total)
{
	double x = p / 100.0 * (double)total, d;
	uint64_t r;

	if (!(x > 1.0)) /* NaN too */
		return 1;
	if (x >= (double)total)
		return total;
	r = (uint64_t)(x + 0.5);
	d = x - (double)r;
	if (d <= 4 * DBL_EPSILON * x && -d <= 4 * DBL_EPSILON * x)
		return r;
	return (uint64_t)x + 1;
}

uint64_t hist_percentile(const struct hist *h, double p)
{
	uint64_t rank, seen = 0, v;
	size_t i;

	if (h->total == 0)
		return 0;
	rank = percentile_rank(p, h->total);
	for (i = 0; i < h->counts_len - 1; i++) {
		seen += h->counts[i];
		if (seen >= rank)
			break;
	}
	v = hist_highest_equivalent(h, hist_index_low(h, i));
	if (v > h->max)
		v = h->max;
	return v < h->min ? h->min : v; /* a bucket's top is never below min: a guard only */
}

double hist_mean(const struct hist *h)
{
	return h->total ? (double)(h->sum / h->total) : 0.0;
}

/*
 * Newton's method from above: it decreases monotonically until rounding stops it. (Its
 * own square root keeps lib/ free of libm, so every program links it without -lm.)
 */
static long double root(long double v)
{
	long double x = v > 1 ? v : 1, prev;

	if (!(v > 0))
		return 0;
	do {
		prev = x;
		x = (x + v / x) / 2;
	} while (x < prev);
	return prev;
}

/* Population standard deviation; rounding may leave a tiny negative variance: that is 0. */
double hist_stddev(const struct hist *h)
{
	long double mean;

	if (h->total == 0)
		return 0.0;
	mean = h->sum / h->total;
	return (double)root(h->sum_sq / h->total - mean * mean);
}

uint64_t hist_lowest_equivalent(const struct hist *h, uint64_t value)
{
	int bucket = bucket_index(h, value);

	return (value >> bucket) << bucket;
}

/* Cannot overflow: the top bucket's last counter ends exactly at UINT64_MAX. */
uint64_t hist_highest_equivalent(const struct hist *h, uint64_t value)
{
	return hist_lowest_equivalent(h, value) + ((uint64_t)1 << bucket_index(h, value)) - 1;
}

void hist_foreach(const struct hist *h, hist_visit_fn fn, void *arg)
{
	for (size_t i = 0; i < h->counts_len; i++) {
		uint64_t low;

		if (!h->counts[i])
			continue;
		low = hist_index_low(h, i);
		if (!fn(low, hist_highest_equivalent(h, low), h->counts[i], arg))
			return;
	}
}
