/* SPDX-License-Identifier: MIT */
/*
 * csv.c - the run directory's tables (csv.h).
 *
 * A table is an array of struct csv_col: the column's name in the header, how
 * its value is held in the record, and where (offsetof). Numbers are written in
 * decimal and read with strtoull; the few columns that are not a plain number
 * (an address, a comm, a task's role, a sum over wait kinds) have a type of
 * their own. The writer goes through afile (files.h), so a table appears whole
 * or not at all; the reader reads the whole file (files_read: never a FIFO),
 * finds its columns by name in the header and skips rows too short to hold them.
 */
#include "metrics/csv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "metrics/records.h"
#include "vec.h"

#define CSV_FIELDS_MAX 64 /* fields of a row looked at; herdload writes 15 */
#define COMM_LEN       16 /* struct herd_task's comm */

/* How a column's value is held in its record. */
enum csv_type {
	CSV_U16,     /* uint16_t */
	CSV_U32,     /* uint32_t */
	CSV_U64,     /* uint64_t */
	CSV_INT,     /* int */
	CSV_ADDR,    /* a herd_conn's client_addr, by its family ("" for neither inet) */
	CSV_COMM,    /* a trace_task's comm, quoted when it must be (written only) */
	CSV_ROLE,    /* a trace_task: "process" (tid == tgid) or "thread" (written only) */
	CSV_WAKEUPS, /* a trace_task's accept wakeups over every wait kind (written only) */
};

struct csv_col {
	const char *name;   /* in the header */
	enum csv_type type; /* how it is held */
	size_t off;	    /* where, in the record */
};

#define CONN_COL(name, type)                                  \
	{                                                     \
#name, type, offsetof(struct herd_conn, name) \
	}
#define TASK_COL(name, type)                                     \
	{                                                        \
#name, type, offsetof(struct trace_task, t.name) \
	}
#define REQ_COL(name, type)                                    \
	{                                                      \
#name, type, offsetof(struct client_req, name) \
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
	{ "tid", CSV_U32, offsetof(struct trace_task, tid) },
	TASK_COL(tgid, CSV_U32),
	TASK_COL(ppid, CSV_U32),
	TASK_COL(comm, CSV_COMM),
	{ "role", CSV_ROLE, 0 },
	TASK_COL(switches, CSV_U64),
	TASK_COL(voluntary, CSV_U64),
	TASK_COL(involuntary, CSV_U64),
	TASK_COL(migrations, CSV_U64),
	TASK_COL(run_ns, CSV_U64),
	TASK_COL(accepted, CSV_U64),
	TASK_COL(eagain, CSV_U64),
	TASK_COL(futile, CSV_U64),
	{ "wakeups", CSV_WAKEUPS, 0 },
};

/* The columns of herdload's requests.csv that the join needs. */
static const struct csv_col request_cols[] = {
	REQ_COL(scheduled_ns, CSV_U64), REQ_COL(connect_start_ns, CSV_U64),
	REQ_COL(connected_ns, CSV_U64), REQ_COL(first_byte_ns, CSV_U64),
	REQ_COL(last_byte_ns, CSV_U64), REQ_COL(local_port, CSV_U16),
	REQ_COL(status, CSV_INT),	REQ_COL(conn_seq, CSV_U32),
	REQ_COL(thread, CSV_U32),
};

#define NCOLS(cols) (sizeof(cols) / sizeof((cols)[0]))

/* ---- writing -------------------------------------------------------------------------------- */

/* A comm as a CSV field: quoted (quotes doubled) when it holds a comma, quote or newline. */
static void put_comm(FILE *f, const struct herd_task *t)
{
	char comm[COMM_LEN + 1];

	snprintf(comm, sizeof(comm), "%.*s", COMM_LEN, t->comm_set ? t->comm : "");
	if (!strpbrk(comm, ",\"\r\n")) {
		fputs(comm, f);
		return;
	}
	fputc('"', f);
	for (const char *c = comm; *c; c++) {
		if (*c == '"')
			fputc('"', f);
		fputc(*c, f);
	}
	fputc('"', f);
}

static void put_field(FILE *f, const struct csv_col *col, const void *rec)
{
	const char *p = (const char *)rec + col->off;
	char addr[INET6_ADDRSTRLEN];

	switch (col->type) {
	case CSV_U16:
		fprintf(f, "%u", *(const uint16_t *)p);
		break;
	case CSV_U32:
		fprintf(f, "%u", *(const uint32_t *)p);
		break;
	case CSV_U64:
		fprintf(f, "%llu", (unsigned long long)*(const uint64_t *)p);
		break;
	case CSV_INT:
		fprintf(f, "%d", *(const int *)p);
		break;
	case CSV_ADDR: {
		const struct herd_conn *c = rec;
		addr[0] = '\0';
		if ((c->family == AF_INET || c->family == AF_INET6) &&
		    !inet_ntop(c->family, c->client_addr, addr, sizeof(addr)))
			addr[0] = '\0';
		fputs(addr, f);
		break;
	}
	case CSV_COMM:
		put_comm(f, &((const struct trace_task *)rec)->t);
		break;
	case CSV_ROLE: {
		const struct trace_task *t = rec;
		fputs(t->tid == t->t.tgid ? "process" : "thread", f);
		break;
	}
	case CSV_WAKEUPS:
		fprintf(f, "%llu",
			(unsigned long long)metrics_task_wakeups(
				&((const struct trace_task *)rec)->t));
		break;
	}
}

/* By handshake time; equal ones by socket address, for a stable order. */
static int conn_cmp(const void *pa, const void *pb)
{
	const struct herd_conn *a = *(const struct herd_conn *const *)pa;
	const struct herd_conn *b = *(const struct herd_conn *const *)pb;

	if (a->established_ns != b->established_ns)
		return a->established_ns < b->established_ns ? -1 : 1;
	return (a->sk > b->sk) - (a->sk < b->sk);
}

