/* SPDX-License-Identifier: MIT */
/*
 * process_pool.c - forking, readying, replacing and stopping a pool's workers
 * (see process_pool.h).
 *
 * Start-up goes through one pipe: every worker forked by pool_start holds its
 * write end and writes one byte when it is ready to accept (pool_ready), and the
 * parent announces the port only when it has read a byte per worker, so that a
 * client never connects before anybody listens for it. A worker replaced later
 * has no pipe. The parent learns of deaths from SIGCHLD (srv_child_exited) and
 * reaps in its loop, never in the handler.
 */
#include "process_pool.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "counters.h"
#include "log.h"
#include "server.h"

#define POOL_START_TIMEOUT_NS (10 * NSEC_PER_SEC)

int pool_init(struct pool *p, struct server *srv, const struct pool_ops *ops, int size)
{
	memset(p, 0, sizeof(*p));
	p->srv = srv;
	p->ops = ops;
	p->size = size;
	p->ready_fd = p->ready_rfd = -1;
	p->pid = calloc((size_t)size, sizeof(*p->pid));
	return p->pid ? 0 : -1;
}

void pool_free(struct pool *p)
{
	free(p->pid);
	pidset_free(&p->live);
	if (p->ready_fd >= 0)
		close(p->ready_fd);
	p->pid = NULL;
}

pid_t pool_spawn(struct pool *p, int slot)
{
	if (p->ops->prepare && p->ops->prepare(p, slot) < 0)
		return -1;
	pid_t pid = proc_fork();
	if (pid < 0) {
		log_warn("fork() failed: %m");
		if (p->ops->exited) /* undo prepare */
			p->ops->exited(p, slot, 0);
		return -1;
	}
	if (pid == 0) {
		if (p->ready_rfd >= 0)
			close(p->ready_rfd);
		_exit(p->ops->worker(p, slot));
	}
	p->pid[slot] = pid;
	pidset_add(&p->live, pid);
	p->spawned_total++;
	if (p->ops->spawned)
		p->ops->spawned(p, slot);
	return pid;
}

void pool_ready(struct pool *p)
{
	if (p->ready_fd >= 0) {
		char one = 1;
		if (write(p->ready_fd, &one, 1) < 0)
			log_warn("write(ready pipe) failed: %m");
		close(p->ready_fd);
		p->ready_fd = -1;
	}
}

/* Read one byte per worker from the start-up pipe, within a deadline. */
static int wait_ready(int fd, int n)
{
	uint64_t deadline = clock_now_ns() + POOL_START_TIMEOUT_NS;
	char buf[64];

	while (n > 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int r = ppoll(&pfd, 1, &(struct timespec){ 0, 100 * 1000 * 1000 }, &proc_wait_mask);
		if (srv_stop)
			return -1;
		if (r < 0 && errno != EINTR)
			return -1;
		if (r > 0) {
			ssize_t got =
				read(fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf));
			if (got <= 0)
				return -1; /* every worker exited before saying it was ready */
			n -= (int)got;
		}
		if (clock_now_ns() > deadline) {
			log_warn("workers not ready after %llu s",
				 (unsigned long long)(POOL_START_TIMEOUT_NS / NSEC_PER_SEC));
			return -1;
		}
	}
	return 0;
}

int pool_start(struct pool *p, int n)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) < 0) {
		log_warn("pipe2() failed: %m");
		return -1;
	}
	p->ready_rfd = fds[0];
	p->ready_fd = fds[1];
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++)
		rc = pool_spawn(p, i) < 0 ? -1 : 0;
	close(p->ready_fd); /* later workers have no start-up pipe */
	p->ready_fd = -1;
	if (rc == 0)
		rc = wait_ready(fds[0], n);
	close(fds[0]);
	p->ready_rfd = -1;
	if (rc == 0)
		server_ready(p->srv);
	return rc;
}

int pool_slot_of(const struct pool *p, pid_t pid)
{
	for (int i = 0; i < p->size; i++)
		if (p->pid[i] == pid)
			return i;
	return -1;
}

int pool_count(const struct pool *p)
{
	int n = 0;

	for (int i = 0; i < p->size; i++)
		n += p->pid[i] != 0;
	return n;
}

void pool_reap(struct pool *p, bool refill)
{
	int status;
	pid_t pid;
	char what[48];

	srv_child_exited = 0;
	while ((pid = proc_reap_one(&status)) > 0) {
		int slot = pool_slot_of(p, pid);
		pidset_remove(&p->live, pid);
		if (slot < 0)
			continue;
		p->pid[slot] = 0;
		bool crashed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
		if (crashed && !srv_stop)
			log_warn("worker %d (pid %d) %s; replacing it", slot, (int)pid,
				 proc_status_str(status, what, sizeof(what)));
		if (p->ops->exited)
			p->ops->exited(p, slot, status);
		if (refill && !srv_stop && p->pid[slot] == 0 && pool_spawn(p, slot) > 0) {
			p->respawned++;
			COUNT(workers_replaced);
		}
	}
}

void pool_stop(struct pool *p)
{
	server_close_listener(p->srv);
	unsigned killed = proc_stop_children(&p->live, server_grace_deadline(p->srv));
	if (killed)
		log_warn("%u worker(s) did not finish within --grace %u s: killed", killed,
			 p->srv->grace_s);
	memset(p->pid, 0, (size_t)p->size * sizeof(*p->pid));
}

int pool_supervise(struct pool *p)
{
	while (!srv_stop) {
		sigsuspend(&proc_wait_mask);
		if (srv_child_exited)
			pool_reap(p, true);
	}
	pool_stop(p);
	return 0;
}

int pool_run(struct server *srv, const struct pool_ops *ops, int n, void *model)
{
	struct pool p;
	int rc = 1;

	if (pool_init(&p, srv, ops, n) < 0) {
		log_warn("out of memory for a pool of %d", n);
		return 1;
	}
	p.model = model;
	if (pool_start(&p, n) == 0)
		rc = pool_supervise(&p);
	else
		pool_stop(&p);
	pool_free(&p);
	return rc;
}
