/* SPDX-License-Identifier: MIT */
/*
 * test_profile.c - the profiler's user side without a kernel: the bucket
 * rules on fixed stacks (the innermost named frame wins, user code, other, no
 * name in two rows), the folded writer (merged, sorted, "stack count"), the
 * top stacks, the flame graph's layout on a tiny tree (a caller as wide as its
 * callees and self time, the widths adding up to the graph's) and its SVG,
 * and symbol lookup in this test's own ELF file through its own maps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile/buckets.h"
#include "profile/flame.h"
#include "profile/folded.h"
#include "profile/symbols.h"

static void test_buckets_innermost_named_frame(void **state)
{
	const char *fork_fault[] = { "herdsrv",
				     "main",
				     "fork",
				     "entry_SYSCALL_64_[k]",
				     "kernel_clone_[k]",
				     "copy_process_[k]",
				     "dup_mmap_[k]",
				     "asm_exc_page_fault_[k]",
				     "do_wp_page_[k]",
				     "clear_page_erms_[k]" };
	const char *fork_only[] = { "herdsrv", "kernel_clone_[k]", "copy_page_range_[k]",
				    "memcpy_[k]" };
	const char *user[] = { "herdsrv", "main", "herdsrv_burn_cpu" };
	const char *other[] = { "herdsrv", "entry_SYSCALL_64_[k]", "do_syscall_64_[k]" };
	const char *isra[] = { "herdsrv", "finish_task_switch.isra.0_[k]" };
	const char *prefix[] = { "herdsrv", "__x64_sys_epoll_wait_[k]", "foo_[k]" };

	(void)state;
	assert_int_equal(bucket_of(fork_fault, 10), BUCKET_FAULT);
	assert_int_equal(bucket_of(fork_only, 4), BUCKET_FORK);
	assert_int_equal(bucket_of(user, 3), BUCKET_USER);
	assert_int_equal(bucket_of(other, 3), BUCKET_OTHER);
	assert_int_equal(bucket_of(isra, 2), BUCKET_SCHED);
	assert_int_equal(bucket_of(prefix, 3), BUCKET_EPOLL);
	/* a user frame named like a kernel function is not one */
	const char *libc_wait[] = { "herdsrv", "wait4" };
	assert_int_equal(bucket_of(libc_wait, 2), BUCKET_USER);
}

static void test_buckets_folded_agrees(void **state)
{
	static const char *const lines[] = {
		"herdsrv;main;accept4;entry_SYSCALL_64_[k];__sys_accept4_[k];inet_csk_accept_[k]",
		"herdsrv;main;read;entry_SYSCALL_64_[k];tcp_recvmsg_locked_[k];_copy_to_user_[k]",
		"herdsrv;main;x_[k];schedule_[k];__schedule_[k]",
		"herdsrv;main",
		"swapper/0;do_idle_[k]",
		"herdsrv;futex_wait_[k]",
		"herdsrv;do_exit_[k];exit_mmap_[k]",
	};
	static const enum bucket want[] = { BUCKET_ACCEPT, BUCKET_NET,	 BUCKET_SCHED, BUCKET_USER,
					    BUCKET_OTHER,  BUCKET_LOCKS, BUCKET_EXIT };

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		assert_int_equal(bucket_of_folded(lines[i], strlen(lines[i])), want[i]);
	/* every bucket has a distinct key and title */
	for (int a = 0; a < NBUCKETS; a++)
		for (int b = a + 1; b < NBUCKETS; b++)
			assert_string_not_equal(bucket_key(a), bucket_key(b));
}

/* No function name is in two rows: each row's names, classified, give that row. */
static void test_buckets_no_name_twice(void **state)
{
	static const char *const names[] = {
		"kernel_clone",
		"copy_process",
		"dup_mm",
		"dup_mmap",
		"copy_page_range",
		"do_exit",
		"exit_mmap",
		"release_task",
		"do_wait",
		"asm_exc_page_fault",
		"do_user_addr_fault",
		"handle_mm_fault",
		"do_wp_page",
		"do_select",
		"do_sys_poll",
		"ep_poll",
		"ep_send_events",
		"inet_csk_accept",
		"do_accept",
		"tcp_sendmsg",
		"tcp_recvmsg",
		"do_sendfile",
		"net_rx_action",
		"__netif_receive_skb",
		"schedule",
		"__schedule",
		"try_to_wake_up",
		"do_futex",
		"__x64_sys_flock",
		"do_fcntl",
		"do_semtimedop",
	};
	static const enum bucket want[] = {
		BUCKET_FORK,  BUCKET_FORK,  BUCKET_FORK,   BUCKET_FORK,	  BUCKET_FORK,
		BUCKET_EXIT,  BUCKET_EXIT,  BUCKET_EXIT,   BUCKET_EXIT,	  BUCKET_FAULT,
		BUCKET_FAULT, BUCKET_FAULT, BUCKET_FAULT,  BUCKET_SELECT, BUCKET_SELECT,
		BUCKET_EPOLL, BUCKET_EPOLL, BUCKET_ACCEPT, BUCKET_ACCEPT, BUCKET_NET,
		BUCKET_NET,   BUCKET_NET,   BUCKET_NET,	   BUCKET_NET,	  BUCKET_SCHED,
		BUCKET_SCHED, BUCKET_SCHED, BUCKET_LOCKS,  BUCKET_LOCKS,  BUCKET_LOCKS,
		BUCKET_LOCKS,
	};
	char frame[128];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(frame, sizeof(frame), "%s_[k]", names[i]);
		const char *f[] = { "x", frame };
		assert_int_equal(bucket_of(f, 2), want[i]);
	}
}

