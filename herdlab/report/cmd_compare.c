/* SPDX-License-Identifier: MIT */
/*
 * cmd_compare.c - herdlab compare: several run directories side by side.
 *
 *	herdlab compare [--format text|md|html|json] [--out FILE] [--no-plots] DIR...
 *
 * One row per run, the key metrics in columns, the best of each marked, then
 * the same as ratios to the first run (compare.h). Figures (md, html): one bar
 * chart per headline metric, grouped by model when the runs span kernels;
 * drawn beside --out FILE in plots/, or inline only for HTML on stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "files.h"
#include "log.h"
#include "path.h"
#include "report/compare.h"
#include "report/findings.h"
#include "report/outfile.h"
#include "report/plot.h"
#include "session/rundir.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: herdlab compare [--format text|md|html|json] [--out FILE] [--no-plots]\n"
		   "                       [--findings | --findings-only] DIR...\n"
		   "  DIR...         run directories (herdlab run --out DIR), the first is the "
		   "baseline\n"
		   "  --format F     text (default), md, html (self-contained) or json\n"
		   "  --out FILE     write FILE (whole or not at all); figures go to plots/ beside "
		   "it\n"
		   "  --no-plots     no figures\n"
		   "  --findings     after the tables, what the runs show, in words made from "
		   "their numbers\n"
		   "                 (the thundering herd: herd factor, futile wakeups, locks, "
		   "fairness)\n"
		   "  --findings-only  the findings without the tables (the demo's closing "
		   "words)\n");
}

int cmd_compare(int argc, char **argv)
{
	struct output_opts opt;
	int first = output_opts_parse(argc, argv, "compare", true, usage, &opt), rc = 1;

	if (first < 0)
		return 2;
	size_t n = (size_t)(argc - first);
	if (!n) {
		fprintf(stderr, "herdlab compare: which runs? give one or more run directories\n");
		usage(stderr);
		return 2;
	}
	struct rundir *runs = calloc(n, sizeof(*runs));
	if (!runs)
		die("out of memory");
	size_t loaded = 0;
	for (; loaded < n; loaded++)
		if (rundir_load(&runs[loaded], argv[first + (int)loaded], false) < 0)
			goto out;

	/* Figures: beside the output file, or in a scratch directory HTML inlines. */
	char plot_dir[PATH_MAX + 8] = "", scratch[] = "/tmp/herdlab-compare.XXXXXX";
	bool temp = false;
	if (opt.plots && !opt.json && opt.fmt != DOC_TEXT) {
		if (opt.out) {
			char dir[PATH_MAX];
			path_dirname(opt.out, dir, sizeof(dir));
			snprintf(plot_dir, sizeof(plot_dir), "%s/plots", dir);
		} else if (opt.fmt == DOC_HTML && mkdtemp(scratch)) {
			snprintf(plot_dir, sizeof(plot_dir), "%s", scratch);
			temp = true;
		} else if (opt.fmt == DOC_HTML) {
			log_warn("cannot make a directory for the figures (%s): %m; none drawn",
				 scratch);
		}
	}
	struct outfile o;
	if (outfile_open(&o, opt.out) == 0) {
		int w;
		if (opt.json) {
			w = outfile_json(&o, compare_json(runs, n));
		} else {
			w = compare_write_findings(
				runs, n, opt.fmt, o.f, plot_dir[0] ? plot_dir : NULL,
				opt.out ? "plots" : plot_dir, opt.findings ? &herd_findings : NULL,
				opt.tables);
		}
		/* A figure that could not be written (said) fails the whole document. */
		rc = outfile_close(&o, w == 0 && !plot_failed_writes()) < 0;
	}
	if (temp)
		files_rmtree(scratch);
out:
	for (size_t i = 0; i < loaded; i++)
		rundir_free(&runs[i]);
	free(runs);
	return rc;
}
