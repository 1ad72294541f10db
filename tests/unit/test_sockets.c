/* SPDX-License-Identifier: MIT */
/*
 * test_sockets.c - the ports a process listens on, from /proc: this test's own
 * listeners (IPv4 and IPv6) are found, each once; a connected or closed socket
 * is not a listener; a process that does not exist is an error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "sockets.h"

static int has(const uint16_t *ports, int n, int port)
{
	for (int i = 0; i < n; i++)
		if (ports[i] == port)
			return 1;
	return 0;
}

static void test_own_listeners(void **state)
{
	uint16_t ports[64];
	int a = net_listen("127.0.0.1", 0, 16, 0), b = net_listen("127.0.0.1", 0, 16, 0);

	assert_true(a >= 0 && b >= 0);
	int pa = net_local_port(a), pb = net_local_port(b);
	int dup_a = dup(a); /* the same socket twice: one port */
	int n = sockets_listening_ports(getpid(), ports, 64);

	assert_true(n >= 2);
	assert_true(has(ports, n < 64 ? n : 64, pa));
	assert_true(has(ports, n < 64 ? n : 64, pb));
	int seen = 0;
	for (int i = 0; i < n && i < 64; i++)
		seen += ports[i] == pa;
	assert_int_equal(seen, 1);
	close(b);
	n = sockets_listening_ports(getpid(), ports, 64);
	assert_false(has(ports, n < 64 ? n : 64, pb)); /* closed: gone */
	assert_true(has(ports, n < 64 ? n : 64, pa));
	close(a), close(dup_a);
}

static void test_ipv6_listener(void **state)
{
	uint16_t ports[64];
	int fd = net_listen("::1", 0, 16, 0);

	if (fd < 0)
		skip(); /* no IPv6 loopback here */
	int port = net_local_port(fd);
	int n = sockets_listening_ports(getpid(), ports, 64);
	assert_true(has(ports, n < 64 ? n : 64, port));
	close(fd);
}

static void test_a_client_is_no_listener(void **state)
{
	uint16_t ports[64];
	int l = net_listen("127.0.0.1", 0, 16, 0), c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons((uint16_t)net_local_port(l)),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	assert_true(l >= 0 && c >= 0);
	assert_int_equal(connect(c, (struct sockaddr *)&sin, sizeof(sin)), 0);
	close(l); /* only the connected socket is left */
	int n = sockets_listening_ports(getpid(), ports, 64);
	assert_false(has(ports, n < 64 ? n : 64, ntohs(sin.sin_port)));
	close(c);
}

static void test_cap_counts_past_it(void **state)
{
	uint16_t one[1];
	int a = net_listen("127.0.0.1", 0, 16, 0), b = net_listen("127.0.0.1", 0, 16, 0);

	assert_true(sockets_listening_ports(getpid(), one, 1) >= 2);
	close(a), close(b);
}

static void test_no_such_process(void **state)
{
	uint16_t ports[4];

	assert_int_equal(sockets_listening_ports(0x7ffffff0, ports, 4), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_listeners),
		cmocka_unit_test(test_ipv6_listener),
		cmocka_unit_test(test_a_client_is_no_listener),
		cmocka_unit_test(test_cap_counts_past_it),
		cmocka_unit_test(test_no_such_process),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
