/* SPDX-License-Identifier: MIT */
/*
 * test_files.c - GET /files/NAME never leaves the docroot: the lexical rule,
 * %XX decoding, and the kernel-enforced rule on a real directory with symlinks;
 * and only regular files are served (a FIFO is refused, not waited on).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "docroot.h"
#include "server.h"

static void name_rule_accepts_plain_paths(void **state)
{
	assert_true(docroot_name_ok("a"));
	assert_true(docroot_name_ok("hello.txt"));
	assert_true(docroot_name_ok("sub/dir/file.bin"));
	assert_true(docroot_name_ok("..hidden")); /* a name, not a parent */
	assert_true(docroot_name_ok("a..b"));
}

static void name_rule_refuses_escapes(void **state)
{
	const char *bad[] = { "",    "/etc/passwd", "..",   "../x", "a/../../x", "a/..",
			      "./a", "a/./b",	    "a//b", "a/",   "." };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (docroot_name_ok(bad[i]))
			fail_msg("'%s' accepted", bad[i]);
	}
}

static void decode_percent_escapes(void **state)
{
	char s[] = "%2e%2E/a%20b%2fc";
	size_t len = strlen(s);

	assert_int_equal(docroot_decode(s, &len), 0);
	assert_string_equal(s, "../a b/c");
	assert_int_equal(len, 8);
}

static void decode_refuses_bad_escapes(void **state)
{
	const char *bad[] = { "%", "%2", "%zz", "a%00b", "%g0" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char s[16];
		strcpy(s, bad[i]);
		size_t len = strlen(s);
		if (docroot_decode(s, &len) == 0)
			fail_msg("'%s' decoded", bad[i]);
	}
}

/* A docroot with a file, a subdirectory, and symlinks in and out. */
struct fixture {
	char dir[64];	   /* the temporary tree */
	struct server srv; /* only docroot_fd matters here */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char path[256];

	strcpy(f->dir, "/tmp/test_files.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof(path), "%s/root", f->dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/root/sub", f->dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/root/hello.txt", f->dir);
	FILE *fp = fopen(path, "w");
	fputs("hello\n", fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/secret.txt", f->dir);
	fp = fopen(path, "w");
	fputs("secret\n", fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/root/out", f->dir);
	assert_int_equal(symlink("../secret.txt", path), 0);
	snprintf(path, sizeof(path), "%s/root/abs", f->dir);
	assert_int_equal(symlink("/etc/hostname", path), 0);
	snprintf(path, sizeof(path), "%s/root/sub/in", f->dir);
	assert_int_equal(symlink("../hello.txt", path), 0);
	snprintf(path, sizeof(path), "%s/root", f->dir);
	f->srv.docroot_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->srv.docroot_fd >= 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	close(f->srv.docroot_fd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static int open_name(struct fixture *f, const char *name, uint64_t *size)
{
	return docroot_open(&f->srv, name, strlen(name), size);
}

static void opens_a_file_beneath(void **state)
{
	uint64_t size = 0;
	int fd = open_name(*state, "hello.txt", &size);

	assert_true(fd >= 0);
	assert_int_equal(size, 6);
	close(fd);
}

static void follows_a_symlink_that_stays_inside(void **state)
{
	uint64_t size = 0;
	int fd = open_name(*state, "sub/in", &size);

	assert_true(fd >= 0);
	assert_int_equal(size, 6);
	close(fd);
}

static void refuses_symlinks_that_leave(void **state)
{
	uint64_t size;

	assert_int_equal(open_name(*state, "out", &size), -403);
	assert_int_equal(open_name(*state, "abs", &size), -403);
}

static void refuses_dot_dot_plain_and_encoded(void **state)
{
	uint64_t size;

	assert_int_equal(open_name(*state, "../secret.txt", &size), -403);
	assert_int_equal(open_name(*state, "%2e%2e/secret.txt", &size), -403);
	assert_int_equal(open_name(*state, "sub/..%2f..%2fsecret.txt", &size), -403);
	assert_int_equal(open_name(*state, "%2fetc%2fpasswd", &size), -403);
}

static void missing_is_404_directory_is_403(void **state)
{
	uint64_t size;

	assert_int_equal(open_name(*state, "nope.txt", &size), -404);
	assert_int_equal(open_name(*state, "hello.txt/x", &size), -404);
	assert_int_equal(open_name(*state, "sub", &size), -403);
	assert_int_equal(open_name(*state, "bad%zz", &size), -400);
}

static void die_on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "docroot_open blocked on a FIFO\n";
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(1);
}

/* A FIFO, a socket and (as root) a device: refused at once, never blocked on. */
static void special_files_are_403_without_blocking(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char path[256];
	uint64_t size;

	snprintf(path, sizeof(path), "%s/root/fifo", f->dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	signal(SIGALRM, die_on_alarm);
	alarm(5); /* a blocking open(2) would wait for a writer forever */
	assert_int_equal(open_name(f, "fifo", &size), -403);
	alarm(0);
	signal(SIGALRM, SIG_DFL);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/root/sock", f->dir);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(open_name(f, "sock", &size), -403);
	close(s);

	snprintf(path, sizeof(path), "%s/root/null", f->dir);
	if (mknod(path, S_IFCHR | 0666, makedev(1, 3)) == 0) /* needs CAP_MKNOD */
		assert_int_equal(open_name(f, "null", &size), -403);
}

static void no_docroot_is_404(void **state)
{
	struct server srv = { .docroot_fd = -1 };
	uint64_t size;

	assert_int_equal(docroot_open(&srv, "hello.txt", 9, &size), -404);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(name_rule_accepts_plain_paths),
		cmocka_unit_test(name_rule_refuses_escapes),
		cmocka_unit_test(decode_percent_escapes),
		cmocka_unit_test(decode_refuses_bad_escapes),
		cmocka_unit_test_setup_teardown(opens_a_file_beneath, setup, teardown),
		cmocka_unit_test_setup_teardown(follows_a_symlink_that_stays_inside, setup,
						teardown),
		cmocka_unit_test_setup_teardown(refuses_symlinks_that_leave, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_dot_dot_plain_and_encoded, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_is_404_directory_is_403, setup, teardown),
		cmocka_unit_test_setup_teardown(special_files_are_403_without_blocking, setup,
						teardown),
		cmocka_unit_test(no_docroot_is_404),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
