/* SPDX-License-Identifier: MIT */
/*
 * test_load_slow.c - herdload's --slow connections (loadgen/slow.c) against a listener
 * the test holds itself: the request arrives one byte per interval, a connection that
 * ends is replaced at once, every one is counted by its outcome (opened = completed +
 * failed + held), and the counts reach the JSON apart from the requests'.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "test_listener.h"
#include "report.h"
#include "slow.h"

#define INTERVAL_MS 10 /* --slow-interval of the trickle tests */

static void opts_for(struct load_opts *o, uint16_t port, unsigned slow, unsigned interval_ms)
{
	const char *why;

	memset(o, 0, sizeof(*o));
	workload_target_port(&o->target, port);
	assert_int_equal(workload_add_path(&o->work, "/size/1", 7, 1, &why), 0);
	assert_int_equal(workload_build(&o->work, o->target.host), 0);
	o->url = "http://127.0.0.1";
	o->threads = 1;
	o->clients = 1;
	o->slow = slow;
	o->slow_interval_ns = interval_ms * NSEC_PER_MSEC;
	o->timeout_ns = 5 * NSEC_PER_SEC;
	o->connect_timeout_ns = 5 * NSEC_PER_SEC;
}

/* Read one request from @fd: it must come a byte at a time, an interval apart. */
static void read_trickled(int fd, const char *want)
{
	size_t len = strlen(want), got = 0;
	char buf[256];
	uint64_t first = 0, last = 0;

	while (got < len) {
		ssize_t n = recv(fd, buf + got, sizeof(buf) - got, 0);
		assert_true(n > 0); /* a slow reader (valgrind) may find two waiting: the
				     * time the whole request took is what shows the trickle */
		last = clock_now_ns();
		if (!got)
			first = last;
		got += (size_t)n;
	}
	assert_memory_equal(buf, want, len);
	/* len - 1 gaps of an interval each (the loop may be a little late, never early) */
	assert_true(last - first >= (len - 1) * INTERVAL_MS * NSEC_PER_MSEC * 9 / 10);
}

static const char ok_response[] =
	"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/* The whole request, trickled, then a 200: completed, and a new connection takes its place. */
static void test_trickles_and_completes(void **state)
{
	uint16_t port;
	int lfd = listener(&port), a, next;
	struct load_opts o;
	struct slow_load s;
	struct load_slow_counts n;

	opts_for(&o, port, 1, INTERVAL_MS);
	assert_int_equal(slow_start(&s, &o), 0);
	assert_int_equal(atomic_load(&s.settled), 1); /* connected before slow_start returned */
	a = accept_within(lfd, 1000);
	assert_true(a >= 0);
	read_trickled(a, o.work.paths[0].req[1]);
	assert_int_equal(send(a, ok_response, sizeof(ok_response) - 1, 0),
			 (ssize_t)(sizeof(ok_response) - 1));
	next = accept_within(lfd, 2000);
	assert_true(next >= 0);
	/* Its first byte: the slow thread has seen it connected (counts are its own until
	 * it is joined; under valgrind it may lag the kernel's handshake by a while). */
	struct pollfd p = { .fd = next, .events = POLLIN };
	char byte;
	assert_int_equal(poll(&p, 1, 5000), 1);
	assert_int_equal(recv(next, &byte, 1, 0), 1);
	slow_stop(&s, &n);
	assert_int_equal(n.opened, 2);
	assert_int_equal(n.connected, 2);
	assert_int_equal(n.completed, 1);
	assert_int_equal(n.failed, 0);
	assert_int_equal(n.held, 1);
	close(a);
	close(next);
	close(lfd);
	workload_free(&o.work);
}

/* Closed by the server before any answer: "short", and replaced at once, not an interval on. */
static void test_closed_is_short_and_replaced_at_once(void **state)
{
	uint16_t port;
	int lfd = listener(&port), a, next;
	struct load_opts o;
	struct slow_load s;
	struct load_slow_counts n;
	char byte;
	uint64_t t0;

	opts_for(&o, port, 1, 2000);
	assert_int_equal(slow_start(&s, &o), 0);
	a = accept_within(lfd, 1000);
	assert_true(a >= 0);
	assert_int_equal(recv(a, &byte, 1, 0), 1); /* the first byte comes at once */
	assert_int_equal(byte, 'G');
	t0 = clock_now_ns();
	close(a);
	next = accept_within(lfd, 1500);
	assert_true(next >= 0);
	assert_true(clock_now_ns() - t0 < 1500 * NSEC_PER_MSEC); /* well before 2 s */
	slow_stop(&s, &n);
	assert_int_equal(n.opened, 2);
	assert_int_equal(n.failed, 1);
	assert_int_equal(n.errors[ERR_SHORT], 1);
	assert_int_equal(n.held, 1);
	assert_int_equal(n.opened, n.completed + n.failed + n.held);
	close(next);
	close(lfd);
	workload_free(&o.work);
}

/* A closed port: each connection is refused, and tried again an interval later only. */
static void test_refused_is_retried_an_interval_later(void **state)
{
	uint16_t port;
	int lfd = listener(&port);
	struct load_opts o;
	struct slow_load s;
	struct load_slow_counts n;

	close(lfd); /* nobody listens there now */
	opts_for(&o, port, 3, INTERVAL_MS);
	assert_int_equal(slow_start(&s, &o), 0);
	usleep(100 * 1000);
	slow_stop(&s, &n);
	assert_int_equal(n.connected, 0);
	assert_int_equal(n.failed, n.errors[ERR_REFUSED]);
	assert_int_equal(n.opened, n.failed + n.held);
	/* 3 connections over 100 ms, one try per 10 ms interval each: about 30, not thousands */
	assert_true(n.opened >= 3 && n.opened <= 3 * (100 / INTERVAL_MS + 2));
	workload_free(&o.work);
}

/* The JSON has the slow connections apart, and the "interrupted" kind among the errors. */
static void test_json_has_slow_apart_and_interrupted(void **state)
{
	struct load_opts o;
	struct load_result r = { 0 };
	json_t *j;

	opts_for(&o, 80, 500, 1000);
	assert_int_equal(latency_init(&r.lat), 0);
	r.c.failed = 3;
	r.c.errors[ERR_INTERRUPTED] = 3;
	r.interrupted = true;
	r.slow = (struct load_slow_counts){
		.opened = 520, .connected = 510, .completed = 0, .failed = 20, .held = 500
	};
	r.slow.errors[ERR_HTTP] = 20;
	j = report_json(&o, &r);
	assert_non_null(j);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(j, "errors"), "interrupted")),
		3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "errors"), "other")),
			 0);
	assert_true(json_is_true(json_object_get(j, "interrupted")));
	json_t *slow = json_object_get(j, "slow");
	assert_int_equal(json_integer_value(json_object_get(slow, "connections")), 500);
	assert_int_equal(json_integer_value(json_object_get(slow, "opened")), 520);
	assert_int_equal(json_integer_value(json_object_get(slow, "held")), 500);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(slow, "errors"), "http")), 20);
	/* not among the requests */
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(j, "requests"), "failed")), 3);
	json_decref(j);
	latency_free(&r.lat);
	workload_free(&o.work);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trickles_and_completes),
		cmocka_unit_test(test_closed_is_short_and_replaced_at_once),
		cmocka_unit_test(test_refused_is_retried_an_interval_later),
		cmocka_unit_test(test_json_has_slow_apart_and_interrupted),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
