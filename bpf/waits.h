/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * waits.h - the cost of waiting: what waits.bpf.c and its loader (waits.c) share,
 * and the loader's interface.
 *
 * The waits object is opt-in (herdlab run --waits, herdlab trace --waits): it
 * attaches the entry and exit tracepoints of select/pselect6, poll/ppoll and
 * epoll_wait/epoll_pwait/epoll_pwait2, which the tracer itself leaves alone on
 * 5.15+ (it reads waits from registers at sched_switch), and a sched_switch of its
 * own. Off, it costs nothing: it is not loaded. Its targets are the tracer's own:
 * it shares the tracer's `tasks` map (bpf_map__reuse_fd), forks included.
 *
 *	waits_open()     load and attach, sharing the tracer's tasks map
 *	waits_collect()  every task's rows (one per call kind), the histograms, the ids
 *	waits_close()    detach and free: no program or link outlives it
 *	waits_add_ids()  its ids among the tracer's, as the run's own programs
 *
 * The first part (the records) holds only fixed-size types: it is compiled for
 * BPF too. The loader's part is user space only.
 */
#ifndef HERD_WAITS_H
#define HERD_WAITS_H

#include "herd.h"

/* The three families of readiness calls, as the records and run.json's wait.* name them. */
enum waits_kind {
	WAITS_SELECT, /* select, pselect6: nfds is the highest descriptor + 1 */
	WAITS_POLL,   /* poll, ppoll: nfds is the array's length */
	WAITS_EPOLL,  /* epoll_wait, epoll_pwait, epoll_pwait2: nfds is the interest list */
	WAITS_KINDS,
};

#define WAITS_MAX_ROWS	   65536 /* (task, kind) pairs recorded at once */
#define WAITS_MAX_INFLIGHT 16384 /* calls in progress, where no task storage keeps them */

/* A task's calls of one kind, summed (one row of waits.csv). */
struct waits_stat {
	__u32 tgid; /* its process */
	__u32 pad;
	__u64 calls;	    /* calls that returned (entered while traced) */
	__u64 nfds;	    /* descriptors watched, summed over the calls (see enum waits_kind) */
	__u64 maxevents;    /* epoll: maxevents, summed (0 for the others) */
	__u64 ready;	    /* descriptors returned ready (the return value when > 0), summed */
	__u64 empty;	    /* calls that returned 0: a timeout, nothing ready */
	__u64 errors;	    /* calls that returned an error (EINTR, ...) */
	__u64 cpu_ns;	    /* time on a CPU inside the calls, entry to exit, summed */
	__u64 elapsed_ns;   /* time inside the calls, entry to exit, summed */
	__u64 unknown_nfds; /* epoll: calls whose interest list could not be read */
	char comm[16];	    /* its name at its first call */
};

struct waits_key {
	__u32 tid;  /* the task */
	__u32 kind; /* enum waits_kind */
};

/* One row as user space gets it: the key and the sums. */
struct waits_row {
	__u32 tid;
	__u32 kind; /* enum waits_kind */
	struct waits_stat s;
};

/* The object's own counters (its .bss): what it could not record. */
struct waits_counters {
	__u64 map_full; /* a row or an in-flight call did not fit its map */
};

#ifndef __VMLINUX_H__ /* ---- the loader: user space ---------------------------------------- */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct waits;

struct waits_result {
	struct waits_row *rows; /* every (task, kind) that made a call */
	size_t nrows;
	struct herd_histogram hist[WAITS_KINDS]; /* on-CPU ns per call, summed over CPUs */
	uint64_t map_full;			 /* rows or calls not recorded */
	bool epoll_interest; /* epoll's nfds is its interest list (else unknown: 0) */
	bool task_storage;   /* calls in progress kept in task storage (else a hash) */
	uint32_t *prog_ids;  /* the kernel's ids of the object's programs, links, maps */
	size_t nprog_ids;
	uint32_t *link_ids;
	size_t nlink_ids;
	uint32_t *map_ids;
	size_t nmap_ids;
};

struct tracer_shared;

/*
 * Load and attach, with the targets of @sh (trace.h: tracer_shared); after
 * tracer_open, whose libbpf settings (messages, -v) it keeps. 0, or -errno with a
 * message printed.
 */
int waits_open(struct waits **out, const struct tracer_shared *sh);
/* Everything so far into @r (allocated; free with waits_result_free, even after an error). */
int waits_collect(struct waits *w, struct waits_result *r);
void waits_result_free(struct waits_result *r);
void waits_close(struct waits *w);

/* The object's program, link and map ids appended to the tracer's (trace.json's tracer.*:
 * every program of the run); 0 or -ENOMEM. */
struct trace_result;
int waits_add_ids(const struct waits_result *w, struct trace_result *r);

/* "select", "poll", "epoll" (NULL for anything else), and back (-1: none). Inline: the
 * tables' reader (metrics/csv.c) is built without the loader, into the fuzzers. */
static const char *const waits_kind_names[WAITS_KINDS] = { "select", "poll", "epoll" };

static inline const char *waits_kind_name(unsigned kind)
{
	return kind < WAITS_KINDS ? waits_kind_names[kind] : NULL;
}

static inline int waits_kind_parse(const char *name)
{
	for (unsigned k = 0; k < WAITS_KINDS; k++)
		if (!__builtin_strcmp(name, waits_kind_names[k]))
			return (int)k;
	return -1;
}

#endif
#endif
