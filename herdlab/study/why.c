/* SPDX-License-Identifier: MIT */
/*
 * why.c - the explanations of each experiment (study.h): rows of the findings
 * engine (report/findings.h) over the runs of some cells.
 *
 * A section's runs are its cells' (one run each: the traced repeat, with the
 * untraced repeats' medians in place of every number they also have), each
 * under its variant's label as the engine's model and its axis values as the
 * run's label, so that {a.list} reads "1M-c15 3.4, 100M-c15 5.6". A row is
 * said only when its numbers exist and its bounds hold, and the alternatives
 * of a chain (`otherwise`) cover what the numbers can say; the last of a chain
 * about a key other work has yet to add says "not measured (needs KEY)".
 *
 * Each sentence names, beside each number, the run.json key it is from (in
 * backquotes): the sentence and study.json (numbers.c keeps each quoted value
 * beside it) tell a reader where to look. No literal number appears outside
 * the placeholders and the backquotes: every number a sentence states is one
 * the runs hold.
 */
#include "metrics/keys.h"
#include "study/study.h"
#include "study/wanted.h"

#define A 0
#define B 1
#define C 2

/* Metrics, as the sentences show them. */
#define US(k)                                                     \
	{                                                         \
		.key = k, .scale = 1e-3, .prec = 0, .unit = " us" \
	}
#define CPU_US                                                                              \
	{                                                                                   \
		.key = "server." MK_CG_CPU_NS, .per = MK_CLIENT_REQUESTS_OK, .scale = 1e-3, \
		.prec = 1, .unit = " us"                                                    \
	}
#define N0(k)                       \
	{                           \
		.key = k, .prec = 0 \
	}
#define N0_OPT(k)                                     \
	{                                             \
		.key = k, .prec = 0, .optional = true \
	}
#define N2(k)                       \
	{                           \
		.key = k, .prec = 2 \
	}
#define PER_REQ(k, p)                                             \
	{                                                         \
		.key = k, .per = MK_CLIENT_REQUESTS_OK, .prec = p \
	}
#define SHARE(k, of)                                                                        \
	{                                                                                   \
		.key = k, .per = of, .scale = 100, .prec = 0, .unit = "%", .optional = true \
	}
#define MIB(k)                                                              \
	{                                                                   \
		.key = k, .scale = 1.0 / 1048576, .prec = 0, .unit = " MiB" \
	}
#define PRESENT                \
	{                      \
		.key = MK_CPUS \
	} /* any run has it: the row is about a model that ran */

/* The last of a chain: the model ran, the key it needs is not in its run.json. */
#define NEEDS(model_, key)                                            \
	{                                                             \
		.model = model_, .m = { PRESENT }, .otherwise = true, \
		.text = "{model}: not measured (needs `" key "`)."    \
	}

/* ---- 000 ---------------------------------------------------------------------------------- */

static const struct finding fs_cost[] = {
	{ .model = "fork",
	  .m = { US(MK_PROC_FORK_LATENCY ".p50"), US(MK_PROC_FIRST_RUN_LATENCY ".p50"), CPU_US },
	  .text = "{model} forks once per connection: the fork takes {a} in the parent "
		  "(`proc.fork_latency.p50`) and the child waits {b} before it first runs "
		  "(`proc.first_run_latency.p50`); the server spends {c} of CPU per connection "
		  "(`server.cpu_ns` per request)." },
	{ .model = "prefork-10",
	  .than = "fork",
	  .m = { CPU_US },
	  .when = { { A, FS_OVER, FO_GE, 1.2 } },
	  .text = "{than} spends {a.than} of server CPU per connection, {model} {a}: "
		  "{a.over} times as much for a fork, an exit and the child's first page faults "
		  "per connection." },
	{ .model = "prefork-10",
	  .than = "fork",
	  .m = { CPU_US },
	  .otherwise = true,
	  .text = "{than} spends {a.than} of server CPU per connection and {model} {a}: at "
		  "these sizes the copy of the file, not the fork, is most of the cost." },
	{ .model = "fork",
	  .than = "prefork-10",
	  .m = { PER_REQ("server." MK_CG_PAGE_FAULTS_MINOR, 0) },
	  .text = "Page faults: {model} takes {a} minor faults per connection "
		  "(`server.page_faults_minor` per request), {than} {a.than}: each child "
		  "faults in the pages it touches and copies those it writes." },
	{ .model = "fork",
	  .m = { SHARE(WK_PROFILE_SHARE("fork"), NULL), SHARE(WK_PROFILE_SHARE("exit"), NULL),
		 SHARE(WK_PROFILE_SHARE("page_faults"), NULL) },
	  .when = { { A, FS_N, FO_GT, 0 } },
	  .text = "Of {model}'s CPU, fork takes {a} (`profile.buckets.fork.share`), exit {b} "
		  "(`profile.buckets.exit.share`) and page faults {c} "
		  "(`profile.buckets.page_faults.share`)." },
	NEEDS("fork", WK_PROFILE_SHARE("fork")),
};

