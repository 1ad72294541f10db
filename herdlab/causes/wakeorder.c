/* SPDX-License-Identifier: MIT */
/*
 * wakeorder.c - the rank of each arrival's first woken worker (wakeorder.h).
 *
 * The idle workers at a wakeup are those whose accept-like sleep of the same
 * kind spans its moment (the woken one's sleep ends exactly there). A pool has
 * tens of workers, so each arrival asks every worker, by binary search in its
 * spans.
 */
#include "causes/wakeorder.h"

#include <string.h>

/* Whether @t slept in @wait at @ts: the span, or NULL. */
static const struct span *asleep_at(const struct sched_log *log, const struct sched_task *t,
				    uint64_t ts, uint16_t wait)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) { /* the first span ending at or after ts */
		size_t mid = (lo + hi) / 2;
		if (log->spans[t->first + mid].end < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t k = lo; k < t->n; k++) {
		const struct span *s = &log->spans[t->first + k];
		if (s->start > ts)
			break;
		if (s->state == SPAN_SLEEP && s->wait == wait && s->end >= ts)
			return s;
	}
	return NULL;
}

static bool created_before(const struct sched_task *a, const struct sched_task *b)
{
	if (a->created_ns != b->created_ns)
		return a->created_ns < b->created_ns;
	return a->tid < b->tid;
}

void wakeorder_compute(const struct sched_log *log, struct wake_order *out)
{
	uint32_t prev[WAIT_KINDS] = { 0 };

	memset(out, 0, WAIT_KINDS * sizeof(*out));
	for (size_t i = 0; i < log->nwakes;) {
		const struct arrival_wake *w = &log->wakes[i]; /* the first woken of its arrival */
		while (i < log->nwakes && log->wakes[i].est_ns == w->est_ns)
			i++;
		const struct sched_task *me = schedlog_task(log, w->tid);
		if (!me || w->wait >= WAIT_KINDS)
			continue;
		uint64_t idle = 0, older = 0, created_earlier = 0;
		for (size_t k = 0; k < log->ntasks; k++) {
			const struct sched_task *t = &log->tasks[k];
			const struct span *s;
			if (!t->worker || !(s = asleep_at(log, t, w->ts, w->wait)))
				continue;
			idle++;
			if (t == me)
				continue;
			older += s->start < w->slept_since;
			created_earlier += created_before(t, me);
		}
		if (idle < 2)
			continue;
		struct wake_order *o = &out[w->wait];
		uint64_t rank = older + 1;
		o->arrivals++;
		o->idle_sum += (double)idle;
		o->fifo += rank == 1;
		o->lifo += rank == idle;
		o->created_first += created_earlier == 0;
		o->created_last += created_earlier + 1 == idle;
		o->same += prev[w->wait] == w->tid;
		o->ranks[rank < WAKE_RANKS ? rank - 1 : WAKE_RANKS - 1]++;
		prev[w->wait] = w->tid;
	}
}
