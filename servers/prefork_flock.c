/* SPDX-License-Identifier: MIT */
/*
 * prefork-flock - N children take an fcntl(2) record lock around accept
 * (UNP fig. 30.14 with fig. 30.12's lock).
 *
 * The lock file is created and unlinked by the parent, so only the open
 * descriptor the children inherit refers to it. Record locks belong to a
 * process, not to a descriptor, so each child's F_SETLKW competes with its
 * siblings' even though they share the descriptor, and a child that dies
 * releases its lock with it: nothing to recover.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accept.h"
#include "conn.h"
#include "log.h"
#include "models.h"
#include "pool.h"
#include "server.h"

static int lock_fd = -1;

/* F_SETLKW on the whole file; EINTR is returned so that SIGTERM is seen. */
static int set_lock(short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };

	return fcntl(lock_fd, F_SETLKW, &fl);
}

static int worker(struct pool *p, int slot)
{
	struct server *srv = p->srv;

	pool_ready(p);
	while (!srv_stop) {
		struct sockaddr_storage peer;
		if (set_lock(F_WRLCK) < 0) {
			if (errno != EINTR)
				die("fcntl(F_SETLKW) failed: %m");
			continue;
		}
		int fd = srv_accept(srv->listen_fd, 0, &peer);
		int err = errno;
		set_lock(F_UNLCK);
		if (fd >= 0)
			conn_serve_blocking(srv, fd, &peer);
		else if (err == EINVAL)
			break;
		else if (err != EINTR && err != ECONNABORTED)
			log_warn("accept4() failed: %s", strerror(err));
	}
	return 0;
}

static int make_lock_file(void)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char path[512];

	snprintf(path, sizeof(path), "%s/herdsrv.lock.XXXXXX", dir);
	lock_fd = mkostemp(path, O_CLOEXEC);
	if (lock_fd < 0) {
		log_warn("mkostemp(%s) failed: %m", path);
		return -1;
	}
	unlink(path);
	return 0;
}

int prefork_flock_run(struct server *srv)
{
	static const struct pool_ops ops = { .worker = worker };

	if (make_lock_file() < 0)
		return 1;
	int rc = pool_run(srv, &ops, srv->workers, NULL);
	close(lock_fd);
	return rc;
}
