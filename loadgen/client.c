/* SPDX-License-Identifier: MIT */
/*
 * client.c - a client thread: an epoll event loop and the per-connection state machine.
 *
 * A thread runs a fixed set of slots. In a closed loop a slot is one client, which
 * starts its next request as soon as the previous one ended; in an open loop the slots
 * bound the requests in flight, and a request starts when its arrival is due and a slot
 * is free (else it waits, in arrival order, and its wait counts in its latency). Each slot
 * moves through:
 *
 *	FREE --connect()--> CONNECTING --established--> SENDING --sent--> READING_HEAD
 *	  ^                                 (reused) ---^                      |
 *	  |                                             |                 READING_BODY
 *	  |                                             |                      |
 *	  +--closed (Connection: close, error, last)----|---- response done ---+
 *	                                                |                      | keep-alive
 *	                                     IDLE <-- HOLD (--hold) <----------+
 *
 * IDLE is a kept-alive connection waiting for its next request; FREE has no connection;
 * FDWAIT (not drawn) is a request that found no descriptor left and waits, in line, to
 * try connect() again. Slots ready to start wait on two stacks (idle ones, which are
 * reused first, and free ones), and every round of the loop starts as many as it may: a
 * slot never starts a request from inside the code that ended the previous one, so a
 * connect that fails at once cannot recurse, and a flood of them still lets the loop
 * wait for events.
 *
 * Sockets are registered once, edge-triggered for both directions, when connect() is
 * issued; closing the socket takes it out of epoll, so a request costs one epoll_ctl.
 * Each event carries the slot and a generation number of its connection, so an event
 * for a connection that was closed earlier in the same batch is dropped. Every slot
 * has one timer in the heap, whose meaning follows the state: the connect timeout, the
 * response timeout (from the start of sending), or the end of --hold; a request whose
 * timer fires gets one last look at its socket first (last_look()), so that an event
 * the loop has not reached yet is never mistaken for a timeout.
 *
 * With --ramp S in a closed loop, the slots are not all free at the start: client g of
 * the run (slot j of thread i is client j * threads + i, so the threads interleave)
 * becomes free at start + g * S / clients, so the clients begin evenly over S seconds.
 * The loop checks one counter for it per round, and nothing once all are let go. In an
 * open loop the ramp is the schedule's (schedule.c).
 *
 * The file is longer than the project's usual 600 lines because it is one state
 * machine: its transitions call each other in both directions (finish -> park ->
 * start, connect -> send -> read -> finish, a timeout -> fail -> finish), and every
 * one of them reads and writes struct client, which nothing else sees. Cut in two,
 * each transition would have its two ends in different files and struct client a
 * header of its own. What is not the machine is elsewhere: when a request may
 * start (pacing.c: tickets, arrivals, --ramp, --phases), a finished request
 * counted (tally.c), the socket calls that keep no state (netio.c), the latency
 * histograms (latency.c), parsing responses (response.c), the arrival schedule
 * (schedule.c).
 */
#include "client.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "netio.h"
#include "pacing.h"
#include "phases.h"
#include "response.h"
#include "tally.h"

#define EVENTS_MAX     512		   /* events taken per epoll_wait */
#define STOP_EVENT     UINT64_MAX	   /* epoll data of the shared stop eventfd */
#define START_ROUND_NS (2 * NSEC_PER_MSEC) /* the most time spent starting, between events */
#define FDWAIT_POLL_NS (1 * NSEC_PER_MSEC) /* how often to retry when out of descriptors */

enum client_state {
	CL_FREE,	 /* no connection, no request */
	CL_FDWAIT,	 /* a request waiting for a descriptor (EMFILE): see wait_for_fd() */
	CL_CONNECTING,	 /* connect() issued, not yet established */
	CL_SENDING,	 /* sending the request */
	CL_READING_HEAD, /* waiting for (the rest of) the response head */
	CL_READING_BODY, /* reading the body */
	CL_HOLD,	 /* kept-alive, pausing --hold before the connection is reused */
	CL_IDLE,	 /* kept-alive, waiting for its next request */
};

