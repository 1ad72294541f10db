/* SPDX-License-Identifier: MIT */
/*
 * trace_sections.c - what the tracer saw, as sections of a run's report
 * (sections.h): accept wakeups, scheduling, processes, TCP and the tracer's own
 * losses, with their figures.
 *
 * Everything is read from run.json's trace.* keys (keys.h) and, for the wakeups
 * per connection, from connections.csv; nothing is measured again. The plain
 * "metric | value" rows are tables of {label, key, decimals}; a section's code
 * is only what is not a plain row.
 */
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/keys.h"
#include "metrics/metrics.h"
#include "report/plot.h"
#include "report/sections.h"

#define N(a)	  (sizeof(a) / sizeof((a)[0]))
#define T(key)	  MK_DOT(MK_TRACE, key) /* a tracer's key, as run.json holds it */
#define WAKE_BARS 17 /* connections woke 0, 1, ... tasks (the last bar: that many or more) */
#define LABEL_MAX 32 /* a bar's label */

/* ---- accept wakeups ------------------------------------------------------------------------ */

/* The wait kinds in the order the report lists them (metrics_wait_name() names them). */
static const int wait_order[] = { WAIT_ACCEPT, WAIT_EPOLL, WAIT_SELECT, WAIT_POLL,
				  WAIT_SIGNAL, WAIT_URING, WAIT_LOCK,	WAIT_PASSFD };

static const struct report_row accept_rows[] = {
	{ "connections accepted", T(MK_ACCEPT_ACCEPTED), 0 },
	{ "accept wakeups", T(MK_ACCEPT_WAKEUPS), 0 },
	{ "herd factor (wakeups per accept)", T(MK_ACCEPT_WAKEUPS_PER_ACCEPT), 2 },
	{ "futile wakeups", T(MK_ACCEPT_FUTILE_WAKEUPS), 0 },
};

static const struct report_row accept_rows_after[] = {
	{ "accept calls returning EAGAIN", T(MK_ACCEPT_EAGAIN), 0 },
	{ "accepted through io_uring", T(MK_ACCEPT_URING_ACCEPTS), 0 },
};

static const struct report_row fairness_rows[] = {
	{ "fairness (Jain's index over workers)", T(MK_ACCEPT_FAIRNESS_JAIN), 3 },
	{ "busiest worker's accepts over the mean", T(MK_ACCEPT_FAIRNESS_MAX_OVER_MEAN), 2 },
};

static void fig_workers(struct doc *d, const struct rundir *rd, const struct report_figs *f)
{
	char file[PATH_MAX], link[PATH_MAX];
	json_t *tasks = rundir_get(rd, T(MK_ACCEPT_PER_TASK)), *t;
	size_t n = json_array_size(tasks), i;

	if (!n || !report_fig_paths(f, "accepts-per-worker", file, link))
		return;
	char(*labels)[LABEL_MAX] = calloc(n, sizeof(*labels));
	const char **names = calloc(n, sizeof(*names));
	double *v = calloc(n * 2, sizeof(*v));
	if (labels && names && v) {
		json_array_foreach(tasks, i, t)
		{
			snprintf(labels[i], sizeof(labels[i]), "%lld",
				 json_integer_value(json_object_get(t, MK_TASK_TID)));
			names[i] = labels[i];
			v[2 * i] = (double)json_integer_value(json_object_get(t, MK_TASK_ACCEPTED));
			v[2 * i + 1] =
				(double)json_integer_value(json_object_get(t, MK_TASK_WAKEUPS));
		}
		static const char *const series[] = { "connections accepted",
						      "times woken for a connection" };
		static const struct plot_axes ax = { "worker (task id)", "count", 0, 0, NULL };
		if (report_fig_reuse(f, file) || !plot_bars(file, &ax, names, n, series, 2, v))
			doc_figure(d, file, link,
				   "Each worker's share: the connections it accepted and the times "
				   "it was woken for one");
	}
	free(labels);
	free(names);
	free(v);
}

