/* SPDX-License-Identifier: MIT */
/*
 * profile_section.c - where the CPU went, in the report and in compare
 * (profile_section.h).
 *
 * The buckets' order and names are profile/buckets.h's; their colours here
 * are fixed per bucket, so that the stacked bars of two runs read alike. The
 * CPU time of a bucket is estimated from its samples: each sample stands for
 * 1/hz s of one CPU's time.
 */
#include "report/profile_section.h"

#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "metrics/keys.h"
#include "path.h"
#include "profile/buckets.h"

#define P(key)	   MK_DOT(MK_PROFILE, key)
#define TOP_FRAMES 6  /* frames of a top stack shown, from the leaf */
#define TOP_CHARS  72 /* ... and at most so many characters of them */

static const char *const colours[NBUCKETS] = {
	"#d62728", "#ff7f0e", "#bcbd22", "#8c564b", "#9467bd", "#e377c2",
	"#1f77b4", "#17becf", "#7f7f7f", "#2ca02c", "#c7c7c7",
};

/* Bucket @b's samples in @rd (NAN when missing). */
static double bucket_samples(const struct rundir *rd, int b)
{
	char key[128];

	snprintf(key, sizeof(key), "%s.%s.%s", P(MK_PROF_BUCKETS), bucket_key(b),
		 MK_BUCKET_SAMPLES);
	return rundir_num(rd, key);
}

/* Microseconds of CPU per successful request that @samples stand for (NAN: unknown). */
static double us_per_request(const struct rundir *rd, double samples)
{
	double hz = rundir_num(rd, P(MK_PROF_HZ)), ok = rundir_num(rd, MK_CLIENT_REQUESTS_OK);

	return hz > 0 && ok > 0 ? samples / hz / ok * 1e6 : NAN;
}

/* The stacked bar of the buckets' shares as DIR/profile_buckets.svg; 0 or -1. */
static int draw_bar(const char *path, const struct rundir *rd, double total)
{
	struct afile a;
	double x = 10, w = 780;

	if (afile_open(&a, path) < 0)
		return -1;
	fprintf(a.f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\" height=\"%d\" "
		"font-family=\"sans-serif\" font-size=\"12\">\n",
		60 + 18 * ((NBUCKETS + 2) / 3));
	for (int b = 0; b < NBUCKETS; b++) {
		double s = bucket_samples(rd, b), bw = s > 0 ? w * s / total : 0;
		if (bw > 0)
			fprintf(a.f,
				"<rect x=\"%.1f\" y=\"10\" width=\"%.1f\" height=\"30\" "
				"fill=\"%s\">"
				"<title>%s: %.1f%%</title></rect>\n",
				x, bw, colours[b], bucket_title(b), 100 * s / total);
		x += bw;
		int col = b % 3, row = b / 3;
		fprintf(a.f,
			"<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"%d\">%s %.1f%%</text>\n",
			10 + col * 260, 52 + row * 18, colours[b], 28 + col * 260, 62 + row * 18,
			bucket_title(b), s > 0 ? 100 * s / total : 0.0);
	}
	fputs("</svg>\n", a.f);
	return afile_close(&a, !ferror(a.f));
}

/* The last TOP_FRAMES frames of @stack, "...;" before them when there are more. */
static void leaf_frames(const char *stack, char *buf, size_t len)
{
	const char *p = stack + strlen(stack);
	int n = 0;

	while (p > stack && n < TOP_FRAMES)
		if (*--p == ';')
			n++;
	if (p > stack)
		p++; /* after the ';' */
	if (strlen(p) > TOP_CHARS)
		p += strlen(p) - TOP_CHARS;
	snprintf(buf, len, "%s%s", p > stack ? "..." : "", p);
}

/* The ten stacks of DIR/profile.json. */
static void top_stacks(struct doc *d, const struct rundir *rd)
{
	char path[PATH_MAX], frames[1024];
	json_t *top, *s, *root;
	size_t i;

	if (path_join(path, sizeof(path), rd->path, "profile.json") < 0 ||
	    !(root = json_load_file(path, 0, NULL)))
		return;
	if ((top = json_object_get(root, MK_PROF_TOP_STACKS)) && json_array_size(top)) {
		doc_para(d,
			 "The stacks with the most samples (up to the leaf's %d frames or %d "
			 "characters; kernel frames end in _[k]):",
			 TOP_FRAMES, TOP_CHARS);
		doc_table(d, "rrll", "samples", "share", "bucket", "stack");
		json_array_foreach(top, i, s)
		{
			leaf_frames(json_string_value(json_object_get(s, MK_PSTACK_STACK)) ?: "?",
				    frames, sizeof(frames));
			doc_cell(d, false, "%lld",
				 (long long)json_integer_value(
					 json_object_get(s, MK_BUCKET_SAMPLES)));
			doc_cell(d, false, "%.1f%%",
				 100 * json_number_value(json_object_get(s, MK_BUCKET_SHARE)));
			doc_cell(d, false, "%s",
				 json_string_value(json_object_get(s, MK_PSTACK_BUCKET)) ?: "?");
			doc_cell(d, false, "%s", frames);
		}
		doc_table_end(d);
	}
	json_decref(root);
}