#define SCHED_ROW(mdl)                                                                         \
	{                                                                                      \
		.model = mdl,                                                                  \
		.m = { N2(MK_SCHED_SWITCHES_PER_REQUEST), US(MK_SCHED_RUNQ_LATENCY ".p99"),    \
		       SHARE(MK_SCHED_INVOLUNTARY, MK_SCHED_SWITCHES) },                       \
		.text = "{model}: {a.list} context switches per request "                      \
			"(`sched.switches_per_request`), a run-queue wait of {b.list} at the " \
			"99th "                                                                \
			"percentile (`sched.runq_latency.p99`), {c.list} of the switches "     \
			"involuntary (`sched.involuntary` over `sched.switches`).",            \
		.more = {                                                                      \
			{ { { A, FS_MEAN, FO_GE, 10 } },                                       \
			  " A large transfer blocks and wakes many times: the socket buffer "  \
			  "fills "                                                             \
			  "faster than the client drains it, so the sender sleeps until the "  \
			  "receiver makes room." },                                            \
			{ { { C, FS_MEAN, FO_GE, 20 } },                                       \
			  " So many switches involuntary: more runnable tasks than CPUs, the " \
			  "server, its clients and the loopback's softirq taking turns." }     \
		}                                                                              \
	}

static const struct finding fs_cpus[] = {
	SCHED_ROW("iterative"),
	SCHED_ROW("fork"),
	SCHED_ROW("prefork-10"),
	{ .model = "fork",
	  .than = "prefork-10",
	  .m = { { .key = "server." MK_CG_CPU_NS, .scale = 1e-9, .prec = 2, .unit = " s" },
		 { .key = "client." MK_CG_CPU_NS, .scale = 1e-9, .prec = 2, .unit = " s" } },
	  .text = "The two CPUs are shared: {model}'s server used {a} of CPU "
		  "(`server.cpu_ns`) and its clients {b} (`client.cpu_ns`), {than}'s server "
		  "{a.than}; the loopback's softirq work is charged to whichever task sent "
		  "the data." },
};

static const struct finding fs_zombies[] = {
	{ .model = "reap-none",
	  .m = { N0(MK_PROC_ZOMBIES_PEAK), N0(MK_PROC_UNREAPED), N0(MK_ACCEPT_ACCEPTED) },
	  .text = "A parent that never reaps ({model}): the zombies peak at {a} "
		  "(`proc.zombies_peak`) for {c} connections (`accept.accepted`), and {b} are "
		  "still unreaped when the server stops (`proc.unreaped`); the kernel keeps each "
		  "exited child's task until its parent waits for it." },
	{ .model = "reap-sigchld",
	  .m = { N0(MK_PROC_ZOMBIES_PEAK),
		 { .key = MK_PROC_ZOMBIE_LIFETIME ".p50", .prec = 0, .unit = " us" },
		 N0(MK_PROC_REAPED_BY ".parent") },
	  .text = "A SIGCHLD handler that reaps ({model}): at most {a} zombies at once "
		  "(`proc.zombies_peak`), each one for {b} (`proc.zombie_lifetime.p50`), {c} "
		  "reaped by the parent (`proc.reaped_by.parent`)." },
	{ .model = "reap-ignore",
	  .m = { N0(MK_PROC_ZOMBIES_PEAK), N0(MK_PROC_REAPED_BY ".auto") },
	  .text = "SIGCHLD ignored ({model}, their proposed fix): the kernel reaps {b} "
		  "children itself at their exit (`proc.reaped_by.auto`), and the zombies peak "
		  "at {a} (`proc.zombies_peak`)." },
};

