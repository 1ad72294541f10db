/* SPDX-License-Identifier: MIT */
/*
 * csv_tables.c - the run directory's tables (csv.h), each a list of columns.
 *
 * Every table here is declared once, as the columns of its record (csv_table.h),
 * and written and read back through the one engine in csv.c: the older tables
 * (connections.csv, tasks.csv, herdload's requests.csv) and the newer ones
 * (fates.csv, waits.csv) alike. A column added to a list is in its writer and
 * its reader at once; the reader finds it by name, so an older file without it
 * is refused (or, for an optional column, read with the field left zero).
 */
#include <stddef.h>

#include "metrics/csv_table.h"

#define CONN_COL(name, type)                                         \
	{                                                            \
#name, type, offsetof(struct herd_conn, name), false \
	}
#define TASK_COL(name, type)                                            \
	{                                                               \
#name, type, offsetof(struct trace_task, t.name), false \
	}
#define FATE_COL(name, type)                                            \
	{                                                               \
#name, type, offsetof(struct trace_fate, f.name), false \
	}
#define REQ_COL(name, type)                                           \
	{                                                             \
#name, type, offsetof(struct client_req, name), false \
	}

/* connections.csv, in both directions. */
static const struct csv_col conn_cols[] = {
	CONN_COL(client_addr, CSV_ADDR), CONN_COL(client_port, CSV_U16),
	CONN_COL(server_port, CSV_U16),	 CONN_COL(established_ns, CSV_U64),
	CONN_COL(accepted_ns, CSV_U64),	 CONN_COL(accept_tid, CSV_U32),
	CONN_COL(closed_ns, CSV_U64),	 CONN_COL(wakeups, CSV_U32),
};

/* tasks.csv (a row is a struct trace_task). */
static const struct csv_col task_cols[] = {
	{ "tid", CSV_U32, offsetof(struct trace_task, tid), false },
	TASK_COL(tgid, CSV_U32),
	TASK_COL(ppid, CSV_U32),
	TASK_COL(comm, CSV_COMM),
	{ "role", CSV_ROLE, 0, false },
	TASK_COL(switches, CSV_U64),
	TASK_COL(voluntary, CSV_U64),
	TASK_COL(involuntary, CSV_U64),
	TASK_COL(migrations, CSV_U64),
	TASK_COL(run_ns, CSV_U64),
	TASK_COL(accepted, CSV_U64),
	TASK_COL(eagain, CSV_U64),
	TASK_COL(futile, CSV_U64),
	{ "wakeups", CSV_WAKEUPS, 0, false },
};

/* waits.csv: one row per task and kind of waiting call (a row is a struct waits_row). */
#define WAIT_COL(name, col, type)                                  \
	{                                                          \
		name, type, offsetof(struct waits_row, col), false \
	}
static const struct csv_col wait_cols[] = {
	WAIT_COL("tid", tid, CSV_U32),
	WAIT_COL("tgid", s.tgid, CSV_U32),
	WAIT_COL("comm", s.comm, CSV_NAME),
	WAIT_COL("kind", kind, CSV_KIND),
	WAIT_COL("calls", s.calls, CSV_U64),
	WAIT_COL("nfds", s.nfds, CSV_U64),
	WAIT_COL("maxevents", s.maxevents, CSV_U64),
	WAIT_COL("ready", s.ready, CSV_U64),
	WAIT_COL("empty_calls", s.empty, CSV_U64),
	WAIT_COL("errors", s.errors, CSV_U64),
	WAIT_COL("unknown_nfds_calls", s.unknown_nfds, CSV_U64),
	WAIT_COL("cpu_ns", s.cpu_ns, CSV_U64),
	WAIT_COL("elapsed_ns", s.elapsed_ns, CSV_U64),
};

/* The columns of herdload's requests.csv that the join needs. */
static const struct csv_col request_cols[] = {
	REQ_COL(scheduled_ns, CSV_U64),
	REQ_COL(connect_start_ns, CSV_U64),
	REQ_COL(connected_ns, CSV_U64),
	REQ_COL(first_byte_ns, CSV_U64),
	REQ_COL(last_byte_ns, CSV_U64),
	REQ_COL(local_port, CSV_U16),
	REQ_COL(status, CSV_INT),
	REQ_COL(conn_seq, CSV_U32),
	REQ_COL(thread, CSV_U32),
	/* not every requests.csv the tests make has it: a request without one is not failed */
	{ "error", CSV_STR16, offsetof(struct client_req, error), true },
};

