/* SPDX-License-Identifier: MIT */
/*
 * experiments.c - what the study runs, and our tables beside theirs (study.h).
 *
 * One entry per source document. Its groups say which `herdlab run` cells it
 * needs (variants by axis values, the arguments a template); its tables say
 * which cell and which run.json key stands beside each of the document's
 * numbers. Sizes are chosen for a 2-CPU machine: the full study within 30
 * minutes, --quick within 3 (fewer values, one repeat); each place where we
 * run less than the document did says so in `differs`, which every page shows.
 *
 * Keys are run.json's full paths from keys.h's names (study.h's SK_*:
 * "trace.accept.wakeups_per_accept", "cost.server.cpu_ns"). A group's `wants`
 * are observations: --netns runs every repeat in a namespace of its own (for
 * the TCP counters), --waits and --profile only the traced one (runner.c).
 */
#include <string.h>

#include "metrics/keys.h"
#include "study/study.h"

/* ---- the file server (000) ---------------------------------------------------------------- */

/*
 * The memory their VM left the server: 2 GB less what its system and Lua took.
 * 15 clients x 100 MiB do not fit in it and 10 just about do, so that --quick's
 * 15 clients show the kill and the full study's 10 the edge.
 */
#define MEM_LIMIT "1G"

static const struct study_group fileserver_groups[] = {
	{ .name = "transfer",
	  .variants = { { "iterative", "iterative" },
			{ "fork", "fork" },
			{ "prefork-5", "prefork", "--workers 5" },
			{ "prefork-10", "prefork", "--workers 10" } },
	  /* their clients fetch 20 files each; the large files fewer, scaled back in the table */
	  .axes = { { "size", "10K:n=20,100K:n=20,1M:n=20,10M:n=4,100M:n=1",
		      "10K:n=20,10M:n=4,100M:n=1" },
		    { "clients", "1,5,10,15", "1,15" } },
	  .id = "{label}-{size}-c{clients}",
	  .args = "--clients {clients} --requests {clients*n} --path /size/{size} --timeout 120" },
	{ .name = "zombies",
	  .variants = { { "reap-none", "fork", "--reap none" },
			{ "reap-sigchld", "fork", "--reap sigchld" },
			{ "reap-ignore", "fork", "--reap ignore" } },
	  .id = "zombies-{label}",
	  .args = "--clients 5 --requests 211 --path /size/10K",
	  .once = true },
	{ .name = "pids",
	  .variants = { { "reap-none", "fork", "--reap none" } },
	  .id = "pids-{label}",
	  .args = "--pids-limit 64 --clients 5 --requests 211 --path /size/10K --timeout 5",
	  .once = true },
	/* their hang: a server that reads the whole file per child (--send read) with no limit
	   (its peak is clients x size), and beside sendfile under MEM_LIMIT */
	{ .name = "memory",
	  .variants = { { "send-read", "fork", "--send read" },
			{ "send-read-limited", "fork", "--send read --mem-limit " MEM_LIMIT },
			{ "send-sendfile-limited", "fork",
			  "--send sendfile --mem-limit " MEM_LIMIT } },
	  .axes = { { "clients", "10,15", "15" } },
	  .id = "{label}-100M-c{clients}",
	  .args = "--clients {clients} --requests {clients} --path /size/100M --timeout 120",
	  .needs = "--send --mem-limit",
	  .once = true },
};

static const struct study_table fileserver_tables[] = {
	{ .seed = "fs_mean",
	  .cell = "{row}-c{col}",
	  .m = { .key = MK_CLIENT_LATENCY_US_TOTAL ".mean",
		 .scale = 1e-6,
		 .prec = 4,
		 .unit = " s" },
	  .note = "the mean of client.latency_us.total (connect to last byte) over the cell's "
		  "requests" },
	{ .seed = "fs_total",
	  .cell = "{row}-c{col}",
	  .m = { .key = MK_CLIENT_LATENCY_US_TOTAL ".mean",
		 .scale = 2e-5,
		 .prec = 3,
		 .unit = " s" },
	  .note = "20 times the mean of client.latency_us.total: one client's 20 files, one "
		  "after the other (the large files ran fewer than 20 per client)" },
};

