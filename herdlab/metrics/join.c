/* SPDX-License-Identifier: MIT */
/*
 * join.c - the client/kernel join (see join.h).
 *
 * Client connections are taken in the order their handshakes completed; each
 * looks among the unused kernel records with its port for the one whose
 * ESTABLISHED is nearest its own connected time. The kernel records are sorted
 * by (port, time) once, so each look-up is a binary search plus a short walk
 * past records already used.
 */
#include "metrics/join.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sort context: qsort has none, so the arrays being sorted by index live here. */
static const struct herd_conn *sort_conns;
static const struct client_req *sort_reqs;

static int by_port_time(const void *a, const void *b)
{
	const struct herd_conn *x = &sort_conns[*(const size_t *)a];
	const struct herd_conn *y = &sort_conns[*(const size_t *)b];

	if (x->client_port != y->client_port)
		return x->client_port < y->client_port ? -1 : 1;
	return (x->established_ns > y->established_ns) - (x->established_ns < y->established_ns);
}

static int by_connected(const void *a, const void *b)
{
	uint64_t x = sort_reqs[*(const size_t *)a].connected_ns;
	uint64_t y = sort_reqs[*(const size_t *)b].connected_ns;

	return (x > y) - (x < y);
}

/* A client connection's identity: herdload's thread and its connection number. */
struct conn_key {
	uint64_t key; /* thread << 32 | conn_seq */
	ssize_t conn; /* the kernel record matched to its first request, or -1 */
};

static uint64_t key_of(const struct client_req *r)
{
	return (uint64_t)r->thread << 32 | r->conn_seq;
}

static int by_key(const void *a, const void *b)
{
	uint64_t x = ((const struct conn_key *)a)->key, y = ((const struct conn_key *)b)->key;

	return (x > y) - (x < y);
}

static uint64_t distance(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/* The nearest unused record with @port to @t, in @idx (sorted by port, time); -1 if none. */
static ssize_t nearest(const struct herd_conn *conns, const size_t *idx, size_t nconns,
		       const bool *used, uint16_t port, uint64_t t)
{
	size_t lo = 0, hi = nconns;

	while (lo < hi) { /* first record with (port, time) >= (port, t) */
		size_t mid = (lo + hi) / 2;
		const struct herd_conn *c = &conns[idx[mid]];
		if (c->client_port < port || (c->client_port == port && c->established_ns < t))
			lo = mid + 1;
		else
			hi = mid;
	}
	ssize_t best = -1;
	uint64_t best_d = JOIN_TOLERANCE_NS + 1;
	for (size_t i = lo; i < nconns && conns[idx[i]].client_port == port; i++) {
		uint64_t d = distance(conns[idx[i]].established_ns, t);
		if (d > best_d)
			break;
		if (!used[idx[i]]) {
			best = (ssize_t)idx[i], best_d = d;
			break;
		}
	}
	for (size_t i = lo; i-- > 0 && conns[idx[i]].client_port == port;) {
		uint64_t d = distance(conns[idx[i]].established_ns, t);
		if (d >= best_d)
			break;
		if (!used[idx[i]]) {
			best = (ssize_t)idx[i], best_d = d;
			break;
		}
	}
	return best;
}

ssize_t join_requests(const struct client_req *reqs, size_t n, const struct herd_conn *conns,
		      size_t nconns, ssize_t *match)
{
	size_t *cidx = malloc((nconns + 1) * sizeof(*cidx));
	size_t *ridx = malloc((n + 1) * sizeof(*ridx));
	bool *used = calloc(nconns + 1, sizeof(*used));
	size_t nfirst = 0;
	ssize_t matched = 0;

	if (!cidx || !ridx || !used) {
		free(cidx), free(ridx), free(used);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nconns; i++)
		cidx[i] = i;
	sort_conns = conns;
	qsort(cidx, nconns, sizeof(*cidx), by_port_time);

	/* The first request of each client connection carries its handshake. */
	for (size_t i = 0; i < n; i++) {
		match[i] = -1;
		if (reqs[i].connect_start_ns && reqs[i].connected_ns)
			ridx[nfirst++] = i;
	}
	sort_reqs = reqs;
	qsort(ridx, nfirst, sizeof(*ridx), by_connected);
	for (size_t k = 0; k < nfirst; k++) {
		const struct client_req *r = &reqs[ridx[k]];
		ssize_t c = nearest(conns, cidx, nconns, used, r->local_port, r->connected_ns);
		if (c >= 0) {
			used[c] = true;
			match[ridx[k]] = c;
		}
	}
	/* Later requests on a kept-alive connection: its first request's record,
	 * found by (thread, connection) among the first requests, sorted. */
	struct conn_key *keys = malloc((nfirst + 1) * sizeof(*keys));
	if (!keys) {
		free(cidx), free(ridx), free(used);
		return -ENOMEM;
	}
	for (size_t k = 0; k < nfirst; k++)
		keys[k] = (struct conn_key){ key_of(&reqs[ridx[k]]), match[ridx[k]] };
	qsort(keys, nfirst, sizeof(*keys), by_key);
	for (size_t i = 0; i < n; i++) {
		if (match[i] < 0 && !reqs[i].connect_start_ns) {
			struct conn_key want = { key_of(&reqs[i]), -1 };
			struct conn_key *k = bsearch(&want, keys, nfirst, sizeof(*keys), by_key);
			if (k)
				match[i] = k->conn;
		}
		matched += match[i] >= 0;
	}
	free(keys);
	free(cidx);
	free(ridx);
	free(used);
	return matched;
}

/* ---- reading the tables back ------------------------------------------------------ */

/* Where each needed column is, by name, in a CSV header; -1 if one is missing. */
static int header_columns(char *line, const char *const *names, int n, int *pos)
{
	int i = 0;

	for (int c = 0; c < n; c++)
		pos[c] = -1;
	for (char *save, *f = strtok_r(line, ",\r\n", &save); f;
	     f = strtok_r(NULL, ",\r\n", &save), i++)
		for (int c = 0; c < n; c++)
			if (!strcmp(f, names[c]))
				pos[c] = i;
	for (int c = 0; c < n; c++)
		if (pos[c] < 0)
			return -1;
	return 0;
}

/* Split a CSV line on commas (a quoted field, the path, may hold commas). */
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
		} else if (*p == '\n' || *p == '\r') {
			*p = 0;
		}
	}
	return n;
}

