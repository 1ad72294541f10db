/* SPDX-License-Identifier: MIT */
/*
 * run.c - one run: start the client threads, watch them, merge what they measured.
 *
 * The main thread does no I/O on connections. It splits the load (clients, and in an
 * open loop with --requests the arrivals) evenly over the threads, sets every thread up
 * before any starts (so the allocations are not inside the measured time), fixes the
 * run's times (start, end of warmup, end of scheduling, global deadline) and lets the
 * threads go. Then it waits in sigtimedwait(): SIGINT and SIGTERM are blocked in every
 * thread and taken here, synchronously, so no handler runs in the middle of a
 * measurement; a thread that returns sends SIGUSR1; and once a second, on a terminal,
 * the progress line is drawn from the threads' relaxed counters. When all have
 * returned, their counters, histograms and records are merged into one result.
 *
 * With --slow, the slowloris connections (slow.c) are opened first, on a thread of
 * their own started under the same signal mask, and the run's times are fixed only
 * once they are held: the measured load starts against a server already holding them.
 * They are let go when the load's threads have all returned. The --idle connections
 * (idle.c) are opened the same way, before the --slow ones, and let go last.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "client.h"
#include "clock.h"
#include "load.h"
#include "log.h"
#include "net.h"
#include "idle.h"
#include "slow.h"

#define START_DELAY_NS (2 * NSEC_PER_MSEC) /* from the last set-up to the first request */
#define FD_SPARE       16		   /* descriptors beyond one per client and thread */

static void *thread_main(void *arg)
{
	struct load_thread *t = arg;

	client_thread_run(t);
	atomic_fetch_add(&t->sh->finished, 1);
	pthread_kill(t->sh->main, SIGUSR1);
	return NULL;
}

/* Enough descriptors for every client; say so if the limit stays too low. */
static void raise_fd_limit(const struct load_opts *o)
{
	long want = (long)o->clients + o->slow + o->idle + o->threads + FD_SPARE;
	long got = net_raise_nofile(want);

	if (got < 0)
		log_warn("setrlimit(RLIMIT_NOFILE) failed: %m");
	else if (got < want)
		log_warn("RLIMIT_NOFILE is %ld, below %ld: requests may have to wait for a "
			 "descriptor (counted in requests.fd_waits)",
			 got, want);
}

/* The run's times, fixed before the threads start. */
static void set_times(struct load_shared *sh, const struct load_opts *o)
{
	sh->start_ns = clock_now_ns() + START_DELAY_NS;
	sh->warmup_end_ns = sh->start_ns + o->warmup_ns;
	if (o->requests) {
		sh->sched_end_ns = UINT64_MAX;
		sh->deadline_ns = sh->start_ns + o->max_time_ns;
	} else {
		sh->sched_end_ns = sh->warmup_end_ns + o->duration_ns;
		sh->deadline_ns = sh->sched_end_ns + o->timeout_ns + NSEC_PER_SEC;
	}
}

/* @total split over @n: share @i gets the quotient, plus one while the remainder lasts. */
static uint64_t share_of(uint64_t total, unsigned n, unsigned i)
{
	return total / n + (i < total % n ? 1 : 0);
}

static int init_threads(struct load_thread *th, struct load_shared *sh)
{
	const struct load_opts *o = sh->o;
	bool open_count = o->mode == LOAD_OPEN && o->requests;

	for (unsigned i = 0; i < o->threads; i++) {
		unsigned slots = (unsigned)share_of(o->clients, o->threads, i);
		uint64_t share = open_count ? share_of(o->requests, o->threads, i) : 0;
		if (client_thread_init(&th[i], sh, i, slots, share) < 0) {
			log_warn("cannot set up client thread %u: %m", i);
			return -1;
		}
	}
	return 0;
}

/* ---- waiting ------------------------------------------------------------------------------ */

/* The 99th percentile of the latencies seen so far, from the coarse progress buckets. */
static uint64_t progress_p99(struct load_thread *th, unsigned n)
{
	uint64_t counts[PROGRESS_BUCKETS] = { 0 }, total = 0, rank, seen = 0;

	for (unsigned i = 0; i < n; i++)
		for (unsigned b = 0; b < PROGRESS_BUCKETS; b++)
			counts[b] +=
				atomic_load_explicit(&th[i].prog_hist[b], memory_order_relaxed);
	for (unsigned b = 0; b < PROGRESS_BUCKETS; b++)
		total += counts[b];
	if (!total)
		return 0;
	rank = (uint64_t)ceil(0.99 * (double)total);
	for (unsigned b = 0; b < PROGRESS_BUCKETS; b++) {
		seen += counts[b];
		if (seen >= rank)
			return progress_bucket_top(b);
	}
	return 0;
}

