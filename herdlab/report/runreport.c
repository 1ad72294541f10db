/* SPDX-License-Identifier: MIT */
/*
 * runreport.c - one run explained (runreport.h).
 *
 * Everything here reads run.json by its dotted keys (DESIGN.md's names) and the
 * joined tables; nothing is measured again. Each section is one function that
 * says what it has to say once, through doc.h, so the text, Markdown and HTML
 * reports cannot disagree; report_json() gives the same numbers to programs.
 */
#include "report/runreport.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonio.h"
#include "log.h"
#include "report/plot.h"
#include "metrics/statistics.h"

/* The figures a report may draw: its file name under the plot directory. */
struct figs {
	const char *dir;  /* where the SVG files go (NULL: no figures) */
	const char *link; /* how the document refers to that directory */
	bool reuse;	  /* a figure already there is used as it is */
};

/* ---- small formatting helpers ----------------------------------------------------------- */

/* A latency in microseconds, in the unit that reads best. */
static const char *fmt_us(char *buf, size_t len, double us)
{
	if (isnan(us))
		snprintf(buf, len, "-");
	else if (us >= 1e6)
		snprintf(buf, len, "%.2f s", us / 1e6);
	else if (us >= 1e3)
		snprintf(buf, len, "%.2f ms", us / 1e3);
	else
		snprintf(buf, len, "%.1f us", us);
	return buf;
}

/* A number with @prec decimals, or "-" when missing. */
static const char *fmt_num(char *buf, size_t len, double v, int prec)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*f", prec, v);
	return buf;
}

/* One "metric | value" row. */
static void row(struct doc *d, const char *label, const char *value)
{
	doc_cell(d, false, "%s", label);
	doc_cell(d, false, "%s", value);
}

static void row_num(struct doc *d, const struct rundir *rd, const char *label, const char *key,
		    int prec)
{
	char b[64];

	row(d, label, fmt_num(b, sizeof(b), rundir_num(rd, key), prec));
}

static void row_us(struct doc *d, const char *label, double us)
{
	char b[64];

	row(d, label, fmt_us(b, sizeof(b), us));
}

/* "DIR/NAME.svg" for drawing and "LINK/NAME.svg" for the document. */
static bool fig_paths(const struct figs *f, const char *name, char *file, char *link)
{
	if (!f->dir)
		return false;
	snprintf(file, PATH_MAX, "%s/%s.svg", f->dir, name);
	snprintf(link, PATH_MAX, "%s/%s.svg", f->link, name);
	return true;
}

/* Whether the figure at @file is there to be used without drawing it again. */
static bool reuse(const struct figs *f, const char *file)
{
	return f->reuse && access(file, R_OK) == 0;
}

/* ---- the latency decomposition ----------------------------------------------------------- */

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

