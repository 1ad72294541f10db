/* SPDX-License-Identifier: MIT */
/*
 * spawn.h - helper programs (apt-get, dpkg-deb, tar, qemu, herdlab itself) run
 * to the end, or stopped: on a stop request or a deadline the child gets
 * SIGTERM, SIGKILL 10 s later, and is always reaped. A child also dies with
 * its parent (PR_SET_PDEATHSIG), so not even a SIGKILL'ed herdlab leaves one.
 */
#ifndef HERD_SPAWN_H
#define HERD_SPAWN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct spawn {
	char *const *argv; /* argv[0] is looked up in PATH */
	const char *dir;   /* chdir() here first (NULL: stay) */
	const char *env;   /* one "NAME=VALUE" added to the environment (NULL: none) */
	const char *out;   /* stdout to this file, truncated (NULL: inherited) */
	const char *err;   /* stderr to this file; the same path as out shares it */
	bool append;	   /* open out/err with O_APPEND instead of truncating */
	int in_fd;	   /* stdin from this descriptor (0: /dev/null) */
	int out_fd;	   /* stdout to this descriptor (0: see out) */
	int death_sig;	   /* the signal it gets if herdlab dies (0: SIGKILL) */
	bool own_group;	   /* its own process group: a terminal's ^C reaches only us */
};

/* Fork and exec; the pid, or -1 (logged). */
pid_t spawn_start(const struct spawn *s);

/*
 * Wait for @pid until it exits, *@stop becomes non-zero, or @deadline_ns
 * (CLOCK_MONOTONIC, 0: none) passes; then stop it (SIGTERM, SIGKILL after
 * 10 s). Returns its wait status; *@timed_out says whether the deadline ended it.
 */
int spawn_wait(pid_t pid, volatile sig_atomic_t *stop, uint64_t deadline_ns, bool *timed_out);

/* Stop a child now (SIGTERM, SIGKILL after @grace_ms) and reap it; its wait status. */
int spawn_stop(pid_t pid, int grace_ms);

/* Run to the end: the exit code, 128 + signal if killed, -1 if it could not start. */
int spawn_run(const struct spawn *s, volatile sig_atomic_t *stop);

/* The exit code of a wait status, as spawn_run() gives it. */
int spawn_code(int status);

#endif
