/* SPDX-License-Identifier: MIT */
/*
 * idle.c - the --idle connections (see idle.h): opened at once, held silent, watched.
 *
 * idle_start() issues every connect() on the calling thread, before the load's threads
 * start: a non-blocking connect on loopback costs a few microseconds, and doing them
 * all first keeps the thread a plain watcher. Each socket sits in one epoll set,
 * edge-triggered, for EPOLLOUT (the connect completed), EPOLLIN and EPOLLRDHUP (the
 * server sent something or closed it). Once established, a connection is only read if
 * the server speaks: whatever it sends is drained and dropped, and its end (EOF or an
 * error) counts as a failure of that kind (a close is "short", a reset "reset"). Connects
 * still pending at --connect-timeout fail as "connect_timeout". Nothing is reopened.
 *
 * The thread waits with millisecond timeouts and only while connects are pending;
 * afterwards it sleeps in epoll_wait(-1) until an event or the stop eventfd.
 */
#include "idle.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"

#define IDLE_EVENTS    256		   /* events taken per epoll_wait */
#define IDLE_STOP      UINT64_MAX	   /* epoll data of the stop eventfd */
#define IDLE_SETTLE_NS (1 * NSEC_PER_SEC)  /* the longest wait for the first connects */
#define IDLE_POLL_NS   (1 * NSEC_PER_MSEC) /* how often idle_start looks meanwhile */

/* Connection @i ended with @kind (never ERR_NONE): count it, close it. */
static void idle_fail(struct idle_load *s, unsigned i, enum err_kind kind)
{
	if (!s->connected[i]) {
		s->pending--;
		atomic_fetch_add_explicit(&s->settled, 1, memory_order_release);
	}
	s->c.failed++;
	s->c.errors[kind]++;
	close(s->fds[i]); /* also takes it out of the epoll set */
	s->fds[i] = -1;
}

/* The server spoke on a held connection: drain it; its end is a failure. */
static void idle_read(struct idle_load *s, unsigned i)
{
	char buf[4096];

	for (;;) {
		ssize_t n = recv(s->fds[i], buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			s->c.bytes_received += (uint64_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		idle_fail(s, i, err_from_errno(PHASE_RECV, n < 0 ? errno : 0));
		return;
	}
}

static void idle_event(struct idle_load *s, unsigned i, uint32_t events)
{
	if (!s->connected[i]) {
		if (events & (EPOLLERR | EPOLLHUP)) {
			int err = 0;
			socklen_t len = sizeof(err);
			if (getsockopt(s->fds[i], SOL_SOCKET, SO_ERROR, &err, &len) < 0)
				err = errno;
			idle_fail(s, i, err_from_errno(PHASE_CONNECT, err ? err : ECONNABORTED));
			return;
		}
		if (!(events & EPOLLOUT))
			return;
		s->connected[i] = 1;
		s->c.connected++;
		s->pending--;
		atomic_fetch_add_explicit(&s->settled, 1, memory_order_release);
	}
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP))
		idle_read(s, i);
}

/* --connect-timeout passed: every connect still pending fails. */
static void idle_timeout(struct idle_load *s)
{
	for (unsigned i = 0; i < s->o->idle; i++)
		if (s->fds[i] >= 0 && !s->connected[i])
			idle_fail(s, i, ERR_CONNECT_TIMEOUT);
}

static void *idle_main(void *arg)
{
	struct idle_load *s = arg;
	struct epoll_event evs[IDLE_EVENTS];

	for (;;) {
		int ms = -1, nev;

		if (s->pending && clock_now_ns() >= s->connect_deadline)
			idle_timeout(s);
		if (s->pending)
			ms = clock_ms_until(s->connect_deadline);
		nev = epoll_wait(s->epfd, evs, IDLE_EVENTS, ms);
		if (nev < 0 && errno != EINTR) {
			log_warn("--idle: epoll_wait() failed: %m");
			return NULL;
		}
		for (int i = 0; i < nev; i++) {
			uint64_t data = evs[i].data.u64;
			if (data == IDLE_STOP)
				return NULL;
			if (s->fds[data] >= 0)
				idle_event(s, (unsigned)data, evs[i].events);
		}
	}
}

/* Open connection @i: socket(), a non-blocking connect(), into the epoll set. */
static void idle_open(struct idle_load *s, unsigned i)
{
	const struct load_opts *o = s->o;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
				  .data.u64 = i };
	int fd = socket(o->target.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	s->c.opened++;
	s->pending++;
	if (fd < 0) {
		s->pending--;
		atomic_fetch_add_explicit(&s->settled, 1, memory_order_release);
		s->c.failed++;
		s->c.errors[err_from_errno(PHASE_SOCKET, errno)]++;
		return;
	}
	s->fds[i] = fd;
	if (connect(fd, (const struct sockaddr *)&o->target.addr, o->target.addr_len) < 0 &&
	    errno != EINPROGRESS) {
		idle_fail(s, i, err_from_errno(PHASE_CONNECT, errno));
		return;
	}
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		idle_fail(s, i, err_from_errno(PHASE_SOCKET, errno));
}

int idle_start(struct idle_load *s, const struct load_opts *o)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = IDLE_STOP };
	uint64_t until;
	int err;

	memset(s, 0, sizeof(*s));
	s->o = o;
	s->epfd = s->stop_fd = -1;
	s->fds = malloc(o->idle * sizeof(*s->fds));
	s->connected = calloc(o->idle, 1);
	if (!s->fds || !s->connected) {
		errno = ENOMEM;
		return -1;
	}
	for (unsigned i = 0; i < o->idle; i++)
		s->fds[i] = -1;
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (s->epfd < 0 || s->stop_fd < 0 || epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->stop_fd, &ev) < 0)
		return -1;
	s->connect_deadline = clock_now_ns() + o->connect_timeout_ns;
	for (unsigned i = 0; i < o->idle; i++)
		idle_open(s, i);
	err = pthread_create(&s->tid, NULL, idle_main, s);
	if (err) {
		errno = err;
		return -1;
	}
	s->running = true;
	until = clock_now_ns() + IDLE_SETTLE_NS;
	while (atomic_load_explicit(&s->settled, memory_order_acquire) < o->idle &&
	       clock_now_ns() < until)
		clock_sleep_until(clock_now_ns() + IDLE_POLL_NS, NULL);
	return 0;
}

void idle_stop(struct idle_load *s, struct load_idle_counts *out)
{
	uint64_t one = 1;

	if (s->running) {
		if (write(s->stop_fd, &one, sizeof(one)) < 0)
			log_warn("write() to the --idle stop eventfd failed: %m");
		pthread_join(s->tid, NULL);
		s->running = false;
	}
	for (unsigned i = 0; s->fds && i < s->o->idle; i++) {
		if (s->fds[i] < 0)
			continue;
		if (s->connected[i])
			s->c.held++;
		else
			s->c.pending++;
		close(s->fds[i]);
	}
	if (out)
		*out = s->c;
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	free(s->fds);
	free(s->connected);
	memset(s, 0, sizeof(*s));
	s->epfd = s->stop_fd = -1;
}
