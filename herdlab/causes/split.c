/* SPDX-License-Identifier: MIT */
/*
 * split.c - one request's causes (see split.h).
 *
 * The accepting worker W decides the cut. If W was among the tasks the
 * arrival woke, the wait is: until W was woken (capacity, if no worker was
 * idle then), W's run-queue wait until it next ran (of which what other woken
 * tasks ran on that CPU meanwhile is the herd's), and W's own accept after
 * that (rest). If W was not woken for it, W came back to accept() and found it
 * queued: the time with no worker idle is capacity, the rest is rest.
 */
#include "causes/split.h"

#include <stdio.h>
#include <string.h>

static uint64_t clamp(uint64_t v, uint64_t max)
{
	return v < max ? v : max;
}

/* What futile runs took of @t's CPU while it waited in the run queue within [a, b). */
static uint64_t herd_cost(const struct sched_log *log, const struct sched_task *t, uint64_t a,
			  uint64_t b)
{
	uint64_t sum = 0;

	for (const struct span *s = schedlog_next(log, t, 0, SPAN_RUNNABLE); s && s->start < b;
	     s = schedlog_next(log, t, s->end, SPAN_RUNNABLE)) {
		uint64_t lo = s->start > a ? s->start : a, hi = s->end < b ? s->end : b;
		const struct span *run = schedlog_next(log, t, s->end, SPAN_RUN);
		if (hi > lo && run)
			sum += schedlog_futile(log, run->cpu, lo, hi, t->tid);
		if (s->end <= s->start)
			break;
	}
	return sum;
}

static void split_queue(const struct sched_log *log, uint64_t est, uint64_t acc, uint32_t tid,
			struct req_causes *c)
{
	size_t n;
	const struct arrival_wake *w = schedlog_wakes(log, est, &n), *mine = NULL;
	const struct sched_task *t = schedlog_task(log, tid);

	c->queue_ns = acc - est;
	c->wakeups = (uint32_t)n;
	c->first_accepted = n ? w[0].tid == tid : -1;
	for (size_t i = 0; i < n && !mine; i++)
		if (w[i].tid == tid && w[i].ts >= est && w[i].ts <= acc)
			mine = &w[i];
	if (!t) {
		c->queue_rest_ns = c->queue_ns;
		return;
	}
	c->herd_ns = clamp(herd_cost(log, t, est, acc), c->queue_ns);
	if (!mine) { /* it came back to accept() and found the connection queued */
		uint64_t full = schedlog_noidle(log, est, acc);
		c->capacity_ns = full > c->herd_ns ? full - c->herd_ns : 0;
	} else {
		const struct span *run = schedlog_next(log, t, mine->ts, SPAN_RUN);
		uint64_t ran = run && run->start <= acc ? run->start : acc;
		c->capacity_ns = schedlog_noidle(log, est, mine->ts);
		c->woken_runq_ns = ran - mine->ts > c->herd_ns ? ran - mine->ts - c->herd_ns : 0;
	}
	uint64_t used = c->capacity_ns + c->herd_ns + c->woken_runq_ns;
	c->queue_rest_ns = c->queue_ns > used ? c->queue_ns - used : 0;
}

void name_count_add(struct name_count *tab, size_t *ntab, size_t cap, const char *name, uint64_t n)
{
	for (size_t i = 0; i < *ntab; i++)
		if (!strncmp(tab[i].name, name, sizeof(tab[i].name))) {
			tab[i].n += n;
			return;
		}
	if (*ntab < cap) {
		snprintf(tab[*ntab].name, sizeof(tab[*ntab].name), "%.15s", name);
		tab[(*ntab)++].n = n;
	}
}

bool name_count_take(struct name_count *tab, size_t ntab, struct name_count *out)
{
	size_t best = ntab;

	for (size_t i = 0; i < ntab; i++)
		if (tab[i].n && (best == ntab || tab[i].n > tab[best].n))
			best = i;
	if (best == ntab)
		return false;
	*out = tab[best];
	tab[best].n = 0;
	return true;
}

/* The name of the task that a preemption record @r switched to. */
static const char *next_name(const struct sched_log *log, const struct sched_rec *r)
{
	if (!(r->flags & SCHED_NEXT_TARGET))
		return r->comm[0] ? r->comm : "?";
	const struct sched_task *t = schedlog_task(log, r->other);
	return t && t->comm[0] ? t->comm : "(a target)";
}

static void split_server(const struct sched_log *log, uint64_t acc, uint64_t end, uint32_t tid,
			 struct req_causes *c)
{
	const struct sched_task *t = schedlog_task(log, tid);
	uint64_t state[SPAN_STATES];
	struct name_count tab[32];
	size_t ntab = 0;

	c->server_ns = end - acc;
	if (!t) {
		c->server_rest_ns = c->server_ns;
		return;
	}
	schedlog_overlap(log, t, acc, end, -1, state, c->blocked_ns);
	c->oncpu_ns = state[SPAN_RUN];
	c->runq_ns = state[SPAN_RUNNABLE];
	uint64_t used = state[SPAN_RUN] + state[SPAN_RUNNABLE] + state[SPAN_SLEEP];
	c->server_rest_ns = c->server_ns > used ? c->server_ns - used : 0;
	for (const struct span *s = schedlog_next(log, t, acc, SPAN_RUNNABLE); s && s->start < end;
	     s = schedlog_next(log, t, s->end, SPAN_RUNNABLE)) {
		const struct sched_rec *r = s->rec >= 0 ? &log->recs[s->rec] : NULL;
		if (!r || r->type != SCHED_SWITCH || !(r->flags & SCHED_PREEMPTED))
			continue; /* woken, not preempted */
		c->involuntary++;
		name_count_add(tab, &ntab, sizeof(tab) / sizeof(tab[0]), next_name(log, r), 1);
		if (s->end <= s->start)
			break;
	}
	struct name_count top;
	for (size_t k = 0; k < CAUSES_TOP && name_count_take(tab, ntab, &top); k++) {
		memcpy(c->ran_instead[k], top.name, sizeof(c->ran_instead[k]));
		c->ran_count[k] = (uint32_t)top.n;
	}
}

void causes_split(const struct sched_log *log, uint64_t est_ns, uint64_t acc_ns,
		  uint32_t accept_tid, uint64_t end_ns, struct req_causes *c)
{
	memset(c, 0, sizeof(*c));
	c->accept_tid = accept_tid;
	c->first_accepted = -1;
	if (acc_ns < est_ns || end_ns < acc_ns)
		return;
	split_queue(log, est_ns, acc_ns, accept_tid, c);
	split_server(log, acc_ns, end_ns, accept_tid, c);
}
