/* SPDX-License-Identifier: MIT */
/*
 * slow.c - the --slow connections (see slow.h): one thread, one epoll loop, a timer each.
 *
 * Each connection moves through:
 *
 *	WAIT --timer--> CONNECTING --established--> TRICKLE --last byte--> READING
 *	  ^                 |                          |                      |
 *	  +-- one interval -+ (failed)                 +--- answered, closed -+--> WAIT (now)
 *
 * In TRICKLE its timer is the next byte's time: one byte of the request is sent at
 * once, then one per --slow-interval. In READING the whole request is out and its
 * timer is --timeout, as for any request. Whatever ends a connection that was
 * established (a response, the server closing it, a reset) opens the next one at once,
 * so N stay held; a connect that failed is retried an interval later, so that a closed
 * port is not hammered. The server's answer is read with the same reader and classified
 * by the same rules (errors.h) as the load's: a 408 for the trickle counts as "http",
 * a close without a response as "short".
 *
 * The loop waits with millisecond timeouts: a trickle's byte a millisecond late changes
 * nothing, and none of this is measured.
 */
#include "slow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "response.h"

#define SLOW_EVENTS    256		   /* events taken per epoll_wait */
#define SLOW_RBUF      (16 * 1024)	   /* responses are read into this, and dropped */
#define SLOW_STOP      UINT64_MAX	   /* epoll data of the stop eventfd */
#define SLOW_SETTLE_NS (1 * NSEC_PER_SEC)  /* the longest wait for the first connects */
#define SLOW_POLL_NS   (1 * NSEC_PER_MSEC) /* how often slow_start looks meanwhile */

enum slow_state {
	SL_WAIT,       /* no connection: the timer opens the next one */
	SL_CONNECTING, /* connect() issued; the timer is --connect-timeout */
	SL_TRICKLE,    /* sending the request a byte at a time; the timer is the next byte */
	SL_READING,    /* the request is all sent; the timer is --timeout */
};

struct slow_conn {
	enum slow_state state;	 /* see the diagram above */
	int fd;			 /* the connection, or -1 */
	uint32_t gen;		 /* bumped per connection: events carry it, stale ones drop */
	unsigned index;		 /* its index in the slow_load's @conns */
	size_t sent;		 /* request bytes sent on this connection */
	bool settled;		 /* its first connect has had an outcome */
	struct heap_node timer;	 /* the deadline of the current state */
	struct resp_reader resp; /* the server's answer, as it arrives */
};

static struct slow_conn *conn_of(struct heap_node *n)
{
	return (struct slow_conn *)((char *)n - offsetof(struct slow_conn, timer));
}

/* The first connect of @c had an outcome: slow_start() may stop waiting for it. */
static void settle(struct slow_load *s, struct slow_conn *c)
{
	if (c->settled)
		return;
	c->settled = true;
	atomic_fetch_add_explicit(&s->settled, 1, memory_order_release);
}

/* The connection ended with @kind; the next one opens now, or (never connected) later. */
static void conn_end(struct slow_load *s, struct slow_conn *c, enum err_kind kind)
{
	uint64_t now = clock_now_ns();
	bool was_connected = c->state >= SL_TRICKLE;

	if (kind == ERR_NONE) {
		s->c.completed++;
	} else {
		s->c.failed++;
		s->c.errors[kind]++;
	}
	settle(s, c);
	if (c->fd >= 0)
		close(c->fd); /* also takes it out of the epoll set */
	c->fd = -1;
	c->state = SL_WAIT;
	heap_set(&s->timers, &c->timer, was_connected ? now : now + s->o->slow_interval_ns);
}

static void conn_fail(struct slow_load *s, struct slow_conn *c, enum req_phase phase, int err)
{
	conn_end(s, c, err_from_errno(phase, err));
}

static void conn_open(struct slow_load *s, struct slow_conn *c)
{
	const struct load_opts *o = s->o;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET };
	int fd;

	s->c.opened++;
	c->state = SL_CONNECTING;
	c->sent = 0;
	resp_reset(&c->resp, false, -1);
	heap_set(&s->timers, &c->timer, clock_now_ns() + o->connect_timeout_ns);
	fd = socket(o->target.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		conn_fail(s, c, PHASE_SOCKET, errno);
		return;
	}
	c->fd = fd;
	c->gen++;
	if (connect(fd, (const struct sockaddr *)&o->target.addr, o->target.addr_len) < 0 &&
	    errno != EINPROGRESS) {
		conn_fail(s, c, PHASE_CONNECT, errno);
		return;
	}
	ev.data.u64 = (uint64_t)c->gen << 32 | c->index;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		conn_fail(s, c, PHASE_SOCKET, errno);
}

/* TRICKLE: the next byte of the request, then wait an interval (or, all sent, the answer). */
static void send_byte(struct slow_load *s, struct slow_conn *c)
{
	uint64_t now = clock_now_ns();
	ssize_t n = send(c->fd, s->req + c->sent, 1, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		conn_fail(s, c, PHASE_SEND, errno);
		return;
	}
	if (n == 1) {
		c->sent++;
		s->c.bytes_sent++;
	}
	if (c->sent == s->req_len) {
		c->state = SL_READING;
		heap_set(&s->timers, &c->timer, now + s->o->timeout_ns);
	} else {
		heap_set(&s->timers, &c->timer, now + s->o->slow_interval_ns);
	}
}

