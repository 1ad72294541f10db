/* SPDX-License-Identifier: MIT */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *prog_name = "herdlab";
static bool quiet;

void log_init(const char *prog)
{
	const char *slash = prog;

	for (const char *p = prog; *p; p++)
		if (*p == '/')
			slash = p + 1;
	prog_name = slash;
}

const char *log_prog(void)
{
	return prog_name;
}

void log_set_quiet(bool q)
{
	quiet = q;
}

/* One write(2) per message, so lines from several processes never interleave. */
static void emit(const char *fmt, va_list ap)
{
	char line[1024];
	int saved = errno;
	int n = snprintf(line, sizeof(line), "%s[%d]: ", prog_name, (int)getpid());

	errno = saved;
	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (n >= (int)sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		(void)0; /* nowhere left to report it */
	errno = saved;
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	emit(fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(fmt, ap);
	va_end(ap);
	exit(EXIT_FAILURE);
}
