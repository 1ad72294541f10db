/* SPDX-License-Identifier: MIT */
/*
 * uring - one process, one io_uring: the kernel does the I/O, we read results.
 *
 * Every other event-driven model asks the kernel "which descriptors are ready?"
 * and then makes the system calls itself. With io_uring (Linux 5.1; accept 5.5,
 * recv/send 5.6) the program describes the operations in a submission queue
 * (SQE: "recv into this buffer", "send these iovecs") shared with the kernel, and
 * the kernel performs them and posts each result to a completion queue (CQE).
 * One io_uring_enter(2) both submits everything queued and sleeps until a
 * completion arrives or the next deadline is due. Even SIGTERM is a completion:
 * the signals stay blocked and a poll on a signalfd reports them. The loop is:
 *
 *	arm one multishot accept                 (Linux 5.19: one SQE, a CQE per connection)
 *	arm a poll on the signalfd               (SIGTERM, SIGINT)
 *	for (;;) {
 *		submit queued SQEs and wait      (io_uring_submit_and_wait_timeout)
 *		for each CQE:
 *			accept -> a new conn: queue its recv into conn_rbuf()
 *			recv   -> conn_received(); WRITE? queue a sendmsg of conn_out()
 *			send   -> conn_sent(); more to send, or READ again (keep-alive)
 *			signal -> srv_stop: cancel the accept, drain (see done())
 *		expire deadlines: cancel the conn's recv/send (-ECANCELED -> conn_timeout)
 *	}
 *
 * Each connection has at most one operation in flight (a recv or a send) and is
 * freed only when none is: a completion can never arrive for freed memory. Its
 * deadline (read timeout, /sleep, a client that stopped reading) is kept in a
 * heap, as in evloop; the wait ends at the earliest one, and an expired
 * connection's operation is cancelled (IORING_OP_ASYNC_CANCEL) so that its
 * completion, -ECANCELED, is where conn_timeout() runs. On kernels before 5.19
 * the multishot accept fails with -EINVAL; the model then says so once and arms a
 * single-shot accept again after each connection.
 *
 * Underneath: the kernel first tries each operation at once, without blocking,
 * inside io_uring_enter; if the socket is not ready it arms a poll on it, and the
 * socket's wakeup runs the operation as task work in our task. There is no
 * accept(2) or recv(2) system call to trace: the process sleeps only in
 * io_uring_enter, and accepts show up as io_uring completions.
 */
#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "accept.h"
#include "clock.h"
#include "conn.h"
#include "heap.h"
#include "log.h"
#include "models.h"
#include "net.h"
#include "server.h"

/* valgrind cannot see the kernel write into a recv buffer; we tell it. */
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#else
#define VALGRIND_MAKE_MEM_DEFINED(addr, len) ((void)0)
#endif

#define SQ_ENTRIES  4096       /* submission queue: operations queued per io_uring_enter */
#define CQ_ENTRIES  65536      /* completion queue: room for one CQE per connection */
#define CQE_BATCH   512	       /* completions handled per loop */
#define SCRATCH_LEN (64 << 10) /* pread buffer for docroot file bodies */

/* What a completion is for: the low bits of its user_data (the rest: its connection). */
enum op { OP_ACCEPT = 1, OP_LISTEN, OP_RECV, OP_SEND, OP_CANCEL, OP_SIGNAL };
#define OP_MASK 7ULL

struct uconn {
	struct conn c;		   /* the protocol state machine (conn.c) */
	unsigned inflight;	   /* recv or send submitted and not completed: 0 or 1 */
	uint64_t op;		   /* user_data of that operation, to cancel it */
	struct iovec iov[2];	   /* what the send in flight sends (conn_out) */
	struct msghdr msg;	   /* its header; both live until its completion */
	char *scratch;		   /* docroot file bodies are pread here; NULL until needed */
	struct uconn *prev, *next; /* every open connection, for shutdown */
};

struct uring {
	struct io_uring ring;	/* the submission and completion queues */
	struct server *srv;	/* options and shared resources */
	int sigfd;		/* signalfd for SIGTERM and SIGINT (blocked: proc_signals_init) */
	bool multishot;		/* accept is multishot; false: re-armed per connection */
	uint64_t listening;	/* armed on the listener: OP_ACCEPT, OP_LISTEN (a poll), or 0 */
	bool accepted;		/* an accept completed: -EINVAL no longer means "no multishot" */
	uint64_t accept_errors; /* failed accepts, for a rate-limited warning */
	struct heap timers;	/* every open connection's deadline (conn->timer) */
	struct uconn *conns;	/* the open connections */
	unsigned open;		/* how many */
	uint64_t stop_deadline; /* SIGTERM came: when --grace runs out (0: serving) */
	bool forced;		/* --grace ran out: every connection was shut down */
};

