/* SPDX-License-Identifier: MIT */
/*
 * decomposition.c - the latency decomposition (runreport.h, sections.h).
 *
 * Every request joined to the kernel's record of its connection is cut into
 * parts by join_parts() (join.h), the same parts run.json's join.* spectra are
 * made of: handshake, accept-queue wait, server time to the first byte; the rest
 * is total minus those three. Here they are averaged over all the requests cut
 * and over the slowest REPORT_SLOWEST of them, shown as a table, a sentence
 * naming the part that dominates, and the CDF of each part.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "jsonio.h"
#include "metrics/keys.h"
#include "report/plot.h"
#include "report/runreport.h"
#include "report/sections.h"

/* One request's parts in microseconds, as the report averages and draws them. */
struct parts {
	double total, handshake, queue, server;
};

static int by_total_desc(const void *a, const void *b)
{
	double x = ((const struct parts *)a)->total, y = ((const struct parts *)b)->total;

	return (x < y) - (x > y);
}

static void average(const struct parts *p, size_t n, struct decomposition *out)
{
	*out = (struct decomposition){ .n = n };
	for (size_t i = 0; i < n; i++) {
		out->total += p[i].total;
		out->handshake += p[i].handshake;
		out->queue += p[i].queue;
		out->server += p[i].server;
	}
	if (!n)
		return;
	out->total /= (double)n;
	out->handshake /= (double)n;
	out->queue /= (double)n;
	out->server /= (double)n;
	out->rest = out->total - out->handshake - out->queue - out->server;
}

/* The parts of every request join_parts() can cut. */
static size_t decompose_each(const struct client_req *reqs, size_t n, const struct herd_conn *conns,
			     const ssize_t *match, struct parts *p)
{
	size_t k = 0;
	struct join_parts j;

	for (size_t i = 0; match && i < n; i++)
		if (join_parts(&reqs[i], match[i] >= 0 ? &conns[match[i]] : NULL, &j))
			p[k++] = (struct parts){
				.total = (double)j.total_ns / 1e3,
				.handshake = (double)j.handshake_ns / 1e3,
				.queue = (double)j.queue_ns / 1e3,
				.server = (double)j.server_first_ns / 1e3,
			};
	return k;
}

/* The means of @k parts, all and the slowest @share (at least one); sorts @p slowest first. */
static void summarise(struct parts *p, size_t k, double share, struct decomposition *slow,
		      struct decomposition *all)
{
	average(p, k, all);
	if (k)
		qsort(p, k, sizeof(*p), by_total_desc);
	size_t top = (size_t)ceil(share * (double)k);
	average(p, k && !top ? 1 : top, slow);
}

size_t report_decompose(const struct client_req *reqs, size_t n, const struct herd_conn *conns,
			const ssize_t *match, double share, struct decomposition *slow,
			struct decomposition *all)
{
	struct parts *p = malloc((n + 1) * sizeof(*p));
	size_t k = p ? decompose_each(reqs, n, conns, match, p) : 0;

	summarise(p, k, share, slow, all);
	free(p);
	return k;
}

/* ---- the section ---------------------------------------------------------------------------- */

/* The CDF of each part over the @k decomposed requests. */
static void fig_cdf(struct doc *d, const struct report_figs *f, const struct parts *p, size_t k)
{
	char file[PATH_MAX], link[PATH_MAX];

	if (!report_fig_paths(f, "latency-cdf", file, link))
		return;
	double *v = malloc((4 * k + 1) * sizeof(*v));
	if (v && k) {
		for (size_t i = 0; i < k; i++) {
			v[i] = p[i].handshake;
			v[k + i] = p[i].queue;
			v[2 * k + i] = p[i].server;
			v[3 * k + i] = p[i].total;
		}
		struct plot_series s[] = {
			{ "handshake", v, k },
			{ "accept-queue wait", v + k, k },
			{ "server (accepted to first byte)", v + 2 * k, k },
			{ "total (what the client saw)", v + 3 * k, k },
		};
		if (report_fig_reuse(f, file) ||
		    !plot_cdf(file, "Latency by component", "microseconds", s, 4))
			doc_figure(d, file, link, "Latency CDFs by component");
	}
	free(v);
}

static void decomposition_row(struct doc *d, const char *part, double all, double all_total,
			      double slow, double slow_total)
{
	char a[32], s[32];

	doc_cell(d, false, "%s", part);
	doc_cell(d, false, "%s", report_fmt_us(a, sizeof(a), all));
	doc_cell(d, false, "%.0f%%", all_total > 0 ? 100 * all / all_total : 0);
	doc_cell(d, false, "%s", report_fmt_us(s, sizeof(s), slow));
	doc_cell(d, false, "%.0f%%", slow_total > 0 ? 100 * slow / slow_total : 0);
}

