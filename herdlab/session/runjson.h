/* SPDX-License-Identifier: MIT */
/*
 * runjson.h - run.json, the record of one herdlab run:
 *
 *	model, options.server, options.load   what ran, as herdsrv and herdload got it
 *	kernel, cpus, start_time, herdlab_version, traced
 *	client   herdload's own summary (client.json)
 *	trace    the tracer's metrics (metrics_json), null when untraced
 *	join     requests matched to the kernel's connections, and their decomposition
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

/* DIR/run.json: @meta with client (DIR/client.json), @trace and @join (references taken). */
int runjson_write(const char *dir, json_t *meta, json_t *trace, json_t *join);

#endif
