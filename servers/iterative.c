/* SPDX-License-Identifier: MIT */
/*
 * iterative - accept, serve, close; one connection at a time.
 *
 * UNP's baseline (and seed 000's "monoprocess" server): no process or thread is
 * ever created, so its process-control CPU time is zero, and every client waits
 * for all those before it. A silent client holds everybody up until its
 * --read-timeout expires; that is the model, not a bug.
 */
#include <errno.h>

#include "accept.h"
#include "conn.h"
#include "log.h"
#include "models.h"
#include "proc.h"
#include "server.h"

int iterative_run(struct server *srv)
{
	proc_shutdown_on_stop(srv->listen_fd);
	proc_signals_unblock(); /* SIGTERM interrupts accept with EINTR */
	server_ready(srv);
	while (!srv_stop) {
		struct sockaddr_storage peer;
		int fd = srv_accept(srv->listen_fd, 0, &peer);
		if (fd < 0) {
			if (errno == EINVAL) /* SIGTERM shut the listener down */
				break;
			if (errno != EINTR && errno != ECONNABORTED)
				log_warn("accept4() failed: %m");
			continue;
		}
		conn_serve_blocking(srv, fd, &peer);
	}
	return 0;
}
