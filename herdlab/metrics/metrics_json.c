/* SPDX-License-Identifier: MIT */
/*
 * metrics_json.c - run.json's "trace" and "join" objects (metrics.h).
 *
 * The trace object holds DESIGN.md's dotted keys (keys.h) as nested objects:
 * the plain numbers of struct trace_metrics come from one table (key, field),
 * the rest (histograms, per-task shares, the zombie series, how the tracer
 * ran) each from a small builder. Log2 histograms are given as their non-empty
 * slots plus two percentiles, in nanoseconds; the exact zombie lifetimes in
 * microseconds.
 *
 * The join object matches herdload's requests to the kernel's connections
 * (join.h) and gives the spectra of the parts join_parts() cuts each request
 * into, so that run.json and the reports decompose with one definition.
 */
#include "metrics/metrics.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "metrics/fates.h"
#include "metrics/join.h"
#include "metrics/keys.h"

#define NSEC_PER_SEC	  1000000000ULL
#define SPECTRUM_HIGHEST  (3600 * NSEC_PER_SEC) /* the join's parts: up to an hour */
#define ZOMBIE_POINTS_MAX 500			/* proc.zombies_over_time, downsampled */

/* json_int_t is signed 64-bit: counts beyond INT64_MAX saturate. */
static json_t *jcount(uint64_t n)
{
	return json_integer(n > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)n);
}

/* ---- the plain numbers ---------------------------------------------------------------------- */

/* A number of the trace object that is a field of struct trace_metrics. */
struct number {
	const char *key; /* where it goes */
	size_t off;	 /* the field */
	bool real;	 /* a double; otherwise a uint64_t count */
};

#define COUNT(key, field)                                         \
	{                                                         \
		key, offsetof(struct trace_metrics, field), false \
	}
#define REAL(key, field)                                         \
	{                                                        \
		key, offsetof(struct trace_metrics, field), true \
	}

static const struct number numbers[] = {
	COUNT(MK_ACCEPT_ACCEPTED, accepted),
	COUNT(MK_ACCEPT_WAKEUPS, wakeups),
	REAL(MK_ACCEPT_WAKEUPS_PER_ACCEPT, herd_factor),
	COUNT(MK_ACCEPT_FUTILE_WAKEUPS, futile),
	COUNT(MK_ACCEPT_EAGAIN, eagain),
	REAL(MK_ACCEPT_FAIRNESS_JAIN, fairness),
	REAL(MK_ACCEPT_FAIRNESS_MAX_OVER_MEAN, max_share),
	COUNT(MK_SCHED_SWITCHES, switches),
	COUNT(MK_SCHED_VOLUNTARY, voluntary),
	COUNT(MK_SCHED_INVOLUNTARY, involuntary),
	COUNT(MK_SCHED_MIGRATIONS, migrations),
	REAL(MK_SCHED_SWITCHES_PER_REQUEST, switches_per_request),
	COUNT(MK_SCHED_RUN_NS, run_ns),
	COUNT(MK_PROC_PROCESSES, processes),
	COUNT(MK_PROC_THREADS, threads),
	COUNT(MK_PROC_FORKS, forks),
	COUNT(MK_PROC_EXITS, exits),
	COUNT(MK_PROC_ZOMBIES_PEAK, zombies_peak),
	COUNT(MK_PROC_UNREAPED, unreaped),
	COUNT(MK_TCP_ESTABLISHED, established),
	COUNT(MK_TCP_ACCEPT_QUEUE_PEAK, queue_peak),
	COUNT(MK_TCP_LISTEN_OVERFLOWS, listen_overflows),
	COUNT(MK_TCP_LISTEN_DROPS, listen_drops),
	COUNT(MK_TRACER_LOST_EVENTS, lost_events),
	COUNT(MK_TRACER_MAP_FULL, map_full),
	REAL(MK_TRACER_DURATION_S, duration_s),
};

/* The kernel's histograms, by key. */
static const struct {
	const char *key;
	int hist; /* HIST_* */
} kernel_hists[] = {
	{ MK_SCHED_RUNQ_LATENCY, HIST_RUNQ },
	{ MK_SCHED_OFFCPU, HIST_OFFCPU },
	{ MK_PROC_FORK_LATENCY, HIST_FORK },
	{ MK_PROC_FIRST_RUN_LATENCY, HIST_FIRST_RUN },
};

