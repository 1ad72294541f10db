/* SPDX-License-Identifier: MIT */
/*
 * http.c - the HTTP/1.1 subset herdlab speaks (RFC 9110 semantics, RFC 9112 syntax).
 *
 * Both parsers walk the head one line at a time. A line ends at LF; a CR just before the LF
 * is dropped, so bare-LF clients work as they do with nginx, and any other CR is a control
 * character that the syntax checks reject. Only complete lines are judged: a bad line is an
 * error as soon as its LF has arrived, and an unfinished line is "need more bytes" until the
 * head limit is reached. The scan never looks past min(len, limit), so a head that completes
 * within the limit parses the same however the bytes were split across reads, and a buffer of
 * exactly HTTP_MAX_HEAD bytes is enough for the server.
 *
 * Header fields are reduced to a few framing facts (struct framing) shared by the request and
 * the response sides; each side then turns them into its own verdict. We are strict where a
 * lenient parser opens a request-smuggling hole (no obs-fold, no space before the colon, one
 * Content-Length value, Transfer-Encoding with Content-Length refused) and we decline what the
 * study never needs (any Transfer-Encoding in a request is a 501).
 */
#include "http.h"

#include <string.h>

#define HTTP_MAX_RESP_HEAD (64 * 1024)	       /* the load generator's limit on a response head */
#define HTTP_MAX_LENGTH	   (UINT64_C(1) << 53) /* largest Content-Length: exact in a double */

/* ---- characters and small tokens ------------------------------------------------------------- */

/* tchar (RFC 9110 5.6.2): the characters of a method, a field name or a list token. */
static bool is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* A field-value byte (RFC 9110 5.5): HTAB, SP, VCHAR, obs-text; no other control. */
static bool is_field_char(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* Does s[0..n) equal the lowercase literal @lit, ignoring ASCII case? */
static bool ieq(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (lit[i] == '\0' || c != (unsigned char)lit[i])
			return false;
	}
	return lit[i] == '\0';
}

/* Does the comma-separated list s[0..n) hold the element @lit (case-insensitive, OWS trimmed)? */
static bool list_has(const char *s, size_t n, const char *lit)
{
	size_t i = 0;

	while (i <= n) {
		size_t start = i, end;

		while (i < n && s[i] != ',')
			i++;
		end = i++;
		while (start < end && is_ows(s[start]))
			start++;
		while (end > start && is_ows(s[end - 1]))
			end--;
		if (ieq(s + start, end - start, lit))
			return true;
	}
	return false;
}

