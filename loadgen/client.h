/* SPDX-License-Identifier: MIT */
/*
 * client.h - one client thread: an epoll loop that runs a share of the run's clients.
 *
 * run.c sets up one struct load_thread per --threads and starts client_thread_run() on
 * each. A thread owns everything it touches while the run lasts (its connections, its
 * epoll descriptor and timer heap, its histograms, counters and records), so the hot path
 * takes no lock. What crosses threads is in struct load_shared: times fixed before the
 * start, the closed loop's request tickets, and the stop flag; and, the other way, the
 * few relaxed atomics that the main thread reads for the progress line.
 */
#ifndef HERD_LOAD_CLIENT_H
#define HERD_LOAD_CLIENT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "heap.h"
#include "hist.h"
#include "load.h"
#include "schedule.h"

#define CLIENT_RBUF	 (64 * 1024) /* the per-thread read buffer */
#define PROGRESS_BUCKETS 496	     /* 8 per power of two of a latency in ns */

/* What every thread reads (and the two things they write: @issued, and @stop from main). */
struct load_shared {
	const struct load_opts *o; /* the run's options */
	uint64_t start_ns;	   /* when the run starts (every thread sleeps until then) */
	uint64_t warmup_end_ns;	   /* requests due before this are warmup, not measured */
	uint64_t sched_end_ns;	   /* --duration: nothing starts from here; else UINT64_MAX */
	uint64_t deadline_ns;	   /* the global deadline: whatever is in flight then fails */
	_Atomic uint64_t issued;   /* closed loop --requests: measured requests started */
	_Atomic int stop;	   /* set by the main thread on SIGINT / SIGTERM */
	int stop_fd;		   /* an eventfd, readable once @stop is set: wakes every loop */
	_Atomic unsigned finished; /* threads that have returned */
	pthread_t main;		   /* told (SIGUSR1) when a thread returns */
};

struct client;

struct load_thread {
	struct load_shared *sh;	      /* the run */
	unsigned id;		      /* 0 .. threads-1 */
	pthread_t tid;		      /* the thread, once started */
	int epfd;		      /* its epoll instance */
	struct client *slots;	      /* closed loop: clients; open loop: in-flight slots */
	unsigned nslots;	      /* entries in @slots */
	unsigned *free_stack;	      /* slots without a connection, ready to start */
	unsigned nfree;		      /* entries in @free_stack */
	unsigned *idle_stack;	      /* slots holding an idle kept-alive connection */
	unsigned nidle;		      /* entries in @idle_stack */
	unsigned *fdwait;	      /* a ring of slots waiting for a descriptor (EMFILE) */
	unsigned fdwait_head;	      /* its first entry */
	unsigned nfdwait;	      /* its entries */
	unsigned busy;		      /* slots with a request in flight */
	char *heads;		      /* POST: a head buffer per slot, @head_cap bytes each */
	size_t head_cap;	      /* size of one POST head buffer */
	struct heap timers;	      /* each slot's deadline (connect, response, hold) */
	struct schedule sched;	      /* open loop: this thread's arrival times */
	uint64_t share;		      /* open loop --requests: measured arrivals left to start */
	bool exhausted;		      /* no more requests will start */
	unsigned ramp_left;	      /* closed loop --ramp: slots not yet let start */
	uint64_t ramp_at_ns;	      /* when the next of them may start */
	unsigned phase;		      /* --phases: the phase the thread is in */
	struct load_rng rng;	      /* --mix and --body draws */
	char *rbuf;		      /* CLIENT_RBUF bytes that every recv() reads into */
	uint32_t conn_seq;	      /* connections opened so far */
	uint32_t next_source;	      /* --sources: connections made from them so far */
	struct load_latency lat;      /* latencies of measured requests (latency.h) */
	struct load_counts c;	      /* counters of measured requests */
	struct load_record *recs;     /* --csv: measured requests, in completion order */
	size_t nrecs;		      /* entries in @recs */
	size_t caprecs;		      /* room in @recs */
	bool recs_lost;		      /* a record could not be kept (out of memory) */
	uint64_t end_ns;	      /* the last request ended here */
	bool hit_deadline;	      /* the global deadline ended this thread's run */
	_Atomic uint64_t prog_done;   /* progress: measured requests ended */
	_Atomic uint64_t prog_failed; /* progress: of which failed */
	_Atomic uint64_t prog_hist[PROGRESS_BUCKETS]; /* progress: total latency, coarse */
};

/* Set up thread @id with @nslots slots (and, open loop --requests, @share arrivals). */
int client_thread_init(struct load_thread *t, struct load_shared *sh, unsigned id, unsigned nslots,
		       uint64_t share);
/* The thread's body: runs until its share of the load is done, the deadline, or a stop. */
void *client_thread_run(void *arg);
void client_thread_free(struct load_thread *t);

/* The progress histogram's bucket for @ns, and the highest value of bucket @i. */
static inline unsigned progress_bucket(uint64_t ns)
{
	unsigned e;

	if (ns < 16)
		return (unsigned)ns;
	e = 63u - (unsigned)__builtin_clzll(ns);
	return (e - 2) * 8 + (unsigned)((ns >> (e - 3)) & 7);
}

static inline uint64_t progress_bucket_top(unsigned i)
{
	unsigned e = i / 8 + 2;

	if (i < 16)
		return i;
	return ((uint64_t)(i % 8 + 9) << (e - 3)) - 1;
}

#endif
