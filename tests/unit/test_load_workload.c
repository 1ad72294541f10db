/* SPDX-License-Identifier: MIT */
/*
 * test_load_workload.c - herdload's workload flags (loadgen/workload.c): --url, --mix,
 * --body, --sources, each with the errors it must refuse, and the requests built from
 * them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "workload.h"

static struct load_workload w; /* reset by the teardown */

static int free_workload(void **state)
{
	workload_free(&w);
	return 0;
}

static uint16_t port_of(const struct load_target *t)
{
	return ntohs(((const struct sockaddr_in *)&t->addr)->sin_port);
}

static const char *addr_of(const struct sockaddr_storage *ss, char *buf)
{
	const void *a = ss->ss_family == AF_INET6
				? (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
				: (const void *)&((const struct sockaddr_in *)ss)->sin_addr;

	return inet_ntop(ss->ss_family, a, buf, INET6_ADDRSTRLEN);
}

/* ---- --url --------------------------------------------------------------------------- */

static void test_url_with_port_and_path(void **state)
{
	struct load_target t;
	const char *why;
	char buf[INET6_ADDRSTRLEN];

	assert_int_equal(workload_parse_url("http://127.0.0.1:8080/size/10K", &t, &why), 0);
	assert_string_equal(addr_of(&t.addr, buf), "127.0.0.1");
	assert_int_equal(port_of(&t), 8080);
	assert_string_equal(t.host, "127.0.0.1:8080");
	assert_string_equal(t.path, "/size/10K");
}

static void test_url_without_port_is_port_80(void **state)
{
	struct load_target t;
	const char *why;

	assert_int_equal(workload_parse_url("HTTP://127.0.0.1", &t, &why), 0);
	assert_int_equal(port_of(&t), 80);
	assert_string_equal(t.host, "127.0.0.1");
	assert_string_equal(t.path, "");
}

static void test_url_ipv6_literal(void **state)
{
	struct load_target t;
	const char *why;
	char buf[INET6_ADDRSTRLEN];

	assert_int_equal(workload_parse_url("http://[::1]:81/", &t, &why), 0);
	assert_int_equal(t.addr.ss_family, AF_INET6);
	assert_string_equal(addr_of(&t.addr, buf), "::1");
	assert_string_equal(t.host, "[::1]:81");
}

static void test_url_https_is_refused(void **state)
{
	struct load_target t;
	const char *why;

	assert_int_equal(workload_parse_url("https://127.0.0.1/", &t, &why), -1);
	assert_non_null(strstr(why, "https"));
}

static void test_url_bad_ports_are_refused(void **state)
{
	struct load_target t;
	const char *why;

	assert_int_equal(workload_parse_url("http://127.0.0.1:0/", &t, &why), -1);
	assert_int_equal(workload_parse_url("http://127.0.0.1:65536/", &t, &why), -1);
	assert_int_equal(workload_parse_url("http://127.0.0.1:/", &t, &why), -1);
	assert_int_equal(workload_parse_url("http://127.0.0.1:8x/", &t, &why), -1);
}

static void test_url_without_host_is_refused(void **state)
{
	struct load_target t;
	const char *why;

	assert_int_equal(workload_parse_url("http:///x", &t, &why), -1);
	assert_int_equal(workload_parse_url("http://[::1/x", &t, &why), -1);
	assert_int_equal(workload_parse_url("127.0.0.1:80", &t, &why), -1);
}

static void test_url_path_with_a_space_is_refused(void **state)
{
	struct load_target t;
	const char *why;

	assert_int_equal(workload_parse_url("http://127.0.0.1/a b", &t, &why), -1);
}

static void test_port_target(void **state)
{
	struct load_target t;

	workload_target_port(&t, 9000);
	assert_int_equal(port_of(&t), 9000);
	assert_string_equal(t.host, "127.0.0.1:9000");
}

/* ---- --mix and --path ------------------------------------------------------------------- */

static void test_mix_with_weights(void **state)
{
	const char *why;

	assert_int_equal(workload_parse_mix(&w, "/size/1K:9,/size/1M:1", &why), 0);
	assert_int_equal(w.npaths, 2);
	assert_string_equal(w.paths[0].path, "/size/1K");
	assert_int_equal(w.paths[0].weight, 9);
	assert_int_equal(w.paths[0].size, 1024);
	assert_string_equal(w.paths[1].path, "/size/1M");
	assert_int_equal(w.paths[1].size, 1 << 20);
	assert_int_equal(w.total_weight, 10);
}

static void test_mix_weight_defaults_to_one(void **state)
{
	const char *why;

	assert_int_equal(workload_parse_mix(&w, "/a,/b:3", &why), 0);
	assert_int_equal(w.paths[0].weight, 1);
	assert_int_equal(w.paths[0].size, -1);
	assert_int_equal(w.paths[1].weight, 3);
}

static void test_mix_errors(void **state)
{
	static const char *const bad[] = { "",	   "/a,", ",/a", "/a:0",
					   "/a:x", "/a:", "a:1", "/a:10000000" };
	const char *why;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		workload_free(&w);
		if (workload_parse_mix(&w, bad[i], &why) != -1)
			fail_msg("--mix '%s' was accepted", bad[i]);
	}
}

