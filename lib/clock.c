/* SPDX-License-Identifier: MIT */
#include "clock.h"

#include <errno.h>

void clock_sleep_until(uint64_t deadline_ns, volatile int *stop)
{
	struct timespec ts = clock_ns_to_timespec(deadline_ns);

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		if (stop && *stop)
			return;
}