/* How many connections woke 0, 1, 2, ... tasks. */
static void fig_wakeups(struct doc *d, const struct rundir *rd, const struct report_figs *f)
{
	char file[PATH_MAX], link[PATH_MAX], labels[WAKE_BARS][8];
	const char *names[WAKE_BARS];
	double v[WAKE_BARS] = { 0 };
	size_t top = 0;

	if (!rd->nconns || !report_fig_paths(f, "wakeups-per-connection", file, link))
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
	static const struct plot_axes ax = {
		"tasks woken by its arrival (0: taken by a worker that was not asleep)",
		"new connections", 0, 0, NULL
	};
	if (report_fig_reuse(f, file) || !plot_bars(file, &ax, names, top + 1, series, 1, v))
		doc_figure(d, file, link, "The herd, connection by connection");
}

/* One row per worker: its share of the accepts and of the wakeups. */
static void workers_table(struct doc *d, const struct rundir *rd)
{
	json_t *tasks = rundir_get(rd, T(MK_ACCEPT_PER_TASK)), *t;
	size_t i;

	if (!json_array_size(tasks))
		return;
	doc_table(d, "lllrrrr", "task", "process", "comm", "accepted", "share", "woken", "futile");
	json_array_foreach(tasks, i, t)
	{
		doc_cell(d, false, "%lld", json_integer_value(json_object_get(t, MK_TASK_TID)));
		doc_cell(d, false, "%lld", json_integer_value(json_object_get(t, MK_TASK_TGID)));
		doc_cell(d, false, "%s",
			 json_string_value(json_object_get(t, MK_TASK_COMM)) ?: "?");
		doc_cell(d, false, "%lld",
			 json_integer_value(json_object_get(t, MK_TASK_ACCEPTED)));
		doc_cell(d, false, "%.1f%%",
			 100 * json_number_value(json_object_get(t, MK_TASK_SHARE)));
		doc_cell(d, false, "%lld", json_integer_value(json_object_get(t, MK_TASK_WAKEUPS)));
		doc_cell(d, false, "%lld", json_integer_value(json_object_get(t, MK_TASK_FUTILE)));
	}
	doc_table_end(d);
}

void section_accept(struct doc *d, const struct rundir *rd, const struct report_figs *f)
{
	char b[64], fut_s[32], wk_s[32];
	double acc = rundir_num(rd, T(MK_ACCEPT_ACCEPTED));
	double wk = rundir_num(rd, T(MK_ACCEPT_WAKEUPS));
	double fut = rundir_num(rd, T(MK_ACCEPT_FUTILE_WAKEUPS));

	doc_heading(d, "Accept wakeups");
	doc_para(d,
		 "Each new connection woke %s tasks on average (the herd factor); %s of %s accept "
		 "wakeups were futile: the task found nothing to accept and slept again.",
		 report_fmt_num(b, sizeof(b), rundir_num(rd, T(MK_ACCEPT_WAKEUPS_PER_ACCEPT)), 2),
		 report_fmt_num(fut_s, sizeof(fut_s), fut, 0),
		 report_fmt_num(wk_s, sizeof(wk_s), wk, 0));
	doc_table(d, "lr", "metric", "value");
	report_rows(d, rd, accept_rows, N(accept_rows));
	report_row(d, "futile wakeups per accept",
		   report_fmt_num(b, sizeof(b), acc > 0 ? fut / acc : NAN, 2));
	report_rows(d, rd, accept_rows_after, N(accept_rows_after));
	for (size_t i = 0; i < N(wait_order); i++) {
		const char *kind = metrics_wait_name(wait_order[i]);
		char label[64];
		if (!(report_num(rd, T(MK_ACCEPT_WAKEUPS_BY_WAIT), kind) > 0))
			continue;
		snprintf(label, sizeof(label), "wakeups waiting in %s", kind);
		report_row(d, label,
			   report_fmt_num(b, sizeof(b),
					  report_num(rd, T(MK_ACCEPT_WAKEUPS_BY_WAIT), kind), 0));
	}
	report_rows(d, rd, fairness_rows, N(fairness_rows));
	doc_table_end(d);
	workers_table(d, rd);
	fig_wakeups(d, rd, f);
	fig_workers(d, rd, f);
}

/* ---- scheduling ---------------------------------------------------------------------------- */

