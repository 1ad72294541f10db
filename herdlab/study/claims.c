/* SPDX-License-Identifier: MIT */
/*
 * claims.c - what the documents claim, and how our numbers judge it (study.h).
 *
 * Each claim is the document's, said in its sense; its value is one number
 * from our cells (a ratio, a share, a count), and its rule the thresholds that
 * make that number a verdict: reproduced past the first, differs past the
 * second, not reproduced otherwise; not measured while a key it needs is
 * missing. The thresholds are stated here once and printed beside every
 * verdict, so that a reader can disagree with them, not with hidden code.
 * Where the document gives the numbers, their side of the claim is computed
 * from their table (seeds.c) by the same recipe.
 */
#include "metrics/keys.h"
#include "study/study.h"

#define CPU                                    \
	{                                      \
		.key = SK_SERVER(MK_CG_CPU_NS) \
	}
#define CPU_PER                                                              \
	{                                                                    \
		.key = SK_SERVER(MK_CG_CPU_NS), .per = MK_CLIENT_REQUESTS_OK \
	}
#define MEAN_TIME                                         \
	{                                                 \
		.key = MK_CLIENT_LATENCY_US_TOTAL ".mean" \
	}
#define HERD                                                  \
	{                                                     \
		.key = SK_TRACE(MK_ACCEPT_WAKEUPS_PER_ACCEPT) \
	}
#define FAILED_SHARE                                                              \
	{                                                                         \
		.key = MK_CLIENT_REQUESTS_FAILED, .per = SK_CLIENT_REQUESTS_TOTAL \
	}
/* Their table @t's (@r, @c) over its (@or, @oc). */
#define THEIRS(t, r, c, or, oc)                                                \
	{                                                                      \
		.table = t, .row = r, .col = c, .over_row = or, .over_col = oc \
	}

