/* SPDX-License-Identifier: MIT */
/*
 * test_causes.c - the per-request causes (causes/split.c) and the wake order
 * (causes/wakeorder.c) on fixed sequences of scheduling records, each with
 * its answer worked out by hand in the comment above it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "causes/schedlog.c"
#include "causes/split.c"
#include "causes/wakeorder.c"

#define IDLE_TID   0 /* the idle task: not a target */
#define NR_ACCEPT4 288

static struct sched_rec recs[64];
static size_t nrecs;

/* A switch on @cpu from @prev to @next (0: not a target); @nr: prev sleeps in it (-1: preempted). */
static void sw(uint64_t ts, uint32_t prev, uint32_t next, int nr, uint32_t cpu)
{
	struct sched_rec *r = &recs[nrecs++];

	*r = (struct sched_rec){
		.ts = ts, .tid = prev, .other = next, .cpu = cpu, .type = SCHED_SWITCH, .nr = nr
	};
	r->flags = (prev ? SCHED_PREV_TARGET : 0) | (next ? SCHED_NEXT_TARGET : 0) |
		   (nr < 0 ? SCHED_PREEMPTED : SCHED_NR_KNOWN);
	r->wait = nr >= 0 ? herd_wait_kind(nr, 0) : WAIT_NONE;
	if (!next)
		strcpy(r->comm, nr < 0 ? "other" : "swapper/0");
	if (!prev)
		strcpy(r->comm, "other");
}

/* @tid woken at @ts, by the arrival of the connection established at @est (0: none). */
static void wake(uint64_t ts, uint32_t tid, uint64_t est)
{
	recs[nrecs++] = (struct sched_rec){ .ts = ts,
					    .tid = tid,
					    .type = SCHED_WAKING,
					    .sk = est ? 0xff00 + est : 0,
					    .est_ns = est };
}

static void build(struct sched_log *log, struct schedlog_accept *acc, size_t nacc)
{
	memset(log, 0, sizeof(*log));
	log->recs = malloc(nrecs * sizeof(*log->recs));
	memcpy(log->recs, recs, nrecs * sizeof(*recs));
	log->nrecs = nrecs;
	assert_int_equal(schedlog_build(log, acc, nacc), 0);
	nrecs = 0;
}

/*
 * Workers 10 and 11 sleep in accept from 0. The connection established at 1000
 * wakes 10 (1000), then 11 (1001). 11 runs first on CPU 0 (1100..1500) and
 * sleeps again: futile. 10 runs at 1500 and accepts at 1600: its run-queue wait
 * 1000..1500 holds 400 of 11's futile run (the herd) and 100 of its own; the
 * rest (its accept) is 100. Then it sleeps in nanosleep 1700..5700, is runnable
 * until 5800, is preempted at 5900 by "other" until 5950, and the client's
 * last byte is at 6000: on-CPU 100 + 100 + 50, timer 4000, run queue 100 + 50.
 */
static void test_woken_and_herd(void **state)
{
	struct sched_log log;
	struct req_causes c;
	struct schedlog_accept acc[] = { { 1000, 10 } };

	sw(0, 10, IDLE_TID, NR_ACCEPT4, 0);
	sw(0, 11, IDLE_TID, NR_ACCEPT4, 1);
	wake(1000, 10, 1000);
	wake(1001, 11, 1000);
	sw(1100, 0, 11, 0, 0);
	sw(1500, 11, 10, NR_ACCEPT4, 0);
	sw(1700, 10, IDLE_TID, 35 /* nanosleep */, 0);
	wake(5700, 10, 0);
	sw(5800, 0, 10, 0, 0);
	sw(5900, 10, 0, -1, 0);
	sw(5950, 0, 10, 0, 0);
	sw(7000, 10, 0, NR_ACCEPT4, 0);
	build(&log, acc, 1);
	causes_split(&log, 1000, 1600, 10, 6000, &c);
	assert_int_equal(c.queue_ns, 600);
	assert_int_equal(c.wakeups, 2);
	assert_int_equal(c.first_accepted, 1);
	assert_int_equal(c.capacity_ns, 0);
	assert_int_equal(c.herd_ns, 400);
	assert_int_equal(c.woken_runq_ns, 100);
	assert_int_equal(c.queue_rest_ns, 100);
	assert_int_equal(c.server_ns, 4400);
	assert_int_equal(c.oncpu_ns, 250);
	assert_int_equal(c.runq_ns, 150);
	assert_int_equal(c.blocked_ns[SLEEP_SLEEP], 4000);
	assert_int_equal(c.involuntary, 1);
	assert_string_equal(c.ran_instead[0], "other");
	schedlog_free(&log);
}

