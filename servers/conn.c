/* SPDX-License-Identifier: MIT */
/*
 * conn.c - the connection state machine (see conn.h for the diagram).
 *
 * Buffers: @in holds what the client sent and we have not consumed yet; it grows
 * as a request needs (a head up to HTTP_MAX_HEAD, an /echo body up to --max-body)
 * and pipelined requests wait in it until the response before them is sent.
 *
 * Timers: @deadline means "the request must be complete by then" in READ, "answer
 * then" in SLEEP, and "the client must have taken more bytes by then" in WRITE
 * (refreshed on every send), so no client can hold a connection forever.
 */
#include "conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "client_stats.h"
#include "clock.h"
#include "handler.h"
#include "net.h"
#include "pattern.h"
#include "server.h"

#define IN_MIN_GROW 4096

static enum conn_state conn_parse(struct conn *c);

void conn_init(struct conn *c, const struct server *srv, int fd,
	       const struct sockaddr_storage *peer)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->srv = srv;
	c->state = CONN_READ;
	c->resp.fd = -1;
	c->deadline = clock_now_ns() + srv->read_timeout_ns;
	if (peer) {
		c->peer = *peer;
		c->have_peer = true;
	} else if (srv->stats) {
		socklen_t len = sizeof(c->peer);
		c->have_peer = getpeername(fd, (struct sockaddr *)&c->peer, &len) == 0;
	}
}

