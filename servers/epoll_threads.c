/* SPDX-License-Identifier: MIT */
/*
 * epoll-threads - N threads, each running its own event loop with its own
 * epoll instance on the shared non-blocking listener (--exclusive: nginx's
 * design with accept_mutex off and EPOLLEXCLUSIVE).
 *
 * Each thread is the epoll model (epoll.c, level-triggered) in miniature: its
 * own connections, timers and epoll set, nothing shared but the listener. A
 * thread accepts every pending connection when its epoll reports the listener
 * and keeps the connections it accepted to the end. The question is who wakes.
 * Every epoll instance watching the listener has its own entry on the socket's
 * wait queue, so without --exclusive a new connection wakes every idle thread
 * (ep_poll_callback runs for each entry): one wins the accept, the others find
 * EAGAIN or nothing at all and sleep again, the herd of prefork-epoll between
 * threads. With --exclusive the listener is added with EPOLLEXCLUSIVE (Linux
 * 4.5) and the wakeup stops at the first epoll instance with a thread waiting
 * in it: one thread per connection, or a few when wakeups race. (An exclusive
 * entry cannot be EPOLL_CTL_MOD'ed; evloop only adds the listener and deletes
 * it at shutdown.)
 *
 * Signals stay with the main thread (proc_thread_create blocks them in the
 * workers), which sleeps in thread_pool_wait_stop(). To stop, it writes to each
 * thread's eventfd, which sits in that thread's epoll set: a thread blocked
 * with no timer would not otherwise wake, and shutting the listener down wakes
 * only one exclusive waiter per event. Each thread then drains its own
 * connections within --grace (evloop_done) and main joins them (thread_pool_stop).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "families.h"
#include "log.h"
#include "models.h"
#include "server.h"
#include "thread_pool.h"

/* What the threads share: set up by main before they start. */
struct epoll_threads {
	int *wake_fd;	  /* per thread: an eventfd main writes to at stop */
	int n;		  /* threads (entries in @wake_fd) */
	_Atomic int next; /* the next thread's index */
};

/* Each thread: the epoll model's loop (epoll.c) on the shared listener. */
static void *worker(void *arg)
{
	struct thread_pool *w = arg;
	struct epoll_threads *et = w->model;
	int i = atomic_fetch_add(&et->next, 1);
	struct epoll_opts opts = { .exclusive = w->srv->exclusive, .wake_fd = et->wake_fd[i] };

	epoll_serve(w->srv, w->srv->listen_fd, &opts);
	thread_pool_exit(w);
	return NULL;
}

/* Wake every thread from epoll_wait: srv_stop is already set. */
static void wake_all(struct epoll_threads *et)
{
	uint64_t one = 1;

	for (int i = 0; i < et->n; i++)
		if (write(et->wake_fd[i], &one, sizeof(one)) < 0)
			log_warn("write(eventfd) failed: %m");
}

static int create_wake_fds(struct epoll_threads *et)
{
	if (!(et->wake_fd = calloc((size_t)et->n, sizeof(*et->wake_fd))))
		return -1;
	for (int i = 0; i < et->n; i++)
		if ((et->wake_fd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
			return -1;
	return 0;
}

int epoll_threads_run(struct server *srv)
{
	/* Static: threads still busy after --grace outlive this frame (exit() ends them). */
	static struct epoll_threads et;
	static struct thread_pool w;

	et.n = srv->workers;

	if (create_wake_fds(&et) < 0)
		die("eventfd() failed: %m");
	if (thread_pool_start(&w, srv, et.n, worker, &et) < 0) {
		wake_all(&et);
		return 1; /* threads may still be running: leave their state to exit() */
	}
	server_ready(srv);
	thread_pool_wait_stop();
	wake_all(&et);
	thread_pool_stop(&w);
	if (atomic_load(&w.running) > 0)
		return 0; /* still busy after --grace: exit() ends them; keep their eventfds */
	for (int i = 0; i < et.n; i++)
		close(et.wake_fd[i]);
	free(et.wake_fd);
	return 0;
}
