/* SPDX-License-Identifier: MIT */
/*
 * test_metrics.c - DESIGN.md's metric definitions on traces built by hand.
 *
 * No BPF here: each test fills a struct trace_result the way the loader would
 * (tasks with their counters, processes with exit and reap times, connections,
 * log2 histograms), runs metrics_compute() and checks one definition against
 * numbers worked out in the comments. The outputs are checked the way their
 * readers use them: trace.json by walking DESIGN's dotted keys with
 * json_object_get(), the CSV files by reading them back from a scratch
 * directory, the text report by looking for its lines.
 *
 * Times: the trace starts at START_NS, so that "relative to the start" is
 * visible; MS() turns milliseconds into nanoseconds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics/csv.h"
#include "metrics/metrics.h"

#define START_NS  1000000000ULL /* the trace's start on its clock */
#define MS(x)	  ((uint64_t)(x)*1000000ULL)
#define MAX_TASKS 64
#define MAX_PROCS 2000
#define MAX_CONNS 8

/* A trace under construction: the result and the arrays it points into. */
struct fake {
	struct trace_result r;		    /* what metrics_compute() reads */
	struct trace_task tasks[MAX_TASKS]; /* r.tasks */
	struct trace_proc procs[MAX_PROCS]; /* r.procs */
	struct herd_conn conns[MAX_CONNS];  /* r.conns */
	struct trace_metrics m;		    /* computed by compute() */
	char dir[PATH_MAX];		    /* scratch directory for the CSV tests */
};

static int fake_setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->r.tasks = f->tasks;
	f->r.procs = f->procs;
	f->r.conns = f->conns;
	f->r.start_ns = START_NS;
	f->r.end_ns = START_NS + MS(2500);
	*state = f;
	return 0;
}

static int fake_teardown(void **state)
{
	struct fake *f = *state;

	metrics_free(&f->m);
	free(f);
	return 0;
}

/* A task @tid of process @tgid, its counters zero: the caller fills them. */
static struct herd_task *add_task(struct fake *f, uint32_t tid, uint32_t tgid, const char *comm)
{
	struct trace_task *t;

	assert_true(f->r.ntasks < MAX_TASKS);
	t = &f->tasks[f->r.ntasks++];
	t->tid = tid;
	t->t.tgid = tgid;
	if (comm) { /* 16 bytes, NUL-terminated only when shorter, as in the kernel */
		memcpy(t->t.comm, comm, strnlen(comm, sizeof(t->t.comm)));
		t->t.comm_set = 1;
	}
	return &t->t;
}

/* A process that exited at @exit_ns (0: not seen) and was reaped at @reap_ns (0: not yet). */
static void add_proc(struct fake *f, uint32_t pid, uint64_t exit_ns, uint64_t reap_ns, int by)
{
	assert_true(f->r.nprocs < MAX_PROCS);
	f->procs[f->r.nprocs++] = (struct trace_proc){
		.pid = pid, .exit_ns = exit_ns, .reap_ns = reap_ns, .reaped_by = by
	};
}

static struct trace_metrics *compute(struct fake *f)
{
	metrics_free(&f->m);
	assert_int_equal(metrics_compute(&f->r, &f->m), 0);
	return &f->m;
}

/* ---- accept.* ------------------------------------------------------------------------------- */

/* Wakeups 5 + 2 + 3 = 10 over 4 accepts; WAIT_NONE's slot is never a wakeup. */
static void test_herd_factor_and_wakeups_by(void **state)
{
	struct fake *f = *state;
	struct herd_task *a = add_task(f, 100, 100, "w"), *b = add_task(f, 101, 100, "w");
	struct trace_metrics *m;

	a->wakeups[WAIT_EPOLL] = 5;
	a->wakeups[WAIT_ACCEPT] = 2;
	a->wakeups[WAIT_NONE] = 50;
	b->wakeups[WAIT_LOCK] = 3;
	f->r.totals.accepted = 4;
	m = compute(f);
	assert_int_equal(m->accepted, 4);
	assert_int_equal(m->wakeups, 10);
	assert_int_equal(m->wakeups_by[WAIT_EPOLL], 5);
	assert_int_equal(m->wakeups_by[WAIT_ACCEPT], 2);
	assert_int_equal(m->wakeups_by[WAIT_LOCK], 3);
	assert_int_equal(m->wakeups_by[WAIT_NONE], 0);
	assert_float_equal(m->herd_factor, 2.5, 1e-12);
}

static void test_herd_factor_zero_without_accepts(void **state)
{
	struct fake *f = *state;

	add_task(f, 100, 100, "w")->wakeups[WAIT_EPOLL] = 9;
	assert_float_equal(compute(f)->herd_factor, 0.0, 0);
}

static void test_futile_and_eagain_summed(void **state)
{
	struct fake *f = *state;
	struct herd_task *a = add_task(f, 100, 100, "w"), *b = add_task(f, 200, 200, "w");
	struct trace_metrics *m;

	a->futile = 13;
	a->eagain = 4;
	b->futile = 29;
	b->eagain = 1;
	m = compute(f);
	assert_int_equal(m->futile, 42);
	assert_int_equal(m->eagain, 5);
}

/* ---- workers and fairness ------------------------------------------------------------------- */