static void response_release(struct response *r)
{
	if (r->fd_owned && r->fd >= 0)
		close(r->fd);
	free(r->mem_owned);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

/* Add @requests and the bytes moved since the last call to this client's --stats row. */
static void stats_count(struct conn *c, unsigned requests)
{
	if (!c->srv->stats || !c->have_peer)
		return;
	client_stats_add(c->srv->stats, &c->peer, requests, c->bytes_in - c->counted_in,
			 c->bytes_out - c->counted_out);
	c->counted_in = c->bytes_in;
	c->counted_out = c->bytes_out;
}

void conn_close(struct conn *c)
{
	if (c->bytes_in != c->counted_in || c->bytes_out != c->counted_out)
		stats_count(c, 0);
	response_release(&c->resp);
	free(c->in);
	c->in = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = CONN_DONE;
}

/* ---- receiving ------------------------------------------------------------ */

char *conn_rbuf(struct conn *c, size_t *space)
{
	/* What this request may still need: its head, or its head and body. */
	size_t want = c->req_len ? c->req_len : HTTP_MAX_HEAD;

	if (c->in_cap - c->in_len < IN_MIN_GROW && c->in_cap < want + IN_MIN_GROW) {
		size_t cap = c->in_cap ? c->in_cap * 2 : IN_MIN_GROW;
		if (cap < c->in_len + IN_MIN_GROW)
			cap = c->in_len + IN_MIN_GROW;
		if (cap > want + IN_MIN_GROW)
			cap = want + IN_MIN_GROW;
		/* A parsed head points into @in: keep offsets across a move. */
		size_t method_at = c->req_len ? (size_t)(c->req.method_str - c->in) : 0;
		size_t target_at = c->req_len ? (size_t)(c->req.target - c->in) : 0;
		char *p = realloc(c->in, cap);
		if (!p) {
			handle_error(c, 503);
			return NULL;
		}
		c->in = p;
		c->in_cap = cap;
		if (c->req_len) {
			c->req.method_str = p + method_at;
			c->req.target = p + target_at;
		}
	}
	*space = c->in_cap - c->in_len;
	return c->in + c->in_len;
}

enum conn_state conn_received(struct conn *c, size_t n)
{
	if (n == 0) /* the client closed its side: nothing more will come */
		return c->state = CONN_DONE;
	c->in_len += n;
	c->bytes_in += n;
	return conn_parse(c);
}

/* A client that sent "Expect: 100-continue" waits for this before sending its body. */
static void send_continue(struct conn *c)
{
	static const char msg[] = "HTTP/1.1 100 Continue\r\n\r\n";

	if (c->sent_continue || !c->req.expect_continue || c->req.minor == 0)
		return;
	c->sent_continue = true;
	/* 25 bytes into an idle socket: never blocks in practice; if it would, the
	 * client sends its body anyway after its own short wait. */
	(void)send(c->fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* Parse what is in @in; once a whole request is there, answer it. */
static enum conn_state conn_parse(struct conn *c)
{
	if (c->req_len == 0) {
		int r = http_parse_request(c->in, c->in_len, &c->req);
		if (r == 0)
			return c->state = CONN_READ;
		if (r < 0) {
			handle_error(c, -r);
			return c->state;
		}
		if (c->req.content_length > c->srv->max_body) {
			handle_error(c, 413);
			return c->state;
		}
		c->req_len = (size_t)r + (size_t)c->req.content_length;
	}
	if (c->in_len < c->req_len) {
		send_continue(c);
		return c->state = CONN_READ;
	}
	handle_request(c);
	return c->state;
}

/* ---- sending ----------------------------------------------------------------- */

int conn_out(struct conn *c, struct iovec iov[2], char *scratch, size_t scratch_len)
{
	struct response *r = &c->resp;
	int n = 0;
	uint64_t body_off = r->sent > r->head_len ? r->sent - r->head_len : 0;
	uint64_t body_left = r->body_len - body_off;

	if (r->sent < r->head_len) {
		iov[n].iov_base = r->head + r->sent;
		iov[n++].iov_len = r->head_len - r->sent;
	}
	if (body_left == 0)
		return n;
	if (r->mem) {
		iov[n].iov_base = (char *)r->mem + body_off;
		iov[n++].iov_len = body_left;
	} else if (r->pattern) {
		uint64_t at = body_off % PATTERN_BLOCK;
		iov[n].iov_base = (char *)c->srv->pattern_map + at;
		iov[n++].iov_len = body_left < PATTERN_BLOCK - at ? body_left : PATTERN_BLOCK - at;
	} else if (n == 0) { /* a file: read the next piece into @scratch */
		size_t want = body_left < scratch_len ? body_left : scratch_len;
		ssize_t got = pread(r->fd, scratch, want, (off_t)body_off);
		if (got <= 0) {
			c->state = CONN_DONE;
			return 0;
		}
		iov[n].iov_base = scratch;
		iov[n++].iov_len = (size_t)got;
	}
	return n;
}

enum conn_state conn_sent(struct conn *c, size_t n)
{
	struct response *r = &c->resp;

	r->sent += n;
	c->bytes_out += n;
	c->deadline = clock_now_ns() + c->srv->read_timeout_ns;
	if (r->sent < r->head_len + r->body_len)
		return c->state = CONN_WRITE;

	/* The response is complete: count it now, whatever becomes of the connection. */
	c->requests++;
	stats_count(c, 1);
	bool again = r->keepalive && !srv_stop;
	response_release(r);
	if (!again)
		return c->state = CONN_DONE;
	c->in_len -= c->req_len;
	memmove(c->in, c->in + c->req_len, c->in_len);
	c->req_len = 0;
	c->sent_continue = false;
	c->deadline = clock_now_ns() + c->srv->read_timeout_ns;
	c->state = CONN_READ;
	return c->in_len ? conn_parse(c) : CONN_READ; /* a pipelined request may be waiting */
}

/*
 * One send call on the socket: head and memory body with writev, a file body
 * with sendfile (the head goes first with MSG_MORE so both share a segment).
 * Returns the bytes sent or -1 with errno.
 */
static ssize_t conn_send_once(struct conn *c)
{
	struct response *r = &c->resp;
	struct iovec iov[2];

	if (r->fd < 0 || r->sent < r->head_len) {
		int cnt = conn_out(c, iov, NULL, 0);
		if (r->fd >= 0) /* only the head: more follows by sendfile */
			return send(c->fd, iov[0].iov_base, iov[0].iov_len,
				    MSG_NOSIGNAL | MSG_MORE);
		struct msghdr msg = { .msg_iov = iov, .msg_iovlen = (size_t)cnt };
		return sendmsg(c->fd, &msg, MSG_NOSIGNAL);
	}
	uint64_t off = r->sent - r->head_len;
	uint64_t left = r->body_len - off;
	off_t at = (off_t)(r->pattern ? off % PATTERN_BLOCK : off);
	size_t len = left > (1u << 30) ? (1u << 30) : (size_t)left;
	if (r->pattern && len > PATTERN_BLOCK - (uint64_t)at)
		len = PATTERN_BLOCK - (size_t)at;
	return sendfile(c->fd, r->fd, &at, len);
}

/* ---- drivers -------------------------------------------------------------- */

enum conn_state conn_progress(struct conn *c)
{
	for (;;) {
		if (c->state == CONN_READ) {
			size_t space;
			char *p = conn_rbuf(c, &space);
			if (!p)
				continue; /* an error response is now queued */
			ssize_t n = recv(c->fd, p, space, 0);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					return CONN_READ;
				return c->state = CONN_DONE;
			}
			conn_received(c, (size_t)n);
		} else if (c->state == CONN_WRITE) {
			ssize_t n = conn_send_once(c);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					return CONN_WRITE;
				return c->state = CONN_DONE;
			}
			if (n == 0) /* sendfile at the end of a shrunken file */
				return c->state = CONN_DONE;
			conn_sent(c, (size_t)n);
		} else {
			return c->state; /* SLEEP waits for its timer; DONE for conn_close */
		}
	}
}

enum conn_state conn_timeout(struct conn *c)
{
	switch (c->state) {
	case CONN_SLEEP:
		c->deadline = clock_now_ns() + c->srv->read_timeout_ns;
		return c->state = CONN_WRITE;
	case CONN_READ:
		if (c->in_len == 0 && c->requests > 0) /* an idle keep-alive connection */
			return c->state = CONN_DONE;
		handle_error(c, 408);
		return c->state;
	default: /* WRITE: the client stopped reading */
		return c->state = CONN_DONE;
	}
}

/* Blocking read of the current request, bounded by its deadline. */
static void blocking_read(struct conn *c)
{
	uint64_t now = clock_now_ns();

	if (now >= c->deadline) {
		conn_timeout(c);
		return;
	}
	/* A continued request gets only the time it has left (the first read of a
	 * connection uses the full timeout set in conn_serve_blocking). */
	if (c->in_len > 0 || c->requests > 0)
		net_set_timeout(c->fd, SO_RCVTIMEO, c->deadline - now);
	size_t space;
	char *p = conn_rbuf(c, &space);
	if (!p)
		return;
	ssize_t n = recv(c->fd, p, space, 0);
	if (n >= 0) {
		conn_received(c, (size_t)n);
	} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
		if (clock_now_ns() >= c->deadline)
			conn_timeout(c);
	} else if (errno == EINTR) {
		if (srv_stop && c->in_len == 0 && c->requests > 0)
			c->state = CONN_DONE; /* idle between requests: stop now */
	} else {
		c->state = CONN_DONE;
	}
}

