/* SPDX-License-Identifier: MIT */
/*
 * csv.h - the run directory's tables, written and read back in one place.
 *
 *	requests.csv     herdload's record of every request (read here: herdload,
 *	                 on its own floor, writes it)
 *	connections.csv  the tracer's record of every connection (written and read)
 *	tasks.csv        the tracer's counters of every task (written and read)
 *	fates.csv        the tracer's fate of every client address:port that has
 *	                 one: drops, retransmitted handshakes, resets (written and read)
 *	waits.csv        the waiting calls of every task, by kind (--waits; written and read)
 *
 * Each table is a list of columns declared once in csv_tables.c (and written and
 * read by the one engine in csv.c, csv_table.h), each column a name,
 * a type and a place in the record; the writer prints the header and the rows
 * from that list, and the reader finds the columns by name in the header (so
 * that a column added later, or reordered, does not break an older reader).
 */
#ifndef HERD_METRICS_CSV_H
#define HERD_METRICS_CSV_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "herd.h"
#include "trace.h"
#include "waits.h"

/* One request as herdload recorded it (the requests.csv columns herdlab reads). */
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
	char error[16]; /* herdload's error kind: "ok", "refused", "connect_timeout"... */
};

/* Whether request @r failed (any error kind but "ok"). */
static inline bool csv_req_failed(const struct client_req *r)
{
	return r->error[0] && strcmp(r->error, "ok") != 0;
}

/*
 * What a reader made of a table. A row is rejected, and left out, when its field
 * count is not the header's or a field is not its column's type: a number must be
 * unsigned decimal digits only, the whole field, and fit its column ("12-", "-1",
 * "" and "99999" for a port are all refused).
 */
struct csv_stats {
	size_t rows;	   /* rows read */
	size_t rejected;   /* rows left out */
	size_t first_line; /* the first rejected row's line (the header is line 1) */
	char why[128];	   /* what was wrong with it; or, when the table could not be
			      read at all, why not (strerror, "no column 'x' in its header") */
};

/*
 * herdload's requests.csv; the count of rows read, or -errno (-ENOENT when missing,
 * -EINVAL for a file that is not regular or a header without the columns), *out
 * allocated. @st (may be NULL) says what was rejected, or why nothing was read.
 */
ssize_t csv_read_requests(const char *path, struct client_req **out, struct csv_stats *st);

/* connections.csv read back (sk is not in it: 0); as above. */
ssize_t csv_read_connections(const char *path, struct herd_conn **out, struct csv_stats *st);

/* tasks.csv read back (role and the wakeups' sum are derived, not read: 0); as above. */
ssize_t csv_read_tasks(const char *path, struct trace_task **out, struct csv_stats *st);

/* fates.csv read back (the derived columns are not read: accepted is); as above. */
ssize_t csv_read_fates(const char *path, struct trace_fate **out, struct csv_stats *st);

/* The same from a table in memory, @text NUL-terminated (modified in place). */
ssize_t csv_parse_requests(char *text, struct client_req **out, struct csv_stats *st);
ssize_t csv_parse_connections(char *text, struct herd_conn **out, struct csv_stats *st);
ssize_t csv_parse_tasks(char *text, struct trace_task **out, struct csv_stats *st);
ssize_t csv_parse_fates(char *text, struct trace_fate **out, struct csv_stats *st);

/* waits.csv read back, from a file or from memory; as above. */
ssize_t csv_read_waits(const char *path, struct waits_row **out, struct csv_stats *st);
ssize_t csv_parse_waits(char *text, struct waits_row **out, struct csv_stats *st);

/* waits.csv: @n rows, whole or not at all; 0 or -errno. */
int csv_write_waits(const char *path, const struct waits_row *rows, size_t n);

/* connections.csv (by handshake time) and tasks.csv, whole or not at all; 0 or -errno. */
int csv_write_connections(const char *path, const struct trace_result *r);
int csv_write_tasks(const char *path, const struct trace_result *r);
/* fates.csv (by first event), whole or not at all; 0 or -errno. */
int csv_write_fates(const char *path, const struct trace_result *r);

#endif
