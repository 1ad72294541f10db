/* SPDX-License-Identifier: MIT */
/*
 * models.h - the contract between herdsrv and its server models.
 *
 * A model is one file in servers/ and one entry in the table (models.c): a name,
 * a line for --list, the entry point that serves, and flags that tell main() how
 * to set up the listener for it. main() reads the flags and acts on them before
 * run() is called, so a model never redoes (or undoes) what its flags promise,
 * and a reader of the table sees everything about the listener a model gets.
 *
 * Only the contract is here. What several models share lives below them, in
 * headers of its own: families.h (a model's loop that its variants reuse),
 * process_pool.h and thread_pool.h (pools of workers), evloop.h (the event loop
 * core), conn.h, accept.h and proc.h (serving, accepting, signals).
 */
#ifndef HERD_MODELS_H
#define HERD_MODELS_H

struct server;

/* What a model asks of main() for its listener (server_listen, server_listen_own). */
enum model_flags {
	/*
	 * Each worker opens a listener of its own with SO_REUSEPORT
	 * (server_listen_own); main() only holds the port with a bound socket that
	 * does not listen (srv->reserve_fd), and srv->listen_fd stays -1.
	 */
	MODEL_OWN_LISTENERS = 1 << 0,
	/*
	 * Every listener the model accepts on is O_NONBLOCK: the shared one as main()
	 * opens it, or each worker's own with MODEL_OWN_LISTENERS. For models that
	 * accept only after being told the listener is readable (an event loop, a
	 * parent that passes descriptors on): another task may have taken the
	 * connection meanwhile, or the client reset it, and accept must then say
	 * EAGAIN instead of blocking the loop. Without the flag the listener blocks,
	 * and accept sleeps until a connection comes.
	 */
	MODEL_NONBLOCK_LISTENER = 1 << 1,
};

/* One server model: one file in servers/, one entry in server_models[] (models.c). */
struct model {
	const char *name;    /* --model NAME; also in the "ready" log line and in reports */
	const char *summary; /* one line for --list */
	/*
	 * Serve until asked to stop. Called once by main() with the listener set up
	 * as @flags say, the /size pattern, docroot and --stats table ready, and
	 * TERM, INT and CHLD blocked (proc.h). It announces the port itself
	 * (server_ready, or pool_start) once it can take connections, and before it
	 * returns every worker it started has been stopped and reaped. Returns the
	 * process's exit status.
	 */
	int (*run)(struct server *srv);
	unsigned flags; /* enum model_flags, ORed */
};

/* Every model, in the order of --list; ends with an entry whose name is NULL. */
extern const struct model server_models[];
/* The model called @name, or NULL. */
const struct model *model_find(const char *name);

/* The entry points: NAME_run() in NAME.c, one per model (models.c says what each is). */
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

#endif
