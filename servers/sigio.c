/* SPDX-License-Identifier: MIT */
/*
 * sigio - signal-driven I/O with a real-time signal (UNP ch. 25, TLPI 63.3),
 * with a poll() pass when the signal queue overflows.
 *
 * Every socket, the listener and each connection, is given an owner
 * (F_SETOWN: this process), a signal (F_SETSIG: SIGRTMIN) and O_ASYNC. From
 * then on the socket's wakeup path (sock_def_readable, sk_stream_write_space,
 * the error and state-change callbacks) ends in kill_fasync(), which queues
 * one SIGRTMIN per event, its siginfo naming the descriptor (si_fd) and the
 * kind of event (si_band). The process keeps the signal blocked and takes the
 * signals one at a time with sigtimedwait(): no handler, no interest list to
 * hand over, one system call per event. The notification is edge-like: a
 * signal says something happened, not that the socket is still ready, so every
 * socket is drained to EAGAIN (evloop_accept, conn_progress) when its signal
 * comes, and a new connection is tried once more after O_ASYNC is set, since
 * data that came in between its accept and O_ASYNC raised no signal.
 *
 * Real-time signals queue, but not without end: each one pending takes a
 * struct sigqueue charged to the user's RLIMIT_SIGPENDING (shared by every
 * process of the user). When it is used up, the kernel (send_sigio_to_task)
 * sends plain SIGIO instead, which does not queue and carries no descriptor:
 * events were lost. Then the queue is flushed (queued signals are stale: the
 * pass below covers them) and one poll() pass with timeout 0 over every
 * watched descriptor catches up, as in Linux's phhttpd. That is also the safety
 * net for a SIGRTMIN without a descriptor (sent by kill, not by the kernel).
 * `prlimit --sigpending=4` forces the fallback.
 *
 * SIGTERM, SIGINT and SIGCHLD are taken by the same sigtimedwait(), so their
 * handlers never run: SIGTERM/SIGINT set srv_stop here.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "evloop.h"
#include "log.h"
#include "models.h"
#include "server.h"

struct sigio_model {
	int sig;	    /* the real-time signal every socket raises (SIGRTMIN) */
	pid_t pid;	    /* F_SETOWN: who gets it */
	sigset_t waitset;   /* what sigtimedwait() takes: sig, SIGIO, TERM, INT, CHLD */
	bool *armed;	    /* by descriptor: owner, signal and O_ASYNC are set */
	int armed_cap;	    /* size of @armed */
	int *recheck;	    /* armed since they were last tried: try once more */
	int recheck_len;    /* entries in @recheck */
	int recheck_cap;    /* size of @recheck */
	struct pollfd *pfd; /* the overflow pass's array */
	int pfd_cap;	    /* size of @pfd */
	uint64_t signals;   /* SIGRTMIN signals taken */
	uint64_t overflows; /* SIGIO: the real-time queue overflowed */
};

/* Grow a per-descriptor or list array of @size-byte elements to hold @want; new bytes zeroed. */
static int grow(void **arr, int *cap, int want, size_t size)
{
	if (want <= *cap)
		return 0;
	int n = *cap ? *cap : 256;
	while (n < want)
		n *= 2;
	char *p = realloc(*arr, (size_t)n * size);
	if (!p)
		return -1;
	memset(p + (size_t)*cap * size, 0, (size_t)(n - *cap) * size);
	*arr = p;
	*cap = n;
	return 0;
}

/* Owner, signal, then O_ASYNC: in that order, so the first event already names its descriptor. */
static int arm(struct sigio_model *m, int fd)
{
	int fl;

	if (fcntl(fd, F_SETOWN, m->pid) < 0 || fcntl(fd, F_SETSIG, m->sig) < 0 ||
	    (fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl | O_ASYNC) < 0)
		return -1;
	return 0;
}

static void watch(struct evloop *l, int fd, enum ev_interest from, enum ev_interest to)
{
	struct sigio_model *m = l->model;

	if (to == EV_CLOSE) {
		if (fd == l->lfd) /* the listener stays open at shutdown: silence it */
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_ASYNC);
		if (fd < m->armed_cap)
			m->armed[fd] = false; /* its number will be reused */
		return;
	}
	/* READ, WRITE and NONE (/sleep) differ only in what we do with a signal. */
	if (to == EV_NONE || (fd < m->armed_cap && m->armed[fd]))
		return;
	if (grow((void **)&m->armed, &m->armed_cap, fd + 1, sizeof(*m->armed)) < 0 ||
	    grow((void **)&m->recheck, &m->recheck_cap, m->recheck_len + 1, sizeof(int)) < 0) {
		log_warn("out of memory: descriptor %d unwatched", fd); /* ends at its deadline */
		return;
	}
	if (arm(m, fd) < 0) {
		log_warn("fcntl(%d, O_ASYNC) failed: %m", fd);
		return;
	}
	m->armed[fd] = true;
	m->recheck[m->recheck_len++] = fd;
}