/* The parts of every request that opened a connection the kernel saw accepted. */
static size_t decompose_each(const struct client_req *reqs, size_t n, const struct herd_conn *conns,
			     const ssize_t *match, struct parts *p)
{
	size_t k = 0;

	for (size_t i = 0; match && i < n; i++) {
		const struct client_req *r = &reqs[i];
		if (match[i] < 0 || !r->connect_start_ns || !r->last_byte_ns || r->status <= 0)
			continue;
		const struct herd_conn *c = &conns[match[i]];
		if (!c->accepted_ns || c->accepted_ns < c->established_ns ||
		    c->established_ns < r->connect_start_ns || r->first_byte_ns < c->accepted_ns)
			continue; /* not a clean timeline: leave it out rather than guess */
		p[k++] = (struct parts){
			.total = (double)(r->last_byte_ns - r->scheduled_ns) / 1e3,
			.handshake = (double)(c->established_ns - r->connect_start_ns) / 1e3,
			.queue = (double)(c->accepted_ns - c->established_ns) / 1e3,
			.server = (double)(r->first_byte_ns - c->accepted_ns) / 1e3,
		};
	}
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

/* ---- summary ------------------------------------------------------------------------------ */

static void options_text(const struct rundir *rd, const char *key, char *buf, size_t len)
{
	json_t *a = rundir_get(rd, key), *v;
	size_t i, used = 0;

	buf[0] = 0;
	json_array_foreach(a, i, v)
	{
		int n = snprintf(buf + used, len - used, "%s%s", used ? " " : "",
				 json_is_string(v) ? json_string_value(v) : "?");
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	if (!used)
		snprintf(buf, len, "defaults");
}

static void section_summary(struct doc *d, const struct rundir *rd)
{
	char srv[512], load[512], b[64], cpus[32];
	static const char *const errs[] = { "refused", "reset", "connect_timeout",
					    "timeout", "http",	"short",
					    "addr",    "other" };
	static const char *const lat[] = { "connect", "first_byte", "total" };

	options_text(rd, "options.server", srv, sizeof(srv));
	options_text(rd, "options.load", load, sizeof(load));
	doc_para(d,
		 "Model %s (server: %s; load: %s). Kernel %s (preempt %s, HZ %s), %s CPUs; "
		 "started %s; herdlab %s; %s.",
		 rundir_str(rd, "model", "?"), srv, load, rundir_str(rd, "kernel.release", "?"),
		 rundir_str(rd, "kernel.preempt", "?"),
		 fmt_num(b, sizeof(b), rundir_num(rd, "kernel.hz"), 0),
		 fmt_num(cpus, sizeof(cpus), rundir_num(rd, "cpus"), 0),
		 rundir_str(rd, "start_time", "?"), rundir_str(rd, "herdlab_version", "?"),
		 rundir_traced(rd) ? "traced" : "not traced (--no-trace)");
	doc_heading(d, "Summary");
	doc_table(d, "lr", "metric", "value");
	row_num(d, rd, "requests ok", "client.requests.ok", 0);
	row_num(d, rd, "requests failed", "client.requests.failed", 0);
	row_num(d, rd, "requests/s", "client.throughput.requests_per_s", 1);
	row_num(d, rd, "connections/s", "client.throughput.connections_per_s", 1);
	row(d, "MB/s received",
	    fmt_num(b, sizeof(b), rundir_num(rd, "client.throughput.bytes_per_s") / 1e6, 2));
	row_num(d, rd, "clients served per minute", "client.throughput.clients_per_min", 0);
	row_num(d, rd, "CPUs", "cpus", 0);
	doc_table_end(d);

	char list[512] = "";
	size_t used = 0;
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		char key[64];
		snprintf(key, sizeof(key), "client.errors.%s", errs[i]);
		double v = rundir_num(rd, key);
		if (v > 0 && used < sizeof(list))
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s %.0f",
						 used ? ", " : "", errs[i], v);
	}
	doc_para(d, "Errors: %s.", used ? list : "none");

	doc_table(d, "lrrrrrr", "latency", "p50", "p90", "p99", "p99.9", "max", "mean");
	for (size_t i = 0; i < 3; i++) {
		static const char *const cols[] = { "p50", "p90", "p99", "p999", "max", "mean" };
		doc_cell(d, false, "%s", lat[i]);
		for (size_t c = 0; c < 6; c++) {
			char key[96];
			snprintf(key, sizeof(key), "client.latency_us.%s.%s", lat[i], cols[c]);
			doc_cell(d, false, "%s", fmt_us(b, sizeof(b), rundir_num(rd, key)));
		}
	}
	doc_table_end(d);
}

/* ---- accept wakeups ------------------------------------------------------------------------ */

static const char *const wait_kinds[] = { "accept", "epoll", "select", "poll",
					  "signal", "uring", "lock",   "passfd" };

static void fig_workers(struct doc *d, const struct rundir *rd, const struct figs *f)
{
	char file[PATH_MAX], link[PATH_MAX];
	json_t *tasks = rundir_get(rd, "trace.accept.per_task"), *t;
	size_t n = json_array_size(tasks), i;

	if (!n || !fig_paths(f, "accepts-per-worker", file, link))
		return;
	char(*labels)[32] = calloc(n, sizeof(*labels));
	const char **names = calloc(n, sizeof(*names));
	double *v = calloc(n * 2, sizeof(*v));
	if (labels && names && v) {
		json_array_foreach(tasks, i, t)
		{
			snprintf(labels[i], sizeof(labels[i]), "%lld",
				 json_integer_value(json_object_get(t, "tid")));
			names[i] = labels[i];
			v[2 * i] = (double)json_integer_value(json_object_get(t, "accepted"));
			v[2 * i + 1] = (double)json_integer_value(json_object_get(t, "wakeups"));
		}
		static const char *const series[] = { "accepted", "woken" };
		if (reuse(f, file) ||
		    !plot_bars(file, "Accepts and accept wakeups per worker (task id)",
			       "connections", names, n, series, 2, v))
			doc_figure(d, file, link, "Accepts and accept wakeups per worker");
	}
	free(labels);
	free(names);
	free(v);
}

