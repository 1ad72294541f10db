/* SPDX-License-Identifier: MIT */
/*
 * prefork-reuseport - N children, each with its own SO_REUSEPORT listener.
 *
 * There is no shared accept queue to wake anybody on: the kernel hashes each new
 * connection's 4-tuple to one of the listening sockets, so each worker has a
 * queue (and a herd) of one. Because a connection is bound to its worker from
 * the start, a worker must never block on one client while others wait in its
 * queue, so each serves its listener with its own epoll loop: nginx's
 * `listen ... reuseport`. The price of the design: the hash ignores load, and a
 * worker that dies takes the connections in its queue with it. The parent holds
 * the port with a bound, non-listening socket so that port 0 is resolved once.
 */
#include <unistd.h>

#include "families.h"
#include "log.h"
#include "models.h"
#include "proc.h"
#include "process_pool.h"
#include "server.h"

static int worker(struct pool *p, int slot)
{
	struct server *srv = p->srv;
	int lfd = server_listen_own(srv); /* non-blocking, as the table says */

	if (lfd < 0) {
		log_warn("worker %d: cannot listen on port %u: %m", slot, srv->port);
		return 1;
	}
	proc_signals_block(); /* the loop waits with proc_wait_mask, race-free */
	pool_ready(p);
	struct epoll_opts opts = { .wake_fd = -1, .sigmask = &proc_wait_mask };
	int rc = epoll_serve(srv, lfd, &opts);
	close(lfd);
	return rc;
}

int prefork_reuseport_run(struct server *srv)
{
	static const struct pool_ops ops = { .worker = worker };
	int rc = pool_run(srv, &ops, srv->workers, NULL);

	close(srv->reserve_fd);
	return rc;
}
