/* SPDX-License-Identifier: MIT */
/*
 * prefork-dynamic - a pool that grows and shrinks with the load (seed 001;
 * Apache's prefork MPM with MinSpareServers / MaxSpareServers / MaxRequestWorkers
 * / MaxConnectionsPerChild).
 *
 * The children accept for themselves: each waits in an epoll instance of its own
 * on the shared non-blocking listener, with EPOLLEXCLUSIVE (Linux 4.5) so that a
 * connection wakes one waiting child, not all of them, and on a stream socketpair
 * to the parent. The parent never touches a connection; it only counts, from
 * one-byte messages:
 *
 *	child -> parent  'C'  took a connection		parent -> child  'K'  exit when idle
 *	child -> parent  'F'  finished it, idle again	EOF either way: the other side is gone
 *
 * and keeps between --min-idle and --max-idle children idle, never more than
 * --max-children in all:
 *  - fewer than --min-idle idle: fork the shortfall at once. The parent hears of
 *    every 'C' as it happens, so there is no need for Apache's once-a-second
 *    exponential spawn rate; a burst of N slow requests grows the pool to about
 *    N + --min-idle children, one fork per connection taken, at most --min-idle
 *    forks per message.
 *  - more than --max-idle idle: send 'K' to the surplus, longest idle first, but
 *    only to children that have been idle for RETIRE_AFTER_NS. A pool under a
 *    steady load sees its idle count swing on every request; retiring at the
 *    first swing would fork and kill children all the time. (The kernel wakes
 *    exclusive waiters in the order they registered, so under a light load the
 *    oldest children do the work and the youngest are the ones left idle.)
 *  - a child that has served --max-requests connections (0: no limit) exits
 *    after its 'F'; the parent counts the 'C's too and does not count it idle.
 *    It is replaced only if the pool then needs it. A child that dies any other
 *    way (a crash, SIGKILL) is replaced one for one.
 * The pool starts with --workers children, clamped to [max(--min-idle, 1),
 * --max-idle], the range it settles in when idle, so that it does not begin by
 * retiring children it has just forked. The parent logs the pool's size when it
 * changes, at most once a second; `pgrep -P PARENT` counts the children, and
 * --pool-log FILE keeps every change of idle / busy / total (pool_log.h).
 *
 * Underneath: each child's epoll entry on the listener is one exclusive entry on
 * the listener's wait queue, and a new connection stops at the first entry whose
 * epoll has a task waiting in it. Busy children have nobody waiting, so they are
 * skipped (their epoll only notes the listener as ready, and finds it empty
 * later: a futile wakeup that costs no context switch). The parent sleeps in
 * epoll_pwait on the socketpairs and wakes twice per connection; forks and exits
 * happen only when the load changes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "accept.h"
#include "clock.h"
#include "conn.h"
#include "counters.h"
#include "log.h"
#include "models.h"
#include "net.h"
#include "pool_log.h"
#include "process_pool.h"
#include "server.h"

#define RETIRE_AFTER_NS (500 * NSEC_PER_MSEC) /* a surplus child must be idle this long */
#define SPAWN_RETRY_NS	NSEC_PER_SEC	      /* after fork() failed, wait before trying again */
#define LOG_EVERY_NS	NSEC_PER_SEC	      /* pool size changes are logged at most this often */

enum child_state {
	CHILD_NONE,	/* empty slot */
	CHILD_IDLE,	/* waiting for a connection (or about to: just forked) */
	CHILD_BUSY,	/* serving a connection: 'C' came, 'F' not yet */
	CHILD_RETIRING, /* sent 'K': exits when idle, after at most one more connection */
	CHILD_EXITING,	/* leaving by itself after --max-requests */
};

struct child {
	int pfd;		/* the parent's end of the socketpair, -1 if none */
	int cfd;		/* the child's end, open in the parent only around fork */
	enum child_state state; /* what the parent knows of the child */
	unsigned served;	/* connections it took ('C' messages) */
	uint64_t idle_since;	/* when it last became idle */
};

