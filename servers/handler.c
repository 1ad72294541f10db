/* SPDX-License-Identifier: MIT */
/*
 * handler.c - from a parsed request to a response (see handler.h for the routes).
 *
 * Nothing here does I/O on the socket: it fills c->resp and moves the
 * connection to WRITE (or SLEEP for /sleep), and the driver sends it. /size bodies
 * come from the one shared pattern memfd, never from a buffer built per request
 * (unless --send read asks for exactly that: readbody.h).
 */
#include "handler.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "conn.h"
#include "docroot.h"
#include "models.h"
#include "readbody.h"
#include "server.h"

/* Prepare a response with a body in memory (or none) and move to WRITE. */
static void respond(struct conn *c, int status, const char *mem, uint64_t len, bool keepalive,
		    const char *ctype, const char *extra)
{
	struct response *r = &c->resp;
	int minor = c->req_len ? c->req.minor : 1;

	r->status = status;
	r->keepalive = keepalive && !srv_stop;
	r->head_len = http_format_head(r->head, sizeof(r->head), status, minor, len, r->keepalive,
				       ctype, extra);
	r->mem = mem;
	r->body_len = (c->req_len && c->req.method == HTTP_HEAD) ? 0 : len;
	r->sent = 0;
	c->state = CONN_WRITE;
	c->deadline = clock_now_ns() + c->srv->read_timeout_ns;
}

static void respond_text(struct conn *c, int status, bool keepalive, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void respond_text(struct conn *c, int status, bool keepalive, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(c->resp.text, sizeof(c->resp.text), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(c->resp.text))
		n = sizeof(c->resp.text) - 1;
	respond(c, status, c->resp.text, (uint64_t)n, keepalive, "text/plain", NULL);
}

void handle_error(struct conn *c, int status)
{
	respond_text(c, status, false, "%d %s\n", status, http_reason(status));
}

static void not_allowed(struct conn *c, const char *allow)
{
	char extra[48];

	snprintf(extra, sizeof(extra), "Allow: %s\r\n", allow);
	snprintf(c->resp.text, sizeof(c->resp.text), "405 %s\n", http_reason(405));
	respond(c, 405, c->resp.text, strlen(c->resp.text), c->req.keepalive, "text/plain", extra);
}

/* Parse the decimal (or K/M) argument after a route's prefix. */
static bool route_arg(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	return http_parse_size(s, len, max, out) == 0;
}

/* --send read: the body into memory now (readbody.h); a 500 if it cannot be. */
static void send_mode(struct conn *c)
{
	if (c->srv->send_read && readbody_into_memory(&c->resp) < 0)
		handle_error(c, 500);
}

static void route_size(struct conn *c, const char *arg, size_t len)
{
	uint64_t n;

	if (!route_arg(arg, len, HANDLER_MAX_SIZE, &n)) {
		handle_error(c, 400);
		return;
	}
	respond(c, 200, NULL, n, c->req.keepalive, "application/octet-stream", NULL);
	c->resp.fd = c->srv->pattern_fd;
	c->resp.pattern = true;
	send_mode(c);
}

static void route_file(struct conn *c, const char *arg, size_t len)
{
	uint64_t size;
	int fd = docroot_open(c->srv, arg, len, &size);

	if (fd < 0) {
		respond_text(c, -fd, c->req.keepalive, "%d %s\n", -fd, http_reason(-fd));
		return;
	}
	respond(c, 200, NULL, size, c->req.keepalive, "application/octet-stream", NULL);
	c->resp.fd = fd;
	c->resp.fd_owned = true;
	send_mode(c);
}

/*
 * This thread's CPU time. Not inlined: a sampled stack that is inside
 * clock_gettime (libc keeps no frame pointer) loses the frame that called it,
 * and that frame should be this one, not herdsrv_burn_cpu.
 */
static __attribute__((noinline)) uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/*
 * Spend @usec of this thread's CPU time (not wall time: preemption does not
 * count). An external, never inlined name: the profiler's known answer is the
 * share of samples with this function on the stack (tests/integration/test_profile.sh).
 */
__attribute__((noinline)) void herdsrv_burn_cpu(uint64_t usec);
__attribute__((noinline)) void herdsrv_burn_cpu(uint64_t usec)
{
	volatile uint64_t sink = 0;
	uint64_t end = thread_cpu_ns() + usec * NSEC_PER_USEC;

	do {
		for (int i = 0; i < 1000; i++)
			sink += (uint64_t)i * 2654435761u;
	} while (thread_cpu_ns() < end);
}

static void route_cpu(struct conn *c, const char *arg, size_t len)
{
	uint64_t usec;

	if (!route_arg(arg, len, HANDLER_MAX_CPU, &usec)) {
		handle_error(c, 400);
		return;
	}
	herdsrv_burn_cpu(usec);
	respond_text(c, 200, c->req.keepalive, "burned %llu us\n", (unsigned long long)usec);
}

static void route_sleep(struct conn *c, const char *arg, size_t len)
{
	uint64_t msec;

	if (!route_arg(arg, len, HANDLER_MAX_SLEEP, &msec)) {
		handle_error(c, 400);
		return;
	}
	respond_text(c, 200, c->req.keepalive, "slept %llu ms\n", (unsigned long long)msec);
	c->state = CONN_SLEEP;
	c->deadline = clock_now_ns() + msec * NSEC_PER_MSEC;
}

static void route_echo(struct conn *c)
{
	const char *body = c->in + (c->req_len - c->req.content_length);

	respond(c, 200, body, c->req.content_length, c->req.keepalive, "application/octet-stream",
		NULL);
}

static bool has_prefix(const char *s, size_t len, const char *prefix, size_t plen)
{
	return len >= plen && memcmp(s, prefix, plen) == 0;
}

#define PREFIX(s) s, sizeof(s) - 1

void handle_request(struct conn *c)
{
	const struct http_request *q = &c->req;
	const char *t = q->target;
	size_t len = q->target_len;
	const char *query = memchr(t, '?', len);
	bool get = q->method == HTTP_GET || q->method == HTTP_HEAD;

	if (query)
		len = (size_t)(query - t);
	if (len == 5 && memcmp(t, "/echo", 5) == 0) {
		if (q->method == HTTP_POST)
			route_echo(c);
		else
			not_allowed(c, "POST");
		return;
	}
	if (!get) {
		not_allowed(c, "GET, HEAD");
		return;
	}
	if (has_prefix(t, len, PREFIX("/size/")))
		route_size(c, t + 6, len - 6);
	else if (has_prefix(t, len, PREFIX("/files/")))
		route_file(c, t + 7, len - 7);
	else if (has_prefix(t, len, PREFIX("/cpu/")))
		route_cpu(c, t + 5, len - 5);
	else if (has_prefix(t, len, PREFIX("/sleep/")))
		route_sleep(c, t + 7, len - 7);
	else if (len == 1)
		respond_text(c, 200, q->keepalive,
			     "herdsrv %s: /size/N /files/NAME /cpu/US /sleep/MS /echo\n",
			     c->srv->model ? c->srv->model->name : "");
	else
		respond_text(c, 404, q->keepalive, "404 %s\n", http_reason(404));
}
