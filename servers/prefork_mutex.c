/* SPDX-License-Identifier: MIT */
/*
 * prefork-mutex - N children take a process-shared pthread mutex around accept
 * (UNP fig. 30.14 with fig. 30.17's lock).
 *
 * Only the lock holder sleeps in accept; the others sleep on the mutex's futex.
 * The mutex lives in shared memory mapped before the fork and is robust: a worker
 * killed while holding it (most likely the one waiting in accept) leaves it to
 * the next locker with EOWNERDEAD instead of deadlocking the pool.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include "accept.h"
#include "conn.h"
#include "log.h"
#include "models.h"
#include "pool.h"
#include "server.h"

static pthread_mutex_t *accept_lock;

static void lock_accept(void)
{
	int err = pthread_mutex_lock(accept_lock);

	if (err == EOWNERDEAD) /* its holder died; the lock protects no data */
		pthread_mutex_consistent(accept_lock);
	else if (err)
		die("pthread_mutex_lock() failed: %s", strerror(err));
}

static int worker(struct pool *p, int slot)
{
	struct server *srv = p->srv;

	pool_ready(p);
	while (!srv_stop) {
		struct sockaddr_storage peer;
		lock_accept();
		int fd = srv_accept(srv->listen_fd, 0, &peer);
		int err = errno;
		pthread_mutex_unlock(accept_lock);
		if (fd >= 0)
			conn_serve_blocking(srv, fd, &peer);
		else if (err == EINVAL)
			break;
		else if (err != EINTR && err != ECONNABORTED)
			log_warn("accept4() failed: %s", strerror(err));
	}
	return 0;
}

static int make_lock(void)
{
	pthread_mutexattr_t attr;

	accept_lock = mmap(NULL, sizeof(*accept_lock), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (accept_lock == MAP_FAILED) {
		log_warn("mmap() failed: %m");
		return -1;
	}
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(accept_lock, &attr);
	pthread_mutexattr_destroy(&attr);
	return 0;
}

int prefork_mutex_run(struct server *srv)
{
	static const struct pool_ops ops = { .worker = worker };

	if (make_lock() < 0)
		return 1;
	return pool_run(srv, &ops, srv->workers, NULL);
}
