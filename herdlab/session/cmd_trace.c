/* SPDX-License-Identifier: MIT */
/*
 * cmd_trace.c - herdlab trace: a server's kernel events, counted.
 *
 *	herdlab trace [options] -- CMD ARGS     start CMD under the tracer
 *	herdlab trace --pid PID [options]       trace a running server and its workers
 *	herdlab trace --cgroup PATH [options]   trace the processes of a cgroup
 *
 * One straight line over a session (session.h): load the programs, make the
 * server a target (a child we start is held until it is one, so not one of its
 * events is missed), poll the ring buffer until --duration, Ctrl-C, SIGTERM or
 * the server's exit, collect, report, detach. Whatever ends the run, the
 * programs are detached and a server we started is stopped and reaped; it dies
 * with herdlab even if herdlab is killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "commands.h"
#include "jsonio.h"
#include "log.h"
#include "metrics/metrics.h"
#include "path.h"
#include "session/session.h"

struct trace_opts {
	pid_t pid;	    /* --pid: an existing process (0: start CMD) */
	const char *cgroup; /* --cgroup: a cgroup directory */
	int port;	    /* --port (0: learned from the targets' listen()) */
	double duration;    /* --duration seconds (0: until stopped) */
	double interval;    /* -i seconds (0: no live counters) */
	const char *out;    /* --out DIR */
	bool verbose;	    /* -v: libbpf's messages */
	char **cmd;	    /* CMD ARGS after -- */
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: herdlab trace [options] -- CMD [ARGS...]\n"
		   "       herdlab trace --pid PID [options]\n"
		   "       herdlab trace --cgroup PATH [options]\n"
		   "\n"
		   "  --port P        the server's port (default: learned from its listening "
		   "sockets)\n"
		   "  --duration S    stop after S seconds (default: Ctrl-C, SIGTERM or the "
		   "server's exit)\n"
		   "  -i SEC          print live counters every SEC seconds\n"
		   "  --out DIR       write trace.json, connections.csv and tasks.csv to DIR\n"
		   "  -v              libbpf's messages (the verifier log on failure)\n");
}

static double parse_positive(const char *opt, const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v > 0) || v > 1e7)
		die("invalid %s '%s': expected a positive number of seconds", opt, s);
	return v;
}

static void parse(int argc, char **argv, struct trace_opts *o)
{
	static const struct option longs[] = {
		{ "pid", required_argument, 0, 'p' },
		{ "cgroup", required_argument, 0, 'c' },
		{ "port", required_argument, 0, 'P' },
		{ "duration", required_argument, 0, 'd' },
		{ "interval", required_argument, 0, 'i' },
		{ "out", required_argument, 0, 'o' },
		{ "help", no_argument, 0, 'h' },
		{ 0 },
	};
	int c;
	char *end;

	while ((c = getopt_long(argc, argv, "+i:vh", longs, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->pid = (pid_t)strtol(optarg, &end, 10);
			if (*end || o->pid <= 0)
				die("invalid --pid '%s'", optarg);
			break;
		case 'c':
			o->cgroup = optarg;
			break;
		case 'P':
			o->port = (int)strtol(optarg, &end, 10);
			if (*end || o->port <= 0 || o->port > 65535)
				die("invalid --port '%s': expected 1 to 65535", optarg);
			break;
		case 'd':
			o->duration = parse_positive("--duration", optarg);
			break;
		case 'i':
			o->interval = parse_positive("-i", optarg);
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc)
		o->cmd = argv + optind;
	if (!!o->pid + !!o->cgroup + !!o->cmd != 1) {
		fprintf(stderr,
			"herdlab trace: give exactly one of -- CMD, --pid PID or --cgroup PATH\n");
		usage(stderr);
		exit(2);
	}
}

/* ---- output ------------------------------------------------------------------------- */

/* --out DIR: trace.json, connections.csv and tasks.csv. */
static int write_outputs(const char *dir, const struct session *s)
{
	char path[PATH_MAX];
	int err = 0;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		log_warn("cannot create --out '%s': %m", dir);
		return -1;
	}
	json_t *root = metrics_json(&s->metrics, &s->result);
	if (!root || path_join(path, sizeof(path), dir, "trace.json") < 0 ||
	    jsonio_save(root, path) < 0)
		err = -1, log_warn("cannot write %s/trace.json: %m", dir);
	json_decref(root);
	return session_write(s, dir) < 0 ? -1 : err;
}

/* Live counters for -i: the delta from the last time. */
static void print_interval(struct session *s, struct trace_metrics *prev, double seconds)
{
	struct trace_metrics now;

	if (session_sample(s, &now) < 0)
		return;
	metrics_print_interval(stdout, &now, prev, seconds);
	fflush(stdout);
	metrics_free(prev);
	*prev = now;
}

/* ---- the run ------------------------------------------------------------------------- */

/* The target: CMD started held, --pid's tree, or --cgroup's processes; 0 or -1 (logged). */
static int attach(struct session *s, const struct trace_opts *o)
{
	if (o->cmd) {
		/* A user's command keeps the terminal's stdin (spawn's default is /dev/null). */
		int in = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
		int rc = session_start(s, &(struct spawn){ .argv = o->cmd, .in_fd = in }, false);
		if (in >= 0)
			close(in);
		s->root = s->child;
		return rc;
	}
	if (o->pid) {
		s->root = o->pid;
		if (session_attach_pid(s, o->pid) < 0) {
			log_warn("--pid %d: cannot read its tasks", o->pid);
			return -1;
		}
	} else if (session_attach_cgroup(s, o->cgroup) < 0) {
		log_warn("--cgroup '%s': cannot read cgroup.procs: %m", o->cgroup);
		return -1;
	}
	session_add_listening_ports(s);
	return 0;
}

int cmd_trace(int argc, char **argv)
{
	struct trace_opts o = { 0 };
	struct trace_metrics prev = { 0 };
	struct session s;
	int rc = 1;

	parse(argc, argv, &o);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (o.pid && !session_process_alive(o.pid))
		die("--pid %d: no such process", o.pid);
	if (session_open(&s, true, o.verbose) < 0)
		return 1;
	if (attach(&s, &o) < 0)
		goto out;
	session_add_port(&s, o.port);

	uint64_t start = clock_now_ns(), next_tick = start + (uint64_t)(o.interval * 1e9);
	uint64_t end = o.duration ? start + (uint64_t)(o.duration * 1e9) : UINT64_MAX;
	while (!stop_signal && clock_now_ns() < end) {
		if (session_poll(&s, 100))
			break; /* the command we started has exited */
		if (o.pid && !session_process_alive(o.pid))
			break;
		if (o.cgroup)
			session_attach_cgroup(&s, o.cgroup); /* processes started in it since */
		if (o.interval && clock_now_ns() >= next_tick) {
			print_interval(&s, &prev, o.interval);
			next_tick += (uint64_t)(o.interval * 1e9);
		}
	}
	session_stop(&s); /* the server we started stops with us */
	if (session_collect(&s) < 0)
		goto out;
	metrics_print(stdout, &s.metrics, &s.result);
	rc = (o.out && write_outputs(o.out, &s) < 0) ? 1 : 0;
	if (s.child && WIFEXITED(s.status) && WEXITSTATUS(s.status) == 127)
		rc = 127; /* CMD could not be run */
out:
	session_close(&s); /* stops what we started, detaches every program */
	metrics_free(&prev);
	return rc;
}
