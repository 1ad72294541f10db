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

#include "counters.h"
#include "log.h"
#include "net.h"
#include "server.h"

_Atomic uint64_t srv_shed_count;

/*
 * The spare is one per process, and so is the descriptor table it keeps a slot
 * in. The slot it frees while shedding is free for the whole process: a second
 * thread calling accept4 at that moment would take it, the shed's own accept4
 * would fail, the spare could not be reopened, and from then on nothing could
 * be shed -- a level-triggered loop would spin on the readable listener (seen
 * with epoll-threads: eight threads accepting on one listener). So every accept
 * in the process holds @slot_lock shared, and the shed holds it exclusively
 * from closing the spare to reopening it: while the slot is free, no accept of
 * this process can take it. The lock prefers writers, so threads accepting in
 * a loop cannot keep a shed waiting; shared holders never wait on each other,
 * and the lock is only ever contended at EMFILE. A descriptor made by anything
 * else (a docroot file opened by another thread) can still take the slot: then
 * the spare is reopened at the next shed, once a descriptor has been closed.
 */
static int spare_fd = -1;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;
static pthread_rwlock_t slot_lock;
static uint64_t emfile_warned;

static void open_spare(void)
{
	pthread_rwlockattr_t attr;

	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&slot_lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* What shed_one() managed. */
enum shed {
	SHED_ONE,     /* a waiting connection was taken off the queue and closed */
	SHED_NONE,    /* nothing was waiting */
	SHED_NOSPARE, /* one was waiting, but no descriptor was free to take it with */
};

/*
 * Out of descriptors. accept(2) fails with EMFILE before it even looks at the
 * queue, so first check that a connection is waiting; if one is, use the spare
 * descriptor to take it off the queue and close it.
 */
static enum shed shed_one(int lfd, int err)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	enum shed r = SHED_NONE;

	pthread_rwlock_wrlock(&slot_lock);
	if (spare_fd < 0) /* lost to another call: back once a descriptor was closed */
		spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (poll(&pfd, 1, 0) == 1) {
		r = SHED_NOSPARE;
		if (spare_fd >= 0) {
			close(spare_fd);
			int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
			if (fd >= 0) {
				close(fd);
				srv_shed_count++;
				COUNT(shed_emfile);
				r = SHED_ONE;
			}
			spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		}
	}
	if (r == SHED_ONE && emfile_warned++ % 1000 == 0) /* under the lock: one writer */
		log_warn("accept4() failed: %s: shedding connections (%llu so far)",
			 err == ENFILE ? "Too many open files in system" : "Too many open files",
			 (unsigned long long)srv_shed_count);
	pthread_rwlock_unlock(&slot_lock);
	return r;
}

/* Pause 10 ms: what is left to do when accept would fail again at once. */
static void pause_briefly(void)
{
	nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
}

void srv_accept_init(void)
{
	pthread_once(&spare_once, open_spare);
}

int srv_accept(int lfd, int flags, struct sockaddr_storage *peer)
{
	pthread_once(&spare_once, open_spare);
	pthread_rwlock_rdlock(&slot_lock);
	int fd = net_accept(lfd, peer, NULL, flags);
	int err = errno;
	pthread_rwlock_unlock(&slot_lock);
	if (fd >= 0 || (err != EMFILE && err != ENFILE)) {
		errno = err;
		return fd;
	}
	switch (shed_one(lfd, err)) {
	case SHED_ONE:
		errno = ECONNABORTED;
		break;
	case SHED_NOSPARE: /* still waiting, and nothing to shed it with: do not spin */
		pause_briefly();
		errno = ECONNABORTED;
		break;
	case SHED_NONE:
		if (fcntl(lfd, F_GETFL) & O_NONBLOCK) {
			errno = EAGAIN; /* nothing waiting: the event loop sleeps until there is */
		} else {
			/* A blocking accept would fail again at once: pause instead of spinning. */
			pause_briefly();
			errno = ECONNABORTED;
		}
		break;
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
		pause_briefly();
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
	COUNT(shed_503);
}
