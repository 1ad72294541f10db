/* SPDX-License-Identifier: MIT */
/*
 * apt.h - apt's text, read: the machine's Debian mirror, apt-cache's fields.
 */
#ifndef HERD_KERNELS_APT_H
#define HERD_KERNELS_APT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/* A Debian archive the machine is configured with. */
struct mirror {
	char uri[512];		/* its first http(s) URI */
	char keyring[PATH_MAX]; /* Signed-By, or the default Debian keyring */
};

/* The machine's Debian mirror: sources.list, then sources.list.d in name order. 0 or -1 (@why). */
int apt_find_mirror(struct mirror *m, char *why, size_t whylen);

/* The first value of "@key: value" in a file (apt-cache's output), its first word into @out. */
bool apt_field(const char *path, const char *key, char *out, size_t len);

#endif
