/* SPDX-License-Identifier: MIT */
/*
 * sched_trace.h - the loader of sched_events.bpf.c: the targets' switches and
 * wakeups, recorded into a file (sched.bin) beside the tracer's own record.
 *
 *	sched_trace_open()   load beside an open tracer (its maps reused), attach
 *	sched_trace_poll()   drain the ring buffer into the file (up to its cap)
 *	sched_trace_stop()   detach, drain, commit the file, say what was lost
 *	sched_trace_close()  free (detaches first if sched_trace_stop was not called)
 *
 * Nothing of this is loaded unless a command asks for it (--causes): the
 * default tracer's cost does not change.
 */
#ifndef HERD_SCHED_TRACE_H
#define HERD_SCHED_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "trace.h"

struct sched_trace;

struct sched_trace_stats {
	uint64_t records;     /* written to the file */
	uint64_t lost;	      /* refused by a full ring, or not written past the cap */
	uint64_t cap_bytes;   /* the file's cap */
	uint32_t prog_ids[8]; /* the kernel's ids of this object's programs */
	size_t nprog_ids;
};

/* Load and attach beside @t, recording into @path (at most @cap_bytes); 0 or -errno, said. */
int sched_trace_open(struct sched_trace **out, const struct tracer *t, const char *path,
		     uint64_t cap_bytes);
/* Drain what the ring holds now into the file; records consumed, or -errno. */
int sched_trace_poll(struct sched_trace *st);
/* Detach, drain, commit the file; 0 or -errno. @stats may be NULL. */
int sched_trace_stop(struct sched_trace *st, struct sched_trace_stats *stats);
void sched_trace_close(struct sched_trace *st);

#endif
