/* SPDX-License-Identifier: MIT */
/*
 * prefork-epoll - N children, each with its own epoll instance watching the
 * shared listener, level-triggered, accepting without blocking: the herd.
 *
 * accept(2) wakes one waiter, but epoll does not: every epoll instance that
 * watches the listener has its own entry on the socket's wait queue, and a new
 * connection wakes all of them. One child wins the accept; the others find
 * EAGAIN or, more often, find nothing ready when they run and go back to sleep
 * inside epoll_wait without ever returning to user space (DESIGN.md: 8 workers,
 * 7.9 wakeups per connection, while epoll_wait returned far less often). That is
 * what the tracer's futile wakeups count. prefork-epoll-exclusive (its own file)
 * adds EPOLLEXCLUSIVE (Linux 4.5): the kernel wakes one exclusive waiter.
 */
#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "accept.h"
#include "conn.h"
#include "families.h"
#include "log.h"
#include "models.h"
#include "process_pool.h"
#include "server.h"

/* What the two models tell their children apart by (the pool's model state). */
struct prefork_epoll {
	bool exclusive; /* EPOLLEXCLUSIVE on each child's entry for the listener */
};

static int worker(struct pool *p, int slot)
{
	const struct prefork_epoll *m = p->model;
	struct server *srv = p->srv;
	int epfd = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN | (m->exclusive ? EPOLLEXCLUSIVE : 0) };

	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, srv->listen_fd, &ev) < 0) {
		log_warn("worker %d: epoll set-up failed: %m", slot);
		return 1;
	}
	pool_ready(p);
	while (!srv_stop) {
		if (epoll_wait(epfd, &ev, 1, -1) < 1)
			continue;		       /* EINTR: srv_stop is checked above */
		if (ev.events & (EPOLLHUP | EPOLLERR)) /* the parent shut the listener down */
			break;
		struct sockaddr_storage peer;
		int fd = srv_accept(srv->listen_fd, 0, &peer);
		if (fd >= 0)
			conn_serve_blocking(srv, fd, &peer);
		else if (errno == EINVAL)
			break;
		else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_warn("accept4() failed: %m");
		/* EAGAIN: another child took it: the herd's futile wakeup */
	}
	close(epfd);
	return 0;
}

int prefork_epoll_pool(struct server *srv, bool exclusive)
{
	static const struct pool_ops ops = { .worker = worker };
	struct prefork_epoll m = { .exclusive = exclusive }; /* each child has its copy */

	return pool_run(srv, &ops, srv->workers, &m);
}

int prefork_epoll_run(struct server *srv)
{
	return prefork_epoll_pool(srv, false);
}
