/* SPDX-License-Identifier: MIT */
/*
 * why.c - the explanations of the file server, the dynamic prefork and UNP's
 * and TLPI's tables (study.h): rows of the findings engine (report/findings.h)
 * over the runs of some cells; why_net.c has the echo servers' and the fork
 * against thread pool's.
 *
 * A section's runs are its cells' (one run each: the traced repeat, with the
 * untraced repeats' medians in place of every number they also have), each
 * under its variant's label as the engine's model and its axis values as the
 * run's label, so that {a.list} reads "1M-c15 3.4, 100M-c15 5.6". A row is
 * said only when its numbers exist and its bounds hold, and the alternatives
 * of a chain (`otherwise`) cover what the numbers can say, so that another
 * machine or kernel gets other sentences, still true; the last of a chain
 * about a key a run may lack says "not measured (needs KEY)".
 *
 * Each sentence names, beside each number, the run.json key it is from (in
 * backquotes, made from the same why.h name as the metric): the sentence and
 * study.json (pages.c keeps each quoted value beside it) tell a reader where
 * to look. No literal number appears outside the placeholders and the
 * backquotes: every number a sentence states is one the runs hold.
 */
#include "study/why.h"

/* ---- 000 ---------------------------------------------------------------------------------- */

static const struct finding fs_cost[] = {
	{ .model = "fork",
	  .m = { US(K_FORK_P50), US(K_FIRST_P50), CPU_US },
	  .text = "{model} forks once per connection: the fork takes {a} in the parent "
		  "(`" K_FORK_P50 "`) and the child waits {b} before it first runs (`" K_FIRST_P50
		  "`); the server spends {c} of CPU per connection (`" K_CPU "` per request)." },
	{ .model = "prefork-10",
	  .than = "fork",
	  .m = { CPU_US },
	  .when = { { A, FS_OVER, FO_GE, 1.2 } },
	  .text = "{than} spends {a.than} of server CPU per connection, {model} {a}: {a.over} "
		  "times as much for a fork, an exit and the child's first page faults per "
		  "connection." },
	{ .model = "prefork-10",
	  .than = "fork",
	  .m = { CPU_US },
	  .otherwise = true,
	  .text = "{than} spends {a.than} of server CPU per connection and {model} {a}: at these "
		  "sizes the copy of the file, not the fork, is most of the cost." },
	{ .model = "fork",
	  .than = "prefork-10",
	  .m = { PER_REQ(K_FAULTS, 0) },
	  .text = "Page faults: {model} takes {a} minor faults per connection (`" K_FAULTS
		  "` per request), {than} {a.than}: each child faults in the pages it touches and "
		  "copies those it writes." },
};

#define SCHED_ROW(mdl)                                                                          \
	{                                                                                       \
		.model = mdl,                                                                   \
		.m = { N2(K_SWITCHES_RQ), US(K_RUNQ_P99), SHARE(K_INVOL, K_SWITCHES) },         \
		.text = "{model}: {a.list} context switches per request (`" K_SWITCHES_RQ       \
			"`), a run-queue wait of {b.list} at the 99th percentile (`" K_RUNQ_P99 \
			"`), {c.list} of the switches involuntary (`" K_INVOL                   \
			"` over `" K_SWITCHES "`).",                                            \
		.more = {                                                                       \
			{ { { A, FS_MEAN, FO_GE, 10 } },                                        \
			  " A large transfer blocks and wakes many times: the socket buffer "   \
			  "fills "                                                              \
			  "faster than the client drains it, so the sender sleeps until the "   \
			  "receiver makes room." },                                             \
			{ { { C, FS_MEAN, FO_GE, 20 } },                                        \
			  " So many switches involuntary: more runnable tasks than CPUs, the "  \
			  "server, its clients and the loopback's softirq taking turns." }      \
		}                                                                               \
	}

static const struct finding fs_cpus[] = {
	SCHED_ROW("iterative"),
	SCHED_ROW("fork"),
	SCHED_ROW("prefork-10"),
	{ .model = "fork",
	  .than = "prefork-10",
	  .m = { SECONDS(K_CPU), SECONDS(K_CLIENT_CPU) },
	  .text = "The two CPUs are shared: {model}'s server used {a} of CPU (`" K_CPU
		  "`) and its clients {b} (`" K_CLIENT_CPU "`), {than}'s server {a.than}; the "
		  "loopback's softirq work is charged to whichever task sent the data." },
};