/* Accepted or woken: a worker. Busiest first, equal ones by tid. */
static void test_workers_filtered_and_sorted(void **state)
{
	struct fake *f = *state;
	struct trace_metrics *m;

	add_task(f, 12, 1, "w")->accepted = 5;
	add_task(f, 11, 1, "idle");
	add_task(f, 13, 1, "w")->wakeups[WAIT_ACCEPT] = 3;
	add_task(f, 10, 1, "w")->accepted = 5;
	add_task(f, 9, 1, "w")->accepted = 7;
	m = compute(f);
	assert_int_equal(m->nworkers, 4);
	assert_int_equal(m->workers[0].tid, 9);
	assert_int_equal(m->workers[1].tid, 10);
	assert_int_equal(m->workers[2].tid, 12);
	assert_int_equal(m->workers[3].tid, 13);
	assert_int_equal(m->workers[3].accepted, 0);
	assert_int_equal(m->workers[3].wakeups, 3);
}

/* Accepts 6, 2, 0: Jain 64 / (3 * 40) = 8/15; busiest 6 over the mean 8/3 = 2.25. */
static void test_fairness_over_workers(void **state)
{
	struct fake *f = *state;
	struct trace_metrics *m;

	add_task(f, 1, 1, "w")->accepted = 6;
	add_task(f, 2, 2, "w")->accepted = 2;
	add_task(f, 3, 3, "w")->wakeups[WAIT_EPOLL] = 1;
	add_task(f, 4, 4, "idle");
	m = compute(f);
	assert_float_equal(m->fairness, 8.0 / 15.0, 1e-12);
	assert_float_equal(m->max_share, 2.25, 1e-12);
}

static void test_no_workers_fairness_zero(void **state)
{
	struct fake *f = *state;
	struct trace_metrics *m;

	add_task(f, 1, 1, "idle");
	m = compute(f);
	assert_int_equal(m->nworkers, 0);
	assert_null(m->workers);
	assert_float_equal(m->fairness, 0.0, 0);
	assert_float_equal(m->max_share, 0.0, 0);
}

/* ---- sched.* and the rest of the totals ----------------------------------------------------- */

static void test_sched_summed_per_request(void **state)
{
	struct fake *f = *state;
	struct herd_task *a = add_task(f, 1, 1, "w"), *b = add_task(f, 2, 1, "w");
	struct trace_metrics *m;

	*a = (struct herd_task){ .tgid = 1,
				 .switches = 30,
				 .voluntary = 20,
				 .involuntary = 10,
				 .migrations = 3,
				 .run_ns = 1000 };
	*b = (struct herd_task){ .tgid = 1,
				 .switches = 10,
				 .voluntary = 9,
				 .involuntary = 1,
				 .migrations = 1,
				 .run_ns = 500 };
	f->r.totals.accepted = 8;
	m = compute(f);
	assert_int_equal(m->switches, 40);
	assert_int_equal(m->voluntary, 29);
	assert_int_equal(m->involuntary, 11);
	assert_int_equal(m->migrations, 4);
	assert_int_equal(m->run_ns, 1500);
	assert_float_equal(m->switches_per_request, 5.0, 1e-12);
}

/* A process is its thread-group leader (tid == tgid); every other task is a thread. */
static void test_processes_and_threads(void **state)
{
	struct fake *f = *state;
	struct trace_metrics *m;

	add_task(f, 1, 1, "master");
	add_task(f, 2, 2, "worker");
	add_task(f, 3, 2, "worker");
	add_task(f, 4, 2, "worker");
	m = compute(f);
	assert_int_equal(m->processes, 2);
	assert_int_equal(m->threads, 2);
}

static void test_totals_copied(void **state)
{
	struct fake *f = *state;
	struct trace_metrics *m;

	f->r.totals = (struct herd_totals){
		.established = 2003, .forks = 8, .exits = 5, .lost_events = 2, .map_full = 1
	};
	f->r.listen_overflows = 3;
	f->r.listen_drops = 4;
	m = compute(f);
	assert_int_equal(m->established, 2003);
	assert_int_equal(m->forks, 8);
	assert_int_equal(m->exits, 5);
	assert_int_equal(m->lost_events, 2);
	assert_int_equal(m->map_full, 1);
	assert_int_equal(m->listen_overflows, 3);
	assert_int_equal(m->listen_drops, 4);
	assert_float_equal(m->duration_s, 2.5, 1e-12);
}

/* ---- zombies -------------------------------------------------------------------------------- */

/* Exits at 10, 20, 30 ms, reaps at 40, 50, 60 ms: 1 2 3 2 1 0. */
/* One connection from its handshake: accepted after @acc ns (0: never), closed after @cls. */
static void add_queued(struct fake *f, uint64_t est, uint64_t acc, uint64_t cls)
{
	f->conns[f->r.nconns++] = (struct herd_conn){ .sk = 0xffff0000 + f->r.nconns,
						      .established_ns = est,
						      .accepted_ns = acc,
						      .closed_ns = cls };
}

static void test_queue_peak_swept_from_connections(void **state)
{
	struct fake *f = *state;

	add_queued(f, 10, 20, 90); /* queued 10..20 */
	add_queued(f, 15, 30, 90); /* 15..30 */
	add_queued(f, 20, 0, 25);  /* 20..25, closed unaccepted: leaves as A is accepted */
	add_queued(f, 40, 0, 0);   /* 40..end: still queued */
	add_queued(f, 0, 0, 0);	   /* no handshake seen: not counted */
	/* 10:1 15:2 20:2 (one in, one out at once) 25:1 30:0 40:1 */
	assert_int_equal(compute(f)->queue_peak, 2);
}

