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
 *   - http_parse_size stays within the input and below its bound;
 *   - http_format_head never writes past its cap, and what it writes parses back the same.
 * Every prefix is checked for heads up to PREFIX_ALL bytes, a spread of prefixes above that,
 * which keeps a 12 KB input from costing millions of parses.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

#define PREFIX_ALL     1024
#define PREFIX_SAMPLES 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant aborts with its text, which libFuzzer reports as a crash. */
#define check(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line)
{
	fprintf(stderr, "http_fuzz.c:%d: invariant broken: %s\n", line, what);
	abort();
}

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
	check(req.content_length <= UINT64_C(1) << 53);
	check(req.has_content_length || req.content_length == 0);
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

/*
 * Write a head chosen by the input into a heap buffer of exactly @cap bytes (so ASan sees any
 * write past it), then read it back with the response parser: the two sides must agree.
 */
static void fuzz_format(const uint8_t *data, size_t size)
{
	uint8_t b[8] = { 0 };
	int status, minor;
	uint64_t length;
	size_t cap, n;
	bool keepalive;
	char *out;
	struct http_response resp;

	memcpy(b, data, size < sizeof(b) ? size : sizeof(b));
	status = 100 + (b[0] | b[1] << 8) % 500;
	minor = b[2] & 1;
	keepalive = b[2] & 2;
	cap = (size_t)b[3] * 2;
	length = (uint64_t)(b[4] | b[5] << 8 | b[6] << 16) << (b[7] % 30); /* below 2^53 */
	out = malloc(cap ? cap : 1);
	check(out != NULL);
	n = http_format_head(out, cap, status, minor, length, keepalive, NULL,
			     (b[2] & 4) ? "X-Extra: 1\r\n" : NULL);
	check(n <= cap);
	if (n > 0) {
		check(http_parse_response(out, n, &resp) == (int)n);
		check(resp.status == status && resp.minor == minor);
		if (status >= 200 && status != 204) {
			check(resp.has_content_length && resp.content_length == length);
			check(resp.keepalive == keepalive);
		}
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;

	fuzz_request(buf, size);
	fuzz_response(buf, size);
	fuzz_size(buf, size);
	fuzz_format(data, size);
	return 0;
}
