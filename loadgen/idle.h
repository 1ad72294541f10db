/* SPDX-License-Identifier: MIT */
/*
 * idle.h - the --idle connections: descriptors held open and silent beside the load.
 *
 * What a server's wait costs depends on how many descriptors it watches, not on how many
 * are busy: select() and poll() scan every one they are given on every call, epoll_wait()
 * only the ready ones. To measure that (TLPI's table of seconds of CPU for N watched
 * descriptors), a run needs N connections the server holds and watches that never send
 * a byte, beside a small active load. --idle N opens them before the measured load
 * starts and holds them, silent, until the run ends.
 *
 * They live on a thread of their own (as slow.c's slowloris connections do), so the
 * load's threads (client.c) do nothing more per request: the thread waits in epoll for
 * the connects to complete and then only for the server to close or reset one. A
 * connection that fails (refused, reset, closed by the server, not connected within
 * --connect-timeout) is counted by kind and not replaced: the count held at the end says
 * how many the server really watched. None of them is a request, and nothing of theirs
 * enters the requests' counts or latencies (struct load_idle_counts is apart).
 */
#ifndef HERD_LOAD_IDLE_H
#define HERD_LOAD_IDLE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "load.h"

struct idle_load {
	const struct load_opts *o; /* the run: --idle, --connect-timeout, the target */
	int *fds;		   /* o->idle connections, -1 once closed or failed */
	uint8_t *connected;	   /* per connection: established */
	int epfd;		   /* their epoll instance */
	int stop_fd;		   /* an eventfd, readable once the run is over */
	pthread_t tid;		   /* the thread, once started */
	bool running;		   /* @tid was started */
	uint64_t connect_deadline; /* connects not done by then fail (connect_timeout) */
	unsigned pending;	   /* connects still in progress (the thread's) */
	_Atomic unsigned settled;  /* connections whose connect has an outcome */
	struct load_idle_counts c; /* the counts; the thread's alone until it is joined */
};

/*
 * Open @o->idle connections, start their thread (with the run's signals blocked: it
 * inherits the mask), and return once every connect has an outcome or after a second,
 * so that the measured load starts with them held. 0, or -1 with errno (then
 * idle_stop() still cleans up).
 */
int idle_start(struct idle_load *s, const struct load_opts *o);

/* The run is over: stop the thread, count what is still held, close and free it all. */
void idle_stop(struct idle_load *s, struct load_idle_counts *out);

#endif
