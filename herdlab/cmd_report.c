/* SPDX-License-Identifier: MIT */
/*
 * cmd_report.c - herdlab report: one run directory, explained.
 *
 *	herdlab report [--format text|md|html|json] [--out FILE] [--no-plots] DIR
 *
 * Reads DIR's run.json and tables (rundir.h), redoes the join and writes the
 * report (runreport.h). Figures are drawn into DIR/plots: linked from text and
 * Markdown, inline in HTML (a page that stands alone).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "outfile.h"
#include "runreport.h"
#include "rundir.h"

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
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "out", required_argument, NULL, 'o' },
		{ "no-plots", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "text", *out = NULL;
	bool plots = true, json;
	enum doc_format fmt = DOC_TEXT;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'n':
			plots = false;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	json = !strcmp(format, "json");
	if (!json && doc_format_parse(format, &fmt) < 0) {
		fprintf(stderr, "herdlab report: unknown format '%s' (text, md, html or json)\n",
			format);
		return 2;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "herdlab report: one run directory, please\n");
		usage(stderr);
		return 2;
	}

	struct rundir rd;
	if (rundir_load(&rd, argv[optind], true) < 0)
		return 1;
	char plot_dir[PATH_MAX + 8], link[PATH_MAX + 8], outdir[PATH_MAX];
	snprintf(plot_dir, sizeof(plot_dir), "%s/plots", rd.path);
	/* Links are relative to the report: "plots" beside it, else the run's own. */
	outfile_dirname(out ? out : "", outdir, sizeof(outdir));
	snprintf(link, sizeof(link), "%s", out && !strcmp(outdir, rd.path) ? "plots" : plot_dir);

	struct outfile o;
	int rc = outfile_open(&o, out);
	if (rc == 0) {
		if (json) {
			json_t *j = report_json(&rd);
			rc = j && json_dumpf(j, o.f, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) == 0
				     ? 0
				     : -1;
			fputc('\n', o.f);
			json_decref(j);
		} else {
			rc = report_write(&rd, fmt, o.f, plots ? plot_dir : NULL, link, true);
		}
		rc = outfile_close(&o, rc == 0);
	}
	rundir_free(&rd);
	return rc < 0 ? 1 : 0;
}
