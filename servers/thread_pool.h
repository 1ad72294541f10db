/* SPDX-License-Identifier: MIT */
/*
 * thread_pool.h - a fixed set of worker threads and an orderly end for them:
 * the plumbing the prethread models and epoll-threads stand on (the thread
 * counterpart of process_pool.h; thread.c, a model, starts a thread per
 * connection instead and needs none of it).
 *
 * Signals go to the main thread only (workers are created with them blocked).
 * To stop, main shuts the listener down, which wakes every thread blocked in
 * accept on it with EINVAL; each worker finishes its current connection and
 * returns. Workers still busy after --grace are left to exit() with the process,
 * so a struct thread_pool (and whatever its threads use) must outlive the
 * model's run(): models keep them static.
 */
#ifndef HERD_THREAD_POOL_H
#define HERD_THREAD_POOL_H

#include <pthread.h>
#include <stdatomic.h>

struct server;

struct thread_pool {
	pthread_t *tid;	     /* the threads */
	int n;		     /* how many were started */
	_Atomic int running; /* how many have not returned yet */
	void *(*fn)(void *); /* each thread's body (gets the struct thread_pool) */
	struct server *srv;  /* what they serve */
	void *model;	     /* the model's shared state */
};

/* Start @n threads running @fn(w); returns 0, or -1 (those started are stopped). */
int thread_pool_start(struct thread_pool *w, struct server *srv, int n, void *(*fn)(void *),
		      void *model);
/* Called by a worker body as it returns. */
void thread_pool_exit(struct thread_pool *w);
/* Block until SIGTERM/SIGINT. */
void thread_pool_wait_stop(void);
/* Shut the listener, wait up to --grace for the workers; returns how many are still busy. */
int thread_pool_stop(struct thread_pool *w);

#endif