/*
 * The @n records of @size bytes at @base as the whole of @path, under the header of
 * @cols; in the order of @order (given pointers to records) or, NULL, as they are.
 */
static int write_table(const char *path, const struct csv_col *cols, size_t ncols, const void *base,
		       size_t n, size_t size, int (*order)(const void *, const void *))
{
	const void **rows = malloc((n + 1) * sizeof(*rows));
	struct afile a;

	if (!rows)
		return errno = ENOMEM, -ENOMEM;
	for (size_t i = 0; i < n; i++)
		rows[i] = (const char *)base + i * size;
	if (order)
		qsort(rows, n, sizeof(*rows), order);
	if (afile_open(&a, path) < 0) {
		int err = errno;
		free(rows);
		return errno = err, -err;
	}
	for (size_t c = 0; c < ncols; c++)
		fprintf(a.f, "%s%s", c ? "," : "", cols[c].name);
	fputc('\n', a.f);
	for (size_t i = 0; i < n; i++) {
		for (size_t c = 0; c < ncols; c++) {
			if (c)
				fputc(',', a.f);
			put_field(a.f, &cols[c], rows[i]);
		}
		fputc('\n', a.f);
	}
	free(rows);
	return afile_close(&a, true) < 0 ? -errno : 0;
}

int csv_write_connections(const char *path, const struct trace_result *r)
{
	return write_table(path, conn_cols, NCOLS(conn_cols), r->conns, r->nconns,
			   sizeof(*r->conns), conn_cmp);
}

int csv_write_tasks(const char *path, const struct trace_result *r)
{
	return write_table(path, task_cols, NCOLS(task_cols), r->tasks, r->ntasks,
			   sizeof(*r->tasks), NULL);
}

/* ---- reading -------------------------------------------------------------------------------- */

/* Split @line (one line, NUL-terminated) on the commas outside quotes; fields in place. */
static int split(char *line, char **field, int max)
{
	int n = 0;
	bool quoted = false;

	field[n++] = line;
	for (char *p = line; *p && n < max; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ',' && !quoted) {
			*p = 0;
			field[n++] = p + 1;
		} else if (*p == '\r') {
			*p = 0;
		}
	}
	return n;
}

/* Where each of @cols is in the header @line; -1 if one is missing. */
static int header_columns(char *line, const struct csv_col *cols, size_t ncols, int *pos)
{
	char *fld[CSV_FIELDS_MAX];
	int n = split(line, fld, CSV_FIELDS_MAX);

	for (size_t c = 0; c < ncols; c++) {
		pos[c] = -1;
		for (int i = 0; i < n && pos[c] < 0; i++)
			if (!strcmp(fld[i], cols[c].name))
				pos[c] = i;
		if (pos[c] < 0)
			return -1;
	}
	return 0;
}

static void parse_field(const struct csv_col *col, const char *s, void *rec)
{
	char *p = (char *)rec + col->off;
	struct herd_conn *c = rec;

	switch (col->type) {
	case CSV_U16:
		*(uint16_t *)p = (uint16_t)strtoul(s, NULL, 10);
		break;
	case CSV_U32:
		*(uint32_t *)p = (uint32_t)strtoul(s, NULL, 10);
		break;
	case CSV_U64:
		*(uint64_t *)p = strtoull(s, NULL, 10);
		break;
	case CSV_INT:
		*(int *)p = atoi(s);
		break;
	case CSV_ADDR:
		if (inet_pton(AF_INET, s, c->client_addr) == 1)
			c->family = AF_INET;
		else if (inet_pton(AF_INET6, s, c->client_addr) == 1)
			c->family = AF_INET6;
		break;
	case CSV_COMM:
	case CSV_ROLE:
	case CSV_WAKEUPS:
		break; /* derived or free text: not read back */
	}
}

/* The rows of @path as records of @size bytes, *@out allocated; the count or -errno. */
static ssize_t read_table(const char *path, const struct csv_col *cols, size_t ncols, size_t size,
			  void **out)
{
	struct vec v = { .size = size };
	char *buf = files_read(path, NULL), *line, *next, *fld[CSV_FIELDS_MAX];
	int pos[CSV_FIELDS_MAX], need = 0;

	if (!buf)
		return -errno;
	line = buf;
	next = strchr(line, '\n');
	if (next)
		*next++ = 0;
	if (!*line || ncols > CSV_FIELDS_MAX || header_columns(line, cols, ncols, pos) < 0) {
		free(buf);
		return -EINVAL;
	}
	for (size_t c = 0; c < ncols; c++)
		need = pos[c] > need ? pos[c] : need;
	while ((line = next)) {
		if ((next = strchr(line, '\n')))
			*next++ = 0;
		if (split(line, fld, CSV_FIELDS_MAX) <= need) /* a blank or short row */
			continue;
		void *rec = vec_push(&v);
		if (!rec) {
			vec_free(&v);
			free(buf);
			return -ENOMEM;
		}
		for (size_t c = 0; c < ncols; c++)
			parse_field(&cols[c], fld[pos[c]], rec);
	}
	free(buf);
	size_t n;
	*out = vec_take(&v, &n);
	return (ssize_t)n;
}

ssize_t csv_read_requests(const char *path, struct client_req **out)
{
	return read_table(path, request_cols, NCOLS(request_cols), sizeof(**out), (void **)out);
}

ssize_t csv_read_connections(const char *path, struct herd_conn **out)
{
	return read_table(path, conn_cols, NCOLS(conn_cols), sizeof(**out), (void **)out);
}