/* How many connections woke 0, 1, 2, ... tasks (the last bar: that many or more). */
#define WAKE_BARS 17
static void fig_wakeups(struct doc *d, const struct rundir *rd, const struct figs *f)
{
	char file[PATH_MAX], link[PATH_MAX], labels[WAKE_BARS][8];
	const char *names[WAKE_BARS];
	double v[WAKE_BARS] = { 0 };
	size_t top = 0;

	if (!rd->nconns || !fig_paths(f, "wakeups-per-connection", file, link))
		return;
	for (size_t i = 0; i < rd->nconns; i++) {
		size_t w =
			rd->conns[i].wakeups < WAKE_BARS - 1 ? rd->conns[i].wakeups : WAKE_BARS - 1;
		v[w]++;
		top = w > top ? w : top;
	}
	for (size_t i = 0; i <= top; i++) {
		snprintf(labels[i], sizeof(labels[i]), i == WAKE_BARS - 1 ? "%zu+" : "%zu", i);
		names[i] = labels[i];
	}
	static const char *const series[] = { "connections" };
	if (reuse(f, file) || !plot_bars(file, "Tasks woken by each new connection", "connections",
					 names, top + 1, series, 1, v))
		doc_figure(d, file, link,
			   "Wakeups per connection (the herd, connection by connection)");
}

static void section_accept(struct doc *d, const struct rundir *rd, const struct figs *f)
{
	char b[64];
	double acc = rundir_num(rd, "trace.accept.accepted");
	double wk = rundir_num(rd, "trace.accept.wakeups");
	double fut = rundir_num(rd, "trace.accept.futile_wakeups");

	doc_heading(d, "Accept wakeups");
	doc_para(d,
		 "Each new connection woke %s tasks on average (the herd factor); %s of %s accept "
		 "wakeups were futile: the task found nothing to accept and slept again.",
		 fmt_num(b, sizeof(b), rundir_num(rd, "trace.accept.wakeups_per_accept"), 2),
		 fmt_num((char[32]){ 0 }, 32, fut, 0), fmt_num((char[32]){ 0 }, 32, wk, 0));
	doc_table(d, "lr", "metric", "value");
	row_num(d, rd, "connections accepted", "trace.accept.accepted", 0);
	row_num(d, rd, "accept wakeups", "trace.accept.wakeups", 0);
	row_num(d, rd, "herd factor (wakeups per accept)", "trace.accept.wakeups_per_accept", 2);
	row_num(d, rd, "futile wakeups", "trace.accept.futile_wakeups", 0);
	row(d, "futile wakeups per accept", fmt_num(b, sizeof(b), acc > 0 ? fut / acc : NAN, 2));
	row_num(d, rd, "accept calls returning EAGAIN", "trace.accept.eagain", 0);
	row_num(d, rd, "accepted through io_uring", "trace.accept.uring_accepts", 0);
	for (size_t i = 0; i < sizeof(wait_kinds) / sizeof(wait_kinds[0]); i++) {
		char key[96], label[64];
		snprintf(key, sizeof(key), "trace.accept.wakeups_by_wait.%s", wait_kinds[i]);
		snprintf(label, sizeof(label), "wakeups waiting in %s", wait_kinds[i]);
		if (rundir_num(rd, key) > 0)
			row_num(d, rd, label, key, 0);
	}
	row_num(d, rd, "fairness (Jain's index over workers)", "trace.accept.fairness.jain", 3);
	row_num(d, rd, "busiest worker's accepts over the mean",
		"trace.accept.fairness.max_over_mean", 2);
	doc_table_end(d);

	json_t *tasks = rundir_get(rd, "trace.accept.per_task"), *t;
	size_t i;
	if (json_array_size(tasks)) {
		doc_table(d, "lllrrrr", "task", "process", "comm", "accepted", "share", "woken",
			  "futile");
		json_array_foreach(tasks, i, t)
		{
			doc_cell(d, false, "%lld", json_integer_value(json_object_get(t, "tid")));
			doc_cell(d, false, "%lld", json_integer_value(json_object_get(t, "tgid")));
			doc_cell(d, false, "%s",
				 json_string_value(json_object_get(t, "comm")) ?: "?");
			doc_cell(d, false, "%lld",
				 json_integer_value(json_object_get(t, "accepted")));
			doc_cell(d, false, "%.1f%%",
				 100 * json_number_value(json_object_get(t, "share")));
			doc_cell(d, false, "%lld",
				 json_integer_value(json_object_get(t, "wakeups")));
			doc_cell(d, false, "%lld",
				 json_integer_value(json_object_get(t, "futile")));
		}
		doc_table_end(d);
	}
	fig_wakeups(d, rd, f);
	fig_workers(d, rd, f);
}