static void test_queue_peak_clamps_and_empty(void **state)
{
	struct fake *f = *state;

	assert_int_equal(compute(f)->queue_peak, 0);
	add_queued(f, 50, 40, 0); /* accepted "before" its handshake: left at once */
	add_queued(f, 50, 60, 0);
	add_queued(f, 55, 70, 0);
	assert_int_equal(compute(f)->queue_peak, 2);
}

static void test_zombies_peak(void **state)
{
	struct fake *f = *state;
	const uint32_t want[] = { 1, 2, 3, 2, 1, 0 };
	struct trace_metrics *m;

	for (int i = 0; i < 3; i++)
		add_proc(f, 10 + i, START_NS + MS(10 * (i + 1)), START_NS + MS(40 + 10 * i),
			 REAPED_PARENT);
	m = compute(f);
	assert_int_equal(m->zombies_peak, 3);
	assert_int_equal(m->unreaped, 0);
	assert_int_equal(m->reaped_by[REAPED_PARENT], 3);
	assert_int_equal(m->nzombies, 6);
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(m->zombies[i].t_ns, MS(10 * (i + 1)));
		assert_int_equal(m->zombies[i].count, want[i]);
	}
}

/* SIG_IGN: released at exit. Its lifetime is ~0, it never shows as a zombie, nothing unreaped. */
static void test_zombie_auto_reaped_near_zero(void **state)
{
	struct fake *f = *state;
	struct trace_metrics *m;

	add_proc(f, 10, START_NS + MS(5), START_NS + MS(5), REAPED_AUTO);
	add_proc(f, 11, START_NS + MS(6), START_NS + MS(6) + 300, REAPED_AUTO);
	m = compute(f);
	assert_int_equal(m->reaped_by[REAPED_AUTO], 2);
	assert_int_equal(m->unreaped, 0);
	assert_int_equal(m->zombie_lifetime.total, 2);
	assert_int_equal(m->zombie_lifetime.min, 0);
	assert_int_equal(m->zombie_lifetime.max, 300);
	assert_int_equal(m->zombies_peak, 1); /* 300 ns as a zombie: seen */
}

static void test_zombie_unreaped_counted(void **state)
{
	struct fake *f = *state;
	struct trace_metrics *m;

	add_proc(f, 10, START_NS + MS(1), START_NS + MS(2), REAPED_PARENT);
	add_proc(f, 11, START_NS + MS(3), 0, -1);
	m = compute(f);
	assert_int_equal(m->unreaped, 1);
	assert_int_equal(m->zombies[m->nzombies - 1].count, 1);
	assert_int_equal(m->zombie_lifetime.total, 1); /* only the reaped one has a lifetime */
	assert_int_equal(m->reaped_by[REAPED_PARENT], 1);
}

/*
 * At 20 ms: A is reaped, B exits and is auto-reaped, C exits. Taken reaps first, the count
 * would go 1 -> 0 -> -1 before the exits; merged, the point at 20 ms holds the count after
 * all four steps: 1 (C).
 */
static void test_zombie_ties_never_negative(void **state)
{
	struct fake *f = *state;
	struct trace_metrics *m;

	add_proc(f, 20, START_NS + MS(20), START_NS + MS(20), REAPED_AUTO);   /* B */
	add_proc(f, 30, START_NS + MS(20), START_NS + MS(30), REAPED_PARENT); /* C */
	add_proc(f, 10, START_NS + MS(10), START_NS + MS(20), REAPED_PARENT); /* A */
	m = compute(f);
	assert_int_equal(m->nzombies, 3);
	assert_int_equal(m->zombies[0].t_ns, MS(10));
	assert_int_equal(m->zombies[0].count, 1);
	assert_int_equal(m->zombies[1].t_ns, MS(20));
	assert_int_equal(m->zombies[1].count, 1);
	assert_int_equal(m->zombies[2].t_ns, MS(30));
	assert_int_equal(m->zombies[2].count, 0);
	assert_int_equal(m->zombies_peak, 1);
}

/* A reap stamped before its exit (clocks of two CPUs) counts at the exit, not before. */
static void test_zombie_reap_before_exit_clamped(void **state)
{
	struct fake *f = *state;
	struct trace_metrics *m;

	add_proc(f, 10, START_NS + MS(10), START_NS + MS(9), REAPED_PARENT);
	m = compute(f);
	assert_int_equal(m->nzombies, 1);
	assert_int_equal(m->zombies[0].count, 0);
	assert_int_equal(m->zombies_peak, 0);
	assert_int_equal(m->zombie_lifetime.max, 0);
}

/* Exited before tracing began: its reap counts in reaped_by, nowhere else. */
static void test_zombie_reaped_without_exit(void **state)
{
	struct fake *f = *state;
	struct trace_metrics *m;

	add_proc(f, 10, 0, START_NS + MS(50), REAPED_PARENT);
	m = compute(f);
	assert_int_equal(m->reaped_by[REAPED_PARENT], 1);
	assert_int_equal(m->zombie_lifetime.total, 0);
	assert_int_equal(m->nzombies, 0);
	assert_int_equal(m->unreaped, 0);
}

