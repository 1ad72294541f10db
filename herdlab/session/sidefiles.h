/* SPDX-License-Identifier: MIT */
/*
 * sidefiles.h - what herdsrv and herdload record of a run besides the tracer, into
 * the run directory and run.json.
 *
 * herdlab run asks both programs for their own records, written at their exit into
 * the run directory:
 *	clients.csv          herdload --clients-csv: one row per client
 *	server_stats.csv     herdsrv --stats: one row per client (source) address
 *	server_counters.json herdsrv --counters: refused, shed, failed forks and threads,
 *	                     replaced workers, --send, prefork-dynamic's pool figures
 *	pool.csv             herdsrv --pool-log (prefork-dynamic only): the pool over time
 * and, once the run is over, reads them back into run.json's two objects of their own
 * (DESIGN.md's metric definitions; the keys in metrics/keys.h):
 *	load.phases[]        herdload --phases: each phase's numbers (client.json's phases)
 *	load.idle.*          the --idle holders: requested, opened, failed, by kind, held
 *	load.clients.*       clients.csv summed up: count, requests min / max, fairness
 *	server.send          --send: "sendfile" or "read"
 *	server.stats.*       server_stats.csv summed up (and server_stats.json, its rows)
 *	server.counters.*    server_counters.json's counters
 *	server.pool.*        prefork-dynamic's pool: start, max_total, forks, recycled, ...
 * A file that is missing (a program killed, an old herdsrv) leaves its keys out; the
 * run is not failed for it, since the tracer's and herdload's main records stand.
 */
#ifndef HERD_SIDEFILES_H
#define HERD_SIDEFILES_H

#include <jansson.h>
#include <limits.h>

/* The file names above, in the run directory. */
#define SIDE_CLIENTS_CSV	  "clients.csv"
#define SIDE_SERVER_STATS_CSV	  "server_stats.csv"
#define SIDE_SERVER_STATS_JSON	  "server_stats.json"
#define SIDE_SERVER_COUNTERS_JSON "server_counters.json"
#define SIDE_POOL_CSV		  "pool.csv"

/* The server's extra arguments for a run of @model into @dir (at most SIDE_MAX_ARGS). */
#define SIDE_MAX_ARGS 6
struct side_args {
	char *argv[SIDE_MAX_ARGS];		 /* "--stats", path, ... pointing into @paths */
	int argc;				 /* entries in @argv */
	char paths[SIDE_MAX_ARGS / 2][PATH_MAX]; /* the files' paths */
};

/* herdsrv's: --stats, --counters, and --pool-log for prefork-dynamic. 0, or -1 (too long). */
int sidefiles_server_args(struct side_args *a, const char *model, const char *dir);
/* herdload's: --clients-csv. 0, or -1 (too long). */
int sidefiles_load_args(struct side_args *a, const char *dir);

/* run.json's load and server objects from @dir's files into @meta; server_stats.json. */
void sidefiles_json(json_t *meta, const char *dir);

#endif