/* ---- scheduling ---------------------------------------------------------------------------- */

/* A log2 histogram's percentile, as run.json gives it (the bucket's upper bound, ns). */
static double log2_us(const struct rundir *rd, const char *hist, const char *p)
{
	char key[128];

	snprintf(key, sizeof(key), "%s.%s", hist, p);
	return rundir_num(rd, key) / 1e3;
}

/* A log2 histogram of nanoseconds as bars, one per power of two. */
static void fig_log2(struct doc *d, const struct rundir *rd, const struct figs *f, const char *key,
		     const char *name, const char *title)
{
	char file[PATH_MAX], link[PATH_MAX], k[128];
	json_t *buckets, *bk;
	size_t n, i;

	snprintf(k, sizeof(k), "%s.buckets", key);
	buckets = rundir_get(rd, k);
	if (!(n = json_array_size(buckets)) || !fig_paths(f, name, file, link))
		return;
	char(*labels)[32] = calloc(n, sizeof(*labels));
	const char **names = calloc(n, sizeof(*names));
	double *v = calloc(n, sizeof(*v));
	if (labels && names && v) {
		json_array_foreach(buckets, i, bk)
		{
			char us[24];
			double low = json_number_value(json_array_get(bk, 0));
			fmt_us(us, sizeof(us), low / 1e3);
			snprintf(labels[i], sizeof(labels[i]), ">= %s", us);
			names[i] = labels[i];
			v[i] = json_number_value(json_array_get(bk, 2));
		}
		static const char *const series[] = { "count" };
		if (reuse(f, file) || !plot_bars(file, title, "count", names, n, series, 1, v))
			doc_figure(d, file, link, title);
	}
	free(labels);
	free(names);
	free(v);
}

static void section_sched(struct doc *d, const struct rundir *rd, const struct figs *f)
{
	char b[64];

	doc_heading(d, "Scheduling");
	doc_table(d, "lr", "metric", "value");
	row_num(d, rd, "context switches", "trace.sched.switches", 0);
	row_num(d, rd, "switches per request", "trace.sched.switches_per_request", 2);
	row_num(d, rd, "voluntary (the task slept)", "trace.sched.voluntary", 0);
	row_num(d, rd, "involuntary (preempted)", "trace.sched.involuntary", 0);
	row_num(d, rd, "migrations between CPUs", "trace.sched.migrations", 0);
	row(d, "CPU time of the server",
	    fmt_us(b, sizeof(b), rundir_num(rd, "trace.sched.run_ns") / 1e3));
	row_us(d, "run-queue latency p50 (at most)",
	       log2_us(rd, "trace.sched.runq_latency", "p50"));
	row_us(d, "run-queue latency p99 (at most)",
	       log2_us(rd, "trace.sched.runq_latency", "p99"));
	row_us(d, "time asleep p50 (at most)", log2_us(rd, "trace.sched.offcpu", "p50"));
	doc_table_end(d);
	fig_log2(d, rd, f, "trace.sched.runq_latency", "runq-latency",
		 "Run-queue latency: woken to running (log2 buckets)");
}

/* ---- processes ----------------------------------------------------------------------------- */

static void fig_zombies(struct doc *d, const struct rundir *rd, const struct figs *f)
{
	char file[PATH_MAX], link[PATH_MAX];
	json_t *pts = rundir_get(rd, "trace.proc.zombies_over_time"), *p;
	size_t n = json_array_size(pts), i;

	if (!n || !(rundir_num(rd, "trace.proc.zombies_peak") > 0) ||
	    !fig_paths(f, "zombies", file, link))
		return;
	/* From the start of the trace (none yet) to its end (the last count holds). */
	double *x = calloc(n + 2, sizeof(*x)), *y = calloc(n + 2, sizeof(*y));
	if (x && y) {
		json_array_foreach(pts, i, p)
		{
			x[i + 1] = json_number_value(json_array_get(p, 0)) / 1e3;
			y[i + 1] = json_number_value(json_array_get(p, 1));
		}
		double end = rundir_num(rd, "trace.tracer.duration_s");
		x[n + 1] = end > x[n] ? end : x[n];
		y[n + 1] = y[n];
		if (reuse(f, file) ||
		    !plot_steps(file, "Zombies over time", "seconds since the trace began",
				"zombie processes", x, y, n + 2))
			doc_figure(d, file, link, "Zombies over time");
	}
	free(x);
	free(y);
}