/* Progress state between two lines. */
struct progress {
	uint64_t last_ns;   /* when the previous line was drawn */
	uint64_t last_done; /* requests done then */
	bool drawn;	    /* a line is on the terminal */
};

/* The progress line, drawn over itself with \r. */
static void progress_print(FILE *f, double elapsed_s, uint64_t done, double rate, uint64_t failed,
			   uint64_t p99_ns)
{
	fprintf(f,
		"\r%7.1f s  %10" PRIu64 " done  %10.1f/s  %" PRIu64 " errors  p99 ~%.3f ms\033[K",
		elapsed_s, done, rate, failed, (double)p99_ns / 1e6);
	fflush(f);
}

/* Wipe it before the summary is written. */
static void progress_clear(FILE *f)
{
	fputs("\r\033[K", f);
	fflush(f);
}

static void progress_line(struct load_thread *th, const struct load_shared *sh, struct progress *p)
{
	uint64_t now = clock_now_ns(), done = 0, failed = 0;
	unsigned n = sh->o->threads;

	for (unsigned i = 0; i < n; i++) {
		done += atomic_load_explicit(&th[i].prog_done, memory_order_relaxed);
		failed += atomic_load_explicit(&th[i].prog_failed, memory_order_relaxed);
	}
	progress_print(stderr, (double)(now - sh->start_ns) / 1e9, done,
		       (double)(done - p->last_done) * 1e9 / (double)(now - p->last_ns), failed,
		       progress_p99(th, n));
	p->last_ns = now;
	p->last_done = done;
	p->drawn = true;
}

/* Wait for every thread; stop them on SIGINT / SIGTERM. Returns whether one came. */
static bool wait_threads(struct load_thread *th, struct load_shared *sh, const sigset_t *set)
{
	struct progress p = { .last_ns = sh->start_ns };
	bool interrupted = false;
	uint64_t next_line = sh->start_ns + NSEC_PER_SEC;

	while (atomic_load(&sh->finished) < sh->o->threads) {
		uint64_t now = clock_now_ns();
		struct timespec ts = clock_ns_to_timespec(next_line > now ? next_line - now : 0);
		int sig = sigtimedwait(set, NULL, &ts);

		if ((sig == SIGINT || sig == SIGTERM) && !interrupted) {
			uint64_t one = 1;
			interrupted = true;
			atomic_store(&sh->stop, 1);
			if (write(sh->stop_fd, &one, sizeof(one)) < 0)
				log_warn("write() to the stop eventfd failed: %m");
			log_warn("%s: stopping; what was measured so far is reported",
				 strsignal(sig));
		}
		if (clock_now_ns() >= next_line) {
			if (sh->o->progress)
				progress_line(th, sh, &p);
			next_line += NSEC_PER_SEC;
		}
	}
	if (p.drawn)
		progress_clear(stderr);
	return interrupted;
}

/* ---- merging ------------------------------------------------------------------------------ */

static void add_counts(struct load_counts *dst, const struct load_counts *src)
{
	dst->ok += src->ok;
	dst->failed += src->failed;
	for (int k = 0; k < ERR_KINDS; k++)
		dst->errors[k] += src->errors[k];
	dst->unsent += src->unsent;
	dst->retries += src->retries;
	dst->fd_waits += src->fd_waits;
	dst->connections += src->connections;
	dst->bytes_sent += src->bytes_sent;
	dst->bytes_received += src->bytes_received;
	dst->warmup += src->warmup;
}

static int by_schedule(const void *a, const void *b)
{
	const struct load_record *x = a, *y = b;

	if (x->scheduled_ns != y->scheduled_ns)
		return x->scheduled_ns < y->scheduled_ns ? -1 : 1;
	if (x->thread != y->thread)
		return x->thread < y->thread ? -1 : 1;
	if (x->conn_seq != y->conn_seq)
		return x->conn_seq < y->conn_seq ? -1 : 1;
	return x->req_in_conn < y->req_in_conn ? -1 : x->req_in_conn > y->req_in_conn;
}

/* Every thread's records in one array, in scheduled order. */
static void merge_records(struct load_result *r, struct load_thread *th, unsigned n)
{
	size_t total = 0, at = 0;

	for (unsigned i = 0; i < n; i++) {
		total += th[i].nrecs;
		r->records_lost |= th[i].recs_lost;
	}
	r->records = malloc((total ? total : 1) * sizeof(*r->records));
	if (!r->records) {
		r->records_lost = true;
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		memcpy(r->records + at, th[i].recs, th[i].nrecs * sizeof(*r->records));
		at += th[i].nrecs;
	}
	r->nrecords = total;
	qsort(r->records, total, sizeof(*r->records), by_schedule);
}

