/* SPDX-License-Identifier: MIT */
/*
 * families.h - the loops that one model exports for the models built on it.
 *
 * Several models are another one with a single thing changed, as in UNP, whose
 * lock_fcntl.c and lock_pthread.c share one child_main: prefork-mutex and
 * prefork-flock are prefork with a lock around accept; prefork-epoll-exclusive
 * is prefork-epoll with EPOLLEXCLUSIVE; epoll-threads and prefork-reuseport run
 * the epoll model's loop in each of their workers. The model that owns a loop
 * exports it here and its variants call it, so each variant's file holds only
 * its difference. This is not the plumbing every model uses: that lives in
 * conn.h, accept.h, proc.h, process_pool.h, thread_pool.h and evloop.h.
 */
#ifndef HERD_FAMILIES_H
#define HERD_FAMILIES_H

#include <signal.h>
#include <stdbool.h>

struct server;

/* ---- prefork.c: children that accept on the shared listener ---- */

/* A lock taken around accept by every child of a pool (UNP's my_lock_init/wait/release). */
struct accept_lock {
	int (*init)(void);    /* in the parent, before the fork: 0, or -1 (logged) */
	int (*acquire)(void); /* in a child: 0, or -1 if a signal interrupted the wait */
	void (*release)(void);
	void (*destroy)(void); /* in the parent, once every child is gone */
};

/* N (--workers) children that accept on the shared listener, under @lock if not NULL. */
int prefork_pool(struct server *srv, const struct accept_lock *lock);

/* ---- prefork_epoll.c: children that wait in epoll on the shared listener ---- */

/* A pool whose children each wait in an epoll of their own, with EPOLLEXCLUSIVE or not. */
int prefork_epoll_pool(struct server *srv, bool exclusive);

/* ---- epoll.c: the epoll event loop ---- */

/* How epoll_serve() waits. */
struct epoll_opts {
	bool edge;		 /* EPOLLET on every descriptor */
	bool exclusive;		 /* EPOLLEXCLUSIVE on the listener */
	int wake_fd;		 /* an eventfd written at shutdown to end the wait, or -1 */
	const sigset_t *sigmask; /* wait with this mask (epoll_pwait), or NULL */
};

/*
 * Serve @lfd (non-blocking) with one epoll event loop until stopped and drained.
 * A process waits with proc_wait_mask (its signals blocked otherwise:
 * proc_signals_block); a thread, whose signals stay blocked, with a wake_fd.
 */
int epoll_serve(struct server *srv, int lfd, const struct epoll_opts *opts);

#endif