/* One or more decimal digits, the value at most @max (so never overflowing): 0, or -1. */
static int parse_digits(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)((unsigned char)s[i] - '0');

		if (d > 9 || d > max || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* ---- lines ----------------------------------------------------------------------------------- */

struct scanner {
	const char *buf;
	size_t end; /* bytes we may look at: min(len, the head limit) */
	size_t pos; /* where the next line starts */
};

/* The next complete line, without its LF or CRLF; false while its LF has not arrived. */
static bool next_line(struct scanner *sc, const char **line, size_t *n)
{
	const char *start = sc->buf + sc->pos;
	const char *lf;

	if (sc->pos >= sc->end)
		return false;
	lf = memchr(start, '\n', sc->end - sc->pos);
	if (!lf)
		return false;
	*line = start;
	*n = (size_t)(lf - start);
	if (*n > 0 && lf[-1] == '\r')
		(*n)--;
	sc->pos = (size_t)(lf - sc->buf) + 1;
	return true;
}

/* ---- header fields --------------------------------------------------------------------------- */

/* What the header fields say about framing and the connection, on either side. */
struct framing {
	uint64_t content_length;
	bool has_content_length;
	bool has_transfer_encoding;
	bool chunked;	      /* "chunked" is among the transfer codings */
	bool conn_close;      /* Connection: close */
	bool conn_keepalive;  /* Connection: keep-alive */
	bool expect_continue; /* Expect: 100-continue */
};

/*
 * Content-Length = 1*DIGIT. A repeat must carry the same value (RFC 9110 8.6); the list form
 * "5, 5" that the RFC lets us fold is refused, as is anything above 2^53.
 */
static int apply_content_length(struct framing *fr, const char *v, size_t n)
{
	uint64_t len;

	if (parse_digits(v, n, HTTP_MAX_LENGTH, &len) < 0)
		return -1;
	if (fr->has_content_length && fr->content_length != len)
		return -1;
	fr->content_length = len;
	fr->has_content_length = true;
	return 0;
}

/*
 * field-line = field-name ":" OWS field-value OWS (RFC 9112 5). The name must run straight into
 * the colon, so "Name : v" fails here, and so does an obs-fold continuation line, whose first
 * byte (SP or HTAB) is not a tchar. Then note the fields that matter. Returns 0, or -1.
 */
static int parse_field(const char *s, size_t n, struct framing *fr)
{
	size_t i = 0, name_len;
	const char *v;

	while (i < n && is_tchar((unsigned char)s[i]))
		i++;
	if (i == 0 || i == n || s[i] != ':')
		return -1;
	name_len = i++;
	while (i < n && is_ows(s[i]))
		i++;
	while (n > i && is_ows(s[n - 1]))
		n--;
	v = s + i;
	for (; i < n; i++)
		if (!is_field_char((unsigned char)s[i]))
			return -1;
	n = (size_t)(s + n - v);

	if (ieq(s, name_len, "content-length"))
		return apply_content_length(fr, v, n);
	if (ieq(s, name_len, "transfer-encoding")) {
		fr->has_transfer_encoding = true;
		fr->chunked |= list_has(v, n, "chunked");
	} else if (ieq(s, name_len, "connection")) {
		fr->conn_close |= list_has(v, n, "close");
		fr->conn_keepalive |= list_has(v, n, "keep-alive");
	} else if (ieq(s, name_len, "expect")) {
		fr->expect_continue |= ieq(v, n, "100-continue");
	}
	return 0;
}

/* "close" wins over "keep-alive"; without either, HTTP/1.1 persists and HTTP/1.0 does not. */
static bool wants_keepalive(const struct framing *fr, int minor)
{
	if (fr->conn_close)
		return false;
	return fr->conn_keepalive || minor >= 1;
}

/* ---- requests -------------------------------------------------------------------------------- */

/* HTTP-version: "HTTP/1.0" or "HTTP/1.1" -> the minor; another HTTP/x.y -> -505; else -400. */
static int parse_version(const char *s, size_t n)
{
	if (n != 8 || memcmp(s, "HTTP/", 5) != 0 || s[6] != '.')
		return -400;
	if (s[5] < '0' || s[5] > '9' || s[7] < '0' || s[7] > '9')
		return -400;
	if (s[5] != '1' || s[7] > '1')
		return -505;
	return s[7] - '0';
}

static enum http_method method_of(const char *s, size_t n)
{
	if (n == 3 && memcmp(s, "GET", 3) == 0)
		return HTTP_GET;
	if (n == 4 && memcmp(s, "HEAD", 4) == 0)
		return HTTP_HEAD;
	if (n == 4 && memcmp(s, "POST", 4) == 0)
		return HTTP_POST;
	return HTTP_OTHER;
}

/* origin-form only: "/" then visible ASCII; "*", absolute-form and raw non-ASCII are refused. */
static bool valid_target(const char *s, size_t n)
{
	if (n == 0 || s[0] != '/')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* request-line = method SP request-target SP HTTP-version, single spaces. 0 or -400/-505. */
static int parse_request_line(const char *s, size_t n, struct http_request *req)
{
	const char *end = s + n, *sp1, *sp2;
	int minor;

	sp1 = memchr(s, ' ', n);
	if (!sp1 || sp1 == s)
		return -400;
	for (const char *p = s; p < sp1; p++)
		if (!is_tchar((unsigned char)*p))
			return -400;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1));
	if (!sp2 || !valid_target(sp1 + 1, (size_t)(sp2 - sp1 - 1)))
		return -400;
	minor = parse_version(sp2 + 1, (size_t)(end - sp2 - 1));
	if (minor < 0)
		return minor;

	req->method_str = s;
	req->method_len = (size_t)(sp1 - s);
	req->method = method_of(s, req->method_len);
	req->target = sp1 + 1;
	req->target_len = (size_t)(sp2 - sp1 - 1);
	req->minor = minor;
	return 0;
}

