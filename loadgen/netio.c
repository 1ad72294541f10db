/* SPDX-License-Identifier: MIT */
/*
 * netio.c - the socket calls of the state machine that keep no state (netio.h).
 *
 * client.c holds what a connection is and where it is going; what is here only
 * asks the kernel: the local address that joins a request with the tracer's
 * records, the --sources bind, a zero-timeout poll() of a socket whose deadline
 * passed (so that an event the loop has not taken yet is not taken for a
 * timeout), and the epoll wait, in nanoseconds where the kernel has
 * epoll_pwait2 and in milliseconds where it has not.
 */
#include "netio.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "clock.h"
#include "log.h"

/* The local address and port: the key that joins this request with the kernel's records. */
void netio_local(int fd, uint8_t addr[16], uint16_t *port, bool *v6)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return;
	*v6 = ss.ss_family == AF_INET6;
	if (*v6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		memcpy(addr, &in6->sin6_addr, 16);
		*port = ntohs(in6->sin6_port);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		memcpy(addr, &in->sin_addr, 4);
		*port = ntohs(in->sin_port);
	}
}

/* --sources: bind to the next source address, leaving the port to connect(). */
int netio_bind_source(struct load_thread *t, int fd)
{
	const struct load_opts *o = t->sh->o;
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1;

	workload_source(&o->sources, t->id + t->next_source++ * o->threads, &ss, &len);
	/* Without this, bind() would pick a port unique across every destination, and
	 * the ports would run out at ~28k whatever the number of source addresses. */
	(void)setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	return bind(fd, (struct sockaddr *)&ss, len);
}

/* The events @fd has now, as epoll names them; false when poll() says nothing. */
bool netio_ready(int fd, uint32_t *events)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT | POLLRDHUP };

	*events = 0;
	if (poll(&p, 1, 0) != 1)
		return false;
	*events |= (p.revents & POLLIN) ? EPOLLIN : 0;
	*events |= (p.revents & POLLOUT) ? EPOLLOUT : 0;
	*events |= (p.revents & POLLRDHUP) ? EPOLLRDHUP : 0;
	*events |= (p.revents & POLLERR) ? EPOLLERR : 0;
	*events |= (p.revents & POLLHUP) ? EPOLLHUP : 0;
	return true;
}

int netio_wait(int epfd, struct epoll_event *evs, int max, uint64_t until)
{
	static atomic_bool no_pwait2; /* before Linux 5.11 (or under valgrind) */
	uint64_t now = clock_now_ns();
	struct timespec ts = clock_ns_to_timespec(until > now ? until - now : 0);
	int n = -1;

	errno = ENOSYS;
	if (!atomic_load_explicit(&no_pwait2, memory_order_relaxed))
		n = epoll_pwait2(epfd, evs, max, &ts, NULL); /* ns timeouts */
	if (n < 0 && errno == ENOSYS) {
		atomic_store_explicit(&no_pwait2, true, memory_order_relaxed);
		n = epoll_wait(epfd, evs, max, clock_ms_until(until));
	}
	if (n < 0 && errno != EINTR)
		log_warn("epoll_wait() failed: %m");
	return n;
}