static const char fileserver_differs[] =
	"They ran Lua servers in a 2 GB VirtualBox VM on a Core 2 Duo; we run herdsrv's C "
	"models (sendfile unless `--send read`) on this machine, client and server sharing its "
	"CPUs over loopback, as theirs did. Their clients fetched 20 files each; ours fetch 20 "
	"of the small files, 4 of 10M and 1 of 100M, and the total column is 20 times the mean. "
	"Their forking server never reaped (LuaPosix had no signal()): the zombies cells run "
	"fork with each reaping mode. Their hang at 100M x 10-15 clients is looked for with a "
	"server that reads the whole file per child (`--send read`): with no limit, for its peak "
	"memory, and beside sendfile under a limit of " MEM_LIMIT ", what their 2 GB VM left a "
	"server once its system and Lua had their share.";

/* ---- the dynamic preforked server with EPOLLEXCLUSIVE (001) ---------------------------------- */

static const struct study_group prefork_epoll_groups[] = {
	{ .name = "herd",
	  .variants = { { "prefork-epoll", "prefork-epoll" },
			{ "prefork-epoll-exclusive", "prefork-epoll-exclusive" } },
	  .axes = { { "workers", "4,15,32", "4,32" } },
	  .id = "{label}-w{workers}",
	  .args = "--workers {workers} --clients 2 --requests 2003 --path /size/1K" },
	{ .name = "dynamic",
	  .variants = { { "prefork-dynamic", "prefork-dynamic",
			  "--workers 2 --min-idle 2 --max-idle 5 --max-children 32 "
			  "--max-requests 0" } },
	  .id = "dynamic-burst",
	  .args = "--clients 24 --requests 1201 --path /sleep/20",
	  .once = true },
	{ .name = "phases",
	  .variants = { { "prefork-dynamic", "prefork-dynamic",
			  "--workers 2 --min-idle 2 --max-idle 5 --max-children 32 "
			  "--max-requests 50" } },
	  .id = "dynamic-phases",
	  /* idle (one client of small files), a burst of 32 slow requests at once, idle again */
	  .args = "--phases 1s:clients=1:/size/1K,3s:clients=32:/sleep/50,2s:clients=1:/size/1K",
	  .needs = "--phases",
	  .once = true },
};

static const struct study_table prefork_epoll_tables[] = {
	{ .seed = "pe_herd",
	  .cell = "{col}-w{row}",
	  .m = { .key = SK_TRACE(MK_ACCEPT_WAKEUPS_PER_ACCEPT), .prec = 2 },
	  .note = "trace.accept.wakeups_per_accept: workers woken per accepted connection (the "
		  "traced "
		  "repeat), two closed-loop clients so that most workers are idle" },
};

static const char prefork_epoll_differs[] =
	"They describe a design and give no numbers: the herd factor they expect is the number "
	"of idle workers without the flag and one with it. Our prefork-dynamic regulates its "
	"pool from its children's messages over a socketpair as theirs does; its dummy reply is "
	"herdsrv's HTTP subset.";

/* ---- UNP ch. 30 and TLPI ch. 63 (002) --------------------------------------------------------- */

#define W15 "--workers 15"