struct client {
	enum client_state state; /* see the diagram above */
	int fd;			 /* the connection, or -1 */
	uint32_t gen;		 /* bumped per connection: events carry it, stale ones drop */
	unsigned index;		 /* this slot's index in the thread's @slots */
	unsigned idle_pos;	 /* IDLE: its position in the idle stack */
	struct heap_node timer;	 /* the deadline of the current state */
	/* the connection */
	uint32_t conn_seq;	/* its number within the thread */
	uint32_t requests;	/* requests begun on it */
	uint8_t local_addr[16]; /* its local address, from getsockname() */
	uint16_t local_port;	/* its local port */
	bool local_v6;		/* @local_addr is IPv6 */
	/* the request in flight */
	struct load_record rec;	 /* what the CSV will say about it */
	uint64_t started_ns;	 /* when it actually started: the uncorrected origin */
	bool measured;		 /* due after the warmup */
	bool reused;		 /* sent on a kept-alive connection */
	bool retried;		 /* already retried once on a new connection */
	bool fd_waited;		 /* it has waited for a descriptor */
	bool fdwait_queued;	 /* the slot is in the thread's descriptor queue */
	struct resp_reader resp; /* the response, as it arrives */
	struct iovec out[2];	 /* what is still to be sent: head (or GET), body */
	int nout;		 /* entries of @out still to send */
};

/* ---- slots: the two stacks ------------------------------------------------------------- */

static struct client *slot_of(struct heap_node *n)
{
	return (struct client *)((char *)n - offsetof(struct client, timer));
}

static void push_free(struct load_thread *t, struct client *c)
{
	c->state = CL_FREE;
	t->free_stack[t->nfree++] = c->index;
}

static void push_idle(struct load_thread *t, struct client *c)
{
	c->state = CL_IDLE;
	c->idle_pos = t->nidle;
	t->idle_stack[t->nidle++] = c->index;
}

static void remove_idle(struct load_thread *t, struct client *c)
{
	unsigned last = t->idle_stack[--t->nidle];

	t->idle_stack[c->idle_pos] = last;
	t->slots[last].idle_pos = c->idle_pos;
}

/* A slot ready to start: an idle connection if there is one, else a free slot. */
static struct client *take_slot(struct load_thread *t)
{
	if (t->nidle) {
		struct client *c = &t->slots[t->idle_stack[t->nidle - 1]];
		remove_idle(t, c);
		return c;
	}
	return &t->slots[t->free_stack[--t->nfree]];
}

static void conn_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd); /* also takes it out of the epoll set */
	c->fd = -1;
}

/* ---- ending a request ------------------------------------------------------------------ */

/* The connection may carry another request: pause for --hold, or wait for one now. */
static void park(struct load_thread *t, struct client *c, uint64_t now)
{
	const struct load_opts *o = t->sh->o;

	if (o->hold_ns) {
		c->state = CL_HOLD;
		heap_set(&t->timers, &c->timer, now + o->hold_ns);
	} else {
		push_idle(t, c);
	}
}

/* The request ended with @err at @now: record it, then keep or close its connection. */
static void finish(struct load_thread *t, struct client *c, enum err_kind err, uint64_t now,
		   bool keep)
{
	struct load_record *r = &c->rec;

	heap_remove(&t->timers, &c->timer);
	r->last_byte_ns = now;
	r->error = (uint8_t)err;
	r->status = (uint16_t)c->resp.head.status;
	r->bytes_received = c->resp.bytes;
	memcpy(r->local_addr, c->local_addr, sizeof(r->local_addr));
	r->local_port = c->local_port;
	r->local_v6 = c->local_v6;
	r->conn_seq = c->conn_seq;
	r->req_in_conn = c->requests;
	tally_request(t, &c->rec, c->measured, c->started_ns);
	t->busy--;
	if (keep) {
		park(t, c, now);
		return;
	}
	conn_close(c);
	push_free(t, c);
}

static void conn_open(struct load_thread *t, struct client *c, uint64_t now);

/* The kind of a failed call; the first "other" is logged, as that kind says nothing itself. */
static enum err_kind note_kind(enum req_phase phase, int err)
{
	static atomic_bool warned;
	enum err_kind kind = err_from_errno(phase, err);

	if (kind == ERR_OTHER && !atomic_exchange(&warned, true))
		log_warn("a request failed while %s: %s (counted as \"other\")",
			 err_phase_name(phase), strerror(err));
	return kind;
}

