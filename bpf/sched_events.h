/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * sched_events.h - what sched_events.bpf.c and its loader (sched_trace.c)
 * share: the one record the kernel side sends for each scheduling event of a
 * target task, and the layout of sched.bin, the run directory's file of them.
 *
 * The object is loaded only when asked for (herdlab run --causes or
 * --timeline): it sends a record per switch and wakeup of every target, which
 * the default tracer must not pay for. Everything made of the records (why a
 * request was slow, who was woken first, the timeline) is computed after the
 * run in user space (herdlab/causes/), from sched.bin and the run's tables.
 *
 * Only fixed-size types: this file is compiled for BPF and for user space.
 */
#ifndef HERD_SCHED_EVENTS_H
#define HERD_SCHED_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define SCHED_RINGBUF_SIZE (16 << 20)
#define SCHED_RINGBUF_WAKE (SCHED_RINGBUF_SIZE / 4) /* wake the reader past this */

enum sched_rec_type {
	SCHED_SWITCH = 1, /* a CPU switched from tid to other; one of them is a target */
	SCHED_WAKING,	  /* target tid was woken by other (sched_waking) */
	SCHED_WAKEUP_NEW, /* target tid was created and is runnable (sched_wakeup_new) */
};

/* SCHED_SWITCH's flags. */
#define SCHED_PREV_TARGET (1u << 0) /* tid (prev) is a target */
#define SCHED_NEXT_TARGET (1u << 1) /* other (next) is a target */
#define SCHED_PREEMPTED	  (1u << 2) /* prev stays runnable (preempted, or yielded) */
#define SCHED_PREV_DEAD	  (1u << 3) /* prev's last switch: it never runs again */
#define SCHED_NR_KNOWN	  (1u << 4) /* nr and arg1 were read from prev's registers */
#define SCHED_SEED	  (1u << 5) /* not the kernel's: prev was asleep in nr when recording began */

struct sched_rec {
	__u64 ts;     /* bpf_ktime_get_ns(): the clock of connections.csv and requests.csv */
	__u64 sk;     /* WAKING inside an arrival window: the connection's socket (0: none) */
	__u64 est_ns; /* ... the window's handshake time: connections.csv's established_ns */
	__u32 tid;    /* SWITCH: prev; WAKING/WAKEUP_NEW: the woken task */
	__u32 other;  /* SWITCH: next; WAKING: the waker (the current task; 0: an interrupt) */
	__u32 cpu;    /* where it happened */
	__u16 type;   /* enum sched_rec_type */
	__u16 flags;  /* SCHED_* above */
	__s32 nr;     /* SWITCH, prev asleep: the system call it sleeps in (-1: unknown) */
	__s32 arg1;   /* ... its second argument (futex's op, fcntl's cmd) */
	__u32 wait;   /* ... enum herd_wait of that call */
	__u32 pad;
	char comm[16]; /* SWITCH: the name of whichever of prev and next is not a target */
};

/* sched.bin: this header, then struct sched_rec after struct sched_rec. */
#define SCHED_FILE_MAGIC "HLSCHED1"
struct sched_file_head {
	char magic[8];	/* SCHED_FILE_MAGIC, not NUL-terminated */
	__u32 rec_size; /* sizeof(struct sched_rec): a reader refuses another */
	__u32 pad;
	__u64 start_ns; /* when recording began */
};

#endif
