/* SPDX-License-Identifier: MIT */
#include "accept.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "net.h"
#include "server.h"

_Atomic uint64_t srv_shed_count;

static int spare_fd = -1;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t spare_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t emfile_warned;

static void open_spare(void)
{
	spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/*
 * Out of descriptors. accept(2) fails with EMFILE before it even looks at the
 * queue, so first check that a connection is waiting; if one is, use the spare
 * descriptor to take it off the queue and close it. Returns whether one was shed.
 */
static bool shed_one(int lfd, int err)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	bool shed = false;

	pthread_mutex_lock(&spare_lock);
	if (spare_fd >= 0 && poll(&pfd, 1, 0) == 1) {
		close(spare_fd);
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd >= 0) {
			close(fd);
			srv_shed_count++;
			shed = true;
		}
		spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	if (shed && emfile_warned++ % 1000 == 0)
		log_warn("accept4() failed: %s: shedding connections (%llu so far)",
			 err == ENFILE ? "Too many open files in system" : "Too many open files",
			 (unsigned long long)srv_shed_count);
	pthread_mutex_unlock(&spare_lock);
	return shed;
}

void srv_accept_init(void)
{
	pthread_once(&spare_once, open_spare);
}

int srv_accept(int lfd, int flags, struct sockaddr_storage *peer)
{
	pthread_once(&spare_once, open_spare);
	int fd = net_accept(lfd, peer, NULL, flags);
	if (fd >= 0 || (errno != EMFILE && errno != ENFILE))
		return fd;
	if (shed_one(lfd, errno)) {
		errno = ECONNABORTED;
	} else if (fcntl(lfd, F_GETFL) & O_NONBLOCK) {
		errno = EAGAIN; /* nothing waiting: the event loop sleeps until there is */
	} else {
		/* A blocking accept would fail again at once: pause instead of spinning. */
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
		errno = ECONNABORTED;
	}
	return -1;
}

int srv_accept_next(int lfd, struct sockaddr_storage *peer)
{
	while (!srv_stop) {
		int fd = srv_accept(lfd, 0, peer);
		if (fd >= 0)
			return fd;
		if (errno == EINVAL) /* shut down: the server is stopping */
			break;
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		log_warn("accept4() failed: %m");
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	return -1;
}

void srv_shed(int fd)
{
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
				   "Connection: close\r\n\r\n";

	(void)send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
	srv_shed_count++;
}
