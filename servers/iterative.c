/* SPDX-License-Identifier: MIT */
/*
 * iterative - accept, serve, close; one connection at a time.
 *
 * UNP's baseline (and seed 000's "monoprocess" server): no process or thread is
 * ever created, so its process-control CPU time is zero, and every client waits
 * for all those before it. A silent client holds everybody up until its
 * --read-timeout expires; that is the model, not a bug.
 */
#include "accept.h"
#include "conn.h"
#include "models.h"
#include "proc.h"
#include "server.h"

int iterative_run(struct server *srv)
{
	struct sockaddr_storage peer;
	int fd;

	proc_shutdown_on_stop(srv->listen_fd); /* SIGTERM ends a blocked accept */
	proc_signals_unblock();
	server_ready(srv);
	while ((fd = srv_accept_next(srv->listen_fd, &peer)) >= 0)
		conn_serve_blocking(srv, fd, &peer);
	return 0;
}
