/* SPDX-License-Identifier: MIT */
/*
 * files.h - whole files: made, read, copied, removed, and written so that they
 * appear complete or not at all.
 *
 * An output file is written beside its final name (NAME.tmp.PID) and renamed
 * over it once complete, so that a reader never sees half a file and a failure
 * leaves nothing. That holds only for regular files: a device, a FIFO or a
 * socket named as an output is written straight into (renaming over /dev/null
 * would replace the device with a file), and a directory is refused.
 *
 * Inputs are opened non-blocking and must be regular files, so that a FIFO named
 * as an input is refused instead of hanging the reader.
 */
#ifndef HERD_FILES_H
#define HERD_FILES_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* mkdir -p; 0 or -1 with errno. */
int files_mkdirs(const char *path, mode_t mode);

/* rm -rf (without following symlinks); a missing path is not an error. 0 or -1. */
int files_rmtree(const char *path);

/* The whole regular file @path, NUL-terminated, its length into @len (may be NULL).
 * NULL with errno (EINVAL for a file that is not regular). Free with free(). */
char *files_read(const char *path, size_t *len);

/* The last non-blank line of @path (containing @grep, when given) into @buf; "" if none. */
void files_last_line(const char *path, const char *grep, char *buf, size_t len);

/* A file appearing whole: opened, written through @f, then committed or discarded. */
struct afile {
	FILE *f;		 /* where to write */
	char path[PATH_MAX];	 /* the final name */
	char tmp[PATH_MAX + 24]; /* written until complete ("" when written in place) */
};

/* Open @path for writing; 0, or -1 with errno (EISDIR for a directory). */
int afile_open(struct afile *a, const char *path);

/* With @ok, the file takes its name; otherwise nothing is left of it. 0, or -1 with errno. */
int afile_close(struct afile *a, bool ok);

/* Can @path be written (an existing device or FIFO we may write, or a regular file or
 * new name whose temporary file can be made beside it: one is made and removed)?
 * Checked before work starts, so that a bad --out fails at once. 0 or -1. */
int files_check_writable(const char *path);

/* @len bytes of @data as the whole of @path (afile). 0 or -1 with errno. */
int files_write(const char *path, const void *data, size_t len);

/* Copy @from to @to (afile). 0 or -1 with errno. */
int files_copy(const char *from, const char *to);

#endif
