/* SPDX-License-Identifier: MIT */
/*
 * timeline_svg.c - the timeline drawn as an SVG (see timeline.h).
 *
 * Bands from the top: the client's requests (a bar each, from when it was
 * due to its last byte, on as many rows as overlap), the connections (a bar
 * from handshake to accept), then one lane per server task with a span in the
 * window (at most MAX_LANES, workers first). A line runs from each connection's
 * arrival to the lane of every task it woke: solid to the one that accepted
 * it, dashed red to the others. The time axis and the legend are at the
 * bottom. 960 pixels wide, drawn in user units so the page may scale it.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "causes/timeline.h"
#include "files.h"

#define WIDTH	  960
#define LEFT	  150 /* the lanes' labels */
#define RIGHT	  20
#define LANE	  16 /* a task lane's height */
#define ROW	  7  /* a request's or connection's row */
#define ROWS	  8
#define MAX_LANES 40

static const struct style {
	const char *name, *fill;
} styles[] = {
	{ "running", "#2ca02c" },
	{ "runnable", "#ff7f0e" },
	{ "runnable (woken by an arrival)", "#d62728" },
	{ "idle: waiting for a connection", "#deebf7" },
	{ "sleep: socket", "#6baed6" },
	{ "sleep: timer", "#9467bd" },
	{ "sleep: lock", "#8c564b" },
	{ "sleep: other", "#bdbdbd" },
};

static const char *fill_of(const char *name)
{
	for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]); i++)
		if (name == styles[i].name || !strcmp(name, styles[i].name))
			return styles[i].fill;
	return "#bdbdbd";
}

struct canvas {
	FILE *f;
	const struct timeline_in *in;
	double scale; /* pixels per ns */
};

static double x_of(const struct canvas *c, uint64_t ts)
{
	if (ts < c->in->from)
		ts = c->in->from;
	if (ts > c->in->to)
		ts = c->in->to;
	return LEFT + (double)(ts - c->in->from) * c->scale;
}

static void bar(const struct canvas *c, uint64_t a, uint64_t b, double y, double h,
		const char *fill)
{
	double x0 = x_of(c, a), x1 = x_of(c, b);

	fprintf(c->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\"/>\n",
		x0, y, x1 - x0 < 0.5 ? 0.5 : x1 - x0, h, fill);
}

/* Rows for overlapping bars: the first row free at @a. */
static int row_for(uint64_t *ends, uint64_t a, uint64_t b)
{
	int r = 0;

	while (r < ROWS - 1 && ends[r] > a)
		r++;
	ends[r] = b;
	return r;
}

static void label(FILE *f, double x, double y, const char *anchor, const char *text)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>\n", x, y, anchor,
		text);
}

/* The lanes drawn: tasks with a span in the window, workers first; their count. */
static size_t pick_lanes(const struct timeline_in *in, const struct sched_task **lanes)
{
	size_t n = 0;

	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < in->log->ntasks && n < MAX_LANES; i++) {
			const struct sched_task *t = &in->log->tasks[i];
			if (t->worker != (pass == 0) || !t->n)
				continue;
			const struct span *s0 = &in->log->spans[t->first];
			const struct span *s1 = &in->log->spans[t->first + t->n - 1];
			if (s1->end > in->from && s0->start < in->to)
				lanes[n++] = t;
		}
	return n;
}

static double lane_y(const struct sched_task **lanes, size_t n, uint32_t tid, double top)
{
	for (size_t i = 0; i < n; i++)
		if (lanes[i]->tid == tid)
			return top + (double)i * LANE + LANE / 2.0;
	return -1;
}

static void axis(const struct canvas *c, double y)
{
	const struct timeline_in *in = c->in;
	double span_ms = (double)(in->to - in->from) / 1e6, step = pow(10, floor(log10(span_ms)));
	char text[32];

	if (span_ms / step < 4)
		step /= 2;
	if (span_ms / step < 4)
		step /= 2.5;
	fprintf(c->f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#333\"/>\n", LEFT,
		y, WIDTH - RIGHT, y);
	double first = ceil(((double)in->from - (double)in->t0) / 1e6 / step) * step;
	for (double ms = first; ms <= ((double)in->to - (double)in->t0) / 1e6 + 1e-9; ms += step) {
		uint64_t ts = in->t0 + (uint64_t)llround(ms * 1e6);
		double x = x_of(c, ts);
		fprintf(c->f,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n",
			x, y, x, y + 4);
		snprintf(text, sizeof(text), "%g", ms);
		label(c->f, x, y + 16, "middle", text);
	}
	label(c->f, WIDTH - RIGHT, y + 30, "end", "ms since the load began");
}

