/* SPDX-License-Identifier: MIT */
/*
 * tally.c - a request that ended, counted by its thread (tally.h).
 *
 * Everything here is the thread's own (no lock): its counters and latency
 * histograms, its --csv records (an array doubled as it fills, whose loss is
 * said once in the report rather than failing the run), and the relaxed
 * atomics the main thread reads for the --progress line.
 */
#include "tally.h"

#include <stdlib.h>

#define RECS_INITIAL 4096 /* first size of the --csv record array */

static void keep_record(struct load_thread *t, const struct load_record *r)
{
	if (t->nrecs == t->caprecs) {
		size_t cap = t->caprecs ? t->caprecs * 2 : RECS_INITIAL;
		struct load_record *p = realloc(t->recs, cap * sizeof(*p));
		if (!p) {
			t->recs_lost = true;
			return;
		}
		t->recs = p;
		t->caprecs = cap;
	}
	t->recs[t->nrecs++] = *r;
}

static void progress_note(struct load_thread *t, const struct load_record *r)
{
	atomic_fetch_add_explicit(&t->prog_done, 1, memory_order_relaxed);
	if (r->error != ERR_NONE)
		atomic_fetch_add_explicit(&t->prog_failed, 1, memory_order_relaxed);
	else
		atomic_fetch_add_explicit(
			&t->prog_hist[progress_bucket(r->last_byte_ns - r->scheduled_ns)], 1,
			memory_order_relaxed);
}

void tally_request(struct load_thread *t, const struct load_record *r, bool measured,
		   uint64_t started_ns)
{
	if (r->last_byte_ns > t->end_ns)
		t->end_ns = r->last_byte_ns;
	if (!measured) {
		t->c.warmup++;
		return;
	}
	if (r->error == ERR_NONE) {
		t->c.ok++;
		latency_record(&t->lat, r, started_ns);
	} else {
		t->c.failed++;
		t->c.errors[r->error]++;
	}
	t->c.bytes_sent += r->bytes_sent;
	t->c.bytes_received += r->bytes_received;
	if (t->sh->o->keep_records)
		keep_record(t, r);
	if (t->sh->o->progress)
		progress_note(t, r);
}