struct dynamic {
	int epfd;	     /* the parent's epoll: every child's socket */
	struct child *child; /* per slot of the pool (--max-children slots) */
	int idle;	     /* children in CHILD_IDLE */
	int owed;	     /* children that died abnormally, still to be replaced */
	uint64_t retry_at;   /* a fork failed: no new attempt before this */
	int logged;	     /* the pool size last logged */
	uint64_t logged_at;  /* when it was logged */
	struct pool_log log; /* idle / busy / total over time, and the largest total */
};

enum { FROM_LISTENER, FROM_PARENT }; /* the child's epoll data */

/* ---- the child -------------------------------------------------------------- */

/* Close what the child inherited of the parent's side: its epoll and every parent end. */
static void forget_parent(struct pool *p)
{
	struct dynamic *m = p->model;

	close(m->epfd);
	for (int i = 0; i < p->size; i++)
		if (m->child[i].pfd >= 0)
			close(m->child[i].pfd);
}

/* The child's epoll: the listener (exclusively) and its socket to the parent. */
static int child_epoll(int lfd, int sock)
{
	struct epoll_event lev = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.u32 = FROM_LISTENER };
	struct epoll_event pev = { .events = EPOLLIN, .data.u32 = FROM_PARENT };
	int epfd = epoll_create1(EPOLL_CLOEXEC);

	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &lev) < 0 ||
	    epoll_ctl(epfd, EPOLL_CTL_ADD, sock, &pev) < 0) {
		log_warn("child epoll set-up failed: %m");
		return -1;
	}
	return epfd;
}

static bool tell(int sock, char what)
{
	return net_send_all(sock, &what, 1) == 1;
}

/* Take one pending connection and serve it to the end. false: the child should exit. */
static bool serve_one(struct server *srv, int sock, unsigned *served)
{
	struct sockaddr_storage peer;
	int fd = srv_accept(srv->listen_fd, 0, &peer);

	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED && errno != EINVAL)
			log_warn("accept4() failed: %m");
		return errno != EINVAL; /* EAGAIN: a sibling was quicker; EINVAL: shut down */
	}
	tell(sock, 'C');
	conn_serve_blocking(srv, fd, &peer);
	(*served)++;
	return tell(sock, 'F'); /* fails only if the parent is gone */
}

/* The parent wrote: 'K' to retire, or EOF because it is gone. false: exit. */
static bool parent_lets_stay(int sock)
{
	char buf[16];
	ssize_t n = read(sock, buf, sizeof(buf));

	if (n < 0)
		return errno == EINTR;
	return n > 0 && !memchr(buf, 'K', (size_t)n);
}

static int worker(struct pool *p, int slot)
{
	struct server *srv = p->srv;
	int sock = ((struct dynamic *)p->model)->child[slot].cfd;
	unsigned served = 0, limit = srv->max_requests;
	struct epoll_event ev[2];

	forget_parent(p);
	int epfd = child_epoll(srv->listen_fd, sock);
	if (epfd < 0)
		return 1;
	pool_ready(p);
	while (!srv_stop && !(limit && served >= limit)) {
		int n = epoll_wait(epfd, ev, 2, -1); /* EINTR: SIGTERM, srv_stop is set */
		bool conn = false, told = false;
		for (int i = 0; i < n; i++) {
			conn |= ev[i].data.u32 == FROM_LISTENER;
			told |= ev[i].data.u32 == FROM_PARENT;
		}
		/* The connection first: this child may be the one the kernel woke for it. */
		if (conn && !serve_one(srv, sock, &served))
			break;
		if (told && !parent_lets_stay(sock))
			break;
	}
	return 0;
}

/* ---- the parent: bookkeeping ------------------------------------------------ */

static void become(struct dynamic *m, struct child *c, enum child_state st)
{
	if (st == CHILD_IDLE && c->state != CHILD_IDLE)
		c->idle_since = clock_now_ns();
	m->idle += (st == CHILD_IDLE) - (c->state == CHILD_IDLE);
	c->state = st;
}

static int prepare(struct pool *p, int slot)
{
	struct child *c = &((struct dynamic *)p->model)->child[slot];
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		log_warn("socketpair() failed: %m");
		return -1;
	}
	c->pfd = sv[0];
	c->cfd = sv[1];
	return 0;
}

