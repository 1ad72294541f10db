/* SPDX-License-Identifier: MIT */
/*
 * prefork-flock - N children take an fcntl(2) record lock around accept
 * (UNP fig. 30.14 with fig. 30.12's lock, lock_fcntl.c).
 *
 * The lock file is created and unlinked by the parent, so only the open
 * descriptor the children inherit refers to it. Record locks belong to a
 * process, not to a descriptor, so each child's F_SETLKW competes with its
 * siblings' even though they share the descriptor, and a child that dies
 * releases its lock with it: nothing to recover. The children's loop is
 * prefork.c's; this file is only the lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "families.h"
#include "log.h"
#include "models.h"

static int lock_fd = -1; /* the unlinked lock file, inherited by every child */

/* F_SETLKW on the whole file; a signal interrupts the wait (EINTR). */
static int set_lock(short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };

	return fcntl(lock_fd, F_SETLKW, &fl);
}

static int flock_acquire(void)
{
	if (set_lock(F_WRLCK) == 0)
		return 0;
	if (errno != EINTR)
		die("fcntl(F_SETLKW) failed: %m");
	return -1;
}

static void flock_release(void)
{
	set_lock(F_UNLCK);
}

static int flock_init(void)
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

static void flock_destroy(void)
{
	close(lock_fd);
}

int prefork_flock_run(struct server *srv)
{
	static const struct accept_lock lock = {
		.init = flock_init,
		.acquire = flock_acquire,
		.release = flock_release,
		.destroy = flock_destroy,
	};

	return prefork_pool(srv, &lock);
}
