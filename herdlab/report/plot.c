/* SPDX-License-Identifier: MIT */
/* plot.c - figures with gnuplot (plot.h). */
#include "report/plot.h"

#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "files.h"
#include "log.h"
#include "metrics/statistics.h"

#define CDF_POINTS 1000 /* a CDF drawn through this many quantiles, whatever the sample */

static unsigned failed_writes; /* figures that could not be written (plot_failed_writes) */

unsigned plot_failed_writes(void)
{
	return failed_writes;
}

/* A string inside gnuplot's double quotes: no quote, backslash or newline survives. */
static void put_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++)
		fputc(*s == '"' ? '\'' : *s == '\\' || *s == '\n' ? ' ' : *s, f);
	fputc('"', f);
}

/*
 * The terminal, the output file and the common style. No title: the document's
 * caption says what a figure is, and its axes say in what, so that nothing is
 * said twice. The font is 13 px at the figure's own size, which the pages show
 * at that size or larger (readable at 100%).
 */
static void prologue(FILE *f, const char *out)
{
	fputs("set terminal svg size 760,420 dynamic enhanced font 'sans,13' background "
	      "'#ffffff'\n",
	      f);
	fputs("set output ", f);
	put_quoted(f, out);
	fputs("\nset encoding utf8\nset grid ytics lc rgb '#dddddd'\nset border 3\n"
	      "set tics nomirror\nset key noenhanced\nset datafile separator '\\t'\n"
	      "set linetype 1 lc rgb '#1f77b4' lw 2\nset linetype 2 lc rgb '#d62728' lw 2\n"
	      "set linetype 3 lc rgb '#2ca02c' lw 2\nset linetype 4 lc rgb '#ff7f0e' lw 2\n"
	      "set linetype 5 lc rgb '#9467bd' lw 2\nset linetype 6 lc rgb '#8c564b' lw 2\n"
	      "set linetype cycle 6\n",
	      f);
}

/* Whether gnuplot is on the PATH; said once when it is not (a guest has none). */
static bool have_gnuplot(void)
{
	static int known = -1;
	const char *path = getenv("PATH");
	char dir[PATH_MAX];

	if (known >= 0)
		return known;
	known = 0;
	for (const char *p = path ? path : "/usr/bin:/bin"; *p && !known;) {
		size_t len = strcspn(p, ":");
		snprintf(dir, sizeof(dir), "%.*s/gnuplot", (int)len, p);
		known = access(dir, X_OK) == 0;
		p += len + (p[len] == ':');
	}
	if (!known)
		log_info("gnuplot is not installed: the reports go without figures");
	return known;
}

/*
 * Whether gnuplot wrote all of @file: it ends with </svg>. gnuplot exits 0 even
 * when its writes failed (a full disk leaves it an empty or cut-off file), so its
 * status alone does not say the figure is there.
 */
static bool whole_svg(const char *file, const char *svg)
{
	struct statvfs fs;
	size_t len;
	char *text = files_read(file, &len);
	int err = errno;

	while (text && len && (text[len - 1] == '\n' || text[len - 1] == ' '))
		text[--len] = 0;
	bool whole = text && len >= 6 && !strcmp(text + len - 6, "</svg>");
	if (!text)
		log_warn("cannot write %s: its temporary file %s cannot be read back: %s", svg,
			 file, strerror(err));
	else if (!whole)
		log_warn("cannot write %s: gnuplot's output was cut off at %zu bytes%s", svg, len,
			 statvfs(file, &fs) == 0 && fs.f_bavail == 0 ? " (its file system is full)"
								     : "");
	free(text);
	return whole;
}

/*
 * Run the script @write produces through gnuplot, into @svg. The script goes to
 * gnuplot's standard input; its complaints go to ours. gnuplot writes the
 * temporary file of an afile (files.h), which takes @svg's name only once
 * gnuplot has succeeded: a failed or interrupted drawing leaves no half figure
 * over a good one. (An @svg that is a device is written in place.)
 */
static int render(const char *svg, void (*write)(FILE *f, const void *arg), const void *arg)
{
	struct afile a;

	if (!have_gnuplot())
		return -1;
	if (afile_open(&a, svg) < 0) {
		log_warn("cannot write %s: %m", svg);
		failed_writes++;
		return -1;
	}
	FILE *g = popen("gnuplot", "w");
	if (!g) {
		log_warn("cannot run gnuplot for %s: %m", svg);
		afile_close(&a, false);
		return -1;
	}
	prologue(g, a.tmp[0] ? a.tmp : a.path);
	write(g, arg);
	int status = pclose(g);
	bool ok = status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (!ok)
		log_warn("gnuplot failed drawing %s (status %#x)%s", svg, status,
			 WIFEXITED(status) && WEXITSTATUS(status) == 127 ? ": is gnuplot installed?"
									 : "");
	else if (a.tmp[0] && !whole_svg(a.tmp, svg)) {
		ok = false; /* said by whole_svg() */
		failed_writes++;
	}
	if (afile_close(&a, ok) < 0) {
		if (ok) {
			log_warn("cannot write %s: %m", svg);
			failed_writes++;
		}
		return -1;
	}
	return 0;
}

