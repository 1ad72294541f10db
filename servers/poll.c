/* SPDX-License-Identifier: MIT */
/*
 * poll - one process, ppoll(), every connection non-blocking (UNP ch. 6.10).
 *
 * select() without its ceiling: the interest list is an array of struct
 * pollfd, one entry per watched descriptor, so any descriptor number works and
 * the cost follows the number watched rather than the highest number. The
 * kernel's work is the same as select's: do_poll() copies the whole array in,
 * calls every file's ->poll() (queueing the task on each socket's wait queue),
 * sleeps if nothing is ready, walks the array again when woken, and copies the
 * answers (revents) back out. Everything is O(watched descriptors) per call,
 * which is what epoll was made to remove.
 *
 * The array stays dense: a descriptor that stops being watched (closed, or a
 * connection in /sleep) is removed by moving the last entry into its place, and
 * a table indexed by descriptor finds an entry's place in O(1). ppoll() sleeps
 * with proc_wait_mask, so SIGTERM is only taken while waiting (proc.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "evloop.h"
#include "log.h"
#include "models.h"
#include "proc.h"
#include "server.h"

struct poll_model {
	struct pollfd *pfd; /* the watched descriptors, dense: what ppoll() gets */
	int n;		    /* entries used in @pfd */
	int cap;	    /* entries allocated in @pfd */
	int *index;	    /* by descriptor: its entry in @pfd, or -1 */
	int index_cap;	    /* size of @index */
};

/* Make room for one more entry, and in @index for @fd. */
static int reserve(struct poll_model *m, int fd)
{
	if (m->n == m->cap) {
		int cap = m->cap ? m->cap * 2 : 256;
		struct pollfd *p = realloc(m->pfd, (size_t)cap * sizeof(*p));
		if (!p)
			return -1;
		m->pfd = p;
		m->cap = cap;
	}
	if (fd >= m->index_cap) {
		int cap = m->index_cap ? m->index_cap : 1024;
		while (cap <= fd)
			cap *= 2;
		int *ix = realloc(m->index, (size_t)cap * sizeof(*ix));
		if (!ix)
			return -1;
		for (int i = m->index_cap; i < cap; i++)
			ix[i] = -1;
		m->index = ix;
		m->index_cap = cap;
	}
	return 0;
}

/* Take @fd's entry out: the last entry moves into its place. */
static void remove_entry(struct poll_model *m, int fd)
{
	if (fd >= m->index_cap || m->index[fd] < 0)
		return;
	int i = m->index[fd];
	m->pfd[i] = m->pfd[--m->n];
	m->index[m->pfd[i].fd] = i;
	m->index[fd] = -1;
}

static void watch(struct evloop *l, int fd, enum ev_interest from, enum ev_interest to)
{
	struct poll_model *m = l->model;
	short events = to == EV_READ ? POLLIN : POLLOUT;

	if (to == EV_NONE || to == EV_CLOSE) {
		remove_entry(m, fd);
	} else if (fd < m->index_cap && m->index[fd] >= 0) {
		m->pfd[m->index[fd]].events = events;
	} else if (reserve(m, fd) == 0) {
		m->pfd[m->n] = (struct pollfd){ .fd = fd, .events = events };
		m->index[fd] = m->n++;
	} else {
		/* Unwatched, the connection still ends at its deadline (408). */
		log_warn("out of memory for the pollfd array: descriptor %d unwatched", fd);
	}
}

/*
 * Drive every entry the kernel marked. Handling one may remove it (the last
 * entry, whose answer may still be unread, moves into its slot: look again) or
 * append new ones (accepted after the call: revents 0, left for the next call).
 */
static void dispatch(struct evloop *l, struct poll_model *m)
{
	for (int i = 0; i < m->n; i++) {
		while (i < m->n && m->pfd[i].revents) {
			int fd = m->pfd[i].fd;
			m->pfd[i].revents = 0;
			if (fd == l->lfd)
				evloop_accept(l);
			else
				evloop_ready(l, fd);
		}
	}
}

int poll_run(struct server *srv)
{
	static const struct evloop_ops ops = { .watch = watch };
	struct poll_model m = { 0 };
	struct evloop l;

	evloop_init(&l, srv, srv->listen_fd, &ops, &m);
	server_ready(srv);
	while (!evloop_done(&l)) {
		int ms = evloop_timers(&l);
		uint64_t ns = ms < 0 ? 0 : (uint64_t)ms * NSEC_PER_MSEC;
		struct timespec ts = clock_ns_to_timespec(ns);
		int n = ppoll(m.pfd, (nfds_t)m.n, ms < 0 ? NULL : &ts, &proc_wait_mask);
		if (n < 0 && errno != EINTR)
			die("ppoll() failed: %m");
		if (n > 0)
			dispatch(&l, &m);
	}
	evloop_free(&l);
	free(m.pfd);
	free(m.index);
	return 0;
}
