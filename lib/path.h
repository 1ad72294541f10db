/* SPDX-License-Identifier: MIT */
/*
 * path.h - building file names that are whole or refused, never truncated.
 *
 * A path that does not fit its buffer is an error the caller sees (-1 with
 * errno ENAMETOOLONG), not a silently shortened name that would then open,
 * create or delete the wrong file.
 */
#ifndef HERD_PATH_H
#define HERD_PATH_H

#include <stddef.h>

/* printf into @buf; 0, or -1 (ENAMETOOLONG) when it does not fit. */
int path_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* @dir/@name into @buf; 0 or -1 (ENAMETOOLONG). */
int path_join(char *buf, size_t len, const char *dir, const char *name);

/* The directory @path is in ("." for a bare name, "/" for a name under the root). */
void path_dirname(const char *path, char *dir, size_t len);

/* This program's own executable (/proc/self/exe); 0 or -1 with errno. */
int path_self_exe(char *buf, size_t len);

/* @name in the directory of this program's executable (build/herdsrv beside build/herdlab). */
int path_sibling(char *buf, size_t len, const char *name);

#endif
