/* SPDX-License-Identifier: MIT */
/*
 * runjson_fuzz.c - libFuzzer entry for run.json as the reports read it: any
 * JSON document (jansson parses; it is not ours to fuzz) that rundir_load()
 * would accept, given to every report and comparison there is: the run report
 * in text, Markdown and HTML and as JSON, compare (with the herd findings) over
 * it and a second copy of it, and compare's JSON. No figures (gnuplot is not
 * ours either).
 *
 * What it looks for is the reports' own reading of run.json: a key holding an
 * array where a number was expected, an object for a string, a per-task list of
 * non-objects, a histogram without buckets, numbers that are huge, negative or
 * not finite. Sanitizers catch the bad reads; every writer must also return, and
 * a report's JSON must be a document jansson can dump.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/compare.h"
#include "report/findings.h"
#include "report/runreport.h"
#include "session/rundir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line)
{
	fprintf(stderr, "runjson_fuzz.c:%d: invariant broken: %s\n", line, what);
	abort();
}

/* What rundir_load() checks before a report reads run.json: an object with a model. */
static bool a_run(json_t *j)
{
	return json_is_object(j) && json_is_string(json_object_get(j, "model"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	FILE *null = fopen("/dev/null", "w");

	if (!null)
		abort();
	if (!a_run(j)) {
		json_decref(j);
		fclose(null);
		return 0;
	}
	struct rundir rd[2] = { { .run = j }, { .run = json_deep_copy(j) } };
	snprintf(rd[0].path, sizeof(rd[0].path), "fuzz-a");
	snprintf(rd[1].path, sizeof(rd[1].path), "fuzz-b");
	for (int fmt = DOC_TEXT; fmt <= DOC_HTML; fmt++) {
		report_write(&rd[0], (enum doc_format)fmt, null, NULL, NULL, false);
		compare_write_findings(rd, 2, (enum doc_format)fmt, null, NULL, NULL,
				       &herd_findings, true);
	}
	json_t *r = report_json(&rd[0]);
	if (r) {
		char *s = json_dumps(r, 0);
		check(s);
		free(s);
		json_decref(r);
	}
	json_decref(compare_json(rd, 2));
	rundir_free(&rd[0]);
	rundir_free(&rd[1]);
	fclose(null);
	return 0;
}