static void spawned(struct pool *p, int slot)
{
	struct dynamic *m = p->model;
	struct child *c = &m->child[slot];
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)slot };

	close(c->cfd);
	c->cfd = -1;
	if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, c->pfd, &ev) < 0)
		log_warn("epoll_ctl(ADD) of worker %d failed: %m", slot);
	c->served = 0;
	become(m, c, CHILD_IDLE);
}

/* Reaped (pool_reap): free the slot; a child that did not exit 0 is owed a successor. */
static void exited(struct pool *p, int slot, int status)
{
	struct dynamic *m = p->model;
	struct child *c = &m->child[slot];

	if (c->pfd >= 0)
		close(c->pfd); /* also leaves the epoll set */
	c->pfd = -1;
	if (c->state == CHILD_EXITING)
		srv_counters->pool_recycled++;
	become(m, c, CHILD_NONE);
	if (!srv_stop && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		m->owed++;
}

/* Messages from slot's child: 'C' took a connection, 'F' finished it; EOF: it is gone. */
static void child_message(struct pool *p, int slot)
{
	struct dynamic *m = p->model;
	struct child *c = &m->child[slot];
	unsigned limit = p->srv->max_requests;
	char buf[64];
	ssize_t n;

	if (c->pfd < 0 || ((n = read(c->pfd, buf, sizeof(buf))) < 0 && errno == EINTR))
		return;
	if (n <= 0) {
		/* It died. Its state stays until it is reaped (its SIGCHLD is on the
		 * way), so that replacing it happens once, in exited() and grow(). */
		close(c->pfd);
		c->pfd = -1;
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == 'C') {
			c->served++;
			if (c->state == CHILD_IDLE)
				become(m, c, CHILD_BUSY);
		} else if (buf[i] == 'F' && c->state == CHILD_BUSY) {
			become(m, c, limit && c->served >= limit ? CHILD_EXITING : CHILD_IDLE);
		}
	}
}

/* ---- the parent: the policy ------------------------------------------------- */

static void wake_at(uint64_t *wake, uint64_t when)
{
	if (when < *wake)
		*wake = when;
}

/* Too few idle (or some died): fork the shortfall now, within --max-children. */
static void grow(struct pool *p, uint64_t now, uint64_t *wake)
{
	struct dynamic *m = p->model;
	int want = (int)p->srv->min_idle - m->idle;

	if (want < m->owed)
		want = m->owed;
	if (want > 0 && now < m->retry_at) {
		wake_at(wake, m->retry_at);
		return;
	}
	for (int slot = 0; slot < p->size && want > 0; slot++) {
		struct child *c = &m->child[slot];
		if (p->pid[slot])
			continue;
		if (pool_spawn(p, slot) < 0) {
			if (c->cfd >= 0) { /* fork failed after prepare: undo it */
				close(c->cfd);
				close(c->pfd);
				c->cfd = c->pfd = -1;
			}
			m->retry_at = now + SPAWN_RETRY_NS;
			wake_at(wake, m->retry_at);
			return;
		}
		want--;
		if (m->owed > 0) {
			m->owed--;
			p->respawned++;
			COUNT(workers_replaced);
		}
	}
}

static int longest_idle(const struct pool *p)
{
	const struct dynamic *m = p->model;
	int best = -1;

	for (int i = 0; i < p->size; i++)
		if (m->child[i].state == CHILD_IDLE &&
		    (best < 0 || m->child[i].idle_since < m->child[best].idle_since))
			best = i;
	return best;
}