/* ---- histograms ----------------------------------------------------------------------------- */

/*
 * A kernel histogram in nanoseconds: lib/hist's JSON (count, percentiles, [[low, high,
 * count], ...]) and its resolution: every value is within 1/16 of the truth.
 */
static json_t *kernel_hist_json(const struct herd_histogram *kh)
{
	struct hist h;
	json_t *o;

	if (metrics_kernel_hist(kh, &h) < 0)
		return NULL;
	o = jsonio_hist(&h, 1.0);
	hist_free(&h);
	if (o && (json_object_set_new(o, MK_HIST_UNIT, json_string("ns")) ||
		  json_object_set_new(o, MK_HIST_RESOLUTION, json_real(1.0 / HERD_HIST_HALF)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* An exact histogram of nanoseconds, in microseconds; with @buckets or without. */
static json_t *hist_us(const struct hist *h, bool buckets)
{
	json_t *o = jsonio_hist(h, 1000.0);

	if (o && !buckets)
		json_object_del(o, MK_HIST_BUCKETS);
	return o;
}

/* proc.zombie_lifetime: the exact histogram, in microseconds. */
static json_t *lifetime_json(const struct trace_metrics *m)
{
	json_t *o = hist_us(&m->zombie_lifetime, true);

	if (o && json_object_set_new(o, MK_HIST_UNIT, json_string("us")) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- the rest of the trace object ----------------------------------------------------------- */

/* An object of @n counters, counter i named by @name(@first + i). */
static json_t *named_counts(const char *(*name)(int), int first, const uint64_t *v, int n)
{
	json_t *o = json_object();

	for (int i = 0; o && i < n; i++) {
		if (json_object_set_new(o, name(first + i), jcount(v[i])) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static json_t *worker_json(const struct worker_share *w, uint64_t sum)
{
	return json_pack("{s:I, s:I, s:s, s:o, s:o, s:o, s:f}", MK_TASK_TID, (json_int_t)w->tid,
			 MK_TASK_TGID, (json_int_t)w->tgid, MK_TASK_COMM, w->comm, MK_TASK_ACCEPTED,
			 jcount(w->accepted), MK_TASK_WAKEUPS, jcount(w->wakeups), MK_TASK_FUTILE,
			 jcount(w->futile), MK_TASK_SHARE, metrics_ratio(w->accepted, sum));
}

static json_t *per_task_json(const struct trace_metrics *m)
{
	uint64_t sum = metrics_workers_accepted(m);
	json_t *a = json_array();

	for (size_t i = 0; a && i < m->nworkers; i++) {
		if (json_array_append_new(a, worker_json(&m->workers[i], sum))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* [t_ms, count]; json_array_append_new() releases it if it cannot be added. */
static int append_point(json_t *a, const struct zombie_point *p)
{
	return json_array_append_new(a, json_pack("[f,I]", p->t_ns / 1e6, (json_int_t)p->count));
}

/*
 * At most ZOMBIE_POINTS_MAX points. A longer series is cut into ZOMBIE_POINTS_MAX - 1
 * equal runs, each standing for its highest point, so the peak survives; its last point
 * (the count at the end) follows them.
 */
static json_t *zombies_json(const struct trace_metrics *m)
{
	size_t n = m->nzombies;
	bool thin = n > ZOMBIE_POINTS_MAX;
	size_t body = thin ? n - 1 : n;			/* the points cut into runs */
	size_t runs = thin ? ZOMBIE_POINTS_MAX - 1 : n; /* one point each */
	json_t *a = json_array();
	int err = 0;

	if (!a)
		return NULL;
	for (size_t k = 0; k < runs && !err; k++) {
		size_t lo = k * body / runs, hi = (k + 1) * body / runs, best = lo;

		for (size_t i = lo; i < hi; i++)
			if (m->zombies[i].count > m->zombies[best].count)
				best = i;
		err = append_point(a, &m->zombies[best]);
	}
	if (thin && !err)
		err = append_point(a, &m->zombies[n - 1]);
	if (err) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/*
 * jsonio_set_path() consumes its value, a NULL one included (it then fails, as
 * json_pack() does after releasing its "o" arguments), so one check at the end
 * covers every allocation.
 */
static int put_numbers(json_t *o, const struct trace_metrics *m)
{
	int err = 0;

	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		const char *p = (const char *)m + numbers[i].off;

		err |= jsonio_set_path(o, numbers[i].key,
				       numbers[i].real ? json_real(*(const double *)p)
						       : jcount(*(const uint64_t *)p));
	}
	return err;
}

static int put_objects(json_t *o, const struct trace_metrics *m, const struct trace_result *r)
{
	int err = 0;

	for (size_t i = 0; i < sizeof(kernel_hists) / sizeof(kernel_hists[0]); i++)
		err |= jsonio_set_path(o, kernel_hists[i].key,
				       kernel_hist_json(&r->hist[kernel_hists[i].hist]));
	err |= jsonio_set_path(
		o, MK_ACCEPT_WAKEUPS_BY_WAIT,
		named_counts(metrics_wait_name, WAIT_NONE + 1, m->wakeups_by + 1, WAIT_KINDS - 1));
	err |= jsonio_set_path(o, MK_ACCEPT_PER_TASK, per_task_json(m));
	err |= jsonio_set_path(o, MK_PROC_ZOMBIE_LIFETIME, lifetime_json(m));
	err |= jsonio_set_path(o, MK_PROC_REAPED_BY,
			       named_counts(metrics_reaper_name, 0, m->reaped_by, REAPERS));
	err |= jsonio_set_path(o, MK_PROC_ZOMBIES_OVER_TIME, zombies_json(m));
	return err;
}

/* What the tracer could not see, and how it ran. */
static int put_tracer(json_t *o, const struct trace_result *r)
{
	int err = 0;

	err |= jsonio_set_path(o, MK_TCP_LISTEN_COUNTERS,
			       json_string(MV_TCP_LISTEN_COUNTERS_SYSTEM_WIDE));
	err |= jsonio_set_path(o, MK_TRACER_ARRIVALS_UNMATCHED,
			       jcount(r->totals.arrivals_unmatched));
	err |= jsonio_set_path(o, MK_TRACER_RAW_TP, json_boolean(r->raw_tp));
	err |= jsonio_set_path(o, MK_TRACER_ATTACH, json_string(attach_name(r->attach)));
	err |= jsonio_set_path(o, MK_TRACER_WAIT_FROM,
			       json_string(r->wait_from_regs ? MV_TRACER_WAIT_FROM_REGISTERS
							     : MV_TRACER_WAIT_FROM_SYS_ENTER));
	err |= jsonio_set_path(o, MK_TRACER_RECORDS,
			       json_string(r->task_storage ? MV_TRACER_RECORDS_TASK_STORAGE
							   : MV_TRACER_RECORDS_HASH));
	err |= jsonio_set_path(o, MK_TRACER_URING_ACCEPTS_COUNTED, json_boolean(r->uring_accepts));
	err |= jsonio_set_path(o, MK_TRACER_EXACT_ARRIVALS, json_boolean(r->exact_arrivals));
	err |= jsonio_set_path(o, MK_ACCEPT_URING_ACCEPTS, jcount(r->totals.uring_accepts));
	return err;
}

json_t *metrics_json_ids(const uint32_t *ids, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_integer(ids[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* proc.reapers: [{pid, comm, reaped, by}], so that "reaped by parent" names the parent. */
static json_t *reapers_json(const struct trace_metrics *m)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < m->nreapers; i++) {
		const struct reaper *p = &m->reapers[i];
		if (json_array_append_new(a, json_pack("{s:I, s:s, s:I, s:s}", MK_REAPER_PID,
						       (json_int_t)p->pid, MK_REAPER_COMM, p->comm,
						       MK_REAPER_REAPED, (json_int_t)p->reaped,
						       MK_REAPER_BY, metrics_reaper_name(p->by)))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *metrics_json(const struct trace_metrics *m, const struct trace_result *r)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (put_numbers(o, m) | put_objects(o, m, r) | put_tracer(o, r) |
	    jsonio_set_path(o, MK_PROC_REAPERS, reapers_json(m)) |
	    jsonio_set_path(o, MK_TRACER_PROGRAM_IDS, metrics_json_ids(r->prog_ids, r->nprog_ids)) |
	    jsonio_set_path(o, MK_TRACER_LINK_IDS, metrics_json_ids(r->link_ids, r->nlink_ids)) |
	    jsonio_set_path(o, MK_TRACER_MAP_IDS, metrics_json_ids(r->map_ids, r->nmap_ids)) |
	    jsonio_set_path(o, MK_FATES, fates_json(r))) {
		json_decref(o);
		errno = ENOMEM;
		return NULL;
	}
	return o;
}

/* ---- the join ------------------------------------------------------------------------------- */

/* The parts of a request, in the order of their spectra below. */
enum { PART_HANDSHAKE, PART_QUEUE, PART_SERVER_FIRST, PART_SERVER_LAST, PARTS };

static const char *const part_keys[PARTS] = {
	[PART_HANDSHAKE] = MK_JOIN_HANDSHAKE_US,
	[PART_QUEUE] = MK_JOIN_ACCEPT_QUEUE_WAIT_US,
	[PART_SERVER_FIRST] = MK_JOIN_SERVER_TO_FIRST_BYTE_US,
	[PART_SERVER_LAST] = MK_JOIN_SERVER_TO_LAST_BYTE_US,
};

/* The spectra of every request join_parts() can cut, into @root. */
static int put_parts(json_t *root, const struct client_req *reqs, size_t n,
		     const struct herd_conn *conns, const ssize_t *match)
{
	struct hist h[PARTS];
	int err = 0, k;

	for (k = 0; k < PARTS; k++)
		if (hist_init(&h[k], SPECTRUM_HIGHEST) < 0)
			break;
	if (k < PARTS) {
		while (k-- > 0)
			hist_free(&h[k]);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct join_parts p;

		if (!join_parts(&reqs[i], match[i] >= 0 ? &conns[match[i]] : NULL, &p))
			continue;
		hist_record(&h[PART_HANDSHAKE], p.handshake_ns);
		hist_record(&h[PART_QUEUE], p.queue_ns);
		hist_record(&h[PART_SERVER_FIRST], p.server_first_ns);
		hist_record(&h[PART_SERVER_LAST], p.server_last_ns);
	}
	for (k = 0; k < PARTS; k++) {
		err |= jsonio_set_path(root, part_keys[k], hist_us(&h[k], false));
		hist_free(&h[k]);
	}
	return err;
}

/* The matching, and the parts of the requests matched, into @root's "join". */
static int put_join(json_t *root, const struct client_req *reqs, size_t n,
		    const struct trace_result *r)
{
	ssize_t *match = calloc(n + 1, sizeof(*match)), *fmatch = calloc(n + 1, sizeof(*fmatch));
	ssize_t matched = match ? join_requests(reqs, n, r->conns, r->nconns, match) : -ENOMEM;
	int err = matched < 0 || !fmatch ||
		  join_failures(reqs, n, r->fates, r->nfates, fmatch, NULL) < 0;

	/* A failed request is matched when its connection, or else its fate, is found. */
	for (size_t i = 0; !err && i < n; i++)
		matched += match[i] < 0 && fmatch[i] >= 0;
	if (!err)
		err = jsonio_set_path(root, MK_JOIN_MATCHED,
				      json_real(n ? (double)matched / (double)n : 0.0)) |
		      jsonio_set_path(root, MK_JOIN_REQUESTS, json_integer((json_int_t)n)) |
		      jsonio_set_path(root, MK_JOIN_REQUESTS_MATCHED,
				      json_integer((json_int_t)matched)) |
		      jsonio_set_path(root, MK_JOIN_CONNECTIONS,
				      json_integer((json_int_t)r->nconns)) |
		      put_parts(root, reqs, n, r->conns, match) |
		      fates_join_json(root, reqs, n, r->fates, fmatch);
	free(match);
	free(fmatch);
	return err;
}

json_t *metrics_join_json(const char *requests_csv, const struct trace_result *r)
{
	struct client_req *reqs = NULL;
	ssize_t n = csv_read_requests(requests_csv, &reqs, NULL);
	json_t *root = json_object(), *join = NULL;
	int err = !root;

	if (!err && n < 0)
		err = jsonio_set_path(root, MK_JOIN_ERROR, json_string("requests.csv unreadable"));
	else if (!err)
		err = put_join(root, reqs, (size_t)n, r);
	free(reqs);
	/* The keys are run.json's full names: the object under "join" is the one wanted. */
	if (!err && (join = json_object_get(root, MK_JOIN)))
		json_incref(join);
	json_decref(root);
	if (!join)
		errno = ENOMEM;
	return join;
}
