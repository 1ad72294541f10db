/* SPDX-License-Identifier: MIT */
/*
 * herd_findings.c - what the thundering-herd runs show, as a findings table
 * (findings.h): the demo's herd.md and `herdlab compare --findings`.
 *
 * The metrics are run.json's accept counters, and three derived from them:
 * futile wakeups per accept; accepts that no wakeup paid for (a worker that was
 * not asleep found the connection waiting: accepted + futile + lock wakeups -
 * wakeups, over accepted), which is where the futile wakeups of blocking accept
 * and a herd factor below 1 come from; and lock wakeups per accept. Each row
 * is a sentence a student needs, said only when the numbers bear it out, with
 * an alternative (`otherwise`) when they do not.
 */
#include "metrics/keys.h"
#include "report/findings.h"

#define T(key)	 MK_DOT(MK_TRACE, key)
#define ACCEPTED T(MK_ACCEPT_ACCEPTED)
#define FUTILE	 T(MK_ACCEPT_FUTILE_WAKEUPS)
#define WAKEUPS	 T(MK_ACCEPT_WAKEUPS)
#define LOCKW	 T(MK_DOT(MK_ACCEPT_WAKEUPS_BY_WAIT, "lock"))

/* The metrics the sentences and the summary table quote. */
#define HERD                                                      \
	{                                                         \
		.key = T(MK_ACCEPT_WAKEUPS_PER_ACCEPT), .prec = 2 \
	}
#define FUTILE_PER_ACCEPT                                 \
	{                                                 \
		.key = FUTILE, .per = ACCEPTED, .prec = 2 \
	}
#define NO_WAKEUP                                                                                  \
	{                                                                                          \
		.key = ACCEPTED, .plus = { FUTILE, LOCKW }, .minus = { WAKEUPS }, .per = ACCEPTED, \
		.scale = 100, .prec = 0, .unit = "%"                                               \
	}
#define LOCK_PER_ACCEPT                                  \
	{                                                \
		.key = LOCKW, .per = ACCEPTED, .prec = 2 \
	}
#define FAIRNESS                                             \
	{                                                    \
		.key = T(MK_ACCEPT_FAIRNESS_JAIN), .prec = 3 \
	}
#define BUSIEST                                                       \
	{                                                             \
		.key = T(MK_ACCEPT_FAIRNESS_MAX_OVER_MEAN), .prec = 1 \
	}

static const struct finding_column columns[] = {
	{ "herd factor", HERD, false },
	{ "futile per accept", FUTILE_PER_ACCEPT, false },
	{ "accepts with no wakeup", NO_WAKEUP, false },
	{ "fairness", FAIRNESS, true },
};

#define A 0
#define B 1
#define C 2

