/* SPDX-License-Identifier: MIT */
/*
 * finish.c - what a whole matrix writes once its kernels have run (matrix.h):
 *
 *	comparison.txt, .md, .html   herdlab compare over every run directory,
 *	                             model by model, each model's kernels side by side
 *	kernels.json                 with what the comparison wrote, or why not
 *	kernels.md                   the kernels and what changes between them (kmd.c),
 *	                             also printed
 *
 * Each file appears whole or not at all (report/outfile.h, jsonio).
 */
#include <stdio.h>
#include <stdlib.h>

#include "jsonio.h"
#include "kernels/kjson.h"
#include "kernels/kmd.h"
#include "kernels/matrix.h"
#include "progress.h"
#include "log.h"
#include "report/compare.h"
#include "report/outfile.h"
#include "session/rundir.h"

/* compare_write() over every run directory into comparison.EXT; what it wrote, or why not. */
static json_t *compare(const struct kernels_opts *o, const struct kresult *kr, int nk,
		       const char *out)
{
	static const struct {
		enum doc_format fmt;
		const char *file; /* under OUT */
		const char *key;  /* its name in kernels.json's "comparison" */
	} formats[] = { { DOC_TEXT, "comparison.txt", "text" },
			{ DOC_MD, "comparison.md", "md" },
			{ DOC_HTML, "comparison.html", "html" } };
	struct rundir *runs = calloc((size_t)(o->nmodels * nk) + 1, sizeof(*runs));
	char path[PATH_MAX + 32], plots[PATH_MAX + 8];
	json_t *files = json_object();
	int nd = 0, err = !runs || !files;

	for (int m = 0; m < o->nmodels && !err; m++)
		for (int i = 0; i < nk && !err; i++) {
			if (!kr[i].run[m])
				continue;
			pathf(path, "%s/%s/%s", out, kr[i].k.dir, o->models[m]);
			err = rundir_load(&runs[nd], path, false) < 0;
			nd += !err;
		}
	if (!err && !nd) {
		json_decref(files);
		files = json_pack("{s:s}", "error", "no run directory to compare");
	}
	pathf(plots, "%s/plots", out);
	for (size_t f = 0; !err && nd && f < sizeof(formats) / sizeof(formats[0]); f++) {
		struct outfile of;
		progress_say("the comparison: %s", formats[f].file);
		pathf(path, "%s/%s", out, formats[f].file);
		err = outfile_open(&of, path) < 0 ||
		      outfile_close(&of, compare_write(runs, (size_t)nd, formats[f].fmt, of.f,
						       plots, "plots") == 0) < 0;
		if (!err)
			json_object_set_new(files, formats[f].key, json_string(formats[f].file));
	}
	for (int d = 0; d < nd; d++)
		rundir_free(&runs[d]);
	free(runs);
	if (err) {
		json_decref(files);
		progress_break();
		log_warn("no comparison table; the run directories are complete: compare them "
			 "later with 'herdlab compare %s/*/*'",
			 out);
		return json_pack("{s:s}", "error", "the comparison could not be written");
	}
	return files;
}

void kernels_finish(const struct kernels_opts *o, struct kresult *kr, int nk, const char *out,
		    const char *started)
{
	char md_path[PATH_MAX + 32];
	json_t *comparison = compare(o, kr, nk, out);

	progress_break();
	if (*o->stop) { /* during the comparison: the kernels are all there */
		json_decref(comparison);
		comparison = json_pack("{s:s}", "error", "interrupted");
	}
	kjson_save(o, kr, nk, out, started, comparison);
	struct kmd d = { o, kr, nk, started, comparison, out };
	pathf(md_path, "%s/kernels.md", out);
	if (jsonio_save_with(md_path, kmd_fill, &d) < 0)
		log_warn("cannot write %s: %m", md_path);
	else
		kmd_fill(stdout, &d);
	json_decref(comparison);
	kresults_free(o, kr, nk);
}
