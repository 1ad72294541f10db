/* SPDX-License-Identifier: MIT */
/*
 * thread - a thread per connection (UNP fig. 26.3, the thread version of fork).
 *
 * The main thread accepts and starts a detached thread for each connection.
 * Thread creation costs far less than fork (UNP's table: 0.99 against 20.90 CPU
 * seconds of process control for the same load); the tracer's fork and
 * first-run latencies show where that difference comes from.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accept.h"
#include "clock.h"
#include "conn.h"
#include "counters.h"
#include "log.h"
#include "models.h"
#include "proc.h"
#include "server.h"

#define THREAD_STACK (256 * 1024)

static _Atomic unsigned active; /* connection threads still running */

struct job {
	struct server *srv;	      /* what to serve */
	int fd;			      /* the connection */
	struct sockaddr_storage peer; /* its client */
};

static void *serve_one(void *arg)
{
	struct job *job = arg;

	conn_serve_blocking(job->srv, job->fd, &job->peer);
	free(job);
	atomic_fetch_sub(&active, 1);
	return NULL;
}

static void start_thread(struct server *srv, const pthread_attr_t *attr, int fd,
			 const struct sockaddr_storage *peer)
{
	struct job *job = malloc(sizeof(*job));
	pthread_t tid;
	sigset_t all, old;

	if (!job) {
		srv_shed(fd);
		return;
	}
	*job = (struct job){ srv, fd, *peer };
	atomic_fetch_add(&active, 1);
	sigfillset(&all); /* signals stay with the main thread */
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int err = pthread_create(&tid, attr, serve_one, job);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		COUNT(thread_failures);
		log_warn("pthread_create() failed: %s", strerror(err));
		atomic_fetch_sub(&active, 1);
		free(job);
		srv_shed(fd);
	}
}

int thread_run(struct server *srv)
{
	pthread_attr_t attr;
	struct sockaddr_storage peer;
	int fd;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, THREAD_STACK);
	proc_shutdown_on_stop(srv->listen_fd);
	proc_signals_unblock();
	server_ready(srv);
	while ((fd = srv_accept_next(srv->listen_fd, &peer)) >= 0) {
		if (srv->max_conns && atomic_load(&active) >= srv->max_conns)
			srv_shed(fd);
		else
			start_thread(srv, &attr, fd, &peer);
	}
	pthread_attr_destroy(&attr);

	/* In-flight connections get --grace seconds; exit() ends whatever is left. */
	uint64_t deadline = server_grace_deadline(srv);
	while (atomic_load(&active) > 0 && clock_now_ns() < deadline)
		nanosleep(&(struct timespec){ 0, 5 * 1000 * 1000 }, NULL);
	if (atomic_load(&active) > 0)
		log_warn("%u connection thread(s) still busy after --grace: exiting anyway",
			 atomic_load(&active));
	return 0;
}