static void section_proc(struct doc *d, const struct rundir *rd, const struct figs *f)
{
	doc_heading(d, "Processes");
	doc_table(d, "lr", "metric", "value");
	row_num(d, rd, "processes seen", "trace.proc.processes", 0);
	row_num(d, rd, "threads seen", "trace.proc.threads", 0);
	row_num(d, rd, "forks", "trace.proc.forks", 0);
	if (rundir_num(rd, "trace.proc.fork_latency.count") > 0) {
		row_us(d, "fork latency p50 (at most)",
		       log2_us(rd, "trace.proc.fork_latency", "p50"));
		row_us(d, "fork latency p99 (at most)",
		       log2_us(rd, "trace.proc.fork_latency", "p99"));
	}
	if (rundir_num(rd, "trace.proc.first_run_latency.count") > 0) {
		row_us(d, "first run after fork p50 (at most)",
		       log2_us(rd, "trace.proc.first_run_latency", "p50"));
		row_us(d, "first run after fork p99 (at most)",
		       log2_us(rd, "trace.proc.first_run_latency", "p99"));
	}
	row_num(d, rd, "processes exited", "trace.proc.exits", 0);
	row_num(d, rd, "zombies at the peak", "trace.proc.zombies_peak", 0);
	row_num(d, rd, "zombies left unreaped", "trace.proc.unreaped", 0);
	row_num(d, rd, "reaped by their parent", "trace.proc.reaped_by.parent", 0);
	row_num(d, rd, "reaped automatically (SIGCHLD ignored)", "trace.proc.reaped_by.auto", 0);
	row_num(d, rd, "reaped by init", "trace.proc.reaped_by.init", 0);
	if (rundir_num(rd, "trace.proc.zombie_lifetime.count") > 0) {
		row_us(d, "zombie lifetime p50", rundir_num(rd, "trace.proc.zombie_lifetime.p50"));
		row_us(d, "zombie lifetime max", rundir_num(rd, "trace.proc.zombie_lifetime.max"));
	}
	doc_table_end(d);
	fig_zombies(d, rd, f);
}

/* ---- TCP ----------------------------------------------------------------------------------- */

static void section_tcp(struct doc *d, const struct rundir *rd)
{
	doc_heading(d, "TCP");
	doc_table(d, "lr", "metric", "value");
	row_num(d, rd, "handshakes completed (ESTABLISHED)", "trace.tcp.established", 0);
	row_num(d, rd, "accept queue at its deepest", "trace.tcp.accept_queue_peak", 0);
	row_num(d, rd, "listen queue overflows", "trace.tcp.listen_overflows", 0);
	row_num(d, rd, "SYNs dropped", "trace.tcp.listen_drops", 0);
	doc_table_end(d);
	doc_para(d,
		 "Overflows and drops are the kernel's counters for the whole machine (%s) over "
		 "the traced interval.",
		 rundir_str(rd, "trace.tcp.listen_counters", "system-wide"));
}

/* ---- the latency decomposition -------------------------------------------------------------- */

/* The CDF of each part over the @k decomposed requests. */
static void fig_cdf(struct doc *d, const struct figs *f, const struct parts *p, size_t k)
{
	char file[PATH_MAX], link[PATH_MAX];

	if (!fig_paths(f, "latency-cdf", file, link))
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
		if (reuse(f, file) || !plot_cdf(file, "Latency by component", "microseconds", s, 4))
			doc_figure(d, file, link, "Latency CDFs by component");
	}
	free(v);
}

static void decomposition_row(struct doc *d, const char *part, double all, double all_total,
			      double slow, double slow_total)
{
	char a[32], s[32];

	doc_cell(d, false, "%s", part);
	doc_cell(d, false, "%s", fmt_us(a, sizeof(a), all));
	doc_cell(d, false, "%.0f%%", all_total > 0 ? 100 * all / all_total : 0);
	doc_cell(d, false, "%s", fmt_us(s, sizeof(s), slow));
	doc_cell(d, false, "%.0f%%", slow_total > 0 ? 100 * slow / slow_total : 0);
}

