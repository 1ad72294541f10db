/* SPDX-License-Identifier: MIT */
/*
 * test_load_response.c - herdload's response reader (loadgen/response.c).
 *
 * Every framing is fed split at every byte boundary (and one byte at a time), since a
 * response arrives in whatever pieces recv() returns. Each piece is an exact-size heap
 * copy, so valgrind catches a read past its end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pattern.h"
#include "response.h"

static const char cl_resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789";
static const char close_resp[] = "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nbody until eof";
static const char chunked_resp[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				   "5\r\nhello\r\n"
				   "6;name=value\r\n world\r\n"
				   "A \r\n0123456789\r\n"
				   "0\r\nX-Trailer: 1\r\n\r\n";

/* Feed s[0..n) as an exact-size copy. */
static enum resp_result feed(struct resp_reader *r, const char *s, size_t n)
{
	char *copy = malloc(n ? n : 1);
	enum resp_result rc;

	memcpy(copy, s, n);
	rc = resp_feed(r, copy, n);
	free(copy);
	return rc;
}

/* Feed @s in two pieces split at @at; the result after the second. */
static enum resp_result feed_split(struct resp_reader *r, const char *s, size_t n, size_t at)
{
	enum resp_result rc = feed(r, s, at);

	if (rc != RESP_MORE)
		return rc;
	return feed(r, s + at, n - at);
}

static void check_every_split(const char *s, size_t n, uint64_t body)
{
	for (size_t at = 0; at <= n; at++) {
		struct resp_reader r;
		resp_init(&r, false, -1);
		assert_int_equal(feed_split(&r, s, n, at), RESP_DONE);
		assert_int_equal(r.body, body);
		assert_int_equal(r.bytes, n);
		assert_int_equal(r.head.status, 200);
		resp_free(&r);
	}
}

static void test_content_length_split_at_every_boundary(void **state)
{
	check_every_split(cl_resp, sizeof(cl_resp) - 1, 10);
}

static void test_content_length_one_byte_at_a_time(void **state)
{
	struct resp_reader r;
	size_t n = sizeof(cl_resp) - 1;

	resp_init(&r, false, -1);
	for (size_t i = 0; i + 1 < n; i++)
		assert_int_equal(feed(&r, cl_resp + i, 1), RESP_MORE);
	assert_int_equal(feed(&r, cl_resp + n - 1, 1), RESP_DONE);
	assert_int_equal(r.body, 10);
	resp_free(&r);
}

static void test_zero_content_length_is_done_at_the_head(void **state)
{
	struct resp_reader r;
	const char *s = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

	resp_init(&r, false, -1);
	assert_int_equal(feed(&r, s, strlen(s)), RESP_DONE);
	resp_free(&r);
}

static void test_close_delimited_body_ends_at_eof(void **state)
{
	size_t n = sizeof(close_resp) - 1;

	for (size_t at = 0; at <= n; at++) {
		struct resp_reader r;
		resp_init(&r, false, -1);
		assert_int_equal(feed_split(&r, close_resp, n, at), RESP_MORE);
		assert_int_equal(resp_eof(&r), RESP_DONE);
		assert_int_equal(r.body, strlen("body until eof"));
		assert_true(resp_intact(&r));
		resp_free(&r);
	}
}

static void test_chunked_split_at_every_boundary(void **state)
{
	check_every_split(chunked_resp, sizeof(chunked_resp) - 1, 21);
}

static void test_chunked_with_bare_lf(void **state)
{
	struct resp_reader r;
	const char *s = "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n";

	resp_init(&r, false, -1);
	assert_int_equal(feed(&r, s, strlen(s)), RESP_DONE);
	assert_int_equal(r.body, 3);
	resp_free(&r);
}

static void test_chunked_bad_size_is_garbled(void **state)
{
	struct resp_reader r;
	const char *s = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";

	resp_init(&r, false, -1);
	assert_int_equal(feed(&r, s, strlen(s)), RESP_GARBLED);
	resp_free(&r);
}