static const struct finding fs_zombies[] = {
	{ .model = "reap-none",
	  .m = { N0(SK_TRACE(MK_PROC_ZOMBIES_PEAK)), N0(SK_TRACE(MK_PROC_UNREAPED)),
		 N0(K_ACCEPTED) },
	  .text = "A parent that never reaps ({model}): the zombies peak at {a} "
		  "(`" SK_TRACE(MK_PROC_ZOMBIES_PEAK) "`) for {c} connections (`" K_ACCEPTED
						      "`), and {b} are still unreaped when the "
						      "server stops (`" SK_TRACE(
							      MK_PROC_UNREAPED) "`); the kernel "
										"keeps each "
										"exited "
										"child's task "
										"until its "
										"parent "
										"waits for it." },
	{ .model = "reap-sigchld",
	  .m = { N0(SK_TRACE(MK_PROC_ZOMBIES_PEAK)),
		 { .key = SK_TRACE(MK_PROC_ZOMBIE_LIFETIME ".p50"), .prec = 0, .unit = " us" },
		 N0(SK_TRACE(MK_PROC_REAPED_BY ".parent")) },
	  .text = "A SIGCHLD handler that reaps ({model}): at most {a} zombies at once "
		  "(`" SK_TRACE(MK_PROC_ZOMBIES_PEAK) "`), each one for {b} (`" SK_TRACE(
			  MK_PROC_ZOMBIE_LIFETIME
			  ".p50") "`), {c} "
				  "reaped by "
				  "the parent "
				  "(`" SK_TRACE(MK_PROC_REAPED_BY ".parent") "`)." },
	{ .model = "reap-ignore",
	  .m = { N0(SK_TRACE(MK_PROC_ZOMBIES_PEAK)), N0(SK_TRACE(MK_PROC_REAPED_BY ".auto")) },
	  .text = "SIGCHLD ignored ({model}, their proposed fix): the kernel reaps {b} "
		  "children "
		  "itself at their exit (`" SK_TRACE(
			  MK_PROC_REAPED_BY
			  ".auto") "`), and the "
				   "zombies peak at "
				   "{a} (`" SK_TRACE(MK_PROC_ZOMBIES_PEAK) "`)." },
};

static const struct finding fs_pids[] = {
	{ .model = "reap-none",
	  .m = { N0(K_PIDS), N0(K_REFUSED), N0(K_FAILED) },
	  .text = "Under a limit of tasks, zombies turn into refused forks: the never-reaping "
		  "server peaks at {a} tasks (`" K_PIDS "`), the kernel refuses {b} of its forks "
		  "(`" K_REFUSED "`) and {c} requests fail (`" K_FAILED "`)." },
};

static const struct finding fs_memory[] = {
	{ .model = "send-read",
	  .m = { MIB(K_MEM),
		 { .key = K_MEM,
		   .per = SK_CLIENT_REQUESTS_TOTAL,
		   .scale = 1.0 / 1048576,
		   .prec = 0,
		   .unit = " MiB" } },
	  .text = "Reading the whole file into each child with no limit ({model}), the server's "
		  "memory peaks at {a.list} (`" K_MEM "`), {b.list} per request (`" K_MEM
		  "` per `" SK_CLIENT_REQUESTS_TOTAL "`): every child holds its file while it "
		  "writes it, so the server needs clients x size." },
	NEEDS("send-read", K_MEM),
	{ .model = "send-read-limited",
	  .m = { MIB(K_MEM_LIMIT), N0(K_OOM), N0(MK_CLIENT_ERRORS_SHORT) },
	  .when = { { B, FS_HI, FO_GT, 0 } },
	  .text = "Under a limit of {a} (`" K_MEM_LIMIT "`) the kernel killed {b.list} of the "
		  "read server's children (`" K_OOM
		  "`) and {c.list} transfers ended short (`" MK_CLIENT_ERRORS_SHORT
		  "`): the clients see a server that stops in the middle of a file, their hang." },
	{ .model = "send-read-limited",
	  .m = { MIB(K_MEM_LIMIT), N0(K_OOM), N0(MK_CLIENT_ERRORS_SHORT) },
	  .otherwise = true,
	  .text = "Under a limit of {a} (`" K_MEM_LIMIT "`) the read server's children fit: "
		  "{b.list} OOM kills (`" K_OOM
		  "`), {c.list} short transfers (`" MK_CLIENT_ERRORS_SHORT "`)." },
	{ .model = "send-sendfile-limited",
	  .than = "send-read-limited",
	  .m = { MIB(K_MEM), N0(K_OOM), N0(K_FAILED) },
	  .text = "With sendfile under the same limit ({model}) the memory peaks at {a.list} "
		  "(`" K_MEM "`, the page cache charged to the server included) with {b.list} OOM "
		  "kills (`" K_OOM "`) and {c.list} failed requests (`" K_FAILED
		  "`): the file goes from the page cache to the socket, never through the "
		  "server's own memory." },
	{ .model = "fork",
	  .than = "prefork-10",
	  .m = { SECONDS(K_CPU), N0(K_FAILED) },
	  .when = { { A, FS_OVER, FO_GE, 0.5 }, { B, FS_HI, FO_LE, 0 } },
	  .text = "With sendfile, {model} at 100M files used {a.list} of server CPU (`" K_CPU
		  "`) against {a.than} for {than}, and {b.list} requests failed (`" K_FAILED
		  "`): creating a process per client is not what costs here, moving the bytes "
		  "is." },
	{ .model = "fork",
	  .than = "prefork-10",
	  .m = { SECONDS(K_CPU), N0(K_FAILED) },
	  .otherwise = true,
	  .text = "With sendfile, {model} at 100M files used {a.list} of server CPU (`" K_CPU
		  "`) against {a.than} for {than}, and {b.list} requests failed (`" K_FAILED
		  "`)." },
};