/* Times are relative to the trace's start; an exit stamped before it is at 0. */
static void test_zombie_times_relative_to_start(void **state)
{
	struct fake *f = *state;
	struct trace_metrics *m;

	add_proc(f, 10, START_NS - MS(3), 0, -1);
	add_proc(f, 11, START_NS + MS(5), 0, -1);
	m = compute(f);
	assert_int_equal(m->nzombies, 2);
	assert_int_equal(m->zombies[0].t_ns, 0);
	assert_int_equal(m->zombies[1].t_ns, MS(5));
}

/* Lifetimes 1..100 ms: p50 is 50 ms and p99 99 ms within the histogram's 1/1024. */
static void test_zombie_lifetime_percentiles(void **state)
{
	struct fake *f = *state;
	struct trace_metrics *m;

	for (int i = 1; i <= 100; i++)
		add_proc(f, (uint32_t)i, START_NS + MS(i), START_NS + MS(2 * i), REAPED_PARENT);
	m = compute(f);
	assert_int_equal(m->zombie_lifetime.total, 100);
	assert_in_range(hist_percentile(&m->zombie_lifetime, 50), MS(50), MS(50) + MS(50) / 1024);
	assert_in_range(hist_percentile(&m->zombie_lifetime, 99), MS(99), MS(99) + MS(99) / 1024);
	assert_int_equal(m->zombie_lifetime.max, MS(100));
}

/* ---- trace.json ----------------------------------------------------------------------------- */

/* The value at a dotted path, walked with json_object_get(); NULL if a step is missing. */
static json_t *at(json_t *root, const char *dotted)
{
	char key[128];
	const char *p = dotted;

	while (root && *p) {
		size_t len = strcspn(p, ".");

		assert_true(len < sizeof(key));
		memcpy(key, p, len);
		key[len] = '\0';
		root = json_object_get(root, key);
		p += len + (p[len] == '.');
	}
	return root;
}

