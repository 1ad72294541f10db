/* SPDX-License-Identifier: MIT */
/*
 * conn.h - one HTTP connection, as a state machine every model drives.
 *
 * The protocol is written once. A connection is always in one of four states:
 *
 *	READ ---request complete---> WRITE ---response sent, keep-alive---> READ
 *	  |                            ^  \--response sent, close----------> DONE
 *	  +--GET /sleep--> SLEEP ------+
 *	  +--timeout, EOF, error----------------------------------------------> DONE
 *
 * The core (conn_rbuf/conn_received/conn_out/conn_sent) does no I/O of its own, so
 * it fits any way of waiting: blocking models call conn_serve_blocking(), which
 * reads and writes with plain blocking calls; readiness-based models (select,
 * poll, epoll, sigio) call conn_progress() on a non-blocking socket whenever it is
 * ready; completion-based ones (io_uring) submit reads into conn_rbuf() and sends
 * of conn_out() themselves. A model only keeps each connection's timer
 * (conn->deadline: the read deadline, or when a /sleep ends) and calls
 * conn_timeout() when it passes.
 */
#ifndef HERD_CONN_H
#define HERD_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "heap.h"
#include "http.h"

struct server;

enum conn_state {
	CONN_READ,  /* waiting for (the rest of) a request */
	CONN_SLEEP, /* GET /sleep: the response is ready, to be sent at deadline */
	CONN_WRITE, /* sending the response */
	CONN_DONE,  /* finished: the model closes it (conn_close) */
};

/* The response being sent: a head, then a body from memory or from a file. */
struct response {
	int status;	   /* HTTP status, for accounting */
	char head[384];	   /* status line and headers */
	size_t head_len;   /* bytes in @head */
	const char *mem;   /* body in memory (an echo, an error text, @text), or NULL */
	char *mem_owned;   /* --send read: @mem was malloc'ed for this response (freed with it) */
	char text[96];	   /* a short generated body (/cpu, /sleep, the index) */
	int fd;		   /* body by sendfile from this file, or -1 */
	bool fd_owned;	   /* close @fd when the response is done (docroot files) */
	bool pattern;	   /* @fd is the pattern memfd: offsets wrap at PATTERN_BLOCK */
	uint64_t body_len; /* bytes of body */
	uint64_t sent;	   /* bytes of head + body sent so far */
	bool keepalive;	   /* read another request afterwards */
};

struct conn {
	int fd;			      /* the connected socket */
	enum conn_state state;	      /* see the diagram above */
	const struct server *srv;     /* options, pattern, docroot, stats */
	char *in;		      /* bytes received and not yet consumed */
	size_t in_len;		      /* bytes in @in */
	size_t in_cap;		      /* size of @in */
	struct http_request req;      /* the current request, once its head is parsed */
	size_t req_len;		      /* head + body of the current request (0: head not parsed) */
	bool sent_continue;	      /* "100 Continue" already sent for this request */
	uint64_t deadline;	      /* READ: when it times out; SLEEP: when to answer */
	struct response resp;	      /* what is being sent (WRITE, SLEEP) */
	struct heap_node timer;	      /* event loops: @deadline's place in their timer heap */
	unsigned requests;	      /* responses completed on this connection */
	uint64_t bytes_in, bytes_out; /* totals on this connection, for --stats */
	uint64_t counted_in;	      /* bytes of @bytes_in already added to --stats */
	uint64_t counted_out;	      /* bytes of @bytes_out already added to --stats */
	struct sockaddr_storage peer; /* client address, if known (for --stats) */
	bool have_peer;		      /* @peer is valid */
};

/* Start serving @fd (already accepted). @peer may be NULL (fetched if --stats needs it). */
void conn_init(struct conn *c, const struct server *srv, int fd,
	       const struct sockaddr_storage *peer);
/*
 * Add what --stats has not counted yet (bytes of an unanswered request), release
 * everything and close the socket. Each response is counted as it completes, so
 * a connection cut at the --grace deadline, which never gets here, loses nothing
 * its client received.
 */
void conn_close(struct conn *c);

/* Serve @fd to the end with blocking calls, then close it: the blocking models. */
void conn_serve_blocking(const struct server *srv, int fd, const struct sockaddr_storage *peer);

/*
 * Non-blocking socket: read, answer and write as far as it goes without blocking.
 * Returns the new state: READ wants readability, WRITE writability, SLEEP only its
 * timer, DONE to be closed.
 */
enum conn_state conn_progress(struct conn *c);

/* @c->deadline has passed: a read times out (408), a /sleep answers. Returns the state. */
enum conn_state conn_timeout(struct conn *c);

/* ---- the I/O-free core, for models that do their own I/O (io_uring) ---- */

/* Where to receive next and how much fits; NULL if the request is too large (state moves on). */
char *conn_rbuf(struct conn *c, size_t *space);
/* @n bytes arrived in conn_rbuf() (0: the peer closed). Parses and answers. Returns the state. */
enum conn_state conn_received(struct conn *c, size_t n);
/*
 * The next bytes to send, as up to two iovecs pointing into the head, a memory
 * body, or the mapped pattern. For a docroot file body it fills @scratch with
 * pread. Returns the iovec count (0 with state DONE on a read error).
 */
int conn_out(struct conn *c, struct iovec iov[2], char *scratch, size_t scratch_len);
/* @n bytes of conn_out() were sent. Returns the state (READ again, or DONE). */
enum conn_state conn_sent(struct conn *c, size_t n);

#endif
