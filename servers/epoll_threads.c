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
 * workers), which sleeps in workers_wait_stop(). To stop, it writes to each
 * thread's eventfd, which sits in that thread's epoll set: a thread blocked
 * with no timer would not otherwise wake, and shutting the listener down wakes
 * only one exclusive waiter per event. Each thread then drains its own
 * connections within --grace (evloop_done) and main joins them (workers_stop).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "evloop.h"
#include "log.h"
#include "models.h"
#include "server.h"
#include "threads.h"

#define MAX_EVENTS 256

/* What the threads share: set up by main before they start. */
struct epoll_threads {
	int *wake_fd;	  /* per thread: an eventfd main writes to at stop */
	int n;		  /* threads (entries in @wake_fd) */
	_Atomic int next; /* the next thread's index */
	bool exclusive;	  /* --exclusive: EPOLLEXCLUSIVE on the listener */
};

/* One thread's mechanism (the evloop's model), on that thread's stack. */
struct loop_thread {
	int epfd;	/* this thread's epoll instance */
	int wake_fd;	/* its eventfd, in @epfd */
	bool exclusive; /* add the listener with EPOLLEXCLUSIVE */
};

/* epoll.c's level-triggered watch, with EPOLLEXCLUSIVE for the listener. */
static void watch(struct evloop *l, int fd, enum ev_interest from, enum ev_interest to)
{
	struct loop_thread *t = l->model;
	struct epoll_event ev = { .data.fd = fd };
	int op;

	if (to == EV_CLOSE || to == EV_NONE) {
		/* close(2) takes a connection out of the set; the listener (shared, not
		 * closed) and a connection entering /sleep need an explicit DEL. */
		if (from != EV_NONE && (to == EV_NONE || fd == l->lfd))
			epoll_ctl(t->epfd, EPOLL_CTL_DEL, fd, NULL);
		return;
	}
	ev.events = to == EV_READ ? EPOLLIN : EPOLLOUT;
	if (fd == l->lfd && t->exclusive)
		ev.events |= EPOLLEXCLUSIVE; /* only ever ADDed, never MODed */
	op = from == EV_NONE ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
	if (epoll_ctl(t->epfd, op, fd, &ev) < 0)
		log_warn("epoll_ctl(%s, %d) failed: %m", op == EPOLL_CTL_ADD ? "ADD" : "MOD", fd);
}

/* The epoll loop, until srv_stop and the thread's connections are drained. */
static void run_loop(struct evloop *l, struct loop_thread *t)
{
	struct epoll_event ev[MAX_EVENTS];

	while (!evloop_done(l)) {
		int n = epoll_wait(t->epfd, ev, MAX_EVENTS, evloop_timers(l));
		if (n < 0 && errno != EINTR) {
			log_warn("epoll_wait() failed: %m");
			return;
		}
		for (int i = 0; i < n; i++) {
			int fd = ev[i].data.fd;
			uint64_t count;
			if (fd == t->wake_fd)
				(void)!read(fd, &count, sizeof(count)); /* srv_stop is set */
			else if (fd == l->lfd)
				evloop_accept(l);
			else
				evloop_ready(l, fd);
		}
	}
}

static void *worker(void *arg)
{
	static const struct evloop_ops ops = { .watch = watch };
	struct workers *w = arg;
	struct epoll_threads *et = w->model;
	int i = atomic_fetch_add(&et->next, 1);
	struct loop_thread t = { .epfd = epoll_create1(EPOLL_CLOEXEC),
				 .wake_fd = et->wake_fd[i],
				 .exclusive = et->exclusive };
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = t.wake_fd };
	struct evloop l;

	if (t.epfd < 0 || epoll_ctl(t.epfd, EPOLL_CTL_ADD, t.wake_fd, &ev) < 0) {
		log_warn("thread %d: epoll set-up failed: %m", i);
	} else {
		evloop_init(&l, w->srv, w->srv->listen_fd, &ops, &t);
		run_loop(&l, &t);
		evloop_free(&l);
	}
	if (t.epfd >= 0)
		close(t.epfd);
	workers_exit(w);
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
	static struct workers w;

	et.n = srv->workers;
	et.exclusive = srv->exclusive;

	if (create_wake_fds(&et) < 0)
		die("eventfd() failed: %m");
	if (workers_start(&w, srv, et.n, worker, &et) < 0) {
		wake_all(&et);
		return 1; /* threads may still be running: leave their state to exit() */
	}
	server_ready(srv);
	workers_wait_stop();
	wake_all(&et);
	workers_stop(&w);
	if (atomic_load(&w.running) > 0)
		return 0; /* still busy after --grace: exit() ends them; keep their eventfds */
	for (int i = 0; i < et.n; i++)
		close(et.wake_fd[i]);
	free(et.wake_fd);
	return 0;
}
