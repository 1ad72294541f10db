/* SPDX-License-Identifier: MIT */
#include "proc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "counters.h"
#include "log.h"
#include "server.h"

volatile sig_atomic_t srv_stop;
volatile sig_atomic_t srv_child_exited;
sigset_t proc_wait_mask;

static sigset_t our_signals;
static volatile sig_atomic_t stop_fd = -1;

static void on_stop(int sig)
{
	srv_stop = 1;
	if (stop_fd >= 0)
		shutdown(stop_fd, SHUT_RDWR);
}

void proc_shutdown_on_stop(int fd)
{
	stop_fd = fd;
}

static void on_child(int sig)
{
	srv_child_exited = 1;
}

static void set_handler(int sig, void (*fn)(int))
{
	struct sigaction sa = { .sa_handler = fn };

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: a blocked accept must return EINTR and see the flag */
	if (sigaction(sig, &sa, NULL) < 0)
		die("sigaction(%d) failed: %m", sig);
}

void proc_signals_init(void)
{
	sigset_t old;

	sigemptyset(&our_signals);
	sigaddset(&our_signals, SIGTERM);
	sigaddset(&our_signals, SIGINT);
	sigaddset(&our_signals, SIGCHLD);
	sigprocmask(SIG_BLOCK, &our_signals, &old);
	proc_wait_mask = old;
	sigdelset(&proc_wait_mask, SIGTERM);
	sigdelset(&proc_wait_mask, SIGINT);
	sigdelset(&proc_wait_mask, SIGCHLD);
	set_handler(SIGTERM, on_stop);
	set_handler(SIGINT, on_stop);
	set_handler(SIGCHLD, on_child);
	set_handler(SIGPIPE, SIG_IGN);
}

void proc_signals_unblock(void)
{
	pthread_sigmask(SIG_UNBLOCK, &our_signals, NULL);
}

void proc_signals_block(void)
{
	pthread_sigmask(SIG_BLOCK, &our_signals, NULL);
}

void proc_set_sigchld(void (*handler)(int))
{
	set_handler(SIGCHLD, handler);
}

pid_t proc_fork(void)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid < 0)
		COUNT(fork_failures);
	if (pid == 0) {
		/* A worker never outlives a parent that crashed: no orphans. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent) /* it died before prctl took effect */
			raise(SIGTERM);
		stop_fd = -1;
		srv_stop = 0;
		srv_child_exited = 0;
		set_handler(SIGCHLD, SIG_DFL);
		sigset_t unblock;
		sigemptyset(&unblock);
		sigaddset(&unblock, SIGTERM);
		sigaddset(&unblock, SIGINT);
		sigprocmask(SIG_UNBLOCK, &unblock, NULL);
	}
	return pid;
}

int proc_thread_create(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t old;

	pthread_sigmask(SIG_BLOCK, &our_signals, &old);
	int err = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		COUNT(thread_failures);
	return err;
}

int pidset_add(struct pidset *s, pid_t pid)
{
	if (s->len == s->cap) {
		pidset_prune(s);
		if (s->len == s->cap) {
			unsigned cap = s->cap ? s->cap * 2 : 64;
			pid_t *p = realloc(s->pid, cap * sizeof(*p));
			if (!p)
				return -1;
			s->pid = p;
			s->cap = cap;
		}
	}
	s->pid[s->len++] = pid;
	return 0;
}

int pidset_remove(struct pidset *s, pid_t pid)
{
	for (unsigned i = 0; i < s->len; i++) {
		if (s->pid[i] == pid) {
			s->pid[i] = s->pid[--s->len];
			return 1;
		}
	}
	return 0;
}

/* Whether @pid is still our child (running or a zombie), without reaping it. */
static int is_our_child(pid_t pid)
{
	siginfo_t si = { 0 };

	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
}

void pidset_prune(struct pidset *s)
{
	for (unsigned i = 0; i < s->len;) {
		if (is_our_child(s->pid[i]))
			i++;
		else
			s->pid[i] = s->pid[--s->len];
	}
}

void pidset_free(struct pidset *s)
{
	free(s->pid);
	memset(s, 0, sizeof(*s));
}

pid_t proc_reap_one(int *status)
{
	int st;
	pid_t pid;

	do
		pid = waitpid(-1, &st, WNOHANG);
	while (pid < 0 && errno == EINTR);
	if (pid > 0 && status)
		*status = st;
	return pid;
}

unsigned proc_stop_children(struct pidset *s, uint64_t deadline_ns)
{
	unsigned killed = 0;

	pidset_prune(s);
	for (unsigned i = 0; i < s->len; i++)
		kill(s->pid[i], SIGTERM);
	for (;;) {
		pid_t pid;
		while ((pid = proc_reap_one(NULL)) > 0)
			pidset_remove(s, pid);
		pidset_prune(s); /* children reaped by a handler or by the kernel */
		if (s->len == 0)
			break;
		if (clock_now_ns() >= deadline_ns) {
			/* Still ours (is_our_child above), so the pid cannot have been reused. */
			for (unsigned i = 0; i < s->len; i++)
				kill(s->pid[i], SIGKILL);
			killed += s->len;
			deadline_ns = UINT64_MAX;
		}
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return killed;
}

const char *proc_status_str(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by SIG%s", sigabbrev_np(WTERMSIG(status)) ?: "?");
	else
		snprintf(buf, len, "status %#x", status);
	return buf;
}
