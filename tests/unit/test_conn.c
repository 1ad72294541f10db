/* SPDX-License-Identifier: MIT */
/*
 * test_conn.c - the connection state machine, driven over a socketpair exactly
 * as an event loop drives it (conn_progress on a non-blocking socket) and as
 * io_uring drives it (conn_rbuf/conn_received/conn_out/conn_sent).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "client_stats.h"
#include "clock.h"
#include "conn.h"
#include "net.h"
#include "pattern.h"
#include "server.h"

struct fixture {
	struct server srv; /* a server with only what conn.c reads */
	int sock[2];	   /* [0]: the server's end (non-blocking), [1]: the client's */
	struct conn c;	   /* the connection under test */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->srv.read_timeout_ns = 10 * NSEC_PER_SEC;
	f->srv.max_body = 1 << 20;
	f->srv.docroot_fd = -1;
	assert_int_equal(server_init_pattern(&f->srv), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, f->sock), 0);
	int big = 4 << 20;
	setsockopt(f->sock[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	setsockopt(f->sock[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	conn_init(&f->c, &f->srv, f->sock[0], NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->c.fd >= 0)
		conn_close(&f->c);
	close(f->sock[1]);
	close(f->srv.pattern_fd);
	free(f);
	return 0;
}

static void client_send(struct fixture *f, const char *s)
{
	assert_int_equal(send(f->sock[1], s, strlen(s), 0), (ssize_t)strlen(s));
}

/* Everything the server has written so far, NUL-terminated (in a static buffer). */
static char *client_read(struct fixture *f, size_t *len)
{
	static char buf[2 << 20];
	size_t n = 0;
	ssize_t got;

	while (n < sizeof(buf) - 1 &&
	       (got = recv(f->sock[1], buf + n, sizeof(buf) - 1 - n, MSG_DONTWAIT)) > 0)
		n += (size_t)got;
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void get_size_sends_the_pattern(void **state)
{
	struct fixture *f = *state;
	size_t len;

	client_send(f, "GET /size/100K HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(conn_progress(&f->c), CONN_READ); /* answered, kept alive */
	char *out = client_read(f, &len);
	char *body = strstr(out, "\r\n\r\n") + 4;
	assert_non_null(strstr(out, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(out, "Content-Length: 102400\r\n"));
	assert_int_equal(len - (size_t)(body - out), 102400);
	assert_true(pattern_check(body, 102400, 0));
}

static void a_body_longer_than_the_pattern_block_wraps_seamlessly(void **state)
{
	struct fixture *f = *state;
	size_t len;

	client_send(f, "GET /size/1M HTTP/1.1\r\nConnection: close\r\n\r\n");
	assert_int_equal(conn_progress(&f->c), CONN_DONE);
	char *out = client_read(f, &len);
	char *body = strstr(out, "\r\n\r\n") + 4;
	assert_int_equal(len - (size_t)(body - out), 1 << 20);
	assert_true(1 << 20 > PATTERN_BLOCK);
	assert_true(pattern_check(body, 1 << 20, 0));
}

static void pipelined_requests_are_answered_in_order(void **state)
{
	struct fixture *f = *state;

	client_send(f,
		    "GET /size/3 HTTP/1.1\r\n\r\nPOST /echo HTTP/1.1\r\nContent-Length: 5\r\n\r\n"
		    "helloGET /nope HTTP/1.1\r\n\r\n");
	assert_int_equal(conn_progress(&f->c), CONN_READ);
	char *out = client_read(f, NULL);
	char *a = strstr(out, "\r\n\r\n012"), *b = strstr(out, "\r\n\r\nhello"),
	     *c = strstr(out, "404 Not Found");
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_true(a < b && b < c);
	assert_int_equal(f->c.requests, 3);
}

static void a_request_split_byte_by_byte(void **state)
{
	struct fixture *f = *state;
	const char *req = "POST /echo HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd";

	for (size_t i = 0; req[i + 1]; i++) {
		char one[2] = { req[i], 0 };
		client_send(f, one);
		assert_int_equal(conn_progress(&f->c), CONN_READ);
		assert_int_equal(f->c.requests, 0);
	}
	client_send(f, "d");
	conn_progress(&f->c);
	assert_int_equal(f->c.requests, 1);
	assert_non_null(strstr(client_read(f, NULL), "\r\n\r\nabcd"));
}

/* The buffer grows (and moves) while the body arrives after the head was parsed;
 * under valgrind (make test) a stale pointer into the old buffer is an error. */
static void a_large_body_arriving_in_pieces(void **state)
{
	struct fixture *f = *state;
	enum { LEN = 300000, PIECES = 12 };
	char head[96], *body = malloc(LEN);
	size_t len;

	pattern_fill(body, LEN, 7);
	snprintf(head, sizeof(head), "POST /echo HTTP/1.1\r\nContent-Length: %d\r\n\r\n", LEN);
	client_send(f, head);
	assert_int_equal(conn_progress(&f->c), CONN_READ);
	for (int i = 0; i < PIECES; i++) {
		size_t at = (size_t)LEN * i / PIECES, end = (size_t)LEN * (i + 1) / PIECES;
		assert_int_equal(send(f->sock[1], body + at, end - at, 0), (ssize_t)(end - at));
		conn_progress(&f->c);
	}
	assert_int_equal(f->c.requests, 1);
	char *out = client_read(f, &len);
	char *echoed = strstr(out, "\r\n\r\n") + 4;
	assert_int_equal(len - (size_t)(echoed - out), LEN);
	assert_memory_equal(echoed, body, LEN);
	free(body);
}

static void a_body_over_max_body_gets_413_and_close(void **state)
{
	struct fixture *f = *state;

	client_send(f, "POST /echo HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n");
	assert_int_equal(conn_progress(&f->c), CONN_DONE);
	char *out = client_read(f, NULL);
	assert_non_null(strstr(out, "HTTP/1.1 413 "));
	assert_non_null(strstr(out, "Connection: close"));
}

static void headers_too_large_get_431(void **state)
{
	struct fixture *f = *state;
	char big[HTTP_MAX_HEAD + 64];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	client_send(f, "GET / HTTP/1.1\r\nX-Big: ");
	client_send(f, big);
	assert_int_equal(conn_progress(&f->c), CONN_DONE);
	assert_non_null(strstr(client_read(f, NULL), " 431 "));
}

static void a_partial_request_times_out_with_408(void **state)
{
	struct fixture *f = *state;

	client_send(f, "GET /size/1 HTTP/1.1\r\n");
	assert_int_equal(conn_progress(&f->c), CONN_READ);
	assert_int_equal(conn_timeout(&f->c), CONN_WRITE);
	assert_int_equal(conn_progress(&f->c), CONN_DONE);
	assert_non_null(strstr(client_read(f, NULL), "HTTP/1.1 408 Request Timeout"));
}

static void an_idle_keepalive_connection_closes_quietly(void **state)
{
	struct fixture *f = *state;

	client_send(f, "GET /size/1 HTTP/1.1\r\n\r\n");
	assert_int_equal(conn_progress(&f->c), CONN_READ);
	client_read(f, NULL);
	assert_int_equal(conn_timeout(&f->c), CONN_DONE);
	size_t len;
	client_read(f, &len);
	assert_int_equal(len, 0);
}

static void sleep_waits_for_its_deadline(void **state)
{
	struct fixture *f = *state;
	uint64_t before = clock_now_ns();

	client_send(f, "GET /sleep/250 HTTP/1.1\r\n\r\n");
	assert_int_equal(conn_progress(&f->c), CONN_SLEEP);
	assert_true(f->c.deadline >= before + 250 * NSEC_PER_MSEC);
	assert_true(f->c.deadline <= clock_now_ns() + 250 * NSEC_PER_MSEC);
	size_t len;
	client_read(f, &len);
	assert_int_equal(len, 0); /* nothing before the deadline */
	assert_int_equal(conn_timeout(&f->c), CONN_WRITE);
	assert_int_equal(conn_progress(&f->c), CONN_READ);
	assert_non_null(strstr(client_read(f, NULL), "slept 250 ms"));
}

static void head_has_a_length_but_no_body(void **state)
{
	struct fixture *f = *state;

	client_send(f, "HEAD /size/10K HTTP/1.1\r\n\r\n");
	conn_progress(&f->c);
	char *out = client_read(f, NULL);
	assert_non_null(strstr(out, "Content-Length: 10240\r\n"));
	assert_string_equal(strstr(out, "\r\n\r\n"), "\r\n\r\n");
}

static void methods_and_routes_that_do_not_exist(void **state)
{
	struct fixture *f = *state;

	client_send(f, "DELETE /size/1 HTTP/1.1\r\n\r\nGET /echo HTTP/1.1\r\n\r\n"
		       "GET /size/12Q HTTP/1.1\r\n\r\n");
	conn_progress(&f->c);
	char *out = client_read(f, NULL);
	assert_int_equal(count(out, " 405 Method Not Allowed\r\n"), 2);
	assert_non_null(strstr(out, "Allow: GET, HEAD\r\n"));
	assert_non_null(strstr(out, "Allow: POST\r\n"));
	assert_non_null(strstr(out, " 400 Bad Request\r\n"));
}

static void http10_closes_unless_asked_to_keep_alive(void **state)
{
	struct fixture *f = *state;

	client_send(f, "GET /size/1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	assert_int_equal(conn_progress(&f->c), CONN_READ);
	assert_non_null(strstr(client_read(f, NULL), "HTTP/1.0 200 OK"));
	client_send(f, "GET /size/1 HTTP/1.0\r\n\r\n");
	assert_int_equal(conn_progress(&f->c), CONN_DONE);
}

static void the_client_closing_ends_the_connection(void **state)
{
	struct fixture *f = *state;

	client_send(f, "GET /size/1 HTTP/1.1\r\n");
	shutdown(f->sock[1], SHUT_WR);
	assert_int_equal(conn_progress(&f->c), CONN_DONE);
}

/* The io_uring way: the core without I/O produces the same bytes. */
static void the_io_free_core_yields_the_same_response(void **state)
{
	struct fixture *f = *state;
	const char *req = "GET /size/2M HTTP/1.1\r\nConnection: close\r\n\r\n";
	size_t space, total = 0;
	char *p = conn_rbuf(&f->c, &space);
	char scratch[4096];
	struct iovec iov[2];

	assert_true(space >= strlen(req));
	memcpy(p, req, strlen(req));
	assert_int_equal(conn_received(&f->c, strlen(req)), CONN_WRITE);
	char *head = NULL;
	uint64_t body = 0;
	bool ok = true;
	while (f->c.state == CONN_WRITE) {
		int n = conn_out(&f->c, iov, scratch, sizeof(scratch));
		assert_true(n > 0);
		size_t step = 0;
		for (int i = 0; i < n; i++) {
			const char *b = iov[i].iov_base;
			if (!head) { /* the first iovec is the whole head */
				head = strndup(b, iov[i].iov_len);
			} else {
				ok = ok && pattern_check(b, iov[i].iov_len, body);
				body += iov[i].iov_len;
			}
			step += iov[i].iov_len;
		}
		total += step;
		conn_sent(&f->c, step);
	}
	assert_int_equal(f->c.state, CONN_DONE);
	assert_true(ok);
	assert_int_equal(body, 2 << 20);
	assert_non_null(strstr(head, "Content-Length: 2097152"));
	assert_int_equal(f->c.bytes_out, total);
	free(head);
}

/* --stats counts a response when it is sent, not when the connection ends. */
static void stats_count_each_response_as_it_is_answered(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_storage peer = { .ss_family = AF_INET };
	uint64_t clients, requests;
	const char *req = "GET /size/7 HTTP/1.1\r\n\r\n";

	((struct sockaddr_in *)&peer)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_non_null(f->srv.stats = client_stats_create(16));
	conn_init(&f->c, &f->srv, f->sock[0], &peer);
	for (int i = 0; i < 3; i++)
		client_send(f, req);
	client_send(f, "GET /sleep/1000 HTTP/1.1\r\n\r\n");
	assert_int_equal(conn_progress(&f->c), CONN_SLEEP);
	/* Three answered, one still sleeping: a server killed now has counted three. */
	client_stats_totals(f->srv.stats, &clients, &requests);
	assert_int_equal(clients, 1);
	assert_int_equal(requests, 3);
	conn_close(&f->c);
	client_stats_totals(f->srv.stats, &clients, &requests);
	assert_int_equal(requests, 3); /* the unanswered one is not a request served */
	client_stats_destroy(f->srv.stats);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(get_size_sends_the_pattern),
		T(a_body_longer_than_the_pattern_block_wraps_seamlessly),
		T(pipelined_requests_are_answered_in_order),
		T(a_request_split_byte_by_byte),
		T(a_large_body_arriving_in_pieces),
		T(a_body_over_max_body_gets_413_and_close),
		T(headers_too_large_get_431),
		T(a_partial_request_times_out_with_408),
		T(an_idle_keepalive_connection_closes_quietly),
		T(sleep_waits_for_its_deadline),
		T(head_has_a_length_but_no_body),
		T(methods_and_routes_that_do_not_exist),
		T(http10_closes_unless_asked_to_keep_alive),
		T(the_client_closing_ends_the_connection),
		T(the_io_free_core_yields_the_same_response),
		T(stats_count_each_response_as_it_is_answered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
