/* SPDX-License-Identifier: MIT */
/*
 * join.c - the client/kernel join (see join.h).
 *
 * Client connections are taken in the order their handshakes completed; each
 * looks among the unused kernel records with its port for the one whose
 * ESTABLISHED is nearest its own connected time. The kernel records are sorted
 * by (port, time) once, so each look-up is a binary search plus a short walk
 * past records already used.
 *
 * join_failures() looks, for each failed request, among the fates with its
 * port (sorted by port and time once) for the one whose events lie nearest the
 * request's own span.
 *
 * join_parts() decides, once, which requests can be cut into parts: those whose
 * two timelines agree. The checks are on the records, not on the numbers, so a
 * kept-alive request (no connect() of its own) never borrows its connection's
 * handshake.
 */
#include "metrics/join.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

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

/* ---- the failures ----------------------------------------------------------------- */

static const struct trace_fate *sort_fates;

static int fate_by_port_time(const void *a, const void *b)
{
	const struct herd_fate *x = &sort_fates[*(const size_t *)a].f;
	const struct herd_fate *y = &sort_fates[*(const size_t *)b].f;

	if (x->key.client_port != y->key.client_port)
		return x->key.client_port < y->key.client_port ? -1 : 1;
	return (x->first_ns > y->first_ns) - (x->first_ns < y->first_ns);
}

/* How far fate @f's events are from the span [@from, @to]: 0 when they overlap it. */
static uint64_t span_distance(const struct herd_fate *f, uint64_t from, uint64_t to)
{
	if (f->last_ns < from)
		return from - f->last_ns;
	if (f->first_ns > to)
		return f->first_ns - to;
	return 0;
}

ssize_t join_failures(const struct client_req *reqs, size_t n, const struct trace_fate *fates,
		      size_t nfates, ssize_t *fmatch, size_t *failed)
{
	size_t *idx = malloc((nfates + 1) * sizeof(*idx)), nfailed = 0;
	ssize_t matched = 0;

	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < nfates; i++)
		idx[i] = i;
	sort_fates = fates;
	qsort(idx, nfates, sizeof(*idx), fate_by_port_time);
	for (size_t i = 0; i < n; i++) {
		const struct client_req *r = &reqs[i];
		fmatch[i] = -1;
		if (!csv_req_failed(r))
			continue;
		nfailed++;
		uint64_t from = r->connect_start_ns ? r->connect_start_ns : r->scheduled_ns;
		uint64_t to = r->last_byte_ns > from ? r->last_byte_ns : from;
		size_t lo = 0, hi = nfates;
		while (lo < hi) { /* the first fate with this port */
			size_t mid = (lo + hi) / 2;
			if (fates[idx[mid]].f.key.client_port < r->local_port)
				lo = mid + 1;
			else
				hi = mid;
		}
		uint64_t best_d = JOIN_TOLERANCE_NS + 1;
		for (size_t k = lo; k < nfates && fates[idx[k]].f.key.client_port == r->local_port;
		     k++) {
			uint64_t d = span_distance(&fates[idx[k]].f, from, to);
			if (d < best_d)
				best_d = d, fmatch[i] = (ssize_t)idx[k];
		}
		matched += fmatch[i] >= 0;
	}
	free(idx);
	if (failed)
		*failed = nfailed;
	return matched;
}

/* ---- the parts of a request ------------------------------------------------------ */

bool join_parts(const struct client_req *r, const struct herd_conn *c, struct join_parts *p)
{
	if (!c || !r->connect_start_ns || !r->last_byte_ns || r->status <= 0 ||
	    r->connect_start_ns < r->scheduled_ns) /* else the parts outgrow the total */
		return false;
	if (!c->accepted_ns || c->accepted_ns < c->established_ns ||
	    c->established_ns < r->connect_start_ns || r->first_byte_ns < c->accepted_ns ||
	    r->last_byte_ns < r->first_byte_ns)
		return false;
	*p = (struct join_parts){
		.total_ns = r->last_byte_ns - r->scheduled_ns,
		.handshake_ns = c->established_ns - r->connect_start_ns,
		.queue_ns = c->accepted_ns - c->established_ns,
		.server_first_ns = r->first_byte_ns - c->accepted_ns,
		.server_last_ns = r->last_byte_ns - c->accepted_ns,
	};
	return true;
}