static void test_mix_holds_at_most_64_paths(void **state)
{
	const char *why;

	for (int i = 0; i < LOAD_MAX_PATHS; i++)
		assert_int_equal(workload_add_path(&w, "/x", 2, 1, &why), 0);
	assert_int_equal(workload_add_path(&w, "/x", 2, 1, &why), -1);
}

static void test_pick_follows_the_weights(void **state)
{
	struct load_rng rng;
	const char *why;
	int count[2] = { 0 };

	assert_int_equal(workload_parse_mix(&w, "/a:9,/b:1", &why), 0);
	rng_seed(&rng, 1, 0);
	for (int i = 0; i < 100000; i++)
		count[workload_pick(&w, &rng)]++;
	assert_true(count[0] > 89000 && count[0] < 91000);
}

/* ---- --body ------------------------------------------------------------------------------ */

static void test_body_range(void **state)
{
	uint32_t lo, hi;
	const char *why;

	assert_int_equal(workload_parse_body("100-1000", &lo, &hi, &why), 0);
	assert_int_equal(lo, 100);
	assert_int_equal(hi, 1000);
	assert_int_equal(workload_parse_body("1K-2M", &lo, &hi, &why), 0);
	assert_int_equal(lo, 1024);
	assert_int_equal(hi, 2 << 20);
}

static void test_body_single_size(void **state)
{
	uint32_t lo, hi;
	const char *why;

	assert_int_equal(workload_parse_body("500", &lo, &hi, &why), 0);
	assert_int_equal(lo, 500);
	assert_int_equal(hi, 500);
}

static void test_body_errors(void **state)
{
	static const char *const bad[] = { "1000-100", "abc", "1-", "-5", "", "65M", "1-2-3" };
	uint32_t lo, hi;
	const char *why;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (workload_parse_body(bad[i], &lo, &hi, &why) != -1)
			fail_msg("--body '%s' was accepted", bad[i]);
}

static void test_body_lengths_stay_in_range(void **state)
{
	struct load_rng rng;

	w.body_min = 10;
	w.body_max = 12;
	rng_seed(&rng, 1, 0);
	for (int i = 0; i < 1000; i++) {
		uint32_t n = workload_body_len(&w, &rng);
		assert_true(n >= 10 && n <= 12);
	}
}

/* ---- --sources ---------------------------------------------------------------------------- */

static void test_sources_range(void **state)
{
	struct load_sources src;
	struct sockaddr_storage ss;
	socklen_t len;
	const char *why;
	char buf[INET6_ADDRSTRLEN];

	assert_int_equal(workload_parse_sources("127.0.0.1-127.0.0.8", &src, &why), 0);
	assert_int_equal(src.count, 8);
	workload_source(&src, 0, &ss, &len);
	assert_string_equal(addr_of(&ss, buf), "127.0.0.1");
	workload_source(&src, 7, &ss, &len);
	assert_string_equal(addr_of(&ss, buf), "127.0.0.8");
	workload_source(&src, 8, &ss, &len); /* wraps around */
	assert_string_equal(addr_of(&ss, buf), "127.0.0.1");
	assert_int_equal(len, sizeof(struct sockaddr_in));
}

