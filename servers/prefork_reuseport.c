/* SPDX-License-Identifier: MIT */
/*
 * prefork-reuseport - N children, each with its own SO_REUSEPORT listener.
 *
 * There is no shared accept queue to wake anybody on: the kernel hashes each new
 * connection's 4-tuple to one of the listening sockets, so each worker has a
 * queue (and a herd) of one. The price: a connection hashed to a busy worker
 * waits even when another is idle, and a worker that dies takes the connections
 * in its queue with it. The parent holds the port with a bound, non-listening
 * socket so that port 0 can be resolved once for all of them.
 */
#include <errno.h>
#include <unistd.h>

#include "accept.h"
#include "conn.h"
#include "log.h"
#include "models.h"
#include "net.h"
#include "pool.h"
#include "server.h"

static int worker(struct pool *p, int slot)
{
	struct server *srv = p->srv;
	int lfd = net_listen(srv->bind_addr, srv->port, srv->backlog, NET_REUSEPORT);

	if (lfd < 0) {
		log_warn("worker %d: cannot listen on port %u: %m", slot, srv->port);
		return 1;
	}
	close(srv->reserve_fd);
	proc_shutdown_on_stop(lfd);
	pool_ready(p);
	while (!srv_stop) {
		struct sockaddr_storage peer;
		int fd = srv_accept(lfd, 0, &peer);
		if (fd >= 0)
			conn_serve_blocking(srv, fd, &peer);
		else if (errno == EINVAL) /* our SIGTERM handler shut the listener down */
			break;
		else if (errno != EINTR && errno != ECONNABORTED)
			log_warn("accept4() failed: %m");
	}
	close(lfd);
	return 0;
}

int prefork_reuseport_run(struct server *srv)
{
	static const struct pool_ops ops = { .worker = worker };
	int rc = pool_run(srv, &ops, srv->workers, NULL);

	close(srv->reserve_fd);
	return rc;
}
