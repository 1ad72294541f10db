/* SPDX-License-Identifier: MIT */
/*
 * progress.c - the progress line (progress.h).
 *
 * Written with write(2) in one piece, so that a line is never interleaved with
 * a child's output on the same terminal.
 */
#include "progress.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "clock.h"

static struct {
	int index, total; /* the item running now, 1-based, of total */
	uint64_t start;	  /* progress_start()'s CLOCK_MONOTONIC time */
	double left;	  /* the estimated seconds left (< 0: none) */
	bool tty;	  /* redraw in place */
	bool open;	  /* a progress line is on the terminal, not ended */
} progress = { .left = -1 };

void progress_start(int total, bool tty)
{
	progress.start = clock_now_ns();
	progress.total = total;
	progress.tty = tty;
	progress.left = -1;
}

void progress_index(int index)
{
	progress.index = index;
}

void progress_left(double seconds)
{
	progress.left = seconds;
}

void progress_say(const char *fmt, ...)
{
	char msg[512], left[32] = "", line[680];
	va_list ap;
	unsigned s = (unsigned)((clock_now_ns() - progress.start) / NSEC_PER_SEC);

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (progress.left >= 0) {
		unsigned l = (unsigned)(progress.left + 0.5);
		snprintf(left, sizeof(left), ", ~%u:%02u left", l / 60, l % 60);
	}
	int n = snprintf(line, sizeof(line), "%s[%d/%d %u:%02u%s] %s%s",
			 progress.tty ? "\r\033[K" : "", progress.index, progress.total, s / 60,
			 s % 60, left, msg, progress.tty ? "" : "\n");
	if (write(STDERR_FILENO, line,
		  (size_t)(n < (int)sizeof(line) ? n : (int)sizeof(line) - 1)) < 0)
		return;
	progress.open = progress.tty;
}

void progress_break(void)
{
	if (progress.open && write(STDERR_FILENO, "\n", 1) == 1)
		progress.open = false;
}