/* A kernel histogram's percentile, as run.json gives it (ns, within 1/16), in us. */
static double khist_us(const struct rundir *rd, const char *hist, const char *p)
{
	return report_num(rd, hist, p) / 1e3;
}

/* A kernel histogram of nanoseconds as bars, one per power of two (its slots added up). */
static void fig_khist(struct doc *d, const struct rundir *rd, const struct report_figs *f,
		      const char *key, const char *name, const struct plot_axes *ax,
		      const char *caption)
{
	char file[PATH_MAX], link[PATH_MAX];
	json_t *buckets = report_get(rd, key, MK_HIST_BUCKETS), *bk;
	double v[64] = { 0 };
	int first = -1, last = -1;
	size_t i;

	json_array_foreach(buckets, i, bk)
	{
		double low = json_number_value(json_array_get(bk, 0));
		int row = low >= 1 ? 63 - __builtin_clzll((unsigned long long)low) : 0;
		v[row] += json_number_value(json_array_get(bk, 2));
		if (first < 0 || row < first)
			first = row;
		if (row > last)
			last = row;
	}
	if (last < 0 || !report_fig_paths(f, name, file, link))
		return;
	size_t n = (size_t)(last - first + 1);
	char(*labels)[LABEL_MAX] = calloc(n, sizeof(*labels));
	const char **names = calloc(n, sizeof(*names));
	if (labels && names) {
		for (size_t r = 0; r < n; r++) {
			char us[24];
			int row = first + (int)r;
			report_fmt_us(us, sizeof(us), (row ? (double)(1ULL << row) : 0) / 1e3);
			snprintf(labels[r], sizeof(labels[r]), ">= %s", us);
			names[r] = labels[r];
		}
		static const char *const series[] = { "count" };
		if (report_fig_reuse(f, file) ||
		    !plot_bars(file, ax, names, n, series, 1, v + first))
			doc_figure(d, file, link, caption);
	}
	free(labels);
	free(names);
}

static const struct report_row sched_rows[] = {
	{ "context switches", T(MK_SCHED_SWITCHES), 0 },
	{ "switches per request", T(MK_SCHED_SWITCHES_PER_REQUEST), 2 },
	{ "voluntary (the task slept)", T(MK_SCHED_VOLUNTARY), 0 },
	{ "involuntary (preempted)", T(MK_SCHED_INVOLUNTARY), 0 },
	{ "migrations between CPUs", T(MK_SCHED_MIGRATIONS), 0 },
};

void section_sched(struct doc *d, const struct rundir *rd, const struct report_figs *f)
{
	doc_heading(d, "Scheduling");
	doc_table(d, "lr", "metric", "value");
	report_rows(d, rd, sched_rows, N(sched_rows));
	report_row_us(d, "CPU time of the server", rundir_num(rd, T(MK_SCHED_RUN_NS)) / 1e3);
	report_row_us(d, "run-queue latency p50",
		      khist_us(rd, T(MK_SCHED_RUNQ_LATENCY), MK_HIST_P50));
	report_row_us(d, "run-queue latency p99",
		      khist_us(rd, T(MK_SCHED_RUNQ_LATENCY), MK_HIST_P99));
	report_row_us(d, "time asleep p50", khist_us(rd, T(MK_SCHED_OFFCPU), MK_HIST_P50));
	doc_table_end(d);
	static const struct plot_axes runq = { "from wakeup to running, at least (one bar per "
					       "power of two)",
					       "task wakeups", 0, 0, NULL };
	fig_khist(d, rd, f, T(MK_SCHED_RUNQ_LATENCY), "runq-latency", &runq,
		  "Run-queue latency: how long woken tasks waited for a CPU");
}

/* ---- processes ----------------------------------------------------------------------------- */

/*
 * Whether every zombie came after the load had ended: the workers' own exits at
 * shutdown, a wall of them at the right edge and nothing to see. The trace begins
 * before the load, so a zombie later than the load's length after the trace began
 * is at or near the end of the load.
 */
