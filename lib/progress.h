/* SPDX-License-Identifier: MIT */
/*
 * progress.h - a long command's one progress line, on stderr.
 *
 * A command that works through a list (herdlab kernels: the kernels; herdlab
 * study: its cells) says what it does now on one line, "[I/N M:SS] what", or
 * "[I/N M:SS, ~M:SS left] what" once it has an estimate of the time left. The
 * line is redrawn in place on a terminal and written one per message otherwise.
 * The parts below the command only say; the command sets which item of how
 * many is running, and the estimate, so that no part calls up into it.
 */
#ifndef HERD_PROGRESS_H
#define HERD_PROGRESS_H

#include <stdbool.h>

/* Start the clock for @total items; @tty: redraw one line in place (a terminal). */
void progress_start(int total, bool tty);

/* The item running now, 1-based. */
void progress_index(int index);

/* The estimated seconds left, shown from now on (negative: no estimate). */
void progress_left(double seconds);

/* What runs now, as the progress line. */
void progress_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* End the progress line, so that a message can follow on a line of its own. */
void progress_break(void);

#endif
