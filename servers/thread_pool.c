/* SPDX-License-Identifier: MIT */
/*
 * thread_pool.c - starting a fixed set of worker threads and ending them within
 * --grace (see thread_pool.h).
 *
 * Each worker counts itself out (thread_pool_exit) as it returns, so the main
 * thread can wait for the count to reach zero with a deadline, which
 * pthread_join cannot do; only when every one has returned are they joined and
 * their table freed.
 */
#include "thread_pool.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "proc.h"
#include "server.h"

int thread_pool_start(struct thread_pool *w, struct server *srv, int n, void *(*fn)(void *),
		      void *model)
{
	memset(w, 0, sizeof(*w));
	w->srv = srv;
	w->fn = fn;
	w->model = model;
	w->tid = calloc((size_t)n, sizeof(*w->tid));
	if (!w->tid)
		return -1;
	for (int i = 0; i < n; i++) {
		atomic_fetch_add(&w->running, 1);
		int err = proc_thread_create(&w->tid[i], fn, w);
		if (err) {
			atomic_fetch_sub(&w->running, 1);
			log_warn("pthread_create() failed: %s", strerror(err));
			srv_stop = 1;
			thread_pool_stop(w);
			return -1;
		}
		w->n++;
	}
	return 0;
}

void thread_pool_exit(struct thread_pool *w)
{
	atomic_fetch_sub(&w->running, 1);
}

void thread_pool_wait_stop(void)
{
	while (!srv_stop)
		sigsuspend(&proc_wait_mask);
}

int thread_pool_stop(struct thread_pool *w)
{
	/* A little beyond --grace: each worker starts its own grace a moment later. */
	uint64_t deadline = server_grace_deadline(w->srv) + 250 * NSEC_PER_MSEC;

	server_close_listener(w->srv);
	while (atomic_load(&w->running) > 0 && clock_now_ns() < deadline) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	int left = atomic_load(&w->running);
	if (left > 0) {
		log_warn("%d thread(s) still busy after --grace %u s: exiting anyway", left,
			 w->srv->grace_s);
	} else {
		for (int i = 0; i < w->n; i++)
			pthread_join(w->tid[i], NULL);
	}
	if (left == 0) {
		free(w->tid);
		w->tid = NULL;
	}
	return left;
}
