/* SPDX-License-Identifier: MIT */
/*
 * test_http.c - one behaviour per test for lib/http.c.
 *
 * Every request and response is parsed from an exact-size heap copy (see parse_req), so that
 * valgrind or ASan catch a parser that reads one byte past @len; the copy lives until the test's
 * teardown, because the parsed struct points into it. The order follows the header: requests
 * (valid, connection, lengths, malformed, limits, splitting), responses, writing, sizes, and
 * last the regressions that fuzzing found.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http.h"

static char *copy; /* the buffer under test, freed by teardown */

static const char *exact_copy(const char *s, size_t n)
{
	free(copy);
	copy = malloc(n ? n : 1);
	assert_non_null(copy);
	memcpy(copy, s, n);
	return copy;
}

static int free_copy(void **state)
{
	free(copy);
	copy = NULL;
	return 0;
}

static int parse_req_n(const char *s, size_t n, struct http_request *r)
{
	return http_parse_request(exact_copy(s, n), n, r);
}

static int parse_req(const char *s, struct http_request *r)
{
	return parse_req_n(s, strlen(s), r);
}

static int parse_resp(const char *s, struct http_response *r)
{
	size_t n = strlen(s);

	return http_parse_response(exact_copy(s, n), n, r);
}

/* A request line followed by one header line, then the blank line. */
static int req_with(const char *line, const char *field, struct http_request *r)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s\r\n%s\r\n\r\n", line, field);
	return parse_req(buf, r);
}

/* ---- valid requests ------------------------------------------------------------------------ */

static void get_parses(void **state)
{
	const char *s = "GET /size/10K HTTP/1.1\r\nHost: a\r\n\r\n";
	struct http_request r;

	assert_int_equal(parse_req(s, &r), strlen(s));
	assert_int_equal(r.method, HTTP_GET);
	assert_int_equal(r.method_len, 3);
	assert_memory_equal(r.method_str, "GET", 3);
	assert_int_equal(r.target_len, 9);
	assert_memory_equal(r.target, "/size/10K", 9);
	assert_ptr_equal(r.method_str, copy);
	assert_ptr_equal(r.target, copy + 4);
	assert_int_equal(r.minor, 1);
	assert_int_equal(r.head_len, strlen(s));
	assert_false(r.has_content_length);
	assert_false(r.chunked);
	assert_false(r.expect_continue);
}

static void head_parses(void **state)
{
	struct http_request r;

	assert_true(parse_req("HEAD /files/a HTTP/1.1\r\n\r\n", &r) > 0);
	assert_int_equal(r.method, HTTP_HEAD);
}

static void post_with_length_parses(void **state)
{
	const char *s = "POST /echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
	struct http_request r;

	assert_int_equal(parse_req(s, &r), strlen(s) - 5);
	assert_int_equal(r.method, HTTP_POST);
	assert_true(r.has_content_length);
	assert_int_equal(r.content_length, 5);
}

static void other_token_method_is_other(void **state)
{
	struct http_request r;

	assert_true(parse_req("DELETE /x HTTP/1.1\r\n\r\n", &r) > 0);
	assert_int_equal(r.method, HTTP_OTHER);
	assert_int_equal(r.method_len, 6);
}

static void method_is_case_sensitive(void **state)
{
	struct http_request r;

	assert_true(parse_req("get / HTTP/1.1\r\n\r\n", &r) > 0);
	assert_int_equal(r.method, HTTP_OTHER);
}

static void http10_parses(void **state)
{
	struct http_request r;

	assert_true(parse_req("GET / HTTP/1.0\r\n\r\n", &r) > 0);
	assert_int_equal(r.minor, 0);
}

static void query_string_kept_in_target(void **state)
{
	struct http_request r;

	assert_true(parse_req("GET /a?b=c&d=%20 HTTP/1.1\r\n\r\n", &r) > 0);
	assert_int_equal(r.target_len, 12);
	assert_memory_equal(r.target, "/a?b=c&d=%20", 12);
}

static void bare_lf_accepted(void **state)
{
	const char *s = "GET / HTTP/1.1\nHost: a\nConnection: close\n\n";
	struct http_request r;

	assert_int_equal(parse_req(s, &r), strlen(s));
	assert_false(r.keepalive);
}

static void mixed_line_endings_accepted(void **state)
{
	const char *s = "GET / HTTP/1.1\r\nHost: a\n\r\n";
	struct http_request r;

	assert_int_equal(parse_req(s, &r), strlen(s));
}

