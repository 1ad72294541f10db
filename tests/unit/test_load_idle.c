/* SPDX-License-Identifier: MIT */
/*
 * test_load_idle.c - herdload's --idle connections (loadgen/idle.c) against a listener
 * the test holds itself: every one is established before idle_start() returns and sends
 * nothing; one the server closes or resets is counted by kind and not replaced; a closed
 * port refuses them all; opened = held + failed + pending always; and the JSON has them
 * apart from the requests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "test_listener.h"
#include "idle.h"
#include "report.h"

#define NIDLE 7 /* connections of the listener tests (a prime) */

static void opts_for(struct load_opts *o, uint16_t port, unsigned idle)
{
	const char *why;

	memset(o, 0, sizeof(*o));
	workload_target_port(&o->target, port);
	assert_int_equal(workload_add_path(&o->work, "/", 1, 1, &why), 0);
	assert_int_equal(workload_build(&o->work, o->target.host), 0);
	o->url = "http://127.0.0.1";
	o->threads = 1;
	o->clients = 1;
	o->idle = idle;
	o->timeout_ns = 5 * NSEC_PER_SEC;
	o->connect_timeout_ns = 5 * NSEC_PER_SEC;
}

/* Give the idle thread time to see what the server did (its counts are its own until
 * idle_stop() joins it). */
static void settle_ms(int ms)
{
	usleep((useconds_t)ms * 1000);
}

/* All held, silent: the server reads nothing from any of them. */
static void test_held_and_silent(void **state)
{
	uint16_t port;
	int lfd = listener(&port), a[NIDLE];
	struct load_opts o;
	struct idle_load s;
	struct load_idle_counts n;
	char byte;

	opts_for(&o, port, NIDLE);
	assert_int_equal(idle_start(&s, &o), 0);
	assert_int_equal(atomic_load(&s.settled), NIDLE); /* connected before it returned */
	for (int i = 0; i < NIDLE; i++) {
		a[i] = accept_within(lfd, 1000);
		assert_true(a[i] >= 0);
	}
	settle_ms(50);
	for (int i = 0; i < NIDLE; i++)
		assert_int_equal(recv(a[i], &byte, 1, MSG_DONTWAIT), -1); /* nothing sent */
	idle_stop(&s, &n);
	assert_int_equal(n.opened, NIDLE);
	assert_int_equal(n.connected, NIDLE);
	assert_int_equal(n.held, NIDLE);
	assert_int_equal(n.failed, 0);
	assert_int_equal(n.pending, 0);
	for (int i = 0; i < NIDLE; i++) {
		assert_int_equal(recv(a[i], &byte, 1, 0), 0); /* closed at the end */
		close(a[i]);
	}
	close(lfd);
	workload_free(&o.work);
}

/* Two closed by the server (one with a reset): counted by kind, not replaced. */
static void test_closed_by_server_counted_not_replaced(void **state)
{
	uint16_t port;
	int lfd = listener(&port), a[NIDLE];
	struct load_opts o;
	struct idle_load s;
	struct load_idle_counts n;
	struct linger rst = { .l_onoff = 1, .l_linger = 0 };

	opts_for(&o, port, NIDLE);
	assert_int_equal(idle_start(&s, &o), 0);
	for (int i = 0; i < NIDLE; i++) {
		a[i] = accept_within(lfd, 1000);
		assert_true(a[i] >= 0);
	}
	close(a[0]);
	assert_int_equal(setsockopt(a[1], SOL_SOCKET, SO_LINGER, &rst, sizeof(rst)), 0);
	close(a[1]);
	settle_ms(200);
	assert_int_equal(accept_within(lfd, 100), -1); /* no new connection */
	idle_stop(&s, &n);
	assert_int_equal(n.opened, NIDLE);
	assert_int_equal(n.connected, NIDLE);
	assert_int_equal(n.failed, 2);
	assert_int_equal(n.errors[ERR_SHORT], 1);
	assert_int_equal(n.errors[ERR_RESET], 1);
	assert_int_equal(n.held, NIDLE - 2);
	assert_int_equal(n.opened, n.held + n.failed + n.pending);
	for (int i = 2; i < NIDLE; i++)
		close(a[i]);
	close(lfd);
	workload_free(&o.work);
}

/* A closed port: every one refused, once. */
static void test_refused(void **state)
{
	uint16_t port;
	int lfd = listener(&port);
	struct load_opts o;
	struct idle_load s;
	struct load_idle_counts n;

	close(lfd);
	opts_for(&o, port, 13);
	assert_int_equal(idle_start(&s, &o), 0);
	idle_stop(&s, &n);
	assert_int_equal(n.opened, 13);
	assert_int_equal(n.connected, 0);
	assert_int_equal(n.failed, 13);
	assert_int_equal(n.errors[ERR_REFUSED], 13);
	assert_int_equal(n.held, 0);
	workload_free(&o.work);
}

/* The JSON has them apart: idle.* and not in requests.*. */
static void test_json_has_idle_apart(void **state)
{
	struct load_opts o;
	struct load_result r = { 0 };
	json_t *j, *idle;

	opts_for(&o, 80, 101);
	assert_int_equal(latency_init(&r.lat), 0);
	r.c.ok = 5;
	r.idle = (struct load_idle_counts){
		.opened = 101, .connected = 97, .held = 89, .failed = 11, .pending = 1
	};
	r.idle.errors[ERR_CONNECT_TIMEOUT] = 3;
	r.idle.errors[ERR_SHORT] = 8;
	j = report_json(&o, &r);
	assert_non_null(j);
	idle = json_object_get(j, "idle");
	assert_int_equal(json_integer_value(json_object_get(idle, "connections")), 101);
	assert_int_equal(json_integer_value(json_object_get(idle, "opened")), 101);
	assert_int_equal(json_integer_value(json_object_get(idle, "held")), 89);
	assert_int_equal(json_integer_value(json_object_get(idle, "failed")), 11);
	assert_int_equal(json_integer_value(json_object_get(idle, "pending")), 1);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(idle, "errors"), "short")), 8);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(j, "requests"), "total")), 5);
	json_decref(j);
	latency_free(&r.lat);
	workload_free(&o.work);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_held_and_silent),
		cmocka_unit_test(test_closed_by_server_counted_not_replaced),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_json_has_idle_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