static void test_chunked_missing_crlf_after_data_is_garbled(void **state)
{
	struct resp_reader r;
	const char *s = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX";

	resp_init(&r, false, -1);
	assert_int_equal(feed(&r, s, strlen(s)), RESP_GARBLED);
	resp_free(&r);
}

static void test_chunked_ending_early_is_short(void **state)
{
	struct resp_reader r;
	const char *s = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab";

	resp_init(&r, false, -1);
	assert_int_equal(feed(&r, s, strlen(s)), RESP_MORE);
	assert_int_equal(resp_eof(&r), RESP_SHORT);
	resp_free(&r);
}

static void test_garbled_head(void **state)
{
	struct resp_reader r;
	const char *s = "SSH-2.0-OpenSSH_9.2\r\n\r\n";

	resp_init(&r, false, -1);
	assert_int_equal(feed(&r, s, strlen(s)), RESP_GARBLED);
	assert_int_equal(feed(&r, "x", 1), RESP_GARBLED); /* and it stays so */
	resp_free(&r);
}

static void test_short_body_at_eof(void **state)
{
	struct resp_reader r;

	resp_init(&r, false, -1);
	assert_int_equal(feed(&r, cl_resp, sizeof(cl_resp) - 4), RESP_MORE);
	assert_int_equal(resp_eof(&r), RESP_SHORT);
	resp_free(&r);
}

static void test_eof_before_any_byte_is_short(void **state)
{
	struct resp_reader r;

	resp_init(&r, false, -1);
	assert_int_equal(resp_eof(&r), RESP_SHORT);
	assert_int_equal(r.bytes, 0);
	resp_free(&r);
}

static void test_eof_inside_the_head_is_short(void **state)
{
	struct resp_reader r;

	resp_init(&r, false, -1);
	assert_int_equal(feed(&r, "HTTP/1.1 200 OK\r\nContent-Le", 27), RESP_MORE);
	assert_int_equal(resp_eof(&r), RESP_SHORT);
	resp_free(&r);
}

static void test_bytes_beyond_the_response_are_garbled(void **state)
{
	struct resp_reader r;
	char s[128];

	snprintf(s, sizeof(s), "%sEXTRA", cl_resp);
	resp_init(&r, false, -1);
	assert_int_equal(feed(&r, s, strlen(s)), RESP_GARBLED);
	resp_free(&r);
}

static void test_interim_100_continue_is_skipped(void **state)
{
	struct resp_reader r;
	char s[256];

	snprintf(s, sizeof(s), "HTTP/1.1 100 Continue\r\n\r\n%s", cl_resp);
	for (size_t at = 0; at <= strlen(s); at++) {
		resp_init(&r, false, -1);
		assert_int_equal(feed_split(&r, s, strlen(s), at), RESP_DONE);
		assert_int_equal(r.head.status, 200);
		assert_int_equal(r.body, 10);
		resp_free(&r);
	}
}

static void test_204_has_no_body(void **state)
{
	struct resp_reader r;
	const char *s = "HTTP/1.1 204 No Content\r\n\r\n";

	resp_init(&r, false, -1);
	assert_int_equal(feed(&r, s, strlen(s)), RESP_DONE);
	resp_free(&r);
}

/* A head longer than the first buffer allocation, arriving 100 bytes at a time. */
static void test_long_head_gathered_across_reads(void **state)
{
	char s[6000];
	struct resp_reader r;
	int n = snprintf(s, sizeof(s),
			 "HTTP/1.1 200 OK\r\nX-Pad: %04000d\r\nContent-Length: 2\r\n\r\nok", 0);

	resp_init(&r, false, -1);
	for (int i = 0; i < n; i += 100) {
		enum resp_result rc = feed(&r, s + i, (size_t)(n - i < 100 ? n - i : 100));
		assert_int_equal(rc, i + 100 >= n ? RESP_DONE : RESP_MORE);
	}
	assert_int_equal(r.body, 2);
	assert_int_equal(r.bytes, (uint64_t)n);
	resp_free(&r);
}

