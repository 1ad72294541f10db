/* SPDX-License-Identifier: MIT */
/*
 * test_load_phases.c - herdload's --phases (loadgen/phases.c): the grammar, with a
 * message naming the bad part for every kind of mistake; the phase of a time; paths
 * that join the workload but are never drawn by --mix; and per-phase numbers that add
 * up to the records they are made from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <math.h>

#include "load.h"
#include "phases.h"
#include "schedule.h"
#include "workload.h"

/* @spec parsed into @ph, or the test fails with the parser's message. */
static void parse_ok(const char *spec, struct load_phases *ph)
{
	char why[256] = "";

	if (phases_parse(spec, ph, why, sizeof(why)) != 0)
		fail_msg("spec '%s' refused: %s", spec, why);
}

static void test_parses_the_example(void **state)
{
	struct load_phases ph;

	parse_ok("3s:clients=2:/size/1K,4s:clients=30:/sleep/100,3s:clients=2", &ph);
	assert_int_equal(ph.n, 3);
	assert_true(ph.p[0].duration_ns == 3000000000ULL && ph.p[0].start_ns == 0);
	assert_true(ph.p[1].duration_ns == 4000000000ULL && ph.p[1].start_ns == 3000000000ULL);
	assert_true(ph.p[2].start_ns == 7000000000ULL && ph.total_ns == 10000000000ULL);
	assert_int_equal(ph.p[0].clients, 2);
	assert_int_equal(ph.p[1].clients, 30);
	assert_string_equal(ph.p[0].path_str, "/size/1K");
	assert_string_equal(ph.p[1].path_str, "/sleep/100");
	assert_null(ph.p[2].path_str);
	phases_free(&ph);
}

static void test_fields_in_any_order_and_units(void **state)
{
	struct load_phases ph;

	parse_ok("250ms:/x:clients=7,1.5s", &ph);
	assert_int_equal(ph.n, 2);
	assert_true(ph.p[0].duration_ns == 250000000ULL);
	assert_true(ph.p[1].duration_ns == 1500000000ULL);
	assert_int_equal(ph.p[0].clients, 7);
	assert_int_equal(ph.p[1].clients, 0); /* --clients, when settled */
	assert_string_equal(ph.p[0].path_str, "/x");
	phases_free(&ph);
}

/* Each bad spec fails, and the message names the phase and its text. */
static void test_bad_specs_name_the_bad_part(void **state)
{
	static const struct {
		const char *spec, *expect;
	} bad[] = {
		{ "", "empty" },
		{ "3x", "phase 1 '3x'" },
		{ "3", "phase 1 '3'" },
		{ "0s", "phase 1 '0s'" },
		{ "-1s", "phase 1 '-1s'" },
		{ "1s,4q:clients=2", "phase 2 '4q:clients=2'" },
		{ "1s,,2s", "phase 2 ''" },
		{ "1s:clients=0", "clients=" },
		{ "1s:clients=abc", "clients=" },
		{ "1s:clients=2:clients=3", "given twice" },
		{ "1s:/a:/b", "a path given twice" },
		{ "1s:size=3", "phase 1 '1s:size=3'" },
		{ "1s:", "an empty field" },
	};
	struct load_phases ph;
	char why[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = 0;
		assert_int_equal(phases_parse(bad[i].spec, &ph, why, sizeof(why)), -1);
		if (!strstr(why, bad[i].expect))
			fail_msg("spec '%s': '%s' lacks '%s'", bad[i].spec, why, bad[i].expect);
		assert_int_equal(ph.n, 0);
	}
}

static void test_too_many_phases(void **state)
{
	char spec[LOAD_MAX_PHASES * 4 + 16] = "", why[256];
	struct load_phases ph;

	for (int i = 0; i <= LOAD_MAX_PHASES; i++)
		strcat(spec, i ? ",1s" : "1s");
	assert_int_equal(phases_parse(spec, &ph, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "more than"));
}

static void test_phase_at(void **state)
{
	struct load_phases ph;

	parse_ok("1s,2s,1s", &ph);
	assert_int_equal(phases_at(&ph, 0), 0);
	assert_int_equal(phases_at(&ph, 999999999ULL), 0);
	assert_int_equal(phases_at(&ph, 1000000000ULL), 1);
	assert_int_equal(phases_at(&ph, 2999999999ULL), 1);
	assert_int_equal(phases_at(&ph, 3000000000ULL), 2);
	assert_int_equal(phases_at(&ph, 99000000000ULL), 2); /* past the end: the last */
	phases_free(&ph);
}