static json_int_t int_at(json_t *root, const char *dotted)
{
	json_t *v = at(root, dotted);

	assert_non_null(v);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static double real_at(json_t *root, const char *dotted)
{
	json_t *v = at(root, dotted);

	assert_non_null(v);
	assert_true(json_is_real(v));
	return json_real_value(v);
}

/* A trace touching every section, for the JSON and report tests. */
static void fill_sample(struct fake *f)
{
	struct herd_task *a = add_task(f, 100, 100, "herdsrv"),
			 *b = add_task(f, 101, 100, "herdsrv");

	a->accepted = 3;
	a->wakeups[WAIT_EPOLL] = 8;
	a->futile = 5;
	a->switches = 40;
	b->accepted = 1;
	b->wakeups[WAIT_EPOLL] = 4;
	b->eagain = 2;
	f->r.totals =
		(struct herd_totals){ .accepted = 4, .established = 4, .forks = 1, .exits = 1 };
	add_proc(f, 200, START_NS + MS(10), START_NS + MS(12), REAPED_PARENT);
	f->r.hist[HIST_RUNQ].slot[herd_hist_slot(15)] = 2;
	f->r.listen_drops = 7;
	f->r.raw_tp = true;
}

/* The keys DESIGN.md names, plus the ones the brief adds beside them. */
static const char *const design_keys[] = {
	"accept.accepted",
	"accept.wakeups",
	"accept.wakeups_by_wait",
	"accept.wakeups_per_accept",
	"accept.futile_wakeups",
	"accept.eagain",
	"accept.per_task",
	"accept.fairness",
	"sched.switches",
	"sched.voluntary",
	"sched.involuntary",
	"sched.migrations",
	"sched.switches_per_request",
	"sched.runq_latency",
	"sched.offcpu",
	"proc.forks",
	"proc.fork_latency",
	"proc.first_run_latency",
	"proc.exits",
	"proc.zombie_lifetime",
	"proc.zombies_peak",
	"proc.unreaped",
	"proc.reaped_by",
	"tcp.established",
	"tcp.accept_queue_peak",
	"tcp.listen_overflows",
	"tcp.listen_drops",
	"tracer.lost_events",
	"tracer.map_full",
	"accept.fairness.jain",
	"accept.fairness.max_over_mean",
	"sched.run_ns",
	"proc.processes",
	"proc.threads",
	"proc.zombies_over_time",
	"proc.reaped_by.parent",
	"proc.reaped_by.auto",
	"proc.reaped_by.init",
	"tcp.listen_counters",
	"tracer.raw_tp",
	"tracer.uring_accepts_counted",
	"tracer.duration_s",
};

static void test_json_design_keys_present(void **state)
{
	struct fake *f = *state;
	json_t *j;

	fill_sample(f);
	j = metrics_json(compute(f), &f->r);
	assert_non_null(j);
	for (size_t i = 0; i < sizeof(design_keys) / sizeof(design_keys[0]); i++) {
		if (!at(j, design_keys[i]))
			fail_msg("missing key %s", design_keys[i]);
	}
	for (int k = WAIT_NONE + 1; k < WAIT_KINDS; k++)
		assert_non_null(
			json_object_get(at(j, "accept.wakeups_by_wait"), metrics_wait_name(k)));
	json_decref(j);
}

static void test_json_values_match(void **state)
{
	struct fake *f = *state;
	json_t *j, *w;

	fill_sample(f);
	j = metrics_json(compute(f), &f->r);
	assert_non_null(j);
	assert_int_equal(int_at(j, "accept.accepted"), 4);
	assert_int_equal(int_at(j, "accept.wakeups"), 12);
	assert_int_equal(int_at(j, "accept.wakeups_by_wait.epoll"), 12);
	assert_int_equal(int_at(j, "accept.wakeups_by_wait.lock"), 0);
	assert_float_equal(real_at(j, "accept.wakeups_per_accept"), 3.0, 1e-12);
	assert_int_equal(int_at(j, "accept.futile_wakeups"), 5);
	assert_int_equal(int_at(j, "accept.eagain"), 2);
	assert_float_equal(real_at(j, "accept.fairness.jain"), 16.0 / 20.0, 1e-12);
	assert_int_equal(int_at(j, "sched.switches"), 40);
	assert_float_equal(real_at(j, "sched.switches_per_request"), 10.0, 1e-12);
	assert_int_equal(int_at(j, "proc.zombies_peak"), 1);
	assert_int_equal(int_at(j, "proc.reaped_by.parent"), 1);
	assert_int_equal(int_at(j, "tcp.listen_drops"), 7);
	assert_string_equal(json_string_value(at(j, "tcp.listen_counters")), "system-wide");
	assert_int_equal(int_at(j, "tracer.lost_events"), 0);
	assert_true(json_is_true(at(j, "tracer.raw_tp")));
	w = json_array_get(at(j, "accept.per_task"), 0);
	assert_int_equal(int_at(w, "tid"), 100);
	assert_string_equal(json_string_value(at(w, "comm")), "herdsrv");
	assert_float_equal(real_at(w, "share"), 0.75, 1e-12);
	json_decref(j);
}

/* Lifetimes are in microseconds: one zombie of 2 ms. */
static void test_json_zombie_lifetime_in_us(void **state)
{
	struct fake *f = *state;
	json_t *j;

	fill_sample(f);
	j = metrics_json(compute(f), &f->r);
	assert_non_null(j);
	assert_string_equal(json_string_value(at(j, "proc.zombie_lifetime.unit")), "us");
	assert_int_equal(int_at(j, "proc.zombie_lifetime.count"), 1);
	assert_float_equal(real_at(j, "proc.zombie_lifetime.max"), 2000.0, 1e-9);
	json_decref(j);
}

/*
 * Slots 0, 3, 10 holding 1, 2, 1: buckets [0,1], [8,15], [1024,2047]. p50 is rank 2, in
 * slot 3 (top 15); p99 is rank ceil(3.96) = 4, in slot 10 (top 2047).
 */
/*
 * A kernel histogram: exact below 32 ns, then 16 slots per power of two. 1 ns, 10 ns
 * twice and 1500 ns: 1500 lies in [1472, 1535] (64 ns wide), the p99 is that slot's top.
 */
static void test_json_kernel_histogram(void **state)
{
	struct fake *f = *state;
	static const json_int_t want[3][3] = { { 1, 1, 1 }, { 10, 10, 2 }, { 1472, 1535, 1 } };
	json_t *j, *b;

	f->r.hist[HIST_OFFCPU].slot[herd_hist_slot(1)] = 1;
	f->r.hist[HIST_OFFCPU].slot[herd_hist_slot(10)] = 2;
	f->r.hist[HIST_OFFCPU].slot[herd_hist_slot(1500)] = 1;
	j = metrics_json(compute(f), &f->r);
	assert_non_null(j);
	assert_string_equal(json_string_value(at(j, "sched.offcpu.unit")), "ns");
	assert_int_equal(int_at(j, "sched.offcpu.count"), 4);
	assert_int_equal(int_at(j, "sched.offcpu.p50"), 10);
	assert_int_equal(int_at(j, "sched.offcpu.p99"), 1535);
	assert_true(json_real_value(at(j, "sched.offcpu.resolution")) == 1.0 / 16);
	b = at(j, "sched.offcpu.buckets");
	assert_int_equal(json_array_size(b), 3);
	for (size_t i = 0; i < 3; i++)
		for (size_t k = 0; k < 3; k++)
			assert_int_equal(
				json_integer_value(json_array_get(json_array_get(b, i), k)),
				want[i][k]);
	json_decref(j);
}

/* The kernel's slot of a value is lib/hist's counter of it, for every magnitude. */
static void test_kernel_slots_are_hist_counters(void **state)
{
	struct hist h;

	assert_int_equal(hist_init_bits(&h, HERD_HIST_HIGHEST, HERD_HIST_BITS), 0);
	assert_int_equal(h.counts_len, HERD_HIST_SLOTS);
	for (int k = 0; k < 41; k++)
		for (uint64_t d = 0; d < 3; d++) {
			uint64_t v = ((1ULL << k) - 1 + d) & HERD_HIST_HIGHEST;
			assert_int_equal(herd_hist_slot(v), hist_index(&h, v));
		}
	for (uint64_t v = 1; v < (1ULL << 40); v = v * 3 + 7)
		assert_int_equal(herd_hist_slot(v), hist_index(&h, v));
	assert_int_equal(herd_hist_slot(1ULL << 45), HERD_HIST_SLOTS - 1); /* clamped */
	hist_free(&h);
}

/* [[t_ms, count], ...]: one exit 10 ms after the start. */
static void test_json_zombies_over_time_in_ms(void **state)
{
	struct fake *f = *state;
	json_t *j, *p;

	add_proc(f, 10, START_NS + MS(10), 0, -1);
	j = metrics_json(compute(f), &f->r);
	assert_non_null(j);
	assert_int_equal(json_array_size(at(j, "proc.zombies_over_time")), 1);
	p = json_array_get(at(j, "proc.zombies_over_time"), 0);
	assert_float_equal(json_real_value(json_array_get(p, 0)), 10.0, 1e-9);
	assert_int_equal(json_integer_value(json_array_get(p, 1)), 1);
	json_decref(j);
}

/*
 * 1500 exits, one per ms, then 1490 reaps: 2990 points rising to 1500 and falling to 10.
 * Downsampled to 500 points at most, the peak and the final count survive.
 */
static void test_json_zombies_downsampled_keep_peak(void **state)
{
	struct fake *f = *state;
	json_int_t max = 0;
	json_t *j, *series;
	size_t n;

	for (int i = 0; i < 1500; i++)
		add_proc(f, (uint32_t)i + 1, START_NS + MS(i + 1),
			 i < 1490 ? START_NS + MS(2000 + i) : 0, i < 1490 ? REAPED_PARENT : -1);
	j = metrics_json(compute(f), &f->r);
	assert_non_null(j);
	assert_int_equal(f->m.nzombies, 2990);
	series = at(j, "proc.zombies_over_time");
	n = json_array_size(series);
	assert_in_range(n, 2, 500);
	for (size_t i = 0; i < n; i++) {
		json_int_t c = json_integer_value(json_array_get(json_array_get(series, i), 1));

		max = c > max ? c : max;
	}
	assert_int_equal(max, 1500);
	assert_int_equal(json_integer_value(json_array_get(json_array_get(series, n - 1), 1)), 10);
	json_decref(j);
}

/* ---- CSV tables ----------------------------------------------------------------------------- */

static int csv_setup(void **state)
{
	struct fake *f;

	if (fake_setup(state) < 0)
		return -1;
	f = *state;
	strcpy(f->dir, "/tmp/herd-test-metrics.XXXXXX");
	return mkdtemp(f->dir) ? 0 : -1;
}

static int csv_teardown(void **state)
{
	struct fake *f = *state;
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/connections.csv", f->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/tasks.csv", f->dir);
	unlink(path);
	rmdir(f->dir);
	return fake_teardown(state);
}

