/* SPDX-License-Identifier: MIT */
/*
 * response.c - the response reader of response.h.
 *
 * resp_feed() walks its input once: head bytes go to http_parse_response() (in place
 * when the head is whole in this piece, else through @hbuf), body bytes are counted in
 * runs, and only the few bytes of chunked framing are looked at one by one, by a small
 * state machine (enum resp_phase):
 *
 *	CHUNK_SIZE --hex digits--> [; ext...] --CRLF--> CHUNK_DATA (size > 0) --CRLF--> CHUNK_SIZE
 *	                                          \---> TRAILER (size 0) --fields..., CRLF--> DONE
 *
 * Bare LFs are taken where CRLF is expected, as lib/http does for heads.
 */
#include "response.h"

#include <stdlib.h>
#include <string.h>

#include "pattern.h"

#define CHUNK_SIZE_MAX (UINT64_C(1) << 53) /* as lib/http limits Content-Length */

void resp_init(struct resp_reader *r, bool verify, int64_t expect_body)
{
	memset(r, 0, sizeof(*r));
	r->phase = RP_HEAD;
	r->verify = verify;
	r->expect_body = expect_body;
}

void resp_reset(struct resp_reader *r, bool verify, int64_t expect_body)
{
	char *hbuf = r->hbuf;
	size_t hcap = r->hcap;

	resp_init(r, verify, expect_body);
	r->hbuf = hbuf;
	r->hcap = hcap;
}

void resp_free(struct resp_reader *r)
{
	free(r->hbuf);
	r->hbuf = NULL;
	r->hcap = 0;
	r->hlen = 0;
}

static enum resp_result garbled(struct resp_reader *r)
{
	r->phase = RP_BAD;
	return RESP_GARBLED;
}

/* The response ended: with --verify, its length must be the one expected. */
static enum resp_result finish(struct resp_reader *r)
{
	r->phase = RP_DONE;
	if (r->verify && r->expect_body >= 0 && r->body != (uint64_t)r->expect_body)
		r->mismatch = true;
	return RESP_DONE;
}

/* @n body bytes went by: count them, and check them against the pattern. */
static void take_body(struct resp_reader *r, const char *p, size_t n)
{
	if (r->verify && !r->mismatch && !pattern_check(p, n, r->body))
		r->mismatch = true;
	r->body += n;
}

/* The head is parsed: pick the body's framing (RFC 9112 6.3). */
static enum resp_result start_body(struct resp_reader *r)
{
	int status = r->head.status;

	if (status >= 300)
		r->verify = false; /* an error page is not the pattern; ERR_HTTP tells of it */
	if (status == 204 || status == 304)
		return finish(r);
	if (r->head.chunked) {
		r->phase = RP_CHUNK_SIZE;
		r->chunk_size = 0;
		r->chunk_digits = 0;
		return RESP_MORE;
	}
	if (r->head.has_content_length) {
		if (r->verify && r->expect_body >= 0 &&
		    r->head.content_length != (uint64_t)r->expect_body)
			r->mismatch = true;
		r->left = r->head.content_length;
		if (r->left == 0)
			return finish(r);
		r->phase = RP_LENGTH;
		return RESP_MORE;
	}
	r->phase = RP_CLOSE;
	return RESP_MORE;
}