static const struct finding fs_pids[] = {
	{ .model = "reap-none",
	  .m = { N0("server." MK_CG_PIDS_PEAK), N0("server." MK_CG_FORKS_REFUSED),
		 N0(MK_CLIENT_REQUESTS_FAILED) },
	  .text = "Under a limit of tasks, zombies turn into refused forks: the never-reaping "
		  "server peaks at {a} tasks (`server.pids_peak`), the kernel refuses {b} of its "
		  "forks (`server.forks_refused`) and {c} requests fail "
		  "(`client.requests.failed`)." },
};

static const struct finding fs_memory[] = {
	{ .model = "send-read",
	  .than = "send-sendfile",
	  .m = { MIB("server." MK_CG_MEMORY_PEAK_BYTES), N0("server." MK_CG_OOM_KILLS),
		 N0(MK_CLIENT_ERRORS_SHORT) },
	  .text = "Reading the whole file into each child ({model}), the server's memory peaks "
		  "at {a.list} (`server.memory_peak_bytes`) against {a.than} with sendfile; "
		  "{b.list} OOM kills (`server.oom_kills`) and {c.list} short transfers "
		  "(`client.errors.short`)." },
	NEEDS("send-read", "server.memory_peak_bytes"),
	{ .model = "fork",
	  .than = "prefork-10",
	  .m = { { .key = "server." MK_CG_CPU_NS, .scale = 1e-9, .prec = 2, .unit = " s" },
		 N0(MK_CLIENT_REQUESTS_FAILED) },
	  .when = { { A, FS_OVER, FO_GE, 0.5 }, { B, FS_HI, FO_LE, 0 } },
	  .text = "With sendfile, {model} at 100M files used {a.list} of server CPU "
		  "(`server.cpu_ns`) against {a.than} for {than}, and {b.list} requests failed "
		  "(`client.requests.failed`): creating a process per client is not what "
		  "costs here, moving the bytes is." },
	{ .model = "fork",
	  .than = "prefork-10",
	  .m = { { .key = "server." MK_CG_CPU_NS, .scale = 1e-9, .prec = 2, .unit = " s" },
		 N0(MK_CLIENT_REQUESTS_FAILED) },
	  .otherwise = true,
	  .text = "With sendfile, {model} at 100M files used {a.list} of server CPU "
		  "(`server.cpu_ns`) against {a.than} for {than}, and {b.list} requests failed "
		  "(`client.requests.failed`)." },
};

static const struct study_why fileserver_why[] = {
	{ "Where fork's cost per connection goes", "*-10M-c15", fs_cost,
	  sizeof(fs_cost) / sizeof(fs_cost[0]) },
	{ "What two CPUs do to large transfers", "*-100M-c15", fs_cpus,
	  sizeof(fs_cpus) / sizeof(fs_cpus[0]) },
	{ "Their zombies", "zombies-*", fs_zombies, sizeof(fs_zombies) / sizeof(fs_zombies[0]) },
	{ "Zombies under a limit of tasks", "pids-*", fs_pids,
	  sizeof(fs_pids) / sizeof(fs_pids[0]) },
	{ "Their hang at 100 MB x 10-15 clients", "*100M-c1[05]", fs_memory,
	  sizeof(fs_memory) / sizeof(fs_memory[0]) },
};
const struct study_whys why_fileserver = { fileserver_why,
					   sizeof(fileserver_why) / sizeof(fileserver_why[0]) };

/* ---- 001 ---------------------------------------------------------------------------------- */

