/* SPDX-License-Identifier: MIT */
/*
 * schedlog.c - sched.bin into spans (see schedlog.h).
 *
 * One pass over the records in time order keeps each task's open span: a
 * switch closes prev's (it becomes runnable if preempted, else asleep in the
 * call its registers showed) and next's (it runs); a wakeup closes a sleep (it
 * becomes runnable), and when the wakeup came inside an arrival window and the
 * task slept in an accept-like call, it is that connection's arrival wakeup. A
 * wakeup of a task not seen asleep (woken on its way to sleep, before its
 * switch) changes nothing, as it changes nothing in the kernel. A task the
 * loader found asleep when recording began (a SCHED_SEED record) sleeps from
 * the first record on, unless its own records came first.
 *
 * The stretches with no idle worker are a sweep over the workers' accept-like
 * sleeps: +1 where one starts, -1 where it ends, kept where the count is 0.
 */
#include "causes/schedlog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "vec.h"

/* x86-64 system call numbers of the calls classed here (herd.h has the waits'). */
enum {
	NR_read = 0,
	NR_write = 1,
	NR_readv = 19,
	NR_writev = 20,
	NR_nanosleep = 35,
	NR_sendfile = 40,
	NR_sendto = 44,
	NR_recvfrom = 45,
	NR_sendmsg = 46,
	NR_clock_nanosleep = 230,
};

bool causes_arrival_wait(uint32_t wait)
{
	return wait == WAIT_ACCEPT || wait == WAIT_EPOLL || wait == WAIT_SELECT ||
	       wait == WAIT_POLL || wait == WAIT_SIGNAL || wait == WAIT_URING;
}

enum sleep_class causes_classify(int32_t nr, int32_t arg1, uint32_t wait)
{
	if (nr >= 0)
		wait = herd_wait_kind(nr, arg1);
	if (wait == WAIT_LOCK)
		return SLEEP_LOCK;
	if (wait != WAIT_NONE && wait != WAIT_SIGNAL)
		return SLEEP_SOCKET;
	switch (nr) {
	case NR_nanosleep:
	case NR_clock_nanosleep:
		return SLEEP_SLEEP;
	case NR_read:
	case NR_write:
	case NR_readv:
	case NR_writev:
	case NR_sendfile:
	case NR_sendto:
	case NR_recvfrom:
	case NR_sendmsg:
		return SLEEP_SOCKET;
	default:
		return SLEEP_OTHER;
	}
}

static int by_ts(const void *a, const void *b)
{
	const struct sched_rec *x = a, *y = b;

	return (x->ts > y->ts) - (x->ts < y->ts);
}

int schedlog_read(struct sched_log *log, const char *path)
{
	size_t len;
	char *data = files_read(path, &len);
	const struct sched_file_head *h = (const void *)data;

	memset(log, 0, sizeof(*log));
	if (!data)
		return -errno;
	if (len < sizeof(*h) || memcmp(h->magic, SCHED_FILE_MAGIC, sizeof(h->magic)) ||
	    h->rec_size != sizeof(struct sched_rec)) {
		free(data);
		return -EINVAL;
	}
	log->nrecs = (len - sizeof(*h)) / sizeof(struct sched_rec);
	log->recs = malloc((log->nrecs + 1) * sizeof(*log->recs));
	if (!log->recs) {
		free(data);
		return -ENOMEM;
	}
	memcpy(log->recs, data + sizeof(*h), log->nrecs * sizeof(*log->recs));
	free(data);
	qsort(log->recs, log->nrecs, sizeof(*log->recs), by_ts); /* CPUs interleave */
	return 0;
}

static int by_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static struct sched_task *task_of(struct sched_log *log, uint32_t tid)
{
	return (struct sched_task *)schedlog_task(log, tid);
}

