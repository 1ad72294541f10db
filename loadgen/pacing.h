/* SPDX-License-Identifier: MIT */
/*
 * pacing.h - when a client thread may start a request: the closed loop's
 * tickets (--requests), the open loop's arrivals (schedule.h), --ramp's slot
 * times and --phases' limits. Questions about the run's plan, asked by the
 * state machine (client.c); no connection is touched here.
 */
#ifndef HERD_LOAD_PACING_H
#define HERD_LOAD_PACING_H

#include <stdbool.h>
#include <stdint.h>

#include "client.h"

/* Closed loop --ramp: when slot @j of thread @t may first start. */
uint64_t pacing_ramp_time(const struct load_thread *t, unsigned j);

/* --phases: the phase at @now (the first during the warmup); moves @t->phase forward. */
unsigned pacing_phase(struct load_thread *t, uint64_t now);

/* --phases: whether @t already has its share of the phase's clients in flight (false without). */
bool pacing_phase_full(struct load_thread *t, uint64_t now);

/* --phases: when the next phase begins (UINT64_MAX: in the last one). */
uint64_t pacing_phase_next_ns(struct load_thread *t, uint64_t now);

/* Closed loop: may a client start a request now? Takes a ticket when --requests counts. */
bool pacing_closed_may_start(struct load_thread *t, uint64_t now, bool measured);

/* Open loop: is there an arrival left to start (now or later)? */
bool pacing_open_more(const struct load_thread *t, uint64_t now);

/* Either loop: may anything start from @now on? */
bool pacing_more_to_start(struct load_thread *t, uint64_t now);

/* Open loop, at the end: the arrivals that were due but never started, into @t->c.unsent. */
void pacing_count_unsent(struct load_thread *t);

#endif
