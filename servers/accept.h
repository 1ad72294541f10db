/* SPDX-License-Identifier: MIT */
/*
 * accept.h - accept(2) the way every model needs it, written once.
 *
 * Out of descriptors (EMFILE/ENFILE), a listener stays readable while accept
 * keeps failing: a level-triggered loop would spin on it and a blocking worker
 * would retry at full speed. So each process keeps one spare descriptor: on
 * EMFILE, if a connection is waiting, it closes the spare, accepts the
 * connection, closes it at once (shed), and takes the spare back; if none is, a
 * non-blocking caller gets EAGAIN and a blocking one pauses 10 ms. The shed
 * client sees a reset; everybody already connected is served. Threads share
 * the spare as they share the descriptor table, so no accept of the process
 * runs while the spare is closed (accept.c says how); should the spare still be
 * lost, a caller pauses 10 ms instead of spinning until it can be reopened.
 */
#ifndef HERD_ACCEPT_H
#define HERD_ACCEPT_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>

/* Open this process's spare descriptor now, while descriptors are plentiful. */
void srv_accept_init(void);

/*
 * accept4 on @lfd with SOCK_CLOEXEC | @flags. Returns the connection, or -1 with
 * errno: EAGAIN (nothing pending, non-blocking listener), EINTR (a signal: check
 * srv_stop), EINVAL (the listener was shut down: stop), or another error after
 * which the caller may simply try again (a shed connection gives ECONNABORTED).
 */
int srv_accept(int lfd, int flags, struct sockaddr_storage *peer);

/*
 * The blocking models' accept: the next connection, riding out EINTR, aborted
 * and shed connections, and pausing briefly after any other error (logged) so
 * that nothing spins. Returns -1 only when the server is stopping: srv_stop is
 * set, or the listener was shut down.
 */
int srv_accept_next(int lfd, struct sockaddr_storage *peer);

/* Close a connection we will not serve (--max-conns reached), with a short 503. */
void srv_shed(int fd);

/* Connections this process shed because it was out of descriptors or over --max-conns. */
extern _Atomic uint64_t srv_shed_count;

#endif