/*
 * One worker (20), busy from 0 to 5000 serving, then in accept: the connection
 * established at 1000 is queued, never wakes anyone, and is accepted at 5100
 * without a sleep. No worker was idle all along: 4100 of capacity wait.
 */
static void test_capacity(void **state)
{
	struct sched_log log;
	struct req_causes c;
	struct schedlog_accept acc[] = { { 1000, 20 } };

	sw(0, 0, 20, 0, 0);
	sw(6000, 20, 0, 0 /* read */, 0);
	build(&log, acc, 1);
	causes_split(&log, 1000, 5100, 20, 5500, &c);
	assert_int_equal(c.queue_ns, 4100);
	assert_int_equal(c.capacity_ns, 4100);
	assert_int_equal(c.first_accepted, -1);
	assert_int_equal(c.queue_rest_ns, 0);
	assert_int_equal(c.oncpu_ns, 400);
	schedlog_free(&log);
}

/*
 * Workers 30, 31, 32 fall asleep in accept at 10, 20, 30. The first arrival
 * wakes 30 (the longest asleep: rank 1 of 3, FIFO), the second 31 (rank 1 of
 * 2, 30 being busy: 31 asleep since 20, 32 since 30). 32 accepts later. Created in
 * the order 32, 31, 30: the first woken was the last created.
 */
static void test_wake_order(void **state)
{
	struct sched_log log;
	struct wake_order wo[WAIT_KINDS];
	struct schedlog_accept acc[] = { { 100, 30 }, { 200, 31 }, { 900, 32 } };

	sw(10, 30, 0, NR_ACCEPT4, 0);
	sw(20, 31, 0, NR_ACCEPT4, 0);
	sw(30, 32, 0, NR_ACCEPT4, 0);
	wake(100, 30, 100);
	sw(110, 0, 30, 0, 0);
	wake(200, 31, 200);
	sw(210, 0, 31, 0, 1);
	build(&log, acc, 3);
	for (size_t i = 0; i < log.ntasks; i++)
		log.tasks[i].created_ns = 1000 - log.tasks[i].tid;
	wakeorder_compute(&log, wo);
	assert_int_equal(wo[WAIT_ACCEPT].arrivals, 2);
	assert_int_equal(wo[WAIT_ACCEPT].fifo, 2);
	assert_int_equal(wo[WAIT_ACCEPT].lifo, 0);
	assert_int_equal(wo[WAIT_ACCEPT].ranks[0], 2);
	assert_int_equal(wo[WAIT_ACCEPT].created_last, 2);
	assert_int_equal(wo[WAIT_EPOLL].arrivals, 0);
	schedlog_free(&log);
}

/* @tid found asleep in @nr by the loader when recording began (a SCHED_SEED record at @ts). */
static void seed(uint64_t ts, uint32_t tid, int nr)
{
	recs[nrecs++] =
		(struct sched_rec){ .ts = ts,
				    .tid = tid,
				    .type = SCHED_SWITCH,
				    .flags = SCHED_PREV_TARGET | SCHED_NR_KNOWN | SCHED_SEED,
				    .nr = nr,
				    .wait = herd_wait_kind(nr, 0) };
}

/*
 * An EPOLLEXCLUSIVE pool: 50 and 51 were asleep in epoll_wait when recording
 * began (seeds at 5), 50 is woken by each of two arrivals and 51 never is. 51
 * is still an idle worker: 2 idle at each arrival, 50 the first created (the
 * first registered) both times. 50's seed after its own record changes nothing.
 */
