/* SPDX-License-Identifier: MIT */
/*
 * test_attach.c - the choice of the tracer's path (bpf/attach.c): auto takes
 * fexit only where it can run, a forced path is taken or refused with its
 * reason, never swapped for the other.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "../../bpf/attach.c"

static void test_names(void **state)
{
	enum tracer_attach a = ATTACH_FEXIT;

	(void)state;
	for (int i = ATTACH_AUTO; i <= ATTACH_FEXIT; i++) {
		assert_int_equal(attach_parse(attach_name((enum tracer_attach)i), &a), 0);
		assert_int_equal(a, i);
	}
	assert_int_equal(attach_parse("fentry", &a), -1);
	assert_int_equal(attach_parse("", &a), -1);
	assert_int_equal(attach_parse(NULL, &a), -1);
	assert_string_equal(attach_name(ATTACH_TRACEPOINTS), "tracepoints");
}

static void test_auto(void **state)
{
	char why[256] = "";

	(void)state;
	assert_int_equal(attach_choose(ATTACH_AUTO, true, 0, true, true, why, sizeof(why)),
			 ATTACH_FEXIT);
	/* refused (this host), or no registers (5.10): tracepoints, silently */
	assert_int_equal(attach_choose(ATTACH_AUTO, false, EPERM, false, true, why, sizeof(why)),
			 ATTACH_TRACEPOINTS);
	assert_int_equal(attach_choose(ATTACH_AUTO, true, 0, true, false, why, sizeof(why)),
			 ATTACH_TRACEPOINTS);
	assert_string_equal(why, "");
}

static void test_forced(void **state)
{
	char why[256] = "";

	(void)state;
	assert_int_equal(attach_choose(ATTACH_TRACEPOINTS, true, 0, true, true, why, sizeof(why)),
			 ATTACH_TRACEPOINTS);
	assert_int_equal(attach_choose(ATTACH_FEXIT, true, 0, true, true, why, sizeof(why)),
			 ATTACH_FEXIT);
	assert_int_equal(attach_choose(ATTACH_FEXIT, false, EPERM, false, true, why, sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "loading one failed"));
	assert_non_null(strstr(why, strerror(EPERM)));
	assert_non_null(strstr(why, "--attach tracepoints"));
	assert_int_equal(attach_choose(ATTACH_FEXIT, false, EPERM, true, true, why, sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "attaching one failed"));
	assert_int_equal(attach_choose(ATTACH_FEXIT, true, 0, true, false, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "5.15"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_auto),
		cmocka_unit_test(test_forced),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
