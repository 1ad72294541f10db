/* SPDX-License-Identifier: MIT */
/* models.h - each model's entry point; the table itself is in models.c. */
#ifndef HERD_MODELS_H
#define HERD_MODELS_H

#include <signal.h>
#include <stdbool.h>

struct server;

int iterative_run(struct server *srv);
int fork_run(struct server *srv);
int prefork_run(struct server *srv);
int prefork_mutex_run(struct server *srv);
int prefork_flock_run(struct server *srv);
int prefork_passfd_run(struct server *srv);
int prefork_epoll_run(struct server *srv);
int prefork_epoll_exclusive_run(struct server *srv);
int prefork_reuseport_run(struct server *srv);
int prefork_dynamic_run(struct server *srv);
int thread_run(struct server *srv);
int prethread_mutex_run(struct server *srv);
int prethread_queue_run(struct server *srv);
int select_run(struct server *srv);
int poll_run(struct server *srv);
int epoll_run(struct server *srv);
int epoll_threads_run(struct server *srv);
int sigio_run(struct server *srv);
int uring_run(struct server *srv);

/* How epoll_serve() waits. */
struct epoll_opts {
	bool edge;		 /* EPOLLET on every descriptor */
	bool exclusive;		 /* EPOLLEXCLUSIVE on the listener */
	int wake_fd;		 /* an eventfd written at shutdown to end the wait, or -1 */
	const sigset_t *sigmask; /* wait with this mask (epoll_pwait), or NULL */
};

/*
 * epoll.c: serve @lfd (non-blocking) with one epoll event loop until stopped and
 * drained. A process waits with proc_wait_mask (its signals blocked otherwise:
 * proc_signals_block); a thread, whose signals stay blocked, with a wake_fd.
 */
int epoll_serve(struct server *srv, int lfd, const struct epoll_opts *opts);

/* A lock taken around accept by every child of a pool (UNP's my_lock_wait/release). */
struct accept_lock {
	int (*acquire)(void); /* 0, or -1 if a signal interrupted the wait */
	void (*release)(void);
};

/* prefork.c: N children that accept on the shared listener, under @lock if not NULL. */
int prefork_pool(struct server *srv, const struct accept_lock *lock);

/* prefork_epoll.c: a pool whose workers wait in their own epoll on the shared listener. */
int prefork_epoll_pool(struct server *srv, bool exclusive);

#endif
