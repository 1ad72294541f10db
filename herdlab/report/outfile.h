/* SPDX-License-Identifier: MIT */
/*
 * outfile.h - a command's output: standard output, or a file that appears whole
 * or not at all (lib/files.h's afile).
 *
 * Whatever goes wrong says what and where: the document is written through a
 * stream of our own (fopencookie) that passes each buffer on and keeps the
 * errno of the first write that failed, because stdio forgets it (a write that
 * fails on a full disk sets the stream's error flag, and the errno is long
 * overwritten when the file is closed). Closing then names the file and the
 * reason ("cannot write out/report.html: No space left on device"), and a file
 * not written whole is removed.
 */
#ifndef HERD_OUTFILE_H
#define HERD_OUTFILE_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "files.h"
#include "report/doc.h"

struct outfile {
	FILE *f;	  /* where to write: ours, passing every buffer on to @to */
	FILE *to;	  /* standard output, or the file's */
	bool is_stdout;	  /* no file: standard output */
	struct afile af;  /* otherwise, the file */
	int err;	  /* the errno of the first write that failed (0: none) */
	const char *name; /* what messages call it: the path, or "standard output" */
};

/* Open @path (NULL or "-": standard output); 0 or -1 with a message. */
int outfile_open(struct outfile *o, const char *path);

/*
 * Finish: with @ok and every write done, the file takes its name; otherwise
 * nothing is left of it, and a failed write is said (naming the file). 0 or -1.
 */
int outfile_close(struct outfile *o, bool ok);

/* @j (released) as indented JSON and a newline, as report and compare print it; 0 or -1. */
int outfile_json(struct outfile *o, json_t *j);

/* The output options report and compare share: --format, --out, --no-plots; and compare's
 * --findings and --findings-only (refused for report, @findings false). */
struct output_opts {
	const char *out;     /* --out FILE (NULL: standard output) */
	bool json;	     /* --format json */
	enum doc_format fmt; /* otherwise: text, md or html */
	bool plots;	     /* not --no-plots */
	bool findings;	     /* compare --findings (or --findings-only) */
	bool tables;	     /* not compare --findings-only */
};

/*
 * Parse them (and --help, which prints @usage and exits 0) for command @cmd,
 * the findings options only with @findings.
 * Returns the index of the first operand, or -2 after a usage error was said.
 */
int output_opts_parse(int argc, char **argv, const char *cmd, bool findings, void (*usage)(FILE *f),
		      struct output_opts *o);

#endif
