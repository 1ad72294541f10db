/* SPDX-License-Identifier: MIT */
/*
 * docroot.c - GET /files/NAME: open a file beneath --docroot, and nothing else.
 *
 * Two fences. First a lexical one (docroot_name_ok): after %XX decoding the name must
 * be relative with no "..", "." or empty component, so "../", "/etc/passwd" and
 * "a//b" are refused with 403 before the filesystem is touched. Then the kernel's:
 * openat2(RESOLVE_BENEATH) refuses any path, symlinks included, that resolves
 * outside the docroot (EXDEV -> 403). Kernels without openat2 (before 5.6) get the
 * same rule by comparing the opened file's real path with the docroot's.
 *
 * Only regular files are served. The name is opened O_NONBLOCK, because opening
 * a FIFO for reading blocks until a writer comes, and one FIFO in the docroot
 * would otherwise freeze an event loop (and every connection it holds) inside
 * open(2). A FIFO, device or socket is then refused with 403, as a directory
 * is; a missing name is 404. (O_NONBLOCK means nothing to a regular file's
 * reads, so the descriptor is served as it is.)
 */
#include "docroot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "http.h"
#include "server.h"

int docroot_decode(char *s, size_t *len)
{
	size_t r = 0, w = 0;

	while (r < *len) {
		if (s[r] != '%') {
			s[w++] = s[r++];
			continue;
		}
		if (r + 2 >= *len)
			return -1;
		int hi = http_hexval(s[r + 1]), lo = http_hexval(s[r + 2]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			return -1;
		s[w++] = (char)(hi << 4 | lo);
		r += 3;
	}
	*len = w;
	s[w] = '\0';
	return 0;
}

bool docroot_name_ok(const char *name)
{
	const char *p = name;

	if (*p == '\0' || *p == '/')
		return false;
	while (*p) {
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p = *end ? end + 1 : end;
		if (*end && *p == '\0') /* a trailing slash names a directory */
			return false;
	}
	return true;
}

/* Never block in open(2) (a FIFO), never take a terminal. */
#define OPEN_FLAGS (O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)

/* Before openat2: open, then check that the file really lies beneath the docroot. */
static int open_beneath_fallback(int dirfd, const char *name)
{
	char dir[PATH_MAX], file[PATH_MAX], link[64];
	int fd = openat(dirfd, name, OPEN_FLAGS);

	if (fd < 0)
		return -1;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
	ssize_t dn = readlink(link, dir, sizeof(dir) - 1);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t fn = readlink(link, file, sizeof(file) - 1);
	if (dn <= 0 || fn <= dn || strncmp(dir, file, (size_t)dn) != 0 || file[dn] != '/') {
		close(fd);
		errno = EXDEV;
		return -1;
	}
	return fd;
}

static int open_beneath(int dirfd, const char *name)
{
	static bool no_openat2;
	struct open_how how = { .flags = OPEN_FLAGS,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };

	if (!no_openat2) {
		int fd = (int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
		if (fd >= 0 || errno != ENOSYS)
			return fd;
		no_openat2 = true;
	}
	return open_beneath_fallback(dirfd, name);
}

int docroot_open(const struct server *srv, const char *name, size_t len, uint64_t *size)
{
	char path[1024];
	struct stat st;

	if (srv->docroot_fd < 0 || len == 0)
		return -404;
	if (len >= sizeof(path))
		return -404;
	memcpy(path, name, len);
	path[len] = '\0';
	if (docroot_decode(path, &len) < 0)
		return -400;
	if (!docroot_name_ok(path))
		return -403;
	int fd = open_beneath(srv->docroot_fd, path);
	if (fd < 0) /* EXDEV: outside; ENXIO: a socket, or a device with no driver; EACCES */
		return (errno == ENOENT || errno == ENOTDIR) ? -404 : -403;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -404;
	}
	if (!S_ISREG(st.st_mode)) { /* a directory (as nginx without an index), FIFO, device */
		close(fd);
		return -403;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}
