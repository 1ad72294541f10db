/* SPDX-License-Identifier: MIT */
/*
 * progress.h - the one progress line of herdlab kernels, on stderr.
 *
 * Every part of the matrix says what it does now (the fetcher downloading, the
 * guest booting, the host running a model, the comparison being written) on one
 * line, "[KERNEL/KERNELS M:SS] what", redrawn in place on a terminal and one
 * line per message otherwise. The parts only say; the command sets which kernel
 * of how many is running, so that no part below the command calls up into it.
 */
#ifndef HERD_KERNELS_PROGRESS_H
#define HERD_KERNELS_PROGRESS_H

#include <stdbool.h>

/* Start the clock for @total kernels; @tty: redraw one line in place (a terminal). */
void progress_start(int total, bool tty);

/* The kernel running now, 1-based. */
void progress_kernel(int index);

/* What runs now, as the progress line. */
void progress_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* End the progress line, so that a message can follow on a line of its own. */
void progress_break(void);

#endif
