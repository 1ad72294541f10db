/* SPDX-License-Identifier: MIT */
/*
 * test_waits.c - the cost of waiting summed from fixed per-task rows (waitcost.c),
 * its run.json keys, its sentence, and waits.csv both ways (csv.c).
 *
 * No BPF here: the rows are what waits.c collects from the kernel (one per task and
 * call kind, sums only), written by hand with the expected means worked out in the
 * comments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonio.h"
#include "metrics/csv.h"
#include "metrics/keys.h"
#include "metrics/waitcost.h"

/* cmocka's assert_float_equal compares floats: doubles to within @eps. */
#define assert_near(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

/* A row: task @tid of process @tgid, @calls of @kind with these sums. */
static struct waits_row row(uint32_t tid, uint32_t tgid, uint32_t kind, uint64_t calls,
			    uint64_t nfds, uint64_t ready, uint64_t cpu_ns, uint64_t elapsed_ns)
{
	struct waits_row r = { .tid = tid, .kind = kind };

	r.s.tgid = tgid;
	r.s.calls = calls;
	r.s.nfds = nfds;
	r.s.ready = ready;
	r.s.cpu_ns = cpu_ns;
	r.s.elapsed_ns = elapsed_ns;
	snprintf(r.s.comm, sizeof(r.s.comm), "herdsrv");
	return r;
}

/*
 * Three tasks: 10 (select 100 calls over 1011 descriptors each, and epoll 50 calls),
 * 11 (select 300 calls over 11 descriptors each), 12 (poll, epoll). Plus rows that
 * count for nothing: no calls, a kind out of range.
 */
static size_t fixture(struct waits_row *r)
{
	size_t n = 0;

	r[n++] = row(10, 10, WAITS_SELECT, 100, 100 * 1011, 150, 100 * 4100, 100 * 90000);
	r[n++] = row(11, 10, WAITS_SELECT, 300, 300 * 11, 300, 300 * 700, 300 * 10000);
	r[n++] = row(12, 12, WAITS_POLL, 7, 7 * 1001, 7, 7 * 250000, 7 * 300000);
	r[n] = row(10, 10, WAITS_EPOLL, 50, 40 * 1001, 60, 50 * 4000, 50 * 40000);
	r[n++].s.unknown_nfds = 10; /* 10 of its 50 calls: interest list unread */
	r[n] = row(12, 12, WAITS_EPOLL, 30, 30 * 11, 30, 30 * 3000, 30 * 30000);
	r[n++].s.maxevents = 30 * 256;
	r[n++] = row(13, 13, WAITS_POLL, 0, 0, 0, 0, 0); /* no calls: not a task of poll */
	r[n++] = row(14, 14, 7, 5, 5, 5, 5, 5);		 /* not a kind */
	return n;
}

static void test_sum_by_kind(void **state)
{
	struct waits_row rows[16];
	struct wait_summary s;
	size_t n = fixture(rows);

	assert_int_equal(waitcost_sum(rows, n, &s), 0);
	const struct wait_sum *sel = &s.kind[WAITS_SELECT];
	assert_int_equal(sel->tasks, 2);
	assert_int_equal(sel->calls, 400);
	/* (100 * 1011 + 300 * 11) / 400 = 261: a ratio of sums, not a mean of means (511) */
	assert_near(sel->nfds_per_call, 261.0, 1e-9);
	/* (410000 + 210000) / 400 = 1550 ns per call; / 261 descriptors */
	assert_near(sel->cpu_ns_per_call, 1550.0, 1e-9);
	assert_near(sel->cpu_ns_per_fd, 1550.0 / 261.0, 1e-9);
	assert_near(sel->ready_per_call, 450.0 / 400.0, 1e-9);
	assert_near(sel->elapsed_ns_per_call, (9e6 + 3e6) / 400.0, 1e-9);

	const struct wait_sum *ep = &s.kind[WAITS_EPOLL];
	assert_int_equal(ep->tasks, 2);
	assert_int_equal(ep->calls, 80);
	assert_int_equal(ep->unknown_nfds, 10);
	/* descriptors over the 70 calls whose list was read: (40040 + 330) / 70 */
	assert_near(ep->nfds_per_call, (40 * 1001 + 30 * 11) / 70.0, 1e-9);
	assert_near(ep->maxevents_per_call, 30 * 256 / 80.0, 1e-9);
	assert_near(ep->cpu_ns_per_call, (50 * 4000 + 30 * 3000) / 80.0, 1e-9);

	const struct wait_sum *pl = &s.kind[WAITS_POLL];
	assert_int_equal(pl->tasks, 1); /* task 13 made no call */
	assert_near(pl->nfds_per_call, 1001.0, 1e-9);
	assert_near(pl->cpu_ns_per_fd, 250000.0 / 1001.0, 1e-9);
}

