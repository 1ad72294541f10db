/* SPDX-License-Identifier: MIT */
/*
 * csv_fuzz.c - libFuzzer entry for the run directory's table readers
 * (herdlab/metrics/csv.c): requests.csv, connections.csv and tasks.csv, and the
 * join of the first two.
 *
 * Each input is given to every reader (a reader finds its columns by name in
 * the header, so a seed of one table exercises the others' refusals too). The
 * properties the reports rely on:
 *   - a reader returns the rows it kept (or -errno with nothing kept), and the
 *     rows kept plus those rejected are no more than the input's lines;
 *   - a rejected row has a line number inside the input and a reason;
 *   - a kept task's comm is a string of at most 16 bytes;
 *   - a joined request's parts never add up to more than its total.
 * An input holding a line "--" is also cut there: requests.csv above, and
 * connections.csv below, joined (join_requests, join_parts) as the reports do.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/csv.h"
#include "metrics/join.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line)
{
	fprintf(stderr, "csv_fuzz.c:%d: invariant broken: %s\n", line, what);
	abort();
}

/* The input as a NUL-terminated string (an embedded NUL ends it, as files_read's would). */
static char *text_of(const uint8_t *data, size_t size)
{
	char *t = malloc(size + 1);

	if (!t)
		abort();
	memcpy(t, data, size);
	t[size] = 0;
	return t;
}

static size_t lines_of(const char *t)
{
	size_t n = 1;

	for (; *t; t++)
		n += *t == '\n';
	return n;
}

static void check_stats(ssize_t n, const struct csv_stats *st, size_t lines)
{
	if (n < 0) {
		check(n == -EINVAL || n == -ENOMEM);
		check(st->why[0]);
		return;
	}
	check((size_t)n == st->rows);
	check(st->rows + st->rejected + 1 <= lines);
	if (st->rejected) {
		check(st->first_line >= 2 && st->first_line <= lines);
		check(st->why[0]);
	}
}

/* Each reader over its own copy of @t (they cut their input in place). */
static void read_all(const char *t, size_t lines, struct client_req **reqs, ssize_t *nreqs,
		     struct herd_conn **conns, ssize_t *nconns)
{
	struct csv_stats st;
	struct trace_task *tasks = NULL;
	char *c;

	c = strdup(t);
	*nreqs = csv_parse_requests(c, reqs, &st);
	check_stats(*nreqs, &st, lines);
	free(c);
	c = strdup(t);
	*nconns = csv_parse_connections(c, conns, &st);
	check_stats(*nconns, &st, lines);
	free(c);
	c = strdup(t);
	ssize_t n = csv_parse_tasks(c, &tasks, &st);
	check_stats(n, &st, lines);
	for (ssize_t i = 0; i < n; i++)
		check(strnlen(tasks[i].t.comm, sizeof(tasks[i].t.comm) + 1) <=
		      sizeof(tasks[i].t.comm));
	free(tasks);
	free(c);
}

/* The join of what the two tables kept, and every joined request cut into parts. */
static void join_both(const struct client_req *reqs, ssize_t nreqs, const struct herd_conn *conns,
		      ssize_t nconns)
{
	if (nreqs <= 0 || nconns < 0)
		return;
	ssize_t *match = calloc((size_t)nreqs, sizeof(*match));
	if (!match)
		abort();
	ssize_t m = join_requests(reqs, (size_t)nreqs, conns, (size_t)nconns, match);
	check(m >= 0 && m <= nreqs);
	for (ssize_t i = 0; i < nreqs; i++) {
		struct join_parts p;
		check(match[i] >= -1 && match[i] < nconns);
		if (join_parts(&reqs[i], match[i] >= 0 ? &conns[match[i]] : NULL, &p))
			check(p.handshake_ns + p.queue_ns + p.server_first_ns <= p.total_ns);
	}
	free(match);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *t = text_of(data, size), *cut = strstr(t, "\n--\n");
	struct client_req *reqs = NULL;
	struct herd_conn *conns = NULL;
	ssize_t nreqs, nconns;

	read_all(t, lines_of(t), &reqs, &nreqs, &conns, &nconns);
	free(reqs);
	free(conns);
	if (cut) {
		char *below = strdup(cut + 4);
		struct csv_stats st;
		*cut = 0;
		nreqs = csv_parse_requests(t, &reqs, &st);
		nconns = csv_parse_connections(below, &conns, &st);
		join_both(reqs, nreqs, conns, nconns);
		free(reqs);
		free(conns);
		free(below);
	}
	free(t);
	return 0;
}