static const struct study_group unp_groups[] = {
	{ .name = "cpu",
	  .variants = { { "iterative", "iterative" },
			{ "fork", "fork" },
			{ "prefork", "prefork", W15 },
			{ "prefork-mutex", "prefork-mutex", W15 },
			{ "prefork-flock", "prefork-flock", W15 },
			{ "prefork-passfd", "prefork-passfd", W15 },
			{ "thread", "thread" },
			{ "prethread-mutex", "prethread-mutex", W15 },
			{ "prethread-queue", "prethread-queue", W15 },
			{ "prefork-epoll", "prefork-epoll", W15 } },
	  .id = "{label}",
	  /* UNP's client: 5 children of 500 connections, 4000 bytes each; at most 10 at once.
	     The traced repeat is profiled too: where fork's CPU goes, by kernel function */
	  .args = "--clients 10 --requests 2500 --path /size/4000",
	  .wants = "--profile" },
	{ .name = "waits",
	  .variants = { { "poll", "poll" }, { "epoll", "epoll" } },
	  .axes = { { "idle", "10,100,1000,10000", "10,1000" } },
	  .id = "{label}-n{idle}",
	  .args = "--clients 1 --requests 2003 --idle {idle} --path /size/1K",
	  .wants = "--waits" },
	{ .name = "waits-select",
	  .variants = { { "select", "select" } },
	  .axes = { { "idle", "10,100,1000", "10,1000" } },
	  .id = "{label}-n{idle}",
	  .args = "--clients 1 --requests 2003 --idle {idle} --path /size/1K",
	  .wants = "--waits" },
};

static const struct study_table unp_tables[] = {
	{ .seed = "unp_cpu",
	  .cell = "{row}",
	  .m = { .key = SK_SERVER(MK_CG_CPU_NS),
		 .per = MK_CLIENT_REQUESTS_OK,
		 .scale = 1e-3,
		 .prec = 1,
		 .unit = " us" },
	  .minus = "iterative",
	  .norm_row = "fork",
	  .shape = true,
	  .note = "the server's CPU (its cgroup: cost.server.cpu_ns, untraced repeats) per "
		  "connection, "
		  "less the iterative server's; theirs are totals over a number of connections "
		  "the notes do not give, so the shares of fork's are what compare" },
	{ .seed = "tlpi_wait",
	  .cell = "{col}-n{row}",
	  .colkey = { SK_WAIT(MK_WAIT_POLL, MK_WK_CPU_NS_PER_CALL),
		      SK_WAIT(MK_WAIT_SELECT, MK_WK_CPU_NS_PER_CALL),
		      SK_WAIT(MK_WAIT_EPOLL, MK_WK_CPU_NS_PER_CALL) },
	  .m = { .prec = 0, .unit = " ns" },
	  .shape = true,
	  .note = "CPU per wait call (trace.wait.KIND.cpu_ns_per_call, herdlab run --waits on "
		  "the traced repeat), N idle connections watched beside one active client. The "
		  "calls are traced from the server's start, so those made while the idle "
		  "connections were still opening (fewer descriptors) are in the mean: a little "
		  "below the steady state's, never above it. Theirs are totals over a number of "
		  "calls, so each value over the first row's is what compares" },
	{ .seed = "tlpi_wait",
	  .cell = "{col}-n{row}",
	  .m = { .key = SK_SERVER(MK_CG_CPU_NS),
		 .per = MK_CLIENT_REQUESTS_OK,
		 .scale = 1e-3,
		 .prec = 1,
		 .unit = " us" },
	  .shape = true,
	  .note = "the server's CPU per request (cost.server.cpu_ns over client.requests.ok) "
		  "with N "
		  "idle connections watched: the whole cost of one wakeup of the loop, measured "
		  "today from the cgroup" },
};

static const char unp_differs[] =
	"UNP's numbers are from its own machine and client (5 children of 500 connections "
	"each, on two client hosts); ours run the client on the same 2 CPUs as the server, so "
	"the server's CPU is counted from its own cgroup. TLPI's table is a test program "
	"calling each function on N descriptors with one ready; ours is a server watching N "
	"idle connections beside one busy client. select stops at 1000: herdsrv's select "
	"refuses descriptors at or above FD_SETSIZE.";

/* ---- echo servers, 1000-5000 connections (003) ----------------------------------------------- */

#define ECHO_ARGS                                                                        \
	"--clients {conns} --keepalive 20 --hold 20 --requests {conns*20} --body 19-19 " \
	"--timeout 30 --connect-timeout 10"