static void leading_crlf_skipped_and_counted(void **state)
{
	const char *s = "\r\n\r\nGET /x HTTP/1.1\r\n\r\n";
	struct http_request r;

	assert_int_equal(parse_req(s, &r), strlen(s));
	assert_ptr_equal(r.method_str, copy + 4);
	assert_memory_equal(r.target, "/x", 2);
}

static void leading_bare_lf_skipped(void **state)
{
	const char *s = "\nGET / HTTP/1.1\r\n\r\n";
	struct http_request r;

	assert_int_equal(parse_req(s, &r), strlen(s));
}

static void obs_text_in_value_accepted(void **state)
{
	struct http_request r;

	assert_true(req_with("GET / HTTP/1.1", "X-Name: caf\xc3\xa9", &r) > 0);
}

static void empty_value_accepted(void **state)
{
	struct http_request r;

	assert_true(req_with("GET / HTTP/1.1", "X-Empty:", &r) > 0);
}

/* ---- keep-alive and Expect ------------------------------------------------------------------ */

static void keepalive_default_http11(void **state)
{
	struct http_request r;

	assert_true(parse_req("GET / HTTP/1.1\r\n\r\n", &r) > 0);
	assert_true(r.keepalive);
}

static void close_default_http10(void **state)
{
	struct http_request r;

	assert_true(parse_req("GET / HTTP/1.0\r\n\r\n", &r) > 0);
	assert_false(r.keepalive);
}

static void connection_close_http11(void **state)
{
	struct http_request r;

	assert_true(req_with("GET / HTTP/1.1", "Connection: close", &r) > 0);
	assert_false(r.keepalive);
}

static void connection_keepalive_http10(void **state)
{
	struct http_request r;

	assert_true(req_with("GET / HTTP/1.0", "Connection: keep-alive", &r) > 0);
	assert_true(r.keepalive);
}

static void connection_list_with_close(void **state)
{
	struct http_request r;

	assert_true(req_with("GET / HTTP/1.1", "Connection: foo, close", &r) > 0);
	assert_false(r.keepalive);
}

static void connection_list_case_insensitive(void **state)
{
	struct http_request r;

	assert_true(req_with("GET / HTTP/1.0", "CONNECTION: Upgrade,\tKeep-Alive ", &r) > 0);
	assert_true(r.keepalive);
}

static void connection_close_wins(void **state)
{
	struct http_request r;

	assert_true(req_with("GET / HTTP/1.0", "Connection: keep-alive, CLOSE", &r) > 0);
	assert_false(r.keepalive);
}

static void connection_token_prefix_not_matched(void **state)
{
	struct http_request r;

	assert_true(req_with("GET / HTTP/1.1", "Connection: closed, xclose", &r) > 0);
	assert_true(r.keepalive);
}

static void expect_continue_recognised(void **state)
{
	struct http_request r;

	assert_true(req_with("POST /echo HTTP/1.1", "Expect: 100-Continue", &r) > 0);
	assert_true(r.expect_continue);
}

static void expect_continue_ignored_in_http10(void **state)
{
	struct http_request r;

	assert_true(req_with("POST /echo HTTP/1.0", "Expect: 100-continue", &r) > 0);
	assert_false(r.expect_continue);
}

/* ---- Content-Length ------------------------------------------------------------------------- */

static void content_length_ows_trimmed(void **state)
{
	struct http_request r;

	assert_true(req_with("POST / HTTP/1.1", "content-length:\t 42 \t", &r) > 0);
	assert_int_equal(r.content_length, 42);
}

static void content_length_zero(void **state)
{
	struct http_request r;

	assert_true(req_with("POST / HTTP/1.1", "Content-Length: 0", &r) > 0);
	assert_true(r.has_content_length);
	assert_int_equal(r.content_length, 0);
}

static void content_length_2_53_accepted(void **state)
{
	struct http_request r;

	assert_true(req_with("POST / HTTP/1.1", "Content-Length: 9007199254740992", &r) > 0);
	assert_int_equal(r.content_length, UINT64_C(1) << 53);
}

static void content_length_above_2_53_rejected(void **state)
{
	struct http_request r;

	assert_int_equal(req_with("POST / HTTP/1.1", "Content-Length: 9007199254740993", &r), -400);
}

static void content_length_uint64_overflow_rejected(void **state)
{
	struct http_request r;

	assert_int_equal(req_with("POST / HTTP/1.1", "Content-Length: 18446744073709551617", &r),
			 -400);
}

