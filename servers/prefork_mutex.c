/* SPDX-License-Identifier: MIT */
/*
 * prefork-mutex - N children take a process-shared pthread mutex around accept
 * (UNP fig. 30.14 with fig. 30.17's lock, lock_pthread.c).
 *
 * Only the lock holder sleeps in accept; the others sleep on the mutex's futex.
 * The mutex lives in shared memory mapped before the fork and is robust: a worker
 * killed while holding it (most likely the one waiting in accept) leaves it to
 * the next locker with EOWNERDEAD instead of deadlocking the pool. The children's
 * loop is prefork.c's; this file is only the lock.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include "families.h"
#include "log.h"
#include "models.h"

static pthread_mutex_t *mptr; /* in shared memory: one mutex for all children */

static int mutex_acquire(void)
{
	int err = pthread_mutex_lock(mptr);

	if (err == EOWNERDEAD) /* its holder died; the lock protects no data */
		pthread_mutex_consistent(mptr);
	else if (err)
		die("pthread_mutex_lock() failed: %s", strerror(err));
	return 0;
}

static void mutex_release(void)
{
	pthread_mutex_unlock(mptr);
}

static int mutex_init(void)
{
	pthread_mutexattr_t attr;

	mptr = mmap(NULL, sizeof(*mptr), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mptr == MAP_FAILED) {
		log_warn("mmap() failed: %m");
		return -1;
	}
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(mptr, &attr);
	pthread_mutexattr_destroy(&attr);
	return 0;
}

static void mutex_destroy(void)
{
	munmap(mptr, sizeof(*mptr));
}

int prefork_mutex_run(struct server *srv)
{
	static const struct accept_lock lock = {
		.init = mutex_init,
		.acquire = mutex_acquire,
		.release = mutex_release,
		.destroy = mutex_destroy,
	};

	return prefork_pool(srv, &lock);
}
