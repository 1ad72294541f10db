/* SPDX-License-Identifier: MIT */
/*
 * timeline_json.c - the timeline as Chrome trace events (see timeline.h).
 *
 * The format (the Trace Event Format document): a "traceEvents" array of
 * objects with ph (the phase), ts (microseconds), pid, tid and name. Complete
 * slices are "X" with a dur; a flow is an "s" and an "f" with one id, each
 * bound to the slice enclosing its ts on its own track ("bp":"e" on the end),
 * so the arrival's flow starts on its connection's slice and ends on the
 * runnable slice its wakeup began. "M" events name the processes and threads.
 * Server tasks are pid 1, the connections pid 2, the client's requests pid 3.
 */
#include <stdio.h>

#include "causes/timeline.h"
#include "files.h"

enum { PID_SERVER = 1, PID_CONNS = 2, PID_CLIENT = 3, ROWS = 16 };

const char *timeline_span_name(const struct span *s)
{
	static const char *const sleeps[SLEEP_CLASSES] = {
		[SLEEP_SLEEP] = "sleep: timer",
		[SLEEP_LOCK] = "sleep: lock",
		[SLEEP_SOCKET] = "sleep: socket",
		[SLEEP_OTHER] = "sleep: other",
	};
	if (s->state == SPAN_RUN)
		return "running";
	if (s->state == SPAN_RUNNABLE)
		return s->arrival ? "runnable (woken by an arrival)" : "runnable";
	if (causes_arrival_wait(s->wait))
		return "idle: waiting for a connection";
	return s->cls < SLEEP_CLASSES ? sleeps[s->cls] : "sleep";
}

static double at(const struct timeline_in *in, uint64_t ts)
{
	return (double)((int64_t)ts - (int64_t)in->t0) / 1e3;
}

static uint64_t clip(uint64_t v, const struct timeline_in *in)
{
	return v < in->from ? in->from : v > in->to ? in->to : v;
}

static void slice(FILE *f, const struct timeline_in *in, int pid, uint32_t tid, const char *name,
		  uint64_t a, uint64_t b, bool *first)
{
	a = clip(a, in), b = clip(b, in);
	fprintf(f,
		"%s\n{\"ph\":\"X\",\"name\":\"%s\",\"pid\":%d,\"tid\":%u,\"ts\":%.3f,\"dur\":%.3f}",
		*first ? "" : ",", name, pid, tid, at(in, a), (double)(b - a) / 1e3);
	*first = false;
}

static void meta(FILE *f, const char *what, int pid, uint32_t tid, const char *name, bool *first)
{
	fprintf(f, "%s\n{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%d,\"tid\":%u,\"args\":{\"name\":\"",
		*first ? "" : ",", what, pid, tid);
	for (; *name; name++) /* task names: keep them JSON */
		fputc(*name == '"' || *name == '\\' || (unsigned char)*name < 32 ? '_' : *name, f);
	fputs("\"}}", f);
	*first = false;
}

static bool in_window(const struct timeline_in *in, uint64_t a, uint64_t b)
{
	return b > in->from && a < in->to;
}

static void tasks(FILE *f, const struct timeline_in *in, bool *first)
{
	const struct sched_log *log = in->log;
	char name[48];

	meta(f, "process_name", PID_SERVER, 0, "server tasks", first);
	for (size_t i = 0; i < log->ntasks; i++) {
		const struct sched_task *t = &log->tasks[i];
		snprintf(name, sizeof(name), "%s %u", t->comm[0] ? t->comm : "task", t->tid);
		meta(f, "thread_name", PID_SERVER, t->tid, name, first);
		for (size_t k = 0; k < t->n; k++) {
			const struct span *s = &log->spans[t->first + k];
			if (in_window(in, s->start, s->end) && s->end > s->start)
				slice(f, in, PID_SERVER, t->tid, timeline_span_name(s), s->start,
				      s->end, first);
		}
	}
}

/* The connections on rows of their own, and a flow from each to every task it woke. */
static void conns(FILE *f, const struct timeline_in *in, bool *first)
{
	uint64_t row_end[ROWS] = { 0 };
	unsigned id = 0;

	meta(f, "process_name", PID_CONNS, 0, "connections (handshake to accept)", first);
	for (uint32_t r = 1; r <= ROWS; r++) {
		char name[16];
		snprintf(name, sizeof(name), "row %u", r);
		meta(f, "thread_name", PID_CONNS, r, name, first);
	}
	for (size_t i = 0; i < in->nconns; i++) {
		const struct herd_conn *c = &in->conns[i];
		uint64_t end = c->accepted_ns ? c->accepted_ns : c->established_ns + 1000;
		if (!in_window(in, c->established_ns, end) || c->established_ns < in->from)
			continue;
		uint32_t row = 0;
		while (row < ROWS - 1 && row_end[row] > c->established_ns)
			row++;
		row_end[row] = end;
		slice(f, in, PID_CONNS, row + 1, "connection", c->established_ns, end + 1, first);
		size_t n;
		const struct arrival_wake *w = schedlog_wakes(in->log, c->established_ns, &n);
		for (size_t k = 0; k < n; k++) {
			if (w[k].ts >= in->to)
				continue;
			const char *nm = w[k].tid == c->accept_tid ? "arrival" : "arrival (futile)";
			fprintf(f,
				",\n{\"ph\":\"s\",\"name\":\"%s\",\"cat\":\"arrival\",\"id\":%u,"
				"\"pid\":%d,\"tid\":%u,\"ts\":%.3f}",
				nm, ++id, PID_CONNS, row + 1, at(in, c->established_ns));
			fprintf(f,
				",\n{\"ph\":\"f\",\"bp\":\"e\",\"name\":\"%s\",\"cat\":\"arrival\","
				"\"id\":%u,\"pid\":%d,\"tid\":%u,\"ts\":%.3f}",
				nm, id, PID_SERVER, w[k].tid, at(in, w[k].ts));
		}
	}
}

static void client(FILE *f, const struct timeline_in *in, bool *first)
{
	uint64_t row_end[ROWS] = { 0 };

	meta(f, "process_name", PID_CLIENT, 0, "client requests", first);
	for (uint32_t r = 1; r <= ROWS; r++) {
		char name[16];
		snprintf(name, sizeof(name), "row %u", r);
		meta(f, "thread_name", PID_CLIENT, r, name, first);
	}
	for (size_t i = 0; in->reqs && i < in->nreqs; i++) {
		const struct client_req *r = &in->reqs[i];
		if (!r->last_byte_ns || !in_window(in, r->scheduled_ns, r->last_byte_ns))
			continue;
		uint32_t row = 0;
		while (row < ROWS - 1 && row_end[row] > r->scheduled_ns)
			row++;
		row_end[row] = r->last_byte_ns;
		slice(f, in, PID_CLIENT, row + 1, "request", r->scheduled_ns, r->last_byte_ns,
		      first);
	}
}

int timeline_json(const char *path, const struct timeline_in *in)
{
	struct afile a;
	bool first = true;

	if (afile_open(&a, path) < 0)
		return -1;
	fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[", a.f);
	tasks(a.f, in, &first);
	conns(a.f, in, &first);
	client(a.f, in, &first);
	fputs("\n]}\n", a.f);
	return afile_close(&a, !ferror(a.f));
}