static void content_length_not_digits_rejected(void **state)
{
	struct http_request r;

	assert_int_equal(req_with("POST / HTTP/1.1", "Content-Length: 5a", &r), -400);
}

static void content_length_signed_rejected(void **state)
{
	struct http_request r;

	assert_int_equal(req_with("POST / HTTP/1.1", "Content-Length: +5", &r), -400);
}

static void content_length_empty_rejected(void **state)
{
	struct http_request r;

	assert_int_equal(req_with("POST / HTTP/1.1", "Content-Length: ", &r), -400);
}

static void content_length_list_rejected(void **state)
{
	struct http_request r;

	assert_int_equal(req_with("POST / HTTP/1.1", "Content-Length: 5, 5", &r), -400);
}

static void content_length_same_duplicate_accepted(void **state)
{
	struct http_request r;

	assert_true(parse_req("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
			      &r) > 0);
	assert_int_equal(r.content_length, 5);
}

static void content_length_different_duplicate_rejected(void **state)
{
	struct http_request r;

	assert_int_equal(
		parse_req("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", &r),
		-400);
}

/* ---- malformed: 400 ------------------------------------------------------------------------- */

static void bad_method_char_400(void **state)
{
	struct http_request r;

	assert_int_equal(parse_req("G(T / HTTP/1.1\r\n\r\n", &r), -400);
}

static void empty_method_400(void **state)
{
	struct http_request r;

	assert_int_equal(parse_req(" / HTTP/1.1\r\n\r\n", &r), -400);
}

static void missing_version_400(void **state)
{
	struct http_request r;

	assert_int_equal(parse_req("GET /\r\n\r\n", &r), -400);
}

static void bad_version_400(void **state)
{
	struct http_request r;

	assert_int_equal(parse_req("GET / HTTX/1.1\r\n\r\n", &r), -400);
}

static void long_version_400(void **state)
{
	struct http_request r;

	assert_int_equal(parse_req("GET / HTTP/1.10\r\n\r\n", &r), -400);
}

static void lowercase_version_400(void **state)
{
	struct http_request r;

	assert_int_equal(parse_req("GET / http/1.1\r\n\r\n", &r), -400);
}

static void space_in_target_400(void **state)
{
	struct http_request r;

	assert_int_equal(parse_req("GET /a b HTTP/1.1\r\n\r\n", &r), -400);
}

static void double_space_400(void **state)
{
	struct http_request r;

	assert_int_equal(parse_req("GET  / HTTP/1.1\r\n\r\n", &r), -400);
}

static void control_char_in_target_400(void **state)
{
	struct http_request r;

	assert_int_equal(parse_req("GET /a\tb HTTP/1.1\r\n\r\n", &r), -400);
}

static void asterisk_target_400(void **state)
{
	struct http_request r;

	assert_int_equal(parse_req("OPTIONS * HTTP/1.1\r\n\r\n", &r), -400);
}

static void absolute_form_target_400(void **state)
{
	struct http_request r;

	assert_int_equal(parse_req("GET http://a/ HTTP/1.1\r\n\r\n", &r), -400);
}

static void bare_cr_line_end_400(void **state)
{
	struct http_request r;

	assert_int_equal(parse_req("GET / HTTP/1.1\r\rHost: a\r\n\r\n", &r), -400);
}

static void header_without_colon_400(void **state)
{
	struct http_request r;

	assert_int_equal(req_with("GET / HTTP/1.1", "Host a", &r), -400);
}

static void space_before_colon_400(void **state)
{
	struct http_request r;

	assert_int_equal(req_with("GET / HTTP/1.1", "Host : a", &r), -400);
}

static void empty_field_name_400(void **state)
{
	struct http_request r;

	assert_int_equal(req_with("GET / HTTP/1.1", ": a", &r), -400);
}

static void obs_fold_400(void **state)
{
	struct http_request r;

	assert_int_equal(parse_req("GET / HTTP/1.1\r\nX-A: b\r\n c\r\n\r\n", &r), -400);
}

static void control_char_in_value_400(void **state)
{
	struct http_request r;

	assert_int_equal(parse_req_n("GET / HTTP/1.1\r\nX-A: b\0c\r\n\r\n", 28, &r), -400);
}

static void cr_inside_value_400(void **state)
{
	struct http_request r;

	assert_int_equal(req_with("GET / HTTP/1.1", "X-A: b\rc", &r), -400);
}