static const struct study_why fileserver_why[] = {
	{ "Where fork's cost per connection goes", "*-10M-c15", fs_cost, NROWS(fs_cost) },
	{ "What two CPUs do to large transfers", "*-100M-c15", fs_cpus, NROWS(fs_cpus) },
	{ "Their zombies", "zombies-*", fs_zombies, NROWS(fs_zombies) },
	{ "Zombies under a limit of tasks", "pids-*", fs_pids, NROWS(fs_pids) },
	{ "Their hang at 100 MB x 10-15 clients", "*100M-c1[05]", fs_memory, NROWS(fs_memory) },
};
const struct study_whys why_fileserver = { fileserver_why, NROWS(fileserver_why) };

/* ---- 001 ---------------------------------------------------------------------------------- */

static const struct finding pe_herd[] = {
	{ .model = "prefork-epoll",
	  .m = { N2(K_HERD), SHARE(K_FUTILE, K_WAKEUPS) },
	  .when = { { A, FS_HI, FO_GE, 2 } },
	  .text = "Without the flag ({model}) a connection woke {a.list} tasks (`" K_HERD
		  "`), {b.list} of the wakeups futile (`" K_FUTILE "` over `" K_WAKEUPS
		  "`): each worker's epoll waits on the listener's queue as a non-exclusive "
		  "waiter, so every idle one is woken and all but one find nothing." },
	{ .model = "prefork-epoll",
	  .m = { N2(K_HERD) },
	  .otherwise = true,
	  .text = "Without the flag ({model}) a connection woke {a.list} tasks (`" K_HERD
		  "`): few workers were idle when connections came." },
	{ .model = "prefork-epoll-exclusive",
	  .m = { N2(K_HERD) },
	  .text = "With EPOLLEXCLUSIVE ({model}) {a.list} tasks per connection (`" K_HERD
		  "`): each epoll entry is an exclusive waiter and a connection wakes one of "
		  "them." },
	{ .model = "prefork-epoll-exclusive",
	  .than = "prefork-epoll",
	  .m = { CPU_US, N0(K_RPS) },
	  .text = "The herd's price: {than} spends {a.than} of server CPU per request (`" K_CPU
		  "` per request) and serves {b.than} requests/s (`" K_RPS
		  "`); with the flag {a} and {b}." },
};

static const struct finding pe_dynamic[] = {
	{ .model = "prefork-dynamic",
	  .m = { N0(K_FORKS), N0(K_PIDS), US(K_FORK_P50) },
	  .text = "Through its load the dynamic pool forked {a.list} children (`" K_FORKS
		  "`), peaking at {b.list} tasks with the parent (`" K_PIDS "`); a fork took {c} "
		  "in the parent (`" K_FORK_P50 "`)." },
	{ .model = "prefork-dynamic",
	  .m = { N0(MK_SERVER_POOL_MAX_TOTAL), N0_OPT(MK_SERVER_POOL_FORKS),
		 N0_OPT(MK_SERVER_POOL_RECYCLED) },
	  .text = "Its size over time: at most {a.list} children (`" MK_SERVER_POOL_MAX_TOTAL "`)",
	  .more = { { { { B, FS_N, FO_GT, 0 } },
		      ", {b.list} forks by the pool (`" MK_SERVER_POOL_FORKS "`)" },
		    { { { C, FS_HI, FO_GT, 0 } },
		      ", {c.list} children recycled after their --max-requests "
		      "(`" MK_SERVER_POOL_RECYCLED
		      "`): a child that has served its share exits and the parent forks "
		      "another" },
		    { .text = "." } } },
	NEEDS("prefork-dynamic", MK_SERVER_POOL_MAX_TOTAL),
};

