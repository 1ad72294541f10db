/* SPDX-License-Identifier: MIT */
/*
 * prefork - N children block in accept on the shared listener, no lock
 * (UNP fig. 30.9).
 *
 * All N sleep in accept(2) on the one listening socket. Since Linux 2.6 the
 * kernel wakes only one of them per connection (the accept queue's wait is
 * exclusive), so the thundering herd of old BSD kernels is gone here: the tracer
 * should see one wakeup per accepted connection.
 *
 * The child's loop is shared with the two models that put a lock around accept
 * (prefork_mutex.c, prefork_flock.c), as UNP's child_main is shared by its
 * lock_fcntl.c and lock_pthread.c: only the lock differs.
 */
#include "accept.h"
#include "conn.h"
#include "families.h"
#include "models.h"
#include "process_pool.h"
#include "server.h"

/* UNP's child_main: [lock] accept [unlock], serve, until told to stop. */
static int child_main(struct pool *p, int slot)
{
	const struct accept_lock *lock = p->model;
	struct server *srv = p->srv;

	pool_ready(p);
	while (!srv_stop) {
		struct sockaddr_storage peer;
		if (lock && lock->acquire() < 0)
			continue; /* interrupted: look at srv_stop */
		int fd = srv_accept_next(srv->listen_fd, &peer);
		if (lock)
			lock->release();
		if (fd < 0) /* stopping */
			break;
		conn_serve_blocking(srv, fd, &peer);
	}
	return 0;
}

int prefork_pool(struct server *srv, const struct accept_lock *lock)
{
	static const struct pool_ops ops = { .worker = child_main };

	if (lock && lock->init() < 0)
		return 1;
	int rc = pool_run(srv, &ops, srv->workers, (void *)lock);
	if (lock)
		lock->destroy();
	return rc;
}

int prefork_run(struct server *srv)
{
	return prefork_pool(srv, NULL);
}