static void handle_fd(struct evloop *l, int fd)
{
	if (fd == l->lfd)
		evloop_accept(l);
	else
		evloop_ready(l, fd);
}

/* Descriptors armed since they were last tried: data may have come before O_ASYNC. */
static void recheck(struct evloop *l, struct sigio_model *m)
{
	while (m->recheck_len > 0)
		handle_fd(l, m->recheck[--m->recheck_len]);
}

/* Build the pollfd array of every watched descriptor; returns its length. */
static int collect(struct evloop *l, struct sigio_model *m)
{
	int n = 0;

	if (grow((void **)&m->pfd, &m->pfd_cap, (int)l->open + 1, sizeof(*m->pfd)) < 0)
		return -1;
	if (l->lfd >= 0)
		m->pfd[n++] = (struct pollfd){ .fd = l->lfd, .events = POLLIN };
	for (int fd = 0; fd < l->conn_cap && n < m->pfd_cap; fd++) {
		if (!l->conn[fd] || l->interest[fd] == EV_NONE)
			continue;
		short ev = l->interest[fd] == EV_READ ? POLLIN : POLLOUT;
		m->pfd[n++] = (struct pollfd){ .fd = fd, .events = ev };
	}
	return n;
}

/* The real-time queue overflowed (or a signal came without a descriptor): catch up. */
static void overflow_pass(struct evloop *l, struct sigio_model *m)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, dfl = { .sa_handler = SIG_DFL };

	if (m->overflows++ % 1000 == 0)
		log_warn("real-time signal queue overflowed (SIGIO): a poll() pass (%llu so far)",
			 (unsigned long long)m->overflows);
	/* Setting SIG_IGN discards the signals queued so far; the pass covers them. */
	sigaction(m->sig, &ign, NULL);
	sigaction(m->sig, &dfl, NULL);
	int n = collect(l, m);
	if (n < 0) {
		log_warn("out of memory for the poll() pass");
		return;
	}
	if (poll(m->pfd, (nfds_t)n, 0) <= 0)
		return;
	/* Handling an entry closes at most that one; a stale answer costs one EAGAIN. */
	for (int i = 0; i < n; i++)
		if (m->pfd[i].revents)
			handle_fd(l, m->pfd[i].fd);
}

/* One signal taken by sigtimedwait(). */
static void handle_signal(struct evloop *l, struct sigio_model *m, const siginfo_t *si)
{
	if (si->si_signo == m->sig && si->si_code > 0) { /* POLL_IN .. POLL_HUP: from the kernel */
		m->signals++;
		handle_fd(l, si->si_fd);
	} else if (si->si_signo == m->sig || si->si_signo == SIGIO) {
		overflow_pass(l, m);
	} else if (si->si_signo == SIGTERM || si->si_signo == SIGINT) {
		srv_stop = 1; /* taken here, the handler did not run */
	}
	/* SIGCHLD: no children here */
}

static void init_signals(struct sigio_model *m)
{
	sigset_t block;

	m->sig = SIGRTMIN;
	m->pid = getpid();
	sigemptyset(&block);
	sigaddset(&block, m->sig);
	sigaddset(&block, SIGIO);
	if (sigprocmask(SIG_BLOCK, &block, NULL) < 0)
		die("sigprocmask() failed: %m");
	m->waitset = block;
	sigaddset(&m->waitset, SIGTERM);
	sigaddset(&m->waitset, SIGINT);
	sigaddset(&m->waitset, SIGCHLD);
}

int sigio_run(struct server *srv)
{
	static const struct evloop_ops ops = { .watch = watch };
	struct sigio_model m = { 0 };
	struct evloop l;

	init_signals(&m);
	evloop_init(&l, srv, srv->listen_fd, &ops, &m);
	server_ready(srv);
	recheck(&l, &m); /* connections may be waiting already */
	while (!evloop_done(&l)) {
		int ms = evloop_timers(&l);
		uint64_t ns = ms < 0 ? 0 : (uint64_t)ms * NSEC_PER_MSEC;
		struct timespec ts = clock_ns_to_timespec(ns);
		siginfo_t si;
		if (sigtimedwait(&m.waitset, &si, ms < 0 ? NULL : &ts) < 0) {
			if (errno != EAGAIN && errno != EINTR)
				die("sigtimedwait() failed: %m");
			continue;
		}
		handle_signal(&l, &m, &si);
		recheck(&l, &m);
	}
	evloop_free(&l);
	if (m.overflows)
		log_info("real-time signal queue overflowed %llu time(s); %llu signals taken",
			 (unsigned long long)m.overflows, (unsigned long long)m.signals);
	free(m.armed);
	free(m.recheck);
	free(m.pfd);
	return 0;
}