static bool zombies_at_shutdown_only(const struct rundir *rd, json_t *pts)
{
	double load_ms = rundir_num(rd, MK_CLIENT_ELAPSED_S) * 1e3;
	json_t *p;
	size_t i;

	if (!(load_ms > 0))
		return false;
	json_array_foreach(pts, i, p)
	{
		if (json_number_value(json_array_get(p, 1)) > 0 &&
		    json_number_value(json_array_get(p, 0)) < load_ms)
			return false;
	}
	return true;
}

static void fig_zombies(struct doc *d, const struct rundir *rd, const struct report_figs *f)
{
	char file[PATH_MAX], link[PATH_MAX];
	json_t *pts = rundir_get(rd, T(MK_PROC_ZOMBIES_OVER_TIME)), *p;
	size_t n = json_array_size(pts), i;

	if (!n || !(rundir_num(rd, T(MK_PROC_ZOMBIES_PEAK)) > 0))
		return;
	if (zombies_at_shutdown_only(rd, pts)) {
		doc_para(d, "Every zombie came at shutdown, after the load: the workers' own exits "
			    "(no figure).");
		return;
	}
	if (!report_fig_paths(f, "zombies", file, link))
		return;
	/* From the start of the trace (none yet) to its end (the last count holds). */
	double *x = calloc(n + 2, sizeof(*x)), *y = calloc(n + 2, sizeof(*y));
	if (x && y) {
		json_array_foreach(pts, i, p)
		{
			x[i + 1] = json_number_value(json_array_get(p, 0)) / 1e3;
			y[i + 1] = json_number_value(json_array_get(p, 1));
		}
		double end = rundir_num(rd, T(MK_TRACER_DURATION_S));
		x[n + 1] = end > x[n] ? end : x[n];
		y[n + 1] = y[n];
		if (report_fig_reuse(f, file) || !plot_steps(file, "seconds since the trace began",
							     "zombie processes", x, y, n + 2))
			doc_figure(d, file, link,
				   "Zombies over time: processes exited and not yet reaped");
	}
	free(x);
	free(y);
}

static const struct report_row proc_rows[] = {
	{ "processes seen", T(MK_PROC_PROCESSES), 0 },
	{ "threads seen", T(MK_PROC_THREADS), 0 },
	{ "forks", T(MK_PROC_FORKS), 0 },
};

static const struct report_row zombie_rows[] = {
	{ "processes exited", T(MK_PROC_EXITS), 0 },
	{ "zombies at the peak", T(MK_PROC_ZOMBIES_PEAK), 0 },
	{ "zombies left unreaped", T(MK_PROC_UNREAPED), 0 },
};

/* Who reaped the zombies, by metrics_reaper_name(). */
static const struct {
	const char *label;
	int reaper; /* REAPED_* */
} reaper_rows[] = {
	{ "reaped by their parent", REAPED_PARENT },
	{ "reaped automatically (SIGCHLD ignored)", REAPED_AUTO },
	{ "reaped by init", REAPED_INIT },
};

/* A latency's p50 and p99 rows ("LABEL p50"), when it has samples. */
static void latency_rows(struct doc *d, const struct rundir *rd, const char *label, const char *key)
{
	char l[96];

	if (!(report_num(rd, key, MK_HIST_COUNT) > 0))
		return;
	snprintf(l, sizeof(l), "%s p50", label);
	report_row_us(d, l, khist_us(rd, key, MK_HIST_P50));
	snprintf(l, sizeof(l), "%s p99", label);
	report_row_us(d, l, khist_us(rd, key, MK_HIST_P99));
}

void section_proc(struct doc *d, const struct rundir *rd, const struct report_figs *f)
{
	char b[64];

	doc_heading(d, "Processes");
	doc_table(d, "lr", "metric", "value");
	report_rows(d, rd, proc_rows, N(proc_rows));
	latency_rows(d, rd, "fork latency", T(MK_PROC_FORK_LATENCY));
	latency_rows(d, rd, "first run after fork", T(MK_PROC_FIRST_RUN_LATENCY));
	report_rows(d, rd, zombie_rows, N(zombie_rows));
	for (size_t i = 0; i < N(reaper_rows); i++)
		report_row(d, reaper_rows[i].label,
			   report_fmt_num(b, sizeof(b),
					  report_num(rd, T(MK_PROC_REAPED_BY),
						     metrics_reaper_name(reaper_rows[i].reaper)),
					  0));
	if (report_num(rd, T(MK_PROC_ZOMBIE_LIFETIME), MK_HIST_COUNT) > 0) {
		report_row_us(d, "zombie lifetime p50",
			      report_num(rd, T(MK_PROC_ZOMBIE_LIFETIME), MK_HIST_P50));
		report_row_us(d, "zombie lifetime max",
			      report_num(rd, T(MK_PROC_ZOMBIE_LIFETIME), MK_HIST_MAX));
	}
	doc_table_end(d);
	fig_zombies(d, rd, f);
}

