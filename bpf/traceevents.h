/* SPDX-License-Identifier: MIT */
/*
 * traceevents.h - what the tracer's ring buffer brings (herd.h's herd_event),
 * kept in growable arrays until tracer_collect (trace.c) reads them: tasks gone
 * for good, process exits matched to their reaps, closed connections.
 */
#ifndef HERD_TRACEEVENTS_H
#define HERD_TRACEEVENTS_H

#include <stddef.h>

#include "vec.h"

struct trace_events {
	struct vec gone;  /* struct trace_task: tasks freed while tracing */
	struct vec procs; /* struct trace_proc: process exits and reaps */
	struct vec conns; /* struct herd_conn: closed connections */
};

void traceevents_init(struct trace_events *ev);
void traceevents_free(struct trace_events *ev);

/* ring_buffer__new's callback, @ctx a struct trace_events: one record in. Returns 0. */
int traceevents_on_event(void *ctx, void *data, size_t size);

#endif /* HERD_TRACEEVENTS_H */