static void test_sources_range_across_an_octet(void **state)
{
	struct load_sources src;
	struct sockaddr_storage ss;
	socklen_t len;
	const char *why;
	char buf[INET6_ADDRSTRLEN];

	assert_int_equal(workload_parse_sources("127.0.0.255-127.0.1.1", &src, &why), 0);
	assert_int_equal(src.count, 3);
	workload_source(&src, 1, &ss, &len);
	assert_string_equal(addr_of(&ss, buf), "127.0.1.0");
}

static void test_sources_single_address(void **state)
{
	struct load_sources src;
	const char *why;

	assert_int_equal(workload_parse_sources("127.0.0.2", &src, &why), 0);
	assert_int_equal(src.count, 1);
	assert_int_equal(workload_parse_sources("::1", &src, &why), 0);
	assert_int_equal(src.first.ss_family, AF_INET6);
}

static void test_sources_errors(void **state)
{
	static const char *const bad[] = { "127.0.0.8-127.0.0.1", "127.0.0.1-", "x-y", "::1-::2",
					   "10.0.0.0-10.1.0.0",	  "127.0.0.300" };
	struct load_sources src;
	const char *why;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (workload_parse_sources(bad[i], &src, &why) != -1)
			fail_msg("--sources '%s' was accepted", bad[i]);
}

/* ---- requests ----------------------------------------------------------------------------- */

static void test_get_requests_are_built_once(void **state)
{
	const char *why;

	assert_int_equal(workload_add_path(&w, "/size/1K", 8, 1, &why), 0);
	assert_int_equal(workload_build(&w, "127.0.0.1:8080"), 0);
	assert_string_equal(w.paths[0].req[0],
			    "GET /size/1K HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
	assert_string_equal(w.paths[0].req[1], "GET /size/1K HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
					       "Connection: close\r\n\r\n");
	assert_int_equal(w.paths[0].req_len[1], strlen(w.paths[0].req[1]));
}

static void test_post_head_and_body(void **state)
{
	const char *why;
	char head[256];
	size_t n;

	assert_int_equal(workload_add_path(&w, "/echo", 5, 1, &why), 0);
	w.post = true;
	w.body_min = 1;
	w.body_max = 100;
	assert_int_equal(workload_build(&w, "h:1"), 0);
	n = workload_post_head(&w, 0, 42, true, head, sizeof(head));
	assert_int_equal(n, strlen(head));
	assert_string_equal(head, "POST /echo HTTP/1.1\r\nHost: h:1\r\nContent-Length: 42\r\n"
				  "Connection: close\r\n\r\n");
	assert_memory_equal(w.body, "0123456789ABC", 13);
	assert_int_equal(workload_post_head(&w, 0, 42, true, head, 10), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_with_port_and_path),
		cmocka_unit_test(test_url_without_port_is_port_80),
		cmocka_unit_test(test_url_ipv6_literal),
		cmocka_unit_test(test_url_https_is_refused),
		cmocka_unit_test(test_url_bad_ports_are_refused),
		cmocka_unit_test(test_url_without_host_is_refused),
		cmocka_unit_test(test_url_path_with_a_space_is_refused),
		cmocka_unit_test(test_port_target),
		cmocka_unit_test_teardown(test_mix_with_weights, free_workload),
		cmocka_unit_test_teardown(test_mix_weight_defaults_to_one, free_workload),
		cmocka_unit_test_teardown(test_mix_errors, free_workload),
		cmocka_unit_test_teardown(test_mix_holds_at_most_64_paths, free_workload),
		cmocka_unit_test_teardown(test_pick_follows_the_weights, free_workload),
		cmocka_unit_test(test_body_range),
		cmocka_unit_test(test_body_single_size),
		cmocka_unit_test(test_body_errors),
		cmocka_unit_test_teardown(test_body_lengths_stay_in_range, free_workload),
		cmocka_unit_test(test_sources_range),
		cmocka_unit_test(test_sources_range_across_an_octet),
		cmocka_unit_test(test_sources_single_address),
		cmocka_unit_test(test_sources_errors),
		cmocka_unit_test_teardown(test_get_requests_are_built_once, free_workload),
		cmocka_unit_test_teardown(test_post_head_and_body, free_workload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