static const struct finding pe_herd[] = {
	{ .model = "prefork-epoll",
	  .m = { N2(MK_ACCEPT_WAKEUPS_PER_ACCEPT),
		 SHARE(MK_ACCEPT_FUTILE_WAKEUPS, MK_ACCEPT_WAKEUPS) },
	  .when = { { A, FS_HI, FO_GE, 2 } },
	  .text = "Without the flag ({model}) a connection woke {a.list} tasks "
		  "(`accept.wakeups_per_accept`), {b.list} of the wakeups futile "
		  "(`accept.futile_wakeups` over `accept.wakeups`): each worker's epoll waits on "
		  "the listener's queue as a non-exclusive waiter, so every idle one is woken "
		  "and all but one find nothing." },
	{ .model = "prefork-epoll",
	  .m = { N2(MK_ACCEPT_WAKEUPS_PER_ACCEPT) },
	  .otherwise = true,
	  .text = "Without the flag ({model}) a connection woke {a.list} tasks "
		  "(`accept.wakeups_per_accept`): few workers were idle when connections came." },
	{ .model = "prefork-epoll-exclusive",
	  .m = { N2(MK_ACCEPT_WAKEUPS_PER_ACCEPT) },
	  .text = "With EPOLLEXCLUSIVE ({model}) {a.list} tasks per connection "
		  "(`accept.wakeups_per_accept`): each epoll entry is an exclusive waiter and a "
		  "connection wakes one of them." },
	{ .model = "prefork-epoll-exclusive",
	  .than = "prefork-epoll",
	  .m = { CPU_US, { .key = MK_CLIENT_THROUGHPUT_REQUESTS_PER_S, .prec = 0 } },
	  .text = "The herd's price: {than} spends {a.than} of server CPU per request "
		  "(`server.cpu_ns` per request) and serves {b.than} requests/s "
		  "(`client.throughput.requests_per_s`); with the flag {a} and {b}." },
};

static const struct finding pe_dynamic[] = {
	{ .model = "prefork-dynamic",
	  .m = { N0(MK_PROC_FORKS), N0("server." MK_CG_PIDS_PEAK),
		 US(MK_PROC_FORK_LATENCY ".p50") },
	  .text = "Through its load the dynamic pool forked {a.list} children (`proc.forks`), "
		  "peaking at {b.list} tasks with the parent (`server.pids_peak`); a fork took "
		  "{c} in the parent (`proc.fork_latency.p50`)." },
	{ .model = "prefork-dynamic",
	  .m = { N0(WK_POOL_MAX_TOTAL), N0_OPT(WK_POOL_FORKS), N0_OPT(WK_SERVER_WORKERS_REPLACED) },
	  .text = "Its size over time: at most {a.list} children (`pool.max_total`)",
	  .more = { { { { B, FS_N, FO_GT, 0 } }, ", {b.list} forks by the pool (`pool.forks`)" },
		    { { { C, FS_N, FO_GT, 0 } },
		      ", {c.list} children recycled after --max-requests "
		      "(`server.counters.workers_replaced`)" },
		    { .text = "." } } },
	NEEDS("prefork-dynamic", WK_POOL_MAX_TOTAL),
};

static const struct study_why prefork_epoll_why[] = {
	{ "The herd, and EPOLLEXCLUSIVE", "prefork-epoll*", pe_herd,
	  sizeof(pe_herd) / sizeof(pe_herd[0]) },
	{ "The dynamic pool", "dynamic-*", pe_dynamic, sizeof(pe_dynamic) / sizeof(pe_dynamic[0]) },
};
const struct study_whys why_prefork_epoll = {
	prefork_epoll_why, sizeof(prefork_epoll_why) / sizeof(prefork_epoll_why[0])
};

/* ---- 002 ---------------------------------------------------------------------------------- */

static const struct finding unp_cpu[] = {
	{ .model = "prefork",
	  .than = "fork",
	  .m = { CPU_US },
	  .text = "{than} spends {a.than} of server CPU per connection (`server.cpu_ns` per "
		  "request), {model} {a}: {a.over} times as much." },
	{ .model = "fork",
	  .m = { US(MK_PROC_FORK_LATENCY ".p50"), US(MK_PROC_FIRST_RUN_LATENCY ".p50"),
		 PER_REQ("server." MK_CG_PAGE_FAULTS_MINOR, 0) },
	  .text = "Per connection {model} pays a fork of {a} (`proc.fork_latency.p50`), a "
		  "child that waits {b} to run (`proc.first_run_latency.p50`) and {c} minor page "
		  "faults (`server.page_faults_minor` per request), then an exit and a reap." },
	{ .model = "thread",
	  .than = "fork",
	  .m = { CPU_US },
	  .text = "A thread per connection ({model}) spends {a}: no address space to copy, "
		  "so {than} costs {a.over} times as much." },
	{ .model = "prethread-mutex",
	  .than = "prefork",
	  .m = { CPU_US },
	  .text = "The pools: {model} {a}, {than} {a.than} per connection." },
	{ .model = "prefork-mutex",
	  .m = { N2(MK_ACCEPT_WAKEUPS_PER_ACCEPT),
		 { .key = MK_ACCEPT_WAKEUPS_BY_WAIT ".lock",
		   .per = MK_ACCEPT_ACCEPTED,
		   .prec = 2 } },
	  .text = "A mutex around accept ({model}) woke {a} tasks per connection, {b} of them "
		  "for the lock (`accept.wakeups_by_wait.lock` per accept)." },
	{ .model = "prefork-passfd",
	  .than = "prefork",
	  .m = { N2(MK_SCHED_SWITCHES_PER_REQUEST) },
	  .text = "Passing the descriptor ({model}) costs {a} context switches per request "
		  "against {a.than} for {than} (`sched.switches_per_request`): the parent "
		  "accepts, wakes a child, and the child wakes it back when done." },
};

