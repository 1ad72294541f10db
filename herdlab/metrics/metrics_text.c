/* SPDX-License-Identifier: MIT */
/*
 * metrics_text.c - the text report of `herdlab trace`, and its -i lines (metrics.h).
 *
 * In the style of BCC's tools: sections of "label  value" rows in one column,
 * histograms in nanoseconds (labelled "nsecs", so that slot boundaries stay
 * exact integers) with a bar of stars, and warnings whenever the tracer missed
 * something, so that a lower bound never passes for a count.
 */
#include "metrics/metrics.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <time.h>

#define NSEC_PER_SEC	   1000000000ULL
#define REPORT_WORKERS_MAX 32 /* rows of the per-worker table */
#define REPORT_LABEL_WIDTH 18 /* the labels column of the text report */
#define STARS_WIDTH	   40 /* the bar of a log2 histogram row */

/* @ns for people: "812 ns", "12.3 us", "4.56 ms", "1.234 s". */
static const char *fmt_ns(char *buf, size_t len, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 " ns", ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else if (ns < NSEC_PER_SEC)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.3f s", ns / 1e9);
	return buf;
}

/* One line of a section: "  label               value", the values in one column. */
static void __attribute__((format(printf, 3, 4)))
print_row(FILE *f, const char *label, const char *fmt, ...)
{
	va_list ap;

	fprintf(f, "  %-*s ", REPORT_LABEL_WIDTH, label);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

static void print_count(FILE *f, const char *label, uint64_t v)
{
	print_row(f, label, "%" PRIu64, v);
}

static void print_stars(FILE *f, uint64_t v, uint64_t max)
{
	int stars = max ? (int)((double)v * STARS_WIDTH / (double)max) : 0;

	fprintf(f, "|%.*s%*s|", stars, "****************************************",
		STARS_WIDTH - stars, "");
}

/*
 * A kernel histogram in BCC's layout, in nanoseconds: one row per power of two (its 16
 * slots added up), from the first non-empty row rather than from 0 -- in ns, a latency
 * of microseconds would otherwise sit under ten rows of zeros. The percentiles come from
 * the slots themselves, within 1/16.
 */
static void print_hist(FILE *f, const char *title, const struct herd_histogram *kh)
{
	uint64_t rows[64] = { 0 }, max = 0;
	int first = -1, last = -1, width;
	char p50[32], p90[32], p99[32];
	struct hist h;

	if (metrics_kernel_hist(kh, &h) < 0)
		return;
	for (size_t i = 0; i < h.counts_len; i++) {
		uint64_t low = hist_index_low(&h, i);
		int row = low ? 63 - __builtin_clzll(low) : 0;
		rows[row] += h.counts[i];
	}
	for (int i = 0; i < 64; i++) {
		if (rows[i] && first < 0)
			first = i;
		if (rows[i])
			last = i;
		if (rows[i] > max)
			max = rows[i];
	}
	fprintf(f, "\n  %s", title);
	if (last < 0) {
		fprintf(f, ": no samples\n");
		hist_free(&h);
		return;
	}
	fprintf(f, " (%" PRIu64 " samples, p50 %s, p90 %s, p99 %s)\n", h.total,
		fmt_ns(p50, sizeof(p50), hist_percentile(&h, 50)),
		fmt_ns(p90, sizeof(p90), hist_percentile(&h, 90)),
		fmt_ns(p99, sizeof(p99), hist_percentile(&h, 99)));
	width = last < 33 ? 10 : 20; /* 2^33 - 1 has 10 digits */
	fprintf(f, "%*s%-*s : count     distribution\n", width - 5, "", width + 9, "nsecs");
	for (int i = first; i <= last; i++) {
		fprintf(f, "%*llu -> %-*llu : %-9" PRIu64 " ", width, i ? 1ULL << i : 0ULL, width,
			(2ULL << i) - 1, rows[i]);
		print_stars(f, rows[i], max);
		fputc('\n', f);
	}
	hist_free(&h);
}

static void print_workers(FILE *f, const struct trace_metrics *m)
{
	uint64_t sum = metrics_workers_accepted(m);
	size_t rows = m->nworkers < REPORT_WORKERS_MAX ? m->nworkers : REPORT_WORKERS_MAX;

	fprintf(f, "\n  %-8s %-16s %10s %7s %10s %10s\n", "TID", "COMM", "ACCEPTED", "SHARE",
		"WAKEUPS", "FUTILE");
	for (size_t i = 0; i < rows; i++) {
		const struct worker_share *w = &m->workers[i];

		fprintf(f,
			"  %-8" PRIu32 " %-16s %10" PRIu64 " %6.1f%% %10" PRIu64 " %10" PRIu64 "\n",
			w->tid, w->comm[0] ? w->comm : "-", w->accepted,
			100 * metrics_ratio(w->accepted, sum), w->wakeups, w->futile);
	}
	if (m->nworkers > rows)
		fprintf(f, "  ... %zu more\n", m->nworkers - rows);
}

static void print_accept(FILE *f, const struct trace_metrics *m, const struct trace_result *r)
{
	fprintf(f, "\naccept\n");
	print_count(f, "accepted", m->accepted);
	print_count(f, "wakeups", m->wakeups);
	for (int k = WAIT_NONE + 1; k < WAIT_KINDS; k++)
		if (m->wakeups_by[k])
			print_row(f, "", "%" PRIu64 " in %s", m->wakeups_by[k],
				  metrics_wait_name(k));
	print_row(f, "herd factor", "%.2f wakeups per accept", m->herd_factor);
	print_count(f, "futile wakeups", m->futile);
	print_count(f, "accept EAGAIN", m->eagain);
	if (!m->nworkers)
		return;
	print_workers(f, m);
	print_row(f, "fairness", "Jain %.3f (1 = even), busiest %.2fx the mean, %zu workers",
		  m->fairness, m->max_share, m->nworkers);
}

static void print_sched(FILE *f, const struct trace_metrics *m, const struct trace_result *r)
{
	char buf[32];

	fprintf(f, "\nscheduling\n");
	print_row(f, "switches", "%" PRIu64 " (voluntary %" PRIu64 ", involuntary %" PRIu64 ")",
		  m->switches, m->voluntary, m->involuntary);
	print_row(f, "per request", "%.2f", m->switches_per_request);
	print_count(f, "migrations", m->migrations);
	print_row(f, "CPU time", "%s", fmt_ns(buf, sizeof(buf), m->run_ns));
	print_hist(f, "run-queue latency", &r->hist[HIST_RUNQ]);
	print_hist(f, "off-CPU time", &r->hist[HIST_OFFCPU]);
}

static void print_zombies(FILE *f, const struct trace_metrics *m)
{
	const struct hist *h = &m->zombie_lifetime;
	char p50[32], p99[32], max[32];

	print_count(f, "zombies peak", m->zombies_peak);
	print_count(f, "unreaped", m->unreaped);
	print_row(f, "reaped by", "%s %" PRIu64 ", %s %" PRIu64 ", %s %" PRIu64,
		  metrics_reaper_name(REAPED_PARENT), m->reaped_by[REAPED_PARENT],
		  metrics_reaper_name(REAPED_AUTO), m->reaped_by[REAPED_AUTO],
		  metrics_reaper_name(REAPED_INIT), m->reaped_by[REAPED_INIT]);
	if (!h->total) {
		print_row(f, "zombie lifetime", "no samples");
		return;
	}
	print_row(f, "zombie lifetime", "p50 %s, p99 %s, max %s (%" PRIu64 " measured)",
		  fmt_ns(p50, sizeof(p50), hist_percentile(h, 50)),
		  fmt_ns(p99, sizeof(p99), hist_percentile(h, 99)),
		  fmt_ns(max, sizeof(max), h->max), h->total);
}

/* Who reaped: "herdsrv (1234) 1009, herdlab (99) 1". */
static void print_reapers(FILE *f, const struct trace_metrics *m)
{
	if (!m->nreapers)
		return;
	fprintf(f, "  %-18s ", "reapers");
	for (size_t i = 0; i < m->nreapers; i++)
		fprintf(f, "%s%s (%u) %" PRIu64, i ? ", " : "", m->reapers[i].comm,
			m->reapers[i].pid, m->reapers[i].reaped);
	fputc('\n', f);
}

static void print_proc(FILE *f, const struct trace_metrics *m, const struct trace_result *r)
{
	fprintf(f, "\nprocesses\n");
	print_count(f, "processes", m->processes);
	print_count(f, "threads", m->threads);
	print_count(f, "forks", m->forks);
	print_count(f, "exits", m->exits);
	print_zombies(f, m);
	print_reapers(f, m);
	print_hist(f, "fork latency (in the parent)", &r->hist[HIST_FORK]);
	print_hist(f, "first-run latency (child created -> on a CPU)", &r->hist[HIST_FIRST_RUN]);
}

static void print_tcp(FILE *f, const struct trace_metrics *m)
{
	fprintf(f, "\ntcp\n");
	print_count(f, "established", m->established);
	print_count(f, "accept queue peak", m->queue_peak);
	print_row(f, "listen overflows", "%" PRIu64 " (system-wide)", m->listen_overflows);
	print_row(f, "listen drops", "%" PRIu64 " (system-wide)", m->listen_drops);
}

/* Always printed, zeros included: what the tracer could not record is never silent. */
static void print_tracer(FILE *f, const struct trace_metrics *m, const struct trace_result *r)
{
	uint64_t unmatched = r->totals.arrivals_unmatched;

	fprintf(f, "\ntracer\n");
	print_count(f, "lost events", m->lost_events);
	print_count(f, "full maps", m->map_full);
	print_count(f, "unmatched arrivals", unmatched);
	print_row(f, "programs", "%s%s", r->raw_tp ? "raw_tp" : "tp_btf",
		  r->uring_accepts ? ", io_uring accepts counted" : "");
	print_row(f, "accepts, forks, reaps", "%s",
		  r->attach == ATTACH_FEXIT ? "at fexit (no system-call tracepoint)"
					    : "at system-call tracepoints");
	print_row(f, "waits", "%s",
		  r->wait_from_regs ? "read from registers at sleep"
				    : "recorded at system call entry");
	print_row(f, "task records", "%s",
		  r->task_storage ? "in task-local storage" : "in a hash by thread id");
	print_row(f, "arrivals", "%s",
		  r->exact_arrivals
			  ? "delimited by sk_data_ready (exact)"
			  : "within 200 us of the handshake (no sk_data_ready before 6.3)");
	if (m->lost_events || m->map_full)
		fprintf(f,
			"WARNING: the tracer missed events (%" PRIu64 " lost, %" PRIu64
			" map updates failed): the counts above are lower bounds\n",
			m->lost_events, m->map_full);
	if (unmatched)
		fprintf(f,
			"WARNING: %" PRIu64
			" wakeups in an arrival window had no connection record\n",
			unmatched);
}

void metrics_print(FILE *f, const struct trace_metrics *m, const struct trace_result *r)
{
	fprintf(f, "traced %.3f s, %zu tasks (%" PRIu64 " processes, %" PRIu64 " threads)\n",
		m->duration_s, r->ntasks, m->processes, m->threads);
	print_accept(f, m, r);
	print_sched(f, m, r);
	print_proc(f, m, r);
	print_tcp(f, m);
	print_tracer(f, m, r);
}

/* now - prev for a counter that only grows (0 if it went back). */
static uint64_t delta(uint64_t now, uint64_t prev)
{
	return now > prev ? now - prev : 0;
}

/*
 * Counts are per interval, not per second: @seconds is the interval the caller asked for,
 * already in its header, and a rate would hide how many events the line stands for.
 */
void metrics_print_interval(FILE *f, const struct trace_metrics *now,
			    const struct trace_metrics *prev, double seconds)
{
	static const struct trace_metrics zero;
	uint64_t accepts, wakeups;
	char clock[16];
	time_t t = time(NULL);
	struct tm tm;

	(void)seconds;
	if (!prev)
		prev = &zero;
	accepts = delta(now->accepted, prev->accepted);
	wakeups = delta(now->wakeups, prev->wakeups);
	if (!localtime_r(&t, &tm) || !strftime(clock, sizeof(clock), "%H:%M:%S", &tm))
		snprintf(clock, sizeof(clock), "--:--:--");
	fprintf(f,
		"%s  accepts %" PRIu64 "  wakeups %" PRIu64 "  herd %.2f  futile %" PRIu64
		"  switches %" PRIu64 "  forks %" PRIu64 "  zombies %" PRIu64 "\n",
		clock, accepts, wakeups, metrics_ratio(wakeups, accepts),
		delta(now->futile, prev->futile), delta(now->switches, prev->switches),
		delta(now->forks, prev->forks), metrics_zombies_now(now));
}