static const struct study_why prefork_epoll_why[] = {
	{ "The herd, and EPOLLEXCLUSIVE", "prefork-epoll*", pe_herd, NROWS(pe_herd) },
	{ "The dynamic pool", "dynamic-*", pe_dynamic, NROWS(pe_dynamic) },
};
const struct study_whys why_prefork_epoll = { prefork_epoll_why, NROWS(prefork_epoll_why) };

/* ---- 002 ---------------------------------------------------------------------------------- */

#define K_B_FORK  SK_BUCKET("fork")
#define K_B_EXIT  SK_BUCKET("exit")
#define K_B_FAULT SK_BUCKET("page_fault")
#define K_B_USER  SK_BUCKET("user")
/* fork + exit + page faults: what a process per connection adds */
#define PROCESS_SHARE                                                                      \
	{                                                                                  \
		.key = K_B_FORK, .plus = { K_B_EXIT, K_B_FAULT }, .scale = 100, .prec = 0, \
		.unit = "%"                                                                \
	}

static const struct finding unp_cpu[] = {
	{ .model = "prefork",
	  .than = "fork",
	  .m = { CPU_US },
	  .text = "{than} spends {a.than} of server CPU per connection (`" K_CPU
		  "` per request), {model} {a}: {a.over} times as much." },
	{ .model = "fork",
	  .m = { US(K_FORK_P50), US(K_FIRST_P50), PER_REQ(K_FAULTS, 0) },
	  .text = "Per connection {model} pays a fork of {a} (`" K_FORK_P50
		  "`), a child that waits {b} to run (`" K_FIRST_P50 "`) and {c} minor page faults "
		  "(`" K_FAULTS "` per request), then an exit and a reap." },
	{ .model = "fork",
	  .m = { SHARE(K_B_FORK, NULL), SHARE(K_B_EXIT, NULL), SHARE(K_B_FAULT, NULL) },
	  .when = { { A, FS_N, FO_GT, 0 } },
	  .text = "Where {model}'s CPU goes, by the kernel functions on its sampled stacks "
		  "(--profile on the traced repeat): fork {a} (`" K_B_FORK
		  "`), exit {b} (`" K_B_EXIT "`), page faults {c} (`" K_B_FAULT "`)." },
	NEEDS("fork", K_B_FORK),
	{ .model = "fork",
	  .than = "prefork",
	  .m = { PROCESS_SHARE },
	  .when = { { A, FS_MEAN, FO_GE, 50 } },
	  .text = "Together {a} of {model}'s samples (`" K_B_FORK "` + `" K_B_EXIT "` + `" K_B_FAULT
		  "`) against {a.than} of {than}'s: making and unmaking a process per "
		  "connection, not serving it, is most of what {model} pays." },
	{ .model = "fork",
	  .than = "prefork",
	  .m = { PROCESS_SHARE },
	  .otherwise = true,
	  .text = "Together {a} of {model}'s samples (`" K_B_FORK "` + `" K_B_EXIT "` + `" K_B_FAULT
		  "`) against {a.than} of {than}'s: less than half, the work of each connection "
		  "weighs as much as its process." },
	{ .model = "thread",
	  .than = "fork",
	  .m = { CPU_US },
	  .text = "A thread per connection ({model}) spends {a}: no address space to copy, so "
		  "{than} costs {a.over} times as much." },
	{ .model = "prethread-mutex",
	  .than = "prefork",
	  .m = { CPU_US },
	  .text = "The pools: {model} {a}, {than} {a.than} per connection." },
	{ .model = "prefork-mutex",
	  .m = { N2(K_HERD),
		 { .key = SK_TRACE(MK_ACCEPT_WAKEUPS_BY_WAIT ".lock"),
		   .per = K_ACCEPTED,
		   .prec = 2 } },
	  .text = "A mutex around accept ({model}) woke {a} tasks per connection, {b} of them for "
		  "the lock (`" SK_TRACE(MK_ACCEPT_WAKEUPS_BY_WAIT ".lock") "` per `" K_ACCEPTED
									    "`)." },
	{ .model = "prefork-passfd",
	  .than = "prefork",
	  .m = { N2(K_SWITCHES_RQ) },
	  .text = "Passing the descriptor ({model}) costs {a} context switches per request "
		  "against {a.than} for {than} (`" K_SWITCHES_RQ "`): the parent accepts, wakes a "
		  "child, and the child wakes it back when done." },
};

