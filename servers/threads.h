/* SPDX-License-Identifier: MIT */
/*
 * threads.h - what the thread models share: a fixed set of worker threads and
 * an orderly end for them.
 *
 * Signals go to the main thread only (workers are created with them blocked).
 * To stop, main shuts the listener down, which wakes every thread blocked in
 * accept on it with EINVAL; each worker finishes its current connection and
 * returns. Workers still busy after --grace are left to exit() with the process,
 * so a struct workers (and whatever its threads use) must outlive the model's
 * run(): models keep them static.
 */
#ifndef HERD_THREADS_H
#define HERD_THREADS_H

#include <pthread.h>
#include <stdatomic.h>

struct server;

struct workers {
	pthread_t *tid;	     /* the threads */
	int n;		     /* how many were started */
	_Atomic int running; /* how many have not returned yet */
	void *(*fn)(void *); /* each thread's body (gets the struct workers) */
	struct server *srv;  /* what they serve */
	void *model;	     /* the model's shared state */
};

/* Start @n threads running @fn(w); returns 0, or -1 (those started are stopped). */
int workers_start(struct workers *w, struct server *srv, int n, void *(*fn)(void *), void *model);
/* Called by a worker body as it returns. */
void workers_exit(struct workers *w);
/* Block until SIGTERM/SIGINT. */
void workers_wait_stop(void);
/* Shut the listener, wait up to --grace for the workers; returns how many are still busy. */
int workers_stop(struct workers *w);

#endif
