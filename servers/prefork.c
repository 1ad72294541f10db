/* SPDX-License-Identifier: MIT */
/*
 * prefork - N children block in accept on the shared listener, no lock
 * (UNP fig. 30.9).
 *
 * All N sleep in accept(2) on the one listening socket. Since Linux 2.6 the
 * kernel wakes only one of them per connection (the accept queue's wait is
 * exclusive), so the thundering herd of old BSD kernels is gone here: the tracer
 * should see one wakeup per accepted connection.
 */
#include <errno.h>

#include "accept.h"
#include "conn.h"
#include "log.h"
#include "models.h"
#include "pool.h"
#include "server.h"

static int worker(struct pool *p, int slot)
{
	struct server *srv = p->srv;

	pool_ready(p);
	while (!srv_stop) {
		struct sockaddr_storage peer;
		int fd = srv_accept(srv->listen_fd, 0, &peer);
		if (fd >= 0)
			conn_serve_blocking(srv, fd, &peer);
		else if (errno == EINVAL) /* the parent shut the listener down */
			break;
		else if (errno != EINTR && errno != ECONNABORTED)
			log_warn("accept4() failed: %m");
	}
	return 0;
}

int prefork_run(struct server *srv)
{
	static const struct pool_ops ops = { .worker = worker };

	return pool_run(srv, &ops, srv->workers, NULL);
}
