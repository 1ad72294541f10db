/* SPDX-License-Identifier: MIT */
/*
 * metrics.c - DESIGN.md's metrics from the tracer's records, and their outputs.
 *
 * The kernel side counts per task and keeps a few global totals; everything that
 * needs a definition is decided here, in plain arithmetic that the unit tests run
 * on records built by hand:
 *
 *   - The herd factor is accept wakeups over accepts. Wakeups are summed over the
 *     wait kinds (WAIT_NONE is never a wakeup); accepts come from the global
 *     totals, which a full task map cannot lose.
 *   - A worker is a task that accepted a connection or was woken for one. Jain's
 *     index over the workers' accepts is 1 when they share evenly and 1/n when one
 *     of n does everything; with no workers, or no accepts among them, there is
 *     nothing to share and the index is 0, a value outside [1/n, 1] that reads as
 *     "undefined". Shares (per task, max over mean) are of the workers' accepts.
 *   - The zombie series steps +1 at every exit and -1 at every reap. Steps at the
 *     same nanosecond are merged into one point holding the count after all of
 *     them, so a child reaped at the instant it exited (SIG_IGN) never shows, and
 *     the count is never negative: a reap is only counted for a process whose
 *     exit was seen, and never before that exit (a reap stamped earlier is moved
 *     to it). Processes reaped without a seen exit (they exited before tracing
 *     began) count in reaped_by only.
 *   - Log2 histograms come from the kernel as 40 slots: slot 0 holds [0, 2),
 *     slot i holds [2^i, 2^(i+1)), and the last slot also holds everything
 *     longer. Their percentiles are the top of the slot holding the rank: an
 *     upper bound, good to a factor of two, as in BCC's tools.
 *
 * Outputs: trace.json (DESIGN's dotted keys as nested objects), a text report in
 * the style of BCC's tools (histograms in nanoseconds, labelled "nsecs", so that
 * slot boundaries stay exact integers), a one-line interval summary, and two CSV
 * tables written atomically through jsonio_save_with().
 */
#include "metrics/metrics.h"
#include "metrics/statistics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonio.h"

#define NSEC_PER_SEC	   1000000000ULL
#define LIFETIME_HIGHEST   (3600 * NSEC_PER_SEC) /* zombie lifetimes: up to an hour */
#define ZOMBIE_POINTS_MAX  500			 /* proc.zombies_over_time, downsampled */
#define REPORT_WORKERS_MAX 32			 /* rows of the per-worker table */
#define REPORT_LABEL_WIDTH 18			 /* the labels column of the text report */
#define STARS_WIDTH	   40			 /* the bar of a log2 histogram row */
#define COMM_LEN	   16			 /* struct herd_task's comm */
#define CONNECTIONS_CSV_HEADER                                            \
	"client_addr,client_port,server_port,established_ns,accepted_ns," \
	"accept_tid,closed_ns,wakeups\n"
#define TASKS_CSV_HEADER                                                                     \
	"tid,tgid,ppid,comm,role,switches,voluntary,involuntary,migrations,run_ns,accepted," \
	"eagain,futile,wakeups\n"

static const char *const wait_names[WAIT_KINDS] = {
	[WAIT_NONE] = "none",	  [WAIT_ACCEPT] = "accept", [WAIT_EPOLL] = "epoll",
	[WAIT_SELECT] = "select", [WAIT_POLL] = "poll",	    [WAIT_LOCK] = "lock",
	[WAIT_PASSFD] = "passfd", [WAIT_SIGNAL] = "signal", [WAIT_URING] = "uring",
};

static const char *const reaper_names[REAPERS] = {
	[REAPED_PARENT] = "parent",
	[REAPED_AUTO] = "auto",
	[REAPED_INIT] = "init",
};

const char *metrics_wait_name(int kind)
{
	return kind >= 0 && kind < WAIT_KINDS ? wait_names[kind] : "unknown";
}

/* ---- computing ------------------------------------------------------------------------------ */

/* @a / @b, or 0 when @b is 0. */
static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

/* A task's accept wakeups over every wait kind. */
static uint64_t task_wakeups(const struct herd_task *t)
{
	uint64_t n = 0;

	for (int k = WAIT_NONE + 1; k < WAIT_KINDS; k++)
		n += t->wakeups[k];
	return n;
}

