/* SPDX-License-Identifier: MIT */
/*
 * cpio.h - a gzip'ed "newc" cpio archive, the format of a Linux initramfs.
 *
 * Written from user space without privileges: device nodes and root-owned
 * files are only header fields here, nothing is created on the disk but the
 * archive. Every entry is owned by root, with a fixed mtime, so the same
 * inputs give the same archive.
 */
#ifndef HERD_CPIO_H
#define HERD_CPIO_H

#include <stddef.h>
#include <sys/types.h>

struct cpio;

/* Start an archive at @path (gzip level @level, 0 = stored). NULL with errno. */
struct cpio *cpio_open(const char *path, int level);
/* Entries; @name is relative ("bin/sh"), parents first. 0, or -1 with errno. */
int cpio_dir(struct cpio *c, const char *name, mode_t perm);
int cpio_data(struct cpio *c, const char *name, mode_t perm, const void *data, size_t len);
int cpio_file(struct cpio *c, const char *name, mode_t perm, const char *src);
int cpio_symlink(struct cpio *c, const char *name, const char *target);
int cpio_chardev(struct cpio *c, const char *name, mode_t perm, unsigned major, unsigned minor);
/* Write the trailer and close: 0 if every step since cpio_open() succeeded. */
int cpio_close(struct cpio *c);

#endif
