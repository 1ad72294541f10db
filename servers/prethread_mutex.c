/* SPDX-License-Identifier: MIT */
/*
 * prethread-mutex - N threads, each calls accept under a mutex (UNP fig. 30.28).
 *
 * The thread version of prefork-mutex: one thread at a time sleeps in accept,
 * the rest sleep on the mutex's futex. Cheaper to create than processes, and the
 * lock is a plain in-process mutex.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "accept.h"
#include "conn.h"
#include "log.h"
#include "models.h"
#include "server.h"
#include "thread_pool.h"

static pthread_mutex_t accept_lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
	struct thread_pool *w = arg;
	struct server *srv = w->srv;

	for (;;) {
		struct sockaddr_storage peer;
		pthread_mutex_lock(&accept_lock);
		int fd = srv_accept_next(srv->listen_fd, &peer);
		pthread_mutex_unlock(&accept_lock);
		if (fd < 0) /* stopping: main shut the listener down */
			break;
		conn_serve_blocking(srv, fd, &peer);
	}
	thread_pool_exit(w);
	return NULL;
}

int prethread_mutex_run(struct server *srv)
{
	static struct thread_pool w; /* threads may outlive this frame (thread_pool.h) */

	if (thread_pool_start(&w, srv, srv->workers, worker, NULL) < 0)
		return 1;
	server_ready(srv);
	thread_pool_wait_stop();
	thread_pool_stop(&w);
	return 0;
}
