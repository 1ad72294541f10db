/* SPDX-License-Identifier: MIT */
/*
 * stopsig.h - SIGINT and SIGTERM as a request to stop, for a command whose
 * work is a long loop: the handler only notes the signal, and the loop checks
 * stop_signal between its steps, so that a stopped command still cleans up
 * (its children reaped, its BPF programs detached) and says that its results
 * are incomplete.
 */
#ifndef HERD_STOPSIG_H
#define HERD_STOPSIG_H

#include <signal.h>

/* The signal that asked to stop (0: none yet). */
extern volatile sig_atomic_t stop_signal;

enum stop_calls {
	STOP_RESTART_CALLS,   /* a blocking call resumes: the loop polls on its own clock */
	STOP_INTERRUPT_CALLS, /* a blocking call returns EINTR: the stop is seen at once */
};

/* From now on SIGINT and SIGTERM set stop_signal; @calls: what they do to a call they land in. */
void stop_on_signals(enum stop_calls calls);

#endif
