/* SPDX-License-Identifier: MIT */
/*
 * sockets.h - the TCP ports a running process listens on, read from /proc.
 *
 * A process's descriptors (/proc/PID/fd, links "socket:[INODE]") matched
 * against the listening sockets of its own network namespace
 * (/proc/PID/net/tcp and tcp6, state 0A): what `ss -ltnp` shows for one pid,
 * without ss. Threads share their process's descriptors, so a process is
 * enough; a child that inherited the listener holds the same socket.
 */
#ifndef HERD_SOCKETS_H
#define HERD_SOCKETS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The ports @pid listens on, each once, up to @cap of them into @ports (in the
 * order /proc lists them). How many there are (more than @cap when they did
 * not fit), or -errno when its descriptors cannot be read (ESRCH, EACCES).
 */
int sockets_listening_ports(pid_t pid, uint16_t *ports, size_t cap);

#endif