/* ---- TCP ----------------------------------------------------------------------------------- */

static const struct report_row tcp_rows[] = {
	{ "handshakes completed (ESTABLISHED)", T(MK_TCP_ESTABLISHED), 0 },
	{ "accept queue at its deepest", T(MK_TCP_ACCEPT_QUEUE_PEAK), 0 },
	{ "listen queue overflows", T(MK_TCP_LISTEN_OVERFLOWS), 0 },
	{ "SYNs dropped", T(MK_TCP_LISTEN_DROPS), 0 },
};

void section_tcp(struct doc *d, const struct rundir *rd)
{
	doc_heading(d, "TCP");
	doc_table(d, "lr", "metric", "value");
	report_rows(d, rd, tcp_rows, N(tcp_rows));
	doc_table_end(d);
	const char *scope =
		rundir_str(rd, T(MK_TCP_LISTEN_COUNTERS), MV_TCP_LISTEN_COUNTERS_SYSTEM_WIDE);
	if (!strcmp(scope, MV_TCP_LISTEN_COUNTERS_NETNS)) /* herdlab run --netns */
		doc_para(d,
			 "Overflows and drops are the kernel's counters of %s alone, from "
			 "before the server started to the end of the load.",
			 scope);
	else
		doc_para(d,
			 "Overflows and drops are the kernel's counters for the whole machine (%s) "
			 "over the traced interval.",
			 scope);
}

/* ---- the tracer ------------------------------------------------------------------------------ */

static const struct report_row tracer_rows[] = {
	{ "events lost (ring buffer full)", T(MK_TRACER_LOST_EVENTS), 0 },
	{ "records lost (map full)", T(MK_TRACER_MAP_FULL), 0 },
	{ "arrival wakeups without a connection", T(MK_TRACER_ARRIVALS_UNMATCHED), 0 },
	{ "traced seconds", T(MK_TRACER_DURATION_S), 2 },
};

void section_tracer(struct doc *d, const struct rundir *rd)
{
	json_t *raw = rundir_get(rd, T(MK_TRACER_RAW_TP));
	json_t *exact = rundir_get(rd, T(MK_TRACER_EXACT_ARRIVALS));

	doc_heading(d, "The tracer");
	doc_table(d, "lr", "metric", "value");
	report_rows(d, rd, tracer_rows, N(tracer_rows));
	report_row(d, "programs",
		   json_is_true(raw) ? "raw_tp (no BTF-typed tracepoints)" : "tp_btf");
	report_row(d, "accepts, forks and reaps seen at",
		   !strcmp(rundir_str(rd, T(MK_TRACER_ATTACH), ""), MV_TRACER_ATTACH_FEXIT)
			   ? "fexit (kernel functions; no system-call tracepoint)"
			   : "system-call tracepoints");
	report_row(
		d, "what a task waits in",
		!strcmp(rundir_str(rd, T(MK_TRACER_WAIT_FROM), ""), MV_TRACER_WAIT_FROM_REGISTERS)
			? "its registers, read as it sleeps"
			: "its system call, recorded on entry");
	report_row(d, "arrival attribution",
		   json_is_true(exact) ? "exact (sock:sk_data_ready)" : "time window (before 6.3)");
	doc_table_end(d);
	if (rundir_num(rd, T(MK_TRACER_LOST_EVENTS)) > 0 ||
	    rundir_num(rd, T(MK_TRACER_MAP_FULL)) > 0)
		doc_para(d, "Records were lost: counts that depend on them (zombies, connections) "
			    "are lower bounds.");
}
