/* SPDX-License-Identifier: MIT */
/*
 * netio.h - the socket calls of the client state machine that keep no state of
 * their own: a connection's local address, the --sources bind, a socket's events
 * looked at once more, and the epoll wait with a nanosecond deadline.
 */
#ifndef HERD_LOAD_NETIO_H
#define HERD_LOAD_NETIO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

#include "client.h"

/* @fd's local address (16 bytes; 4 for IPv4), port and family; untouched if it has none. */
void netio_local(int fd, uint8_t addr[16], uint16_t *port, bool *v6);

/* --sources: bind @fd to thread @t's next source address, the port left to connect(). */
int netio_bind_source(struct load_thread *t, int fd);

/* The events @fd has now, as epoll names them; false when poll() says nothing. */
bool netio_ready(int fd, uint32_t *events);

/* Up to @max events of @epfd until @until (CLOCK_MONOTONIC ns); as epoll_wait. */
int netio_wait(int epfd, struct epoll_event *evs, int max, uint64_t until);

#endif