/* The table, and the sentence naming the part that took the most of the slowest requests. */
static void decomposition_table(struct doc *d, const struct decomposition *all,
				const struct decomposition *slow, size_t k)
{
	static const char *const rows[] = { "handshake", "accept-queue wait",
					    "server (accepted to first byte)",
					    "the rest (start delay, transfer)" };
	static const char *const names[] = { "the handshake", "the accept-queue wait",
					     "the server's time", "the rest" };
	double a[] = { all->handshake, all->queue, all->server, all->rest };
	double s[] = { slow->handshake, slow->queue, slow->server, slow->rest };
	int big = 0;

	doc_table(d, "lrrrr", "part", "all: mean", "share", "slowest 1%: mean", "share");
	for (int i = 0; i < 4; i++)
		decomposition_row(d, rows[i], a[i], all->total, s[i], slow->total);
	decomposition_row(d, "total", all->total, all->total, slow->total, slow->total);
	doc_table_end(d);
	for (int i = 1; i < 4; i++)
		big = s[i] > s[big] ? i : big;
	doc_para(d,
		 "Over the slowest %zu requests (1%% of %zu decomposed), %s took the most: "
		 "%.0f%% of their time, against %.0f%% for the average request.",
		 slow->n, k, names[big], slow->total > 0 ? 100 * s[big] / slow->total : 0,
		 all->total > 0 ? 100 * a[big] / all->total : 0);
}

void section_decomposition(struct doc *d, const struct rundir *rd, const struct report_figs *f)
{
	struct decomposition slow, all;

	doc_heading(d, "Latency decomposition");
	if (!rd->match) {
		doc_para(d, "No join: %s.",
			 !rd->reqs    ? "requests.csv is missing"
			 : !rd->conns ? "connections.csv is missing"
				      : "out of memory");
		return;
	}
	doc_para(d,
		 "%zu of %zu requests (%.2f%%) joined to the kernel's record of their "
		 "connection, by client port and time.",
		 rd->matched, rd->nreqs,
		 rd->nreqs ? 100.0 * (double)rd->matched / (double)rd->nreqs : 0);
	struct parts *p = malloc((rd->nreqs + 1) * sizeof(*p));
	size_t k = p ? decompose_each(rd->reqs, rd->nreqs, rd->conns, rd->match, p) : 0;
	if (!k) {
		doc_para(d, "%s",
			 p ? "No request opened a connection that was accepted (kept-alive "
			     "requests after the first have no handshake to decompose)."
			   : "Out of memory: no decomposition.");
		free(p);
		return;
	}
	summarise(p, k, REPORT_SLOWEST, &slow, &all);
	decomposition_table(d, &all, &slow, k);
	fig_cdf(d, f, p, k);
	free(p);
}

/* ---- JSON ----------------------------------------------------------------------------------- */

static json_t *parts_json(const struct decomposition *x)
{
	return json_pack("{s:I, s:f, s:f, s:f, s:f, s:f}", MK_PART_COUNT, (json_int_t)x->n,
			 MK_PART_TOTAL_US, x->total, MK_PART_HANDSHAKE_US, x->handshake,
			 MK_PART_ACCEPT_QUEUE_WAIT_US, x->queue, MK_PART_SERVER_TO_FIRST_BYTE_US,
			 x->server, MK_PART_REST_US, x->rest);
}

int decomposition_json(json_t *o, const struct rundir *rd)
{
	struct decomposition slow, all;

	if (!rd->match)
		return 0;
	report_decompose(rd->reqs, rd->nreqs, rd->conns, rd->match, REPORT_SLOWEST, &slow, &all);
	return jsonio_set_path(
		       o, MK_JOIN_MATCHED,
		       json_real(rd->nreqs ? (double)rd->matched / (double)rd->nreqs : 0)) ||
			       jsonio_set_path(o, MK_JOIN_REQUESTS,
					       json_integer((json_int_t)rd->nreqs)) ||
			       jsonio_set_path(o, MK_LATENCY_DECOMPOSITION_SLOWEST_SHARE,
					       json_real(REPORT_SLOWEST)) ||
			       jsonio_set_path(o, MK_LATENCY_DECOMPOSITION_SLOWEST,
					       parts_json(&slow)) ||
			       jsonio_set_path(o, MK_LATENCY_DECOMPOSITION_ALL, parts_json(&all))
		       ? -1
		       : 0;
}