/* A call failed with @err (0: EOF) in @phase: retry on a new connection, or fail it. */
static void fail(struct load_thread *t, struct client *c, enum req_phase phase, int err)
{
	if (!c->retried && err_retryable(c->reused, c->resp.bytes, phase, err)) {
		c->retried = true;
		if (c->measured)
			t->c.retries++;
		conn_close(c);
		heap_remove(&t->timers, &c->timer);
		c->rec.bytes_sent = 0;
		c->rec.first_byte_ns = 0;
		conn_open(t, c, clock_now_ns());
		return;
	}
	finish(t, c, note_kind(phase, err), clock_now_ns(), false);
}

/* ---- the request ------------------------------------------------------------------------- */

/* Put the request in @out: a prebuilt GET, or a POST head and a slice of pattern body. */
static void prepare(struct load_thread *t, struct client *c, bool close)
{
	const struct load_workload *w = &t->sh->o->work;
	const struct load_path *p = &w->paths[c->rec.path];
	int64_t expect = p->size;

	if (w->post) {
		char *head = t->heads + c->index * t->head_cap;
		uint32_t len = workload_body_len(w, &t->rng);
		c->out[0].iov_base = head;
		c->out[0].iov_len =
			workload_post_head(w, c->rec.path, len, close, head, t->head_cap);
		c->out[1].iov_base = w->body;
		c->out[1].iov_len = len;
		c->nout = len ? 2 : 1;
		expect = len; /* the echo comes back */
	} else {
		c->out[0].iov_base = p->req[close];
		c->out[0].iov_len = p->req_len[close];
		c->nout = 1;
	}
	resp_reset(&c->resp, t->sh->o->verify, expect);
}

static void read_response(struct load_thread *t, struct client *c);

/* Send what is left of the request; on to READING_HEAD once it is all gone. */
static void send_more(struct load_thread *t, struct client *c)
{
	while (c->nout) {
		struct msghdr msg = { .msg_iov = c->out, .msg_iovlen = (size_t)c->nout };
		ssize_t n = c->nout == 1 ? send(c->fd, c->out[0].iov_base, c->out[0].iov_len,
						MSG_NOSIGNAL)
					 : sendmsg(c->fd, &msg, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				fail(t, c, PHASE_SEND, errno);
			return; /* EAGAIN: the next EPOLLOUT edge continues */
		}
		c->rec.bytes_sent += (uint64_t)n;
		while (c->nout && (size_t)n >= c->out[0].iov_len) {
			n -= (ssize_t)c->out[0].iov_len;
			c->out[0] = c->out[1];
			c->nout--;
		}
		if (c->nout) {
			c->out[0].iov_base = (char *)c->out[0].iov_base + n;
			c->out[0].iov_len -= (size_t)n;
		}
	}
	c->state = CL_READING_HEAD;
}

/* Start sending the request on an established connection; its response timer starts. */
static void send_request(struct load_thread *t, struct client *c, uint64_t now)
{
	const struct load_opts *o = t->sh->o;

	c->requests++;
	prepare(t, c, c->requests >= o->keepalive);
	heap_set(&t->timers, &c->timer, now + o->timeout_ns);
	c->state = CL_SENDING;
	send_more(t, c);
}

/* ---- connecting ---------------------------------------------------------------------------- */

/*
 * Out of descriptors (EMFILE, ENFILE): our own limit, not the server's doing, so the
 * request is not failed; it waits, in arrival order, for a descriptor to be closed (by
 * any thread), and its connect timer keeps running from the first attempt.
 */
static void wait_for_fd(struct load_thread *t, struct client *c)
{
	static atomic_bool warned;

	if (!atomic_exchange(&warned, true))
		log_warn("socket() failed: %m: requests wait for a descriptor (raise the limit: "
			 "ulimit -n)");
	if (!c->fd_waited && c->measured)
		t->c.fd_waits++;
	c->fd_waited = true;
	c->state = CL_FDWAIT;
	if (!c->fdwait_queued) {
		c->fdwait_queued = true;
		t->fdwait[(t->fdwait_head + t->nfdwait++) % t->nslots] = c->index;
	}
}

