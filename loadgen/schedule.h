/* SPDX-License-Identifier: MIT */
/*
 * schedule.h - when each request of an open-loop run should start.
 *
 * An open loop sends requests at a rate the server does not control: arrival k is due at
 * a time fixed in advance, and a request that starts late (because every connection was
 * busy) is still timed from when it was due. That is how wrk2 corrects for coordinated
 * omission, and it needs the arrival times to be a pure function of the run's start, the
 * rate and a seed.
 *
 * A run of rate R over T threads gives each thread its own schedule of rate R/T:
 * constant arrivals are interleaved (thread i takes arrivals i, i+T, i+2T, ... of the
 * whole run, so the sum is exactly R evenly spaced), Poisson arrivals are T independent
 * Poisson processes of rate R/T (whose sum is a Poisson process of rate R), each from its
 * own stream of a seeded generator, so a run is repeatable given --seed.
 *
 * With --ramp S the rate rises linearly from 0 to R over the first S seconds: every
 * arrival's offset u from the start (as above) is moved to w(u) = sqrt(2 S u) while
 * u < S/2, and to u + S/2 after it, which is the time at which a ramped rate has seen as
 * many arrivals (R t^2 / 2S over the ramp, R (t - S/2) after). The warp applies to
 * constant and Poisson arrivals alike (a time-changed Poisson process is the
 * non-homogeneous one of the ramped rate), and keeps their order, their split over
 * threads and their seed.
 *
 * The generator (splitmix64) also draws the --mix paths and the --body sizes.
 */
#ifndef HERD_LOAD_SCHEDULE_H
#define HERD_LOAD_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

/* splitmix64: 64 bits of state, good enough statistics, any seed is fine. */
struct load_rng {
	uint64_t state; /* advanced by a fixed odd constant per draw */
};

/* Seed stream @stream of @seed (threads use their index, so their draws differ). */
void rng_seed(struct load_rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(struct load_rng *r);
/* Uniform in (0, 1]: never 0, so -log() of it is finite. */
double rng_unit(struct load_rng *r);
/* Uniform in [0, @n), @n > 0. */
uint64_t rng_below(struct load_rng *r, uint64_t n);
/* An exponentially distributed gap of mean @mean: -ln(U) * mean, finite and >= 0. */
double rng_exp(struct load_rng *r, double mean);

struct schedule {
	uint64_t start_ns;    /* the whole run's arrival 0 is due here (monotonic ns) */
	double gap_ns;	      /* the whole run's mean gap between arrivals: 1e9 / rate */
	unsigned index;	      /* this thread's place among @count schedules */
	unsigned count;	      /* schedules the rate is split over */
	bool poisson;	      /* exponential gaps rather than constant ones */
	struct load_rng rng;  /* Poisson: this schedule's own stream */
	uint64_t k;	      /* arrivals handed out so far */
	double poisson_at_ns; /* Poisson: the next arrival's offset from @start_ns */
	uint64_t next_ns;     /* the next arrival's due time */
	double ramp_ns;	      /* --ramp: the rate rises from 0 over this long (0: none) */
};

/*
 * Schedule @index of @count for a whole-run @rate (requests/s, > 0) starting at
 * @start_ns; @seed only matters for Poisson arrivals.
 */
void schedule_init(struct schedule *s, uint64_t start_ns, double rate, unsigned index,
		   unsigned count, bool poisson, uint64_t seed);

/* Ramp the rate up from 0 over @ramp_ns (see above); right after schedule_init(). */
void schedule_set_ramp(struct schedule *s, uint64_t ramp_ns);

/* The due time of the next arrival, without taking it. */
static inline uint64_t schedule_peek(const struct schedule *s)
{
	return s->next_ns;
}

/* Take the next arrival: returns its due time and moves on. */
uint64_t schedule_next(struct schedule *s);

/*
 * Take every arrival due before @end and return how many there were (for the arrivals a
 * run never started). Exact for constant arrivals, at any count; Poisson arrivals are
 * drawn one by one up to SCHEDULE_SKIP_DRAWS, and beyond that the rest of the window is
 * counted at its expected value.
 */
#define SCHEDULE_SKIP_DRAWS 10000000
uint64_t schedule_skip_until(struct schedule *s, uint64_t end);

#endif