static void te_with_cl_400(void **state)
{
	struct http_request r;

	assert_int_equal(parse_req("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
				   "Content-Length: 5\r\n\r\n",
				   &r),
			 -400);
}

static void bad_line_rejected_before_head_ends(void **state)
{
	struct http_request r;

	assert_int_equal(parse_req("GET / HTTP/1.1\r\nbad line\r\n", &r), -400);
}

static void minor_known_on_late_error(void **state)
{
	struct http_request r;

	assert_int_equal(req_with("GET / HTTP/1.0", "bad", &r), -400);
	assert_int_equal(r.minor, 0);
	assert_false(r.keepalive);
}

static void minor_defaults_to_1_on_early_error(void **state)
{
	struct http_request r;

	assert_int_equal(parse_req("G@T / HTTP/1.0\r\n\r\n", &r), -400);
	assert_int_equal(r.minor, 1);
}

/* ---- 505, 501 ------------------------------------------------------------------------------- */

static void http2_version_505(void **state)
{
	struct http_request r;

	assert_int_equal(parse_req("GET / HTTP/2.0\r\n\r\n", &r), -505);
}

static void http12_version_505(void **state)
{
	struct http_request r;

	assert_int_equal(parse_req("GET / HTTP/1.2\r\n\r\n", &r), -505);
}

static void http09_version_505(void **state)
{
	struct http_request r;

	assert_int_equal(parse_req("GET / HTTP/0.9\r\n\r\n", &r), -505);
}

static void chunked_501(void **state)
{
	struct http_request r;

	assert_int_equal(req_with("POST / HTTP/1.1", "Transfer-Encoding: gzip, Chunked", &r), -501);
	assert_true(r.chunked);
}

static void other_transfer_coding_501(void **state)
{
	struct http_request r;

	assert_int_equal(req_with("POST / HTTP/1.1", "Transfer-Encoding: gzip", &r), -501);
	assert_false(r.chunked);
}

/* ---- limits: 414, 431 ----------------------------------------------------------------------- */

/* A request line of @n bytes with no line end yet. */
static char *long_line(size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, 'a', n);
	memcpy(s, "GET /", 5);
	s[n] = '\0';
	return s;
}

static void long_request_line_414(void **state)
{
	char *s = long_line(HTTP_MAX_HEAD);
	struct http_request r;

	assert_int_equal(parse_req(s, &r), -414);
	free(s);
}

static void long_request_line_under_limit_incomplete(void **state)
{
	char *s = long_line(HTTP_MAX_HEAD - 1);
	struct http_request r;

	assert_int_equal(parse_req(s, &r), 0);
	free(s);
}

/* "GET / HTTP/1.1\r\n" + one X-Pad field, so that the head is @head_len bytes in all. */
static char *padded_head(size_t head_len, bool terminated)
{
	char *s = malloc(head_len + 1);
	size_t n;

	assert_non_null(s);
	n = (size_t)sprintf(s, "GET / HTTP/1.1\r\nX-Pad: ");
	memset(s + n, 'p', head_len - n - 4);
	memcpy(s + head_len - 4, terminated ? "\r\n\r\n" : "\r\npp", 4);
	s[head_len] = '\0';
	return s;
}

static void head_of_exactly_max_accepted(void **state)
{
	char *s = padded_head(HTTP_MAX_HEAD, true);
	struct http_request r;

	assert_int_equal(parse_req(s, &r), HTTP_MAX_HEAD);
	free(s);
}

static void head_over_max_431(void **state)
{
	char *s = padded_head(HTTP_MAX_HEAD + 1, true);
	struct http_request r;

	assert_int_equal(parse_req(s, &r), -431);
	free(s);
}

static void unfinished_head_at_max_431(void **state)
{
	char *s = padded_head(HTTP_MAX_HEAD, false);
	struct http_request r;

	assert_int_equal(parse_req(s, &r), -431);
	free(s);
}

/* A request with @n "X-N: v" fields. */
static int parse_with_fields(int n, struct http_request *r)
{
	char buf[2048];
	size_t len = (size_t)sprintf(buf, "GET / HTTP/1.1\r\n");

	for (int i = 0; i < n; i++)
		len += (size_t)sprintf(buf + len, "X-%d: v\r\n", i);
	strcpy(buf + len, "\r\n");
	return parse_req(buf, r);
}

static void max_headers_accepted(void **state)
{
	struct http_request r;

	assert_true(parse_with_fields(HTTP_MAX_HEADERS, &r) > 0);
}

