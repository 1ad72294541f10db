/* SPDX-License-Identifier: MIT */
/*
 * docroot.h - GET /files/NAME: a name from the request, opened beneath --docroot
 * and nowhere else (docroot.c says how the two fences work).
 */
#ifndef HERD_DOCROOT_H
#define HERD_DOCROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct server;

/* Decode %XX escapes in place; -1 on a malformed escape or an encoded NUL. */
int docroot_decode(char *s, size_t *len);
/* The lexical rule: a relative path with no empty, "." or ".." component. */
bool docroot_name_ok(const char *name);
/*
 * Open the regular file @name beneath the docroot, without ever blocking; returns
 * the fd (O_NONBLOCK) and its size, or -400 (bad escape), -403 (outside, or not a
 * regular file: a directory, FIFO, device or socket) or -404 (missing).
 */
int docroot_open(const struct server *srv, const char *name, size_t len, uint64_t *size);

#endif