/* The phases' paths are in the workload, and the --mix draw never picks them. */
static void test_settle_paths_are_never_drawn(void **state)
{
	struct load_workload w = { 0 };
	struct load_phases ph;
	struct load_rng rng;
	const char *why_c;
	char why[256];

	assert_int_equal(workload_parse_mix(&w, "/a:1,/b:3", &why_c), 0);
	parse_ok("1s:/p,1s:clients=4", &ph);
	assert_int_equal(phases_settle(&ph, 9, &w, why, sizeof(why)), 0);
	assert_int_equal(w.npaths, 3);
	assert_int_equal(ph.p[0].path, 2);
	assert_int_equal(ph.p[1].path, -1);
	assert_int_equal(ph.p[0].clients, 9);
	assert_int_equal(ph.max_clients, 9);
	assert_int_equal(ph.base_paths, 2);
	rng_seed(&rng, 1, 0);
	for (int i = 0; i < 10000; i++)
		assert_true(workload_pick(&w, &rng) < 2);
	phases_free(&ph);
	workload_free(&w);
}

/* A run of phases @spec whose records the test adds, measured from @measure_ns. */
struct run {
	struct load_record recs[16]; /* the records added */
	struct load_result r;	     /* the run, over @recs */
	struct phase_stats st[4];    /* each phase's numbers, once computed */
	struct load_phases ph;	     /* the phases */
};

static void run_init(struct run *x, const char *spec, uint64_t measure_ns)
{
	memset(x, 0, sizeof(*x));
	x->r.records = x->recs;
	x->r.measure_ns = measure_ns;
	parse_ok(spec, &x->ph);
	assert_true(x->ph.n <= sizeof(x->st) / sizeof(x->st[0]));
}

/* A request due @sched after the measured start, lasting @lat_ns, ending with @err. */
static void add(struct run *x, uint64_t sched, uint64_t lat_ns, int err)
{
	struct load_record *rec = &x->recs[x->r.nrecords++];

	memset(rec, 0, sizeof(*rec));
	rec->scheduled_ns = x->r.measure_ns + sched;
	rec->last_byte_ns = rec->scheduled_ns + lat_ns;
	rec->error = (uint8_t)err;
}

/* Requests fall in the phase they were due in; the counts add up; latencies per phase. */
static void test_stats_add_up(void **state)
{
	struct run x;
	const struct phase_stats *st = x.st;

	run_init(&x, "1s,1s,2s", 5000);
	add(&x, 0, 1000, ERR_NONE);
	add(&x, 10, 3000, ERR_NONE);
	add(&x, 999999999ULL, 2000, ERR_TIMEOUT);
	add(&x, 1000000000ULL, 100000000ULL, ERR_NONE); /* phase 2: 100 ms */
	add(&x, 1500000000ULL, 200000000ULL, ERR_NONE);
	add(&x, 1600000000ULL, 0, ERR_REFUSED);
	add(&x, 5000000000ULL, 7000, ERR_NONE); /* past the end: the last phase */
	assert_int_equal(phases_stats(&x.ph, &x.r, x.st), 0);
	assert_int_equal(st[0].requests + st[1].requests + st[2].requests, x.r.nrecords);
	assert_int_equal(st[0].requests, 3);
	assert_int_equal(st[0].ok, 2);
	assert_int_equal(st[0].errors[ERR_TIMEOUT], 1);
	assert_int_equal(st[1].requests, 3);
	assert_int_equal(st[1].errors[ERR_REFUSED], 1);
	assert_int_equal(st[2].requests, 1);
	assert_true(fabs(st[0].p50_us - 1.0) < 1e-9 && fabs(st[0].max_us - 3.0) < 1e-9);
	assert_true(fabs(st[1].p50_us - 100000.0) < 1e-6);
	assert_true(fabs(st[1].p99_us - 200000.0) < 1e-6);
	assert_true(fabs(st[0].requests_per_s - 2.0) < 1e-9);
	assert_true(fabs(st[2].requests_per_s - 0.5) < 1e-9);
	phases_free(&x.ph);
}

/* A phase with no ok request has no latency (NAN), and its JSON says null. */
static void test_empty_phase(void **state)
{
	struct run x;
	const struct phase_stats *st = x.st;

	run_init(&x, "1s,1s", 0);
	add(&x, 0, 10, ERR_NONE);
	assert_int_equal(phases_stats(&x.ph, &x.r, x.st), 0);
	assert_true(isnan(st[1].p50_us) && st[1].requests == 0);
	json_t *j = phases_json(&x.ph, &x.r);
	assert_int_equal(json_array_size(j), 2);
	assert_true(json_is_null(json_object_get(json_array_get(j, 1), "p50_us")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(j, 0), "requests")), 1);
	json_decref(j);
	j = phases_json(NULL, &x.r);
	assert_int_equal(json_array_size(j), 0);
	json_decref(j);
	phases_free(&x.ph);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parses_the_example),
		cmocka_unit_test(test_fields_in_any_order_and_units),
		cmocka_unit_test(test_bad_specs_name_the_bad_part),
		cmocka_unit_test(test_too_many_phases),
		cmocka_unit_test(test_phase_at),
		cmocka_unit_test(test_settle_paths_are_never_drawn),
		cmocka_unit_test(test_stats_add_up),
		cmocka_unit_test(test_empty_phase),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
