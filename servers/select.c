/* SPDX-License-Identifier: MIT */
/*
 * select - one process, pselect(), every connection non-blocking (UNP ch. 6.8).
 *
 * The oldest readiness interface. The process keeps two bitmaps, the
 * descriptors it wants to read and those it wants to write, and hands copies
 * of both to the kernel on every call, because the kernel writes its answer
 * into them. Underneath, do_select() walks every descriptor up to the highest
 * one, calls each file's ->poll() to ask whether it is ready and to put the
 * task on that socket's wait queue; if none is, the task sleeps until any of
 * them wakes it, then the whole walk runs again to collect the answer and take
 * the task off every queue. Each call therefore costs O(highest descriptor)
 * twice, in the kernel and again here to scan the result.
 *
 * The bitmaps hold FD_SETSIZE (1024) bits: a descriptor at or above that
 * cannot be watched at all (FD_SET there writes past the set), so evloop
 * refuses such connections and counts them. pselect() sleeps with
 * proc_wait_mask, so SIGTERM is only taken while waiting (proc.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/select.h>

#include "clock.h"
#include "evloop.h"
#include "log.h"
#include "models.h"
#include "proc.h"
#include "server.h"

struct select_model {
	fd_set rd;  /* descriptors waiting to be readable */
	fd_set wr;  /* descriptors waiting to be writable */
	int max_fd; /* highest descriptor in @rd or @wr, -1 if none */
};

static bool in_sets(const struct select_model *m, int fd)
{
	return FD_ISSET(fd, &m->rd) || FD_ISSET(fd, &m->wr);
}

static void watch(struct evloop *l, int fd, enum ev_interest from, enum ev_interest to)
{
	struct select_model *m = l->model;

	if (fd < 0 || fd >= FD_SETSIZE) /* evloop refuses these; never touch past the set */
		return;
	FD_CLR(fd, &m->rd);
	FD_CLR(fd, &m->wr);
	if (to == EV_READ)
		FD_SET(fd, &m->rd);
	else if (to == EV_WRITE)
		FD_SET(fd, &m->wr);
	if (fd > m->max_fd && (to == EV_READ || to == EV_WRITE))
		m->max_fd = fd;
	while (m->max_fd >= 0 && !in_sets(m, m->max_fd))
		m->max_fd--;
}

/* Drive every descriptor the kernel marked in @rd / @wr (@n of them). */
static void dispatch(struct evloop *l, const fd_set *rd, const fd_set *wr, int nfds, int n)
{
	for (int fd = 0; fd < nfds && n > 0; fd++) {
		if (!FD_ISSET(fd, rd) && !FD_ISSET(fd, wr))
			continue;
		n -= FD_ISSET(fd, rd) + FD_ISSET(fd, wr);
		if (fd == l->lfd)
			evloop_accept(l);
		else
			evloop_ready(l, fd);
	}
}

int select_run(struct server *srv)
{
	static const struct evloop_ops ops = { .watch = watch };
	struct select_model m = { .max_fd = -1 };
	struct evloop l;

	if (srv->listen_fd >= FD_SETSIZE)
		die("listener descriptor %d >= FD_SETSIZE (%d)", srv->listen_fd, FD_SETSIZE);
	FD_ZERO(&m.rd);
	FD_ZERO(&m.wr);
	evloop_init(&l, srv, srv->listen_fd, &ops, &m);
	l.max_fd = FD_SETSIZE;
	server_ready(srv);
	while (!evloop_done(&l)) {
		int ms = evloop_timers(&l);
		uint64_t ns = ms < 0 ? 0 : (uint64_t)ms * NSEC_PER_MSEC;
		struct timespec ts = clock_ns_to_timespec(ns);
		fd_set rd = m.rd, wr = m.wr; /* the kernel overwrites its copy with the answer */
		int nfds = m.max_fd + 1;
		int n = pselect(nfds, &rd, &wr, NULL, ms < 0 ? NULL : &ts, &proc_wait_mask);
		if (n < 0 && errno != EINTR)
			die("pselect() failed: %m");
		if (n > 0)
			dispatch(&l, &rd, &wr, nfds, n);
	}
	evloop_free(&l);
	return 0;
}
