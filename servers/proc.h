/* SPDX-License-Identifier: MIT */
/*
 * proc.h - signals, workers and their orderly end, shared by every model.
 *
 * The discipline is nginx's: signal handlers only set flags (srv_stop,
 * srv_child_exited); loops react. SIGTERM, SIGINT and SIGCHLD are blocked
 * except while a process waits, so a flag can never be set between a loop's
 * check and its sleep: waiting loops pass proc_wait_mask to sigsuspend, ppoll,
 * pselect or epoll_pwait. Models that block in a plain accept(2) unblock the
 * signals instead (proc_signals_unblock) and learn of them through EINTR.
 *
 * Shutdown escalates: SIGTERM to every worker, up to --grace seconds for
 * in-flight requests, then SIGKILL, then every child is reaped.
 */
#ifndef HERD_PROC_H
#define HERD_PROC_H

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

/* The signal mask to wait with: the process's mask less TERM, INT and CHLD. */
extern sigset_t proc_wait_mask;

/* Handlers for TERM/INT (srv_stop) and CHLD (srv_child_exited), SIGPIPE ignored; all blocked. */
void proc_signals_init(void);
/* Let TERM, INT and CHLD interrupt this thread's blocking calls (EINTR). */
void proc_signals_unblock(void);
/* Block them again (a worker process that waits with proc_wait_mask, as the parent does). */
void proc_signals_block(void);
/* Install a SIGCHLD handler of the model's own (the fork model's reap policies). */
void proc_set_sigchld(void (*handler)(int));

/*
 * Have the SIGTERM/SIGINT handler also shutdown(2) @fd (shutdown is
 * async-signal-safe): a worker about to block in accept on its own listener then
 * returns at once, even if the signal came between its srv_stop check and the call.
 */
void proc_shutdown_on_stop(int fd);

/*
 * fork(); the child starts with default SIGCHLD, TERM/INT unblocked, no stop
 * pending, and gets SIGTERM if the parent dies (PR_SET_PDEATHSIG).
 */
pid_t proc_fork(void);
/* pthread_create with TERM, INT and CHLD blocked in the new thread (they go to main). */
int proc_thread_create(pthread_t *t, void *(*fn)(void *), void *arg);

/* A set of child pids (the fork model's children, a pool's workers). */
struct pidset {
	pid_t *pid;	   /* the pids, unordered */
	unsigned len, cap; /* used and allocated */
};

int pidset_add(struct pidset *s, pid_t pid);
/* Remove @pid if present; returns whether it was. */
int pidset_remove(struct pidset *s, pid_t pid);
/* Drop pids that are no longer our children (reaped elsewhere, or by the kernel). */
void pidset_prune(struct pidset *s);
void pidset_free(struct pidset *s);

/*
 * SIGTERM each child in @s, wait for them until @deadline_ns, SIGKILL the rest,
 * and reap them all; @s ends empty. Returns how many had to be killed.
 */
unsigned proc_stop_children(struct pidset *s, uint64_t deadline_ns);

/* Reap one exited child without blocking: its pid (and status), 0 if none, -1 if no children. */
pid_t proc_reap_one(int *status);

/* Describe a wait status: "exit 0", "killed by SIGKILL". */
const char *proc_status_str(int status, char *buf, size_t len);

#endif