static bool is_worker(const struct herd_task *t)
{
	return t->accepted || task_wakeups(t);
}

/* The counters that come straight from the collected totals. */
static void copy_totals(const struct trace_result *r, struct trace_metrics *m)
{
	m->accepted = r->totals.accepted;
	m->forks = r->totals.forks;
	m->exits = r->totals.exits;
	m->established = r->totals.established;
	m->listen_overflows = r->listen_overflows;
	m->listen_drops = r->listen_drops;
	m->lost_events = r->totals.lost_events;
	m->map_full = r->totals.map_full;
	m->duration_s = r->end_ns > r->start_ns ? (double)(r->end_ns - r->start_ns) / 1e9 : 0.0;
}

/* The per-task counters, summed over every task. */
static void sum_tasks(const struct trace_result *r, struct trace_metrics *m)
{
	for (size_t i = 0; i < r->ntasks; i++) {
		const struct herd_task *t = &r->tasks[i].t;

		for (int k = WAIT_NONE + 1; k < WAIT_KINDS; k++)
			m->wakeups_by[k] += t->wakeups[k];
		m->futile += t->futile;
		m->eagain += t->eagain;
		m->switches += t->switches;
		m->voluntary += t->voluntary;
		m->involuntary += t->involuntary;
		m->migrations += t->migrations;
		m->run_ns += t->run_ns;
		if (r->tasks[i].tid == t->tgid)
			m->processes++;
		else
			m->threads++;
	}
	for (int k = WAIT_NONE + 1; k < WAIT_KINDS; k++)
		m->wakeups += m->wakeups_by[k];
}

/* Busiest first; equal ones by tid, so that the order is the same on every run. */
static int worker_cmp(const void *pa, const void *pb)
{
	const struct worker_share *a = pa, *b = pb;

	if (a->accepted != b->accepted)
		return a->accepted > b->accepted ? -1 : 1;
	return (a->tid > b->tid) - (a->tid < b->tid);
}

/* Jain's index and the busiest worker's accepts over the mean, over m->workers. */
static int worker_fairness(struct trace_metrics *m)
{
	uint64_t *x = malloc(m->nworkers * sizeof(*x)), sum = 0;

	if (!x)
		return -1;
	for (size_t i = 0; i < m->nworkers; i++) {
		x[i] = m->workers[i].accepted;
		sum += x[i];
	}
	m->fairness = stats_jain(x, m->nworkers);
	/* max / (sum / n), the busiest being first */
	m->max_share = sum ? (double)x[0] * (double)m->nworkers / (double)sum : 0.0;
	free(x);
	return 0;
}

static int find_workers(const struct trace_result *r, struct trace_metrics *m)
{
	size_t n = 0;

	for (size_t i = 0; i < r->ntasks; i++)
		n += is_worker(&r->tasks[i].t);
	if (!n)
		return 0;
	m->workers = calloc(n, sizeof(*m->workers));
	if (!m->workers)
		return -1;
	for (size_t i = 0; i < r->ntasks; i++) {
		const struct herd_task *t = &r->tasks[i].t;

		if (is_worker(t))
			m->workers[m->nworkers++] = (struct worker_share){
				.tid = r->tasks[i].tid,
				.tgid = t->tgid,
				.accepted = t->accepted,
				.wakeups = task_wakeups(t),
				.futile = t->futile,
			};
	}
	qsort(m->workers, m->nworkers, sizeof(*m->workers), worker_cmp);
	return worker_fairness(m);
}

/* reaped_by, unreaped and zombie lifetimes, process by process. */
static void proc_fates(const struct trace_result *r, struct trace_metrics *m)
{
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct trace_proc *p = &r->procs[i];

		if (p->reaped_by >= 0 && p->reaped_by < REAPERS)
			m->reaped_by[p->reaped_by]++;
		if (p->exit_ns && !p->reap_ns)
			m->unreaped++;
		if (p->exit_ns && p->reap_ns)
			hist_record(&m->zombie_lifetime,
				    p->reap_ns > p->exit_ns ? p->reap_ns - p->exit_ns : 0);
	}
}

/* One step of a count over time: zombies (exits and reaps), the accept queue. */
struct step {
	uint64_t t_ns; /* zombies: since the start of the trace */
	int delta;     /* +1 exit or handshake, -1 reap or accept (or close) */
};

