/* SPDX-License-Identifier: MIT */
/*
 * http.h - the HTTP/1.1 subset herdlab speaks: a request parser for the servers,
 * a response parser for the load generator, and a response-head writer.
 *
 * The parsers are pure functions over a byte buffer (no I/O, no allocation), so
 * they can be fed a request that arrives split across any number of reads, be
 * fuzzed, and be unit tested byte by byte. They re-scan from the start of the
 * buffer on every call; heads are capped (HTTP_MAX_HEAD) so that costs little.
 */
#ifndef HERD_HTTP_H
#define HERD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_HEAD	 8192 /* request line + headers; beyond: 414 or 431 */
#define HTTP_MAX_HEADERS 64   /* header fields; beyond: 431 */

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_OTHER };

struct http_request {
	enum http_method method;
	const char *method_str; /* points into the buffer */
	size_t method_len;
	const char *target; /* request-target, into the buffer, not decoded */
	size_t target_len;
	int minor;		 /* HTTP/1.<minor>: 0 or 1 */
	size_t head_len;	 /* bytes of request line + headers + the blank line */
	uint64_t content_length; /* 0 when absent */
	bool has_content_length;
	bool chunked;	      /* Transfer-Encoding: chunked (we answer 501) */
	bool keepalive;	      /* the version's default, overridden by Connection: */
	bool expect_continue; /* Expect: 100-continue */
};

/*
 * Parse the head of a request at the start of @buf.
 * Returns the head length (> 0) once the blank line has arrived, 0 if more bytes
 * are needed, or the negative HTTP status that the request deserves:
 * -400 malformed, -414 request line too long, -431 headers too large,
 * -501 unsupported transfer coding, -505 version not supported.
 */
int http_parse_request(const char *buf, size_t len, struct http_request *req);

struct http_response {
	int status; /* e.g. 200 */
	int minor;
	size_t head_len;	 /* bytes of status line + headers + blank line */
	uint64_t content_length; /* valid if has_content_length */
	bool has_content_length;
	bool chunked;
	bool keepalive; /* the server will keep the connection open */
};

/* Same return convention: head length, 0 for more, or -1 for a garbled head. */
int http_parse_response(const char *buf, size_t len, struct http_response *resp);

/* "OK", "Not Found", ... ("Unknown" for codes we never send). */
const char *http_reason(int status);

/*
 * Write a response head into @buf: status line, Date-free fixed headers,
 * Content-Length, Connection, and @extra (already "\r\n"-terminated lines, or
 * NULL). Returns its length, or 0 if @cap is too small.
 */
size_t http_format_head(char *buf, size_t cap, int status, int minor, uint64_t content_length,
			bool keepalive, const char *content_type, const char *extra);

/*
 * Parse a decimal size with an optional K or M suffix (powers of 1024), as in
 * /size/10K. Returns 0 and the value in @out, or -1 if malformed or above @max.
 */
int http_parse_size(const char *s, size_t len, uint64_t max, uint64_t *out);

/* The value of hex digit @c (0-15), or -1: %XX escapes, chunk sizes. */
int http_hexval(char c);

#endif
