/* SPDX-License-Identifier: MIT */
/*
 * http_fuzz.c - libFuzzer entry for the HTTP parsers in lib/http.c.
 *
 * Sanitizers (address, undefined) catch reads past the input, which libFuzzer hands over in a
 * buffer of exactly @size bytes. On top of that we check the properties the servers rely on
 * when a request trickles in over several reads:
 *   - a returned head length never exceeds the input (nor HTTP_MAX_HEAD for a request);
 *   - the buffer cut at the head length parses to the same result, field for field;
 *   - every shorter prefix of that head parses to 0 (need more bytes), never another head;
 *   - method and target point inside the head;
 *   - http_parse_size stays within the input and below its bound.
 * Every prefix is checked for heads up to PREFIX_ALL bytes, a spread of prefixes above that,
 * which keeps a 12 KB input from costing millions of parses.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

#define PREFIX_ALL     1024
#define PREFIX_SAMPLES 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(cond)                       \
	do {                              \
		if (!(cond))              \
			__builtin_trap(); \
	} while (0)

static bool inside(const char *p, size_t n, const char *buf, size_t len)
{
	return p >= buf && n <= len && (size_t)(p - buf) <= len - n;
}

static bool same_request(const struct http_request *a, const struct http_request *b)
{
	return a->method == b->method && a->method_str == b->method_str &&
	       a->method_len == b->method_len && a->target == b->target &&
	       a->target_len == b->target_len && a->minor == b->minor &&
	       a->head_len == b->head_len && a->content_length == b->content_length &&
	       a->has_content_length == b->has_content_length && a->chunked == b->chunked &&
	       a->keepalive == b->keepalive && a->expect_continue == b->expect_continue;
}

static bool same_response(const struct http_response *a, const struct http_response *b)
{
	return a->status == b->status && a->minor == b->minor && a->head_len == b->head_len &&
	       a->content_length == b->content_length &&
	       a->has_content_length == b->has_content_length && a->chunked == b->chunked &&
	       a->keepalive == b->keepalive;
}

/* The prefix lengths to try below @head: all of them for short heads, a spread otherwise. */
static size_t prefix_step(size_t head)
{
	return head <= PREFIX_ALL ? 1 : head / PREFIX_SAMPLES + 1;
}

static void fuzz_request(const char *buf, size_t len)
{
	struct http_request req, again;
	int rc = http_parse_request(buf, len, &req);

	check(rc == 0 || rc > 0 || rc == -400 || rc == -414 || rc == -431 || rc == -501 ||
	      rc == -505);
	if (rc <= 0)
		return;
	check((size_t)rc <= len && rc <= HTTP_MAX_HEAD && req.head_len == (size_t)rc);
	check(req.minor == 0 || req.minor == 1);
	check(req.method_len > 0 && inside(req.method_str, req.method_len, buf, (size_t)rc));
	check(req.target_len > 0 && inside(req.target, req.target_len, buf, (size_t)rc));
	check(req.target[0] == '/');
	check(http_parse_request(buf, (size_t)rc, &again) == rc && same_request(&req, &again));
	for (size_t n = 0; n < (size_t)rc; n += prefix_step((size_t)rc)) {
		check(http_parse_request(buf, n, &again) == 0);
		check(http_parse_request(buf, (size_t)rc - 1 - n, &again) == 0);
	}
}

static void fuzz_response(const char *buf, size_t len)
{
	struct http_response resp, again;
	int rc = http_parse_response(buf, len, &resp);

	check(rc >= -1);
	if (rc <= 0)
		return;
	check((size_t)rc <= len && resp.head_len == (size_t)rc);
	check(resp.status >= 100 && resp.status <= 999 && (resp.minor == 0 || resp.minor == 1));
	check(!(resp.chunked && resp.has_content_length));
	check(http_parse_response(buf, (size_t)rc, &again) == rc && same_response(&resp, &again));
	for (size_t n = 0; n < (size_t)rc; n += prefix_step((size_t)rc)) {
		check(http_parse_response(buf, n, &again) == 0);
		check(http_parse_response(buf, (size_t)rc - 1 - n, &again) == 0);
	}
}

static void fuzz_size(const char *buf, size_t len)
{
	uint64_t v, max = len ? (uint64_t)(unsigned char)buf[0] << 20 : 0;

	if (http_parse_size(buf, len, UINT64_MAX, &v) == 0)
		check(len > 0);
	if (http_parse_size(buf, len, max, &v) == 0)
		check(v <= max);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;

	fuzz_request(buf, size);
	fuzz_response(buf, size);
	fuzz_size(buf, size);
	return 0;
}
