/* SPDX-License-Identifier: MIT */
/*
 * hist.h - a log-linear latency histogram, HdrHistogram style.
 *
 * Values are non-negative integers (nanoseconds or microseconds: the caller picks
 * the unit). By default every value is kept to 3 significant decimal digits: each
 * power-of-two range [2^k, 2^(k+1)) is split into 1024 equal sub-buckets (2048 for
 * the first), so a recorded value and the value a percentile reports differ by less
 * than 1/1024. hist_init_bits() picks a coarser split with the same layout: the
 * tracer's kernel-side histograms use 5 bits (16 sub-buckets, 1/16), small enough
 * to live in a BPF map, and are read back into one of these.
 * Histograms with the same highest trackable value merge by adding counts, so
 * per-thread histograms can be recorded without locks and merged at the end.
 * min, max, mean and stddev are exact (kept beside the buckets).
 */
#ifndef HERD_HIST_H
#define HERD_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HIST_SUB_BUCKET_BITS 11 /* 2048 sub-buckets: 3 significant digits */

struct hist {
	int sub_bits;	    /* log2 of the sub-buckets of the first range (HIST_SUB_BUCKET_BITS) */
	uint64_t highest;   /* highest trackable value; larger ones are clamped to it */
	int bucket_count;   /* power-of-two ranges needed to reach @highest */
	size_t counts_len;  /* number of counters in @counts */
	uint64_t *counts;   /* the buckets */
	uint64_t total;	    /* values recorded */
	uint64_t clamped;   /* of which were above @highest */
	uint64_t min, max;  /* exact extremes (min is UINT64_MAX while empty) */
	long double sum;    /* for the exact mean */
	long double sum_sq; /* for the exact standard deviation */
};

/* @highest: e.g. 3600 * NSEC_PER_SEC for latencies in ns up to an hour. */
int hist_init(struct hist *h, uint64_t highest);
/* The same with 2^@sub_bits sub-buckets (2 <= @sub_bits <= 16): resolution 2^-(sub_bits - 1). */
int hist_init_bits(struct hist *h, uint64_t highest, int sub_bits);
/* The counter @value is counted in (the layout every histogram of these bits shares),
 * and the lowest value counter @i stands for (its inverse). */
size_t hist_index(const struct hist *h, uint64_t value);
uint64_t hist_index_low(const struct hist *h, size_t i);
void hist_free(struct hist *h);
void hist_reset(struct hist *h);

void hist_record(struct hist *h, uint64_t value);
void hist_record_n(struct hist *h, uint64_t value, uint64_t n);

/* dst += src. Both must have the same @highest; returns -1 (EINVAL) otherwise. */
int hist_merge(struct hist *dst, const struct hist *src);

/*
 * Nearest-rank percentile, 0 < p <= 100: the value at rank ceil(p/100 * total) in
 * sorted order, reported as the highest value equivalent to it (its bucket's top),
 * capped by the exact max. 0 when empty.
 */
uint64_t hist_percentile(const struct hist *h, double p);
double hist_mean(const struct hist *h);
double hist_stddev(const struct hist *h);

/* The range of values that share @value's bucket. */
uint64_t hist_lowest_equivalent(const struct hist *h, uint64_t value);
uint64_t hist_highest_equivalent(const struct hist *h, uint64_t value);

/* Walk the non-empty buckets in increasing order; return false to stop early. */
typedef bool (*hist_visit_fn)(uint64_t low, uint64_t high, uint64_t count, void *arg);
void hist_foreach(const struct hist *h, hist_visit_fn fn, void *arg);

#endif
