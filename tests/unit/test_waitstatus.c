/* SPDX-License-Identifier: MIT */
/*
 * test_waitstatus.c - a child's end in words, from real children: an exit
 * status, a signal, a core dump flag; never a raw number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "waitstatus.h"

/* The wait status of a child that runs @how: 0..255 exits, -SIG raises SIG. */
static int child_status(int how)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 }); /* no core file left */
		if (how < 0) {
			signal(-how, SIG_DFL); /* cmocka catches SIGSEGV in the test process */
			raise(-how);
		}
		_exit(how);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void test_exit(void **state)
{
	char buf[64];

	assert_string_equal(waitstatus_str(child_status(0), buf, sizeof(buf)),
			    "exited with status 0");
	assert_string_equal(waitstatus_str(child_status(2), buf, sizeof(buf)),
			    "exited with status 2");
}

static void test_signal(void **state)
{
	char buf[64];

	assert_string_equal(waitstatus_str(child_status(-SIGKILL), buf, sizeof(buf)),
			    "killed by SIGKILL");
	assert_string_equal(waitstatus_str(child_status(-SIGTERM), buf, sizeof(buf)),
			    "killed by SIGTERM");
	/* SIGSEGV's default action dumps core: with RLIMIT_CORE 0 the flag stays clear. */
	assert_string_equal(waitstatus_str(child_status(-SIGSEGV), buf, sizeof(buf)),
			    "killed by SIGSEGV");
}

static void test_synthetic(void **state)
{
	char buf[64];

	assert_string_equal(waitstatus_str(SIGABRT | 0x80, buf, sizeof(buf)),
			    "killed by SIGABRT (core dumped)");
	assert_string_equal(waitstatus_str(-1, buf, sizeof(buf)), "could not be waited for");
	assert_string_equal(waitstatus_str((SIGSTOP << 8) | 0x7f, buf, sizeof(buf)),
			    "stopped by SIGSTOP");
	assert_null(strstr(waitstatus_str(2 << 8, buf, sizeof(buf)), "0x"));
}

static void test_signame(void **state)
{
	char buf[32];

	assert_string_equal(waitstatus_signame(SIGINT, buf, sizeof(buf)), "SIGINT");
	assert_string_equal(waitstatus_signame(SIGTERM, buf, sizeof(buf)), "SIGTERM");
	assert_string_equal(waitstatus_signame(77, buf, sizeof(buf)), "signal 77");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_synthetic),
		cmocka_unit_test(test_signame),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