static const struct finding unp_herd[] = {
	{ .model = "prefork",
	  .m = { N2(MK_ACCEPT_WAKEUPS_PER_ACCEPT) },
	  .when = { { A, FS_HI, FO_LE, 1.5 } },
	  .text = "Blocking accept ({model}) woke {a} tasks per connection "
		  "(`accept.wakeups_per_accept`): accept sleeps as an exclusive waiter on the "
		  "listening socket, so Linux wakes one child, not all of them." },
	{ .model = "prefork",
	  .m = { N2(MK_ACCEPT_WAKEUPS_PER_ACCEPT) },
	  .otherwise = true,
	  .text = "Blocking accept ({model}) woke {a} tasks per connection "
		  "(`accept.wakeups_per_accept`)." },
	{ .model = "prefork-epoll",
	  .m = { N2(MK_ACCEPT_WAKEUPS_PER_ACCEPT),
		 SHARE(MK_ACCEPT_FUTILE_WAKEUPS, MK_ACCEPT_WAKEUPS) },
	  .text = "Each child in its own epoll ({model}) is woken by every connection: {a} "
		  "tasks per connection (`accept.wakeups_per_accept`), {b} of the wakeups futile "
		  "(`accept.futile_wakeups` over `accept.wakeups`)." },
};

#define WAIT_ROW(mdl, cpu, nfds)                                                                   \
	{ .model = mdl,                                                                            \
	  .m = { { .key = cpu, .prec = 0, .unit = " ns" }, N0_OPT(nfds) },                         \
	  .text = "{model}: {a.list} of CPU per call (`" cpu "`)",                                 \
	  .more = { { { { B, FS_N, FO_GT, 0 } }, ", {b.list} descriptors per call (`" nfds "`)" }, \
		    { .text = "." } } },                                                           \
		NEEDS(mdl, cpu)
#define LOOP_ROW(mdl)                                                                             \
	{                                                                                         \
		.model = mdl, .m = { CPU_US },                                                    \
		.text = "{model}: server CPU per request {a.list} (`server.cpu_ns` per request) " \
			"by idle connections watched."                                            \
	}

static const struct finding unp_waits[] = {
	LOOP_ROW("select"),
	LOOP_ROW("poll"),
	LOOP_ROW("epoll"),
	WAIT_ROW("select", WK_SELECT_CPU_NS_PER_CALL, WK_SELECT_NFDS_PER_CALL),
	WAIT_ROW("poll", WK_POLL_CPU_NS_PER_CALL, WK_POLL_NFDS_PER_CALL),
	WAIT_ROW("epoll", WK_EPOLL_CPU_NS_PER_CALL, WK_EPOLL_NFDS_PER_CALL),
};

static const struct study_why unp_why[] = {
	{ "Process-control CPU", "*", unp_cpu, sizeof(unp_cpu) / sizeof(unp_cpu[0]) },
	{ "The thundering herd", "prefork*", unp_herd, sizeof(unp_herd) / sizeof(unp_herd[0]) },
	{ "select, poll and epoll by descriptors watched", "*-n*", unp_waits,
	  sizeof(unp_waits) / sizeof(unp_waits[0]) },
};
const struct study_whys why_unp = { unp_why, sizeof(unp_why) / sizeof(unp_why[0]) };

/* ---- 003 ---------------------------------------------------------------------------------- */