/* By time only: the steps of one instant are merged into one point, in any order. */
static int step_cmp(const void *pa, const void *pb)
{
	const struct step *a = pa, *b = pb;

	return (a->t_ns > b->t_ns) - (a->t_ns < b->t_ns);
}

/* @ns on the trace's clock, relative to its start; times before it are 0. */
static uint64_t since_start(const struct trace_result *r, uint64_t ns)
{
	return ns > r->start_ns ? ns - r->start_ns : 0;
}

/* The exits and reaps of processes whose exit was seen, sorted; their number in *@n. */
static struct step *zombie_steps(const struct trace_result *r, size_t *n)
{
	struct step *s = malloc((2 * r->nprocs + 1) * sizeof(*s));

	*n = 0;
	if (!s)
		return NULL;
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct trace_proc *p = &r->procs[i];

		if (!p->exit_ns)
			continue;
		s[(*n)++] = (struct step){ since_start(r, p->exit_ns), +1 };
		if (p->reap_ns) /* never before its own exit */
			s[(*n)++] = (struct step){
				since_start(r, p->reap_ns > p->exit_ns ? p->reap_ns : p->exit_ns),
				-1
			};
	}
	qsort(s, *n, sizeof(*s), step_cmp);
	return s;
}

/* m->zombies: one point per distinct time, holding the count after every step at it. */
static int zombie_series(const struct trace_result *r, struct trace_metrics *m)
{
	size_t n;
	struct step *s = zombie_steps(r, &n);
	int64_t count = 0;

	if (!s)
		return -1;
	m->zombies = malloc((n ? n : 1) * sizeof(*m->zombies));
	if (!m->zombies) {
		free(s);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		count += s[i].delta;
		if (!m->nzombies || m->zombies[m->nzombies - 1].t_ns != s[i].t_ns)
			m->nzombies++;
		m->zombies[m->nzombies - 1] = (struct zombie_point){ s[i].t_ns, (uint32_t)count };
	}
	for (size_t i = 0; i < m->nzombies; i++)
		if (m->zombies[i].count > m->zombies_peak)
			m->zombies_peak = m->zombies[i].count;
	free(s);
	return 0;
}

/*
 * The accept queue at its deepest: connections whose handshake completed and that
 * no target had accepted yet (or closed unaccepted), swept over every connection's
 * record, the steps of one instant taken together. Exact where the records are:
 * what a live counter in BPF could only approximate (CPUs' adds interleave).
 */
static int queue_peak(const struct trace_result *r, struct trace_metrics *m)
{
	struct step *s = malloc((2 * r->nconns + 1) * sizeof(*s));
	size_t n = 0;
	int64_t depth = 0;

	if (!s)
		return -1;
	for (size_t i = 0; i < r->nconns; i++) {
		const struct herd_conn *c = &r->conns[i];
		uint64_t left = c->accepted_ns ? c->accepted_ns : c->closed_ns;

		if (!c->established_ns)
			continue;
		s[n++] = (struct step){ c->established_ns, +1 };
		if (left) /* never before its own handshake */
			s[n++] = (struct step){ left > c->established_ns ? left : c->established_ns,
						-1 };
	}
	qsort(s, n, sizeof(*s), step_cmp);
	for (size_t i = 0; i < n; i++) {
		depth += s[i].delta;
		if ((i + 1 == n || s[i + 1].t_ns != s[i].t_ns) && depth > (int64_t)m->queue_peak)
			m->queue_peak = (uint64_t)depth;
	}
	free(s);
	return 0;
}

int metrics_compute(const struct trace_result *r, struct trace_metrics *m)
{
	memset(m, 0, sizeof(*m));
	if (hist_init(&m->zombie_lifetime, LIFETIME_HIGHEST) < 0)
		return -ENOMEM;
	copy_totals(r, m);
	sum_tasks(r, m);
	m->herd_factor = ratio(m->wakeups, m->accepted);
	m->switches_per_request = ratio(m->switches, m->accepted);
	proc_fates(r, m);
	if (find_workers(r, m) < 0 || zombie_series(r, m) < 0 || queue_peak(r, m) < 0) {
		metrics_free(m);
		return -ENOMEM;
	}
	return 0;
}

void metrics_free(struct trace_metrics *m)
{
	free(m->workers);
	free(m->zombies);
	hist_free(&m->zombie_lifetime);
	memset(m, 0, sizeof(*m));
}

