/* SPDX-License-Identifier: MIT */
/*
 * csv.c - the table engine (csv_table.h): any list of columns written and read back.
 *
 * A table is an array of struct csv_col: the column's name in the header, how
 * its value is held in the record, and where (offsetof). Numbers are written in
 * decimal and read back strictly: digits only, the whole field, in the
 * column's range (strtoull alone takes "12-" for 12 and "-1" for 2^64 - 1, and
 * one such timestamp makes a mean latency of months). The few columns that are
 * not a plain number (an address, a comm, a task's role, a sum over wait kinds,
 * a TCP state's name, a fate's derived drops and reason) have a type of their
 * own. The writer goes through afile (files.h), so a table
 * appears whole or not at all; the reader reads the whole file (files_read: a
 * regular file, never a FIFO that would hang it), finds its columns by name in
 * the header, and leaves out every row that does not fit, counting them
 * (csv_stats), so that a report can say it is partial and why.
 *
 * The tables themselves, and csv.h's functions for each, are in csv_tables.c.
 */
#include "metrics/csv_table.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "metrics/records.h"
#include "vec.h"

#define CSV_FIELDS_MAX 64 /* fields of a row looked at; herdload writes 15 */
#define COMM_LEN       16 /* struct herd_task's comm: a name of at most COMM_LEN - 1 and its NUL */

/* ---- writing -------------------------------------------------------------------------------- */

/* A comm as a CSV field: quoted (quotes doubled) when it holds a comma, quote or newline. */
static void put_comm(FILE *f, const char *name)
{
	char comm[COMM_LEN + 1];

	snprintf(comm, sizeof(comm), "%.*s", COMM_LEN, name);
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
	case CSV_COMM: {
		const struct herd_task *t = &((const struct trace_task *)rec)->t;
		put_comm(f, t->comm_set ? t->comm : "");
		break;
	}
	case CSV_NAME:
		put_comm(f, p);
		break;
	case CSV_KIND:
		fputs(waits_kind_name(*(const uint32_t *)p) ? waits_kind_name(*(const uint32_t *)p)
							    : "unknown",
		      f);
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
	case CSV_STR16:
		fprintf(f, "%.15s", p);
		break;
	case CSV_FADDR: {
		const struct herd_fate_key *k = &((const struct trace_fate *)rec)->f.key;
		addr[0] = '\0';
		if ((k->family == AF_INET || k->family == AF_INET6) &&
		    !inet_ntop(k->family, k->client_addr, addr, sizeof(addr)))
			addr[0] = '\0';
		fputs(addr, f);
		break;
	}
	case CSV_STATE:
		fputs(*(const uint8_t *)p ? metrics_tcp_state_name(*(const uint8_t *)p) : "", f);
		break;
	case CSV_SIDE: {
		const struct herd_fate *hf = &((const struct trace_fate *)rec)->f;
		bool reset = hf->resets_sent || hf->resets_received || hf->client_resets_received;
		fputs(!reset ? "" : *(const uint8_t *)p ? "server" : "client", f);
		break;
	}
	case CSV_YESNO:
		fputs(*(const bool *)p ? "yes" : "no", f);
		break;
	case CSV_DROPS:
		fprintf(f, "%llu",
			(unsigned long long)metrics_fate_syn_drops(
				&((const struct trace_fate *)rec)->f));
		break;
	case CSV_REASON:
		fputs(metrics_fate_reason(&((const struct trace_fate *)rec)->f), f);
		break;
	}
}

/* The @n records at @base as the whole of @path, under @t's header, in @t's order. */
int csv_table_write(const char *path, const struct csv_table *t, const void *base, size_t n)
{
	const struct csv_col *cols = t->cols;
	size_t ncols = t->ncols, size = t->size;
	int (*order)(const void *, const void *) = t->order;
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

/* ---- reading -------------------------------------------------------------------------------- */

/* Split @line (one line, NUL-terminated) on the commas outside quotes; fields in place. */
static int split(char *line, char **field, int max)
{
	int n = 0;
	bool quoted = false;

	field[n++] = line;
	for (char *p = line; *p; p++) {
		if (*p == '"') {
			quoted = !quoted;
		} else if (*p == ',' && !quoted) {
			if (n == max)
				return max + 1; /* more fields than any table has */
			*p = 0;
			field[n++] = p + 1;
		} else if (*p == '\r' && !p[1]) {
			*p = 0;
		}
	}
	return n;
}

/* Where each of @cols is in the header @line; -1 (saying which is missing) if one is. */
static int header_columns(char *line, const struct csv_col *cols, size_t ncols, int *pos,
			  int *nfields, struct csv_stats *st)
{
	char *fld[CSV_FIELDS_MAX];
	int n = split(line, fld, CSV_FIELDS_MAX);

	if (n > CSV_FIELDS_MAX) {
		snprintf(st->why, sizeof(st->why), "more than %d columns in its header",
			 CSV_FIELDS_MAX);
		return -1;
	}
	*nfields = n;
	for (size_t c = 0; c < ncols; c++) {
		pos[c] = -1;
		for (int i = 0; i < n && pos[c] < 0; i++)
			if (!strcmp(fld[i], cols[c].name))
				pos[c] = i;
		if (pos[c] < 0 && !cols[c].optional) {
			snprintf(st->why, sizeof(st->why), "no column '%s' in its header",
				 cols[c].name);
			return -1;
		}
	}
	return 0;
}

/*
 * A field that must be an unsigned decimal number no larger than @max: digits
 * only, the whole field (no sign, space or suffix), in range. strtoull alone
 * would take "12-" as 12, "-1" as 2^64 - 1 and "" as 0.
 */
static bool parse_uint(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || *end || x > max)
		return false;
	*v = x;
	return true;
}