/* Start a new connection for the slot's request. */
static void conn_open(struct load_thread *t, struct client *c, uint64_t now)
{
	const struct load_opts *o = t->sh->o;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET };
	int fd;

	if (c->state != CL_FDWAIT) /* a request that waited keeps its first deadline */
		heap_set(&t->timers, &c->timer, now + o->connect_timeout_ns);
	c->reused = false;
	c->rec.connect_start_ns = now;
	c->rec.connected_ns = 0;
	c->conn_seq = 0; /* no connection yet: a failure is not pinned on the previous one */
	c->requests = 0;
	memset(c->local_addr, 0, sizeof(c->local_addr));
	c->local_port = 0;
	fd = socket(o->target.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE)
			wait_for_fd(t, c);
		else
			fail(t, c, PHASE_SOCKET, errno);
		return;
	}
	c->fd = fd;
	c->gen++;
	c->conn_seq = ++t->conn_seq;
	c->state = CL_CONNECTING;
	if (o->sources.count && netio_bind_source(t, fd) < 0) {
		fail(t, c, PHASE_SOCKET, errno);
		return;
	}
	if (connect(fd, (const struct sockaddr *)&o->target.addr, o->target.addr_len) < 0 &&
	    errno != EINPROGRESS) {
		fail(t, c, PHASE_CONNECT, errno);
		return;
	}
	netio_local(c->fd, c->local_addr, &c->local_port, &c->local_v6);
	ev.data.u64 = (uint64_t)c->gen << 32 | c->index;
	if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		fail(t, c, PHASE_SOCKET, errno);
}

/* Requests waiting for a descriptor try again, first come first served. */
static void retry_fd_waiters(struct load_thread *t)
{
	while (t->nfdwait) {
		struct client *c = &t->slots[t->fdwait[t->fdwait_head]];
		if (c->state == CL_FDWAIT) {
			conn_open(t, c, clock_now_ns());
			if (c->state == CL_FDWAIT)
				return; /* still none: it stays first in line */
		}
		c->fdwait_queued = false;
		t->fdwait_head = (t->fdwait_head + 1) % t->nslots;
		t->nfdwait--;
	}
}

/* CONNECTING got an event: established, or failed. */
static void connect_done(struct load_thread *t, struct client *c, uint32_t events)
{
	uint64_t now;

	if (events & (EPOLLERR | EPOLLHUP)) {
		int err = 0;
		socklen_t len = sizeof(err);
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		fail(t, c, PHASE_CONNECT, err ? err : ECONNABORTED);
		return;
	}
	if (!(events & EPOLLOUT))
		return;
	now = clock_now_ns();
	c->rec.connected_ns = now;
	if (c->measured)
		t->c.connections++;
	send_request(t, c, now);
}

/* ---- reading ------------------------------------------------------------------------------- */

/* The response is over (@parsed: the reader saw it end, not garbled). */
static void response_end(struct load_thread *t, struct client *c, bool parsed)
{
	const struct load_opts *o = t->sh->o;
	enum err_kind err = err_from_response(parsed && resp_intact(&c->resp), c->resp.head.status);
	bool keep = err != ERR_SHORT && c->resp.head.keepalive && c->requests < o->keepalive;

	finish(t, c, err, clock_now_ns(), keep);
}

/* Read until the response ends or the socket is drained (edge-triggered). */
static void read_response(struct load_thread *t, struct client *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, t->rbuf, CLIENT_RBUF, 0);

		if (n > 0) {
			enum resp_result r;
			if (!c->rec.first_byte_ns)
				c->rec.first_byte_ns = clock_now_ns();
			r = resp_feed(&c->resp, t->rbuf, (size_t)n);
			if (r != RESP_MORE) {
				response_end(t, c, r == RESP_DONE);
				return;
			}
			c->state = c->resp.phase == RP_HEAD ? CL_READING_HEAD : CL_READING_BODY;
		} else if (n == 0) {
			if (resp_eof(&c->resp) == RESP_DONE)
				response_end(t, c, true);
			else
				fail(t, c, PHASE_RECV, 0);
			return;
		} else if (errno != EINTR) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				fail(t, c, PHASE_RECV, errno);
			return;
		}
	}
}

