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
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "compare.h"
#include "log.h"
#include "outfile.h"
#include "rundir.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: herdlab compare [--format text|md|html|json] [--out FILE] [--no-plots] "
		   "DIR...\n"
		   "  DIR...         run directories (herdlab run --out DIR), the first is the "
		   "baseline\n"
		   "  --format F     text (default), md, html (self-contained) or json\n"
		   "  --out FILE     write FILE (whole or not at all); figures go to plots/ beside "
		   "it\n"
		   "  --no-plots     no figures\n");
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

int cmd_compare(int argc, char **argv)
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
	int c, rc = 1;

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
		fprintf(stderr, "herdlab compare: unknown format '%s' (text, md, html or json)\n",
			format);
		return 2;
	}
	size_t n = (size_t)(argc - optind);
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
		if (rundir_load(&runs[loaded], argv[optind + (int)loaded], false) < 0)
			goto out;

	/* Figures: beside the output file, or in a scratch directory HTML inlines. */
	char plot_dir[PATH_MAX + 8] = "", scratch[] = "/tmp/herdlab-compare.XXXXXX";
	bool temp = false;
	if (plots && !json && fmt != DOC_TEXT) {
		if (out) {
			char dir[PATH_MAX];
			outfile_dirname(out, dir, sizeof(dir));
			snprintf(plot_dir, sizeof(plot_dir), "%s/plots", dir);
		} else if (fmt == DOC_HTML && mkdtemp(scratch)) {
			snprintf(plot_dir, sizeof(plot_dir), "%s", scratch);
			temp = true;
		}
	}
	struct outfile o;
	if (outfile_open(&o, out) == 0) {
		int w;
		if (json) {
			json_t *j = compare_json(runs, n);
			w = j && json_dumpf(j, o.f, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) == 0
				    ? 0
				    : -1;
			fputc('\n', o.f);
			json_decref(j);
		} else {
			w = compare_write(runs, n, fmt, o.f, plot_dir[0] ? plot_dir : NULL,
					  out ? "plots" : plot_dir);
		}
		rc = outfile_close(&o, w == 0) < 0;
	}
	if (temp)
		nftw(scratch, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
out:
	for (size_t i = 0; i < loaded; i++)
		rundir_free(&runs[i]);
	free(runs);
	return rc;
}
