/* SPDX-License-Identifier: MIT */
#include "session/session.h"
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

pid_t session_spawn_held(char **argv, int *release_fd, int *stdout_fd, const char *stderr_path)
{
	int go[2], out[2] = { -1, -1 };

	if (pipe2(go, O_CLOEXEC) < 0 || (stdout_fd && pipe2(out, O_CLOEXEC) < 0))
		die("pipe2() failed: %m");
	pid_t pid = fork();
	if (pid < 0)
		die("fork() failed: %m");
	if (pid == 0) {
		char byte;
		close(go[1]);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		if (stdout_fd)
			dup2(out[1], STDOUT_FILENO);
		if (stderr_path) {
			int fd = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (fd >= 0)
				dup2(fd, STDERR_FILENO);
		}
		if (read(go[0], &byte, 1) != 1)
			_exit(126); /* the tracer gave up */
		execvp(argv[0], argv);
		fprintf(stderr, "herdlab: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(go[0]);
	*release_fd = go[1];
	if (stdout_fd) {
		close(out[1]);
		*stdout_fd = out[0];
	}
	return pid;
}

int session_release(int release_fd)
{
	int rc = write(release_fd, "g", 1) == 1 ? 0 : -1;

	close(release_fd);
	return rc;
}

int session_stop_child(pid_t child)
{
	return spawn_stop(child, 30 * 1000);
}

bool session_process_alive(pid_t pid)
{
	char path[64], state = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (!(f = fopen(path, "r")))
		return false;
	int n = fscanf(f, "%*d (%*[^)]) %c", &state);
	fclose(f);
	return n == 1 && state != 'Z' && state != 'X';
}
