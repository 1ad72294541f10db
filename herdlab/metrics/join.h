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
 */
#ifndef HERD_JOIN_H
#define HERD_JOIN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "herd.h"

#define JOIN_TOLERANCE_NS (1000ULL * 1000 * 1000) /* never match records further apart */

/* One request as herdload recorded it (the requests.csv columns the join needs). */
struct client_req {
	uint64_t scheduled_ns;	   /* when it was due */
	uint64_t connect_start_ns; /* connect() began (0: a kept-alive connection) */
	uint64_t connected_ns;	   /* the handshake completed, client side */
	uint64_t first_byte_ns;	   /* first byte of the response */
	uint64_t last_byte_ns;	   /* last byte, or the failure */
	uint16_t local_port;	   /* the client's port: the join key */
	uint32_t conn_seq;	   /* its connection, within the thread */
	uint32_t thread;	   /* herdload's thread */
	int status;		   /* HTTP status (0: none) */
};

/*
 * Match @n requests to @nconns kernel records. @match[i] gets the index in
 * @conns of request i's connection, or -1. Returns the number of requests
 * matched, or -ENOMEM.
 */
ssize_t join_requests(const struct client_req *reqs, size_t n, const struct herd_conn *conns,
		      size_t nconns, ssize_t *match);

/* Read herdload's requests.csv; returns the count (or -errno), *out allocated. */
ssize_t join_read_requests(const char *path, struct client_req **out);

/* Read the tracer's connections.csv back (sk is not in it: 0); as above. */
ssize_t join_read_connections(const char *path, struct herd_conn **out);

#endif