static void legend(FILE *f, double y)
{
	double x = LEFT;

	for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]); i++) {
		if (x + 200 > WIDTH) {
			x = LEFT;
			y += 16;
		}
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>\n",
			x, y - 9, styles[i].fill);
		label(f, x + 14, y, "start", styles[i].name);
		x += 200;
	}
	y += 16;
	fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#000\"/>\n", LEFT,
		y - 4, LEFT + 24, y - 4);
	label(f, LEFT + 28, y, "start", "arrival to the worker that accepted it");
	fprintf(f,
		"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#d62728\" "
		"stroke-dasharray=\"3,2\"/>\n",
		LEFT + 330, y - 4, LEFT + 354, y - 4);
	label(f, LEFT + 358, y, "start", "to a worker woken for nothing");
}

static void draw_lanes(const struct canvas *c, const struct sched_task **lanes, size_t n,
		       double top)
{
	char text[48];

	for (size_t i = 0; i < n; i++) {
		const struct sched_task *t = lanes[i];
		double y = top + (double)i * LANE;
		snprintf(text, sizeof(text), "%.15s %u", t->comm[0] ? t->comm : "task", t->tid);
		label(c->f, LEFT - 6, y + LANE - 4, "end", text);
		for (size_t k = 0; k < t->n; k++) {
			const struct span *s = &c->in->log->spans[t->first + k];
			if (s->end > c->in->from && s->start < c->in->to)
				bar(c, s->start, s->end, y + 1, LANE - 2,
				    fill_of(timeline_span_name(s)));
		}
	}
}

/* The connections' bars, and a line from each arrival to every task it woke. */
static void draw_conns(const struct canvas *c, const struct sched_task **lanes, size_t n,
		       double top, double lanes_top)
{
	const struct timeline_in *in = c->in;
	uint64_t ends[ROWS] = { 0 };

	for (size_t i = 0; i < in->nconns; i++) {
		const struct herd_conn *k = &in->conns[i];
		uint64_t end = k->accepted_ns ? k->accepted_ns : k->established_ns;
		if (end < in->from || k->established_ns >= in->to)
			continue;
		double y = top + row_for(ends, k->established_ns, end + 1) * ROW;
		bar(c, k->established_ns, end, y + 1, ROW - 2, "#555");
		size_t nw;
		const struct arrival_wake *w = schedlog_wakes(in->log, k->established_ns, &nw);
		for (size_t j = 0; j < nw; j++) {
			double ly = lane_y(lanes, n, w[j].tid, lanes_top);
			if (ly < 0 || w[j].ts >= in->to)
				continue;
			bool won = w[j].tid == k->accept_tid;
			fprintf(c->f,
				"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
				"stroke=\"%s\" "
				"stroke-width=\"0.8\"%s/>\n",
				x_of(c, k->established_ns), y + ROW / 2.0, x_of(c, w[j].ts), ly,
				won ? "#000" : "#d62728", won ? "" : " stroke-dasharray=\"3,2\"");
		}
	}
}

int timeline_svg(const char *path, const struct timeline_in *in)
{
	const struct sched_task *lanes[MAX_LANES];
	size_t n = pick_lanes(in, lanes);
	uint64_t ends[ROWS] = { 0 };
	struct afile a;

	if (in->to <= in->from || afile_open(&a, path) < 0)
		return -1;
	struct canvas c = { a.f, in, (double)(WIDTH - LEFT - RIGHT) / (double)(in->to - in->from) };
	double req_top = 24, conn_top = req_top + ROWS * ROW + 8,
	       lanes_top = conn_top + ROWS * ROW + 8;
	double axis_y = lanes_top + (double)n * LANE + 6, height = axis_y + 80;
	fprintf(a.f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "
		"xmlns=\"http://www.w3.org/2000/svg\" "
		"width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\" font-family=\"sans-serif\" "
		"font-size=\"11\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
		WIDTH, height, WIDTH, height);
	label(a.f, LEFT - 6, req_top + 10, "end", "client requests");
	label(a.f, LEFT - 6, conn_top + 10, "end", "connections");
	for (size_t i = 0; in->reqs && i < in->nreqs; i++) {
		const struct client_req *r = &in->reqs[i];
		if (!r->last_byte_ns || r->last_byte_ns < in->from || r->scheduled_ns >= in->to)
			continue;
		double y = req_top + row_for(ends, r->scheduled_ns, r->last_byte_ns) * ROW;
		bar(&c, r->scheduled_ns, r->last_byte_ns, y + 1, ROW - 2, "#1f77b4");
	}
	draw_lanes(&c, lanes, n, lanes_top);
	draw_conns(&c, lanes, n, conn_top, lanes_top);
	axis(&c, axis_y);
	legend(a.f, axis_y + 48);
	fputs("</svg>\n", a.f);
	return afile_close(&a, !ferror(a.f));
}