#define ECHO_ROW(mdl)                                                                           \
	{                                                                                       \
		.model = mdl,                                                                   \
		.m = { { .key = MK_CLIENT_THROUGHPUT_REQUESTS_PER_S, .prec = 0 },               \
		       { .key = MK_CLIENT_LATENCY_US_TOTAL_P99,                                 \
			 .scale = 1e-3,                                                         \
			 .prec = 2,                                                             \
			 .unit = " ms" },                                                       \
		       N2(MK_SCHED_SWITCHES_PER_REQUEST) },                                     \
		.text = "{model}: {a.list} echoes/s (`client.throughput.requests_per_s`), p99 " \
			"{b.list} "                                                             \
			"(`client.latency_us.total.p99`), {c.list} switches per echo "          \
			"(`sched.switches_per_request`)."                                       \
	}

static const struct finding echo_scale[] = {
	ECHO_ROW("thread"),
	ECHO_ROW("select"),
	ECHO_ROW("epoll-edge"),
	ECHO_ROW("poll"),
	ECHO_ROW("prethread-queue"),
	{ .model = "thread",
	  .than = "epoll-edge",
	  .m = { N0("server." MK_CG_PIDS_PEAK), MIB("server." MK_CG_MEMORY_PEAK_BYTES) },
	  .text = "A thread per connection holds {a.list} tasks at its peak "
		  "(`server.pids_peak`) and {b.list} of memory (`server.memory_peak_bytes`); "
		  "{than} holds {b.than}." },
};

static const struct finding echo_limits[] = {
	{ .model = "select",
	  .m = { N0(MK_CLIENT_REQUESTS_FAILED), N0_OPT(WK_SERVER_FD_SETSIZE_REFUSED) },
	  .when = { { A, FS_HI, FO_GT, 0 } },
	  .text = "select failed {a.list} echoes (`client.requests.failed`)",
	  .more = { { { { B, FS_N, FO_GT, 0 } },
		      ", {b.list} connections refused at FD_SETSIZE "
		      "(`server.counters.fd_setsize_refused`)" },
		    { .text = ": an fd_set holds descriptors below FD_SETSIZE only, so the server "
			      "closes any connection whose descriptor is above it." } } },
	{ .model = "select",
	  .m = { N0(MK_CLIENT_REQUESTS_FAILED) },
	  .otherwise = true,
	  .text = "select failed {a.list} echoes (`client.requests.failed`): no cell had "
		  "descriptors past FD_SETSIZE." },
	{ .model = "epoll-edge",
	  .m = { N0(MK_TCP_ACCEPT_QUEUE_PEAK), N0_OPT(WK_NETSTAT_LISTEN_OVERFLOWS) },
	  .text = "At the connect burst the accept queue of {model} peaked at {a.list} "
		  "(`tcp.accept_queue_peak`)",
	  .more = { { { { B, FS_N, FO_GT, 0 } },
		      ", with {b.list} overflows (`tcp.netstat.ListenOverflows`)" },
		    { .text = "; the ramp spreads the same connections over time." } } },
};

static const struct study_why echo_why[] = {
	{ "Scaling to thousands of connections", "*", echo_scale,
	  sizeof(echo_scale) / sizeof(echo_scale[0]) },
	{ "Limits: FD_SETSIZE and the accept queue", "*", echo_limits,
	  sizeof(echo_limits) / sizeof(echo_limits[0]) },
};
const struct study_whys why_echo = { echo_why, sizeof(echo_why) / sizeof(echo_why[0]) };

/* ---- 004 ---------------------------------------------------------------------------------- */

#define RESETS_ROW(mdl)                                                                           \
	{                                                                                         \
		.model = mdl,                                                                     \
		.m = { N0(MK_CLIENT_REQUESTS_FAILED), N0(MK_CLIENT_ERRORS_RESET),                 \
		       N0(MK_CLIENT_ERRORS_TIMEOUT) },                                            \
		.text = "{model}: {a.list} requests failed (`client.requests.failed`), {b.list} " \
			"by a "                                                                   \
			"reset (`client.errors.reset`) and {c.list} by a timeout "                \
			"(`client.errors.timeout`)."                                              \
	}