/* A comm as put_comm() writes it into @comm (COMM_LEN bytes): as it is, or quoted with
 * quotes doubled; at most COMM_LEN - 1 bytes, so that it stays a string (the kernel's
 * names are TASK_COMM_LEN - 1 at most). */
static bool parse_comm(const char *s, char *comm)
{
	size_t n = 0;

	memset(comm, 0, COMM_LEN);
	if (*s != '"') {
		if (strpbrk(s, "\"") || strlen(s) > COMM_LEN - 1)
			return false;
		memcpy(comm, s, strlen(s));
		return true;
	}
	for (s++; *s; s++) {
		if (*s == '"' && s[1] != '"')
			break;
		if (n == COMM_LEN - 1)
			return false;
		comm[n++] = *s;
		s += *s == '"'; /* a doubled quote is one */
	}
	return *s == '"' && !s[1];
}

/* What each type takes, as a rejected row's reason says it. */
static const char *const type_name[] = {
	[CSV_U16] = "a number up to 65535",
	[CSV_U32] = "a number up to 4294967295",
	[CSV_U64] = "an unsigned 64-bit number",
	[CSV_INT] = "a number up to 2147483647",
	[CSV_ADDR] = "an IPv4 or IPv6 address",
	[CSV_COMM] = "a task name of at most 15 bytes",
	[CSV_ROLE] = "a role",
	[CSV_WAKEUPS] = "a number",
	[CSV_STR16] = "a word of at most 15 bytes",
	[CSV_FADDR] = "an IPv4 or IPv6 address",
	[CSV_STATE] = "a TCP state (SYN_SENT, ...)",
	[CSV_SIDE] = "server or client",
	[CSV_YESNO] = "yes or no",
	[CSV_DROPS] = "a number",
	[CSV_REASON] = "a drop reason",
	[CSV_NAME] = "a task name of at most 15 bytes",
	[CSV_KIND] = "select, poll or epoll",
};

/* Field @s into its place in @rec; false when it is not a value of the column's type. */
static bool parse_field(const struct csv_col *col, const char *s, void *rec)
{
	char *p = (char *)rec + col->off;
	struct herd_conn *c = rec;
	uint64_t v;

	switch (col->type) {
	case CSV_U16:
		if (!parse_uint(s, UINT16_MAX, &v))
			return false;
		*(uint16_t *)p = (uint16_t)v;
		return true;
	case CSV_U32:
		if (!parse_uint(s, UINT32_MAX, &v))
			return false;
		*(uint32_t *)p = (uint32_t)v;
		return true;
	case CSV_U64:
		return parse_uint(s, UINT64_MAX, (uint64_t *)p);
	case CSV_INT:
		if (!parse_uint(s, INT_MAX, &v))
			return false;
		*(int *)p = (int)v;
		return true;
	case CSV_ADDR:
		if (!*s)
			return true; /* neither inet: family 0, as written */
		if (inet_pton(AF_INET, s, c->client_addr) == 1)
			c->family = AF_INET;
		else if (inet_pton(AF_INET6, s, c->client_addr) == 1)
			c->family = AF_INET6;
		else
			return false;
		return true;
	case CSV_COMM: {
		struct herd_task *t = &((struct trace_task *)rec)->t;
		t->comm_set = 1;
		return parse_comm(s, t->comm);
	}
	case CSV_STR16:
		if (strlen(s) > 15 || strpbrk(s, "\",\r\n"))
			return false;
		memset(p, 0, 16);
		memcpy(p, s, strlen(s));
		return true;
	case CSV_FADDR: {
		struct herd_fate_key *k = &((struct trace_fate *)rec)->f.key;
		if (!*s)
			return true;
		if (inet_pton(AF_INET, s, k->client_addr) == 1)
			k->family = AF_INET;
		else if (inet_pton(AF_INET6, s, k->client_addr) == 1)
			k->family = AF_INET6;
		else
			return false;
		return true;
	}
	case CSV_STATE: {
		int st = *s ? metrics_tcp_state_of(s) : 0;
		if (st < 0)
			return false;
		*(uint8_t *)p = (uint8_t)st;
		return true;
	}
	case CSV_SIDE:
		if (*s && strcmp(s, "server") && strcmp(s, "client"))
			return false;
		*(uint8_t *)p = !strcmp(s, "server");
		return true;
	case CSV_YESNO:
		if (strcmp(s, "yes") && strcmp(s, "no"))
			return false;
		*(bool *)p = !strcmp(s, "yes");
		return true;
	case CSV_NAME:
		return parse_comm(s, p);
	case CSV_KIND: {
		int k = waits_kind_parse(s);
		*(uint32_t *)p = (uint32_t)k;
		return k >= 0;
	}
	case CSV_ROLE:
	case CSV_WAKEUPS:
	case CSV_DROPS:
	case CSV_REASON:
		return true; /* derived from the other columns: not read back */
	}
	return false;
}

