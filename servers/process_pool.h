/* SPDX-License-Identifier: MIT */
/*
 * process_pool.h - a pool of worker processes, kept full by its parent.
 *
 * The prefork family (UNP ch. 30) differs only in what a worker does between
 * fork and exit; spawning N of them, waiting until every one is ready before the
 * port is announced, replacing a worker that dies, and stopping them all are the
 * same for each, and live here. A model gives the worker body, and optionally
 * hooks to set up a slot before its worker is forked (the passfd model's
 * socketpairs) and to hear of a worker's end.
 */
#ifndef HERD_PROCESS_POOL_H
#define HERD_PROCESS_POOL_H

#include <stdbool.h>
#include <sys/types.h>

#include "proc.h"

struct server;
struct pool;

struct pool_ops {
	/* The worker, in the child: serve until srv_stop, return the exit status. */
	int (*worker)(struct pool *p, int slot);
	/* Parent, before forking slot's worker (may be NULL); -1 fails the spawn. */
	int (*prepare)(struct pool *p, int slot);
	/* Parent, after forking (may be NULL): e.g. close the child's ends. */
	void (*spawned)(struct pool *p, int slot);
	/* Parent, when slot's worker has been reaped, or its fork failed after prepare (may be NULL). */
	void (*exited)(struct pool *p, int slot, int status);
};

struct pool {
	struct server *srv;	     /* what the workers serve */
	const struct pool_ops *ops;  /* the model's worker and hooks */
	void *model;		     /* the model's own per-pool state */
	int size;		     /* slots */
	pid_t *pid;		     /* per slot: the worker's pid, 0 if empty */
	struct pidset live;	     /* the same pids, for proc_stop_children */
	int ready_fd;		     /* write end of the start-up pipe (-1 after start) */
	int ready_rfd;		     /* its read end, which the parent holds during start-up */
	unsigned respawned;	     /* workers replaced after dying while not stopping */
	unsigned long spawned_total; /* workers ever forked */
};

/* Allocate @size slots (empty). */
int pool_init(struct pool *p, struct server *srv, const struct pool_ops *ops, int size);
void pool_free(struct pool *p);

/* Fork @n workers into the first slots, wait until each calls pool_ready, announce the port. */
int pool_start(struct pool *p, int n);
/* Fork slot's worker now. Returns its pid, or -1. */
pid_t pool_spawn(struct pool *p, int slot);
/* In a worker: tell the parent this worker is ready to accept. */
void pool_ready(struct pool *p);

/* Reap every exited worker; refill their slots unless stopping or @refill is false. */
void pool_reap(struct pool *p, bool refill);

/*
 * The plain parent: sleep until a signal; replace dead workers; on SIGTERM/SIGINT
 * stop them (pool_stop) and return the exit status.
 */
int pool_supervise(struct pool *p);
/* Close the listener, SIGTERM the workers, SIGKILL after --grace, reap them all. */
void pool_stop(struct pool *p);

/*
 * The whole life of a plain pool: init, start @n workers, supervise until
 * stopped, stop, free. Returns the exit status (1 if it could not start).
 */
int pool_run(struct server *srv, const struct pool_ops *ops, int n, void *model);

/* Slot of @pid, or -1. */
int pool_slot_of(const struct pool *p, pid_t pid);
/* Workers alive. */
int pool_count(const struct pool *p);

#endif