/* ---- CDFs ------------------------------------------------------------------------------ */

struct cdf_args {
	const char *xlabel;
	const struct plot_series *s;
	size_t n;
};

static void write_cdf(FILE *f, const void *arg)
{
	const struct cdf_args *a = arg;
	double lo = INFINITY;

	fputs("set xlabel noenhanced ", f);
	put_quoted(f, a->xlabel);
	fputs("\nset ylabel 'requests at or below (%)'\nset logscale x 10\nset yrange [0:100]\n"
	      "set key right bottom\n",
	      f);
	for (size_t k = 0; k < a->n; k++) {
		double *v = malloc((a->s[k].n + 1) * sizeof(*v));
		if (!v)
			continue;
		memcpy(v, a->s[k].v, a->s[k].n * sizeof(*v));
		statistics_sort(v, a->s[k].n);
		fprintf(f, "$s%zu << EOD\n", k);
		for (int q = 0; a->s[k].n && q <= CDF_POINTS; q++) {
			double p = 100.0 * q / CDF_POINTS,
			       x = statistics_percentile(v, a->s[k].n, p);
			if (x > 0 && x < lo)
				lo = x;
			fprintf(f, "%.6g\t%.4f\n", x > 0 ? x : NAN, p);
		}
		fputs("EOD\n", f);
		free(v);
	}
	if (isfinite(lo))
		fprintf(f, "set xrange [%g:*]\n", lo * 0.8);
	fputs("plot ", f);
	for (size_t k = 0; k < a->n; k++) {
		fprintf(f, "%s$s%zu using 1:2 with lines title ", k ? ", " : "", k);
		put_quoted(f, a->s[k].name);
	}
	fputc('\n', f);
}

int plot_cdf(const char *svg, const char *xlabel, const struct plot_series *s, size_t nseries)
{
	struct cdf_args a = { xlabel, s, nseries };

	return render(svg, write_cdf, &a);
}

/* ---- bars ------------------------------------------------------------------------------ */

struct bar_args {
	const struct plot_axes *ax;
	const char *const *groups, *const *series;
	size_t ngroups, nseries;
	const double *v;
};

/*
 * A value as written on its bar: @prec decimals, large counts shortened (12k,
 * 1.2M); on a @crowded chart (bars too narrow for four digits) from 1000 on (8.1k).
 */
static void bar_value(char *buf, size_t len, double v, int prec, bool crowded)
{
	if (prec == 0 && fabs(v) >= 1e6)
		snprintf(buf, len, "%.1fM", v / 1e6);
	else if (prec == 0 && fabs(v) >= 1e4)
		snprintf(buf, len, "%.0fk", v / 1e3);
	else if (prec == 0 && crowded && fabs(v) >= 1e3)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else
		snprintf(buf, len, "%.*f", prec, v);
}

/* The widest group label, in characters: long ones are turned to fit under their bars. */
static size_t widest(const char *const *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		w = strlen(s[i]) > w ? strlen(s[i]) : w;
	return w;
}

