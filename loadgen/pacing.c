/* SPDX-License-Identifier: MIT */
/*
 * pacing.c - when a client thread may start a request (pacing.h).
 *
 * The state machine (client.c) asks these questions at the top of every round
 * and when it computes how long to sleep; none of them touches a connection.
 * They read the run's plan (struct load_shared: the warmup's end, the end of
 * the schedule, the closed loop's shared tickets) and the thread's own
 * bookkeeping of it: its open-loop schedule and share, its --ramp slot times,
 * and the --phases phase it is in, which only moves forward since time does.
 */
#include "pacing.h"

#include "phases.h"

/* Closed loop --ramp: the time slot @j of this thread may first start (see client.c). */
uint64_t pacing_ramp_time(const struct load_thread *t, unsigned j)
{
	const struct load_opts *o = t->sh->o;
	uint64_t g = (uint64_t)j * o->threads + t->id;

	return t->sh->start_ns + (uint64_t)((unsigned __int128)o->ramp_ns * g / o->clients);
}

/*
 * --phases: the phase at @now (the first one during the warmup); time only moves on, so
 * the thread's current phase only moves forward.
 */
unsigned pacing_phase(struct load_thread *t, uint64_t now)
{
	const struct load_phases *ph = t->sh->o->phases;
	uint64_t from = t->sh->warmup_end_ns;

	while (t->phase + 1 < ph->n && now >= from + ph->p[t->phase + 1].start_ns)
		t->phase++;
	return t->phase;
}

/* --phases: this thread's share of the phase's clients, as run.c splits --clients. */
bool pacing_phase_full(struct load_thread *t, uint64_t now)
{
	const struct load_opts *o = t->sh->o;
	unsigned clients, cap;

	if (!o->phases)
		return false;
	clients = o->phases->p[pacing_phase(t, now)].clients;
	cap = clients / o->threads + (t->id < clients % o->threads ? 1 : 0);
	return t->busy >= cap;
}

/* --phases: when the next phase begins (UINT64_MAX: in the last one). */
uint64_t pacing_phase_next_ns(struct load_thread *t, uint64_t now)
{
	const struct load_phases *ph = t->sh->o->phases;
	unsigned i = pacing_phase(t, now);

	return i + 1 < ph->n ? t->sh->warmup_end_ns + ph->p[i + 1].start_ns : UINT64_MAX;
}

/* Closed loop: may a client start a request now? Takes a ticket when --requests counts. */
bool pacing_closed_may_start(struct load_thread *t, uint64_t now, bool measured)
{
	struct load_shared *sh = t->sh;

	if (t->exhausted)
		return false;
	if (now >= sh->sched_end_ns ||
	    (measured && sh->o->requests &&
	     atomic_fetch_add_explicit(&sh->issued, 1, memory_order_relaxed) >= sh->o->requests))
		t->exhausted = true;
	return !t->exhausted;
}

/* Open loop: is there an arrival left to start (now or later)? */
bool pacing_open_more(const struct load_thread *t, uint64_t now)
{
	const struct load_shared *sh = t->sh;

	if (now >= sh->sched_end_ns || schedule_peek(&t->sched) >= sh->sched_end_ns)
		return false;
	return !sh->o->requests || t->share > 0;
}

bool pacing_more_to_start(struct load_thread *t, uint64_t now)
{
	if (t->sh->o->mode == LOAD_OPEN)
		return pacing_open_more(t, now);
	if (t->exhausted || now >= t->sh->sched_end_ns)
		return false;
	return !t->sh->o->requests ||
	       atomic_load_explicit(&t->sh->issued, memory_order_relaxed) < t->sh->o->requests;
}

/* Arrivals that were due but never started (open loop), for the report. */
void pacing_count_unsent(struct load_thread *t)
{
	const struct load_shared *sh = t->sh;

	if (sh->o->mode != LOAD_OPEN)
		return;
	if (sh->o->requests) {
		t->c.unsent += t->share;
		return;
	}
	schedule_skip_until(&t->sched, sh->warmup_end_ns);
	t->c.unsent += schedule_skip_until(&t->sched, sh->sched_end_ns);
}
