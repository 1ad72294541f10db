/* SPDX-License-Identifier: MIT */
/*
 * holdconns - open N TCP connections to a local port, hold them, report.
 *
 *	holdconns PORT N SECONDS [REQUEST]
 *
 * Opens N connections to 127.0.0.1:PORT (sending REQUEST on each, if given),
 * holds them SECONDS, then prints "opened N failed F closed_by_server C" and
 * exits, closing them all. Integration tests use it to run a server out of
 * descriptors, past FD_SETSIZE, or to occupy every worker of a pool.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "net.h"

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: holdconns PORT N SECONDS [REQUEST]\n");
		return 2;
	}
	int port = atoi(argv[1]), n = atoi(argv[2]);
	double secs = atof(argv[3]);
	const char *req = argc > 4 ? argv[4] : NULL;
	struct sockaddr_storage ss;
	socklen_t len;
	int opened = 0, failed = 0, closed = 0;
	struct pollfd *pfd = calloc((size_t)n, sizeof(*pfd));

	net_raise_nofile(n + 64);
	net_parse_addr("127.0.0.1", (uint16_t)port, &ss, &len);
	for (int i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0 ||
		    (req && net_send_all(fd, req, strlen(req)) < 0)) {
			failed++;
			if (fd >= 0)
				close(fd);
			pfd[i].fd = -1;
			continue;
		}
		pfd[i] = (struct pollfd){ .fd = fd, .events = POLLIN };
		opened++;
	}
	printf("opened %d\n", opened);
	fflush(stdout);
	uint64_t end = clock_now_ns() + (uint64_t)(secs * 1e9);
	while (clock_now_ns() < end) {
		if (poll(pfd, (nfds_t)n, clock_ms_until(end)) <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			char buf[4096];
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			ssize_t got = recv(pfd[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (got == 0 || (got < 0 && errno != EAGAIN)) { /* EOF or reset */
				closed++;
				close(pfd[i].fd);
				pfd[i].fd = -1;
			}
		}
	}
	printf("opened %d failed %d closed_by_server %d\n", opened, failed, closed);
	return 0;
}