/* An event on a connection between requests: the server closed it (or sent junk). */
static void idle_event(struct load_thread *t, struct client *c)
{
	char b;

	if (recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) < 0 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK))
		return; /* nothing there after all */
	conn_close(c);
	if (c->state == CL_IDLE) {
		remove_idle(t, c);
		push_free(t, c);
	} /* HOLD keeps its timer; when it ends, the slot goes free instead of idle */
}

static void client_event(struct load_thread *t, struct client *c, uint32_t events)
{
	const uint32_t readable = EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP;
	enum client_state was = c->state;

	if (was == CL_HOLD || was == CL_IDLE) {
		if (events & readable)
			idle_event(t, c);
		return;
	}
	if (c->state == CL_CONNECTING)
		connect_done(t, c, events);
	if (c->state == CL_SENDING && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
		send_more(t, c);
	/* A response can come before the request is all sent (an early 413, a close of a
	 * reused connection): then it is what matters, and the rest of the request is moot. */
	if ((c->state == CL_SENDING || c->state == CL_READING_HEAD ||
	     c->state == CL_READING_BODY) &&
	    (events & readable)) {
		if (c->state == CL_SENDING)
			c->state = CL_READING_HEAD;
		read_response(t, c);
	}
}

/* ---- timers -------------------------------------------------------------------------------- */

/*
 * One more look at a socket whose deadline passed: its event may be among those the loop
 * has not taken yet (epoll hands them out EVENTS_MAX at a time, and a burst of connects
 * can keep the loop busy), and a request must not fail for our own delay.
 */
static void last_look(struct load_thread *t, struct client *c)
{
	uint32_t events;

	if (c->fd < 0 || !netio_ready(c->fd, &events))
		return;
	client_event(t, c, events);
}

static bool in_flight(enum client_state st)
{
	return st >= CL_FDWAIT && st <= CL_READING_BODY;
}

/* A deadline passed: the request fails (unless the last look finds it done), or --hold ends. */
static void client_timeout(struct load_thread *t, struct client *c)
{
	enum client_state was = c->state;
	uint32_t gen = c->gen;

	if (was == CL_HOLD) { /* the pause is over: the connection (if it lived) may be reused */
		if (c->fd >= 0)
			push_idle(t, c);
		else
			push_free(t, c);
		return;
	}
	if (!in_flight(was))
		return;
	last_look(t, c);
	if (c->gen != gen || !in_flight(c->state))
		return; /* it had ended, or is being retried on a new connection */
	if (was <= CL_CONNECTING && c->state > CL_CONNECTING)
		return; /* it was connected: the response has its own deadline now */
	finish(t, c, was <= CL_CONNECTING ? ERR_CONNECT_TIMEOUT : ERR_TIMEOUT, clock_now_ns(),
	       false);
}

static void run_timers(struct load_thread *t, uint64_t now)
{
	struct heap_node *n;

	while ((n = heap_min(&t->timers)) && n->key <= now) {
		heap_remove(&t->timers, n);
		client_timeout(t, slot_of(n));
	}
}

/* ---- starting requests --------------------------------------------------------------- */

/* Begin a request due at @due in slot @c: on its idle connection, or a new one. */
static void req_begin(struct load_thread *t, struct client *c, uint64_t due, bool measured)
{
	uint64_t now = clock_now_ns();

	memset(&c->rec, 0, sizeof(c->rec));
	resp_reset(&c->resp, false, -1);
	c->rec.scheduled_ns = due ? due : now;
	c->rec.path = (uint16_t)workload_pick(&t->sh->o->work, &t->rng);
	if (t->sh->o->phases) {
		int path = t->sh->o->phases->p[pacing_phase(t, now)].path;
		if (path >= 0)
			c->rec.path = (uint16_t)path;
	}
	c->rec.thread = (uint16_t)t->id;
	c->rec.client = c->index * t->sh->o->threads + t->id;
	c->started_ns = now;
	c->measured = measured;
	c->retried = false;
	c->fd_waited = false;
	t->busy++;
	if (c->fd >= 0) {
		c->reused = true;
		send_request(t, c, now);
	} else {
		conn_open(t, c, now);
	}
}

/* Closed loop --ramp: let the slots whose time has come start. */
static void ramp_release(struct load_thread *t, uint64_t now)
{
	while (t->ramp_left && t->ramp_at_ns <= now) {
		unsigned j = t->nslots - t->ramp_left--;
		push_free(t, &t->slots[j]);
		if (t->ramp_left)
			t->ramp_at_ns = pacing_ramp_time(t, j + 1);
	}
}

/*
 * Start what may start: at most one request per ready slot this round (failures come
 * back to the stacks and wait for the next round, after the loop has looked at events),
 * and for at most START_ROUND_NS, so that a storm of connects (each slow when the kernel
 * searches a crowded port range) never keeps the loop from the events it must time.
 */
static void start_requests(struct load_thread *t)
{
	unsigned round;
	uint64_t now, round_end;

	retry_fd_waiters(t);
	now = clock_now_ns();
	if (t->ramp_left)
		ramp_release(t, now);
	round = t->nidle + t->nfree;
	round_end = now + START_ROUND_NS;
	while (round-- && t->nidle + t->nfree && now < round_end) {
		bool measured;
		uint64_t due = 0;
		if (t->sh->o->mode == LOAD_OPEN) {
			if (!pacing_open_more(t, now) || schedule_peek(&t->sched) > now)
				return;
			due = schedule_next(&t->sched);
			measured = due >= t->sh->warmup_end_ns;
			if (measured && t->sh->o->requests)
				t->share--;
		} else {
			measured = now >= t->sh->warmup_end_ns;
			if (pacing_phase_full(t, now))
				return;
			if (!pacing_closed_may_start(t, now, measured))
				return;
		}
		req_begin(t, take_slot(t), due, measured);
		now = clock_now_ns();
	}
}

/* ---- the loop ------------------------------------------------------------------------------- */

/* How long to wait for events: until the next timer, arrival, or the deadline. */
static uint64_t wait_until(struct load_thread *t, uint64_t now)
{
	const struct load_shared *sh = t->sh;
	struct heap_node *n = heap_min(&t->timers);
	uint64_t until = sh->deadline_ns;

	if (n && n->key < until)
		until = n->key;
	if (t->nfdwait && now + FDWAIT_POLL_NS < until) /* descriptors close in any thread */
		until = now + FDWAIT_POLL_NS;
	if (t->ramp_left && t->ramp_at_ns < until && pacing_more_to_start(t, now))
		until = t->ramp_at_ns;
	if (sh->o->phases && pacing_phase_next_ns(t, now) < until)
		until = pacing_phase_next_ns(t, now);
	if (t->nidle + t->nfree && pacing_more_to_start(t, now)) {
		if (sh->o->mode == LOAD_CLOSED)
			return pacing_phase_full(t, now) ? until : now;
		if (schedule_peek(&t->sched) < until)
			until = schedule_peek(&t->sched);
	}
	if (sh->sched_end_ns < until && now < sh->sched_end_ns)
		until = sh->sched_end_ns;
	return until;
}

static void dispatch(struct load_thread *t, const struct epoll_event *evs, int n)
{
	for (int i = 0; i < n; i++) {
		uint64_t data = evs[i].data.u64;
		struct client *c;

		if (data == STOP_EVENT)
			continue; /* the loop sees @stop itself */
		c = &t->slots[(uint32_t)data];
		if (c->fd < 0 || c->gen != (uint32_t)(data >> 32))
			continue; /* for a connection closed earlier in this batch */
		client_event(t, c, evs[i].events);
	}
}

/* The run ends now: whatever is in flight fails, as a timeout or (signal) as interrupted. */
static void abort_in_flight(struct load_thread *t, uint64_t now, bool signalled)
{
	for (unsigned i = 0; i < t->nslots; i++) {
		struct client *c = &t->slots[i];
		enum err_kind err = c->state <= CL_CONNECTING ? ERR_CONNECT_TIMEOUT : ERR_TIMEOUT;

		if (c->state < CL_FDWAIT || c->state > CL_READING_BODY)
			continue;
		finish(t, c, signalled ? ERR_INTERRUPTED : err, now, false);
	}
}

static void thread_loop(struct load_thread *t)
{
	struct load_shared *sh = t->sh;
	struct epoll_event evs[EVENTS_MAX];

	for (;;) {
		uint64_t now = clock_now_ns();
		int n;

		if (atomic_load_explicit(&sh->stop, memory_order_relaxed) ||
		    now >= sh->deadline_ns) {
			t->hit_deadline = now >= sh->deadline_ns;
			abort_in_flight(t, now, !t->hit_deadline);
			if (t->end_ns < now)
				t->end_ns = now;
			return;
		}
		start_requests(t);
		now = clock_now_ns();
		if (t->busy == 0 && !pacing_more_to_start(t, now))
			return;
		n = netio_wait(t->epfd, evs, EVENTS_MAX, wait_until(t, now));
		dispatch(t, evs, n);
		run_timers(t, clock_now_ns());
	}
}

void *client_thread_run(void *arg)
{
	struct load_thread *t = arg;
	const struct load_opts *o = t->sh->o;

	/* Timers fire up to 50 us late by default (timer slack): that would be counted in
	 * every open-loop request's latency, as if the server had been slow. */
	(void)prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	clock_sleep_until(t->sh->start_ns, NULL);
	if (o->mode == LOAD_OPEN) {
		schedule_init(&t->sched, t->sh->start_ns, o->rate, t->id, o->threads, o->poisson,
			      o->seed);
		schedule_set_ramp(&t->sched, o->ramp_ns);
	}
	if (t->ramp_left)
		t->ramp_at_ns = pacing_ramp_time(t, 0);
	thread_loop(t);
	pacing_count_unsent(t);
	for (unsigned i = 0; i < t->nslots; i++)
		conn_close(&t->slots[i]);
	return NULL;
}

/* ---- set-up ---------------------------------------------------------------------------------- */

/* The slots, the stacks, and a timer heap that can never need to grow. */
static int init_slots(struct load_thread *t, unsigned nslots)
{
	const struct load_workload *w = &t->sh->o->work;
	bool ramp = t->sh->o->mode == LOAD_CLOSED && t->sh->o->ramp_ns > 0;

	t->nslots = nslots;
	t->slots = calloc(nslots, sizeof(*t->slots));
	t->free_stack = calloc(nslots, sizeof(unsigned));
	t->idle_stack = calloc(nslots, sizeof(unsigned));
	t->fdwait = calloc(nslots, sizeof(unsigned));
	t->timers.v = calloc(nslots, sizeof(*t->timers.v));
	t->timers.cap = nslots;
	if (w->post) {
		t->head_cap = strlen(w->host) + LOAD_POST_HEAD;
		t->heads = malloc(nslots * t->head_cap);
	}
	if (!t->slots || !t->free_stack || !t->idle_stack || !t->fdwait || !t->timers.v ||
	    (w->post && !t->heads))
		return -1;
	for (unsigned i = nslots; i-- > 0;) {
		struct client *c = &t->slots[i];
		c->fd = -1;
		c->index = i;
		resp_init(&c->resp, false, -1);
		if (ramp)
			c->state = CL_FREE; /* let go by ramp_release(), in index order */
		else
			push_free(t, c);
	}
	if (ramp)
		t->ramp_left = nslots;
	return 0;
}

int client_thread_init(struct load_thread *t, struct load_shared *sh, unsigned id, unsigned nslots,
		       uint64_t share)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = STOP_EVENT };

	memset(t, 0, sizeof(*t));
	t->sh = sh;
	t->id = id;
	t->share = share;
	t->epfd = -1;
	heap_init(&t->timers);
	rng_seed(&t->rng, sh->o->seed, id);
	t->rbuf = malloc(CLIENT_RBUF);
	if (!t->rbuf || init_slots(t, nslots) < 0 || latency_init(&t->lat) < 0) {
		errno = ENOMEM;
		return -1;
	}
	t->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (t->epfd < 0)
		return -1;
	return epoll_ctl(t->epfd, EPOLL_CTL_ADD, sh->stop_fd, &ev);
}

void client_thread_free(struct load_thread *t)
{
	if (!t->sh)
		return; /* never set up */
	for (unsigned i = 0; t->slots && i < t->nslots; i++) {
		conn_close(&t->slots[i]);
		resp_free(&t->slots[i].resp);
	}
	if (t->epfd >= 0)
		close(t->epfd);
	latency_free(&t->lat);
	heap_free(&t->timers);
	free(t->slots);
	free(t->free_stack);
	free(t->idle_stack);
	free(t->fdwait);
	free(t->heads);
	free(t->rbuf);
	free(t->recs);
	t->slots = NULL;
	t->recs = NULL;
}
