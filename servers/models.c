/* SPDX-License-Identifier: MIT */
/*
 * models.c - the table of server models, in the order of UNP chapter 30 and
 * DESIGN.md: the process models, the thread models, then one process with an
 * event loop. Adding a model is one file and one entry here.
 *
 * Each entry is { name, summary, run, flags } (struct model in models.h). Above
 * it, a comment says which file holds the model, where it comes from, and why
 * its flags are what they are: MODEL_NONBLOCK_LISTENER wherever a task accepts
 * only after being told the listener is readable, none where tasks sleep in
 * accept(2) itself (a blocking accept is the model), MODEL_OWN_LISTENERS where
 * each worker listens on its own socket.
 */
#include <string.h>

#include "models.h"

const struct model server_models[] = {
	/* iterative.c - UNP's baseline: one process, blocking accept, no worker ever made. */
	{ "iterative", "accept, serve, close, one connection at a time", iterative_run, 0 },
	/* fork.c - UNP fig. 30.4: the parent blocks in accept, a child serves each connection. */
	{ "fork", "a child process per connection (--reap none|sigchld|ignore)", fork_run, 0 },
	/* prefork.c - UNP fig. 30.9: every child sleeps in a blocking accept, no lock. */
	{ "prefork", "N children block in accept on the shared listener, no lock", prefork_run, 0 },
	/* prefork_mutex.c - UNP fig. 30.17's lock around prefork's blocking accept. */
	{ "prefork-mutex", "N children, a process-shared pthread mutex around accept",
	  prefork_mutex_run, 0 },
	/* prefork_flock.c - UNP fig. 30.12's lock around prefork's blocking accept. */
	{ "prefork-flock", "N children, an fcntl record lock around accept", prefork_flock_run, 0 },
	/* prefork_passfd.c - UNP fig. 30.19-30.23: the parent accepts when epoll says so. */
	{ "prefork-passfd", "the parent accepts and passes each descriptor to an idle child",
	  prefork_passfd_run, MODEL_NONBLOCK_LISTENER },
	/* prefork_epoll.c - the herd: every child's epoll wakes, one wins, the rest get EAGAIN. */
	{ "prefork-epoll", "N children, each with its own level-triggered epoll on the listener",
	  prefork_epoll_run, MODEL_NONBLOCK_LISTENER },
	/* prefork_epoll_exclusive.c - prefork-epoll with EPOLLEXCLUSIVE (Linux 4.5). */
	{ "prefork-epoll-exclusive", "prefork-epoll with EPOLLEXCLUSIVE: one waiter woken",
	  prefork_epoll_exclusive_run, MODEL_NONBLOCK_LISTENER },
	/* prefork_reuseport.c - nginx's listen reuseport: each child's own listener, epoll loop. */
	{ "prefork-reuseport", "N children, each with its own SO_REUSEPORT listener",
	  prefork_reuseport_run, MODEL_OWN_LISTENERS | MODEL_NONBLOCK_LISTENER },
	/* prefork_dynamic.c - Apache's prefork MPM: children wait in exclusive epolls. */
	{ "prefork-dynamic", "a pool kept between --min-idle and --max-idle idle children",
	  prefork_dynamic_run, MODEL_NONBLOCK_LISTENER },
	/* thread.c - UNP fig. 26.3: the main thread blocks in accept, a thread per connection. */
	{ "thread", "a thread per connection", thread_run, 0 },
	/* prethread_mutex.c - UNP fig. 30.28: threads take turns in a blocking accept. */
	{ "prethread-mutex", "N threads, each calls accept under a mutex", prethread_mutex_run, 0 },
	/* prethread_queue.c - UNP fig. 30.31-30.33: one blocking acceptor feeds a queue. */
	{ "prethread-queue", "the main thread accepts into a queue that N threads drain",
	  prethread_queue_run, 0 },
	/* select.c - UNP ch. 6.8: pselect() over the listener and every connection. */
	{ "select", "one process, select(); descriptors >= FD_SETSIZE refused", select_run,
	  MODEL_NONBLOCK_LISTENER },
	/* poll.c - UNP ch. 6.10: ppoll() over an array of every watched descriptor. */
	{ "poll", "one process, poll()", poll_run, MODEL_NONBLOCK_LISTENER },
	/* epoll.c - one epoll instance, level- or edge-triggered. */
	{ "epoll", "one process, epoll (--trigger level|edge)", epoll_run,
	  MODEL_NONBLOCK_LISTENER },
	/* epoll_threads.c - nginx without accept_mutex: an epoll loop per thread. */
	{ "epoll-threads", "N threads, each with its own epoll on the listener (--exclusive)",
	  epoll_threads_run, MODEL_NONBLOCK_LISTENER },
	/* sigio.c - UNP ch. 25: a real-time signal per event, taken with sigtimedwait(). */
	{ "sigio", "signal-driven I/O with a real-time signal, poll on queue overflow", sigio_run,
	  MODEL_NONBLOCK_LISTENER },
	/* uring.c - io_uring: the kernel accepts (multishot) and posts each connection. */
	{ "uring", "io_uring with multishot accept", uring_run, 0 },
	{ 0 }, /* the end: name NULL */
};

const struct model *model_find(const char *name)
{
	for (const struct model *m = server_models; m->name; m++)
		if (!strcmp(m->name, name))
			return m;
	return NULL;
}
