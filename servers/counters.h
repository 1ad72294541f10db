/* SPDX-License-Identifier: MIT */
/*
 * counters.h - what a server model refused, shed or failed to create, counted across
 * every process and thread of the server, and written at exit (--counters FILE).
 *
 * The models that fork (fork, the prefork family) shed and fail in their children as
 * well as in the parent, so the counters live in one anonymous shared mapping made by
 * main() before any model runs: every process forked later adds to the same atomics,
 * and the process that started the server writes them once all its workers are reaped.
 * Until that mapping exists (and where it could not be made) they are a private block,
 * so a caller never checks for NULL.
 *
 * --counters FILE is one JSON object, written through lib/files' afile (whole or not at
 * all), that herdlab run reads into run.json server.counters.* and server.pool.*:
 *	fd_setsize_refused  connections refused because their descriptor was >= FD_SETSIZE
 *	                    (select cannot watch it): closed at once, unread
 *	shed_503            connections answered 503 and closed unserved: over --max-conns,
 *	                    or no thread or memory to serve them (accept.h's srv_shed)
 *	shed_emfile         connections taken off the queue and closed while out of
 *	                    descriptors (EMFILE / ENFILE, accept.h)
 *	shed                the two together
 *	fork_failures       fork() calls that failed (EAGAIN at --pids-limit, ENOMEM)
 *	thread_failures     pthread_create() calls that failed
 *	workers_replaced    pool workers forked to replace one that died while not stopping
 *	read_failures       --send read: bodies that could not be read into memory
 *	send                "sendfile" or "read" (--send)
 *	pool                prefork-dynamic only (else null): start, max_total, forks,
 *	                    recycled (exited after --max-requests), retired (told to exit
 *	                    as surplus idle), samples (rows of --pool-log)
 */
#ifndef HERD_COUNTERS_H
#define HERD_COUNTERS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct srv_counters {
	_Atomic uint64_t fd_setsize_refused; /* descriptors >= FD_SETSIZE refused (select) */
	_Atomic uint64_t shed_503;	     /* answered 503 and closed (srv_shed) */
	_Atomic uint64_t shed_emfile;	     /* closed unserved while out of descriptors */
	_Atomic uint64_t fork_failures;	     /* fork() failed */
	_Atomic uint64_t thread_failures;    /* pthread_create() failed */
	_Atomic uint64_t workers_replaced;   /* dead pool workers replaced */
	_Atomic uint64_t read_failures;	     /* --send read: a body not read into memory */
	bool pool;			     /* the pool fields below are kept (prefork-dynamic) */
	uint64_t pool_start;		     /* children at the start */
	uint64_t pool_max_total;	     /* the most children at once */
	uint64_t pool_forks;		     /* children ever forked, the first ones included */
	uint64_t pool_recycled;		     /* children that exited after --max-requests */
	uint64_t pool_retired;		     /* children told to exit as surplus idle ones */
	uint64_t pool_samples;		     /* rows in --pool-log */
};

/* Never NULL: the shared block once counters_init() made it, a private one before. */
extern struct srv_counters *srv_counters;

/* Map the shared block (before any worker is forked). 0, or -1 with errno. */
int counters_init(void);

/* The counters as JSON into @path (afile); @send is --send's name. 0, or -1 with errno. */
int counters_write_json(const char *path, const char *send);

/* Add one to a counter (relaxed: they are only read at the end). */
#define COUNT(field) atomic_fetch_add_explicit(&srv_counters->field, 1, memory_order_relaxed)

#endif
