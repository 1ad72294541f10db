/* SPDX-License-Identifier: MIT */
/*
 * response.h - reading one HTTP/1.1 response, with no I/O of its own.
 *
 * The client loop feeds the reader whatever recv() returned, in pieces of any size, and
 * the reader says whether the response is complete, needs more, or is garbled; at EOF it
 * says whether the response was complete (a body without a length ends there) or short.
 * Being I/O free, it is unit tested by splitting a response at every byte boundary.
 *
 * The head is parsed by lib/http's http_parse_response(). It usually arrives in one
 * read and is parsed in place; only a head split across reads is copied into a buffer of
 * the reader's own (allocated the first time that happens, kept for the next response).
 * Bodies are never kept: they are counted, and with --verify compared with lib/pattern
 * as they pass. Three framings are understood:
 *	Content-Length		the body is that many bytes;
 *	chunked			hex chunk sizes, chunks, a zero chunk, trailers (nginx uses it);
 *	neither			the body runs until the server closes (HTTP/1.0 style).
 * Interim 1xx responses are skipped, and 204, 304 have no body. Any byte after the end of
 * a response is an error: we never pipeline, so the server sent something it should not.
 */
#ifndef HERD_LOAD_RESPONSE_H
#define HERD_LOAD_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"

#define RESP_MAX_HEAD (64 * 1024) /* lib/http's limit on a response head */

enum resp_result {
	RESP_MORE,    /* the response is not complete yet */
	RESP_DONE,    /* it is complete */
	RESP_GARBLED, /* not HTTP, broken framing, or bytes beyond the response */
	RESP_SHORT,   /* (resp_eof) the connection ended before the response did */
};

/* Where in the response the next byte goes. */
enum resp_phase {
	RP_HEAD,	  /* status line and header fields */
	RP_LENGTH,	  /* a Content-Length body */
	RP_CLOSE,	  /* a body that ends at EOF */
	RP_CHUNK_SIZE,	  /* the hex digits of a chunk-size line */
	RP_CHUNK_EXT,	  /* the rest of a chunk-size line (extensions), up to its LF */
	RP_CHUNK_SIZE_LF, /* the LF after a chunk-size line's CR */
	RP_CHUNK_DATA,	  /* a chunk's data */
	RP_CHUNK_DATA_CR, /* the CRLF after a chunk's data: CR (or a bare LF) */
	RP_CHUNK_DATA_LF, /* ... its LF */
	RP_TRAILER,	  /* the start of a trailer line, or the final empty line */
	RP_TRAILER_LINE,  /* inside a trailer field line, up to its LF */
	RP_TRAILER_LF,	  /* the LF of the final empty line */
	RP_DONE,	  /* the response is complete */
	RP_BAD,		  /* garbled: nothing more is read */
};

struct resp_reader {
	enum resp_phase phase;	   /* see above */
	struct http_response head; /* the head, once parsed: status, framing */
	char *hbuf;		   /* a head split across reads, gathered (or NULL) */
	size_t hlen;		   /* bytes in @hbuf */
	size_t hcap;		   /* size of @hbuf */
	uint64_t left;		   /* Content-Length or current chunk: body bytes still to come */
	uint64_t chunk_size;	   /* the chunk size being read */
	unsigned chunk_digits;	   /* hex digits read of it */
	uint64_t body;		   /* body bytes so far (chunk framing excluded) */
	uint64_t bytes;		   /* every byte fed: head, body, framing */
	bool verify;		   /* compare body bytes with the pattern from offset 0 */
	int64_t expect_body;	   /* --verify: the body length expected, or -1 for any */
	bool mismatch;		   /* --verify found a wrong byte or a wrong length */
};

/* A reader for a first response; @expect_body -1 for any length. */
void resp_init(struct resp_reader *r, bool verify, int64_t expect_body);
/* Ready for the next response (keeps the head buffer). */
void resp_reset(struct resp_reader *r, bool verify, int64_t expect_body);
void resp_free(struct resp_reader *r);

/* Feed the next @len bytes. RESP_MORE, RESP_DONE or RESP_GARBLED (final). */
enum resp_result resp_feed(struct resp_reader *r, const char *buf, size_t len);

/* The connection ended: RESP_DONE if that completes the response, else RESP_SHORT. */
enum resp_result resp_eof(struct resp_reader *r);

/* Whether the response is complete and intact (no --verify mismatch). */
static inline bool resp_intact(const struct resp_reader *r)
{
	return r->phase == RP_DONE && !r->mismatch;
}

#endif