static void too_many_headers_431(void **state)
{
	struct http_request r;

	assert_int_equal(parse_with_fields(HTTP_MAX_HEADERS + 1, &r), -431);
}

/* ---- incremental and pipelined -------------------------------------------------------------- */

static void empty_buffer_incomplete(void **state)
{
	struct http_request r;

	assert_int_equal(parse_req_n("", 0, &r), 0);
}

static void partial_head_incomplete(void **state)
{
	struct http_request r;

	assert_int_equal(parse_req("GET / HTTP/1.1\r\nHost: a\r\n", &r), 0);
}

static void partial_blank_line_incomplete(void **state)
{
	struct http_request r;

	assert_int_equal(parse_req("GET / HTTP/1.1\r\nHost: a\r\n\r", &r), 0);
}

/* Feed @s split at every byte: 0 until the last byte, then the full head. */
static void check_every_split(const char *s)
{
	size_t len = strlen(s);
	struct http_request r;

	for (size_t i = 0; i < len; i++)
		assert_int_equal(parse_req_n(s, i, &r), 0);
	assert_int_equal(parse_req_n(s, len, &r), len);
}

static void split_at_every_byte(void **state)
{
	check_every_split("\r\nPOST /echo HTTP/1.1\r\nHost: localhost:8080\r\n"
			  "Content-Length: 12\r\nConnection: keep-alive\r\n"
			  "Expect: 100-continue\r\n\r\n");
}

static void split_at_every_byte_bare_lf(void **state)
{
	check_every_split("GET /size/1M HTTP/1.0\nUser-Agent: herdload\nAccept: */*\n\n");
}

static void pipelined_requests(void **state)
{
	const char *s = "POST /echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
			"GET /size/1K HTTP/1.1\r\nConnection: close\r\n\r\n";
	struct http_request r;
	const char *buf = exact_copy(s, strlen(s));
	int first = http_parse_request(buf, strlen(s), &r);
	size_t next;

	assert_int_equal(first, 42);
	assert_int_equal(r.method, HTTP_POST);
	assert_true(r.keepalive);
	next = (size_t)first + r.content_length;
	assert_int_equal(http_parse_request(buf + next, strlen(s) - next, &r), strlen(s) - next);
	assert_int_equal(r.method, HTTP_GET);
	assert_memory_equal(r.target, "/size/1K", 8);
	assert_false(r.keepalive);
}

/* ---- responses ------------------------------------------------------------------------------ */

static void response_with_length(void **state)
{
	const char *s = "HTTP/1.1 200 OK\r\nContent-Length: 10240\r\n\r\n";
	struct http_response r;

	assert_int_equal(parse_resp(s, &r), strlen(s));
	assert_int_equal(r.status, 200);
	assert_int_equal(r.minor, 1);
	assert_int_equal(r.head_len, strlen(s));
	assert_true(r.has_content_length);
	assert_int_equal(r.content_length, 10240);
	assert_false(r.chunked);
	assert_true(r.keepalive);
}

static void response_http10_closes(void **state)
{
	struct http_response r;

	assert_true(parse_resp("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", &r) > 0);
	assert_int_equal(r.minor, 0);
	assert_false(r.keepalive);
}

static void response_http10_keepalive(void **state)
{
	struct http_response r;

	assert_true(parse_resp("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n"
			       "Content-Length: 1\r\n\r\n",
			       &r) > 0);
	assert_true(r.keepalive);
}

static void response_connection_close(void **state)
{
	struct http_response r;

	assert_true(parse_resp("HTTP/1.1 404 Not Found\r\nConnection: close\r\n"
			       "Content-Length: 0\r\n\r\n",
			       &r) > 0);
	assert_int_equal(r.status, 404);
	assert_false(r.keepalive);
}

