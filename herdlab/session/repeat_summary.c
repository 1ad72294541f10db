/* SPDX-License-Identifier: MIT */
/*
 * repeat_summary.c - herdlab run --repeat K's summary (repeat_summary.h).
 *
 * The K run directories are loaded back as `herdlab compare` would load them
 * and compared in one document (report/compare.h), written as markdown and
 * HTML with their figures under DIR/plots, and as JSON; since the K runs are
 * repeats of one configuration, the comparison closes with mean and spread.
 */
#include "session/repeat_summary.h"

#include <limits.h>
#include <stdlib.h>

#include "jsonio.h"
#include "path.h"
#include "report/compare.h"
#include "report/outfile.h"
#include "session/rundir.h"

/* --repeat K: DIR/summary.{md,html,json}, the K runs compared, mean and spread. */
int repeat_summary_write(const char *dir, int k)
{
	struct rundir *runs = calloc((size_t)k, sizeof(*runs));
	static const char *const names[] = { "summary.md", "summary.html" };
	char path[PATH_MAX], plots[PATH_MAX];
	int loaded = 0, rc = -1;

	if (!runs)
		return -1;
	for (; loaded < k; loaded++) {
		char rep[PATH_MAX];
		if (path_fmt(rep, sizeof(rep), "%s/rep-%d", dir, loaded + 1) < 0 ||
		    rundir_load(&runs[loaded], rep, false) < 0)
			goto out;
	}
	if (path_join(plots, sizeof(plots), dir, "plots") < 0)
		goto out;
	rc = 0;
	for (int i = 0; i < 2; i++) {
		struct outfile f;
		if (path_join(path, sizeof(path), dir, names[i]) < 0 ||
		    outfile_open(&f, path) < 0) {
			rc = -1;
			continue;
		}
		int w = compare_write(runs, (size_t)k, i ? DOC_HTML : DOC_MD, f.f, plots, "plots");
		rc |= outfile_close(&f, w == 0);
	}
	json_t *j = compare_json(runs, (size_t)k);
	rc |= j && path_join(path, sizeof(path), dir, "summary.json") == 0 ? jsonio_save(j, path)
									   : -1;
	json_decref(j);
out:
	for (int i = 0; i < loaded; i++)
		rundir_free(&runs[i]);
	free(runs);
	return rc < 0 ? -1 : 0;
}
