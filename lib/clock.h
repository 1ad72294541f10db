/* SPDX-License-Identifier: MIT */
/*
 * clock.h - monotonic time in nanoseconds.
 *
 * Every timestamp herdlab records is CLOCK_MONOTONIC nanoseconds: the clock that
 * bpf_ktime_get_ns() reads in the kernel, so a client's record and a kernel record
 * of the same connection can be compared directly.
 */
#ifndef HERD_CLOCK_H
#define HERD_CLOCK_H

#include <stdint.h>
#include <time.h>

#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC  1000000000ULL

static inline uint64_t clock_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static inline struct timespec clock_ns_to_timespec(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / NSEC_PER_SEC),
			       .tv_nsec = (long)(ns % NSEC_PER_SEC) };
	return ts;
}

/* Milliseconds from now until @deadline_ns, rounded up, for poll-style timeouts. */
static inline int clock_ms_until(uint64_t deadline_ns)
{
	uint64_t now = clock_now_ns();

	if (deadline_ns <= now)
		return 0;
	uint64_t ms = (deadline_ns - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC;
	return ms > 0x7fffffff ? 0x7fffffff : (int)ms;
}

/* Sleep until the monotonic clock reads @deadline_ns (restarts after signals unless @stop). */
void clock_sleep_until(uint64_t deadline_ns, volatile int *stop);

#endif
