/* SPDX-License-Identifier: MIT */
/* version.h - the version herdlab reports in what it writes (git describe at build time). */
#ifndef HERDLAB_VERSION_H
#define HERDLAB_VERSION_H

extern const char herdlab_version[];

#endif
