/* SPDX-License-Identifier: MIT */
/*
 * version.c - the one object that holds the version: the Makefile rebuilds it
 * whenever `git describe` changes, so a run never reports a stale one.
 */
#include "version.h"

const char herdlab_version[] = HERDLAB_VERSION;
