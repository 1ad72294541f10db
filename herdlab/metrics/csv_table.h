/* SPDX-License-Identifier: MIT */
/*
 * csv_table.h - the table engine under csv.h, private to herdlab/metrics.
 *
 * A table is a list of columns (struct csv_col: a name, a type, a place in the
 * record) and the size of its record. csv.c turns any such list into a writer
 * and a reader; csv_tables.c declares the run directory's tables with it, so
 * that a new format is a new list, and none is read differently from the way
 * it is written.
 */
#ifndef HERD_METRICS_CSV_TABLE_H
#define HERD_METRICS_CSV_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "metrics/csv.h"

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
	CSV_STR16,   /* a char[16] without commas or quotes ("refused") */
	CSV_FADDR,   /* a trace_fate's client address, by its family */
	CSV_STATE,   /* a TCP state as /proc/net/tcp names it ("SYN_SENT"; "" for none) */
	CSV_SIDE,    /* a trace_fate's rst_server or rst_state_server: "server", "client" (""
		      * without a reset) */
	CSV_YESNO,   /* a bool: "yes" or "no" */
	CSV_DROPS,   /* a trace_fate's handshake drops, all kinds (written only) */
	CSV_REASON,  /* a trace_fate's main drop reason (written only) */
	CSV_NAME,    /* a char[16] name at its place (a waits row's comm), quoted like comm */
	CSV_KIND,    /* a uint32_t enum waits_kind, by its name ("select", "poll", "epoll") */
};

struct csv_col {
	const char *name;   /* in the header */
	enum csv_type type; /* how it is held */
	size_t off;	    /* where, in the record */
	bool optional;	    /* a table without it is read, the field left zero */
};

/* A table: its columns, its record's size, the order its rows are written in. */
struct csv_table {
	const struct csv_col *cols; /* in the header's order */
	size_t ncols;		    /* entries in @cols */
	size_t size;		    /* bytes of one record */
	/* the rows' order when written, given pointers to records (NULL: as they are) */
	int (*order)(const void *, const void *);
};

/* The @n records at @base as the whole of @path, under @t's header; 0 or -errno. */
int csv_table_write(const char *path, const struct csv_table *t, const void *base, size_t n);

/*
 * The rows of @text (modified in place) as @t's records, *@out allocated; the
 * count, or -EINVAL (a header without @t's columns) or -ENOMEM; what was left
 * out in @st (may be NULL).
 */
ssize_t csv_table_parse(char *text, const struct csv_table *t, void **out, struct csv_stats *st);

/* The same from the file @path, read whole (-errno when it cannot be: -ENOENT ...). */
ssize_t csv_table_read(const char *path, const struct csv_table *t, void **out,
		       struct csv_stats *st);

#endif