const struct study_claim study_claims[] = {
	/* ---- 000 ---- */
	{ "fs-iterative-few",
	  "fileserver",
	  "With few clients and files over 1 MB the monoprocess server is the fastest",
	  "mean transfer time, iterative over fork, 10M files, 1 client",
	  { .cell = "iterative-10M-c1", .over = "fork-10M-c1", .m = MEAN_TIME },
	  THEIRS("fs_mean", "iterative-10M", "1", "fork-10M", "1"),
	  { .below = true, .reproduced = 1.0, .differs = 1.2 } },
	{ "fs-prefork-many",
	  "fileserver",
	  "With 10-15 clients the preforked servers beat the monoprocess server",
	  "mean transfer time, iterative over prefork-10, 10M files, 15 clients",
	  { .cell = "iterative-10M-c15", .over = "prefork-10-10M-c15", .m = MEAN_TIME },
	  THEIRS("fs_mean", "iterative-10M", "15", "prefork-10-10M", "15"),
	  { .reproduced = 1.05, .differs = 0.95 } },
	{ "fs-small-same",
	  "fileserver",
	  "For small files the server models differ imperceptibly",
	  "mean transfer time of 10K files with 15 clients, fork over iterative",
	  { .cell = "fork-10K-c15", .over = "iterative-10K-c15", .m = MEAN_TIME },
	  THEIRS("fs_mean", "fork-10K", "15", "iterative-10K", "15"),
	  { .below = true, .reproduced = 1.5, .differs = 3 } },
	{ "fs-fork-overload",
	  "fileserver",
	  "Fork on demand hangs with 100 MB files and 10-15 clients, from process creation "
	  "overload",
	  "the server's CPU, fork over prefork-10, 100M files, 15 clients (an overload of "
	  "process creation would make it large)",
	  { .cell = "fork-100M-c15", .over = "prefork-10-100M-c15", .m = CPU },
	  {},
	  { .reproduced = 3, .differs = 1.5 } },
	{ "fs-hang-memory",
	  "fileserver",
	  "(Our reading of their hang) a server that reads the whole file per child needs "
	  "clients x size of memory",
	  "the read server's memory peak with no limit over 15 x 100 MiB",
	  { .cell = "send-read-100M-c15",
	    .m = { .key = SK_SERVER(MK_CG_MEMORY_PEAK_BYTES), .scale = 1.0 / (15 * 104857600.0) } },
	  {},
	  { .reproduced = 0.7, .differs = 0.3 } },
	{ "fs-hang-oom",
	  "fileserver",
	  "(Our reading of their hang) under their VM's memory, reading whole files kills the "
	  "server's children where sendfile does not",
	  "OOM kills of the read server less the sendfile server's, both under the limit, "
	  "100M files, 15 clients",
	  { .cell = "send-read-limited-100M-c15",
	    .minus = "send-sendfile-limited-100M-c15",
	    .m = { .key = SK_SERVER(MK_CG_OOM_KILLS) } },
	  {},
	  { .reproduced = 1, .differs = 0.5 } },
	{ "fs-zombies",
	  "fileserver",
	  "A parent that never reaps leaves its children zombies",
	  "zombies at their peak per connection, fork --reap none",
	  { .cell = "zombies-reap-none",
	    .m = { .key = SK_TRACE(MK_PROC_ZOMBIES_PEAK), .per = SK_TRACE(MK_ACCEPT_ACCEPTED) } },
	  {},
	  { .reproduced = 0.9, .differs = 0.1 } },
	{ "fs-sigign",
	  "fileserver",
	  "SIGCHLD set to SIG_IGN leaves no zombies",
	  "zombies at their peak, fork --reap ignore",
	  { .cell = "zombies-reap-ignore", .m = { .key = SK_TRACE(MK_PROC_ZOMBIES_PEAK) } },
	  {},
	  { .below = true, .reproduced = 2, .differs = 10 } },
	/* ---- 001 ---- */
	{ "pe-herd",
	  "prefork-epoll",
	  "Without EPOLLEXCLUSIVE a new connection wakes all the processes in the pool",
	  "tasks woken per connection over the workers, prefork-epoll with 32 workers",
	  { .cell = "prefork-epoll-w32",
	    .m = { .key = SK_TRACE(MK_ACCEPT_WAKEUPS_PER_ACCEPT), .scale = 1.0 / 32 } },
	  {},
	  { .reproduced = 0.5, .differs = 0.1 } },
	{ "pe-exclusive",
	  "prefork-epoll",
	  "With EPOLLEXCLUSIVE the wakeup reaches one process",
	  "tasks woken per connection, prefork-epoll-exclusive with 32 workers",
	  { .cell = "prefork-epoll-exclusive-w32", .m = HERD },
	  {},
	  { .below = true, .reproduced = 1.2, .differs = 2 } },
	{ "pe-grows",
	  "prefork-epoll",
	  "The dynamic pool grows when its children are busy",
	  "forks over the starting pool of 2, prefork-dynamic under a burst of slow requests",
	  { .cell = "dynamic-burst", .m = { .key = SK_TRACE(MK_PROC_FORKS), .scale = 0.5 } },
	  {},
	  { .reproduced = 2, .differs = 1.01 } },
	{ "pe-pool-bounded",
	  "prefork-epoll",
	  "The pool stays within its ceiling while the load jumps",
	  "the pool's largest size over --max-children, through idle, burst, idle",
	  { .cell = "dynamic-phases", .m = { .key = MK_SERVER_POOL_MAX_TOTAL, .scale = 1.0 / 32 } },
	  {},
	  { .below = true, .reproduced = 1.0, .differs = 1.25 } },
	{ "pe-recycles",
	  "prefork-epoll",
	  "Children are recycled after a number of requests, and the pool forks new ones",
	  "children the pool recycled (--max-requests 50) through idle, burst, idle",
	  { .cell = "dynamic-phases", .m = { .key = MK_SERVER_POOL_RECYCLED } },
	  {},
	  { .reproduced = 1, .differs = 0.5 } },
	/* ---- 002 ---- */
	{ "unp-fork-dear",
	  "unp",
	  "Fork per client is an order of magnitude dearer than a preforked pool",
	  "server CPU less the iterative server's, fork over prefork",
	  { .cell = "fork", .minus = "iterative", .over = "prefork", .m = CPU },
	  THEIRS("unp_cpu", "fork", "CPU", "prefork", "CPU"),
	  { .reproduced = 5, .differs = 2 } },
	{ "unp-thread-cheap",
	  "unp",
	  "A thread per client costs far less than a fork per client",
	  "server CPU less the iterative server's, fork over thread",
	  { .cell = "fork", .minus = "iterative", .over = "thread", .m = CPU },
	  THEIRS("unp_cpu", "fork", "CPU", "thread", "CPU"),
	  { .reproduced = 5, .differs = 2 } },
	{ "unp-prethread-better",
	  "unp",
	  "Prethreaded models are better than preforked models",
	  "server CPU less the iterative server's, prefork over prethread-mutex",
	  { .cell = "prefork", .minus = "iterative", .over = "prethread-mutex", .m = CPU },
	  THEIRS("unp_cpu", "prefork", "CPU", "prethread-mutex", "CPU"),
	  { .reproduced = 1.1, .differs = 0.9 } },
	{ "unp-herd-accept",
	  "unp",
	  "When a connection arrives, all N children blocked in accept are awakened",
	  "tasks woken per connection over the workers, prefork (blocking accept), 15 workers",
	  { .cell = "prefork",
	    .m = { .key = SK_TRACE(MK_ACCEPT_WAKEUPS_PER_ACCEPT), .scale = 1.0 / 15 } },
	  {},
	  { .reproduced = 0.5, .differs = 0.15 } },
	{ "unp-herd-epoll",
	  "unp",
	  "... and so are N children each waiting in its own epoll on the listener",
	  "tasks woken per connection over the workers, prefork-epoll, 15 workers",
	  { .cell = "prefork-epoll",
	    .m = { .key = SK_TRACE(MK_ACCEPT_WAKEUPS_PER_ACCEPT), .scale = 1.0 / 15 } },
	  {},
	  { .reproduced = 0.5, .differs = 0.15 } },
	{ "tlpi-poll-grows",
	  "unp",
	  "The CPU time of poll() grows with the number of descriptors monitored",
	  "CPU per poll call, 1000 descriptors over 10",
	  { .cell = "poll-n1000",
	    .over = "poll-n10",
	    .m = { .key = SK_WAIT(MK_WAIT_POLL, MK_WK_CPU_NS_PER_CALL) } },
	  THEIRS("tlpi_wait", "1000", "poll", "10", "poll"),
	  { .reproduced = 10, .differs = 2 } },
	{ "tlpi-select-grows",
	  "unp",
	  "The CPU time of select() grows with the number of descriptors monitored",
	  "CPU per select call, 1000 descriptors over 10",
	  { .cell = "select-n1000",
	    .over = "select-n10",
	    .m = { .key = SK_WAIT(MK_WAIT_SELECT, MK_WK_CPU_NS_PER_CALL) } },
	  THEIRS("tlpi_wait", "1000", "select", "10", "select"),
	  { .reproduced = 10, .differs = 2 } },
	{ "tlpi-epoll-flat",
	  "unp",
	  "epoll's CPU time hardly grows with the descriptors",
	  "CPU per epoll_wait call, 1000 descriptors over 10",
	  { .cell = "epoll-n1000",
	    .over = "epoll-n10",
	    .m = { .key = SK_WAIT(MK_WAIT_EPOLL, MK_WK_CPU_NS_PER_CALL) } },
	  THEIRS("tlpi_wait", "1000", "epoll", "10", "epoll"),
	  { .below = true, .reproduced = 2, .differs = 5 } },
	{ "tlpi-server-cost",
	  "unp",
	  "(The same, as a server's cost) a poll server's CPU per request grows with the idle "
	  "connections it watches",
	  "server CPU per request, poll with 1000 idle connections over 10",
	  { .cell = "poll-n1000", .over = "poll-n10", .m = CPU_PER },
	  THEIRS("tlpi_wait", "1000", "poll", "10", "poll"),
	  { .reproduced = 5, .differs = 1.5 } },
	/* ---- 003 ---- */
	{ "echo-select-limit",
	  "echo",
	  "select cannot exceed 1024 descriptors",
	  "share of echoes that failed, select at 2000 connections",
	  { .cell = "select-2000c", .m = FAILED_SHARE },
	  {},
	  { .reproduced = 0.25, .differs = 0.01 } },
	{ "echo-epoll-holds",
	  "echo",
	  "The epoll server keeps 5000 connections",
	  "share of echoes that failed, the largest of the epoll (edge) cells",
	  { .cell = "epoll-edge-*c", .m = FAILED_SHARE },
	  {},
	  { .below = true, .reproduced = 0.001, .differs = 0.05 } },
	/* ---- 004 ---- */
	{ "fp-fork-resets",
	  "forkpool",
	  "The fork server's clients see \"connection reset by peer\" at 1000-2000 clients",
	  "resets per request, fork at 1000 clients, listen backlog 5",
	  { .cell = "fork-b5-c1000",
	    .m = { .key = MK_CLIENT_ERRORS_RESET, .per = SK_CLIENT_REQUESTS_TOTAL } },
	  { .table = "forkpool", .row = "1000", .col = "fork resets", .scale = 1.0 / 1000 },
	  { .reproduced = 0.01, .differs = 0.0001 } },
	{ "fp-overflow",
	  "forkpool",
	  "(Our reading) at a backlog of 5 the fork server's accept queue overflows at 1000 "
	  "clients",
	  "listen overflows in the cell's own network namespace per request, fork at 1000 "
	  "clients, backlog 5",
	  { .cell = "fork-b5-c1000",
	    .m = { .key = SK_NETSTAT(MK_NS_LISTEN_OVERFLOWS), .per = SK_CLIENT_REQUESTS_TOTAL } },
	  {},
	  { .reproduced = 0.01, .differs = 0.0001 } },
	{ "fp-abort-resets",
	  "forkpool",
	  "(Our reading) the resets are the kernel's answer to a full accept queue when "
	  "tcp_abort_on_overflow is set",
	  "resets per request, fork at 1000 clients, backlog 5, tcp_abort_on_overflow=1",
	  { .cell = "fork-abort-b5-c1000",
	    .m = { .key = MK_CLIENT_ERRORS_RESET, .per = SK_CLIENT_REQUESTS_TOTAL } },
	  { .table = "forkpool", .row = "1000", .col = "fork resets", .scale = 1.0 / 1000 },
	  { .reproduced = 0.01, .differs = 0.0001 } },
	{ "fp-pool-clean",
	  "forkpool",
	  "The thread pool has no errors at any load",
	  "failed requests, the most of any thread-pool cell at a listen backlog of 1024",
	  { .cell = "pool-b1024-*", .m = { .key = MK_CLIENT_REQUESTS_FAILED } },
	  {},
	  { .below = true, .reproduced = 0, .differs = 10 } },
	{ "fp-pool-faster",
	  "forkpool",
	  "The thread pool is far faster than fork up to 12,000 clients",
	  "duration, fork over the pool, 1000 clients, listen backlog 1024",
	  { .cell = "fork-b1024-c1000",
	    .over = "pool-b1024-c1000",
	    .m = { .key = MK_CLIENT_ELAPSED_S } },
	  THEIRS("forkpool", "1000", "fork s", "1000", "pool s"),
	  { .reproduced = 1.5, .differs = 1.1 } },
};
const size_t nstudy_claims = sizeof(study_claims) / sizeof(study_claims[0]);