static const struct study_group echo_groups[] = {
	{ .name = "echo",
	  .variants = { { "thread", "thread" },
			{ "select", "select" },
			{ "epoll-edge", "epoll", "--trigger edge" },
			{ "poll", "poll", NULL, true },
			{ "prethread-queue", "prethread-queue", "--workers 16", true } },
	  /* --quick: 2000 alone, past select's FD_SETSIZE */
	  .axes = { { "conns", "1000,2000,3000,5000", "2000" } },
	  .id = "{label}-{conns}c",
	  .args = ECHO_ARGS,
	  .wants = "--netns" },
	{ .name = "ramp",
	  .variants = { { "epoll-edge", "epoll", "--trigger edge" } },
	  .axes = { { "conns", "5000", "2000" } },
	  .id = "{label}-{conns}c-ramp",
	  .args = ECHO_ARGS " --ramp 2",
	  .wants = "--netns" },
};

static const struct study_table echo_tables[] = {
	{ .seed = "echo",
	  .cell = "{col}-{row}c",
	  .m = { .key = MK_CLIENT_THROUGHPUT_REQUESTS_PER_S, .prec = 0 },
	  .note = "client.throughput.requests_per_s over the whole run (the connect burst "
		  "included)" },
	{ .seed = "echo",
	  .cell = "{col}-{row}c",
	  .m = { .key = MK_CLIENT_LATENCY_US_TOTAL_P99, .scale = 1e-3, .prec = 2, .unit = " ms" },
	  .note = "client.latency_us.total.p99: the 99th percentile of one echo's time" },
	{ .seed = "echo",
	  .cell = "{col}-{row}c",
	  .m = { .key = MK_CLIENT_REQUESTS_FAILED, .prec = 0 },
	  .note = "client.requests.failed: echoes that got no answer (refused, reset, timed out)" },
};

static const char echo_differs[] =
	"Their servers and client are Python; ours are herdsrv's C models and herdload, one "
	"connection per client kept for its 20 echoes with 20 ms between them. Their client "
	"was processes of threads on another machine or the same (not said); ours shares this "
	"machine's 2 CPUs. Their results are charts whose numbers the text does not hold: our "
	"tables stand alone, and the claims are the ones the text makes.";

/* ---- fork against a thread pool, 100-100,000 clients (004) ----------------------------------- */

static const struct study_group forkpool_groups[] = {
	{ .name = "stress",
	  .variants = { { "fork", "fork" }, { "pool", "prethread-queue", "--workers 8" } },
	  /* at most 4000 in flight (one machine's ports and descriptors); a response waits
	     {to} s, long enough for a few SYN-ACK retransmissions (1, 3, 7 s) */
	  .axes = { { "clients",
		      "100:conc=100:to=10,500:conc=500:to=10,1000:conc=1000:to=10,"
		      "2000:conc=2000:to=10,4000:conc=4000:to=10,8000:conc=4000:to=10,"
		      "12000:conc=4000:to=10,50000:conc=4000:to=10,100000:conc=4000:to=10",
		      "100:conc=100:to=5,1000:conc=1000:to=5" },
		    { "backlog", "5,1024" } },
	  .id = "{label}-b{backlog}-c{clients}",
	  .args = "--backlog {backlog} --clients {conc} --requests {clients} --path /size/100 "
		  "--timeout {to} --connect-timeout {to}",
	  .wants = "--netns",
	  .once = true },
	/* the same overflow with the kernel told to answer it with a reset */
	{ .name = "abort",
	  .variants = { { "fork-abort", "fork", "--sysctl net.ipv4.tcp_abort_on_overflow=1" } },
	  .axes = { { "clients", "1000:conc=1000:to=10,2000:conc=2000:to=10",
		      "1000:conc=1000:to=5" },
		    { "backlog", "5" } },
	  .id = "{label}-b{backlog}-c{clients}",
	  .args = "--netns --backlog {backlog} --clients {conc} --requests {clients} --path "
		  "/size/100 --timeout {to} --connect-timeout {to}",
	  .needs = "--netns --sysctl",
	  .once = true },
};