/* @name in the scratch directory, read whole into @buf; returns its number of lines. */
static int read_back(struct fake *f, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX + 32];
	FILE *in;
	size_t n;
	int lines = 0;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	in = fopen(path, "r");
	assert_non_null(in);
	n = fread(buf, 1, len - 1, in);
	fclose(in);
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++)
		lines += buf[i] == '\n';
	return lines;
}

/* Line @i (0: the header) of @buf, without its newline. */
static const char *line(const char *buf, int i, char *out, size_t len)
{
	size_t n;

	while (i-- > 0)
		buf = strchr(buf, '\n') + 1;
	n = strcspn(buf, "\n");
	assert_true(n < len);
	memcpy(out, buf, n);
	out[n] = '\0';
	return out;
}

static void add_conn(struct fake *f, int family, const char *addr, uint16_t port, uint64_t est)
{
	struct herd_conn *c = &f->conns[f->r.nconns++];

	*c = (struct herd_conn){ .sk = 0xffff0000 + est,
				 .established_ns = est,
				 .accepted_ns = est + 50,
				 .closed_ns = est + 300,
				 .accept_tid = 77,
				 .wakeups = 3,
				 .family = (uint16_t)family,
				 .client_port = port,
				 .server_port = 8080 };
	if (addr)
		assert_int_equal(inet_pton(family, addr, c->client_addr), 1);
}

static void test_connections_csv(void **state)
{
	struct fake *f = *state;
	char path[PATH_MAX + 32], buf[4096], row[256];

	add_conn(f, AF_INET6, "::1", 40002, 300);
	add_conn(f, AF_INET, "127.0.0.2", 40000, 100);
	add_conn(f, 0, NULL, 40001, 200);
	snprintf(path, sizeof(path), "%s/connections.csv", f->dir);
	assert_int_equal(metrics_write_connections(path, &f->r), 0);
	assert_int_equal(read_back(f, "connections.csv", buf, sizeof(buf)), 4);
	assert_string_equal(line(buf, 0, row, sizeof(row)),
			    "client_addr,client_port,server_port,established_ns,accepted_ns,"
			    "accept_tid,closed_ns,wakeups");
	assert_string_equal(line(buf, 1, row, sizeof(row)),
			    "127.0.0.2,40000,8080,100,150,77,400,3");
	assert_string_equal(line(buf, 2, row, sizeof(row)), ",40001,8080,200,250,77,500,3");
	assert_string_equal(line(buf, 3, row, sizeof(row)), "::1,40002,8080,300,350,77,600,3");
}

