/* SPDX-License-Identifier: MIT */
/*
 * evloop.h - the half of an event-driven server that does not depend on how it
 * waits (redis's ae, nginx's event core).
 *
 * select, poll, epoll, epoll-threads and sigio differ only in how they learn
 * that a descriptor is ready. Everything else is here: the table of connections
 * by descriptor, the timer heap (read deadlines, /sleep), accepting everything
 * pending, driving a ready connection, shedding over --max-conns, and draining
 * at shutdown. A model supplies ops->watch to tell its mechanism what a
 * descriptor now waits for, then runs:
 *
 *	while (!evloop_done(l)) {
 *		int ms = evloop_timers(l);           // expire timers, get the next
 *		wait for readiness, at most ms;      // select / poll / epoll_wait ...
 *		for each ready fd:
 *			fd == l->lfd ? evloop_accept(l) : evloop_ready(l, fd);
 *	}
 */
#ifndef HERD_EVLOOP_H
#define HERD_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "conn.h"
#include "heap.h"

struct server;
struct evloop;

/* What a descriptor waits for, as the mechanism should be told. */
enum ev_interest {
	EV_NONE,  /* nothing (a connection in /sleep): only its timer */
	EV_READ,  /* readable */
	EV_WRITE, /* writable */
	EV_CLOSE, /* it is about to be closed: forget it */
};

struct evloop_ops {
	/*
	 * Tell the mechanism that @fd now waits for @to instead of @from (called only
	 * when it changes). EV_NONE means not watched at all: a new descriptor comes
	 * from EV_NONE, and EV_CLOSE is told just before a descriptor is closed.
	 */
	void (*watch)(struct evloop *l, int fd, enum ev_interest from, enum ev_interest to);
};

struct evloop {
	struct server *srv;	      /* options and shared resources */
	const struct evloop_ops *ops; /* the model's mechanism */
	void *model;		      /* the model's own state */
	int lfd;		      /* the listener, -1 once closed at shutdown */
	int max_fd;		      /* descriptors >= this are refused (select: FD_SETSIZE) */
	struct conn **conn;	      /* by descriptor; NULL where none */
	uint8_t *interest;	      /* by descriptor: the last enum ev_interest told */
	int conn_cap;		      /* size of @conn and @interest */
	unsigned open;		      /* connections open */
	struct heap timers;	      /* every open connection's deadline */
	uint64_t refused;	      /* connections refused for fd >= max_fd */
	uint64_t stop_deadline;	      /* set when draining began */
};

int evloop_init(struct evloop *l, struct server *srv, int lfd, const struct evloop_ops *ops,
		void *model);
/* Close every connection still open and free the loop (the listener is not closed). */
void evloop_free(struct evloop *l);

/* Accept every pending connection on the (non-blocking) listener. */
void evloop_accept(struct evloop *l);
/* @fd is ready (in whatever way it was watched for): drive its connection. */
void evloop_ready(struct evloop *l, int fd);
/* Expire due timers; returns the wait timeout in ms until the next one (-1: none). */
int evloop_timers(struct evloop *l);
/*
 * Whether the loop should end: on srv_stop it stops accepting (the listener is
 * unwatched and lfd set to -1), closes idle keep-alive connections, and lets the
 * others finish until --grace runs out.
 */
bool evloop_done(struct evloop *l);

#endif
