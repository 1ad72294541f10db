/* SPDX-License-Identifier: MIT */
/*
 * slow.h - the --slow connections: slowloris, held beside the load.
 *
 * A server model that gives each connection a process or a thread of a fixed pool
 * (prefork, prethread) is taken down by a few hundred clients that send their request
 * one byte a second: each holds a worker until the server's read timeout, and the
 * normal clients wait behind them in the accept queue. An event loop, or a model that
 * makes a task per connection, holds them for the price of a descriptor. --slow N
 * shows it: N connections, each trickling a GET of the workload's first path one byte
 * every --slow-interval, opened before the measured load starts and held for the whole
 * run; when one ends (the server answered, timed it out with a 408, or closed it) a new
 * one takes its place at once, as an attacker's would; after a failed connect, one
 * interval later. They run on a thread of their own, so the load's threads (client.c)
 * do not do a thing more per request, and they are counted apart (struct
 * load_slow_counts), never among the requests nor in their latencies.
 */
#ifndef HERD_LOAD_SLOW_H
#define HERD_LOAD_SLOW_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "heap.h"
#include "load.h"

struct slow_conn;

struct slow_load {
	const struct load_opts *o; /* the run: --slow, --slow-interval, the timeouts */
	struct slow_conn *conns;   /* o->slow connections */
	struct heap timers;	   /* each one's next step: open, next byte, or deadline */
	int epfd;		   /* their epoll instance */
	int stop_fd;		   /* an eventfd, readable once the run is over */
	pthread_t tid;		   /* the thread, once started */
	bool running;		   /* @tid was started */
	char *rbuf;		   /* what every recv() reads into */
	const char *req;	   /* the request trickled: a GET that asks to close */
	size_t req_len;		   /* its length */
	_Atomic unsigned settled;  /* connections whose first connect has an outcome */
	struct load_slow_counts c; /* the counts; the thread's alone until it is joined */
};

/*
 * Open @o->slow connections on a thread of their own (start it with the run's signals
 * blocked: it inherits the mask) and return once every one is connected or failed, or
 * after a second, so that the measured load starts with them held. 0, or -1 with errno
 * (then slow_stop() still cleans up).
 */
int slow_start(struct slow_load *s, const struct load_opts *o);

/* The run is over: stop the thread, count what is still held, close and free it all. */
void slow_stop(struct slow_load *s, struct load_slow_counts *out);

#endif
