/* SPDX-License-Identifier: MIT */
/*
 * session.h - a server started under the tracer, shared by trace and run.
 *
 * The child is forked held at a pipe and only exec()s once the tracer has made
 * it a target, so not one of its events is missed; it is stopped with SIGTERM
 * (SIGKILL after 30 s) and always reaped.
 */
#ifndef HERD_SESSION_H
#define HERD_SESSION_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * Fork @argv held. *release_fd: write a byte to let it exec. If @stdout_fd is
 * not NULL, the child's stdout is a pipe whose read end is returned there; if
 * @stderr_path is not NULL, its stderr goes to that file.
 */
pid_t session_spawn_held(char **argv, int *release_fd, int *stdout_fd, const char *stderr_path);
/* Let the held child exec. */
int session_release(int release_fd);
/* SIGTERM, SIGKILL after 30 s, reap; returns the wait status. */
int session_stop_child(pid_t child);
/* Whether @pid exists and is not a zombie. */
bool session_process_alive(pid_t pid);

#endif
