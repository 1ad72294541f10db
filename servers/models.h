/* SPDX-License-Identifier: MIT */
/* models.h - each model's entry point; the table itself is in models.c. */
#ifndef HERD_MODELS_H
#define HERD_MODELS_H

#include <stdbool.h>

struct server;

int iterative_run(struct server *srv);
int fork_run(struct server *srv);
int prefork_run(struct server *srv);
int prefork_mutex_run(struct server *srv);
int prefork_flock_run(struct server *srv);
int prefork_passfd_run(struct server *srv);
int prefork_epoll_run(struct server *srv);
int prefork_epoll_exclusive_run(struct server *srv);
int prefork_reuseport_run(struct server *srv);
int prefork_dynamic_run(struct server *srv);
int thread_run(struct server *srv);
int prethread_mutex_run(struct server *srv);
int prethread_queue_run(struct server *srv);
int select_run(struct server *srv);
int poll_run(struct server *srv);
int epoll_run(struct server *srv);
int epoll_threads_run(struct server *srv);
int sigio_run(struct server *srv);
int uring_run(struct server *srv);

/*
 * epoll.c: serve @lfd (non-blocking) with one epoll event loop until stopped and
 * drained; signals must be blocked in the calling thread (proc_signals_block).
 */
int epoll_serve(struct server *srv, int lfd, bool edge);

/* prefork_epoll.c: a pool whose workers wait in their own epoll on the shared listener. */
int prefork_epoll_pool(struct server *srv, bool exclusive);

#endif