/* Read what the server sent, until its answer ends or the socket is drained. */
static void read_answer(struct slow_load *s, struct slow_conn *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, s->rbuf, SLOW_RBUF, 0);
		enum resp_result r;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				conn_fail(s, c, PHASE_RECV, errno);
			return;
		}
		r = n ? resp_feed(&c->resp, s->rbuf, (size_t)n) : resp_eof(&c->resp);
		if (r == RESP_MORE)
			continue;
		if (r == RESP_SHORT)
			conn_fail(s, c, PHASE_RECV, 0);
		else
			conn_end(s, c,
				 err_from_response(r == RESP_DONE && resp_intact(&c->resp),
						   c->resp.head.status));
		return;
	}
}

static void conn_event(struct slow_load *s, struct slow_conn *c, uint32_t events)
{
	if (c->state == SL_CONNECTING) {
		if (events & (EPOLLERR | EPOLLHUP)) {
			int err = 0;
			socklen_t len = sizeof(err);
			if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
				err = errno;
			conn_fail(s, c, PHASE_CONNECT, err ? err : ECONNABORTED);
			return;
		}
		if (!(events & EPOLLOUT))
			return;
		c->state = SL_TRICKLE;
		s->c.connected++;
		settle(s, c);
		send_byte(s, c);
	}
	if (c->state >= SL_TRICKLE && (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)))
		read_answer(s, c);
}

static void conn_timer(struct slow_load *s, struct slow_conn *c)
{
	uint32_t gen = c->gen;

	switch (c->state) {
	case SL_WAIT:
		conn_open(s, c);
		break;
	case SL_CONNECTING:
		conn_end(s, c, ERR_CONNECT_TIMEOUT);
		break;
	case SL_TRICKLE:
		send_byte(s, c);
		break;
	case SL_READING:
		read_answer(s, c); /* an answer the loop has not reached yet is no timeout */
		if (c->gen == gen && c->state == SL_READING)
			conn_end(s, c, ERR_TIMEOUT);
		break;
	}
}

static void *slow_main(void *arg)
{
	struct slow_load *s = arg;
	struct epoll_event evs[SLOW_EVENTS];

	for (;;) {
		struct heap_node *n;
		int nev;

		while ((n = heap_min(&s->timers)) && n->key <= clock_now_ns()) {
			heap_remove(&s->timers, n);
			conn_timer(s, conn_of(n));
		}
		n = heap_min(&s->timers);
		nev = epoll_wait(s->epfd, evs, SLOW_EVENTS, n ? clock_ms_until(n->key) : -1);
		if (nev < 0 && errno != EINTR) {
			log_warn("--slow: epoll_wait() failed: %m");
			return NULL;
		}
		for (int i = 0; i < nev; i++) {
			uint64_t data = evs[i].data.u64;
			struct slow_conn *c;

			if (data == SLOW_STOP)
				return NULL;
			c = &s->conns[(uint32_t)data];
			if (c->fd >= 0 && c->gen == (uint32_t)(data >> 32))
				conn_event(s, c, evs[i].events);
		}
	}
}

/* Everything the thread needs, before it starts. 0, or -1 with errno. */
static int slow_init(struct slow_load *s, const struct load_opts *o)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = SLOW_STOP };
	const struct load_path *p = &o->work.paths[0];

	s->req = p->req[1]; /* GET, Connection: close (even beside --body's POSTs) */
	s->req_len = p->req_len[1];
	s->conns = calloc(o->slow, sizeof(*s->conns));
	s->timers.v = calloc(o->slow, sizeof(*s->timers.v));
	s->timers.cap = o->slow;
	s->rbuf = malloc(SLOW_RBUF);
	if (!s->conns || !s->timers.v || !s->rbuf) {
		errno = ENOMEM;
		return -1;
	}
	for (unsigned i = 0; i < o->slow; i++) {
		struct slow_conn *c = &s->conns[i];
		c->fd = -1;
		c->index = i;
		resp_init(&c->resp, false, -1);
		heap_set(&s->timers, &c->timer, 0); /* WAIT: open it at once */
	}
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (s->epfd < 0 || s->stop_fd < 0)
		return -1;
	return epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->stop_fd, &ev);
}

int slow_start(struct slow_load *s, const struct load_opts *o)
{
	uint64_t until;
	int err;

	memset(s, 0, sizeof(*s));
	s->o = o;
	s->epfd = s->stop_fd = -1;
	heap_init(&s->timers);
	if (slow_init(s, o) < 0)
		return -1;
	err = pthread_create(&s->tid, NULL, slow_main, s);
	if (err) {
		errno = err;
		return -1;
	}
	s->running = true;
	until = clock_now_ns() + SLOW_SETTLE_NS;
	while (atomic_load_explicit(&s->settled, memory_order_acquire) < o->slow &&
	       clock_now_ns() < until)
		clock_sleep_until(clock_now_ns() + SLOW_POLL_NS, NULL);
	return 0;
}

void slow_stop(struct slow_load *s, struct load_slow_counts *out)
{
	uint64_t one = 1;

	if (s->running) {
		if (write(s->stop_fd, &one, sizeof(one)) < 0)
			log_warn("write() to the --slow stop eventfd failed: %m");
		pthread_join(s->tid, NULL);
		s->running = false;
	}
	for (unsigned i = 0; s->conns && i < s->o->slow; i++) {
		struct slow_conn *c = &s->conns[i];
		if (c->fd >= 0) {
			s->c.held++;
			close(c->fd);
		}
		resp_free(&c->resp);
	}
	if (out)
		*out = s->c;
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	heap_free(&s->timers);
	free(s->conns);
	free(s->rbuf);
	memset(s, 0, sizeof(*s));
	s->epfd = s->stop_fd = -1;
}
