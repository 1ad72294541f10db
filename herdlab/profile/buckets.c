/* SPDX-License-Identifier: MIT */
/*
 * buckets.c - the bucket rules (buckets.h): one table, read top to bottom.
 *
 * Each row is a bucket and the kernel functions that put a sample in it; a
 * name ending in '*' is a prefix. The names are those of Linux 5.10 to 6.18's
 * x86 kernels (the syscall wrappers are __x64_sys_*, __do_sys_*). A new row,
 * or a name added to one, is the whole of a change: the order of the rows does
 * not matter, only which frame is nearest the leaf. No name may be in two rows
 * (tests/unit/test_profile.c checks).
 *
 * This file includes only its own header by a relative name, so that a test
 * tool can compile it alone and classify perf script's stacks by these rules.
 */
#include "buckets.h"

#include <string.h>

#define MAX_NAMES 16 /* names per row */

static const struct {
	enum bucket b;
	const char *key;   /* profile.json's name */
	const char *title; /* the report's */
	const char *names[MAX_NAMES];
} rules[NBUCKETS] = {
	{ BUCKET_FORK,
	  "fork",
	  "fork/clone",
	  { "kernel_clone", "copy_process", "dup_mm", "dup_mmap", "copy_page_range",
	    "__do_sys_clone", "__do_sys_clone3", "__x64_sys_clone", "__x64_sys_clone3",
	    "__x64_sys_fork", "__x64_sys_vfork" } },
	{ BUCKET_EXIT,
	  "exit",
	  "exit and reaping",
	  { "do_exit", "do_group_exit", "exit_mmap", "exit_mm", "mmput", "release_task", "do_wait",
	    "kernel_wait4", "kernel_waitid", "__do_sys_wait4", "__x64_sys_wait4",
	    "__x64_sys_waitid", "wait_consider_task" } },
	{ BUCKET_FAULT,
	  "page_fault",
	  "page faults",
	  { "asm_exc_page_fault", "exc_page_fault", "do_user_addr_fault", "handle_mm_fault",
	    "__handle_mm_fault", "do_wp_page", "wp_page_copy", "do_anonymous_page", "do_fault",
	    "do_read_fault", "do_cow_fault", "do_pte_missing" } },
	{ BUCKET_SELECT,
	  "select_poll",
	  "select/poll",
	  { "do_select", "core_sys_select", "do_sys_poll", "do_poll", "__x64_sys_select",
	    "__x64_sys_pselect6", "__x64_sys_poll", "__x64_sys_ppoll" } },
	{ BUCKET_EPOLL,
	  "epoll",
	  "epoll",
	  { "ep_*", "do_epoll_*", "__x64_sys_epoll_*", "__do_sys_epoll_*" } },
	{ BUCKET_ACCEPT,
	  "accept",
	  "accept",
	  { "inet_csk_accept", "inet_accept", "do_accept", "__sys_accept4", "__sys_accept4_file",
	    "__x64_sys_accept", "__x64_sys_accept4" } },
	{ BUCKET_NET,
	  "net",
	  "network send/receive",
	  { "tcp_sendmsg*", "tcp_recvmsg*", "do_sendfile", "__x64_sys_sendfile64", "sock_sendmsg",
	    "sock_recvmsg", "net_rx_action", "__netif_receive_skb*", "tcp_close",
	    "tcp_v4_connect" } },
	{ BUCKET_SCHED,
	  "sched",
	  "scheduler",
	  { "schedule", "__schedule", "schedule_*", "try_to_wake_up", "finish_task_switch",
	    "ttwu_*", "pick_next_task*" } },
	{ BUCKET_LOCKS,
	  "locks",
	  "locks",
	  { "futex_*", "do_futex", "__x64_sys_futex", "__x64_sys_flock", "locks_lock_*",
	    "flock_lock_inode", "do_fcntl", "__x64_sys_fcntl", "fcntl_setlk", "do_semtimedop",
	    "__x64_sys_semop", "__x64_sys_semtimedop" } },
	{ BUCKET_USER, "user", "user code", { NULL } },
	{ BUCKET_OTHER, "other", "other (kernel)", { NULL } },
};

const char *bucket_key(enum bucket b)
{
	return b < NBUCKETS ? rules[b].key : "?";
}

const char *bucket_title(enum bucket b)
{
	return b < NBUCKETS ? rules[b].title : "?";
}

#define KMARK	  "_[k]"
#define KMARK_LEN 4

/* The length of function name @f (@len bytes) without ".isra.0", ".cold" and the like. */
static size_t base_len(const char *f, size_t len)
{
	const char *dot = memchr(f, '.', len);

	return dot ? (size_t)(dot - f) : len;
}

/* Whether @name (a row's, '*' ending a prefix) names function @f of @len bytes. */
static int names(const char *name, const char *f, size_t len)
{
	size_t n = strlen(name);

	if (n && name[n - 1] == '*')
		return len >= n - 1 && !memcmp(name, f, n - 1);
	return len == n && !memcmp(name, f, n);
}

/* The bucket of kernel function @f (@len bytes, no mark), or NBUCKETS for none. */
static enum bucket bucket_of_function(const char *f, size_t len)
{
	len = base_len(f, len);
	for (int b = 0; b < NBUCKETS; b++)
		for (int i = 0; i < MAX_NAMES && rules[b].names[i]; i++)
			if (names(rules[b].names[i], f, len))
				return rules[b].b;
	return NBUCKETS;
}

/* Frame @f of @len bytes: its bucket if a kernel frame a row names; *@kernel if kernel. */
static enum bucket frame_bucket(const char *f, size_t len, int *kernel)
{
	if (len < KMARK_LEN || memcmp(f + len - KMARK_LEN, KMARK, KMARK_LEN))
		return NBUCKETS;
	*kernel = 1;
	return bucket_of_function(f, len - KMARK_LEN);
}

enum bucket bucket_of(const char *const *frames, size_t n)
{
	int kernel = 0;

	for (size_t i = n; i-- > 0;) {
		enum bucket b = frame_bucket(frames[i], strlen(frames[i]), &kernel);
		if (b != NBUCKETS)
			return b;
	}
	return kernel ? BUCKET_OTHER : BUCKET_USER;
}

enum bucket bucket_of_folded(const char *stack, size_t len)
{
	int kernel = 0;
	size_t end = len;

	while (end > 0) {
		size_t start = end;
		while (start > 0 && stack[start - 1] != ';')
			start--;
		enum bucket b = frame_bucket(stack + start, end - start, &kernel);
		if (b != NBUCKETS)
			return b;
		end = start ? start - 1 : 0;
	}
	return kernel ? BUCKET_OTHER : BUCKET_USER;
}