#define FP_TABLE(b)                                                             \
	{                                                                       \
		.seed = "forkpool", .cell = "{col}-c{row}",                     \
		.colcell = { "fork-b" b, "fork-b" b, "pool-b" b, "pool-b" b },  \
		.colkey = { MK_CLIENT_ERRORS_RESET, MK_CLIENT_ELAPSED_S,        \
			    MK_CLIENT_REQUESTS_FAILED, MK_CLIENT_ELAPSED_S },   \
		.m = { .prec = 3 },                                             \
		.note = "listen backlog " b                                     \
			": client.errors.reset (fork), client.requests.failed " \
			"(pool) and client.elapsed_s"                           \
	}

static const struct study_table forkpool_tables[] = { FP_TABLE("5"), FP_TABLE("1024") };

static const char forkpool_differs[] =
	"They timed a shell starting N client processes in the background; we time herdload's "
	"N connections (at most 4000 in flight, one machine's ports and descriptors), so "
	"durations do not compare, only their shapes. Their server's backlog is not given: "
	"their tutorial's `listen(fd, 5)` is the likely one, so both 5 and 1024 run, each in a "
	"network namespace of its own (`--netns`: its TCP counters are the cell's alone). Their "
	"kernel's settings are not given either: Linux answers a full accept queue by dropping "
	"the handshake unless `net.ipv4.tcp_abort_on_overflow` is 1, so fork-abort runs the "
	"backlog-5 cells with it set. Their pool's size is not given; ours has 8 threads.";

/* ---- the table -------------------------------------------------------------------------- */

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define EXP(id_, doc_, title_, claim_, g, t, w, d)                                     \
	{                                                                              \
		.id = id_, .doc = doc_, .title = title_, .claim = claim_, .groups = g, \
		.ngroups = N(g), .tables = t, .ntables = N(t), .why = &w, .differs = d \
	}

const struct study_experiment study_experiments[] = {
	EXP("fileserver", "000_537e4ca49a8665a3.txt", "A file server: iterative, fork, prefork",
	    "how transfer times grow with file size and clients for a monoprocess server, fork "
	    "on demand and preforked pools, and why fork on demand hung with 100 MB files",
	    fileserver_groups, fileserver_tables, why_fileserver, fileserver_differs),
	EXP("prefork-epoll", "001_79b3ace64c956034.txt",
	    "A dynamic preforked server, and EPOLLEXCLUSIVE",
	    "a pool regulated by its idle children, and EPOLLEXCLUSIVE waking one of them "
	    "instead of all",
	    prefork_epoll_groups, prefork_epoll_tables, why_prefork_epoll, prefork_epoll_differs),
	EXP("unp", "002_c8f3f335279a5725.txt", "UNP's server designs and TLPI's select/poll/epoll",
	    "the process-control CPU of each server design, the thundering herd, and how the "
	    "cost of select and poll grows with the descriptors watched while epoll's does not",
	    unp_groups, unp_tables, why_unp, unp_differs),
	EXP("echo", "003_e5b99c82eb6a8161.txt", "Echo servers at 1000-5000 connections",
	    "how a thread-per-connection, a select and an epoll echo server scale to thousands "
	    "of held connections, and that select cannot exceed 1024 descriptors",
	    echo_groups, echo_tables, why_echo, echo_differs),
	EXP("forkpool", "004_2e1c34f9249b6fea.txt", "Fork per client against a thread pool",
	    "a fork server against a thread pool from 100 to 100,000 clients, and the fork "
	    "server's \"connection reset by peer\" at 1000-2000 clients",
	    forkpool_groups, forkpool_tables, why_forkpool, forkpool_differs),
};
const size_t nstudy_experiments = N(study_experiments);

const struct study_experiment *study_experiment_find(const char *id)
{
	for (size_t i = 0; id && i < nstudy_experiments; i++)
		if (!strcmp(study_experiments[i].id, id))
			return &study_experiments[i];
	return NULL;
}
