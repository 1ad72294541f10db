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
#include "families.h"
#include "log.h"
#include "models.h"
#include "proc.h"
#include "server.h"

#define MAX_EVENTS 256

struct epoll_model {
	int epfd;		       /* the epoll instance */
	const struct epoll_opts *opts; /* edge, exclusive, wake_fd, sigmask */
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
	if (m->opts->edge) { /* registered once, for both directions */
		if (from != EV_NONE)
			return;
		ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
		op = EPOLL_CTL_ADD;
	} else {
		ev.events = to == EV_READ ? EPOLLIN : EPOLLOUT;
		op = from == EV_NONE ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
	}
	if (fd == l->lfd && m->opts->exclusive) /* only ever added, never modified */
		ev.events = EPOLLIN | EPOLLEXCLUSIVE | (m->opts->edge ? EPOLLET : 0);
	if (epoll_ctl(m->epfd, op, fd, &ev) < 0)
		log_warn("epoll_ctl(%s, %d) failed: %m", op == EPOLL_CTL_ADD ? "ADD" : "MOD", fd);
}

static int epoll_wait_with(struct epoll_model *m, struct epoll_event *ev, int timeout)
{
	if (m->opts->sigmask)
		return epoll_pwait(m->epfd, ev, MAX_EVENTS, timeout, m->opts->sigmask);
	return epoll_wait(m->epfd, ev, MAX_EVENTS, timeout);
}

int epoll_serve(struct server *srv, int lfd, const struct epoll_opts *opts)
{
	static const struct evloop_ops ops = { .watch = watch };
	struct epoll_model m = { .epfd = epoll_create1(EPOLL_CLOEXEC), .opts = opts };
	struct epoll_event ev[MAX_EVENTS];
	struct evloop l;
	uint64_t count;

	if (m.epfd < 0) {
		log_warn("epoll_create1() failed: %m");
		return 1;
	}
	if (opts->wake_fd >= 0) {
		struct epoll_event wake = { .events = EPOLLIN, .data.fd = opts->wake_fd };
		epoll_ctl(m.epfd, EPOLL_CTL_ADD, opts->wake_fd, &wake);
	}
	evloop_init(&l, srv, lfd, &ops, &m);
	while (!evloop_done(&l)) {
		int n = epoll_wait_with(&m, ev, evloop_timers(&l));
		if (n < 0 && errno != EINTR)
			die("epoll_wait() failed: %m");
		for (int i = 0; i < n; i++) {
			int fd = ev[i].data.fd;
			if (fd == opts->wake_fd)
				(void)!read(fd, &count, sizeof(count)); /* srv_stop is set */
			else if (fd == l.lfd)
				evloop_accept(&l);
			else
				evloop_ready(&l, fd);
		}
	}
	evloop_free(&l);
	close(m.epfd);
	return 0;
}

int epoll_run(struct server *srv)
{
	struct epoll_opts opts = { .edge = srv->edge_triggered,
				   .wake_fd = -1,
				   .sigmask = &proc_wait_mask };

	server_ready(srv);
	return epoll_serve(srv, srv->listen_fd, &opts);
}
