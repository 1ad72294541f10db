/* SPDX-License-Identifier: MIT */
/*
 * errors.h - what went wrong with a request, in a few kinds that mean something.
 *
 * A load generator that lumps failures into one "errors" count hides the very thing a
 * study of server models looks for: a refused connection says the listen queue or the
 * port is gone, a reset says the server dropped the connection, a connect timeout says
 * SYNs were dropped, a response timeout says the server is stuck. So every failure is
 * classified, from where the request was (its phase) and what the kernel said (errno),
 * or from what came back (the response). One kind is not the server's doing at all:
 * a request still in flight when the run was stopped by a signal is "interrupted", so
 * that a run cut short never reads as a server fault. The functions are pure: a table
 * in the unit test pins every rule down.
 */
#ifndef HERD_LOAD_ERRORS_H
#define HERD_LOAD_ERRORS_H

#include <stdbool.h>
#include <stdint.h>

enum err_kind {
	ERR_NONE,	     /* the request succeeded */
	ERR_REFUSED,	     /* ECONNREFUSED: nothing listens, or the listener is gone */
	ERR_RESET,	     /* ECONNRESET / EPIPE after the connection was made */
	ERR_CONNECT_TIMEOUT, /* not connected within --connect-timeout */
	ERR_TIMEOUT,	     /* no complete response within --timeout of sending */
	ERR_SHORT,	     /* EOF before the response ended, a garbled one, a --verify mismatch */
	ERR_HTTP,	     /* a complete response with status >= 400 */
	ERR_ADDR,	     /* no local address or port left (EADDRNOTAVAIL, EADDRINUSE) */
	ERR_INTERRUPTED,     /* in flight when SIGINT / SIGTERM stopped the run */
	ERR_OTHER,	     /* any other errno (ENETUNREACH, EIO, ...); the first is logged */
	ERR_KINDS,	     /* the number of kinds */
};

/* Where a request was when it failed. */
enum req_phase {
	PHASE_SOCKET,  /* socket(), or bind() to a --sources address */
	PHASE_CONNECT, /* connect() and its completion */
	PHASE_SEND,    /* sending the request */
	PHASE_RECV,    /* reading the response */
};

/* "refused", "reset", ...: the names used in JSON and CSV ("ok" for ERR_NONE). */
const char *err_name(enum err_kind kind);

/* "connecting", "sending", ...: a phase in words, for messages. */
const char *err_phase_name(enum req_phase phase);

/* A failed call in @phase with @err; @err 0 means the peer closed the connection (EOF). */
enum err_kind err_from_errno(enum req_phase phase, int err);

/* The request's deadline passed in @phase. */
enum err_kind err_from_timeout(enum req_phase phase);

/* A response that ended: @intact is false when it was garbled or failed --verify. */
enum err_kind err_from_response(bool intact, int status);

/*
 * Whether a failure is the server closing an idle kept-alive connection just as we reused
 * it (EOF, ECONNRESET or EPIPE before any byte of the response): every client then retries
 * the request, once, on a new connection. @err as for err_from_errno().
 */
bool err_retryable(bool reused, uint64_t response_bytes, enum req_phase phase, int err);

#endif