/* An unfinished line is "more bytes" until the buffer holds a whole head's worth. */
static int request_incomplete(size_t len, int status)
{
	return len >= HTTP_MAX_HEAD ? status : 0;
}

/* Turn the fields into the request's verdict: the head length, or -400/-501. */
static int finish_request(struct http_request *req, const struct framing *fr, size_t head_len)
{
	req->content_length = fr->content_length;
	req->has_content_length = fr->has_content_length;
	req->chunked = fr->chunked;
	if (fr->has_transfer_encoding)
		return fr->has_content_length ? -400 : -501;
	req->keepalive = wants_keepalive(fr, req->minor);
	/* RFC 9110 10.1.1: a 100-continue in an HTTP/1.0 request is ignored. */
	req->expect_continue = fr->expect_continue && req->minor >= 1;
	req->head_len = head_len;
	return (int)head_len;
}

/*
 * State: [empty lines]* -> request line -> field lines* -> empty line. Until a verdict, @req
 * holds what is known so far; minor stays 1 until the version has been read, and keepalive
 * stays false unless the whole head parsed, since an error answer closes the connection.
 */
int http_parse_request(const char *buf, size_t len, struct http_request *req)
{
	struct scanner sc = { buf, len < HTTP_MAX_HEAD ? len : HTTP_MAX_HEAD, 0 };
	struct framing fr = { 0 };
	const char *line;
	size_t n;
	int rc, fields = 0;

	memset(req, 0, sizeof(*req));
	req->minor = 1;
	do { /* RFC 9112 2.2: ignore empty lines before the request line */
		if (!next_line(&sc, &line, &n))
			return request_incomplete(len, -414);
	} while (n == 0);
	rc = parse_request_line(line, n, req);
	if (rc < 0)
		return rc;
	for (;;) {
		if (!next_line(&sc, &line, &n))
			return request_incomplete(len, -431);
		if (n == 0)
			return finish_request(req, &fr, sc.pos);
		if (++fields > HTTP_MAX_HEADERS)
			return -431;
		if (parse_field(line, n, &fr) < 0)
			return -400;
	}
}

/* ---- responses ------------------------------------------------------------------------------- */

/* status-line = HTTP-version SP 3DIGIT SP [reason]; we also take "HTTP/1.1 200" bare. 0 or -1. */
static int parse_status_line(const char *s, size_t n, struct http_response *resp)
{
	uint64_t status;

	if (n < 12 || memcmp(s, "HTTP/1.", 7) != 0 || (s[7] != '0' && s[7] != '1') || s[8] != ' ')
		return -1;
	if (parse_digits(s + 9, 3, 999, &status) < 0 || status < 100)
		return -1;
	if (n > 12 && s[12] != ' ')
		return -1;
	for (size_t i = 13; i < n; i++)
		if (!is_field_char((unsigned char)s[i]))
			return -1;
	resp->status = (int)status;
	resp->minor = s[7] - '0';
	return 0;
}

/* 1xx, 204 and 304 never carry a body (RFC 9112 6.3). */
static bool status_has_body(int status)
{
	return status >= 200 && status != 204 && status != 304;
}

/*
 * Transfer-Encoding overrides Content-Length (RFC 9112 6.3). A body that is neither chunked
 * nor counted runs until the server closes, so such a connection cannot be kept alive.
 */