static void test_total(void **state)
{
	struct waits_row rows[16];
	struct wait_summary s;
	size_t n = fixture(rows);

	assert_int_equal(waitcost_sum(rows, n, &s), 0);
	assert_int_equal(s.total.tasks, 3); /* 10, 11, 12: task 10 has two kinds, counted once */
	assert_int_equal(s.total.calls, 400 + 7 + 80);
	assert_int_equal(s.total.cpu_ns,
			 100 * 4100 + 300 * 700 + 7 * 250000 + 50 * 4000 + 30 * 3000);
	double nfds = 100 * 1011 + 300 * 11 + 7 * 1001 + 40 * 1001 + 30 * 11;
	assert_near(s.total.nfds_per_call, nfds / (487 - 10), 1e-9);
	assert_near(s.total.cpu_ns_per_fd, s.total.cpu_ns_per_call / s.total.nfds_per_call, 1e-9);
}

static void test_sum_of_nothing(void **state)
{
	struct wait_summary s;

	assert_int_equal(waitcost_sum(NULL, 0, &s), 0);
	assert_int_equal(s.total.calls, 0);
	assert_near(s.total.cpu_ns_per_call, 0, 0); /* no division by zero */
	assert_near(s.total.cpu_ns_per_fd, 0, 0);
}

static void test_sentence(void **state)
{
	char buf[256];

	assert_string_equal(
		waitcost_sentence(buf, sizeof(buf), "select", 9, 4100, 1011, 4100.0 / 1011),
		"select spent 4.1 us of CPU per call over 1011 descriptors: 4.1 ns per "
		"descriptor.");
	assert_string_equal(waitcost_sentence(buf, sizeof(buf), "epoll", 9, 3900, 1001, 3.896),
			    "epoll spent 3.9 us of CPU per call over 1001 descriptors: 3.9 ns per "
			    "descriptor.");
	assert_string_equal(waitcost_sentence(buf, sizeof(buf), "poll", 3, 265000, 1, 265000),
			    "poll spent 265.0 us of CPU per call over 1 descriptor: 265.0 us per "
			    "descriptor.");
	assert_string_equal(waitcost_sentence(buf, sizeof(buf), "epoll", 3, 812, 0, 0),
			    "epoll spent 812 ns of CPU per call (descriptors unknown).");
	assert_string_equal(waitcost_sentence(buf, sizeof(buf), "poll", 0, 0, 0, 0),
			    "No poll call was made.");
}

static double get(json_t *o, const char *key)
{
	json_t *v = jsonio_get_path(o, key);

	assert_non_null(v);
	return json_number_value(v);
}

