/* SPDX-License-Identifier: MIT */
/*
 * cpio.c - the "newc" format (Documentation/driver-api/early-userspace/
 * buffer-format.rst): per entry a 110-byte ASCII header ("070701" and 13 fields
 * of 8 hex digits), the NUL-terminated name padded to 4 bytes, the data padded
 * to 4 bytes; "TRAILER!!!" ends the archive. The kernel unpacks it gzip'ed.
 */
#include "kernels/cpio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <zlib.h>

struct cpio {
	gzFile gz;
	unsigned long ino; /* next inode number */
	size_t off;	   /* bytes written (uncompressed), for the padding */
	int err;	   /* the first errno seen, sticky */
};

static void put(struct cpio *c, const void *buf, size_t len)
{
	if (c->err || !len)
		return;
	if (gzwrite(c->gz, buf, (unsigned)len) != (int)len)
		c->err = errno ? errno : EIO;
	c->off += len;
}

static void pad4(struct cpio *c)
{
	static const char zero[4];

	put(c, zero, (4 - c->off % 4) % 4);
}

static void header(struct cpio *c, const char *name, mode_t mode, size_t size, unsigned rmajor,
		   unsigned rminor)
{
	char h[111];
	size_t namesize = strlen(name) + 1;

	if (size > 0xffffffffUL) {
		c->err = c->err ? c->err : EFBIG;
		return;
	}
	/* ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check */
	snprintf(h, sizeof(h), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 (uint32_t)++c->ino, (uint32_t)mode, 0u, 0u, S_ISDIR(mode) ? 2u : 1u, 0u,
		 (uint32_t)size, 0u, 0u, (uint32_t)rmajor, (uint32_t)rminor, (uint32_t)namesize,
		 0u);
	put(c, h, 110);
	put(c, name, namesize);
	pad4(c);
}

static int entry_data(struct cpio *c, const char *name, mode_t mode, const void *data, size_t len)
{
	header(c, name, mode, len, 0, 0);
	put(c, data, len);
	pad4(c);
	errno = c->err;
	return c->err ? -1 : 0;
}

struct cpio *cpio_open(const char *path, int level)
{
	char m[8];
	struct cpio *c = calloc(1, sizeof(*c));
	int fd;

	if (!c)
		return NULL;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	snprintf(m, sizeof(m), "wb%d", level < 0 ? 1 : level > 9 ? 9 : level);
	if (fd < 0 || !(c->gz = gzdopen(fd, m))) {
		int err = errno ? errno : ENOMEM;
		if (fd >= 0)
			close(fd);
		free(c);
		errno = err;
		return NULL;
	}
	return c;
}

int cpio_dir(struct cpio *c, const char *name, mode_t perm)
{
	return entry_data(c, name, S_IFDIR | (perm & 07777), NULL, 0);
}

int cpio_data(struct cpio *c, const char *name, mode_t perm, const void *data, size_t len)
{
	return entry_data(c, name, S_IFREG | (perm & 07777), data, len);
}

int cpio_symlink(struct cpio *c, const char *name, const char *target)
{
	return entry_data(c, name, S_IFLNK | 0777, target, strlen(target));
}

int cpio_chardev(struct cpio *c, const char *name, mode_t perm, unsigned major, unsigned minor)
{
	header(c, name, S_IFCHR | (perm & 07777), 0, major, minor);
	errno = c->err;
	return c->err ? -1 : 0;
}

int cpio_file(struct cpio *c, const char *name, mode_t perm, const char *src)
{
	char buf[1 << 16];
	struct stat st;
	size_t left;
	int fd = open(src, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int err = fd < 0 ? errno : S_ISREG(st.st_mode) ? errno : EINVAL;
		if (fd >= 0)
			close(fd);
		errno = err;
		return -1; /* a missing input is the caller's to report; the archive is fine */
	}
	header(c, name, S_IFREG | (perm & 07777), (size_t)st.st_size, 0, 0);
	for (left = (size_t)st.st_size; left && !c->err;) {
		ssize_t n = read(fd, buf, left < sizeof(buf) ? left : sizeof(buf));
		if (n <= 0) {
			c->err =
				n < 0 ? errno : EIO; /* it shrank under us: the archive is broken */
			break;
		}
		put(c, buf, (size_t)n);
		left -= (size_t)n;
	}
	close(fd);
	pad4(c);
	errno = c->err;
	return c->err ? -1 : 0;
}

int cpio_close(struct cpio *c)
{
	int err, rc;

	if (!c)
		return -1;
	header(c, "TRAILER!!!", 0, 0, 0, 0);
	err = c->err;
	rc = gzclose(c->gz);
	if (!err && rc != Z_OK)
		err = EIO;
	free(c);
	errno = err;
	return err ? -1 : 0;
}