/* Make room for @need bytes of head in @hbuf. */
static int hbuf_reserve(struct resp_reader *r, size_t need)
{
	size_t cap = r->hcap ? r->hcap : 1024;
	char *p;

	if (need <= r->hcap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (cap > RESP_MAX_HEAD)
		cap = RESP_MAX_HEAD;
	p = realloc(r->hbuf, cap);
	if (!p)
		return -1;
	r->hbuf = p;
	r->hcap = cap;
	return 0;
}

/*
 * Head bytes. The parser gets either @buf itself (nothing gathered yet) or @hbuf with
 * @buf appended. Bytes gathered earlier are all head (else the head would have been
 * complete then), so the head ends inside @buf and *@used is its share of @buf.
 */
static enum resp_result feed_head(struct resp_reader *r, const char *buf, size_t len, size_t *used)
{
	const char *p = buf;
	size_t n = len, old = r->hlen;
	int rc;

	if (old) {
		size_t take = len < RESP_MAX_HEAD - old ? len : RESP_MAX_HEAD - old;
		if (hbuf_reserve(r, old + take) < 0)
			return garbled(r);
		memcpy(r->hbuf + old, buf, take);
		r->hlen += take;
		p = r->hbuf;
		n = r->hlen;
	}
	rc = http_parse_response(p, n, &r->head);
	if (rc < 0)
		return garbled(r);
	if (rc == 0) { /* incomplete, and shorter than RESP_MAX_HEAD: keep it all */
		if (!old) {
			if (hbuf_reserve(r, len) < 0)
				return garbled(r);
			memcpy(r->hbuf, buf, len);
			r->hlen = len;
		}
		*used = len;
		return RESP_MORE;
	}
	if ((size_t)rc <= old) /* cannot happen: the bytes gathered were not a whole head */
		return garbled(r);
	*used = (size_t)rc - old;
	r->hlen = 0;
	if (r->head.status < 200) /* 1xx: an interim response; 101 would switch protocols */
		return r->head.status == 101 ? garbled(r) : RESP_MORE;
	return start_body(r);
}

/* A chunk-size line ended: its data follows, or the last chunk's trailers. */
static enum resp_result size_line_done(struct resp_reader *r)
{
	if (r->chunk_size == 0) {
		r->phase = RP_TRAILER;
		return RESP_MORE;
	}
	r->left = r->chunk_size;
	r->phase = RP_CHUNK_DATA;
	return RESP_MORE;
}

static enum resp_result next_chunk(struct resp_reader *r)
{
	r->chunk_size = 0;
	r->chunk_digits = 0;
	r->phase = RP_CHUNK_SIZE;
	return RESP_MORE;
}

static enum resp_result chunk_size_byte(struct resp_reader *r, char c)
{
	int d = http_hexval(c);

	if (d >= 0) {
		if (r->chunk_size > (CHUNK_SIZE_MAX >> 4))
			return garbled(r);
		r->chunk_size = r->chunk_size * 16 + (uint64_t)d;
		r->chunk_digits++;
		return RESP_MORE;
	}
	if (r->chunk_digits == 0)
		return garbled(r);
	if (c == '\r')
		r->phase = RP_CHUNK_SIZE_LF;
	else if (c == '\n')
		return size_line_done(r);
	else if (c == ';' || c == ' ' || c == '\t')
		r->phase = RP_CHUNK_EXT;
	else
		return garbled(r);
	return RESP_MORE;
}

/* One byte of chunked framing (every phase but DATA). */
static enum resp_result chunk_byte(struct resp_reader *r, char c)
{
	switch (r->phase) {
	case RP_CHUNK_SIZE:
		return chunk_size_byte(r, c);
	case RP_CHUNK_EXT:
		return c == '\n' ? size_line_done(r) : RESP_MORE;
	case RP_CHUNK_SIZE_LF:
		return c == '\n' ? size_line_done(r) : garbled(r);
	case RP_CHUNK_DATA_CR:
		if (c == '\n')
			return next_chunk(r);
		if (c != '\r')
			return garbled(r);
		r->phase = RP_CHUNK_DATA_LF;
		return RESP_MORE;
	case RP_CHUNK_DATA_LF:
		return c == '\n' ? next_chunk(r) : garbled(r);
	case RP_TRAILER:
		if (c == '\n')
			return finish(r);
		r->phase = c == '\r' ? RP_TRAILER_LF : RP_TRAILER_LINE;
		return RESP_MORE;
	case RP_TRAILER_LINE:
		if (c == '\n')
			r->phase = RP_TRAILER;
		return RESP_MORE;
	case RP_TRAILER_LF:
		return c == '\n' ? finish(r) : garbled(r);
	default:
		return garbled(r);
	}
}

/* Body bytes of a Content-Length body or a chunk: at most @left of them. */
static size_t feed_counted(struct resp_reader *r, const char *buf, size_t len)
{
	size_t n = len < r->left ? len : (size_t)r->left;

	take_body(r, buf, n);
	r->left -= n;
	if (r->left == 0) {
		if (r->phase == RP_LENGTH)
			finish(r);
		else
			r->phase = RP_CHUNK_DATA_CR;
	}
	return n;
}

enum resp_result resp_feed(struct resp_reader *r, const char *buf, size_t len)
{
	r->bytes += len;
	while (len > 0) {
		size_t used = 1;

		switch (r->phase) {
		case RP_HEAD:
			if (feed_head(r, buf, len, &used) == RESP_GARBLED)
				return RESP_GARBLED;
			break;
		case RP_LENGTH:
		case RP_CHUNK_DATA:
			used = feed_counted(r, buf, len);
			break;
		case RP_CLOSE:
			take_body(r, buf, len);
			used = len;
			break;
		case RP_DONE: /* a byte beyond the response */
		case RP_BAD:
			return garbled(r);
		default:
			if (chunk_byte(r, *buf) == RESP_GARBLED)
				return RESP_GARBLED;
			break;
		}
		buf += used;
		len -= used;
	}
	return r->phase == RP_DONE ? RESP_DONE : RESP_MORE;
}

enum resp_result resp_eof(struct resp_reader *r)
{
	if (r->phase == RP_CLOSE)
		return finish(r);
	if (r->phase == RP_DONE)
		return RESP_DONE;
	if (r->phase == RP_BAD)
		return RESP_GARBLED;
	return RESP_SHORT;
}
