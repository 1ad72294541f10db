/* SPDX-License-Identifier: MIT */
/*
 * initramfs.h - the initramfs a guest boots into, its /init included
 * (initramfs.c), and the marks that /init writes on the console.
 */
#ifndef HERD_KERNELS_INITRAMFS_H
#define HERD_KERNELS_INITRAMFS_H

#include "kernels/kernels.h"

/* What starts each line the guest's /init writes on the console. */
#define GUEST_MARK "herdlab-guest: "

/* The initramfs for @o at @path: 0, or -1 with @r->reason. */
int initramfs_build(const struct guest_opts *o, const char *path, struct guest_result *r);

#endif