static void test_json_keys(void **state)
{
	struct waits_row rows[16];
	struct waits_result r = { 0 };
	struct wait_summary s;
	uint32_t ids[] = { 41, 43 };
	json_t *trace = json_object();

	r.hist[WAITS_SELECT].slot[herd_hist_slot(4100)] = 100;
	r.epoll_interest = true;
	r.prog_ids = ids;
	r.nprog_ids = 2;
	assert_int_equal(waitcost_sum(rows, fixture(rows), &s), 0);
	assert_int_equal(waitcost_json(trace, &s, &r), 0);
	assert_near(get(trace, MK_DOT(MK_WAIT_SELECT, MK_WK_CALLS)), 400, 0);
	assert_near(get(trace, MK_DOT(MK_WAIT_SELECT, MK_WK_NFDS_PER_CALL)), 261, 1e-9);
	assert_near(get(trace, MK_DOT(MK_WAIT_SELECT, MK_WK_CPU_NS_PER_FD)), 1550.0 / 261.0, 1e-9);
	assert_near(get(trace, MK_DOT(MK_WAIT_POLL, MK_WK_CPU_NS)), 7 * 250000, 0);
	assert_near(get(trace, MK_DOT(MK_WAIT_EPOLL, MK_WK_UNKNOWN_NFDS)), 10, 0);
	assert_near(get(trace, MK_WAIT_TOTAL_CALLS), 487, 0);
	assert_near(get(trace, MK_DOT(MK_WAIT_TOTAL, MK_WK_TASKS)), 3, 0);
	/* the histogram's count is the kernel's; its p50 the top of 4100's slot */
	assert_near(get(trace, "wait.select.cpu_ns_hist.count"), 100, 0);
	double p50 = get(trace, "wait.select.cpu_ns_hist.p50");
	assert_true(p50 >= 4100 && p50 <= 4100 * 17 / 16.0);
	assert_string_equal(json_string_value(jsonio_get_path(trace, MK_WAIT_EPOLL_INTEREST)),
			    MV_WAIT_INTEREST_REFCOUNT);
	assert_near(get(trace, MK_WAIT_PROGRAM_IDS ".1"), 43, 0);
	json_decref(trace);
}

static void test_csv_both_ways(void **state)
{
	struct waits_row rows[16], *back = NULL;
	struct csv_stats st;
	char dir[] = "/tmp/test_waits.XXXXXX", path[64];
	size_t n = fixture(rows) - 1; /* not the row of no kind: it is written "unknown" */

	memset(rows[1].s.comm, 0, sizeof(rows[1].s.comm)); /* a name that must be quoted */
	snprintf(rows[1].s.comm, sizeof(rows[1].s.comm), "a,\"b\"");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/waits.csv", dir);
	assert_int_equal(csv_write_waits(path, rows, n), 0);
	assert_int_equal(csv_read_waits(path, &back, &st), (ssize_t)n);
	assert_int_equal(st.rejected, 0);
	for (size_t i = 0; i < n; i++)
		assert_memory_equal(&back[i], &rows[i], sizeof(rows[i]));
	free(back);
	unlink(path);
	rmdir(dir);
}

static void test_csv_refuses_bad_rows(void **state)
{
	char text[] = "tid,tgid,comm,kind,calls,nfds,maxevents,ready,empty_calls,errors,"
		      "unknown_nfds_calls,cpu_ns,elapsed_ns\n"
		      "1,1,x,select,2,2022,0,2,0,0,0,8200,9000\n"
		      "2,2,x,kqueue,2,2,0,2,0,0,0,1,1\n" /* not a kind */
		      "3,3,x,poll,-1,2,0,2,0,0,0,1,1\n"; /* not a count */
	struct waits_row *rows = NULL;
	struct csv_stats st;

	assert_int_equal(csv_parse_waits(text, &rows, &st), 1);
	assert_int_equal(st.rejected, 2);
	assert_int_equal(st.first_line, 3);
	assert_int_equal(rows[0].kind, WAITS_SELECT);
	assert_int_equal(rows[0].s.nfds, 2022);
	free(rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sum_by_kind),
		cmocka_unit_test(test_total),
		cmocka_unit_test(test_sum_of_nothing),
		cmocka_unit_test(test_sentence),
		cmocka_unit_test(test_json_keys),
		cmocka_unit_test(test_csv_both_ways),
		cmocka_unit_test(test_csv_refuses_bad_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