static const struct finding rows[] = {
	/* The herd itself. */
	{ .model = "prefork-epoll",
	  .m = { HERD, FUTILE_PER_ACCEPT },
	  .when = { { A, FS_MEAN, FO_GE, 1.5 } },
	  .text = "Per-worker epoll ({model}) woke {a} tasks for each new connection, {b} of "
		  "them for nothing: every idle worker's level-triggered epoll reports the "
		  "shared listener ready, one worker accepts, and the others find the queue "
		  "empty and go back to sleep (futile wakeups)." },
	{ .model = "prefork-epoll",
	  .m = { HERD, FUTILE_PER_ACCEPT },
	  .otherwise = true,
	  .text = "Per-worker epoll ({model}) woke only {a} tasks per connection, {b} of "
		  "them futile." },

	/* EPOLLEXCLUSIVE against it. */
	{ .model = "prefork-epoll-exclusive",
	  .than = "prefork-epoll",
	  .m = { HERD, FUTILE_PER_ACCEPT },
	  .when = { { A, FS_OVER, FO_GE, 1.5 } },
	  .text = "EPOLLEXCLUSIVE ({model}) cut that to {a} per connection, {a.over} times "
		  "fewer wakeups than {than}'s {a.than}, and {b} futile per accept: the kernel "
		  "wakes "
		  "one exclusive waiter instead of every one." },
	{ .model = "prefork-epoll-exclusive",
	  .than = "prefork-epoll",
	  .m = { HERD },
	  .otherwise = true,
	  .text = "EPOLLEXCLUSIVE ({model}) woke {a} tasks per connection against {a.than} "
		  "without it: no cut in these runs." },

	/* A lock around accept. */
	{ .model = "prefork-mutex",
	  .than = "prefork-epoll",
	  .m = { HERD, FUTILE_PER_ACCEPT, LOCK_PER_ACCEPT },
	  .text = "A lock around accept ({model}) woke {a} tasks per connection, {a.over} "
		  "times fewer than {than}: {c} of them a worker waiting for the lock, and "
		  "{b} futile. The herd moves from the listener to the lock: only its holder "
		  "sleeps in accept, and each unlock wakes one waiter." },

	/* Blocking accept wakes one, and yet. */
	{ .model = "prefork",
	  .m = { HERD, FUTILE_PER_ACCEPT, NO_WAKEUP },
	  .when = { { B, FS_MEAN, FO_GE, 0.05 }, { A, FS_MEAN, FO_LE, 1.15 } },
	  .text = "Blocking accept ({model}) woke {a} task per connection, as accept wakes "
		  "one; yet {b} wakeups per accept were futile. {c} of the accepts needed no "
		  "wakeup: a worker coming back to accept() found the connection first, and "
		  "the worker the kernel had woken for it found the queue empty and slept "
		  "again." },
	{ .model = "prefork",
	  .m = { HERD, FUTILE_PER_ACCEPT },
	  .otherwise = true,
	  .text = "Blocking accept ({model}) woke {a} tasks per connection, {b} per accept "
		  "futile." },

	/* A listener per worker. */
	{ .model = "prefork-reuseport",
	  .m = { HERD, FUTILE_PER_ACCEPT, NO_WAKEUP },
	  .when = { { A, FS_MEAN, FO_LT, 1 } },
	  .text = "A listener per worker ({model}, SO_REUSEPORT) has a herd factor below 1, "
		  "{a}: {c} of its accepts needed no wakeup, because a worker back from "
		  "serving found its next connection already in its own queue." },
	{ .model = "prefork-reuseport",
	  .m = { HERD, FUTILE_PER_ACCEPT },
	  .otherwise = true,
	  .text = "A listener per worker ({model}, SO_REUSEPORT) woke {a} tasks per "
		  "connection, {b} of them futile." },

	/* Which worker EPOLLEXCLUSIVE wakes. */
	{ .model = "prefork-epoll-exclusive",
	  .m = { FAIRNESS, BUSIEST },
	  .when = { { A, FS_N, FO_GE, 2 }, { A, FS_RANGE, FO_GE, 0.1 } },
	  .text = "EPOLLEXCLUSIVE's fairness changed from run to run: {a.values} (Jain's index "
		  "over the workers, 1 = even), the busiest worker taking {b.lo} to {b.hi} "
		  "times the mean. The kernel wakes the first idle waiter on the listener's "
		  "queue, in the same order every time, so a few workers take most "
		  "connections, and how few depends on timing." },
	{ .model = "prefork-epoll-exclusive",
	  .m = { FAIRNESS, BUSIEST },
	  .when = { { A, FS_MEAN, FO_LT, 0.8 } },
	  .otherwise = true,
	  .text = "EPOLLEXCLUSIVE spread the connections unevenly: fairness {a.values} (Jain's "
		  "index over the workers, 1 = even), the busiest worker taking {b.lo} to {b.hi} "
		  "times the mean. The kernel wakes the first idle waiter on the listener's "
		  "queue, in the same order every time, so a few workers take most "
		  "connections." },
	{ .model = "prefork-epoll-exclusive",
	  .m = { FAIRNESS, BUSIEST },
	  .otherwise = true,
	  .text = "EPOLLEXCLUSIVE's fairness was {a.values} (Jain's index, 1 = even), the "
		  "busiest worker taking up to {b.hi} times the mean." },
};

const struct findings_table herd_findings = {
	.heading = "Findings",
	.cols = columns,
	.ncols = sizeof(columns) / sizeof(columns[0]),
	.rows = rows,
	.nrows = sizeof(rows) / sizeof(rows[0]),
};
