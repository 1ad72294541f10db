/* SPDX-License-Identifier: MIT */
/*
 * net.h - the socket plumbing every server model and the load generator share.
 *
 * Conventions: functions return -1 and leave errno set on failure. Calls that
 * move data (send_all, sendfile_all) retry on EINTR, because a signal must never
 * cut a response in half; accept does not, because a signal is how a blocked
 * worker learns that it should stop.
 */
#ifndef HERD_NET_H
#define HERD_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

enum net_listen_flags {
	NET_REUSEPORT = 1 << 0, /* SO_REUSEPORT: one listener per worker on one port */
	NET_NONBLOCK = 1 << 1,	/* O_NONBLOCK on the listener (event-driven accept) */
	NET_NO_LISTEN = 1 << 2, /* bind only: reserve a port without taking connections */
};

/* Parse "ADDR" (IPv4 or IPv6 literal) and a port into @ss. */
int net_parse_addr(const char *addr, uint16_t port, struct sockaddr_storage *ss, socklen_t *len);

/* socket + SO_REUSEADDR (+ SO_REUSEPORT) + bind + listen(backlog); CLOEXEC always. */
int net_listen(const char *addr, uint16_t port, int backlog, unsigned flags);

/* The port a bound socket has (after binding port 0), or -1. */
int net_local_port(int fd);

/* accept4(SOCK_CLOEXEC | extra_flags); @peer may be NULL. Returns EINTR to the caller. */
int net_accept(int lfd, struct sockaddr_storage *peer, socklen_t *peer_len, int extra_flags);

int net_set_nonblock(int fd, bool on);
int net_set_nodelay(int fd);
/* SO_RCVTIMEO or SO_SNDTIMEO (optname) to @ns; 0 means block forever. */
int net_set_timeout(int fd, int optname, uint64_t ns);

/* Write all of @len bytes (or the whole iovec); -1 on error (EAGAIN: the send timeout hit). */
ssize_t net_send_all(int fd, const void *buf, size_t len);
ssize_t net_writev_all(int fd, struct iovec *iov, int iovcnt);
/* sendfile(2) @len bytes of @in_fd from @offset, all of them. */
ssize_t net_sendfile_all(int out_fd, int in_fd, off_t offset, size_t len);

/* "127.0.0.1:8080" or "[::1]:8080" into @buf. */
const char *net_addr_str(const struct sockaddr *sa, char *buf, size_t len);

/* Raise RLIMIT_NOFILE's soft limit to @want (or the hard limit); returns the new soft limit. */
long net_raise_nofile(long want);

#endif