/* fates.csv (a row is a struct trace_fate). */
static const struct csv_col fate_cols[] = {
	{ "client_addr", CSV_FADDR, 0, false },
	{ "client_port", CSV_U16, offsetof(struct trace_fate, f.key.client_port), false },
	{ "server_port", CSV_U16, offsetof(struct trace_fate, f.key.server_port), false },
	FATE_COL(first_ns, CSV_U64),
	FATE_COL(last_ns, CSV_U64),
	{ "syn_drops", CSV_DROPS, 0, false },
	{ "drop_reason", CSV_REASON, 0, false },
	FATE_COL(syn_retransmits, CSV_U32),
	FATE_COL(overflow_drops, CSV_U32),
	FATE_COL(no_socket_drops, CSV_U32),
	FATE_COL(synack_retransmits, CSV_U32),
	FATE_COL(resets_sent, CSV_U32),
	FATE_COL(resets_received, CSV_U32),
	FATE_COL(client_resets_received, CSV_U32),
	FATE_COL(closed_unread, CSV_U32),
	{ "rst_state", CSV_STATE, offsetof(struct trace_fate, f.rst_state), false },
	{ "rst_state_of", CSV_SIDE, offsetof(struct trace_fate, f.rst_state_server), false },
	{ "rst_by", CSV_SIDE, offsetof(struct trace_fate, f.rst_server), false },
	{ "accepted", CSV_YESNO, offsetof(struct trace_fate, accepted), false },
};

#define NCOLS(cols) (sizeof(cols) / sizeof((cols)[0]))

/* By handshake time; equal ones by socket address, for a stable order. */
static int conn_cmp(const void *pa, const void *pb)
{
	const struct herd_conn *a = *(const struct herd_conn *const *)pa;
	const struct herd_conn *b = *(const struct herd_conn *const *)pb;

	if (a->established_ns != b->established_ns)
		return a->established_ns < b->established_ns ? -1 : 1;
	return (a->sk > b->sk) - (a->sk < b->sk);
}

/* By first event; equal ones by port, for a stable order. */
static int fate_cmp(const void *pa, const void *pb)
{
	const struct trace_fate *a = *(const struct trace_fate *const *)pa;
	const struct trace_fate *b = *(const struct trace_fate *const *)pb;

	if (a->f.first_ns != b->f.first_ns)
		return a->f.first_ns < b->f.first_ns ? -1 : 1;
	return (a->f.key.client_port > b->f.key.client_port) -
	       (a->f.key.client_port < b->f.key.client_port);
}

static const struct csv_table conn_table = { conn_cols, NCOLS(conn_cols), sizeof(struct herd_conn),
					     conn_cmp };
static const struct csv_table task_table = { task_cols, NCOLS(task_cols), sizeof(struct trace_task),
					     NULL };
static const struct csv_table request_table = { request_cols, NCOLS(request_cols),
						sizeof(struct client_req), NULL };
static const struct csv_table fate_table = { fate_cols, NCOLS(fate_cols), sizeof(struct trace_fate),
					     fate_cmp };
static const struct csv_table wait_table = { wait_cols, NCOLS(wait_cols), sizeof(struct waits_row),
					     NULL };

int csv_write_connections(const char *path, const struct trace_result *r)
{
	return csv_table_write(path, &conn_table, r->conns, r->nconns);
}

int csv_write_tasks(const char *path, const struct trace_result *r)
{
	return csv_table_write(path, &task_table, r->tasks, r->ntasks);
}

int csv_write_fates(const char *path, const struct trace_result *r)
{
	return csv_table_write(path, &fate_table, r->fates, r->nfates);
}

int csv_write_waits(const char *path, const struct waits_row *rows, size_t n)
{
	return csv_table_write(path, &wait_table, rows, n);
}

ssize_t csv_parse_requests(char *text, struct client_req **out, struct csv_stats *st)
{
	return csv_table_parse(text, &request_table, (void **)out, st);
}

ssize_t csv_parse_connections(char *text, struct herd_conn **out, struct csv_stats *st)
{
	return csv_table_parse(text, &conn_table, (void **)out, st);
}

ssize_t csv_parse_tasks(char *text, struct trace_task **out, struct csv_stats *st)
{
	return csv_table_parse(text, &task_table, (void **)out, st);
}

ssize_t csv_parse_fates(char *text, struct trace_fate **out, struct csv_stats *st)
{
	return csv_table_parse(text, &fate_table, (void **)out, st);
}

ssize_t csv_parse_waits(char *text, struct waits_row **out, struct csv_stats *st)
{
	return csv_table_parse(text, &wait_table, (void **)out, st);
}

ssize_t csv_read_requests(const char *path, struct client_req **out, struct csv_stats *st)
{
	return csv_table_read(path, &request_table, (void **)out, st);
}

ssize_t csv_read_connections(const char *path, struct herd_conn **out, struct csv_stats *st)
{
	return csv_table_read(path, &conn_table, (void **)out, st);
}

ssize_t csv_read_tasks(const char *path, struct trace_task **out, struct csv_stats *st)
{
	return csv_table_read(path, &task_table, (void **)out, st);
}

ssize_t csv_read_fates(const char *path, struct trace_fate **out, struct csv_stats *st)
{
	return csv_table_read(path, &fate_table, (void **)out, st);
}

ssize_t csv_read_waits(const char *path, struct waits_row **out, struct csv_stats *st)
{
	return csv_table_read(path, &wait_table, (void **)out, st);
}
