/* SPDX-License-Identifier: MIT */
/*
 * rundir.h - a run directory read back: what `herdlab run` wrote, for the
 * report and compare commands.
 *
 *	run.json         metadata and every metric, read by dotted key
 *	requests.csv     what each client saw (optional: a run without it still reports)
 *	connections.csv  what the kernel saw of each connection (traced runs)
 * and the join of the two, redone from the tables.
 */
#ifndef HERD_RUNDIR_H
#define HERD_RUNDIR_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "metrics/join.h"

struct rundir {
	char path[PATH_MAX];	 /* the directory */
	json_t *run;		 /* run.json */
	struct client_req *reqs; /* requests.csv (NULL when not read or absent) */
	size_t nreqs;
	struct herd_conn *conns; /* connections.csv (NULL: untraced, or not read) */
	size_t nconns;
	ssize_t *match; /* request i's connection in @conns, or -1 (NULL: no join) */
	size_t matched; /* requests matched */
	/* What reading the tables made of them: rows rejected, or why a table that is
	 * there could not be read at all (errno in *_err, 0: read, or absent). */
	struct csv_stats reqs_read, conns_read;
	int reqs_err, conns_err;
};

/*
 * Read DIR/run.json and, with @tables, the CSV files and their join. Fails
 * (-errno, with a message naming the file) only when run.json is missing, not a
 * regular file, or not a run's; a missing table is not an error, the reports
 * just lack it. A table that is there but unreadable, or has rows rejected, is
 * said (a message naming it) and kept in *_read / *_err for the reports.
 */
int rundir_load(struct rundir *rd, const char *dir, bool tables);
void rundir_free(struct rundir *rd);

/* run.json's value at a dotted key ("trace.accept.wakeups_per_accept"), or NULL. */
json_t *rundir_get(const struct rundir *rd, const char *key);

/* The number there, or NAN if it is missing or not a number. */
double rundir_num(const struct rundir *rd, const char *key);

/* The string there, or @dflt. */
const char *rundir_str(const struct rundir *rd, const char *key, const char *dflt);

/* Whether the run was traced (it has trace.* metrics). */
bool rundir_traced(const struct rundir *rd);

#endif