/*
 * Read a CSV file with a header: for every row holding all @ncols named columns,
 * @parse fills element i of an array of @size-byte records from the fields,
 * given in the order of @names. Returns the count (or -errno), *out allocated.
 */
static ssize_t read_csv(const char *path, const char *const *names, int ncols, size_t size,
			void (*parse)(char **fld, void *rec), void **out)
{
	FILE *f = fopen(path, "r");
	char line[4096], *fld[32], *col[32];
	int pos[32], need = 0;
	size_t n = 0, cap = 0;
	char *v = NULL;

	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f) || header_columns(line, names, ncols, pos) < 0) {
		fclose(f);
		return -EINVAL;
	}
	for (int c = 0; c < ncols; c++)
		need = pos[c] > need ? pos[c] : need;
	while (fgets(line, sizeof(line), f)) {
		if (split(line, fld, 32) <= need)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			char *p = realloc(v, cap * size);
			if (!p) {
				free(v);
				fclose(f);
				return -ENOMEM;
			}
			v = p;
		}
		for (int c = 0; c < ncols; c++)
			col[c] = fld[pos[c]];
		memset(v + n * size, 0, size);
		parse(col, v + n * size);
		n++;
	}
	fclose(f);
	*out = v;
	return (ssize_t)n;
}

static const char *const request_cols[] = {
	"scheduled_ns", "connect_start_ns", "connected_ns", "first_byte_ns", "last_byte_ns",
	"local_port",	"status",	    "conn_seq",	    "thread",
};

static void parse_request(char **c, void *rec)
{
	*(struct client_req *)rec = (struct client_req){
		.scheduled_ns = strtoull(c[0], NULL, 10),
		.connect_start_ns = strtoull(c[1], NULL, 10),
		.connected_ns = strtoull(c[2], NULL, 10),
		.first_byte_ns = strtoull(c[3], NULL, 10),
		.last_byte_ns = strtoull(c[4], NULL, 10),
		.local_port = (uint16_t)strtoul(c[5], NULL, 10),
		.status = atoi(c[6]),
		.conn_seq = (uint32_t)strtoul(c[7], NULL, 10),
		.thread = (uint32_t)strtoul(c[8], NULL, 10),
	};
}

ssize_t join_read_requests(const char *path, struct client_req **out)
{
	return read_csv(path, request_cols, 9, sizeof(**out), parse_request, (void **)out);
}

/* connections.csv, as metrics_write_connections() writes it. */
static const char *const conn_cols[] = {
	"client_addr", "client_port", "server_port", "established_ns",
	"accepted_ns", "accept_tid",  "closed_ns",   "wakeups",
};

static void parse_conn(char **c, void *rec)
{
	struct herd_conn *k = rec;

	if (inet_pton(AF_INET, c[0], k->client_addr) == 1)
		k->family = AF_INET;
	else if (inet_pton(AF_INET6, c[0], k->client_addr) == 1)
		k->family = AF_INET6;
	k->client_port = (uint16_t)strtoul(c[1], NULL, 10);
	k->server_port = (uint16_t)strtoul(c[2], NULL, 10);
	k->established_ns = strtoull(c[3], NULL, 10);
	k->accepted_ns = strtoull(c[4], NULL, 10);
	k->accept_tid = (uint32_t)strtoul(c[5], NULL, 10);
	k->closed_ns = strtoull(c[6], NULL, 10);
	k->wakeups = (uint32_t)strtoul(c[7], NULL, 10);
}

ssize_t join_read_connections(const char *path, struct herd_conn **out)
{
	return read_csv(path, conn_cols, 8, sizeof(**out), parse_conn, (void **)out);
}
