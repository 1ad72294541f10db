/* SPDX-License-Identifier: MIT */
/* files.c - whole files (files.h). */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "path.h"

int files_mkdirs(const char *path, mode_t mode)
{
	char buf[PATH_MAX];

	if (path_fmt(buf, sizeof(buf), "%s", path) < 0)
		return -1;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, mode) < 0 && errno != EEXIST ? -1 : 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int files_rmtree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *files_read(const char *path, size_t *lenp)
{
	struct stat st;
	size_t len = 0, cap;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), err;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		goto fail;
	}
	/* /proc and /sys files say size 0: read to the end whatever st_size says. */
	cap = (size_t)st.st_size + 1 > 4096 ? (size_t)st.st_size + 1 : 4096;
	if (!(buf = malloc(cap)))
		goto fail;
	for (;;) {
		if (len + 1 == cap) {
			char *p = realloc(buf, cap * 2);
			if (!p)
				goto fail;
			buf = p, cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = 0;
	if (lenp)
		*lenp = len;
	return buf;
fail:
	err = errno;
	free(buf);
	close(fd);
	errno = err;
	return NULL;
}

void files_last_line(const char *path, const char *grep, char *buf, size_t len)
{
	char line[1024];
	FILE *f = fopen(path, "re");

	buf[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *e;
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		e = s + strcspn(s, "\r\n");
		*e = 0;
		if (*s && (!grep || strstr(s, grep)))
			snprintf(buf, len, "%s", s);
	}
	fclose(f);
}

int afile_open(struct afile *a, const char *path)
{
	struct stat st;

	memset(a, 0, sizeof(*a));
	if (path_fmt(a->path, sizeof(a->path), "%s", path) < 0)
		return -1;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* A device, FIFO or socket: written into, never replaced. */
		a->f = fopen(path, "we");
		return a->f ? 0 : -1;
	}
	if (path_fmt(a->tmp, sizeof(a->tmp), "%s.tmp.%d", path, (int)getpid()) < 0)
		return -1;
	a->f = fopen(a->tmp, "wxe");
	if (!a->f) {
		int err = errno;
		a->tmp[0] = 0;
		errno = err;
		return -1;
	}
	return 0;
}

int afile_close(struct afile *a, bool ok)
{
	int err = 0;

	if (!a->f)
		return ok ? 0 : -1;
	if (ferror(a->f)) {
		err = errno ? errno : EIO;
		ok = false;
	}
	if (fclose(a->f) && ok) {
		err = errno;
		ok = false;
	}
	a->f = NULL;
	if (a->tmp[0]) {
		if (ok && rename(a->tmp, a->path) < 0) {
			err = errno;
			ok = false;
		}
		if (!ok)
			unlink(a->tmp);
		a->tmp[0] = 0;
	}
	if (!ok) {
		errno = err ? err : ECANCELED;
		return -1;
	}
	return 0;
}

int files_check_writable(const char *path)
{
	struct stat st;
	char dir[PATH_MAX];

	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			errno = EISDIR;
			return -1;
		}
		if (!S_ISREG(st.st_mode))
			return access(path, W_OK);
	} else if (errno != ENOENT) {
		return -1;
	}
	/* A regular file is replaced by a rename: its directory must take new names. Make
	 * the temporary file and remove it: access() says yes to root everywhere (/proc
	 * too), making a file is the only answer that holds. */
	path_dirname(path, dir, sizeof(dir));
	if (stat(dir, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	struct afile a;
	if (afile_open(&a, path) < 0)
		return -1;
	afile_close(&a, false);
	return 0;
}

int files_write(const char *path, const void *data, size_t len)
{
	struct afile a;

	if (afile_open(&a, path) < 0)
		return -1;
	return afile_close(&a, fwrite(data, 1, len, a.f) == len);
}

int files_copy(const char *from, const char *to)
{
	char buf[65536];
	struct afile a;
	size_t n;
	bool ok = true;
	FILE *in = fopen(from, "re");

	if (!in)
		return -1;
	if (afile_open(&a, to) < 0) {
		int err = errno;
		fclose(in);
		errno = err;
		return -1;
	}
	while (ok && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		ok = fwrite(buf, 1, n, a.f) == n;
	if (ferror(in))
		ok = false;
	fclose(in);
	return afile_close(&a, ok);
}