static void section_decomposition(struct doc *d, const struct rundir *rd, const struct figs *f)
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
	doc_table(d, "lrrrr", "part", "all: mean", "share", "slowest 1%: mean", "share");
	decomposition_row(d, "handshake", all.handshake, all.total, slow.handshake, slow.total);
	decomposition_row(d, "accept-queue wait", all.queue, all.total, slow.queue, slow.total);
	decomposition_row(d, "server (accepted to first byte)", all.server, all.total, slow.server,
			  slow.total);
	decomposition_row(d, "the rest (start delay, transfer)", all.rest, all.total, slow.rest,
			  slow.total);
	decomposition_row(d, "total", all.total, all.total, slow.total, slow.total);
	doc_table_end(d);

	const char *names[] = { "the handshake", "the accept-queue wait", "the server's time",
				"the rest" };
	double parts[] = { slow.handshake, slow.queue, slow.server, slow.rest };
	int big = 0;
	for (int i = 1; i < 4; i++)
		big = parts[i] > parts[big] ? i : big;
	doc_para(d,
		 "Over the slowest %zu requests (1%% of %zu decomposed), %s took the most: "
		 "%.0f%% of their time, against %.0f%% for the average request.",
		 slow.n, k, names[big], slow.total > 0 ? 100 * parts[big] / slow.total : 0,
		 all.total > 0
			 ? 100 * (double[]){ all.handshake, all.queue, all.server, all.rest }[big] /
				   all.total
			 : 0);
	fig_cdf(d, f, p, k);
	free(p);
}

/* ---- the tracer ------------------------------------------------------------------------------ */

static void section_tracer(struct doc *d, const struct rundir *rd)
{
	json_t *raw = rundir_get(rd, "trace.tracer.raw_tp");
	json_t *exact = rundir_get(rd, "trace.tracer.exact_arrivals");

	doc_heading(d, "The tracer");
	doc_table(d, "lr", "metric", "value");
	row_num(d, rd, "events lost (ring buffer full)", "trace.tracer.lost_events", 0);
	row_num(d, rd, "records lost (map full)", "trace.tracer.map_full", 0);
	row_num(d, rd, "arrival wakeups without a connection", "trace.tracer.arrivals_unmatched",
		0);
	row_num(d, rd, "traced seconds", "trace.tracer.duration_s", 2);
	row(d, "programs", json_is_true(raw) ? "raw_tp (no BTF-typed tracepoints)" : "tp_btf");
	row(d, "what a task waits in",
	    !strcmp(rundir_str(rd, "trace.tracer.wait_from", ""), "registers")
		    ? "its registers, read as it sleeps"
		    : "its system call, recorded on entry");
	row(d, "arrival attribution",
	    json_is_true(exact) ? "exact (sock:sk_data_ready)" : "time window (before 6.6)");
	doc_table_end(d);
	if (rundir_num(rd, "trace.tracer.lost_events") > 0 ||
	    rundir_num(rd, "trace.tracer.map_full") > 0)
		doc_para(d, "Records were lost: counts that depend on them (zombies, connections) "
			    "are lower bounds.");
}

/* ---- the whole report ------------------------------------------------------------------------ */

int report_write(const struct rundir *rd, enum doc_format fmt, FILE *out, const char *plot_dir,
		 const char *plot_link, bool redraw)
{
	char title[256];
	struct figs f = { plot_dir, plot_link ? plot_link : plot_dir, !redraw };

	if (plot_dir && mkdir(plot_dir, 0755) < 0 && errno != EEXIST) {
		log_warn("cannot create %s: %m; the report goes without figures", plot_dir);
		f.dir = NULL;
	}
	snprintf(title, sizeof(title), "herdlab report: %s on Linux %s",
		 rundir_str(rd, "model", "?"), rundir_str(rd, "kernel.release", "?"));
	struct doc *d = doc_open(out, fmt, title);
	if (!d)
		return -1;
	section_summary(d, rd);
	if (rundir_traced(rd)) {
		section_accept(d, rd, &f);
		section_sched(d, rd, &f);
		section_proc(d, rd, &f);
		section_tcp(d, rd);
		section_decomposition(d, rd, &f);
		section_tracer(d, rd);
	} else {
		doc_para(d,
			 "This run was not traced (--no-trace): only the client's side is known.");
	}
	return doc_close(d);
}

