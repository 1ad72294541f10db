/* SPDX-License-Identifier: MIT */
#include "evloop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accept.h"
#include "clock.h"
#include "counters.h"
#include "log.h"
#include "server.h"

int evloop_init(struct evloop *l, struct server *srv, int lfd, const struct evloop_ops *ops,
		void *model)
{
	memset(l, 0, sizeof(*l));
	l->srv = srv;
	l->ops = ops;
	l->model = model;
	l->lfd = lfd;
	l->max_fd = 1 << 30;
	heap_init(&l->timers);
	ops->watch(l, lfd, EV_NONE, EV_READ);
	return 0;
}

/* Make room in the per-descriptor tables for @fd. */
static int ensure_slot(struct evloop *l, int fd)
{
	if (fd < l->conn_cap)
		return 0;
	int cap = l->conn_cap ? l->conn_cap : 1024;
	while (cap <= fd)
		cap *= 2;
	struct conn **c = realloc(l->conn, (size_t)cap * sizeof(*c));
	if (!c)
		return -1;
	l->conn = c;
	uint8_t *in = realloc(l->interest, (size_t)cap);
	if (!in)
		return -1;
	l->interest = in;
	memset(l->conn + l->conn_cap, 0, (size_t)(cap - l->conn_cap) * sizeof(*c));
	memset(l->interest + l->conn_cap, EV_NONE, (size_t)(cap - l->conn_cap));
	l->conn_cap = cap;
	return 0;
}

static void close_conn(struct evloop *l, struct conn *c)
{
	int fd = c->fd;

	l->ops->watch(l, fd, (enum ev_interest)l->interest[fd], EV_CLOSE);
	heap_remove(&l->timers, &c->timer);
	conn_close(c);
	free(c);
	l->conn[fd] = NULL;
	l->interest[fd] = EV_NONE;
	l->open--;
}

/* After the connection moved: tell the mechanism, rearm its timer, or close it. */
static void settle(struct evloop *l, struct conn *c, enum conn_state st)
{
	static const uint8_t want[] = {
		[CONN_READ] = EV_READ,
		[CONN_SLEEP] = EV_NONE,
		[CONN_WRITE] = EV_WRITE,
	};

	if (st == CONN_DONE) {
		close_conn(l, c);
		return;
	}
	if (l->interest[c->fd] != want[st]) {
		l->ops->watch(l, c->fd, (enum ev_interest)l->interest[c->fd],
			      (enum ev_interest)want[st]);
		l->interest[c->fd] = want[st];
	}
	if (heap_set(&l->timers, &c->timer, c->deadline) < 0)
		close_conn(l, c); /* out of memory: drop it rather than lose its timer */
}

static void add_conn(struct evloop *l, int fd, const struct sockaddr_storage *peer)
{
	struct conn *c;

	if (fd >= l->max_fd) {
		COUNT(fd_setsize_refused);
		if (l->refused++ % 1000 == 0)
			log_warn("descriptor %d >= %d (FD_SETSIZE): connection refused (%llu so "
				 "far)",
				 fd, l->max_fd, (unsigned long long)l->refused);
		close(fd);
		return;
	}
	if ((l->srv->max_conns && l->open >= l->srv->max_conns) || ensure_slot(l, fd) < 0 ||
	    !(c = malloc(sizeof(*c)))) {
		srv_shed(fd);
		return;
	}
	conn_init(c, l->srv, fd, peer);
	l->conn[fd] = c;
	l->interest[fd] = EV_NONE;
	l->open++;
	settle(l, c, conn_progress(c)); /* the request is often there already */
}

void evloop_accept(struct evloop *l)
{
	while (l->lfd >= 0) {
		struct sockaddr_storage peer;
		int fd = srv_accept(l->lfd, SOCK_NONBLOCK, &peer);
		if (fd >= 0) {
			add_conn(l, fd, &peer);
			continue;
		}
		if (errno == ECONNABORTED || errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINVAL)
			log_warn("accept4() failed: %m");
		return;
	}
}

void evloop_ready(struct evloop *l, int fd)
{
	if (fd < l->conn_cap && l->conn[fd])
		settle(l, l->conn[fd], conn_progress(l->conn[fd]));
}

int evloop_timers(struct evloop *l)
{
	uint64_t now = clock_now_ns();
	struct heap_node *n;

	while ((n = heap_min(&l->timers)) && n->key <= now) {
		struct conn *c = (struct conn *)((char *)n - offsetof(struct conn, timer));
		heap_remove(&l->timers, n);
		enum conn_state st = conn_timeout(c);
		if (st == CONN_WRITE) /* a /sleep ended: the socket is writable already */
			st = conn_progress(c);
		settle(l, c, st);
	}
	int ms = n ? clock_ms_until(n->key) : -1;
	if (l->stop_deadline) { /* draining: wake no later than --grace allows */
		int left = clock_ms_until(l->stop_deadline);
		if (ms < 0 || left < ms)
			ms = left;
	}
	return ms;
}

bool evloop_done(struct evloop *l)
{
	if (!srv_stop)
		return false;
	if (!l->stop_deadline) {
		l->stop_deadline = server_grace_deadline(l->srv);
		if (l->lfd >= 0) {
			l->ops->watch(l, l->lfd, EV_READ, EV_CLOSE);
			l->lfd = -1;
		}
		for (int fd = 0; fd < l->conn_cap; fd++) { /* idle keep-alive: close now */
			struct conn *c = l->conn[fd];
			if (c && c->state == CONN_READ && c->in_len == 0 && c->requests > 0)
				close_conn(l, c);
		}
	}
	return l->open == 0 || clock_now_ns() >= l->stop_deadline;
}

void evloop_free(struct evloop *l)
{
	if (l->open)
		log_warn("%u connection(s) still open after --grace: closed", l->open);
	for (int fd = 0; fd < l->conn_cap; fd++)
		if (l->conn[fd])
			close_conn(l, l->conn[fd]);
	if (l->refused)
		log_info("refused %llu connection(s) at descriptors >= %d",
			 (unsigned long long)l->refused, l->max_fd);
	heap_free(&l->timers);
	free(l->conn);
	free(l->interest);
}
