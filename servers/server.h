/* SPDX-License-Identifier: MIT */
/*
 * server.h - what every server model is given, and the few calls it makes back.
 *
 * herdsrv is one binary with many models. main() (herdsrv.c) parses the options
 * into a struct server, sets up what all models share (the listener, the /size
 * pattern, the docroot, the --stats table, signal handlers) and calls the
 * model's run() from the table (models.h). A model file holds only its model's
 * essence: how connections are accepted and by whom. How a connection is served
 * (conn.c), how processes are spawned, reaped and stopped (proc.c,
 * process_pool.c, thread_pool.c) and how accept copes with running out of
 * descriptors (accept.c) live once, below the models.
 */
#ifndef HERD_SERVER_H
#define HERD_SERVER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct client_stats;

enum reap_policy {
	REAP_SIGCHLD, /* a SIGCHLD handler runs waitpid(-1, WNOHANG) until none is left */
	REAP_NONE,    /* never reap while running: zombies pile up (seed 000) */
	REAP_IGNORE,  /* SIGCHLD set to SIG_IGN: the kernel reaps at exit */
};

struct server {
	/* ---- options ---- */
	const struct model *model; /* --model: its entry in the table (models.h) */
	const char *bind_addr;	   /* --bind, default 127.0.0.1 */
	uint16_t port;		   /* --port; 0 picks a free one, printed once listening */
	int workers;		   /* --workers: processes or threads in a pool */
	int backlog;		   /* --backlog for listen(2) */
	const char *docroot;	   /* --docroot for GET /files/NAME, or NULL */
	uint64_t read_timeout_ns;  /* --read-timeout: a request must arrive within it (408) */
	unsigned grace_s;	   /* --grace: how long in-flight requests may finish at shutdown */
	unsigned max_conns;	   /* --max-conns: open connections beyond are shed (0: no cap) */
	const char *stats_path;	   /* --stats FILE: per-client CSV written at shutdown */
	enum reap_policy reap;	   /* --reap, for the fork model */
	bool edge_triggered;	   /* --trigger edge, for the epoll model */
	bool exclusive;		   /* --exclusive: EPOLLEXCLUSIVE where a model supports it */
	unsigned min_idle;	   /* prefork-dynamic: --min-idle */
	unsigned max_idle;	   /* prefork-dynamic: --max-idle */
	unsigned max_children;	   /* prefork-dynamic: --max-children */
	unsigned max_requests;	   /* prefork-dynamic: --max-requests per child (0: unlimited) */
	uint64_t max_body;	   /* largest POST /echo body accepted (413 beyond) */
	bool send_read; /* --send read: bodies read into memory and written (readbody.h) */
	const char *counters_path; /* --counters FILE: counters.h's JSON written at exit */
	const char *pool_log_path; /* --pool-log FILE: prefork-dynamic's pool over time */

	/* ---- set up by main() before run() ---- */
	int listen_fd;		    /* the shared listener; -1 for models with their own */
	int reserve_fd;		    /* models with their own listeners: holds the port */
	int docroot_fd;		    /* O_PATH directory of --docroot, or -1 */
	int pattern_fd;		    /* memfd holding PATTERN_BLOCK bytes of the pattern */
	const char *pattern_map;    /* the same bytes, mapped (for writev and io_uring) */
	struct client_stats *stats; /* shared per-client counters, or NULL */
};

/*
 * Set by SIGTERM/SIGINT (handlers only set flags). Every loop checks it; a
 * blocked accept learns of it through EINTR or because main shut the listener.
 */
extern volatile sig_atomic_t srv_stop;
/* Set by SIGCHLD in processes that supervise children. */
extern volatile sig_atomic_t srv_child_exited;

/* The /size pattern, once, in a sealed memfd every worker shares (pattern_fd, pattern_map). */
int server_init_pattern(struct server *srv);
/*
 * The shared listener, O_NONBLOCK if the model's flags say so (or, for
 * MODEL_OWN_LISTENERS, the reserve socket that holds the port); resolves port 0.
 */
int server_listen(struct server *srv);
/*
 * MODEL_OWN_LISTENERS, in a worker: a listener of its own on the reserved port
 * (SO_REUSEPORT; O_NONBLOCK if the flags say so), and the worker's copy of the
 * reserve socket closed. The listener, or -1 with errno.
 */
int server_listen_own(struct server *srv);

/* Print "listening on ADDR:PORT" on stdout once the model can take connections. */
void server_ready(const struct server *srv);

/*
 * Stop taking connections on the shared listener: shutdown(2) wakes every task
 * blocked in accept on it (they get EINVAL), in this process and in its children.
 */
void server_close_listener(struct server *srv);

/* The epoch of a run: how long shutdown may wait for in-flight work. */
uint64_t server_grace_deadline(const struct server *srv);

#endif