/* ---- JSON -------------------------------------------------------------------------------------- */

static json_t *copy(const struct rundir *rd, const char *key)
{
	json_t *v = rundir_get(rd, key);

	return v ? json_deep_copy(v) : json_null();
}

static json_t *decomposition_json(const struct decomposition *x)
{
	return json_pack("{s:I, s:f, s:f, s:f, s:f, s:f}", "count", (json_int_t)x->n, "total_us",
			 x->total, "handshake_us", x->handshake, "accept_queue_wait_us", x->queue,
			 "server_us", x->server, "rest_us", x->rest);
}

json_t *report_json(const struct rundir *rd)
{
	json_t *o = json_object();
	int err = !o;

	err = err || jsonio_set_path(o, "run.model", copy(rd, "model")) ||
	      jsonio_set_path(o, "run.options", copy(rd, "options")) ||
	      jsonio_set_path(o, "run.kernel", copy(rd, "kernel")) ||
	      jsonio_set_path(o, "run.cpus", copy(rd, "cpus")) ||
	      jsonio_set_path(o, "run.start_time", copy(rd, "start_time")) ||
	      jsonio_set_path(o, "run.traced", copy(rd, "traced")) ||
	      jsonio_set_path(o, "summary.requests", copy(rd, "client.requests")) ||
	      jsonio_set_path(o, "summary.throughput", copy(rd, "client.throughput")) ||
	      jsonio_set_path(o, "summary.errors", copy(rd, "client.errors"));
	static const char *const lat[] = { "connect", "first_byte", "total" };
	for (int i = 0; !err && i < 3; i++) {
		char from[64], to[64];
		snprintf(from, sizeof(from), "client.latency_us.%s", lat[i]);
		snprintf(to, sizeof(to), "summary.latency_us.%s", lat[i]);
		json_t *v = copy(rd, from);
		json_object_del(v, "histogram");
		err = jsonio_set_path(o, to, v);
	}
	if (!err && rundir_traced(rd)) {
		static const char *const sections[] = { "accept", "sched", "proc", "tcp",
							"tracer" };
		for (int i = 0; !err && i < 5; i++) {
			char from[32];
			snprintf(from, sizeof(from), "trace.%s", sections[i]);
			err = jsonio_set_path(o, sections[i], copy(rd, from));
		}
	}
	if (!err && rd->match) {
		struct decomposition slow, all;
		report_decompose(rd->reqs, rd->nreqs, rd->conns, rd->match, REPORT_SLOWEST, &slow,
				 &all);
		err = jsonio_set_path(
			      o, "join.matched",
			      json_real(rd->nreqs ? (double)rd->matched / (double)rd->nreqs : 0)) ||
		      jsonio_set_path(o, "join.requests", json_integer((json_int_t)rd->nreqs)) ||
		      jsonio_set_path(o, "latency_decomposition.slowest_share",
				      json_real(REPORT_SLOWEST)) ||
		      jsonio_set_path(o, "latency_decomposition.slowest",
				      decomposition_json(&slow)) ||
		      jsonio_set_path(o, "latency_decomposition.all", decomposition_json(&all));
	}
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- the files herdlab run leaves -------------------------------------------------------------- */

static int write_one(const struct rundir *rd, const char *dir, const char *name,
		     enum doc_format fmt, bool redraw)
{
	char path[PATH_MAX + 16], tmp[PATH_MAX + 32], plot_dir[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(plot_dir, sizeof(plot_dir), "%s/plots", dir);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		log_warn("cannot write %s: %m", tmp);
		return -1;
	}
	int rc = report_write(rd, fmt, f, plot_dir, "plots", redraw);
	if (fclose(f) || rc < 0 || rename(tmp, path) < 0) {
		log_warn("cannot write %s", path);
		remove(tmp);
		return -1;
	}
	return 0;
}

int report_files(const char *dir)
{
	struct rundir rd;
	int rc;

	if (rundir_load(&rd, dir, true) < 0)
		return -1;
	rc = write_one(&rd, dir, "report.md", DOC_MD, true);
	rc |= write_one(&rd, dir, "report.html", DOC_HTML, false); /* the same figures, inline */
	rundir_free(&rd);
	return rc;
}