static int finish_response(struct http_response *resp, const struct framing *fr, size_t head_len)
{
	resp->chunked = fr->chunked;
	resp->has_content_length = fr->has_content_length && !fr->has_transfer_encoding;
	resp->content_length = resp->has_content_length ? fr->content_length : 0;
	resp->keepalive = wants_keepalive(fr, resp->minor);
	if (status_has_body(resp->status) && !resp->chunked && !resp->has_content_length)
		resp->keepalive = false;
	resp->head_len = head_len;
	return (int)head_len;
}

int http_parse_response(const char *buf, size_t len, struct http_response *resp)
{
	struct scanner sc = { buf, len < HTTP_MAX_RESP_HEAD ? len : HTTP_MAX_RESP_HEAD, 0 };
	struct framing fr = { 0 };
	const char *line;
	size_t n;

	memset(resp, 0, sizeof(*resp));
	if (!next_line(&sc, &line, &n))
		return len >= HTTP_MAX_RESP_HEAD ? -1 : 0;
	if (parse_status_line(line, n, resp) < 0)
		return -1;
	for (;;) {
		if (!next_line(&sc, &line, &n))
			return len >= HTTP_MAX_RESP_HEAD ? -1 : 0;
		if (n == 0)
			return finish_response(resp, &fr, sc.pos);
		if (parse_field(line, n, &fr) < 0)
			return -1;
	}
}

/* ---- writing --------------------------------------------------------------------------------- */

static const struct {
	int status;
	const char *reason;
} reasons[] = {
	{ 100, "Continue" },
	{ 200, "OK" },
	{ 204, "No Content" },
	{ 400, "Bad Request" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 408, "Request Timeout" },
	{ 411, "Length Required" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 503, "Service Unavailable" },
	{ 505, "HTTP Version Not Supported" },
};

const char *http_reason(int status)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Unknown";
}

/* An append-only writer that refuses, rather than truncates, what does not fit. */
struct out {
	char *buf;
	size_t cap;
	size_t len;
	bool full;
};

static void put(struct out *o, const char *s)
{
	size_t n = strlen(s);

	if (o->full || n > o->cap - o->len) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void put_u64(struct out *o, uint64_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);

	*--p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(o, p);
}

/*
 * RFC 9110 8.6: no Content-Length on a 1xx or 204; a 1xx interim response ("100 Continue")
 * is the status line alone, the final response follows it on the same connection.
 */
size_t http_format_head(char *buf, size_t cap, int status, int minor, uint64_t content_length,
			bool keepalive, const char *content_type, const char *extra)
{
	struct out o = { buf, cap, 0, false };
	bool interim = status >= 100 && status < 200;

	put(&o, minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ");
	put_u64(&o, (uint64_t)(status < 0 ? 0 : status));
	put(&o, " ");
	put(&o, http_reason(status));
	put(&o, "\r\n");
	if (!interim) {
		put(&o, "Server: herdsrv\r\nContent-Type: ");
		put(&o, content_type ? content_type : "application/octet-stream");
		if (status != 204) {
			put(&o, "\r\nContent-Length: ");
			put_u64(&o, content_length);
		}
		put(&o, keepalive ? "\r\nConnection: keep-alive\r\n" : "\r\nConnection: close\r\n");
	}
	if (extra)
		put(&o, extra);
	put(&o, "\r\n");
	return o.full ? 0 : o.len;
}

/* ---- sizes ----------------------------------------------------------------------------------- */

/* DIGITS[K|M], K = 2^10 and M = 2^20, the product at most @max. */
int http_parse_size(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	unsigned shift = 0;
	uint64_t v;

	if (len == 0)
		return -1;
	switch (s[len - 1]) {
	case 'K':
	case 'k':
		shift = 10;
		break;
	case 'M':
	case 'm':
		shift = 20;
		break;
	}
	if (shift)
		len--;
	if (parse_digits(s, len, max >> shift, &v) < 0)
		return -1;
	*out = v << shift;
	return 0;
}

int http_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
