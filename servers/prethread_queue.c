/* SPDX-License-Identifier: MIT */
/*
 * prethread-queue - the main thread accepts into a bounded circular queue that
 * N threads drain (UNP fig. 30.31-30.33; seed 004's thread pool).
 *
 * One acceptor, so no herd and no lock around accept; instead a mutex and two
 * condition variables guard the queue: workers sleep on "not empty", and when
 * every slot is taken the acceptor sleeps on "not full" and new connections wait
 * in the kernel's accept queue. Each connection costs the acceptor a wakeup and
 * a worker a wakeup: the tracer sees both.
 *
 * SIGTERM cannot signal a condition variable (nothing of pthreads is
 * async-signal-safe), and a signal does not end pthread_cond_wait. So the
 * acceptor waits for "not full" in slices of 50 ms and looks at srv_stop
 * between them: with every worker busy past --grace, the server still stops
 * when --grace says (the connection in hand is closed unserved, like those
 * still in the kernel's queue).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "accept.h"
#include "clock.h"
#include "conn.h"
#include "log.h"
#include "models.h"
#include "proc.h"
#include "server.h"
#include "thread_pool.h"

struct queue {
	pthread_mutex_t lock;	  /* guards everything below */
	pthread_cond_t not_empty; /* workers wait here */
	pthread_cond_t not_full;  /* the acceptor waits here */
	int *fd;		  /* the ring of accepted descriptors */
	int cap, head, len;	  /* size, next to take, queued */
	bool closing;		  /* no more will come: drain and exit */
};

static int queue_take(struct queue *q)
{
	int fd = -1;

	pthread_mutex_lock(&q->lock);
	while (q->len == 0 && !q->closing)
		pthread_cond_wait(&q->not_empty, &q->lock);
	if (q->len > 0) {
		fd = q->fd[q->head];
		q->head = (q->head + 1) % q->cap;
		q->len--;
		pthread_cond_signal(&q->not_full);
	}
	pthread_mutex_unlock(&q->lock);
	return fd;
}

/* Queue @fd once a slot is free; false (@fd not queued) if the server stops first. */
static bool queue_put(struct queue *q, int fd)
{
	bool put = false;

	pthread_mutex_lock(&q->lock);
	while (q->len == q->cap && !srv_stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until); /* the condvar's clock */
		until.tv_nsec += (long)(50 * NSEC_PER_MSEC);
		if (until.tv_nsec >= (long)NSEC_PER_SEC) {
			until.tv_sec++;
			until.tv_nsec -= (long)NSEC_PER_SEC;
		}
		pthread_cond_timedwait(&q->not_full, &q->lock, &until);
	}
	if (q->len < q->cap) {
		q->fd[(q->head + q->len) % q->cap] = fd;
		q->len++;
		pthread_cond_signal(&q->not_empty);
		put = true;
	}
	pthread_mutex_unlock(&q->lock);
	return put;
}

static void queue_close(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closing = true;
	pthread_cond_broadcast(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
}

static void *worker(void *arg)
{
	struct thread_pool *w = arg;
	int fd;

	while ((fd = queue_take(w->model)) >= 0)
		conn_serve_blocking(w->srv, fd, NULL);
	thread_pool_exit(w);
	return NULL;
}

int prethread_queue_run(struct server *srv)
{
	/* Static: threads still busy after --grace outlive this frame (thread_pool.h). */
	static struct queue q = {
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.not_empty = PTHREAD_COND_INITIALIZER,
		.not_full = PTHREAD_COND_INITIALIZER,
	};
	static struct thread_pool w;
	int fd;

	q.cap = srv->workers * 4;
	q.fd = calloc((size_t)q.cap, sizeof(int));
	if (!q.fd || thread_pool_start(&w, srv, srv->workers, worker, &q) < 0)
		return 1;
	proc_shutdown_on_stop(srv->listen_fd);
	proc_signals_unblock();
	server_ready(srv);
	while ((fd = srv_accept_next(srv->listen_fd, NULL)) >= 0) {
		if (!queue_put(&q, fd)) {
			close(fd); /* stopping with every slot taken */
			break;
		}
	}
	queue_close(&q); /* workers serve what is queued, then return */
	if (thread_pool_stop(&w) == 0)
		free(q.fd); /* else a worker may still take from it until exit() */
	return 0;
}