static void test_tasks_csv(void **state)
{
	struct fake *f = *state;
	char path[PATH_MAX + 32], buf[4096], row[256];
	struct herd_task *t = add_task(f, 100, 100, "herdsrv");

	*t = (struct herd_task){ .tgid = 100,
				 .ppid = 1,
				 .switches = 9,
				 .voluntary = 8,
				 .involuntary = 1,
				 .migrations = 2,
				 .run_ns = 12345,
				 .accepted = 6,
				 .eagain = 3,
				 .futile = 4,
				 .comm_set = 1,
				 .comm = "herdsrv" };
	t->wakeups[WAIT_EPOLL] = 5;
	t->wakeups[WAIT_LOCK] = 2;
	add_task(f, 101, 100, "a,\"b\"");
	snprintf(path, sizeof(path), "%s/tasks.csv", f->dir);
	assert_int_equal(metrics_write_tasks(path, &f->r), 0);
	assert_int_equal(read_back(f, "tasks.csv", buf, sizeof(buf)), 3);
	assert_string_equal(line(buf, 0, row, sizeof(row)),
			    "tid,tgid,ppid,comm,role,switches,voluntary,involuntary,migrations,"
			    "run_ns,accepted,eagain,futile,wakeups");
	assert_string_equal(line(buf, 1, row, sizeof(row)),
			    "100,100,1,herdsrv,process,9,8,1,2,12345,6,3,4,7");
	assert_string_equal(line(buf, 2, row, sizeof(row)),
			    "101,100,0,\"a,\"\"b\"\"\",thread,0,0,0,0,0,0,0,0,0");
}

/*
 * A name read back from tasks.csv stays a string: the kernel's comm is at most 15 bytes and
 * its NUL (TASK_COMM_LEN), so a 15-byte name is read and a 16-byte one is refused.
 */
static void test_tasks_csv_comm_is_a_string(void **state)
{
	(void)state;
	static const char head[] = "tid,tgid,ppid,comm,role,switches,voluntary,involuntary,"
				   "migrations,run_ns,accepted,eagain,futile,wakeups\n";
	char text[512];
	struct trace_task *tasks = NULL;
	struct csv_stats st;

	snprintf(text, sizeof(text), "%s1,1,0,abcdefghijklmno,process,0,0,0,0,0,0,0,0,0\n", head);
	assert_int_equal(csv_parse_tasks(text, &tasks, &st), 1);
	assert_string_equal(tasks[0].t.comm, "abcdefghijklmno");
	free(tasks);
	tasks = NULL;
	snprintf(text, sizeof(text), "%s1,1,0,abcdefghijklmnop,process,0,0,0,0,0,0,0,0,0\n", head);
	assert_int_equal(csv_parse_tasks(text, &tasks, &st), 0);
	assert_int_equal(st.rejected, 1);
	free(tasks);
	tasks = NULL;
	snprintf(text, sizeof(text), "%s1,1,0,\"abcdefghijklmnop\",process,0,0,0,0,0,0,0,0,0\n",
		 head);
	assert_int_equal(csv_parse_tasks(text, &tasks, &st), 0);
	free(tasks);
}

/* ---- the text report ------------------------------------------------------------------------ */

/* metrics_print() into a string (free it). */
static char *report(struct fake *f)
{
	char *out = NULL;
	size_t len = 0;
	FILE *s = open_memstream(&out, &len);

	assert_non_null(s);
	metrics_print(s, compute(f), &f->r);
	fclose(s);
	return out;
}

/*
 * The value on the report's line for @label ("  label    value"), up to the end of the line,
 * into @out; "" when there is no such line.
 */
static const char *row_value(const char *out, const char *label, char *buf, size_t len)
{
	size_t n = strlen(label);

	buf[0] = '\0';
	for (const char *p = out; (p = strstr(p, label)); p += n) {
		const char *v = p + n;

		if (p < out + 2 || strncmp(p - 2, "  ", 2) || (p > out + 2 && p[-3] != '\n') ||
		    *v != ' ')
			continue;
		v += strspn(v, " ");
		n = strcspn(v, "\n");
		assert_true(n < len);
		memcpy(buf, v, n);
		buf[n] = '\0';
		break;
	}
	return buf;
}

static void test_print_sections(void **state)
{
	struct fake *f = *state;
	static const char *const sections[] = { "\naccept\n", "\nscheduling\n", "\nprocesses\n",
						"\ntcp\n", "\ntracer\n" };
	char *out, v[128];

	fill_sample(f);
	out = report(f);
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (!strstr(out, sections[i]))
			fail_msg("no section %s in:\n%s", sections[i], out);
	assert_string_equal(row_value(out, "herd factor", v, sizeof(v)), "3.00 wakeups per accept");
	assert_string_equal(row_value(out, "accepted", v, sizeof(v)), "4");
	assert_string_equal(row_value(out, "listen drops", v, sizeof(v)), "7 (system-wide)");
	assert_string_equal(row_value(out, "zombies peak", v, sizeof(v)), "1");
	assert_non_null(
		strstr(out, "run-queue latency (2 samples, p50 15 ns, p90 15 ns, p99 15 ns)"));
	assert_non_null(strstr(out, " 12 in epoll\n"));
	assert_null(strstr(out, "in lock")); /* kinds without wakeups are not listed */
	free(out);
}

/* The tracer's losses are printed when zero too, and warned about when not. */
static void test_print_tracer_zero_not_silent(void **state)
{
	struct fake *f = *state;
	char *out, v[128];

	out = report(f);
	assert_string_equal(row_value(out, "lost events", v, sizeof(v)), "0");
	assert_string_equal(row_value(out, "full maps", v, sizeof(v)), "0");
	assert_null(strstr(out, "WARNING"));
	free(out);
}

static void test_print_warns_on_lost_events(void **state)
{
	struct fake *f = *state;
	char *out, v[128];

	f->r.totals.lost_events = 3;
	out = report(f);
	assert_string_equal(row_value(out, "lost events", v, sizeof(v)), "3");
	assert_non_null(strstr(out, "\nWARNING: the tracer missed events (3 lost"));
	free(out);
}

