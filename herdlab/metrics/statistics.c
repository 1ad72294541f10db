/* SPDX-License-Identifier: MIT */
/* statistics.c - exact percentiles, mean and spread, Jain's index (statistics.h). */
#include <math.h>
#include <stdlib.h>

#include "metrics/statistics.h"

struct spread statistics_spread(const double *v, size_t n)
{
	struct spread s = { 0, NAN, 0, NAN, NAN };
	double sum = 0;

	for (size_t i = 0; i < n; i++) {
		if (isnan(v[i]))
			continue;
		sum += v[i];
		s.min = s.n && s.min <= v[i] ? s.min : v[i];
		s.max = s.n && s.max >= v[i] ? s.max : v[i];
		s.n++;
	}
	if (!s.n)
		return s;
	s.mean = sum / (double)s.n;
	if (s.n < 2)
		return s;
	double sq = 0; /* two passes: no catastrophic cancellation */
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]))
			sq += (v[i] - s.mean) * (v[i] - s.mean);
	s.sd = sqrt(sq / (double)(s.n - 1));
	return s;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void statistics_sort(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
}

double statistics_percentile(const double *sorted, size_t n, double p)
{
	if (!n)
		return NAN;
	if (p <= 0)
		return sorted[0];
	double rank = ceil(p / 100.0 * (double)n); /* 1-based */
	size_t i = rank < 1 ? 0 : (size_t)rank - 1;
	return sorted[i < n ? i : n - 1];
}

double statistics_jain(const uint64_t *x, size_t n)
{
	double sum = 0, sum_sq = 0;

	for (size_t i = 0; i < n; i++) {
		sum += (double)x[i];
		sum_sq += (double)x[i] * (double)x[i];
	}
	return sum_sq > 0 ? sum * sum / ((double)n * sum_sq) : 0.0;
}
