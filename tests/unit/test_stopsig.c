/* SPDX-License-Identifier: MIT */
/*
 * test_stopsig.c - SIGINT and SIGTERM as a request to stop: the signal is noted
 * and the process goes on; a blocking call the signal lands in returns EINTR
 * with STOP_INTERRUPT_CALLS and resumes with STOP_RESTART_CALLS. The signal
 * comes from a child, in the middle of the parent's read of a pipe.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "stopsig.h"

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Read a byte from a pipe while a child sends @sig to us after 50 ms and, with
 * @then_write, writes that byte 100 ms later. Returns read()'s result; *@err its errno.
 */
static ssize_t read_while_signalled(int sig, bool then_write, int *err)
{
	int fds[2];
	char c;

	assert_int_equal(pipe(fds), 0);
	pid_t parent = getpid(), child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(fds[0]);
		sleep_ms(50);
		kill(parent, sig);
		if (then_write) {
			sleep_ms(100);
			if (write(fds[1], "x", 1) != 1)
				_exit(1);
		}
		/* Without a byte, the pipe stays open well past the signal: the read
		 * must end by the signal (EINTR), not by an end of file racing it. */
		sleep_ms(then_write ? 0 : 200);
		_exit(0);
	}
	close(fds[1]);
	errno = 0;
	ssize_t n = read(fds[0], &c, 1);
	*err = errno;
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fds[0]);
	return n;
}

static void test_a_signal_is_noted_not_fatal(void **state)
{
	(void)state;
	stop_signal = 0;
	stop_on_signals(STOP_RESTART_CALLS);
	assert_int_equal(raise(SIGTERM), 0);
	assert_int_equal(stop_signal, SIGTERM);
	stop_signal = 0;
	assert_int_equal(raise(SIGINT), 0);
	assert_int_equal(stop_signal, SIGINT);
}

static void test_interrupted_calls_return_eintr(void **state)
{
	int err;

	(void)state;
	stop_signal = 0;
	stop_on_signals(STOP_INTERRUPT_CALLS);
	assert_int_equal(read_while_signalled(SIGINT, false, &err), -1);
	assert_int_equal(err, EINTR);
	assert_int_equal(stop_signal, SIGINT);
}

static void test_restarted_calls_resume(void **state)
{
	int err;

	(void)state;
	stop_signal = 0;
	stop_on_signals(STOP_RESTART_CALLS);
	assert_int_equal(read_while_signalled(SIGTERM, true, &err), 1);
	assert_int_equal(stop_signal, SIGTERM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_signal_is_noted_not_fatal),
		cmocka_unit_test(test_interrupted_calls_return_eintr),
		cmocka_unit_test(test_restarted_calls_resume),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