const struct sched_task *schedlog_task(const struct sched_log *log, uint32_t tid)
{
	size_t lo = 0, hi = log->ntasks;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (log->tasks[mid].tid == tid)
			return &log->tasks[mid];
		if (log->tasks[mid].tid < tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Every target tid the records name, once, into log->tasks. */
static int collect_tasks(struct sched_log *log)
{
	uint32_t *tids = malloc((2 * log->nrecs + 1) * sizeof(*tids));
	size_t n = 0;

	if (!tids)
		return -ENOMEM;
	for (size_t i = 0; i < log->nrecs; i++) {
		const struct sched_rec *r = &log->recs[i];
		if (r->type != SCHED_SWITCH || (r->flags & SCHED_PREV_TARGET))
			tids[n++] = r->tid;
		if (r->type == SCHED_SWITCH && (r->flags & SCHED_NEXT_TARGET))
			tids[n++] = r->other;
	}
	qsort(tids, n, sizeof(*tids), by_u32);
	log->tasks = calloc(n + 1, sizeof(*log->tasks));
	if (!log->tasks) {
		free(tids);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		if (!log->ntasks || log->tasks[log->ntasks - 1].tid != tids[i])
			log->tasks[log->ntasks++].tid = tids[i];
	free(tids);
	return 0;
}

/* Building: each task's open span, and its spans so far. */
struct builder {
	struct span open; /* valid when has_open */
	bool has_open;
	bool gone; /* its last switch was seen */
	struct vec spans;
};

static int close_open(struct builder *b, uint64_t ts)
{
	if (!b->has_open)
		return 0;
	b->has_open = false;
	b->open.end = ts;
	struct span *s = vec_push(&b->spans);
	if (!s)
		return -ENOMEM;
	*s = b->open;
	return 0;
}

static int begin(struct builder *b, uint32_t tid, uint64_t ts, enum span_state st, int64_t rec)
{
	int err = close_open(b, ts);

	b->open = (struct span){ .start = ts, .tid = tid, .state = st, .rec = rec, .nr = -1 };
	b->has_open = !b->gone;
	return err;
}

static int on_rec(struct sched_log *log, struct builder *bs, size_t i, struct vec *wakes)
{
	const struct sched_rec *r = &log->recs[i];
	struct sched_task *t = task_of(log, r->tid);
	struct builder *b = t ? &bs[t - log->tasks] : NULL;
	int err = 0;

	if (r->flags & SCHED_SEED) { /* asleep when recording began, unless seen since */
		if (!b || b->has_open || b->spans.len)
			return 0;
		err = begin(b, r->tid, log->start_ns, SPAN_SLEEP, (int64_t)i);
		b->open.wait = (uint16_t)r->wait;
		b->open.nr = r->nr;
		b->open.cls = (uint8_t)causes_classify(r->nr, r->arg1, r->wait);
		return err;
	}
	if (r->type == SCHED_SWITCH) {
		if ((r->flags & SCHED_PREV_TARGET) && b) {
			bool run = r->flags & SCHED_PREEMPTED;
			err = begin(b, r->tid, r->ts, run ? SPAN_RUNNABLE : SPAN_SLEEP, (int64_t)i);
			b->open.wait = (uint16_t)r->wait;
			b->open.nr = r->nr;
			b->open.cls = (uint8_t)causes_classify(r->nr, r->arg1, r->wait);
			if (r->flags & SCHED_PREV_DEAD) {
				b->gone = true;
				b->has_open = false;
			}
		}
		struct sched_task *n = task_of(log, r->other);
		if ((r->flags & SCHED_NEXT_TARGET) && n && !err) {
			struct builder *nb = &bs[n - log->tasks];
			uint64_t arrival = nb->has_open && nb->open.state == SPAN_RUNNABLE
						   ? nb->open.arrival
						   : 0;
			err = begin(nb, r->other, r->ts, SPAN_RUN, (int64_t)i);
			nb->open.cpu = r->cpu;
			nb->open.arrival = arrival;
		}
		return err;
	}
	if (!b)
		return 0;
	if (r->type == SCHED_WAKEUP_NEW)
		return begin(b, r->tid, r->ts, SPAN_RUNNABLE, (int64_t)i);
	if (!b->has_open || b->open.state != SPAN_SLEEP)
		return 0; /* woken on its way to sleep: nothing changes */
	struct span slept = b->open;
	if ((err = begin(b, r->tid, r->ts, SPAN_RUNNABLE, (int64_t)i)) < 0)
		return err;
	if (r->sk && causes_arrival_wait(slept.wait)) {
		struct arrival_wake *w = vec_push(wakes);
		if (!w)
			return -ENOMEM;
		*w = (struct arrival_wake){ r->est_ns, r->ts, slept.start, r->tid, slept.wait };
		b->open.arrival = r->est_ns;
		t->worker = true;
	}
	return 0;
}

static int by_est_ts(const void *a, const void *b)
{
	const struct arrival_wake *x = a, *y = b;

	if (x->est_ns != y->est_ns)
		return x->est_ns < y->est_ns ? -1 : 1;
	return (x->ts > y->ts) - (x->ts < y->ts);
}

static int by_time_delta(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return (x[1] > y[1]) - (x[1] < y[1]); /* an end before a start at the same time */
}

/* The stretches when no worker slept in an accept-like call. */
static int sweep_idle(struct sched_log *log)
{
	struct vec ev = VEC_INIT(int64_t[2]), out = VEC_INIT(uint64_t[2]);
	int64_t(*e)[2];

	for (size_t i = 0; i < log->ntasks; i++) {
		const struct sched_task *t = &log->tasks[i];
		for (size_t k = 0; t->worker && k < t->n; k++) {
			const struct span *s = &log->spans[t->first + k];
			if (s->state != SPAN_SLEEP || !causes_arrival_wait(s->wait))
				continue;
			if (!(e = vec_push(&ev)))
				goto oom;
			(*e)[0] = (int64_t)s->start, (*e)[1] = 1;
			if (!(e = vec_push(&ev)))
				goto oom;
			(*e)[0] = (int64_t)s->end, (*e)[1] = -1;
		}
	}
	qsort(ev.data, ev.len, ev.size, by_time_delta);
	int64_t idle = 0;
	uint64_t from = log->start_ns;
	for (size_t i = 0; i <= ev.len; i++) {
		uint64_t ts = i < ev.len ? (uint64_t)((int64_t *)vec_at(&ev, i))[0] : log->end_ns;
		if (idle == 0 && ts > from) {
			uint64_t(*o)[2] = vec_push(&out);
			if (!o)
				goto oom;
			(*o)[0] = from, (*o)[1] = ts;
		}
		if (i == ev.len)
			break;
		idle += ((int64_t *)vec_at(&ev, i))[1];
		from = ts;
	}
	vec_free(&ev);
	log->noidle = vec_take(&out, &log->nnoidle);
	return 0;
oom:
	vec_free(&ev);
	vec_free(&out);
	return -ENOMEM;
}

static int by_est(const void *a, const void *b)
{
	uint64_t x = ((const struct schedlog_accept *)a)->est_ns;
	uint64_t y = ((const struct schedlog_accept *)b)->est_ns;

	return (x > y) - (x < y);
}

/* Runs after an arrival's wakeup by tasks that did not accept its connection. */
static void mark_futile(struct sched_log *log, const struct schedlog_accept *acc, size_t nacc)
{
	for (size_t i = 0; i < log->nspans; i++) {
		struct span *s = &log->spans[i];
		if (s->state != SPAN_RUN || !s->arrival)
			continue;
		struct schedlog_accept key = { s->arrival, 0 };
		const struct schedlog_accept *a = bsearch(&key, acc, nacc, sizeof(*acc), by_est);
		s->futile = !a || a->tid != s->tid;
	}
}

/*
 * A worker is also a task that slept where arrivals woke workers (the same wait
 * kind) without ever being woken by one: an idle worker all along, which
 * EPOLLEXCLUSIVE leaves asleep behind the one it keeps waking.
 */
static void mark_sleepers(struct sched_log *log)
{
	bool kind[WAIT_KINDS] = { false };

	for (size_t i = 0; i < log->nwakes; i++)
		if (log->wakes[i].wait < WAIT_KINDS)
			kind[log->wakes[i].wait] = true;
	for (size_t i = 0; i < log->ntasks; i++) {
		struct sched_task *t = &log->tasks[i];
		for (size_t k = 0; !t->worker && k < t->n; k++) {
			const struct span *s = &log->spans[t->first + k];
			t->worker = s->state == SPAN_SLEEP && s->wait < WAIT_KINDS && kind[s->wait];
		}
	}
}

int schedlog_build(struct sched_log *log, struct schedlog_accept *acc, size_t nacc)
{
	struct vec wakes = VEC_INIT(struct arrival_wake);
	struct builder *bs = NULL;
	int err;

	if (log->nrecs) {
		log->start_ns = log->recs[0].ts;
		log->end_ns = log->recs[log->nrecs - 1].ts;
	}
	if ((err = collect_tasks(log)) < 0)
		return err;
	if (!(bs = calloc(log->ntasks + 1, sizeof(*bs))))
		return -ENOMEM;
	for (size_t i = 0; i < log->ntasks; i++)
		bs[i].spans = VEC_INIT(struct span);
	for (size_t i = 0; i < log->nrecs && !err; i++)
		err = on_rec(log, bs, i, &wakes);
	size_t total = 0;
	for (size_t i = 0; i < log->ntasks && !err; i++) {
		err = close_open(&bs[i], log->end_ns);
		total += bs[i].spans.len;
	}
	if (!err && !(log->spans = malloc((total + 1) * sizeof(*log->spans))))
		err = -ENOMEM;
	for (size_t i = 0; i < log->ntasks && !err; i++) {
		log->tasks[i].first = log->nspans;
		log->tasks[i].n = bs[i].spans.len;
		if (bs[i].spans.len)
			memcpy(log->spans + log->nspans, bs[i].spans.data,
			       bs[i].spans.len * sizeof(struct span));
		log->nspans += bs[i].spans.len;
	}
	for (size_t i = 0; i < log->ntasks; i++)
		vec_free(&bs[i].spans);
	free(bs);
	log->wakes = vec_take(&wakes, &log->nwakes);
	if (err)
		return err;
	if (log->nwakes)
		qsort(log->wakes, log->nwakes, sizeof(*log->wakes), by_est_ts);
	for (size_t i = 0; i < nacc; i++) {
		struct sched_task *t = task_of(log, acc[i].tid);
		if (t)
			t->worker = true;
	}
	mark_sleepers(log);
	if (nacc)
		qsort(acc, nacc, sizeof(*acc), by_est);
	mark_futile(log, acc, nacc);
	return sweep_idle(log);
}

void schedlog_free(struct sched_log *log)
{
	free(log->recs);
	free(log->spans);
	free(log->tasks);
	free(log->wakes);
	free(log->noidle);
	memset(log, 0, sizeof(*log));
}

/* The index of @t's first span ending after @a. */
static size_t first_after(const struct sched_log *log, const struct sched_task *t, uint64_t a)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (log->spans[t->first + mid].end <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint64_t overlap(uint64_t s, uint64_t e, uint64_t a, uint64_t b)
{
	uint64_t lo = s > a ? s : a, hi = e < b ? e : b;

	return hi > lo ? hi - lo : 0;
}

void schedlog_overlap(const struct sched_log *log, const struct sched_task *t, uint64_t a,
		      uint64_t b, int64_t cpu, uint64_t *state, uint64_t *sleep)
{
	memset(state, 0, SPAN_STATES * sizeof(*state));
	if (sleep)
		memset(sleep, 0, SLEEP_CLASSES * sizeof(*sleep));
	for (size_t k = first_after(log, t, a); k < t->n; k++) {
		const struct span *s = &log->spans[t->first + k];
		if (s->start >= b)
			break;
		if (s->state == SPAN_RUN && cpu >= 0 && s->cpu != (uint32_t)cpu)
			continue;
		uint64_t d = overlap(s->start, s->end, a, b);
		state[s->state] += d;
		if (sleep && s->state == SPAN_SLEEP)
			sleep[s->cls] += d;
	}
}

uint64_t schedlog_futile(const struct sched_log *log, uint32_t cpu, uint64_t a, uint64_t b,
			 uint32_t except)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < log->ntasks; i++) {
		const struct sched_task *t = &log->tasks[i];
		if (t->tid == except || !t->worker)
			continue;
		for (size_t k = first_after(log, t, a); k < t->n; k++) {
			const struct span *s = &log->spans[t->first + k];
			if (s->start >= b)
				break;
			if (s->state == SPAN_RUN && s->futile && s->cpu == cpu)
				sum += overlap(s->start, s->end, a, b);
		}
	}
	return sum;
}

uint64_t schedlog_noidle(const struct sched_log *log, uint64_t a, uint64_t b)
{
	size_t lo = 0, hi = log->nnoidle;
	uint64_t sum = 0;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (log->noidle[mid][1] <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < log->nnoidle && log->noidle[i][0] < b; i++)
		sum += overlap(log->noidle[i][0], log->noidle[i][1], a, b);
	return sum;
}

const struct arrival_wake *schedlog_wakes(const struct sched_log *log, uint64_t est_ns, size_t *n)
{
	size_t lo = 0, hi = log->nwakes;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (log->wakes[mid].est_ns < est_ns)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < log->nwakes && log->wakes[end].est_ns == est_ns)
		end++;
	*n = end - lo;
	return *n ? &log->wakes[lo] : NULL;
}

const struct span *schedlog_next(const struct sched_log *log, const struct sched_task *t,
				 uint64_t ts, enum span_state state)
{
	for (size_t k = first_after(log, t, ts); k < t->n; k++) {
		const struct span *s = &log->spans[t->first + k];
		if (s->start >= ts && s->state == state)
			return s;
	}
	return NULL;
}