static void write_bars(FILE *f, const void *arg)
{
	const struct bar_args *a = arg;
	const struct plot_axes *ax = a->ax;
	double top = ax->ref > 0 ? ax->ref : 0;
	char text[32];

	for (size_t i = 0; i < a->ngroups * a->nseries; i++)
		top = !isnan(a->v[i]) && a->v[i] > top ? a->v[i] : top;
	fputs("set style data histograms\nset style histogram clustered gap 1\n"
	      "set style fill solid 0.85 border -1\nset boxwidth 0.9\nset key above\n",
	      f);
	/* Room above the highest bar for its value; a reference line inside the frame. */
	fprintf(f, "set yrange [0:%g]\n", top > 0 ? top * 1.15 : 1);
	if (ax->xlabel) {
		fputs("set xlabel noenhanced ", f);
		put_quoted(f, ax->xlabel);
		fputc('\n', f);
	}
	fputs("set ylabel noenhanced ", f);
	put_quoted(f, ax->ylabel);
	/* Labels too long to stand side by side end under their bar, turned 30 degrees. */
	fputs(widest(a->groups, a->ngroups) * a->ngroups > 60 ? "\nset xtics noenhanced rotate by "
								"30 right\n"
							      : "\nset xtics noenhanced\n",
	      f);
	/* Rotated labels reach left of the first bar: leave them room. */
	if (widest(a->groups, a->ngroups) * a->ngroups > 60) {
		size_t w = widest(a->groups, a->ngroups) * 8 / 10;
		fprintf(f, "set lmargin %zu\n", w < 10 ? 10 : w > 30 ? 30 : w);
	}
	if (a->nseries == 1 && !(ax->ref > 0))
		fputs("set key off\n", f);
	/* Each row: the group's label, then each series' value and its text. */
	fputs("$d << EOD\n", f);
	for (size_t g = 0; g < a->ngroups; g++) {
		for (const char *c = a->groups[g]; *c; c++)
			fputc(*c == '\t' || *c == '\n' ? ' ' : *c, f);
		for (size_t s = 0; s < a->nseries; s++) {
			double v = a->v[g * a->nseries + s];
			bar_value(text, sizeof(text), v, ax->prec, a->ngroups * a->nseries > 12);
			if (isnan(v))
				fputs("\tNaN\t", f);
			else
				fprintf(f, "\t%.6g\t%s", v, text);
		}
		fputc('\n', f);
	}
	fputs("EOD\nplot ", f);
	for (size_t s = 0; s < a->nseries; s++) {
		fprintf(f, "%s$d using %zu:xtic(1) ", s ? ", " : "", 2 * s + 2);
		if (a->nseries == 1) { /* the caption says what the bars are */
			fputs("notitle", f);
			continue;
		}
		fputs("title ", f);
		put_quoted(f, a->series[s]);
	}
	/* The reference line, said in the key above the plot (never over a bar). */
	if (ax->ref > 0) {
		fprintf(f, ", %g with lines dt 2 lw 1.5 lc rgb '#444444' title ", ax->ref);
		put_quoted(f, ax->ref_label ? ax->ref_label : "");
	}
	/* The values, over the middle of each bar: a cluster of n bars spans n + gap units. */
	for (size_t s = 0; s < a->nseries; s++)
		fprintf(f,
			", $d using ($0 + (%zu - %g) / %zu.0):%zu:%zu with labels offset 0,0.6 "
			"notitle",
			s, ((double)a->nseries - 1) / 2, a->nseries + 1, 2 * s + 2, 2 * s + 3);
	fputc('\n', f);
}

int plot_bars(const char *svg, const struct plot_axes *ax, const char *const *groups,
	      size_t ngroups, const char *const *series, size_t nseries, const double *v)
{
	struct bar_args a = { ax, groups, series, ngroups, nseries, v };

	if (!ngroups || !nseries)
		return -1;
	return render(svg, write_bars, &a);
}

/* ---- steps ----------------------------------------------------------------------------- */

struct step_args {
	const char *xlabel, *ylabel;
	const double *x, *y;
	size_t n;
};

static void write_steps(FILE *f, const void *arg)
{
	const struct step_args *a = arg;

	fputs("set xlabel noenhanced ", f);
	put_quoted(f, a->xlabel);
	fputs("\nset ylabel noenhanced ", f);
	put_quoted(f, a->ylabel);
	fputs("\nset yrange [0:*]\nset key off\n$d << EOD\n", f);
	for (size_t i = 0; i < a->n; i++)
		fprintf(f, "%.6g\t%.6g\n", a->x[i], a->y[i]);
	fputs("EOD\nplot $d using 1:2 with steps\n", f);
}

int plot_steps(const char *svg, const char *xlabel, const char *ylabel, const double *x,
	       const double *y, size_t n)
{
	struct step_args a = { xlabel, ylabel, x, y, n };

	if (!n)
		return -1;
	return render(svg, write_steps, &a);
}

/* ---- several steps ---------------------------------------------------------------------- */

struct multi_step_args {
	const char *xlabel, *ylabel;
	const double *x, *y;
	size_t n;
	const char *const *series;
	size_t nseries;
};

static void write_steps_multi(FILE *f, const void *arg)
{
	const struct multi_step_args *a = arg;

	fputs("set xlabel noenhanced ", f);
	put_quoted(f, a->xlabel);
	fputs("\nset ylabel noenhanced ", f);
	put_quoted(f, a->ylabel);
	fputs("\nset yrange [0:*]\nset key top right noenhanced\n$d << EOD\n", f);
	for (size_t i = 0; i < a->n; i++) {
		fprintf(f, "%.6g", a->x[i]);
		for (size_t s = 0; s < a->nseries; s++)
			fprintf(f, "\t%.6g", a->y[i * a->nseries + s]);
		fputc('\n', f);
	}
	fputs("EOD\nplot ", f);
	for (size_t s = 0; s < a->nseries; s++) {
		fprintf(f, "%s$d using 1:%zu with steps lw 1.5 title ", s ? ", " : "", s + 2);
		put_quoted(f, a->series[s]);
	}
	fputc('\n', f);
}

int plot_steps_multi(const char *svg, const char *xlabel, const char *ylabel, const double *x,
		     const double *y, size_t n, const char *const *series, size_t nseries)
{
	struct multi_step_args a = { xlabel, ylabel, x, y, n, series, nseries };

	if (!n || !nseries)
		return -1;
	return render(svg, write_steps_multi, &a);
}
