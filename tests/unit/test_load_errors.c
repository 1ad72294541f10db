/* SPDX-License-Identifier: MIT */
/*
 * test_load_errors.c - how herdload classifies a failed request (loadgen/errors.c).
 *
 * The errno rules are one table: each row is a phase, an errno (0 for EOF) and the kind
 * it must give. The other rules (timeouts, responses, the kept-alive retry, the names
 * used in JSON and CSV) have a test each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "errors.h"

static const struct {
	enum req_phase phase; /* where the request was */
	int err;	      /* what the call said (0: EOF) */
	enum err_kind want;   /* the kind */
} table[] = {
	{ PHASE_CONNECT, ECONNREFUSED, ERR_REFUSED },
	{ PHASE_SEND, ECONNREFUSED, ERR_REFUSED },
	{ PHASE_SEND, ECONNRESET, ERR_RESET },
	{ PHASE_SEND, EPIPE, ERR_RESET },
	{ PHASE_RECV, ECONNRESET, ERR_RESET },
	{ PHASE_CONNECT, ECONNRESET, ERR_RESET },
	{ PHASE_CONNECT, ETIMEDOUT, ERR_CONNECT_TIMEOUT },
	{ PHASE_RECV, ETIMEDOUT, ERR_TIMEOUT },
	{ PHASE_SOCKET, EADDRNOTAVAIL, ERR_ADDR },
	{ PHASE_SOCKET, EADDRINUSE, ERR_ADDR },
	{ PHASE_CONNECT, EADDRNOTAVAIL, ERR_ADDR },
	{ PHASE_RECV, 0, ERR_SHORT },
	{ PHASE_SEND, 0, ERR_SHORT },
	{ PHASE_SOCKET, EMFILE, ERR_OTHER },
	{ PHASE_CONNECT, ENETUNREACH, ERR_OTHER },
	{ PHASE_RECV, EIO, ERR_OTHER },
	{ PHASE_RECV, EADDRNOTAVAIL, ERR_OTHER },
};

static void test_errno_table(void **state)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		enum err_kind got = err_from_errno(table[i].phase, table[i].err);
		if (got != table[i].want)
			fail_msg("row %zu (phase %d, %s): got %s, want %s", i, table[i].phase,
				 table[i].err ? strerror(table[i].err) : "EOF", err_name(got),
				 err_name(table[i].want));
	}
}

static void test_timeout_while_connecting_is_a_connect_timeout(void **state)
{
	assert_int_equal(err_from_timeout(PHASE_CONNECT), ERR_CONNECT_TIMEOUT);
	assert_int_equal(err_from_timeout(PHASE_SOCKET), ERR_CONNECT_TIMEOUT);
}

static void test_timeout_after_connecting_is_a_response_timeout(void **state)
{
	assert_int_equal(err_from_timeout(PHASE_SEND), ERR_TIMEOUT);
	assert_int_equal(err_from_timeout(PHASE_RECV), ERR_TIMEOUT);
}

static void test_intact_response_below_400_succeeds(void **state)
{
	assert_int_equal(err_from_response(true, 200), ERR_NONE);
	assert_int_equal(err_from_response(true, 304), ERR_NONE);
	assert_int_equal(err_from_response(true, 399), ERR_NONE);
}

static void test_status_400_and_above_is_http(void **state)
{
	assert_int_equal(err_from_response(true, 400), ERR_HTTP);
	assert_int_equal(err_from_response(true, 404), ERR_HTTP);
	assert_int_equal(err_from_response(true, 503), ERR_HTTP);
}

static void test_garbled_response_is_short_whatever_its_status(void **state)
{
	assert_int_equal(err_from_response(false, 200), ERR_SHORT);
	assert_int_equal(err_from_response(false, 500), ERR_SHORT);
}

static void test_reused_connection_closed_before_any_byte_is_retried(void **state)
{
	assert_true(err_retryable(true, 0, PHASE_RECV, 0));
	assert_true(err_retryable(true, 0, PHASE_RECV, ECONNRESET));
	assert_true(err_retryable(true, 0, PHASE_SEND, EPIPE));
}

static void test_no_retry_on_a_new_connection(void **state)
{
	assert_false(err_retryable(false, 0, PHASE_RECV, 0));
}

static void test_no_retry_once_the_response_began(void **state)
{
	assert_false(err_retryable(true, 1, PHASE_RECV, 0));
}

static void test_no_retry_for_other_errors(void **state)
{
	assert_false(err_retryable(true, 0, PHASE_RECV, ETIMEDOUT));
	assert_false(err_retryable(true, 0, PHASE_CONNECT, ECONNREFUSED));
}

static void test_names_match_the_json_keys(void **state)
{
	static const char *const want[ERR_KINDS] = {
		"ok",	 "refused", "reset", "connect_timeout", "timeout",
		"short", "http",    "addr",  "interrupted",	"other",
	};

	for (int k = 0; k < ERR_KINDS; k++)
		assert_string_equal(err_name((enum err_kind)k), want[k]);
	assert_string_equal(err_name((enum err_kind)99), "other");
}

/* A request cut off by a signal has a kind of its own, which no errno gives. */
static void test_interrupted_is_its_own_kind(void **state)
{
	assert_int_not_equal(ERR_INTERRUPTED, ERR_OTHER);
	assert_string_equal(err_name(ERR_INTERRUPTED), "interrupted");
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		assert_int_not_equal(err_from_errno(table[i].phase, table[i].err), ERR_INTERRUPTED);
	assert_int_not_equal(err_from_errno(PHASE_RECV, EINTR), ERR_INTERRUPTED);
}

static void test_phases_have_names(void **state)
{
	assert_string_equal(err_phase_name(PHASE_CONNECT), "connecting");
	assert_string_equal(err_phase_name(PHASE_RECV), "reading the response");
	assert_string_equal(err_phase_name((enum req_phase)99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errno_table),
		cmocka_unit_test(test_timeout_while_connecting_is_a_connect_timeout),
		cmocka_unit_test(test_timeout_after_connecting_is_a_response_timeout),
		cmocka_unit_test(test_intact_response_below_400_succeeds),
		cmocka_unit_test(test_status_400_and_above_is_http),
		cmocka_unit_test(test_garbled_response_is_short_whatever_its_status),
		cmocka_unit_test(test_reused_connection_closed_before_any_byte_is_retried),
		cmocka_unit_test(test_no_retry_on_a_new_connection),
		cmocka_unit_test(test_no_retry_once_the_response_began),
		cmocka_unit_test(test_no_retry_for_other_errors),
		cmocka_unit_test(test_names_match_the_json_keys),
		cmocka_unit_test(test_interrupted_is_its_own_kind),
		cmocka_unit_test(test_phases_have_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