/* The zombies at the end of the series (equal to m->unreaped). */
static uint64_t zombies_now(const struct trace_metrics *m)
{
	return m->nzombies ? m->zombies[m->nzombies - 1].count : 0;
}

/* The accepts of all the workers: what their shares are of. */
static uint64_t workers_accepted(const struct trace_metrics *m)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < m->nworkers; i++)
		sum += m->workers[i].accepted;
	return sum;
}

/* ---- worker names --------------------------------------------------------------------------- */

/* r->tasks sorted by tid, to find a worker's name. */
struct task_index {
	const struct trace_task **v; /* pointers into r->tasks */
	size_t n;		     /* how many */
};

static int task_tid_cmp(const void *pa, const void *pb)
{
	const struct trace_task *a = *(const struct trace_task *const *)pa;
	const struct trace_task *b = *(const struct trace_task *const *)pb;

	return (a->tid > b->tid) - (a->tid < b->tid);
}

static int task_index_build(struct task_index *ix, const struct trace_result *r)
{
	ix->n = 0;
	ix->v = malloc((r->ntasks ? r->ntasks : 1) * sizeof(*ix->v));
	if (!ix->v)
		return -1;
	for (size_t i = 0; i < r->ntasks; i++)
		ix->v[ix->n++] = &r->tasks[i];
	qsort(ix->v, ix->n, sizeof(*ix->v), task_tid_cmp);
	return 0;
}

/*
 * @w's comm into @out ("" if unknown). A tid reused within one process during the
 * trace (after a pid wrap-around) names the first of its tasks.
 */
static void worker_comm(const struct task_index *ix, const struct worker_share *w,
			char out[COMM_LEN + 1])
{
	size_t lo = 0, hi = ix->n;

	out[0] = '\0';
	while (lo < hi) { /* the first task with tid >= w->tid */
		size_t mid = lo + (hi - lo) / 2;

		if (ix->v[mid]->tid < w->tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ix->n && ix->v[lo]->tid == w->tid; lo++) {
		const struct herd_task *t = &ix->v[lo]->t;

		if (t->tgid == w->tgid && t->comm_set) {
			snprintf(out, COMM_LEN + 1, "%.*s", COMM_LEN, t->comm);
			return;
		}
	}
}

/* ---- JSON ----------------------------------------------------------------------------------- */

/* json_int_t is signed 64-bit: counts beyond INT64_MAX saturate. */
static json_t *jcount(uint64_t n)
{
	return json_integer(n > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)n);
}

/* Slot @i's inclusive range: [0, 1] for slot 0, [2^i, 2^(i+1) - 1] above. */
static uint64_t slot_low(int i)
{
	return i ? 1ULL << i : 0;
}

static uint64_t slot_high(int i)
{
	return (1ULL << (i + 1)) - 1;
}

static uint64_t log2_count(const struct herd_log2 *h)
{
	uint64_t n = 0;

	for (int i = 0; i < HERD_LOG2_SLOTS; i++)
		n += h->slot[i];
	return n;
}

/* Nearest rank ceil(@pct/100 * count), as the top of its slot; 0 when empty. */
static uint64_t log2_percentile(const struct herd_log2 *h, unsigned int pct)
{
	uint64_t count = log2_count(h), seen = 0, rank;

	if (!count)
		return 0;
	rank = count / 100 * pct + (count % 100 * pct + 99) / 100;
	for (int i = 0; i < HERD_LOG2_SLOTS; i++) {
		seen += h->slot[i];
		if (seen >= rank)
			return slot_high(i);
	}
	return slot_high(HERD_LOG2_SLOTS - 1);
}