static int merge(struct load_result *r, struct load_thread *th, const struct load_shared *sh)
{
	const struct load_opts *o = sh->o;

	r->start_ns = sh->start_ns;
	r->measure_ns = sh->warmup_end_ns;
	r->end_ns = sh->warmup_end_ns;
	for (unsigned i = 0; i < o->threads; i++) {
		add_counts(&r->c, &th[i].c);
		if (latency_merge(&r->lat, &th[i].lat) < 0)
			return -1;
		if (th[i].end_ns > r->end_ns)
			r->end_ns = th[i].end_ns;
		r->deadline |= th[i].hit_deadline;
	}
	if (o->mode == LOAD_CLOSED && o->requests) {
		uint64_t issued = atomic_load(&sh->issued);
		r->c.unsent = o->requests - (issued < o->requests ? issued : o->requests);
	}
	if (o->keep_records)
		merge_records(r, th, o->threads);
	return 0;
}

void load_result_free(struct load_result *r)
{
	latency_free(&r->lat);
	free(r->records);
	r->records = NULL;
}

/* ---- the run ------------------------------------------------------------------------------ */

/* Start the threads with SIGINT, SIGTERM and SIGUSR1 blocked (they inherit the mask). */
static unsigned start_threads(struct load_thread *th, unsigned n)
{
	unsigned started = 0;

	for (; started < n; started++) {
		int err = pthread_create(&th[started].tid, NULL, thread_main, &th[started]);
		if (err) {
			errno = err;
			log_warn("pthread_create() failed: %m");
			break;
		}
	}
	return started;
}

/*
 * Take what is still pending (the last thread's SIGUSR1 may come after the wait ended, a
 * late ^C) before the mask is restored, where SIGUSR1 or SIGINT would kill the process.
 */
static void drain_signals(const sigset_t *set)
{
	struct timespec zero = { 0, 0 };

	while (sigtimedwait(set, NULL, &zero) > 0)
		;
}

int load_run(const struct load_opts *o, struct load_result *r)
{
	struct load_shared sh = { .o = o, .main = pthread_self() };
	struct load_thread *th = calloc(o->threads, sizeof(*th));
	struct slow_load slow;
	struct idle_load idle;
	sigset_t set, old;
	unsigned started = 0;
	bool slow_on = false, slow_failed = false, idle_on = false, idle_failed = false;
	int rc = -1;

	memset(r, 0, sizeof(*r)); /* load_result_free() works whatever fails below */
	sh.stop_fd = eventfd(0, EFD_CLOEXEC);
	if (!th || sh.stop_fd < 0 || latency_init(&r->lat) < 0) {
		log_warn("cannot set up the run: %m");
		goto out;
	}
	raise_fd_limit(o);
	if (init_threads(th, &sh) < 0)
		goto out;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	idle_on = o->idle > 0;
	idle_failed = idle_on && idle_start(&idle, o) < 0;
	if (idle_failed)
		log_warn("cannot start the --idle connections: %m");
	slow_on = o->slow > 0 && !idle_failed;
	slow_failed = slow_on && slow_start(&slow, o) < 0;
	if (slow_failed)
		log_warn("cannot start the --slow connections: %m");
	set_times(&sh, o);
	if (!slow_failed && !idle_failed)
		started = start_threads(th, o->threads);
	if (started < o->threads) {
		atomic_store(&sh.stop, 1);
		atomic_store(&sh.finished, o->threads - started); /* count the missing ones */
		uint64_t one = 1;
		if (write(sh.stop_fd, &one, sizeof(one)) < 0)
			log_warn("write() to the stop eventfd failed: %m");
	}
	r->interrupted = wait_threads(th, &sh, &set);
	for (unsigned i = 0; i < started; i++)
		pthread_join(th[i].tid, NULL);
	if (slow_on)
		slow_stop(&slow, &r->slow);
	if (idle_on)
		idle_stop(&idle, &r->idle);
	drain_signals(&set);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (started == o->threads && merge(r, th, &sh) == 0)
		rc = 0;
out:
	for (unsigned i = 0; th && i < o->threads; i++)
		client_thread_free(&th[i]);
	free(th);
	if (sh.stop_fd >= 0)
		close(sh.stop_fd);
	return rc;
}
