/* SPDX-License-Identifier: MIT */
/*
 * spawn.h - the one way herdlab starts another program: helpers (apt-get,
 * dpkg-deb, tar, qemu), its siblings (herdsrv, herdload, herdlab itself) and a
 * user's command under the tracer.
 *
 * A child is run to the end, or stopped: on a stop request or a deadline it gets
 * SIGTERM, SIGKILL 10 s later, and is always reaped. It dies with its parent
 * (PR_SET_PDEATHSIG, checked after it is set), so not even a SIGKILL'ed herdlab
 * leaves one. A child may be started held: forked, but exec()ed only once the
 * parent releases it, so that a tracer can make it a target before its first
 * instruction.
 */
#ifndef HERD_SPAWN_H
#define HERD_SPAWN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <limits.h>

struct spawn {
	char *const *argv; /* argv[0] is looked up in PATH (or beside this program: sibling) */
	bool sibling;	   /* argv[0] is a program installed beside this one (build/herdsrv) */
	bool held;	   /* exec only after spawn_release() (hold_fd) */
	int hold_fd;	   /* out: with held, the descriptor spawn_release() writes to */
	const char *dir;   /* chdir() here first (NULL: stay) */
	const char *env;   /* one "NAME=VALUE" added to the environment (NULL: none) */
	const char *out;   /* stdout to this file, truncated (NULL: inherited) */
	const char *err;   /* stderr to this file; the same path as out shares it */
	bool append;	   /* open out/err with O_APPEND instead of truncating */
	int in_fd;	   /* stdin from this descriptor (0: /dev/null) */
	int out_fd;	   /* stdout to this descriptor (0: see out) */
	int death_sig;	   /* the signal it gets if herdlab dies (0: SIGKILL) */
	bool own_group;	   /* its own process group: a terminal's ^C reaches only us */
	int netns_fd;	   /* setns() into this network namespace before exec (0: stay) */
};

/* Fork and exec; the pid, or -1 (logged). With held, s->hold_fd is set. */
pid_t spawn_start(struct spawn *s);

/* Let a held child exec (and close its hold descriptor). 0, or -1 if it is gone. */
int spawn_release(int hold_fd);

/*
 * Wait for @pid until it exits, *@stop becomes non-zero, or @deadline_ns
 * (CLOCK_MONOTONIC, 0: none) passes; then stop it (SIGTERM, SIGKILL after
 * 10 s). Returns its wait status; *@timed_out says whether the deadline ended it.
 */
int spawn_wait(pid_t pid, volatile sig_atomic_t *stop, uint64_t deadline_ns, bool *timed_out);

/* Stop a child now (SIGTERM, SIGKILL after @grace_ms) and reap it; its wait status. */
int spawn_stop(pid_t pid, int grace_ms);

/* Run to the end: the exit code, 128 + signal if killed, -1 if it could not start. */
int spawn_run(struct spawn *s, volatile sig_atomic_t *stop);

/* The exit code of a wait status, as spawn_run() gives it. */
int spawn_code(int status);

#endif
