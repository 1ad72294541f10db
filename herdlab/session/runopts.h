/* SPDX-License-Identifier: MIT */
/*
 * runopts.h - herdlab run's command line: its own options, and the server's and
 * the load's passed on to herdsrv and herdload without a list of them here.
 *
 *	herdlab run --model M [run options] [server and load options]
 *	herdlab run --model M [run options] -- [server options] [-- load options]
 *
 * herdsrv and herdload own their options: each prints its getopt_long table on
 * `--options` (lib/optlist.h), and herdlab run asks both before it starts
 * anything. An option among the run's own is the run's; any other goes to the
 * one program that has it. An option both programs have must be given after
 * `--` (the server's) or a second `--` (the load's) to say whose, and the few
 * that herdlab run sets itself (--port, --quiet, the load's --csv and --json,
 * ...) are refused with the reason. Every option is checked against its
 * owner's table here, so an unknown one fails before anything starts.
 */
#ifndef HERD_RUNOPTS_H
#define HERD_RUNOPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "attach.h"
#include "session/netns.h"
#include "vec.h"

struct run_opts {
	const char *model;	   /* --model */
	const char *out;	   /* --out DIR (NULL: runs/MODEL-STAMP) */
	bool no_trace;		   /* --no-trace */
	int profile_hz;		   /* --profile[=HZ]: sample the server's CPU (0: not) */
	bool profile_all;	   /* --profile-all: every task's, labelled */
	bool waits;		   /* --waits: the waits object too (bpf/waits.h) */
	enum tracer_attach attach; /* --attach: tracepoints, fexit or auto (bpf/attach.h) */
	int repeat;		   /* --repeat K: K runs, compared (1: one run) */
	uint64_t mem_limit;	 /* --mem-limit BYTES: the server's cgroup memory limit (0: none) */
	long pids_limit;	 /* --pids-limit N: the server's tasks limit (0: none) */
	const char *server_cpus; /* --cpus SET[:SET]: the server's CPUs (NULL: any) */
	const char *client_cpus; /* ... and herdload's (NULL: any) */
	struct netns_opts netns; /* --netns, --sysctl, --delay, --loss (netns.h) */
	bool causes;		 /* --causes: why each request was slow (herdlab/causes/) */
	bool timeline;		 /* --timeline[=START:LEN]: and the timeline (implies causes) */
	double timeline_start_ms; /* START: the window, ms from the load's start (<0: default) */
	double timeline_len_ms;	  /* LEN */
	struct vec server;	  /* char *: herdsrv's options, "--name" then its value, in order */
	struct vec load;	  /* char *: herdload's, likewise */
};

/* Parse argv (argv[0] is "run"); --help prints the usage and exits 0, a bad option exits 2. */
void run_opts_parse(int argc, char **argv, struct run_opts *o);

/* --waits in the usage of herdlab run and trace: what it measures and what it costs. */
#define WAITS_HELP                                                                          \
	"  --waits        time every select/poll/epoll call of the server: descriptors,\n"  \
	"                 ready ones, CPU inside the call (trace.wait.*, waits.csv).\n"     \
	"                 Opt-in, for what it costs (bpf_stats, epoll under 16 clients):\n" \
	"                 0.5 us more per call of the server (an epoll call costs 4 us),\n" \
	"                 0.3 us per such call of any other process, 0.09 us per switch\n"

/* --attach in the usage of herdlab run and trace. */
#define ATTACH_HELP                                                                       \
	"  --attach PATH  where accepts, forks and reaps are seen: tracepoints (system\n" \
	"                 calls), fexit (kernel functions; 5.15+ where trampolines\n"     \
	"                 attach: no system call pays) or auto (fexit if it can) [auto]\n"

/* --attach PATH into @out, or exit 2 with the paths there are. */
void attach_opt(const char *arg, enum tracer_attach *out);

void run_opts_free(struct run_opts *o);

#endif