/* Too many idle: tell those idle for RETIRE_AFTER_NS to exit, longest idle first. */
static void shrink(struct pool *p, uint64_t now, uint64_t *wake)
{
	struct dynamic *m = p->model;

	while (m->idle > (int)p->srv->max_idle) {
		struct child *c = &m->child[longest_idle(p)];
		if (c->idle_since + RETIRE_AFTER_NS > now) {
			wake_at(wake, c->idle_since + RETIRE_AFTER_NS);
			return;
		}
		/* If this fails the child is gone already and its EOF is on the way. */
		(void)send(c->pfd, "K", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		become(m, c, CHILD_RETIRING);
		srv_counters->pool_retired++;
	}
}

/* Log the pool's size when it changed, at most once per LOG_EVERY_NS. */
static void report(struct pool *p, uint64_t now, uint64_t *wake)
{
	struct dynamic *m = p->model;
	int n = pool_count(p);

	if (n == m->logged)
		return;
	if (now < m->logged_at + LOG_EVERY_NS) {
		wake_at(wake, m->logged_at + LOG_EVERY_NS);
		return;
	}
	log_info("pool: %d children, %d idle", n, m->idle);
	m->logged = n;
	m->logged_at = now;
}

/* The pool as it is now, into --pool-log and the counters. */
static void note(struct pool *p, uint64_t now)
{
	struct dynamic *m = p->model;
	int busy = 0;

	for (int i = 0; i < p->size; i++)
		busy += m->child[i].state == CHILD_BUSY;
	pool_log_note(&m->log, now, m->idle, busy, pool_count(p));
}

/* Apply the policy; returns the epoll timeout (ms) until it next needs the clock. */
static int maintain(struct pool *p)
{
	uint64_t now = clock_now_ns(), wake = UINT64_MAX;

	grow(p, now, &wake);
	shrink(p, now, &wake);
	report(p, now, &wake);
	note(p, now);
	return wake == UINT64_MAX ? -1 : clock_ms_until(wake);
}

static void parent_loop(struct pool *p)
{
	struct dynamic *m = p->model;
	struct epoll_event ev[64];
	int timeout = maintain(p);

	while (!srv_stop) {
		int n = epoll_pwait(m->epfd, ev, 64, timeout, &proc_wait_mask);
		if (n < 0 && errno != EINTR)
			die("epoll_pwait() failed: %m");
		for (int i = 0; i < n; i++)
			child_message(p, (int)ev[i].data.u32);
		if (srv_child_exited)
			pool_reap(p, false); /* the policy decides what to replace */
		if (!srv_stop)
			timeout = maintain(p);
	}
}

/* --workers, clamped to the range the pool settles in when idle. */
static int start_size(const struct server *srv)
{
	unsigned lo = srv->min_idle > 0 ? srv->min_idle : 1, n = (unsigned)srv->workers;

	if (n > srv->max_idle)
		n = srv->max_idle;
	return (int)(n < lo ? lo : n);
}

int prefork_dynamic_run(struct server *srv)
{
	static const struct pool_ops ops = {
		.worker = worker, .prepare = prepare, .spawned = spawned, .exited = exited
	};
	int size = (int)srv->max_children, start = start_size(srv);
	struct dynamic m = {
		.epfd = epoll_create1(EPOLL_CLOEXEC),
		.child = calloc((size_t)size, sizeof(struct child)),
		.logged = start,
	};
	struct pool pool;
	int rc = 1;

	if (m.epfd < 0 || !m.child || pool_init(&pool, srv, &ops, size) < 0)
		die("out of memory or descriptors for the pool: %m");
	for (int i = 0; i < size; i++)
		m.child[i].pfd = m.child[i].cfd = -1;
	pool.model = &m;
	pool_log_init(&m.log, srv->pool_log_path, clock_now_ns());
	srv_counters->pool = true;
	srv_counters->pool_start = (uint64_t)start;
	if (pool_start(&pool, start) == 0) {
		log_info("pool: %d children (min-idle %u, max-idle %u, max-children %u, "
			 "max-requests %u)",
			 start, srv->min_idle, srv->max_idle, srv->max_children, srv->max_requests);
		m.logged_at = clock_now_ns();
		parent_loop(&pool);
		rc = 0;
	}
	for (int i = 0; i < size; i++) /* EOF tells idle children to exit */
		if (m.child[i].pfd >= 0)
			close(m.child[i].pfd);
	pool_stop(&pool);
	srv_counters->pool_forks = pool.spawned_total;
	if (pool_log_write(&m.log) < 0)
		log_warn("cannot write --pool-log '%s': %m", srv->pool_log_path);
	pool_log_free(&m.log);
	pool_free(&pool);
	close(m.epfd);
	free(m.child);
	return rc;
}
