/* SPDX-License-Identifier: MIT */
/*
 * prefork-passfd - the parent accepts and passes each descriptor to an idle
 * child (UNP fig. 30.19-30.23).
 *
 * Each child has a stream socketpair to the parent. The parent is the only
 * acceptor: it picks the first idle child (UNP's choice, which favours low slots;
 * the per-worker share shows it), sends it the connected descriptor with
 * SCM_RIGHTS, and marks it busy. The child serves, then writes one byte back:
 * "idle again". While no child is idle the parent stops watching the listener,
 * so connections wait in the kernel's accept queue rather than in the parent.
 * The parent accepts only when epoll says the listener is readable, and a client
 * may reset its connection in between: the listener is non-blocking (the
 * table's MODEL_NONBLOCK_LISTENER), so that costs an EAGAIN, not a stuck parent.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "accept.h"
#include "conn.h"
#include "log.h"
#include "models.h"
#include "net.h"
#include "process_pool.h"
#include "server.h"

struct passfd {
	int epfd;      /* the parent's epoll: the listener and every child's socket */
	int *pfd;      /* per slot: the parent's end of the socketpair (-1 if none) */
	int *cfd;      /* per slot: the child's end, open only around fork */
	bool *idle;    /* per slot: the child is waiting for a descriptor */
	int navail;    /* idle children */
	bool watching; /* the listener is in the epoll set */
};

/* ---- the child ---- */

/* Receive one descriptor from the parent; -1 on EOF (the parent is gone) or error. */
static int recv_fd(int sock)
{
	char byte, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)
	};
	ssize_t n;

	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR && !srv_stop);
	struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	return fd;
}

static int worker(struct pool *p, int slot)
{
	struct passfd *m = p->model;
	int sock = m->cfd[slot];

	/* Keep only our end: the listener and the parent's ends belong to the parent. */
	close(p->srv->listen_fd);
	close(m->epfd);
	for (int i = 0; i < p->size; i++)
		if (m->pfd[i] >= 0)
			close(m->pfd[i]);
	pool_ready(p);
	while (!srv_stop) {
		int fd = recv_fd(sock);
		if (fd < 0)
			break;
		conn_serve_blocking(p->srv, fd, NULL);
		if (net_send_all(sock, "F", 1) < 0)
			break;
	}
	return 0;
}

/* ---- the parent ---- */

static void watch_listener(struct passfd *m, int lfd, bool on)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = UINT32_MAX };

	if (on == m->watching)
		return;
	epoll_ctl(m->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, lfd, &ev);
	m->watching = on;
}

static int prepare(struct pool *p, int slot)
{
	struct passfd *m = p->model;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		log_warn("socketpair() failed: %m");
		return -1;
	}
	m->pfd[slot] = sv[0];
	m->cfd[slot] = sv[1];
	return 0;
}

static void spawned(struct pool *p, int slot)
{
	struct passfd *m = p->model;
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)slot };

	close(m->cfd[slot]);
	m->cfd[slot] = -1;
	epoll_ctl(m->epfd, EPOLL_CTL_ADD, m->pfd[slot], &ev);
	m->idle[slot] = true;
	m->navail++;
}

static void exited(struct pool *p, int slot, int status)
{
	struct passfd *m = p->model;

	if (m->pfd[slot] >= 0)
		close(m->pfd[slot]); /* also leaves the epoll set */
	if (m->cfd[slot] >= 0)	     /* the fork after prepare failed */
		close(m->cfd[slot]);
	m->pfd[slot] = m->cfd[slot] = -1;
	if (m->idle[slot])
		m->navail--;
	m->idle[slot] = false;
}

/* Hand @fd to the first idle child. */
static void pass_to_idle(struct pool *p, int fd)
{
	struct passfd *m = p->model;
	char byte = 'C', ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	for (int i = 0; i < p->size; i++) {
		if (!m->idle[i])
			continue;
		if (sendmsg(m->pfd[i], &msg, MSG_NOSIGNAL) == 1) {
			m->idle[i] = false;
			m->navail--;
			break;
		}
		log_warn("sendmsg(SCM_RIGHTS) to worker %d failed: %m", i);
	}
	close(fd); /* the child has its own copy now (or the connection is dropped) */
}

/* A byte from a child: idle again. EOF: it died (SIGCHLD will replace it). */
static void child_message(struct pool *p, int slot)
{
	struct passfd *m = p->model;
	char buf[16];
	ssize_t n = read(m->pfd[slot], buf, sizeof(buf));

	if (n > 0 && !m->idle[slot]) {
		m->idle[slot] = true;
		m->navail++;
	} else if (n == 0) {
		epoll_ctl(m->epfd, EPOLL_CTL_DEL, m->pfd[slot], NULL);
	}
}

static void parent_loop(struct pool *p)
{
	struct passfd *m = p->model;
	int lfd = p->srv->listen_fd;
	struct epoll_event ev[64];

	while (!srv_stop) {
		watch_listener(m, lfd, m->navail > 0);
		int n = epoll_pwait(m->epfd, ev, 64, -1, &proc_wait_mask);
		if (n < 0 && errno != EINTR)
			die("epoll_pwait() failed: %m");
		for (int i = 0; i < n && !srv_stop; i++) {
			if (ev[i].data.u32 != UINT32_MAX) {
				child_message(p, (int)ev[i].data.u32);
			} else if (m->navail > 0) {
				int fd = srv_accept(lfd, 0, NULL);
				if (fd >= 0)
					pass_to_idle(p, fd);
			}
		}
		if (srv_child_exited)
			pool_reap(p, true);
	}
}

int prefork_passfd_run(struct server *srv)
{
	static const struct pool_ops ops = {
		.worker = worker, .prepare = prepare, .spawned = spawned, .exited = exited
	};
	int n = srv->workers;
	struct passfd m = {
		.epfd = epoll_create1(EPOLL_CLOEXEC),
		.pfd = malloc(n * sizeof(int)),
		.cfd = malloc(n * sizeof(int)),
		.idle = calloc(n, sizeof(bool)),
	};
	struct pool pool;
	int rc = 1;

	if (m.epfd < 0 || !m.pfd || !m.cfd || !m.idle || pool_init(&pool, srv, &ops, n) < 0)
		die("out of memory or descriptors for the pool: %m");
	memset(m.pfd, -1, n * sizeof(int));
	memset(m.cfd, -1, n * sizeof(int));
	pool.model = &m;
	if (pool_start(&pool, n) == 0) {
		parent_loop(&pool);
		rc = 0;
	}
	for (int i = 0; i < n; i++) /* EOF tells idle children to exit */
		if (m.pfd[i] >= 0)
			close(m.pfd[i]);
	pool_stop(&pool);
	pool_free(&pool);
	close(m.epfd);
	free(m.pfd);
	free(m.cfd);
	free(m.idle);
	return rc;
}