static void test_reset_reads_the_next_response(void **state)
{
	struct resp_reader r;

	resp_init(&r, false, -1);
	assert_int_equal(feed(&r, cl_resp, 20), RESP_MORE); /* the head buffer is used */
	assert_int_equal(feed(&r, cl_resp + 20, sizeof(cl_resp) - 21), RESP_DONE);
	resp_reset(&r, false, -1);
	assert_int_equal(feed(&r, close_resp, sizeof(close_resp) - 1), RESP_MORE);
	assert_int_equal(resp_eof(&r), RESP_DONE);
	assert_int_equal(r.bytes, sizeof(close_resp) - 1);
	resp_free(&r);
}

/* A /size body of @n pattern bytes, with its head. */
static char *size_response(size_t n, size_t *len, char corrupt_at)
{
	char *s = malloc(n + 64);
	int h = snprintf(s, 64, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", n);

	pattern_fill(s + h, n, 0);
	if (corrupt_at)
		s[h + (size_t)corrupt_at] ^= 1;
	*len = (size_t)h + n;
	return s;
}

static void test_verify_accepts_the_pattern(void **state)
{
	size_t len;
	char *s = size_response(1000, &len, 0);
	struct resp_reader r;

	for (size_t at = 0; at <= len; at += 7) {
		resp_init(&r, true, 1000);
		assert_int_equal(feed_split(&r, s, len, at), RESP_DONE);
		assert_true(resp_intact(&r));
		resp_free(&r);
	}
	free(s);
}

static void test_verify_flags_a_wrong_byte(void **state)
{
	size_t len;
	char *s = size_response(1000, &len, 77);
	struct resp_reader r;

	resp_init(&r, true, 1000);
	assert_int_equal(feed(&r, s, len), RESP_DONE);
	assert_false(resp_intact(&r));
	resp_free(&r);
	free(s);
}

static void test_verify_flags_a_wrong_length(void **state)
{
	size_t len;
	char *s = size_response(999, &len, 0);
	struct resp_reader r;

	resp_init(&r, true, 1000);
	assert_int_equal(feed(&r, s, len), RESP_DONE);
	assert_false(resp_intact(&r));
	resp_free(&r);
	free(s);
}

static void test_verify_leaves_error_pages_alone(void **state)
{
	struct resp_reader r;
	const char *s = "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope";

	resp_init(&r, true, 1000);
	assert_int_equal(feed(&r, s, strlen(s)), RESP_DONE);
	assert_true(resp_intact(&r));
	assert_int_equal(r.head.status, 404);
	resp_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_content_length_split_at_every_boundary),
		cmocka_unit_test(test_content_length_one_byte_at_a_time),
		cmocka_unit_test(test_zero_content_length_is_done_at_the_head),
		cmocka_unit_test(test_close_delimited_body_ends_at_eof),
		cmocka_unit_test(test_chunked_split_at_every_boundary),
		cmocka_unit_test(test_chunked_with_bare_lf),
		cmocka_unit_test(test_chunked_bad_size_is_garbled),
		cmocka_unit_test(test_chunked_missing_crlf_after_data_is_garbled),
		cmocka_unit_test(test_chunked_ending_early_is_short),
		cmocka_unit_test(test_garbled_head),
		cmocka_unit_test(test_short_body_at_eof),
		cmocka_unit_test(test_eof_before_any_byte_is_short),
		cmocka_unit_test(test_eof_inside_the_head_is_short),
		cmocka_unit_test(test_bytes_beyond_the_response_are_garbled),
		cmocka_unit_test(test_interim_100_continue_is_skipped),
		cmocka_unit_test(test_204_has_no_body),
		cmocka_unit_test(test_long_head_gathered_across_reads),
		cmocka_unit_test(test_reset_reads_the_next_response),
		cmocka_unit_test(test_verify_accepts_the_pattern),
		cmocka_unit_test(test_verify_flags_a_wrong_byte),
		cmocka_unit_test(test_verify_flags_a_wrong_length),
		cmocka_unit_test(test_verify_leaves_error_pages_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
