/* SPDX-License-Identifier: MIT */
/*
 * plot.h - the reports' figures, drawn by gnuplot as SVG files.
 *
 * Each call writes one self-contained SVG (the data travels inside the script
 * as a datablock), whole or not at all: gnuplot draws into a temporary file
 * that takes the figure's name when it has succeeded (files.h's afile) and
 * its output is whole (ends with </svg>: gnuplot exits 0 after a failed write).
 * A missing or failing gnuplot costs the figure, never the report: the call
 * says why and returns -1; a figure that could not be written is counted too.
 */
#ifndef HERD_PLOT_H
#define HERD_PLOT_H

#include <stddef.h>

/*
 * How many figures could not be written since the program started (a file that
 * could not be created, or gnuplot's output cut off: a full disk). A command
 * that drew figures fails when this is not 0; a missing gnuplot is not counted
 * (the reports go without figures, and say so once).
 */
unsigned plot_failed_writes(void);

/* One line of a CDF: the sample (any order; not modified). */
struct plot_series {
	const char *name;
	const double *v;
	size_t n;
};

/*
 * Cumulative distributions on a log x axis (values <= 0 drawn at the axis' left
 * end). Like every figure here it has no title of its own: the document's
 * caption names it, the axes say in what.
 */
int plot_cdf(const char *svg, const char *xlabel, const struct plot_series *s, size_t nseries);

/* A bar chart's axes, the values written on its bars, and a reference line. */
struct plot_axes {
	const char *xlabel;    /* under the groups (NULL: none) */
	const char *ylabel;    /* what a bar's height is */
	int prec;	       /* decimals of the value over each bar (0: counts, 12k) */
	double ref;	       /* a dashed line at this height (0: none), e.g. 1 task per ... */
	const char *ref_label; /* what it means, in the key above the plot */
};

/*
 * Bars: @ngroups groups of @nseries bars each, v[group * nseries + series]; NAN
 * leaves a bar out. One series draws plain bars, several a clustered chart with
 * a key. Long group labels are turned to end under their bars.
 */
int plot_bars(const char *svg, const struct plot_axes *ax, const char *const *groups,
	      size_t ngroups, const char *const *series, size_t nseries, const double *v);

/* A step function: y[i] holds from x[i] to x[i + 1]. */
int plot_steps(const char *svg, const char *xlabel, const char *ylabel, const double *x,
	       const double *y, size_t n);

/*
 * Several step functions over one x, with a key: series s holds y[i * nseries + s]
 * from x[i] to x[i + 1] (prefork-dynamic's idle, busy and total children over time).
 */
int plot_steps_multi(const char *svg, const char *xlabel, const char *ylabel, const double *x,
		     const double *y, size_t n, const char *const *series, size_t nseries);

#endif
