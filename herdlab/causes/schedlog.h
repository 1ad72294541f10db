/* SPDX-License-Identifier: MIT */
/*
 * schedlog.h - sched.bin read back as what each target task was doing when:
 * one list of spans per task (running on a CPU, runnable, or asleep in a given
 * call), the arrival wakeups of each connection, and the stretches of time
 * when no worker was idle. The per-request causes (split.h), the wake order
 * (wakeorder.h) and the timeline are all questions asked of this one record.
 *
 *	schedlog_read()     sched.bin into a log's records (sorted by time)
 *	schedlog_build()    the spans, wakeups and idle-free stretches from them
 *	schedlog_overlap()  how long a task spent in each state within [a, b)
 */
#ifndef HERD_CAUSES_SCHEDLOG_H
#define HERD_CAUSES_SCHEDLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "herd.h"
#include "sched_events.h"

enum span_state {
	SPAN_RUN,      /* on a CPU */
	SPAN_RUNNABLE, /* woken or preempted, waiting for a CPU */
	SPAN_SLEEP,    /* blocked */
	SPAN_STATES,
};

/* What a blocked task waits in, by its system call (causes_classify). */
enum sleep_class {
	SLEEP_SLEEP,  /* nanosleep, clock_nanosleep: a timer */
	SLEEP_LOCK,   /* futex, fcntl/flock locks, SysV semaphores */
	SLEEP_SOCKET, /* a descriptor: read, write, recv, send, accept, poll, epoll, select */
	SLEEP_OTHER,  /* anything else (or not known) */
	SLEEP_CLASSES,
};

struct span {
	uint64_t start, end; /* [start, end), ns */
	uint32_t tid;	     /* whose */
	uint32_t cpu;	     /* RUN: where it ran */
	uint8_t state;	     /* enum span_state */
	uint8_t cls;	     /* SLEEP: enum sleep_class */
	uint16_t wait;	     /* SLEEP: enum herd_wait of its call */
	int32_t nr;	     /* SLEEP: the system call (-1: not known) */
	int64_t rec;	     /* the record that began it (-1: none) */
	uint64_t arrival;    /* RUNNABLE begun by an arrival, and the RUN after it: the
				connection's established_ns (0: none) */
	bool futile;	     /* RUN after an arrival's wakeup whose connection another took */
};

/* Who accepted the connection established at est_ns (connections.csv). */
struct schedlog_accept {
	uint64_t est_ns;
	uint32_t tid;
};

struct sched_task {
	uint32_t tid;
	bool worker;	     /* accepted a connection or was woken by an arrival */
	uint64_t created_ns; /* tasks.csv's (0: not known): the order workers registered */
	char comm[16];	     /* tasks.csv's name ("" if not known) */
	size_t first, n;     /* its spans: log->spans[first .. first + n), by time */
};

/* One task woken by a connection's arrival (a worker asleep in an accept-like wait). */
struct arrival_wake {
	uint64_t est_ns;      /* the connection: connections.csv's established_ns */
	uint64_t ts;	      /* when it was woken */
	uint64_t slept_since; /* when it went to sleep */
	uint32_t tid;	      /* who */
	uint16_t wait;	      /* enum herd_wait it slept in */
};

struct sched_log {
	struct sched_rec *recs; /* sched.bin's records, by time */
	size_t nrecs;
	struct span *spans; /* every task's spans, task after task */
	size_t nspans;
	struct sched_task *tasks; /* by tid */
	size_t ntasks;
	struct arrival_wake *wakes; /* by (est_ns, ts) */
	size_t nwakes;
	uint64_t (*noidle)[2]; /* [start, end) stretches with no worker idle, by time */
	size_t nnoidle;
	uint64_t start_ns, end_ns; /* the first and last record's time */
};

/* The class of a sleep in system call @nr (arg1: its second argument), or by @wait. */
enum sleep_class causes_classify(int32_t nr, int32_t arg1, uint32_t wait);

/* Whether @wait is one a task waits in for a new connection (accept, epoll, ...). */
bool causes_arrival_wait(uint32_t wait);

/* Read @path (sched.bin) into @log->recs; 0, or -errno (-EINVAL: not a sched.bin). */
int schedlog_read(struct sched_log *log, const char *path);

/*
 * Build the spans and wakeups from @log->recs (set by schedlog_read, or by a
 * test). @acc (@nacc of them, any order; sorted here) says who accepted each
 * connection: those tasks are workers, and so are the tasks an arrival woke; a
 * run after an arrival's wakeup of a task that did not accept it is futile.
 * 0 or -ENOMEM.
 */
int schedlog_build(struct sched_log *log, struct schedlog_accept *acc, size_t nacc);

void schedlog_free(struct sched_log *log);

/* Task @tid, or NULL. */
const struct sched_task *schedlog_task(const struct sched_log *log, uint32_t tid);

/* Time within [a, b) that @t spent in each state (@state[SPAN_STATES]) and each sleep
 * class (@sleep[SLEEP_CLASSES], may be NULL); RUN only on @cpu when @cpu >= 0. */
void schedlog_overlap(const struct sched_log *log, const struct sched_task *t, uint64_t a,
		      uint64_t b, int64_t cpu, uint64_t *state, uint64_t *sleep);

/* Time within [a, b) that tasks other than @except ran futile runs (see span) on @cpu. */
uint64_t schedlog_futile(const struct sched_log *log, uint32_t cpu, uint64_t a, uint64_t b,
			 uint32_t except);

/* Time within [a, b) when no worker was idle. */
uint64_t schedlog_noidle(const struct sched_log *log, uint64_t a, uint64_t b);

/* The wakeups of the connection established at @est_ns: *@n of them from the returned one. */
const struct arrival_wake *schedlog_wakes(const struct sched_log *log, uint64_t est_ns, size_t *n);

/* @t's first span at or after @ts in @state, or NULL. */
const struct span *schedlog_next(const struct sched_log *log, const struct sched_task *t,
				 uint64_t ts, enum span_state state);

#endif