/* Count a rejected row: the first one's line and reason are kept for the message. */
static void __attribute__((format(printf, 3, 4)))
reject(struct csv_stats *st, size_t line, const char *fmt, ...)
{
	va_list ap;

	if (st->rejected++)
		return;
	st->first_line = line;
	va_start(ap, fmt);
	vsnprintf(st->why, sizeof(st->why), fmt, ap);
	va_end(ap);
}

/* Fill @rec from the fields of one row; false (counted) when one is not its column's type. */
static bool parse_row(char **fld, const struct csv_col *cols, size_t ncols, const int *pos,
		      void *rec, size_t line, struct csv_stats *st)
{
	for (size_t c = 0; c < ncols; c++) {
		if (pos[c] < 0)
			continue; /* an optional column the table does not have */
		if (!parse_field(&cols[c], fld[pos[c]], rec)) {
			reject(st, line, "%s is '%.20s%s', not %s", cols[c].name, fld[pos[c]],
			       strlen(fld[pos[c]]) > 20 ? "..." : "", type_name[cols[c].type]);
			return false;
		}
	}
	return true;
}

/*
 * The rows of the table in @text (modified in place) as records of @size bytes,
 * *@out allocated; the count, or -EINVAL (a header without our columns) or
 * -ENOMEM. A row whose field count is not the header's, or with a field that
 * is not its column's type, is left out and counted in @st; blank lines are
 * nothing.
 */
static ssize_t parse_table(char *text, const struct csv_col *cols, size_t ncols, size_t size,
			   void **out, struct csv_stats *st)
{
	struct vec v = { .size = size };
	char *line = text, *next, *fld[CSV_FIELDS_MAX];
	int pos[CSV_FIELDS_MAX], nfields;
	size_t lineno = 1;

	*out = NULL;
	next = strchr(line, '\n');
	if (next)
		*next++ = 0;
	if (!*line) {
		snprintf(st->why, sizeof(st->why), "no header");
		return -EINVAL;
	}
	if (header_columns(line, cols, ncols, pos, &nfields, st) < 0)
		return -EINVAL;
	while ((line = next)) {
		lineno++;
		if ((next = strchr(line, '\n')))
			*next++ = 0;
		if (!*line || !strcmp(line, "\r"))
			continue;
		int n = split(line, fld, CSV_FIELDS_MAX);
		if (n != nfields) {
			reject(st, lineno, "%d%s fields where the header has %d",
			       n > CSV_FIELDS_MAX ? CSV_FIELDS_MAX : n,
			       n > CSV_FIELDS_MAX ? " or more" : "", nfields);
			continue;
		}
		void *rec = vec_push(&v);
		if (!rec) {
			vec_free(&v);
			return -ENOMEM;
		}
		if (!parse_row(fld, cols, ncols, pos, rec, lineno, st)) {
			v.len--; /* the slot is reused, zeroed again by the next push */
			continue;
		}
		st->rows++;
	}
	size_t n;
	*out = vec_take(&v, &n);
	return (ssize_t)n;
}

/* A parse's own stats when the caller wants none, zeroed. */
static struct csv_stats *stats(struct csv_stats *st, struct csv_stats *local)
{
	st = st ? st : local;
	*st = (struct csv_stats){ 0 };
	return st;
}

/* Read @path whole (files_read: a regular file, never a FIFO) and parse it. */
ssize_t csv_table_read(const char *path, const struct csv_table *t, void **out,
		       struct csv_stats *st)
{
	struct csv_stats local;
	char *text = files_read(path, NULL);

	st = stats(st, &local);
	*out = NULL;
	if (!text) {
		int err = errno;
		snprintf(st->why, sizeof(st->why), "%s",
			 err == EINVAL ? "not a regular file" : strerror(err));
		return -err;
	}
	ssize_t n = parse_table(text, t->cols, t->ncols, t->size, out, st);
	free(text);
	if (n == -ENOMEM)
		snprintf(st->why, sizeof(st->why), "%s", strerror(ENOMEM));
	return n;
}

ssize_t csv_table_parse(char *text, const struct csv_table *t, void **out, struct csv_stats *st)
{
	struct csv_stats local;

	return parse_table(text, t->cols, t->ncols, t->size, out, stats(st, &local));
}