/* ---- submitting ------------------------------------------------------------------ */

static struct io_uring_sqe *sqe_get(struct uring *r)
{
	struct io_uring_sqe *sqe;

	while (!(sqe = io_uring_get_sqe(&r->ring))) { /* the queue is full: hand it over */
		int ret = io_uring_submit(&r->ring);
		if (ret < 0)
			die("io_uring_submit() failed: %s", strerror(-ret));
	}
	return sqe;
}

/* An SQE for @u's next operation, @op; the completion finds @u again in user_data. */
static struct io_uring_sqe *conn_sqe(struct uring *r, struct uconn *u, enum op op)
{
	struct io_uring_sqe *sqe = sqe_get(r);

	u->op = (uint64_t)(uintptr_t)u | op;
	u->inflight++;
	io_uring_sqe_set_data64(sqe, u->op);
	return sqe;
}

static void cancel(struct uring *r, uint64_t op)
{
	struct io_uring_sqe *sqe = sqe_get(r);

	io_uring_prep_cancel64(sqe, op, 0);
	io_uring_sqe_set_data64(sqe, OP_CANCEL);
}

static void arm_accept(struct uring *r)
{
	struct io_uring_sqe *sqe = sqe_get(r);

	if (r->multishot)
		io_uring_prep_multishot_accept(sqe, r->srv->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	else
		io_uring_prep_accept(sqe, r->srv->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, OP_ACCEPT);
	r->listening = OP_ACCEPT;
}

/* Out of descriptors, accept fails at once: wait until a connection is pending. */
static void arm_listen(struct uring *r)
{
	struct io_uring_sqe *sqe = sqe_get(r);

	io_uring_prep_poll_add(sqe, r->srv->listen_fd, POLLIN);
	io_uring_sqe_set_data64(sqe, OP_LISTEN);
	r->listening = OP_LISTEN;
}

static void arm_signals(struct uring *r)
{
	struct io_uring_sqe *sqe = sqe_get(r);

	io_uring_prep_poll_add(sqe, r->sigfd, POLLIN);
	io_uring_sqe_set_data64(sqe, OP_SIGNAL);
}

/* READ: receive into conn_rbuf(). false if there is no buffer (a 503 is queued instead). */
static bool start_recv(struct uring *r, struct uconn *u)
{
	size_t space;
	char *buf = conn_rbuf(&u->c, &space);

	if (!buf)
		return false;
	io_uring_prep_recv(conn_sqe(r, u, OP_RECV), u->c.fd, buf, space, 0);
	return true;
}

/* WRITE: send what conn_out() gives. false if nothing can be sent (the conn is DONE). */
static bool start_send(struct uring *r, struct uconn *u)
{
	struct response *resp = &u->c.resp;

	if (resp->fd >= 0 && !resp->pattern && !u->scratch)
		u->scratch = malloc(SCRATCH_LEN);
	int n = conn_out(&u->c, u->iov, u->scratch, u->scratch ? SCRATCH_LEN : 0);
	if (n == 0) {
		u->c.state = CONN_DONE;
		return false;
	}
	u->msg = (struct msghdr){ .msg_iov = u->iov, .msg_iovlen = (size_t)n };
	io_uring_prep_sendmsg(conn_sqe(r, u, OP_SEND), u->c.fd, &u->msg, MSG_NOSIGNAL);
	return true;
}

/* ---- connections ------------------------------------------------------------------ */

static void close_conn(struct uring *r, struct uconn *u)
{
	heap_remove(&r->timers, &u->c.timer);
	conn_close(&u->c);
	if (u->prev)
		u->prev->next = u->next;
	else
		r->conns = u->next;
	if (u->next)
		u->next->prev = u->prev;
	r->open--;
	free(u->scratch);
	free(u);
}

/* Queue what the connection's state needs next (SLEEP: only its timer), or close it. */
static void advance(struct uring *r, struct uconn *u)
{
	struct conn *c = &u->c;

	while (c->state == CONN_READ || c->state == CONN_WRITE)
		if (c->state == CONN_READ ? start_recv(r, u) : start_send(r, u))
			break;
	if (c->state == CONN_DONE) {
		close_conn(r, u);
		return;
	}
	if (heap_set(&r->timers, &c->timer, c->deadline) < 0) { /* no memory for its timer */
		if (u->inflight)
			shutdown(c->fd, SHUT_RDWR); /* its completion ends it */
		else
			close_conn(r, u);
	}
}

static void add_conn(struct uring *r, int fd)
{
	struct uconn *u = NULL;

	if ((r->srv->max_conns && r->open >= r->srv->max_conns) || !(u = calloc(1, sizeof(*u)))) {
		srv_shed(fd);
		return;
	}
	conn_init(&u->c, r->srv, fd, NULL);
	u->next = r->conns;
	if (u->next)
		u->next->prev = u;
	r->conns = u;
	r->open++;
	advance(r, u);
}

/* ---- completions ------------------------------------------------------------------ */

/* Out of descriptors: let accept.c shed the connection with its spare descriptor. */
static void shed(struct uring *r)
{
	int lfd = r->srv->listen_fd;

	net_set_nonblock(lfd, true); /* nothing is armed on it now; never block the loop */
	int fd = srv_accept(lfd, 0, NULL);
	net_set_nonblock(lfd, false);
	if (fd >= 0)
		add_conn(r, fd);
}

static void on_accept(struct uring *r, int res, unsigned flags)
{
	if (!(flags & IORING_CQE_F_MORE))
		r->listening = 0; /* single-shot, or the multishot ended */
	if (res >= 0) {
		r->accepted = true;
		add_conn(r, res);
	} else if (res == -EINVAL && r->multishot && !r->accepted) {
		r->multishot = false;
		log_info("io_uring: no multishot accept before Linux 5.19; "
			 "arming one accept per connection instead");
	} else if (res == -EMFILE || res == -ENFILE) {
		shed(r); /* a pending connection gets a reset; accept again once another is */
		if (!r->listening && !r->stop_deadline)
			arm_listen(r);
	} else if (res != -ECANCELED && res != -ECONNABORTED && res != -EINTR &&
		   r->accept_errors++ % 1000 == 0) {
		log_warn("io_uring accept failed: %s (%llu so far)", strerror(-res),
			 (unsigned long long)r->accept_errors);
	}
	if (!r->listening && !r->stop_deadline)
		arm_accept(r);
}

/* After EMFILE: a connection is pending again; accept it (or shed it). */
static void on_listen(struct uring *r)
{
	r->listening = 0;
	if (!r->stop_deadline)
		arm_accept(r);
}

/* SIGTERM or SIGINT is pending: stop (done() drains); else poll again. */
static void on_signal(struct uring *r)
{
	struct signalfd_siginfo si;

	if (read(r->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		srv_stop = 1;
	if (!srv_stop)
		arm_signals(r);
}

/* A recv or send finished: feed the result to the state machine. */
static void on_io(struct uring *r, struct uconn *u, enum op op, int res)
{
	struct conn *c = &u->c;

	u->inflight--;
	if (res == -ECANCELED) {
		conn_timeout(c); /* we cancelled it: the deadline passed, or shutdown */
	} else if (res < 0 || (op == OP_SEND && res == 0)) {
		c->state = CONN_DONE; /* reset, broken pipe */
	} else if (op == OP_RECV) {
		VALGRIND_MAKE_MEM_DEFINED(c->in + c->in_len, (size_t)res);
		conn_received(c, (size_t)res); /* 0: the client closed */
	} else {
		conn_sent(c, (size_t)res);
	}
	advance(r, u);
}

/* One completion: its user_data says what it is for. */
static void on_cqe(struct uring *r, const struct io_uring_cqe *cqe)
{
	uint64_t data = io_uring_cqe_get_data64(cqe);
	struct uconn *u = (struct uconn *)(uintptr_t)(data & ~OP_MASK);

	if (data == LIBURING_UDATA_TIMEOUT) /* liburing's own wait timer (before Linux 5.11) */
		return;
	switch ((enum op)(data & OP_MASK)) {
	case OP_ACCEPT:
		on_accept(r, cqe->res, cqe->flags);
		break;
	case OP_LISTEN:
		on_listen(r);
		break;
	case OP_RECV:
	case OP_SEND:
		on_io(r, u, (enum op)(data & OP_MASK), cqe->res);
		break;
	case OP_SIGNAL:
		on_signal(r);
		break;
	case OP_CANCEL: /* the cancelled operation reports on its own */
		break;
	}
}

/* The completions that are there now (the next wait returns at once if more came). */
static void completions(struct uring *r)
{
	struct io_uring_cqe *cqe[CQE_BATCH];
	unsigned n = io_uring_peek_batch_cqe(&r->ring, cqe, CQE_BATCH);

	for (unsigned i = 0; i < n; i++)
		on_cqe(r, cqe[i]);
	io_uring_cq_advance(&r->ring, n);
}

/* ---- time and shutdown ------------------------------------------------------------ */

/* Deadlines that passed: cancel the operation in flight, or end a /sleep. */
static void expire(struct uring *r)
{
	uint64_t now = clock_now_ns();
	struct heap_node *n;

	while ((n = heap_min(&r->timers)) && n->key <= now) {
		struct uconn *u = (struct uconn *)((char *)n - offsetof(struct uconn, c.timer));
		heap_remove(&r->timers, n);
		if (u->inflight) {
			cancel(r, u->op); /* its -ECANCELED completion calls conn_timeout */
		} else {
			conn_timeout(&u->c); /* SLEEP is over: send the answer */
			advance(r, u);
		}
	}
}

/* How long the next wait may last: until the earliest deadline (NULL: no limit). */
static struct __kernel_timespec *wait_time(struct uring *r, struct __kernel_timespec *ts)
{
	struct heap_node *n = heap_min(&r->timers);
	uint64_t until = n ? n->key : UINT64_MAX, now = clock_now_ns();

	if (r->stop_deadline) {
		uint64_t end = r->stop_deadline + (r->forced ? NSEC_PER_SEC : 0);
		until = end < until ? end : until;
	}
	if (until == UINT64_MAX)
		return NULL;
	until = until > now ? until - now : 0;
	ts->tv_sec = (long long)(until / NSEC_PER_SEC);
	ts->tv_nsec = (long long)(until % NSEC_PER_SEC);
	return ts;
}

static bool idle_keepalive(const struct conn *c)
{
	return c->state == CONN_READ && c->in_len == 0 && c->requests > 0;
}

/*
 * Whether the loop should end. On SIGTERM: stop accepting, close idle keep-alive
 * connections, let the others finish within --grace, then shut them down.
 */
static bool done(struct uring *r)
{
	if (!srv_stop)
		return false;
	if (!r->stop_deadline) {
		r->stop_deadline = server_grace_deadline(r->srv);
		if (r->listening)
			cancel(r, r->listening);
		for (struct uconn *u = r->conns; u; u = u->next)
			if (idle_keepalive(&u->c) && u->inflight)
				cancel(r, u->op); /* -ECANCELED: conn_timeout closes it */
	}
	if (r->open == 0)
		return true;
	if (!r->forced && clock_now_ns() >= r->stop_deadline) {
		log_warn("%u connection(s) still open after --grace: closed", r->open);
		r->forced = true;
		for (struct uconn *u = r->conns, *next; u; u = next) {
			next = u->next;
			if (u->inflight)
				shutdown(u->c.fd, SHUT_RDWR); /* its operation completes now */
			else
				close_conn(r, u);
		}
		return r->open == 0;
	}
	/* Completions that never come (they always should): give up a second later. */
	return r->forced && clock_now_ns() >= r->stop_deadline + NSEC_PER_SEC;
}

/* ---- set-up and the loop ---------------------------------------------------------- */

static void ring_init(struct uring *r)
{
	static const struct {
		int op;
		const char *name;
	} needed[] = {
		{ IORING_OP_ACCEPT, "ACCEPT" },
		{ IORING_OP_RECV, "RECV" },
		{ IORING_OP_SENDMSG, "SENDMSG" },
		{ IORING_OP_ASYNC_CANCEL, "ASYNC_CANCEL" },
	};
	unsigned base = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP;
	struct io_uring_params p = { .flags = base | IORING_SETUP_SUBMIT_ALL,
				     .cq_entries = CQ_ENTRIES };
	int ret = io_uring_queue_init_params(SQ_ENTRIES, &r->ring, &p);

	if (ret == -EINVAL) { /* IORING_SETUP_SUBMIT_ALL is Linux 5.18 */
		p = (struct io_uring_params){ .flags = base, .cq_entries = CQ_ENTRIES };
		ret = io_uring_queue_init_params(SQ_ENTRIES, &r->ring, &p);
	}
	if (ret < 0)
		die("io_uring_queue_init() failed: %s", strerror(-ret));
	struct io_uring_probe *probe = io_uring_get_probe_ring(&r->ring);
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
		if (!probe || !io_uring_opcode_supported(probe, needed[i].op))
			die("this kernel's io_uring lacks IORING_OP_%s (Linux 5.6 has all we need)",
			    needed[i].name);
	io_uring_free_probe(probe);
	r->multishot = true;

	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	r->sigfd = signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC);
	if (r->sigfd < 0)
		die("signalfd() failed: %m");
}

int uring_run(struct server *srv)
{
	struct uring r = { .srv = srv };
	struct __kernel_timespec ts;
	struct io_uring_cqe *cqe;

	ring_init(&r);
	heap_init(&r.timers);
	arm_signals(&r);
	arm_accept(&r);
	server_ready(srv);
	while (!done(&r)) {
		int ret = io_uring_submit_and_wait_timeout(&r.ring, &cqe, 1, wait_time(&r, &ts),
							   NULL);
		if (ret < 0 && ret != -ETIME && ret != -EINTR && ret != -EBUSY && ret != -EAGAIN)
			die("io_uring_enter() failed: %s", strerror(-ret));
		completions(&r);
		expire(&r);
	}
	io_uring_queue_exit(&r.ring); /* cancels what is left before we free its buffers */
	while (r.conns)
		close_conn(&r, r.conns);
	heap_free(&r.timers);
	close(r.sigfd);
	return 0;
}
