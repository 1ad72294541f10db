/* SPDX-License-Identifier: MIT */
/*
 * models.c - the table of server models: one line each, in the order of UNP
 * chapter 30 and DESIGN.md. Adding a model is one file and one line here.
 */
#include <string.h>

#include "models.h"
#include "server.h"

const struct model server_models[] = {
	{ "iterative", "accept, serve, close, one connection at a time", iterative_run, 0 },
	{ "fork", "a child process per connection (--reap none|sigchld|ignore)", fork_run, 0 },
	{ "prefork", "N children block in accept on the shared listener, no lock", prefork_run, 0 },
	{ "prefork-mutex", "N children, a process-shared pthread mutex around accept",
	  prefork_mutex_run, 0 },
	{ "prefork-flock", "N children, an fcntl record lock around accept", prefork_flock_run, 0 },
	{ "prefork-passfd", "the parent accepts and passes each descriptor to an idle child",
	  prefork_passfd_run, 0 },
	{ "prefork-epoll", "N children, each with its own level-triggered epoll on the listener",
	  prefork_epoll_run, MODEL_NONBLOCK_LISTENER },
	{ "prefork-epoll-exclusive", "prefork-epoll with EPOLLEXCLUSIVE: one waiter woken",
	  prefork_epoll_exclusive_run, MODEL_NONBLOCK_LISTENER },
	{ "prefork-reuseport", "N children, each with its own SO_REUSEPORT listener",
	  prefork_reuseport_run, MODEL_OWN_LISTENERS },
	{ "prefork-dynamic", "a pool kept between --min-idle and --max-idle idle children",
	  prefork_dynamic_run, MODEL_NONBLOCK_LISTENER },
	{ "thread", "a thread per connection", thread_run, 0 },
	{ "prethread-mutex", "N threads, each calls accept under a mutex", prethread_mutex_run, 0 },
	{ "prethread-queue", "the main thread accepts into a queue that N threads drain",
	  prethread_queue_run, 0 },
	{ "select", "one process, select(); descriptors >= FD_SETSIZE refused", select_run,
	  MODEL_NONBLOCK_LISTENER },
	{ "poll", "one process, poll()", poll_run, MODEL_NONBLOCK_LISTENER },
	{ "epoll", "one process, epoll (--trigger level|edge)", epoll_run,
	  MODEL_NONBLOCK_LISTENER },
	{ "epoll-threads", "N threads, each with its own epoll on the listener (--exclusive)",
	  epoll_threads_run, MODEL_NONBLOCK_LISTENER },
	{ "sigio", "signal-driven I/O with a real-time signal, poll on queue overflow", sigio_run,
	  MODEL_NONBLOCK_LISTENER },
	{ "uring", "io_uring with multishot accept", uring_run, 0 },
	{ 0 },
};

const struct model *model_find(const char *name)
{
	for (const struct model *m = server_models; m->name; m++)
		if (!strcmp(m->name, name))
			return m;
	return NULL;
}