static void test_folded_writer(void **state)
{
	struct folded f = FOLDED_INIT;
	char buf[512] = "";
	size_t idx[2];
	FILE *mem = fmemopen(buf, sizeof(buf), "w");

	(void)state;
	assert_int_equal(folded_add(&f, "a;b;c_[k]", 3), 0);
	assert_int_equal(folded_add(&f, "a;b", 5), 0);
	assert_int_equal(folded_add(&f, "a;b;c_[k]", 4), 0);
	assert_int_equal(folded_add(&f, "a;d", 1), 0);
	folded_finish(&f);
	assert_int_equal(f.stacks.len, 3);
	assert_int_equal(f.total, 13);
	assert_int_equal(folded_write(mem, &f), 0);
	fclose(mem);
	assert_string_equal(buf, "a;b 5\na;b;c_[k] 7\na;d 1\n");
	assert_int_equal(folded_top(&f, idx, 2), 2);
	assert_int_equal(idx[0], 1); /* a;b;c_[k]: 7 */
	assert_int_equal(idx[1], 0); /* a;b: 5 */
	folded_free(&f);
}

/* a (10) -> b (6: self 2, c 4), d (4) */
static void test_flame_layout_widths(void **state)
{
	struct folded f = FOLDED_INIT;
	struct flame_rect *r;

	(void)state;
	folded_add(&f, "a;b;c_[k]", 4);
	folded_add(&f, "a;b", 2);
	folded_add(&f, "a;d", 4);
	folded_finish(&f);
	ssize_t n = flame_layout(&f, 100, &r);
	assert_int_equal(n, 4); /* a, b, c, d */
	assert_true(r[0].depth == 0 && r[0].name_len == 1 && !strncmp(r[0].name, "a", 1));
	assert_true(fabs(r[0].w - 100) < 1e-9 && r[0].count == 10);
	double children = 0;
	for (ssize_t i = 0; i < n; i++)
		if (r[i].depth == 1)
			children += r[i].w;
	assert_true(fabs(children - r[0].w) < 1e-9); /* no self time in a */
	assert_true(!strncmp(r[1].name, "b", 1) && fabs(r[1].w - 60) < 1e-9 && r[1].x == 0);
	assert_true(!strncmp(r[2].name, "c_[k]", 5) && r[2].depth == 2 && fabs(r[2].w - 40) < 1e-9);
	assert_true(!strncmp(r[3].name, "d", 1) && fabs(r[3].x - 60) < 1e-9 &&
		    fabs(r[3].w - 40) < 1e-9);
	free(r);

	char *svg = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&svg, &len);
	assert_int_equal(flame_svg(mem, &f, "a <test>"), 0);
	fclose(mem);
	assert_non_null(strstr(svg, "<title>c_[k] (4 samples, 40.00%)</title>"));
	assert_non_null(strstr(svg, "a &lt;test&gt;"));
	assert_non_null(strstr(svg, "</svg>\n"));
	free(svg);
	folded_free(&f);
}

/* A name of this binary, found through this process's own maps and ELF symbols. */
__attribute__((noinline)) int profile_test_marker(int x);
__attribute__((noinline)) int profile_test_marker(int x)
{
	return x * 3 + 1;
}

static void test_symbols_own_elf(void **state)
{
	struct usyms *u = usyms_new();

	(void)state;
	assert_non_null(u);
	assert_int_equal(usyms_read_pid(u, getpid()), 0);
	uint64_t addr = (uint64_t)(uintptr_t)&profile_test_marker + 2;
	assert_string_equal(usyms_name(u, getpid(), addr), "profile_test_marker");
	assert_string_equal(usyms_name(u, getpid(), (uint64_t)(uintptr_t)&test_folded_writer),
			    "test_folded_writer"); /* static: from .symtab */
	/* a pid never read borrows the fallback's maps, and is counted */
	usyms_set_fallback(u, getpid());
	assert_string_equal(usyms_name(u, 1 << 30, addr), "profile_test_marker");
	assert_int_equal(usyms_borrowed(u), 1);
	assert_string_equal(usyms_name(u, getpid(), 8), "[unknown]");
	usyms_free(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets_innermost_named_frame),
		cmocka_unit_test(test_buckets_folded_agrees),
		cmocka_unit_test(test_buckets_no_name_twice),
		cmocka_unit_test(test_folded_writer),
		cmocka_unit_test(test_flame_layout_widths),
		cmocka_unit_test(test_symbols_own_elf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