static void test_seeded_sleepers(void **state)
{
	struct sched_log log;
	struct wake_order wo[WAIT_KINDS];
	struct schedlog_accept acc[] = { { 100, 50 }, { 300, 50 } };

	sw(1, 50, 0, 232 /* epoll_wait */, 0);
	seed(5, 50, 232);
	seed(5, 51, 232);
	wake(100, 50, 100);
	sw(110, 0, 50, 0, 0);
	sw(150, 50, 0, 232, 0);
	wake(300, 50, 300);
	sw(310, 0, 50, 0, 0);
	build(&log, acc, 2);
	for (size_t i = 0; i < log.ntasks; i++)
		log.tasks[i].created_ns = log.tasks[i].tid;
	const struct sched_task *t51 = schedlog_task(&log, 51);
	assert_non_null(t51);
	assert_true(t51->worker);
	assert_int_equal(t51->n, 1);
	assert_int_equal(log.spans[t51->first].state, SPAN_SLEEP);
	assert_int_equal(log.spans[t51->first].start, 1);
	const struct sched_task *t50 = schedlog_task(&log, 50);
	assert_int_equal(log.spans[t50->first].start, 1); /* its own switch, not the seed */
	wakeorder_compute(&log, wo);
	assert_int_equal(wo[WAIT_EPOLL].arrivals, 2);
	assert_int_equal(wo[WAIT_EPOLL].created_first, 2);
	assert_int_equal(wo[WAIT_EPOLL].created_last, 0);
	schedlog_free(&log);
}

/* A wakeup of a task not seen asleep (woken on its way to sleep) changes nothing. */
static void test_wake_while_running(void **state)
{
	struct sched_log log;

	sw(0, 0, 40, 0, 0);
	wake(50, 40, 50);
	sw(100, 40, 0, NR_ACCEPT4, 0);
	build(&log, NULL, 0);
	assert_int_equal(log.nwakes, 0);
	assert_int_equal(log.ntasks, 1);
	assert_int_equal(log.spans[0].state, SPAN_RUN);
	assert_int_equal(log.spans[0].end, 100);
	schedlog_free(&log);
}

static void test_classify(void **state)
{
	assert_int_equal(causes_classify(35, 0, 0), SLEEP_SLEEP);
	assert_int_equal(causes_classify(230, 0, 0), SLEEP_SLEEP);
	assert_int_equal(causes_classify(202, 0 /* FUTEX_WAIT */, 0), SLEEP_LOCK);
	assert_int_equal(causes_classify(0, 0, 0), SLEEP_SOCKET);
	assert_int_equal(causes_classify(232, 0, 0), SLEEP_SOCKET);
	assert_int_equal(causes_classify(61 /* wait4 */, 0, 0), SLEEP_OTHER);
	assert_int_equal(causes_classify(-1, 0, WAIT_LOCK), SLEEP_LOCK);
}

/* A new name starts at the count added (not at whatever the table held); the most frequent
 * are taken first, the first of equals first; a name past the table's room is not kept. */
static void test_name_count(void **state)
{
	struct name_count tab[3], top;
	size_t ntab = 0;

	memset(tab, 0x5a, sizeof(tab)); /* as a table on the stack may start */
	name_count_add(tab, &ntab, 3, "herdsrv", 7);
	name_count_add(tab, &ntab, 3, "kworker/0:1", 2);
	name_count_add(tab, &ntab, 3, "herdsrv", 1);
	name_count_add(tab, &ntab, 3, "a-name-longer-than-15", 8);
	name_count_add(tab, &ntab, 3, "ksoftirqd/1", 4); /* no room left */
	assert_int_equal(ntab, 3);
	assert_true(name_count_take(tab, ntab, &top));
	assert_string_equal(top.name, "herdsrv");
	assert_int_equal(top.n, 8);
	assert_true(name_count_take(tab, ntab, &top));
	assert_string_equal(top.name, "a-name-longer-t");
	assert_int_equal(top.n, 8);
	assert_true(name_count_take(tab, ntab, &top));
	assert_int_equal(top.n, 2);
	assert_false(name_count_take(tab, ntab, &top));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_woken_and_herd),	   cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_wake_order),	   cmocka_unit_test(test_seeded_sleepers),
		cmocka_unit_test(test_wake_while_running), cmocka_unit_test(test_classify),
		cmocka_unit_test(test_name_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
