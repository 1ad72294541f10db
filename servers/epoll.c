/* SPDX-License-Identifier: MIT */
/*
 * epoll - one process, one epoll instance, every connection non-blocking
 * (--trigger level|edge).
 *
 * Level-triggered (the default) is select/poll with the interest list kept in
 * the kernel: a descriptor is reported for as long as it is ready, and each
 * connection is watched for reading or for writing, whichever its state needs
 * (EPOLL_CTL_MOD when that changes). Edge-triggered registers every connection
 * once for both directions with EPOLLET and never modifies it again; the
 * kernel reports only changes, so every ready descriptor must be drained to
 * EAGAIN, which conn_progress() and evloop_accept() always do.
 */
#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "evloop.h"
#include "log.h"
#include "models.h"
#include "proc.h"
#include "server.h"

#define MAX_EVENTS 256

struct epoll_model {
	int epfd;  /* the epoll instance */
	bool edge; /* --trigger edge */
};

static void watch(struct evloop *l, int fd, enum ev_interest from, enum ev_interest to)
{
	struct epoll_model *m = l->model;
	struct epoll_event ev = { .data.fd = fd };
	int op;

	if (to == EV_CLOSE || to == EV_NONE) {
		/* close(2) takes a connection out of the set by itself; the listener
		 * (at shutdown) and a connection entering /sleep need an explicit DEL. */
		if (from != EV_NONE && (to == EV_NONE || fd == l->lfd))
			epoll_ctl(m->epfd, EPOLL_CTL_DEL, fd, NULL);
		return;
	}
	if (m->edge) { /* registered once, for both directions */
		if (from != EV_NONE)
			return;
		ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
		op = EPOLL_CTL_ADD;
	} else {
		ev.events = to == EV_READ ? EPOLLIN : EPOLLOUT;
		op = from == EV_NONE ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
	}
	if (epoll_ctl(m->epfd, op, fd, &ev) < 0)
		log_warn("epoll_ctl(%s, %d) failed: %m", op == EPOLL_CTL_ADD ? "ADD" : "MOD", fd);
}

int epoll_serve(struct server *srv, int lfd, bool edge)
{
	static const struct evloop_ops ops = { .watch = watch };
	struct epoll_model m = { .epfd = epoll_create1(EPOLL_CLOEXEC), .edge = edge };
	struct epoll_event ev[MAX_EVENTS];
	struct evloop l;

	if (m.epfd < 0) {
		log_warn("epoll_create1() failed: %m");
		return 1;
	}
	evloop_init(&l, srv, lfd, &ops, &m);
	while (!evloop_done(&l)) {
		int n = epoll_pwait(m.epfd, ev, MAX_EVENTS, evloop_timers(&l), &proc_wait_mask);
		if (n < 0 && errno != EINTR)
			die("epoll_pwait() failed: %m");
		for (int i = 0; i < n; i++) {
			if (ev[i].data.fd == l.lfd)
				evloop_accept(&l);
			else
				evloop_ready(&l, ev[i].data.fd);
		}
	}
	evloop_free(&l);
	close(m.epfd);
	return 0;
}

int epoll_run(struct server *srv)
{
	server_ready(srv);
	return epoll_serve(srv, srv->listen_fd, srv->edge_triggered);
}
