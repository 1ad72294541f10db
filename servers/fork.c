/* SPDX-License-Identifier: MIT */
/*
 * fork - a child process per connection (UNP fig. 30.4, seed 000's "on demand").
 *
 * The parent only accepts and forks; each child serves its one connection and
 * exits. What happens to exited children is the point of --reap:
 *   sigchld  UNP's sig_chld: a SIGCHLD handler calls waitpid(-1, WNOHANG) until no
 *            exited child is left (one signal may stand for many exits).
 *   none     nobody calls wait while the server runs: every finished child stays
 *            a zombie (seed 000's surprise) until shutdown reaps them.
 *   ignore   SIGCHLD set to SIG_IGN: the kernel reaps children as they exit.
 * Whatever the policy, shutdown waits for (then kills) every child and reaps it.
 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "accept.h"
#include "conn.h"
#include "log.h"
#include "models.h"
#include "proc.h"
#include "server.h"

/* UNP's sig_chld. waitpid is async-signal-safe; errno is the interrupted code's. */
static void sig_chld(int sig)
{
	int saved = errno;

	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	errno = saved;
}

static void set_reap_policy(enum reap_policy reap)
{
	if (reap == REAP_SIGCHLD)
		proc_set_sigchld(sig_chld);
	else if (reap == REAP_IGNORE)
		proc_set_sigchld(SIG_IGN);
	else
		proc_set_sigchld(SIG_DFL); /* children stay zombies until we wait */
}

int fork_run(struct server *srv)
{
	struct pidset children = { 0 };
	struct sockaddr_storage peer;
	int fd;

	set_reap_policy(srv->reap);
	proc_shutdown_on_stop(srv->listen_fd);
	proc_signals_unblock();
	server_ready(srv);
	while ((fd = srv_accept_next(srv->listen_fd, &peer)) >= 0) {
		if (srv->max_conns && children.len >= srv->max_conns) {
			pidset_prune(&children);
			if (children.len >= srv->max_conns) {
				srv_shed(fd);
				continue;
			}
		}
		pid_t pid = proc_fork();
		if (pid == 0) {
			close(srv->listen_fd);
			conn_serve_blocking(srv, fd, &peer);
			_exit(0);
		}
		if (pid < 0)
			log_warn("fork() failed: %m");
		else
			pidset_add(&children, pid);
		close(fd);
	}

	/* Stop: no new connections; children finish (or are killed) and are reaped. */
	server_close_listener(srv);
	proc_set_sigchld(SIG_DFL); /* from here on, we reap every child ourselves */
	unsigned killed = proc_stop_children(&children, server_grace_deadline(srv));
	if (killed)
		log_warn("%u child(ren) did not finish within --grace: killed", killed);
	pidset_free(&children);
	return 0;
}