static const struct finding unp_herd[] = {
	{ .model = "prefork",
	  .m = { N2(K_HERD) },
	  .when = { { A, FS_HI, FO_LE, 1.5 } },
	  .text = "Blocking accept ({model}) woke {a} tasks per connection (`" K_HERD
		  "`): accept sleeps as an exclusive waiter on the listening socket, so Linux "
		  "wakes one child, not all of them." },
	{ .model = "prefork",
	  .m = { N2(K_HERD) },
	  .otherwise = true,
	  .text = "Blocking accept ({model}) woke {a} tasks per connection (`" K_HERD "`)." },
	{ .model = "prefork-epoll",
	  .m = { N2(K_HERD), SHARE(K_FUTILE, K_WAKEUPS) },
	  .text = "Each child in its own epoll ({model}) is woken by every connection: {a} tasks "
		  "per connection (`" K_HERD "`), {b} of the wakeups futile (`" K_FUTILE
		  "` over `" K_WAKEUPS "`)." },
};

/*
 * A wait call's cost by descriptors watched: CPU per call, descriptors per call, CPU per
 * descriptor; then why, chosen by how much the cost per call grew from the fewest idle
 * connections to the most (FS_SPREAD: highest over lowest).
 */
#define WAIT_ROW(mdl, kind)                                                                               \
	{ .model = mdl,                                                                                   \
	  .m = { { .key = SK_WAIT(kind, MK_WK_CPU_NS_PER_CALL), .prec = 0, .unit = " ns" },               \
		 { .key = SK_WAIT(kind, MK_WK_NFDS_PER_CALL), .prec = 0 },                                \
		 { .key = SK_WAIT(kind, MK_WK_CPU_NS_PER_FD), .prec = 1, .unit = " ns" } },               \
	  .text = "{model}: {a.list} of CPU per call (`" SK_WAIT(                                         \
		  kind,                                                                                   \
		  MK_WK_CPU_NS_PER_CALL) "`) for {b.list} descriptors per call "                          \
					 "(`" SK_WAIT(                                                    \
						 kind,                                                    \
						 MK_WK_NFDS_PER_CALL) "`), {c.list} "                     \
								      "per "                              \
								      "descriptor "                       \
								      "(`" SK_WAIT(                       \
									      kind,                       \
									      MK_WK_CPU_NS_PER_FD) "`).", \
	  .more = { { { { A, FS_SPREAD, FO_GE, 5 } },                                                     \
		      " The cost per call grows with the descriptors: every call hands the "              \
		      "kernel the whole set, and the kernel asks each descriptor's file "                 \
		      "whether it is ready, so the cost is per descriptor watched, ready or "             \
		      "not." },                                                                           \
		    { { { A, FS_SPREAD, FO_LT, 5 }, { A, FS_SPREAD, FO_GE, 2 } },                         \
		      " The cost per call grows, but less than the descriptors do." },                    \
		    { { { A, FS_SPREAD, FO_LT, 2 } },                                                     \
		      " The cost per call hardly moves: the interest list stays in the "                  \
		      "kernel (epoll_ctl once per connection) and a call takes only what the "            \
		      "ready list holds, the active client's socket and the listener." } } },             \
		NEEDS(mdl, SK_WAIT(kind, MK_WK_CPU_NS_PER_CALL))
#define LOOP_ROW(mdl)                                                       \
	{                                                                   \
		.model = mdl, .m = { CPU_US },                              \
		.text = "{model}: server CPU per request {a.list} (`" K_CPU \
			"` per request) by idle "                           \
			"connections watched."                              \
	}

static const struct finding unp_waits[] = {
	WAIT_ROW("select", MK_WAIT_SELECT),
	WAIT_ROW("poll", MK_WAIT_POLL),
	WAIT_ROW("epoll", MK_WAIT_EPOLL),
	LOOP_ROW("select"),
	LOOP_ROW("poll"),
	LOOP_ROW("epoll"),
};

static const struct study_why unp_why[] = {
	{ "Process-control CPU", "*", unp_cpu, NROWS(unp_cpu) },
	{ "The thundering herd", "prefork*", unp_herd, NROWS(unp_herd) },
	{ "select, poll and epoll by descriptors watched", "*-n*", unp_waits, NROWS(unp_waits) },
};
const struct study_whys why_unp = { unp_why, NROWS(unp_why) };
