/* SPDX-License-Identifier: MIT */
/*
 * decomposition.c - the latency decomposition (runreport.h, sections.h).
 *
 * Every request joined to the kernel's record of its connection is cut into
 * parts by join_parts() (join.h), the same parts run.json's join.* spectra are
 * made of: handshake, accept-queue wait, server time to the first byte; the rest
 * is total minus those three. Here they are averaged over all the requests cut
 * over the slowest REPORT_SLOWEST of them and over as many around the median,
 * shown as a table, a sentence naming the part whose share grew the most from
 * the median to the slowest (what makes the slow ones slow, which need not be
 * the largest part), and the CDF of each part.
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

/*
 * The means of @k parts: all of them, the slowest @share, and as many around the
 * median (at least one each); sorts @p slowest first.
 */
static void summarise(struct parts *p, size_t k, double share, struct decomposition *slow,
		      struct decomposition *median, struct decomposition *all)
{
	average(p, k, all);
	if (k)
		qsort(p, k, sizeof(*p), by_total_desc);
	size_t top = (size_t)ceil(share * (double)k);
	top = k && !top ? 1 : top;
	average(p, top, slow);
	average(p + (k - top) / 2, top, median);
}

size_t report_decompose(const struct client_req *reqs, size_t n, const struct herd_conn *conns,
			const ssize_t *match, double share, struct decomposition *slow,
			struct decomposition *median, struct decomposition *all)
{
	struct parts *p = malloc((n + 1) * sizeof(*p));
	size_t k = p ? decompose_each(reqs, n, conns, match, p) : 0;

	summarise(p, k, share, slow, median, all);
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
		if (report_fig_reuse(f, file) || !plot_cdf(file, "microseconds (log scale)", s, 4))
			doc_figure(d, file, link,
				   "Where a request's time goes: the distribution of each part");
	}
	free(v);
}

static void decomposition_row(struct doc *d, const char *part, const double *v,
			      const struct decomposition *const *of)
{
	char b[32];

	doc_cell(d, false, "%s", part);
	for (int g = 0; g < 3; g++) {
		doc_cell(d, false, "%s", report_fmt_us(b, sizeof(b), v[g]));
		doc_cell(d, false, "%.0f%%", of[g]->total > 0 ? 100 * v[g] / of[g]->total : 0);
	}
}

/* The parts of @x in the order of the table's rows. */
static void parts_of(const struct decomposition *x, double *v)
{
	v[0] = x->handshake, v[1] = x->queue, v[2] = x->server, v[3] = x->rest;
}

/*
 * The sentence: which part grew the most from the requests around the median to
 * the slowest, by its share of their time (points), and, when another part is
 * the largest of the slowest, that one too. Every word of it comes from @med and
 * @slow.
 */
static void growth_para(struct doc *d, const struct decomposition *med,
			const struct decomposition *slow, size_t k)
{
	static const char *const names[] = { "the handshake", "the accept-queue wait",
					     "the server's time", "the rest" };
	double m[4], s[4], ms[4], ss[4];
	char a[32], b[32], c[32], e[32];
	int grew = 0, big = 0;

	parts_of(med, m);
	parts_of(slow, s);
	for (int i = 0; i < 4; i++) {
		ms[i] = med->total > 0 ? 100 * m[i] / med->total : 0;
		ss[i] = slow->total > 0 ? 100 * s[i] / slow->total : 0;
		grew = ss[i] - ms[i] > ss[grew] - ms[grew] ? i : grew;
		big = ss[i] > ss[big] ? i : big;
	}
	if (ss[grew] - ms[grew] < 1) {
		doc_para(d,
			 "From the requests around the median (%s) to the slowest %zu of %zu (%s), "
			 "every part grew in proportion: no share moved by a point.",
			 report_fmt_us(a, sizeof(a), med->total), slow->n, k,
			 report_fmt_us(b, sizeof(b), slow->total));
		return;
	}
	char largest[160] = ".";
	if (big != grew)
		snprintf(largest, sizeof(largest),
			 "; the largest part of the slowest is %s (%.0f%%, against %.0f%% "
			 "around the median).",
			 names[big], ss[big], ms[big]);
	doc_para(d,
		 "From the requests around the median (%s) to the slowest %zu of %zu (%s), %s "
		 "grew the most: from %.0f%% to %.0f%% of their time (%s to %s)%s",
		 report_fmt_us(a, sizeof(a), med->total), slow->n, k,
		 report_fmt_us(b, sizeof(b), slow->total), names[grew], ms[grew], ss[grew],
		 report_fmt_us(c, sizeof(c), m[grew]), report_fmt_us(e, sizeof(e), s[grew]),
		 largest);
}

/* The table (around the median, the slowest, all), and the sentence on what grew. */
static void decomposition_table(struct doc *d, const struct decomposition *all,
				const struct decomposition *med, const struct decomposition *slow,
				size_t k)
{
	static const char *const rows[] = { "handshake", "accept-queue wait",
					    "server (accepted to first byte)",
					    "the rest (start delay, transfer)" };
	const struct decomposition *const of[] = { med, slow, all };
	double v[3][4];

	parts_of(med, v[0]);
	parts_of(slow, v[1]);
	parts_of(all, v[2]);
	doc_table(d, "lrrrrrr", "part", "around the median", "share", "slowest 1%", "share",
		  "all (mean)", "share");
	for (int i = 0; i < 4; i++)
		decomposition_row(d, rows[i], (double[]){ v[0][i], v[1][i], v[2][i] }, of);
	decomposition_row(d, "total", (double[]){ med->total, slow->total, all->total }, of);
	doc_table_end(d);
	growth_para(d, med, slow, k);
}

void section_decomposition(struct doc *d, const struct rundir *rd, const struct report_figs *f)
{
	struct decomposition slow, med, all;

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
	summarise(p, k, REPORT_SLOWEST, &slow, &med, &all);
	decomposition_table(d, &all, &med, &slow, k);
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
	struct decomposition slow, med, all;

	if (!rd->match)
		return 0;
	report_decompose(rd->reqs, rd->nreqs, rd->conns, rd->match, REPORT_SLOWEST, &slow, &med,
			 &all);
	return jsonio_set_path(
		       o, MK_JOIN_MATCHED,
		       json_real(rd->nreqs ? (double)rd->matched / (double)rd->nreqs : 0)) ||
			       jsonio_set_path(o, MK_JOIN_REQUESTS,
					       json_integer((json_int_t)rd->nreqs)) ||
			       jsonio_set_path(o, MK_LATENCY_DECOMPOSITION_SLOWEST_SHARE,
					       json_real(REPORT_SLOWEST)) ||
			       jsonio_set_path(o, MK_LATENCY_DECOMPOSITION_SLOWEST,
					       parts_json(&slow)) ||
			       jsonio_set_path(o, MK_LATENCY_DECOMPOSITION_MEDIAN,
					       parts_json(&med)) ||
			       jsonio_set_path(o, MK_LATENCY_DECOMPOSITION_ALL, parts_json(&all))
		       ? -1
		       : 0;
}