static void test_print_workers_capped(void **state)
{
	struct fake *f = *state;
	char *out;

	for (uint32_t i = 0; i < 40; i++)
		add_task(f, 1000 + i, 1000 + i, "w")->accepted = 100 - i;
	out = report(f);
	assert_non_null(strstr(out, "1031 ")); /* the 32nd row */
	assert_null(strstr(out, "1032 "));
	assert_non_null(strstr(out, "  ... 8 more\n"));
	free(out);
}

/* Rows 0..2 holding 4, 2, 1: BCC's layout (a row per power of two), the biggest a full bar. */
static void test_print_hist_bcc_style(void **state)
{
	struct fake *f = *state;
	char *out;

	f->r.hist[HIST_RUNQ].slot[herd_hist_slot(0)] = 4;
	f->r.hist[HIST_RUNQ].slot[herd_hist_slot(2)] = 2;
	f->r.hist[HIST_RUNQ].slot[herd_hist_slot(4)] = 1;
	out = report(f);
	assert_non_null(strstr(out, "     nsecs               : count     distribution\n"));
	assert_non_null(strstr(out, "         0 -> 1          : 4         "
				    "|****************************************|\n"));
	assert_non_null(strstr(out, "         2 -> 3          : 2         "
				    "|********************                    |\n"));
	assert_non_null(strstr(out, "         4 -> 7          : 1         "
				    "|**********                              |\n"));
	assert_null(strstr(out, "8 -> 15"));
	free(out);
}

/* Leading empty slots are left out: a histogram of microseconds starts at its first sample. */
static void test_print_hist_starts_at_first_sample(void **state)
{
	struct fake *f = *state;
	char *out;

	f->r.hist[HIST_FORK].slot[herd_hist_slot(40000)] = 5;
	out = report(f);
	assert_non_null(strstr(out, "\n     32768 -> 65535      : 5         |*"));
	assert_null(strstr(out, "16384 -> 32767"));
	assert_null(strstr(out, " 0 -> 1 "));
	free(out);
}

/* Per-interval deltas, the interval's herd factor, the zombies now. */
static void test_print_interval_deltas(void **state)
{
	struct trace_metrics prev = {
		.accepted = 10, .wakeups = 20, .futile = 5, .switches = 100, .forks = 1
	};
	struct zombie_point z[2] = { { MS(1), 2 }, { MS(2), 1 } };
	struct trace_metrics now = { .accepted = 13,
				     .wakeups = 32,
				     .futile = 9,
				     .switches = 130,
				     .forks = 3,
				     .zombies = z,
				     .nzombies = 2 };
	char *out = NULL;
	size_t len = 0;
	FILE *s = open_memstream(&out, &len);

	(void)state;
	assert_non_null(s);
	metrics_print_interval(s, &now, &prev, 1.0);
	fclose(s);
	assert_int_equal(out[2], ':');
	assert_string_equal(out + 8, "  accepts 3  wakeups 12  herd 4.00  futile 4  switches 30  "
				     "forks 2  zombies 1\n");
	free(out);
}

static void test_wait_names(void **state)
{
	(void)state;
	assert_string_equal(metrics_wait_name(WAIT_ACCEPT), "accept");
	assert_string_equal(metrics_wait_name(WAIT_EPOLL), "epoll");
	assert_string_equal(metrics_wait_name(WAIT_URING), "uring");
	assert_string_equal(metrics_wait_name(WAIT_KINDS), "unknown");
	assert_string_equal(metrics_wait_name(-1), "unknown");
}

#define T(fn)	  cmocka_unit_test_setup_teardown(fn, fake_setup, fake_teardown)
#define T_CSV(fn) cmocka_unit_test_setup_teardown(fn, csv_setup, csv_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_herd_factor_and_wakeups_by),
		T(test_herd_factor_zero_without_accepts),
		T(test_futile_and_eagain_summed),
		T(test_workers_filtered_and_sorted),
		T(test_fairness_over_workers),
		T(test_no_workers_fairness_zero),
		T(test_sched_summed_per_request),
		T(test_processes_and_threads),
		T(test_totals_copied),
		T(test_queue_peak_swept_from_connections),
		T(test_queue_peak_clamps_and_empty),
		T(test_zombies_peak),
		T(test_zombie_auto_reaped_near_zero),
		T(test_zombie_unreaped_counted),
		T(test_zombie_ties_never_negative),
		T(test_zombie_reap_before_exit_clamped),
		T(test_zombie_reaped_without_exit),
		T(test_zombie_times_relative_to_start),
		T(test_zombie_lifetime_percentiles),
		T(test_json_design_keys_present),
		T(test_json_values_match),
		T(test_json_zombie_lifetime_in_us),
		T(test_json_kernel_histogram),
		cmocka_unit_test(test_kernel_slots_are_hist_counters),
		T(test_json_zombies_over_time_in_ms),
		T(test_json_zombies_downsampled_keep_peak),
		T_CSV(test_connections_csv),
		T_CSV(test_tasks_csv),
		cmocka_unit_test(test_tasks_csv_comm_is_a_string),
		T(test_print_sections),
		T(test_print_tracer_zero_not_silent),
		T(test_print_warns_on_lost_events),
		T(test_print_workers_capped),
		T(test_print_hist_bcc_style),
		T(test_print_hist_starts_at_first_sample),
		cmocka_unit_test(test_print_interval_deltas),
		cmocka_unit_test(test_wait_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
