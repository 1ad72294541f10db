/* SPDX-License-Identifier: MIT */
/*
 * statistics.h - the statistics every report shares, defined once: exact percentiles
 * of a sample, its mean and spread, and Jain's fairness index.
 *
 * Exact means exact: these work on the values themselves (a few thousand
 * requests, K repeats of a run), where the latency histograms of lib/hist.h
 * trade 3 significant digits for constant memory. (The prefix is statistics_:
 * stats_ is servers/stats.h's, the --stats counters of another floor.)
 */
#ifndef HERD_METRICS_STATISTICS_H
#define HERD_METRICS_STATISTICS_H

#include <stddef.h>
#include <stdint.h>

/* A sample summarised: mean and spread. */
struct spread {
	size_t n;	 /* values */
	double mean;	 /* arithmetic mean (NAN when n == 0) */
	double sd;	 /* sample standard deviation, n - 1 in the denominator (0 when n < 2) */
	double min, max; /* extremes (NAN when n == 0) */
};

/* Mean and spread of @n values; NAN values are left out. */
struct spread statistics_spread(const double *v, size_t n);

/* Sort @n values ascending, in place. */
void statistics_sort(double *v, size_t n);

/*
 * The @p-th percentile (0..100) of @n values sorted ascending, by nearest rank:
 * the smallest value with at least p% of the sample at or below it. p = 0 gives
 * the minimum, p = 100 the maximum; NAN for an empty sample.
 */
double statistics_percentile(const double *sorted, size_t n, double p);

/* Jain's fairness index of @n values: (sum x)^2 / (n * sum x^2). 1 when all are
 * equal, 1/n when one has everything; 0 for an empty or all-zero sample. */
double statistics_jain(const uint64_t *x, size_t n);

#endif