#define QUEUE_ROW(mdl)                                                                            \
	{                                                                                         \
		.model = mdl,                                                                     \
		.m = { N0(MK_TCP_ACCEPT_QUEUE_PEAK),                                              \
		       { .key = MK_CLIENT_LATENCY_US_CONNECT ".max",                              \
			 .scale = 1e-6,                                                           \
			 .prec = 1,                                                               \
			 .unit = " s" },                                                          \
		       N0_OPT(MK_TCP_LISTEN_OVERFLOWS) },                                         \
		.text = "{model}'s accept queue held {a.list} at its peak "                       \
			"(`tcp.accept_queue_peak`) "                                              \
			"and the slowest connect took {b.list} "                                  \
			"(`client.latency_us.connect.max`): a "                                   \
			"handshake whose last ACK finds the queue full is dropped, and the "      \
			"client's "                                                               \
			"SYN or the server's SYN-ACK is sent again after a timeout that doubles " \
			"each "                                                                   \
			"time",                                                                   \
		.more = {                                                                         \
			{ { { C, FS_N, FO_GT, 0 } },                                              \
			  "; {c.list} listen overflows (`tcp.listen_overflows`, counted "         \
			  "machine-wide)" },                                                      \
			{ .text = "." }                                                           \
		}                                                                                 \
	}
#define FATES_ROW(mdl)                                                                             \
	{ .model = mdl,                                                                            \
	  .m = { N0(WK_FATES_SYN_DROPS), N0_OPT(WK_FATES_SYNACK_RETRANSMITS),                      \
		 N0_OPT(WK_FATES_RESETS_SENT) },                                                   \
	  .text = "The kernel's fates ({model}): {a.list} SYNs dropped (`fates.syn_drops`)",       \
	  .more = { { { { B, FS_N, FO_GT, 0 } },                                                   \
		      ", {b.list} SYN-ACKs retransmitted (`fates.synack_retransmits`)" },          \
		    { { { C, FS_N, FO_GT, 0 } }, ", {c.list} resets sent (`fates.resets_sent`)" }, \
		    { .text = "." } } },                                                           \
		NEEDS(mdl, WK_FATES_SYN_DROPS)
#define NETSTAT_ROW(mdl)                                                               \
	{ .model = mdl,                                                                \
	  .m = { N0(WK_NETSTAT_LISTEN_OVERFLOWS), N0_OPT(WK_NETSTAT_SYNCOOKIES_SENT),  \
		 N0_OPT(WK_NETSTAT_OUT_RSTS) },                                        \
	  .text = "In its own network namespace ({model}): {a.list} listen overflows " \
		  "(`tcp.netstat.ListenOverflows`)",                                   \
	  .more = { { { { B, FS_N, FO_GT, 0 } },                                       \
		      ", {b.list} syncookies sent (`tcp.netstat.SyncookiesSent`)" },   \
		    { { { C, FS_N, FO_GT, 0 } },                                       \
		      ", {c.list} resets sent (`tcp.netstat.OutRsts`)" },              \
		    { .text = "." } } },                                               \
		NEEDS(mdl, WK_NETSTAT_LISTEN_OVERFLOWS)

static const struct finding fp_resets[] = {
	RESETS_ROW("fork"), RESETS_ROW("pool"),	 QUEUE_ROW("fork"), QUEUE_ROW("pool"),
	FATES_ROW("fork"),  NETSTAT_ROW("fork"), FATES_ROW("pool"), NETSTAT_ROW("pool"),
};

static const struct finding fp_cost[] = {
	{ .model = "pool",
	  .than = "fork",
	  .m = { CPU_US, { .key = MK_CLIENT_THROUGHPUT_REQUESTS_PER_S, .prec = 0 } },
	  .text = "Per request, {than} spends {a.than} of server CPU (`server.cpu_ns` per "
		  "request) and {model} {a}; {than} serves {b.than} requests/s "
		  "(`client.throughput.requests_per_s`), {model} {b}." },
};

static const struct study_why forkpool_why[] = {
	{ "Where \"connection reset by peer\" comes from", "*-b5-*", fp_resets,
	  sizeof(fp_resets) / sizeof(fp_resets[0]) },
	{ "The same at a backlog of 1024", "*-b1024-*", fp_resets,
	  sizeof(fp_resets) / sizeof(fp_resets[0]) },
	{ "The cost of a fork per client (backlog 1024)", "*-b1024-*", fp_cost,
	  sizeof(fp_cost) / sizeof(fp_cost[0]) },
};
const struct study_whys why_forkpool = { forkpool_why,
					 sizeof(forkpool_why) / sizeof(forkpool_why[0]) };
