/* SPDX-License-Identifier: MIT */
/*
 * console.h - what a guest's console said (console.c).
 */
#ifndef HERD_KERNELS_CONSOLE_H
#define HERD_KERNELS_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kernels/kernels.h"

/* A console being followed: { .fd = console.log opened for reading, .nmi_cpu = -1 }. */
struct console {
	int fd;
	char line[1024]; /* the line being read */
	size_t len;
	char last[256];	  /* the last complete non-empty line */
	char panic[256];  /* "Kernel panic - not syncing: ..." */
	char model[64];	  /* the model running now */
	char stuck[64];	  /* the last model said to be stuck */
	char nmi_at[200]; /* where the NMI asked of a stalled guest found its CPUs */
	int nmi_cpu;	  /* the CPU whose registers come next in its panic, or -1 */
	bool nmi;	  /* the guest said it received that NMI */
	char failed[256]; /* the first "log M: ..." line of a failed model */
	bool up, sending;
	int done;
	off_t bytes; /* read so far */
};

/* Read what the console (@c->fd) has grown by, line by line; progress is said,
 * @r->booted and boot_s set when /init starts (@start: qemu's start). */
void console_poll(struct console *c, const struct guest_opts *o, struct guest_result *r,
		  uint64_t start);

/* @r->reason for a guest silent for --stall-timeout: in which model, the console's
 * @last line before, and where the NMI found each CPU. */
void console_stall_reason(const struct guest_opts *o, struct guest_result *r,
			  const struct console *c, const char *last);

#endif
