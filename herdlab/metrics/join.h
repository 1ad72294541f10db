/* SPDX-License-Identifier: MIT */
/*
 * join.h - what each client saw, joined with what the kernel saw, connection by
 * connection.
 *
 * herdload records every request with its local port (requests.csv); the tracer
 * records every connection on the server port with the client's port
 * (connections.csv). Ports are reused within a run, so the key is the port and
 * the time: a client connection is matched to the kernel record with its port
 * whose handshake completed nearest its own connect, and no kernel record is
 * used twice. Requests on a kept-alive connection share its record.
 *
 * A failed request has no connection record, or none that tells why: it is
 * joined to the fate of its client address:port instead (join_failures): the
 * record with its port whose events fall within the request's own time.
 *
 * A request joined to its connection's record can be cut into parts, on the
 * one clock both sides use (join_parts): run.json's join.* spectra and every
 * report's latency decomposition are made of these parts, so that they cannot
 * mean different things by "server time".
 */
#ifndef HERD_JOIN_H
#define HERD_JOIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "herd.h"
#include "metrics/csv.h"

#define JOIN_TOLERANCE_NS (1000ULL * 1000 * 1000) /* never match records further apart */

/*
 * Match @n requests to @nconns kernel records. @match[i] gets the index in
 * @conns of request i's connection, or -1. Returns the number of requests
 * matched, or -ENOMEM.
 */
ssize_t join_requests(const struct client_req *reqs, size_t n, const struct herd_conn *conns,
		      size_t nconns, ssize_t *match);

/*
 * Match the failed requests of @reqs (csv_req_failed) to @nfates fates by client
 * port and time: a fate whose events lie between the request's start (its
 * connect, or when it was due) and its failure, JOIN_TOLERANCE_NS either side;
 * the nearest if several. @fmatch[i] gets the index in @fates, or -1 (every
 * request that did not fail too). A fate may serve several requests (a reused
 * port's). Returns the number of failed requests matched, or -ENOMEM; *@failed
 * (if not NULL) gets the number that failed.
 */
ssize_t join_failures(const struct client_req *reqs, size_t n, const struct trace_fate *fates,
		      size_t nfates, ssize_t *fmatch, size_t *failed);

/*
 * Where one joined request's time went, in nanoseconds. The parts are cut at the
 * client's connect() start, the server's ESTABLISHED, the accept, and the
 * client's first and last response bytes; the first three and the rest (the
 * wait for the scheduled start, and the transfer after the first byte) add up
 * to total.
 */
struct join_parts {
	uint64_t total_ns;	  /* scheduled start -> the client's last byte (what it saw) */
	uint64_t handshake_ns;	  /* the client's connect() -> the server's ESTABLISHED */
	uint64_t queue_ns;	  /* ESTABLISHED -> accepted: the accept-queue wait */
	uint64_t server_first_ns; /* accepted -> the client's first response byte */
	uint64_t server_last_ns;  /* accepted -> the client's last byte */
};

/*
 * Cut request @r, joined to the kernel record @c (NULL: not joined), into @p. Only
 * a request that opened its connection (a kept-alive one after the first has no
 * handshake of its own) and got an HTTP response, on a timeline both sides agree
 * on (scheduled <= connect <= ESTABLISHED <= accepted <= first byte <= last byte), is cut;
 * false leaves @p alone: better left out than guessed.
 */
bool join_parts(const struct client_req *r, const struct herd_conn *c, struct join_parts *p);

/* The readers join.h used to hold, kept for their callers: csv.h reads the tables. */
static inline ssize_t join_read_requests(const char *path, struct client_req **out)
{
	return csv_read_requests(path, out, NULL);
}

static inline ssize_t join_read_connections(const char *path, struct herd_conn **out)
{
	return csv_read_connections(path, out, NULL);
}

#endif
