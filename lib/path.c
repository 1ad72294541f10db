/* SPDX-License-Identifier: MIT */
/* path.c - file names whole or refused (path.h). */
#include "path.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int fits(int n, size_t len)
{
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int path_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return fits(n, len);
}

int path_join(char *buf, size_t len, const char *dir, const char *name)
{
	return path_fmt(buf, len, "%s/%s", dir, name);
}

void path_dirname(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

int path_self_exe(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len);

	if (n <= 0)
		return -1;
	if ((size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	buf[n] = 0;
	return 0;
}

int path_sibling(char *buf, size_t len, const char *name)
{
	char self[4096], dir[4096];

	if (path_self_exe(self, sizeof(self)) < 0)
		return -1;
	path_dirname(self, dir, sizeof(dir));
	return path_join(buf, len, dir, name);
}
