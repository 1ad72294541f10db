/* SPDX-License-Identifier: MIT */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "path.h"

static void child_fd(int fd, int target)
{
	if (fd >= 0 && fd != target && dup2(fd, target) < 0)
		_exit(126);
}

static int open_out(const char *path, bool append)
{
	int flags = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC);

	return open(path, flags, 0644);
}

pid_t spawn_start(struct spawn *s)
{
	char path[PATH_MAX];
	const char *prog = s->argv[0];
	int hold[2] = { -1, -1 };
	pid_t parent = getpid(), pid;

	if (s->sibling) {
		if (path_sibling(path, sizeof(path), s->argv[0]) < 0) {
			log_warn("cannot find %s beside this program: %m", s->argv[0]);
			return -1;
		}
		prog = path;
	}
	if (s->held && pipe2(hold, O_CLOEXEC) < 0) {
		log_warn("pipe2() failed: %m");
		return -1;
	}
	if ((pid = fork()) < 0) {
		log_warn("fork() failed: %m");
		if (s->held)
			close(hold[0]), close(hold[1]);
		return -1;
	}
	if (pid > 0) {
		if (s->held) {
			close(hold[0]);
			s->hold_fd = hold[1];
		}
		return pid;
	}

	/* the child: no return from here */
	prctl(PR_SET_PDEATHSIG, s->death_sig ? s->death_sig : SIGKILL);
	if (getppid() != parent)
		_exit(126); /* herdlab died before the line above */
	if (s->own_group)
		setpgid(0, 0);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	int in = s->in_fd > 0 ? s->in_fd : open("/dev/null", O_RDONLY);
	child_fd(in, STDIN_FILENO);
	if (s->out_fd > 0) {
		child_fd(s->out_fd, STDOUT_FILENO);
	} else if (s->out) {
		int fd = open_out(s->out, s->append);
		if (fd < 0)
			_exit(126);
		child_fd(fd, STDOUT_FILENO);
	}
	if (s->err && s->out && !strcmp(s->err, s->out)) {
		child_fd(STDOUT_FILENO, STDERR_FILENO);
	} else if (s->err) {
		int fd = open_out(s->err, s->append);
		if (fd < 0)
			_exit(126);
		child_fd(fd, STDERR_FILENO);
	}
	if (s->dir && chdir(s->dir) < 0) {
		fprintf(stderr, "herdlab: cannot enter %s: %s\n", s->dir, strerror(errno));
		_exit(126);
	}
	if (s->env)
		putenv((char *)s->env);
	if (s->netns_fd > 0 && setns(s->netns_fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "herdlab: setns() into the run's network namespace failed: %s\n",
			strerror(errno));
		_exit(126);
	}
	if (s->held) {
		char byte;
		close(hold[1]);
		if (read(hold[0], &byte, 1) != 1)
			_exit(126); /* the parent gave up before releasing it */
	}
	execvp(prog, s->argv);
	fprintf(stderr, "herdlab: cannot run %s: %s\n", prog, strerror(errno));
	_exit(127);
}

int spawn_release(int hold_fd)
{
	int rc = write(hold_fd, "g", 1) == 1 ? 0 : -1;

	close(hold_fd);
	return rc;
}

static void nap_ms(int ms)
{
	nanosleep(&(struct timespec){ ms / 1000, (ms % 1000) * 1000000L }, NULL);
}

int spawn_stop(pid_t pid, int grace_ms)
{
	int status = 0;

	kill(pid, SIGTERM);
	for (int waited = 0; waited < grace_ms; waited += 20) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		nap_ms(20);
	}
	log_warn("pid %d did not stop within %d ms of SIGTERM: killing it", (int)pid, grace_ms);
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

int spawn_wait(pid_t pid, volatile sig_atomic_t *stop, uint64_t deadline_ns, bool *timed_out)
{
	int status = 0;

	if (timed_out)
		*timed_out = false;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (stop && *stop)
			return spawn_stop(pid, 10000);
		if (deadline_ns && clock_now_ns() >= deadline_ns) {
			if (timed_out)
				*timed_out = true;
			return spawn_stop(pid, 10000);
		}
		nap_ms(20);
	}
}

int spawn_code(int status)
{
	if (status < 0)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

int spawn_run(struct spawn *s, volatile sig_atomic_t *stop)
{
	pid_t pid = spawn_start(s);

	if (pid < 0)
		return -1;
	return spawn_code(spawn_wait(pid, stop, 0, NULL));
}