/* [[low, high, count], ...] for the non-empty slots. */
static json_t *log2_buckets(const struct herd_log2 *h)
{
	json_t *a = json_array();

	for (int i = 0; a && i < HERD_LOG2_SLOTS; i++) {
		if (h->slot[i] &&
		    json_array_append_new(a, json_pack("[o,o,o]", jcount(slot_low(i)),
						       jcount(slot_high(i)), jcount(h->slot[i])))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *log2_json(const struct herd_log2 *h)
{
	return json_pack("{s:s, s:o, s:o, s:o, s:o}", "unit", "ns", "buckets", log2_buckets(h),
			 "count", jcount(log2_count(h)), "p50", jcount(log2_percentile(h, 50)),
			 "p99", jcount(log2_percentile(h, 99)));
}

/* proc.zombie_lifetime: the exact histogram, in microseconds. */
static json_t *lifetime_json(const struct trace_metrics *m)
{
	json_t *o = jsonio_hist(&m->zombie_lifetime, 1000.0);

	if (o && json_object_set_new(o, "unit", json_string("us")) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* An object of @n counters named by @names (NULL names are skipped). */
static json_t *named_counts(const char *const *names, const uint64_t *v, int n)
{
	json_t *o = json_object();

	for (int i = 0; o && i < n; i++) {
		if (names[i] && json_object_set_new(o, names[i], jcount(v[i])) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static json_t *worker_json(const struct worker_share *w, const char *comm, uint64_t sum)
{
	return json_pack("{s:I, s:I, s:s, s:o, s:o, s:o, s:f}", "tid", (json_int_t)w->tid, "tgid",
			 (json_int_t)w->tgid, "comm", comm, "accepted", jcount(w->accepted),
			 "wakeups", jcount(w->wakeups), "futile", jcount(w->futile), "share",
			 ratio(w->accepted, sum));
}

static json_t *per_task_json(const struct trace_metrics *m, const struct trace_result *r)
{
	struct task_index ix;
	uint64_t sum = workers_accepted(m);
	json_t *a = json_array();
	char comm[COMM_LEN + 1];
	int err = 0;

	if (!a || task_index_build(&ix, r) < 0) {
		json_decref(a);
		return NULL;
	}
	for (size_t i = 0; i < m->nworkers && !err; i++) {
		worker_comm(&ix, &m->workers[i], comm);
		err = json_array_append_new(a, worker_json(&m->workers[i], comm, sum));
	}
	free(ix.v);
	if (err) {
		json_decref(a);
		return NULL;
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
 * The put_*() below set DESIGN's dotted keys. jsonio_set_path() consumes its value, a NULL
 * one included (it then fails, as json_pack() does after releasing its "o" arguments), so
 * one check at the end covers every allocation.
 */
static int put_accept(json_t *o, const struct trace_metrics *m, const struct trace_result *r)
{
	int err = 0;

	err |= jsonio_set_path(o, "accept.accepted", jcount(m->accepted));
	err |= jsonio_set_path(o, "accept.wakeups", jcount(m->wakeups));
	err |= jsonio_set_path(o, "accept.wakeups_by_wait",
			       named_counts(wait_names + 1, m->wakeups_by + 1, WAIT_KINDS - 1));
	err |= jsonio_set_path(o, "accept.wakeups_per_accept", json_real(m->herd_factor));
	err |= jsonio_set_path(o, "accept.futile_wakeups", jcount(m->futile));
	err |= jsonio_set_path(o, "accept.eagain", jcount(m->eagain));
	err |= jsonio_set_path(o, "accept.per_task", per_task_json(m, r));
	err |= jsonio_set_path(o, "accept.fairness.jain", json_real(m->fairness));
	err |= jsonio_set_path(o, "accept.fairness.max_over_mean", json_real(m->max_share));
	return err;
}

static int put_sched(json_t *o, const struct trace_metrics *m, const struct trace_result *r)
{
	int err = 0;

	err |= jsonio_set_path(o, "sched.switches", jcount(m->switches));
	err |= jsonio_set_path(o, "sched.voluntary", jcount(m->voluntary));
	err |= jsonio_set_path(o, "sched.involuntary", jcount(m->involuntary));
	err |= jsonio_set_path(o, "sched.migrations", jcount(m->migrations));
	err |= jsonio_set_path(o, "sched.switches_per_request", json_real(m->switches_per_request));
	err |= jsonio_set_path(o, "sched.run_ns", jcount(m->run_ns));
	err |= jsonio_set_path(o, "sched.runq_latency", log2_json(&r->hist[HIST_RUNQ]));
	err |= jsonio_set_path(o, "sched.offcpu", log2_json(&r->hist[HIST_OFFCPU]));
	return err;
}

static int put_proc(json_t *o, const struct trace_metrics *m, const struct trace_result *r)
{
	int err = 0;

	err |= jsonio_set_path(o, "proc.processes", jcount(m->processes));
	err |= jsonio_set_path(o, "proc.threads", jcount(m->threads));
	err |= jsonio_set_path(o, "proc.forks", jcount(m->forks));
	err |= jsonio_set_path(o, "proc.fork_latency", log2_json(&r->hist[HIST_FORK]));
	err |= jsonio_set_path(o, "proc.first_run_latency", log2_json(&r->hist[HIST_FIRST_RUN]));
	err |= jsonio_set_path(o, "proc.exits", jcount(m->exits));
	err |= jsonio_set_path(o, "proc.zombie_lifetime", lifetime_json(m));
	err |= jsonio_set_path(o, "proc.zombies_peak", jcount(m->zombies_peak));
	err |= jsonio_set_path(o, "proc.unreaped", jcount(m->unreaped));
	err |= jsonio_set_path(o, "proc.reaped_by",
			       named_counts(reaper_names, m->reaped_by, REAPERS));
	err |= jsonio_set_path(o, "proc.zombies_over_time", zombies_json(m));
	return err;
}

static int put_tcp_tracer(json_t *o, const struct trace_metrics *m, const struct trace_result *r)
{
	int err = 0;

	err |= jsonio_set_path(o, "tcp.established", jcount(m->established));
	err |= jsonio_set_path(o, "tcp.accept_queue_peak", jcount(m->queue_peak));
	err |= jsonio_set_path(o, "tcp.listen_overflows", jcount(m->listen_overflows));
	err |= jsonio_set_path(o, "tcp.listen_drops", jcount(m->listen_drops));
	err |= jsonio_set_path(o, "tcp.listen_counters", json_string("system-wide"));
	err |= jsonio_set_path(o, "tracer.lost_events", jcount(m->lost_events));
	err |= jsonio_set_path(o, "tracer.map_full", jcount(m->map_full));
	err |= jsonio_set_path(o, "tracer.arrivals_unmatched",
			       jcount(r->totals.arrivals_unmatched));
	err |= jsonio_set_path(o, "tracer.raw_tp", json_boolean(r->raw_tp));
	err |= jsonio_set_path(o, "tracer.wait_from",
			       json_string(r->wait_from_regs ? "registers" : "sys_enter"));
	err |= jsonio_set_path(o, "tracer.records",
			       json_string(r->task_storage ? "task_storage" : "hash"));
	err |= jsonio_set_path(o, "tracer.uring_accepts_counted", json_boolean(r->uring_accepts));
	err |= jsonio_set_path(o, "tracer.exact_arrivals", json_boolean(r->exact_arrivals));
	err |= jsonio_set_path(o, "accept.uring_accepts", jcount(r->totals.uring_accepts));
	err |= jsonio_set_path(o, "tracer.duration_s", json_real(m->duration_s));
	return err;
}

json_t *metrics_json(const struct trace_metrics *m, const struct trace_result *r)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (put_accept(o, m, r) | put_sched(o, m, r) | put_proc(o, m, r) |
	    put_tcp_tracer(o, m, r)) {
		json_decref(o);
		errno = ENOMEM;
		return NULL;
	}
	return o;
}

/* ---- the text report ------------------------------------------------------------------------ */

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
 * A log2 histogram in BCC's layout, in nanoseconds. Unlike BCC it starts at the first
 * non-empty slot rather than at 0: in ns, a latency of microseconds would otherwise sit
 * under ten rows of zeros.
 */
static void print_log2(FILE *f, const char *title, const struct herd_log2 *h)
{
	int first = -1, last = -1, width;
	uint64_t max = 0;
	char p50[32], p99[32];

	for (int i = 0; i < HERD_LOG2_SLOTS; i++) {
		if (h->slot[i] && first < 0)
			first = i;
		if (h->slot[i])
			last = i;
		if (h->slot[i] > max)
			max = h->slot[i];
	}
	fprintf(f, "\n  %s", title);
	if (last < 0) {
		fprintf(f, ": no samples\n");
		return;
	}
	fprintf(f, " (%" PRIu64 " samples, p50 <= %s, p99 <= %s)\n", log2_count(h),
		fmt_ns(p50, sizeof(p50), log2_percentile(h, 50)),
		fmt_ns(p99, sizeof(p99), log2_percentile(h, 99)));
	width = last < 33 ? 10 : 20; /* 2^33 - 1 has 10 digits */
	fprintf(f, "%*s%-*s : count     distribution\n", width - 5, "", width + 9, "nsecs");
	for (int i = first; i <= last; i++) {
		fprintf(f, "%*" PRIu64 " -> %-*" PRIu64 " : %-9llu ", width, slot_low(i), width,
			slot_high(i), h->slot[i]);
		print_stars(f, h->slot[i], max);
		fputc('\n', f);
	}
}

static void print_workers(FILE *f, const struct trace_metrics *m, const struct trace_result *r)
{
	struct task_index ix;
	char comm[COMM_LEN + 1];
	uint64_t sum = workers_accepted(m);
	size_t rows = m->nworkers < REPORT_WORKERS_MAX ? m->nworkers : REPORT_WORKERS_MAX;
	bool named = task_index_build(&ix, r) == 0; /* without memory: no names */

	fprintf(f, "\n  %-8s %-16s %10s %7s %10s %10s\n", "TID", "COMM", "ACCEPTED", "SHARE",
		"WAKEUPS", "FUTILE");
	for (size_t i = 0; i < rows; i++) {
		const struct worker_share *w = &m->workers[i];

		comm[0] = '\0';
		if (named)
			worker_comm(&ix, w, comm);
		fprintf(f,
			"  %-8" PRIu32 " %-16s %10" PRIu64 " %6.1f%% %10" PRIu64 " %10" PRIu64 "\n",
			w->tid, comm[0] ? comm : "-", w->accepted, 100 * ratio(w->accepted, sum),
			w->wakeups, w->futile);
	}
	if (m->nworkers > rows)
		fprintf(f, "  ... %zu more\n", m->nworkers - rows);
	if (named)
		free(ix.v);
}

static void print_accept(FILE *f, const struct trace_metrics *m, const struct trace_result *r)
{
	fprintf(f, "\naccept\n");
	print_count(f, "accepted", m->accepted);
	print_count(f, "wakeups", m->wakeups);
	for (int k = WAIT_NONE + 1; k < WAIT_KINDS; k++)
		if (m->wakeups_by[k])
			print_row(f, "", "%" PRIu64 " in %s", m->wakeups_by[k], wait_names[k]);
	print_row(f, "herd factor", "%.2f wakeups per accept", m->herd_factor);
	print_count(f, "futile wakeups", m->futile);
	print_count(f, "accept EAGAIN", m->eagain);
	if (!m->nworkers)
		return;
	print_workers(f, m, r);
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
	print_log2(f, "run-queue latency", &r->hist[HIST_RUNQ]);
	print_log2(f, "off-CPU time", &r->hist[HIST_OFFCPU]);
}

static void print_zombies(FILE *f, const struct trace_metrics *m)
{
	const struct hist *h = &m->zombie_lifetime;
	char p50[32], p99[32], max[32];

	print_count(f, "zombies peak", m->zombies_peak);
	print_count(f, "unreaped", m->unreaped);
	print_row(f, "reaped by", "parent %" PRIu64 ", auto %" PRIu64 ", init %" PRIu64,
		  m->reaped_by[REAPED_PARENT], m->reaped_by[REAPED_AUTO],
		  m->reaped_by[REAPED_INIT]);
	if (!h->total) {
		print_row(f, "zombie lifetime", "no samples");
		return;
	}
	print_row(f, "zombie lifetime", "p50 %s, p99 %s, max %s (%" PRIu64 " measured)",
		  fmt_ns(p50, sizeof(p50), hist_percentile(h, 50)),
		  fmt_ns(p99, sizeof(p99), hist_percentile(h, 99)),
		  fmt_ns(max, sizeof(max), h->max), h->total);
}

static void print_proc(FILE *f, const struct trace_metrics *m, const struct trace_result *r)
{
	fprintf(f, "\nprocesses\n");
	print_count(f, "processes", m->processes);
	print_count(f, "threads", m->threads);
	print_count(f, "forks", m->forks);
	print_count(f, "exits", m->exits);
	print_zombies(f, m);
	print_log2(f, "fork latency (in the parent)", &r->hist[HIST_FORK]);
	print_log2(f, "first-run latency (child created -> on a CPU)", &r->hist[HIST_FIRST_RUN]);
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
	print_row(f, "waits", "%s",
		  r->wait_from_regs ? "read from registers at sleep"
				    : "recorded at system call entry");
	print_row(f, "task records", "%s",
		  r->task_storage ? "in task-local storage" : "in a hash by thread id");
	print_row(f, "arrivals", "%s",
		  r->exact_arrivals
			  ? "delimited by sk_data_ready (exact)"
			  : "within 200 us of the handshake (no sk_data_ready before 6.6)");
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
		clock, accepts, wakeups, ratio(wakeups, accepts), delta(now->futile, prev->futile),
		delta(now->switches, prev->switches), delta(now->forks, prev->forks),
		zombies_now(now));
}

/* ---- CSV tables ----------------------------------------------------------------------------- */

/* A connection's client address as text; "" for an unknown family. */
static const char *conn_addr(const struct herd_conn *c, char buf[INET6_ADDRSTRLEN])
{
	buf[0] = '\0';
	if ((c->family == AF_INET || c->family == AF_INET6) &&
	    !inet_ntop(c->family, c->client_addr, buf, INET6_ADDRSTRLEN))
		buf[0] = '\0';
	return buf;
}

/* By handshake time; equal ones by socket address, for a stable order. */
static int conn_cmp(const void *pa, const void *pb)
{
	const struct herd_conn *a = *(const struct herd_conn *const *)pa;
	const struct herd_conn *b = *(const struct herd_conn *const *)pb;

	if (a->established_ns != b->established_ns)
		return a->established_ns < b->established_ns ? -1 : 1;
	return (a->sk > b->sk) - (a->sk < b->sk);
}

static int fill_connections(FILE *f, void *arg)
{
	const struct trace_result *r = arg;
	const struct herd_conn **v = malloc((r->nconns ? r->nconns : 1) * sizeof(*v));
	char addr[INET6_ADDRSTRLEN];

	if (!v)
		return -1;
	for (size_t i = 0; i < r->nconns; i++)
		v[i] = &r->conns[i];
	qsort(v, r->nconns, sizeof(*v), conn_cmp);
	fputs(CONNECTIONS_CSV_HEADER, f);
	for (size_t i = 0; i < r->nconns; i++)
		fprintf(f, "%s,%u,%u,%llu,%llu,%u,%llu,%u\n", conn_addr(v[i], addr),
			v[i]->client_port, v[i]->server_port, v[i]->established_ns,
			v[i]->accepted_ns, v[i]->accept_tid, v[i]->closed_ns, v[i]->wakeups);
	free(v);
	return ferror(f) ? -1 : 0;
}

/* A comm as a CSV field: quoted (quotes doubled) when it holds a comma, quote or newline. */
static void csv_comm(FILE *f, const struct herd_task *t)
{
	char comm[COMM_LEN + 1];

	snprintf(comm, sizeof(comm), "%.*s", COMM_LEN, t->comm_set ? t->comm : "");
	if (!strpbrk(comm, ",\"\r\n")) {
		fputs(comm, f);
		return;
	}
	fputc('"', f);
	for (const char *c = comm; *c; c++) {
		if (*c == '"')
			fputc('"', f);
		fputc(*c, f);
	}
	fputc('"', f);
}

static int fill_tasks(FILE *f, void *arg)
{
	const struct trace_result *r = arg;

	fputs(TASKS_CSV_HEADER, f);
	for (size_t i = 0; i < r->ntasks; i++) {
		const struct trace_task *tt = &r->tasks[i];
		const struct herd_task *t = &tt->t;

		fprintf(f, "%u,%u,%u,", tt->tid, t->tgid, t->ppid);
		csv_comm(f, t);
		fprintf(f, ",%s,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%" PRIu64 "\n",
			tt->tid == t->tgid ? "process" : "thread", t->switches, t->voluntary,
			t->involuntary, t->migrations, t->run_ns, t->accepted, t->eagain, t->futile,
			task_wakeups(t));
	}
	return ferror(f) ? -1 : 0;
}

/* 0, or -errno with errno set (for "%m"). */
static int save_csv(const char *path, int (*fill)(FILE *f, void *arg), const struct trace_result *r)
{
	if (jsonio_save_with(path, fill, (void *)r) < 0)
		return errno ? -errno : -EIO;
	return 0;
}

int metrics_write_connections(const char *path, const struct trace_result *r)
{
	return save_csv(path, fill_connections, r);
}

int metrics_write_tasks(const char *path, const struct trace_result *r)
{
	return save_csv(path, fill_tasks, r);
}
