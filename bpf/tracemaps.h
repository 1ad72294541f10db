/* SPDX-License-Identifier: MIT */
/*
 * tracemaps.h - the tracer's maps read into a trace_result (tracemaps.c), for
 * tracer_collect (trace.c). Each returns 0 or -ENOMEM.
 */
#ifndef HERD_TRACEMAPS_H
#define HERD_TRACEMAPS_H

#include <stdint.h>

#include "herd.skel.h"
#include "trace.h"
#include "vec.h"

/* The per-CPU totals and histograms, summed over every CPU, into @r. */
int tracemaps_percpu(struct herd_bpf *s, struct trace_result *r);
/* Every task in the tasks map into @alive (struct trace_task). */
int tracemaps_alive(struct herd_bpf *s, struct vec *alive);
/* @closed (struct herd_conn: from the ring buffer), then those still open, into @r. */
int tracemaps_conns(struct herd_bpf *s, const struct vec *closed, struct trace_result *r);
/* Every client with a fate into @r, and @fates_absent (bit i: fate tracepoint i absent). */
int tracemaps_fates(struct herd_bpf *s, uint32_t fates_absent, struct trace_result *r);
/* The kernel's ids of @s's programs and maps and of @links (struct bpf_link *) into @r. */
int tracemaps_ids(struct herd_bpf *s, const struct vec *links, struct trace_result *r);

#endif /* HERD_TRACEMAPS_H */
