/* SPDX-License-Identifier: MIT */
/*
 * cmd_report.c - herdlab report: one run directory, explained.
 *
 *	herdlab report [--format text|md|html|json] [--out FILE] [--no-plots] DIR
 *
 * Reads DIR's run.json and tables (rundir.h), redoes the join and writes the
 * report (runreport.h). Figures are drawn into DIR/plots: linked from text and
 * Markdown, inline in HTML (a page that stands alone). Exit status 0 for a
 * whole report; 1 when nothing could be written, or the report is partial (a
 * table unreadable, rows rejected: it is written, and says so on its first
 * line); 2 for a usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "path.h"
#include "report/outfile.h"
#include "report/plot.h"
#include "report/readout.h"
#include "report/runreport.h"
#include "session/rundir.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: herdlab report [--format text|md|html|json] [--out FILE] [--no-plots] DIR\n"
		"  DIR            a run directory (herdlab run --out DIR)\n"
		"  --format F     text (default), md, html (self-contained) or json\n"
		"  --out FILE     write FILE (whole or not at all) instead of standard output\n"
		"  --no-plots     no figures (otherwise drawn with gnuplot into DIR/plots)\n");
}

int cmd_report(int argc, char **argv)
{
	struct output_opts opt;
	int first = output_opts_parse(argc, argv, "report", false, usage, &opt);

	if (first < 0)
		return 2;
	if (first != argc - 1) {
		fprintf(stderr, "herdlab report: one run directory, please\n");
		usage(stderr);
		return 2;
	}

	struct rundir rd;
	if (rundir_load(&rd, argv[first], true) < 0)
		return 1;
	char plot_dir[PATH_MAX + 8], link[PATH_MAX + 8], outdir[PATH_MAX];
	snprintf(plot_dir, sizeof(plot_dir), "%s/plots", rd.path);
	/* Links are relative to the report: "plots" beside it, else the run's own. */
	path_dirname(opt.out ? opt.out : "", outdir, sizeof(outdir));
	snprintf(link, sizeof(link), "%s",
		 opt.out && !strcmp(outdir, rd.path) ? "plots" : plot_dir);

	struct outfile o;
	int rc = outfile_open(&o, opt.out);
	if (rc == 0) {
		if (opt.json) {
			rc = outfile_json(&o, report_json(&rd));
		} else {
			rc = report_write(&rd, opt.fmt, o.f, opt.plots ? plot_dir : NULL, link,
					  true);
		}
		/* A figure that could not be written (said) fails the whole document. */
		rc = outfile_close(&o, rc == 0 && !plot_failed_writes());
	}
	/* A partial report is written, and says so on its first line, but is not a success. */
	if (rc == 0 && report_partial(&rd)) {
		char why[320];
		log_warn("the report of %s is partial: %s", rd.path,
			 report_partial_reason(&rd, why, sizeof(why)));
		rc = -1;
	}
	rundir_free(&rd);
	return rc < 0 ? 1 : 0;
}