/*
 * Once srv_stop is seen: when --grace runs out for this connection (0 before).
 * Reads and sends are bounded by it, and a connection still busy then is cut,
 * so that a model serving in its only process (iterative) stops within --grace
 * as the pools, which kill their workers at the deadline, do.
 */
static uint64_t grace_bound(struct conn *c, uint64_t stop_at)
{
	uint64_t grace = c->srv->grace_s * NSEC_PER_SEC + 1;

	if (!srv_stop)
		return 0;
	if (!stop_at) {
		stop_at = server_grace_deadline(c->srv);
		if (grace < c->srv->read_timeout_ns) {
			net_set_timeout(c->fd, SO_RCVTIMEO, grace);
			net_set_timeout(c->fd, SO_SNDTIMEO, grace);
		}
	}
	if (c->state == CONN_READ && c->deadline > stop_at)
		c->deadline = stop_at; /* blocking_read sets its timeout from it */
	if (clock_now_ns() >= stop_at)
		c->state = CONN_DONE;
	return stop_at;
}

void conn_serve_blocking(const struct server *srv, int fd, const struct sockaddr_storage *peer)
{
	struct conn c;
	uint64_t stop_at = 0; /* grace_bound() */

	conn_init(&c, srv, fd, peer);
	/* A client that neither sends nor reads cannot hold this worker forever. */
	net_set_timeout(fd, SO_RCVTIMEO, srv->read_timeout_ns);
	net_set_timeout(fd, SO_SNDTIMEO, srv->read_timeout_ns);
	while (c.state != CONN_DONE) {
		stop_at = grace_bound(&c, stop_at);
		switch (c.state) {
		case CONN_READ:
			blocking_read(&c);
			break;
		case CONN_SLEEP: /* until it ends, or --grace does; a signal: look again */
			clock_sleep_until(stop_at && stop_at < c.deadline ? stop_at : c.deadline,
					  &srv_stop);
			if (clock_now_ns() >= c.deadline)
				conn_timeout(&c);
			break;
		case CONN_WRITE: {
			ssize_t n = conn_send_once(&c);
			if (n > 0)
				conn_sent(&c, (size_t)n);
			else if (n == 0 || errno != EINTR)
				c.state = CONN_DONE; /* reset, or SO_SNDTIMEO expired */
			break;
		}
		case CONN_DONE:
			break;
		}
	}
	conn_close(&c);
}
