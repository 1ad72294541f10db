/* SPDX-License-Identifier: MIT */
/*
 * runjson.h - run.json, the record of one herdlab run:
 *
 *	complete, incomplete_reason   whether the run finished, and if not why, in words
 *	model, options.server, options.load   what ran, as herdsrv and herdload got it
 *	kernel, cpus, start_time, herdlab_version, traced
 *	client   herdload's own summary (client.json)
 *	trace    the tracer's metrics (metrics_json), null when untraced
 *	join     requests matched to the kernel's connections, and their decomposition
 *	cost     what the server and herdload cost in their own cgroups (cgroup.h),
 *	         set by herdlab run at the end
 *	netns    the run's network namespaces, sysctls (--netns; session/netns.h)
 *	tcp      tcp.netstat_scope, and with --netns the kernel's counters tcp.netstat.*
 *
 * run.json is written twice: at the start, the metadata marked incomplete
 * ("the run did not finish"), and at the end, whole. A herdlab killed with
 * SIGKILL writes nothing at its end, so its directory still says that it is
 * incomplete; an interrupted or failed run says why it is.
 */
#ifndef HERD_RUNJSON_H
#define HERD_RUNJSON_H

#include <jansson.h>

#include "session/runopts.h"
#include "trace.h"

/* What ran: the model, the options passed on, the kernel and machine, when, traced or not. */
json_t *runjson_metadata(const struct run_opts *o, const char *started);

/* requests.csv in @dir joined with the connections in @r, and the decomposition. */
json_t *runjson_join(const char *dir, const struct trace_result *r);

/* run.json's incomplete_reason from the start until the end replaces it. */
#define RUNJSON_UNFINISHED "the run did not finish (herdlab was killed?)"

/* DIR/run.json at the start: @meta (reference taken), complete false, RUNJSON_UNFINISHED. */
int runjson_write_started(const char *dir, json_t *meta);

/*
 * DIR/run.json at the end: @meta with client (DIR/client.json), @trace and @join
 * (references taken); complete, or with @incomplete (NULL: complete) as the reason.
 */
int runjson_write(const char *dir, json_t *meta, json_t *trace, json_t *join,
		  const char *incomplete);

#endif