void section_profile(struct doc *d, const struct rundir *rd, const struct report_figs *f)
{
	double total = rundir_num(rd, P(MK_PROF_SAMPLES)), hz = rundir_num(rd, P(MK_PROF_HZ));
	char file[PATH_MAX], link[PATH_MAX];

	if (!rundir_get(rd, MK_PROFILE))
		return;
	doc_heading(d, "Where the CPU went");
	if (!(total > 0) || !(hz > 0)) {
		doc_para(d, "The profiler took no sample of the server's tasks.");
		return;
	}
	doc_para(d,
		 "%.0f samples of the server's tasks at %.0f Hz per CPU (about %.2f s of CPU); "
		 "%.0f stacks could not be recorded (collisions in the stack map, or a full "
		 "hash). Kernel symbols: %s. Each sample is in one bucket: that of the first "
		 "frame, from the leaf, that the bucket table names.",
		 total, hz, total / hz, rundir_num(rd, P(MK_PROF_LOST)),
		 rundir_str(rd, P(MK_PROF_KERNEL_SYMBOLS), "?"));
	doc_table(d, "lrrr", "bucket", "samples", "share", "CPU us per request");
	for (int b = 0; b < NBUCKETS; b++) {
		double s = bucket_samples(rd, b), us = us_per_request(rd, s);
		doc_cell(d, false, "%s", bucket_title(b));
		doc_cell(d, false, "%.0f", isnan(s) ? 0 : s);
		doc_cell(d, false, "%.1f%%", isnan(s) ? 0 : 100 * s / total);
		if (isnan(us))
			doc_cell(d, false, "-");
		else
			doc_cell(d, false, "%.1f", us);
	}
	doc_table_end(d);
	if (report_fig_paths(f, "profile_buckets", file, link) &&
	    (report_fig_reuse(f, file) || draw_bar(file, rd, total) == 0))
		doc_figure(d, file, link, "The server's CPU samples by bucket");
	top_stacks(d, rd);
	if (path_join(file, sizeof(file), rd->path, "profile.svg") == 0 && !access(file, R_OK))
		doc_figure(d, file, "profile.svg",
			   "Flame graph of every sample (profile.svg; profile.folded for "
			   "flamegraph.pl, speedscope or inferno)");
}

void compare_profile(struct doc *d, const struct rundir *runs, size_t n, char **labels)
{
	size_t any = 0;

	for (size_t i = 0; i < n; i++)
		any += rundir_num(&runs[i], P(MK_PROF_SAMPLES)) > 0;
	if (!any)
		return;
	_Static_assert(NBUCKETS == 11, "one column per bucket below");
	doc_heading(d, "Where the CPU went (us of CPU per request)");
	doc_table(d, "lrrrrrrrrrrrr", "run", bucket_title(0), bucket_title(1), bucket_title(2),
		  bucket_title(3), bucket_title(4), bucket_title(5), bucket_title(6),
		  bucket_title(7), bucket_title(8), bucket_title(9), bucket_title(10), "total");
	for (size_t i = 0; i < n; i++) {
		double sum = 0;
		doc_cell(d, false, "%s", labels[i]);
		for (int b = 0; b < NBUCKETS; b++) {
			double us = us_per_request(&runs[i], bucket_samples(&runs[i], b));
			sum += isnan(us) ? 0 : us;
			if (isnan(us))
				doc_cell(d, false, "-");
			else
				doc_cell(d, false, "%.1f", us);
		}
		if (rundir_num(&runs[i], P(MK_PROF_SAMPLES)) > 0)
			doc_cell(d, false, "%.1f", sum);
		else
			doc_cell(d, false, "-");
	}
	doc_table_end(d);
	doc_para(d, "From each run's CPU samples of the server's tasks: samples / hz / requests. "
		    "Runs without --profile show '-'.");
}
