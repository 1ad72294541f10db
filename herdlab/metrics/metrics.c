/* SPDX-License-Identifier: MIT */
/*
 * metrics.c - DESIGN.md's metrics from the tracer's records (metrics.h).
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
 * The outputs are written elsewhere, from struct trace_metrics: run.json's
 * objects in metrics_json.c, the text report in metrics_text.c, the tables in
 * csv.c. What they share about the raw records (names, log2 slots, a task's
 * wakeups) is in records.c, below all of them.
 */
#include "metrics/metrics.h"
#include "metrics/statistics.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NSEC_PER_SEC	 1000000000ULL
#define LIFETIME_HIGHEST (3600 * NSEC_PER_SEC) /* zombie lifetimes: up to an hour */

/* ---- computing ------------------------------------------------------------------------------ */

double metrics_ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

static bool is_worker(const struct herd_task *t)
{
	return t->accepted || metrics_task_wakeups(t);
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

/* ---- workers --------------------------------------------------------------------------- */

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
 * @w's comm into w->comm ("" if unknown). A tid reused within one process during the
 * trace (after a pid wrap-around) names the first of its tasks.
 */
static void worker_comm(const struct task_index *ix, struct worker_share *w)
{
	size_t lo = 0, hi = ix->n;

	w->comm[0] = '\0';
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
			snprintf(w->comm, sizeof(w->comm), "%.*s", METRICS_COMM_LEN, t->comm);
			return;
		}
	}
}

/* Every worker's comm, found among r->tasks; -1 when out of memory. */
static int worker_names(const struct trace_result *r, struct trace_metrics *m)
{
	struct task_index ix;

	if (task_index_build(&ix, r) < 0)
		return -1;
	for (size_t i = 0; i < m->nworkers; i++)
		worker_comm(&ix, &m->workers[i]);
	free(ix.v);
	return 0;
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
	m->fairness = statistics_jain(x, m->nworkers);
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
				.wakeups = metrics_task_wakeups(t),
				.futile = t->futile,
			};
	}
	qsort(m->workers, m->nworkers, sizeof(*m->workers), worker_cmp);
	return worker_names(r, m) < 0 ? -1 : worker_fairness(m);
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

/* proc.reapers: each process whose wait4/waitid reaped a zombie, in order of its first reap. */
static int reapers(const struct trace_result *r, struct trace_metrics *m)
{
	if (!(m->reapers = calloc(r->nprocs + 1, sizeof(*m->reapers))))
		return -1;
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct trace_proc *p = &r->procs[i];
		size_t k = 0;
		if (!p->reaper || p->reaped_by < 0)
			continue;
		while (k < m->nreapers && m->reapers[k].pid != p->reaper)
			k++;
		if (k == m->nreapers) {
			m->reapers[k] = (struct reaper){ .pid = p->reaper, .by = p->reaped_by };
			memcpy(m->reapers[k].comm, p->reaper_comm, sizeof(m->reapers[k].comm));
			m->nreapers++;
		}
		m->reapers[k].reaped++;
	}
	return 0;
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
	m->herd_factor = metrics_ratio(m->wakeups, m->accepted);
	m->switches_per_request = metrics_ratio(m->switches, m->accepted);
	proc_fates(r, m);
	if (find_workers(r, m) < 0 || zombie_series(r, m) < 0 || queue_peak(r, m) < 0 ||
	    reapers(r, m) < 0) {
		metrics_free(m);
		return -ENOMEM;
	}
	return 0;
}

void metrics_free(struct trace_metrics *m)
{
	free(m->workers);
	free(m->zombies);
	free(m->reapers);
	hist_free(&m->zombie_lifetime);
	memset(m, 0, sizeof(*m));
}

uint64_t metrics_zombies_now(const struct trace_metrics *m)
{
	return m->nzombies ? m->zombies[m->nzombies - 1].count : 0;
}

uint64_t metrics_workers_accepted(const struct trace_metrics *m)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < m->nworkers; i++)
		sum += m->workers[i].accepted;
	return sum;
}
