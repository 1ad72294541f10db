/* SPDX-License-Identifier: MIT */
/*
 * schedule.c - constant and Poisson arrival times (see schedule.h).
 *
 * Constant arrivals are computed from their index, never by adding gaps, so no rounding
 * error accumulates over a long run: arrival k of schedule i is due at
 * start + (k * count + i) * gap. Poisson arrivals must add gaps; the sum is kept as a
 * double in nanoseconds from the start, exact to the nanosecond for over 100 days.
 */
#include "schedule.h"

#include <math.h>

void rng_seed(struct load_rng *r, uint64_t seed, uint64_t stream)
{
	r->state = seed ^ (stream * 0xd1b54a32d192ed03ULL);
	(void)rng_next(r); /* mix the stream into the state before the first real draw */
}

uint64_t rng_next(struct load_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double rng_unit(struct load_rng *r)
{
	/* 53 random bits, plus one: 1..2^53, over 2^53. */
	return (double)((rng_next(r) >> 11) + 1) * (1.0 / 9007199254740992.0);
}

uint64_t rng_below(struct load_rng *r, uint64_t n)
{
	/* Multiply-shift (Lemire) without the rejection step: the bias is below 2^-32 for
	 * the small @n we draw from (paths, body sizes). */
	return (uint64_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

double rng_exp(struct load_rng *r, double mean)
{
	return -log(rng_unit(r)) * mean;
}

/* --ramp: an unramped offset @u (ns) moved to its ramped time (see schedule.h). */
static double warp(const struct schedule *s, double u)
{
	if (s->ramp_ns <= 0)
		return u;
	return u < s->ramp_ns / 2 ? sqrt(2 * s->ramp_ns * u) : u + s->ramp_ns / 2;
}

/* The inverse: the unramped offset of ramped time @t. */
static double unwarp(const struct schedule *s, double t)
{
	if (s->ramp_ns <= 0)
		return t;
	return t < s->ramp_ns ? t * t / (2 * s->ramp_ns) : t - s->ramp_ns / 2;
}

/* Arrival @k of this schedule. */
static uint64_t constant_at(const struct schedule *s, uint64_t k)
{
	double slot = (double)k * s->count + s->index;

	return s->start_ns + (uint64_t)llround(warp(s, slot * s->gap_ns));
}

/* Poisson: the due time of the arrival at unramped offset @s->poisson_at_ns. */
static uint64_t poisson_due(const struct schedule *s)
{
	return s->start_ns + (uint64_t)llround(warp(s, s->poisson_at_ns));
}

void schedule_init(struct schedule *s, uint64_t start_ns, double rate, unsigned index,
		   unsigned count, bool poisson, uint64_t seed)
{
	s->start_ns = start_ns;
	s->gap_ns = 1e9 / rate;
	s->index = index;
	s->count = count ? count : 1;
	s->poisson = poisson;
	s->k = 0;
	s->ramp_ns = 0;
	rng_seed(&s->rng, seed, 0x5c4ed01eULL + index);
	if (poisson) {
		s->poisson_at_ns = rng_exp(&s->rng, s->gap_ns * s->count);
		s->next_ns = poisson_due(s);
	} else {
		s->next_ns = constant_at(s, 0);
	}
}

void schedule_set_ramp(struct schedule *s, uint64_t ramp_ns)
{
	s->ramp_ns = (double)ramp_ns;
	s->next_ns = s->poisson ? poisson_due(s) : constant_at(s, s->k);
}

uint64_t schedule_next(struct schedule *s)
{
	uint64_t due = s->next_ns;

	s->k++;
	if (s->poisson) {
		s->poisson_at_ns += rng_exp(&s->rng, s->gap_ns * s->count);
		s->next_ns = poisson_due(s);
	} else {
		s->next_ns = constant_at(s, s->k);
	}
	return due;
}

/* Constant arrivals: the first k with constant_at(k) >= @end, from the formula, then exact. */
static uint64_t constant_first_at(const struct schedule *s, uint64_t end)
{
	double slots = unwarp(s, (double)(end - s->start_ns)) / s->gap_ns - s->index;
	uint64_t k = slots > 0 ? (uint64_t)(slots / s->count) : 0;

	while (k > 0 && constant_at(s, k - 1) >= end)
		k--;
	while (constant_at(s, k) < end)
		k++;
	return k;
}

uint64_t schedule_skip_until(struct schedule *s, uint64_t end)
{
	uint64_t n = 0;

	if (s->next_ns >= end)
		return 0;
	if (!s->poisson) {
		uint64_t k = constant_first_at(s, end);
		n = k - s->k;
		s->k = k;
		s->next_ns = constant_at(s, k);
		return n;
	}
	while (s->next_ns < end && n < SCHEDULE_SKIP_DRAWS) {
		schedule_next(s);
		n++;
	}
	if (s->next_ns < end) { /* the expected count of the rest, and move past @end */
		double mean = s->gap_ns * s->count;
		double u_end = unwarp(s, (double)(end - s->start_ns));
		n += (uint64_t)llround((u_end - s->poisson_at_ns) / mean);
		s->poisson_at_ns = u_end + rng_exp(&s->rng, mean);
		s->next_ns = poisson_due(s);
	}
	return n;
}
