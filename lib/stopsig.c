/* SPDX-License-Identifier: MIT */
/* stopsig.c - SIGINT and SIGTERM as a request to stop (stopsig.h). */
#include "stopsig.h"

volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

void stop_on_signals(enum stop_calls calls)
{
	struct sigaction sa = {
		.sa_handler = on_stop,
		.sa_flags = calls == STOP_RESTART_CALLS ? SA_RESTART : 0,
	};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}
