/* SPDX-License-Identifier: MIT */
/*
 * buckets.h - where a CPU sample's time went, by the functions on its stack.
 *
 * A bucket is a named set of kernel functions (buckets.c: one table, a row per
 * bucket). A sample belongs to the bucket of the first kernel frame, from the
 * leaf towards the root, that a row names; a sample with no kernel frame at
 * all is user code; one whose kernel frames no row names is other. So every
 * sample is in exactly one bucket, and a fork that faults while copying page
 * tables is page-fault time, not fork time: the innermost named function wins.
 *
 * Frames are as in a folded stack: kernel frames end in "_[k]" (flamegraph.pl's
 * mark), and compiler suffixes (".isra.0", ".constprop.0", ".cold") are
 * ignored, so that perf script's stacks, folded the same way, are classified by
 * the same rules.
 */
#ifndef HERD_PROFILE_BUCKETS_H
#define HERD_PROFILE_BUCKETS_H

#include <stddef.h>

enum bucket {
	BUCKET_FORK,   /* fork/clone: kernel_clone, copy_process, dup_mmap, copy_page_range */
	BUCKET_EXIT,   /* exit and reaping: do_exit, exit_mmap, release_task, wait4 */
	BUCKET_FAULT,  /* page faults: asm_exc_page_fault ... do_wp_page */
	BUCKET_SELECT, /* select/poll: do_select, do_sys_poll */
	BUCKET_EPOLL,  /* epoll: ep_poll, ep_send_events */
	BUCKET_ACCEPT, /* accept: inet_csk_accept, do_accept */
	BUCKET_NET,    /* network send/receive, the loopback softirq */
	BUCKET_SCHED,  /* scheduler: schedule, __schedule, try_to_wake_up */
	BUCKET_LOCKS,  /* locks: futex, flock, fcntl, semop */
	BUCKET_USER,   /* user code: no kernel frame */
	BUCKET_OTHER,  /* kernel frames no row names */
	NBUCKETS,
};

/* The bucket's name in profile.json and run.json ("fork"), and in words ("fork/clone"). */
const char *bucket_key(enum bucket b);
const char *bucket_title(enum bucket b);

/* The bucket of a stack given as @n frames, root first (a folded line's, split at ';'). */
enum bucket bucket_of(const char *const *frames, size_t n);

/* The same for one folded stack "a;b;c_[k]" (without its count); @len bytes of it. */
enum bucket bucket_of_folded(const char *stack, size_t len);

#endif