static void response_chunked(void **state)
{
	struct http_response r;

	assert_true(parse_resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", &r) > 0);
	assert_true(r.chunked);
	assert_false(r.has_content_length);
	assert_true(r.keepalive);
}

static void response_chunked_overrides_length(void **state)
{
	struct http_response r;

	assert_true(parse_resp("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
			       "Transfer-Encoding: chunked\r\n\r\n",
			       &r) > 0);
	assert_true(r.chunked);
	assert_false(r.has_content_length);
}

static void response_unframed_body_closes(void **state)
{
	struct http_response r;

	assert_true(parse_resp("HTTP/1.1 200 OK\r\n\r\n", &r) > 0);
	assert_false(r.keepalive);
}

static void response_204_stays_open(void **state)
{
	struct http_response r;

	assert_true(parse_resp("HTTP/1.1 204 No Content\r\n\r\n", &r) > 0);
	assert_true(r.keepalive);
}

static void response_without_reason(void **state)
{
	struct http_response r;

	assert_true(parse_resp("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", &r) > 0);
	assert_int_equal(r.status, 200);
}

static void response_empty_reason(void **state)
{
	struct http_response r;

	assert_true(parse_resp("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", &r) > 0);
}

static void response_bare_lf(void **state)
{
	const char *s = "HTTP/1.1 200 OK\nContent-Length: 2\n\n";
	struct http_response r;

	assert_int_equal(parse_resp(s, &r), strlen(s));
}

static void response_incomplete(void **state)
{
	struct http_response r;

	assert_int_equal(parse_resp("HTTP/1.1 200 OK\r\nContent-Le", &r), 0);
}

static void response_garbled_version(void **state)
{
	struct http_response r;

	assert_int_equal(parse_resp("HTTP/2.0 200 OK\r\n\r\n", &r), -1);
}

static void response_garbled_status(void **state)
{
	struct http_response r;

	assert_int_equal(parse_resp("HTTP/1.1 20x OK\r\n\r\n", &r), -1);
}

static void response_status_below_100(void **state)
{
	struct http_response r;

	assert_int_equal(parse_resp("HTTP/1.1 099 Low\r\n\r\n", &r), -1);
}

static void response_no_space_after_status(void **state)
{
	struct http_response r;

	assert_int_equal(parse_resp("HTTP/1.1 200OK\r\n\r\n", &r), -1);
}

static void response_garbage(void **state)
{
	struct http_response r;

	assert_int_equal(parse_resp("SSH-2.0-OpenSSH_9.2\r\n", &r), -1);
}

static void response_bad_field(void **state)
{
	struct http_response r;

	assert_int_equal(parse_resp("HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", &r), -1);
}

static void response_bad_length(void **state)
{
	struct http_response r;

	assert_int_equal(parse_resp("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", &r), -1);
}

static void response_conflicting_lengths(void **state)
{
	struct http_response r;

	assert_int_equal(parse_resp("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
				    "Content-Length: 2\r\n\r\n",
				    &r),
			 -1);
}

static void response_head_over_64k(void **state)
{
	size_t n = 64 * 1024;
	char *s = malloc(n + 1);
	struct http_response r;

	assert_non_null(s);
	memset(s, 'a', n);
	memcpy(s, "HTTP/1.1 200 OK\r\nX-Pad: ", 24);
	s[n] = '\0';
	assert_int_equal(parse_resp(s, &r), -1);
	s[n - 1] = '\0';
	assert_int_equal(parse_resp(s, &r), 0);
	free(s);
}

/* ---- writing -------------------------------------------------------------------------------- */

static void reason_known(void **state)
{
	assert_string_equal(http_reason(200), "OK");
	assert_string_equal(http_reason(431), "Request Header Fields Too Large");
	assert_string_equal(http_reason(505), "HTTP Version Not Supported");
}

static void reason_unknown(void **state)
{
	assert_string_equal(http_reason(418), "Unknown");
}

static void format_head_exact(void **state)
{
	const char *want = "HTTP/1.1 200 OK\r\nServer: herdsrv\r\nContent-Type: text/plain\r\n"
			   "Content-Length: 10240\r\nConnection: keep-alive\r\n\r\n";
	char buf[256];
	size_t n = http_format_head(buf, sizeof(buf), 200, 1, 10240, true, "text/plain", NULL);

	assert_int_equal(n, strlen(want));
	assert_memory_equal(buf, want, n);
}

static void format_head_default_type_and_extra(void **state)
{
	const char *want = "HTTP/1.0 404 Not Found\r\nServer: herdsrv\r\n"
			   "Content-Type: application/octet-stream\r\nContent-Length: 0\r\n"
			   "Connection: close\r\nX-Worker: 3\r\n\r\n";
	char buf[256];
	size_t n = http_format_head(buf, sizeof(buf), 404, 0, 0, false, NULL, "X-Worker: 3\r\n");

	assert_int_equal(n, strlen(want));
	assert_memory_equal(buf, want, n);
}

static void format_head_continue_is_status_line_only(void **state)
{
	char buf[256];
	size_t n = http_format_head(buf, sizeof(buf), 100, 1, 0, true, NULL, NULL);

	assert_int_equal(n, 25);
	assert_memory_equal(buf, "HTTP/1.1 100 Continue\r\n\r\n", 25);
}

static void format_head_204_has_no_length(void **state)
{
	const char *want =
		"HTTP/1.1 204 No Content\r\nServer: herdsrv\r\n"
		"Content-Type: application/octet-stream\r\nConnection: keep-alive\r\n\r\n";
	char buf[256];
	size_t n = http_format_head(buf, sizeof(buf), 204, 1, 0, true, NULL, NULL);

	assert_int_equal(n, strlen(want));
	assert_memory_equal(buf, want, n);
}

static void format_head_exact_fit(void **state)
{
	char big[256], *buf;
	size_t n = http_format_head(big, sizeof(big), 200, 1, 7, false, NULL, NULL);

	buf = malloc(n);
	assert_non_null(buf);
	assert_int_equal(http_format_head(buf, n, 200, 1, 7, false, NULL, NULL), n);
	assert_memory_equal(buf, big, n);
	free(buf);
}

static void format_head_cap_too_small(void **state)
{
	char big[256], buf[256];
	size_t n = http_format_head(big, sizeof(big), 200, 1, 7, false, NULL, NULL);

	assert_true(n > 0 && n < sizeof(buf));
	for (size_t cap = 0; cap < n; cap++) {
		memset(buf, '#', sizeof(buf));
		assert_int_equal(http_format_head(buf, cap, 200, 1, 7, false, NULL, NULL), 0);
		for (size_t i = cap; i < sizeof(buf); i++)
			assert_int_equal(buf[i], '#');
	}
}

/* ---- sizes ---------------------------------------------------------------------------------- */

static void size_k(void **state)
{
	uint64_t v;

	assert_int_equal(http_parse_size("10K", 3, UINT64_MAX, &v), 0);
	assert_int_equal(v, 10240);
}

static void size_m(void **state)
{
	uint64_t v;

	assert_int_equal(http_parse_size("100M", 4, UINT64_MAX, &v), 0);
	assert_int_equal(v, 100 * 1024 * 1024);
}

static void size_plain_zero(void **state)
{
	uint64_t v = 1;

	assert_int_equal(http_parse_size("0", 1, UINT64_MAX, &v), 0);
	assert_int_equal(v, 0);
}

static void size_lowercase_suffix(void **state)
{
	uint64_t v;

	assert_int_equal(http_parse_size("1k", 2, UINT64_MAX, &v), 0);
	assert_int_equal(v, 1024);
	assert_int_equal(http_parse_size("2m", 2, UINT64_MAX, &v), 0);
	assert_int_equal(v, 2 * 1024 * 1024);
}

static void size_reads_only_len(void **state)
{
	uint64_t v;

	assert_int_equal(http_parse_size("12Kxyz", 3, UINT64_MAX, &v), 0);
	assert_int_equal(v, 12 * 1024);
}

static void size_empty_rejected(void **state)
{
	uint64_t v;

	assert_int_equal(http_parse_size("", 0, UINT64_MAX, &v), -1);
}

static void size_suffix_only_rejected(void **state)
{
	uint64_t v;

	assert_int_equal(http_parse_size("K", 1, UINT64_MAX, &v), -1);
}

static void size_bad_suffix_rejected(void **state)
{
	uint64_t v;

	assert_int_equal(http_parse_size("12X", 3, UINT64_MAX, &v), -1);
	assert_int_equal(http_parse_size("1KK", 3, UINT64_MAX, &v), -1);
}

static void size_sign_rejected(void **state)
{
	uint64_t v;

	assert_int_equal(http_parse_size("+5", 2, UINT64_MAX, &v), -1);
	assert_int_equal(http_parse_size("-5", 2, UINT64_MAX, &v), -1);
}

static void size_overflow_rejected(void **state)
{
	uint64_t v;

	assert_int_equal(http_parse_size("99999999999999999999", 20, UINT64_MAX, &v), -1);
	assert_int_equal(http_parse_size("17592186044416M", 15, UINT64_MAX, &v), -1); /* 2^64 */
}

static void size_at_max_accepted(void **state)
{
	uint64_t v;

	assert_int_equal(http_parse_size("100M", 4, 100 << 20, &v), 0);
	assert_int_equal(v, 100 << 20);
}

static void size_above_max_rejected(void **state)
{
	uint64_t v;

	assert_int_equal(http_parse_size("101M", 4, 100 << 20, &v), -1);
	assert_int_equal(http_parse_size("104857601", 9, 100 << 20, &v), -1);
}

/*
 * Regressions from fuzzing go last, one test per crashing input. None so far: 8.4M runs (27 minutes) of
 * tests/fuzz/http_fuzz found no crash and no broken invariant.
 */

#define T(f) cmocka_unit_test_teardown(f, free_copy)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(get_parses),
		T(head_parses),
		T(post_with_length_parses),
		T(other_token_method_is_other),
		T(method_is_case_sensitive),
		T(http10_parses),
		T(query_string_kept_in_target),
		T(bare_lf_accepted),
		T(mixed_line_endings_accepted),
		T(leading_crlf_skipped_and_counted),
		T(leading_bare_lf_skipped),
		T(obs_text_in_value_accepted),
		T(empty_value_accepted),
		T(keepalive_default_http11),
		T(close_default_http10),
		T(connection_close_http11),
		T(connection_keepalive_http10),
		T(connection_list_with_close),
		T(connection_list_case_insensitive),
		T(connection_close_wins),
		T(connection_token_prefix_not_matched),
		T(expect_continue_recognised),
		T(expect_continue_ignored_in_http10),
		T(content_length_ows_trimmed),
		T(content_length_zero),
		T(content_length_2_53_accepted),
		T(content_length_above_2_53_rejected),
		T(content_length_uint64_overflow_rejected),
		T(content_length_not_digits_rejected),
		T(content_length_signed_rejected),
		T(content_length_empty_rejected),
		T(content_length_list_rejected),
		T(content_length_same_duplicate_accepted),
		T(content_length_different_duplicate_rejected),
		T(bad_method_char_400),
		T(empty_method_400),
		T(missing_version_400),
		T(bad_version_400),
		T(long_version_400),
		T(lowercase_version_400),
		T(space_in_target_400),
		T(double_space_400),
		T(control_char_in_target_400),
		T(asterisk_target_400),
		T(absolute_form_target_400),
		T(bare_cr_line_end_400),
		T(header_without_colon_400),
		T(space_before_colon_400),
		T(empty_field_name_400),
		T(obs_fold_400),
		T(control_char_in_value_400),
		T(cr_inside_value_400),
		T(te_with_cl_400),
		T(bad_line_rejected_before_head_ends),
		T(minor_known_on_late_error),
		T(minor_defaults_to_1_on_early_error),
		T(http2_version_505),
		T(http12_version_505),
		T(http09_version_505),
		T(chunked_501),
		T(other_transfer_coding_501),
		T(long_request_line_414),
		T(long_request_line_under_limit_incomplete),
		T(head_of_exactly_max_accepted),
		T(head_over_max_431),
		T(unfinished_head_at_max_431),
		T(max_headers_accepted),
		T(too_many_headers_431),
		T(empty_buffer_incomplete),
		T(partial_head_incomplete),
		T(partial_blank_line_incomplete),
		T(split_at_every_byte),
		T(split_at_every_byte_bare_lf),
		T(pipelined_requests),
		T(response_with_length),
		T(response_http10_closes),
		T(response_http10_keepalive),
		T(response_connection_close),
		T(response_chunked),
		T(response_chunked_overrides_length),
		T(response_unframed_body_closes),
		T(response_204_stays_open),
		T(response_without_reason),
		T(response_empty_reason),
		T(response_bare_lf),
		T(response_incomplete),
		T(response_garbled_version),
		T(response_garbled_status),
		T(response_status_below_100),
		T(response_no_space_after_status),
		T(response_garbage),
		T(response_bad_field),
		T(response_bad_length),
		T(response_conflicting_lengths),
		T(response_head_over_64k),
		T(reason_known),
		T(reason_unknown),
		T(format_head_exact),
		T(format_head_default_type_and_extra),
		T(format_head_continue_is_status_line_only),
		T(format_head_204_has_no_length),
		T(format_head_exact_fit),
		T(format_head_cap_too_small),
		T(size_k),
		T(size_m),
		T(size_plain_zero),
		T(size_lowercase_suffix),
		T(size_reads_only_len),
		T(size_empty_rejected),
		T(size_suffix_only_rejected),
		T(size_bad_suffix_rejected),
		T(size_sign_rejected),
		T(size_overflow_rejected),
		T(size_at_max_accepted),
		T(size_above_max_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
