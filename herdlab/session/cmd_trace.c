/* SPDX-License-Identifier: MIT */
/*
 * cmd_trace.c - herdlab trace: a server's kernel events, counted.
 *
 *	herdlab trace [options] -- CMD ARGS     start CMD under the tracer
 *	herdlab trace --pid PID [options]       trace a running server and its workers
 *	herdlab trace --cgroup PATH [options]   trace the processes of a cgroup
 *
 * One straight line: load the programs, make the server a target (a child we
 * start is held at a pipe until it is one, so not one of its events is missed),
 * poll the ring buffer until --duration, Ctrl-C, SIGTERM or the server's exit,
 * collect, report, detach. Whatever ends the run, the programs are detached
 * and a server we started is stopped and reaped.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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
#include "session/session.h"
#include "trace.h"

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

/* ---- the target ------------------------------------------------------------------ */

/* Add every process of the cgroup (and, with it, their descendants). */
static int add_cgroup(struct tracer *t, const char *dir)
{
	char path[4096];
	FILE *f;
	int pid, n = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if (!(f = fopen(path, "r")))
		return -errno;
	while (fscanf(f, "%d", &pid) == 1)
		if (tracer_add_tree(t, pid) > 0)
			n++;
	fclose(f);
	return n;
}

/* ---- output ------------------------------------------------------------------------- */

/* Leave the traced process itself out of the zombie statistics: it is nobody's worker. */
static void drop_root(struct trace_result *r, pid_t root)
{
	size_t w = 0;

	for (size_t i = 0; i < r->nprocs; i++)
		if (r->procs[i].pid != (uint32_t)root)
			r->procs[w++] = r->procs[i];
	r->nprocs = w;
}

static int write_outputs(const char *dir, const struct trace_metrics *m,
			 const struct trace_result *r)
{
	char path[4096];
	int err = 0;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		log_warn("cannot create --out '%s': %m", dir);
		return -1;
	}
	json_t *root = metrics_json(m, r);
	snprintf(path, sizeof(path), "%s/trace.json", dir);
	if (!root || jsonio_save(root, path) < 0)
		err = -1, log_warn("cannot write %s: %m", path);
	json_decref(root);
	snprintf(path, sizeof(path), "%s/connections.csv", dir);
	if (metrics_write_connections(path, r) < 0)
		err = -1, log_warn("cannot write %s: %m", path);
	snprintf(path, sizeof(path), "%s/tasks.csv", dir);
	if (metrics_write_tasks(path, r) < 0)
		err = -1, log_warn("cannot write %s: %m", path);
	return err;
}

/* Live counters for -i: collect, compute, print the delta from the last time. */
static void print_interval(struct tracer *t, struct trace_metrics *prev, double seconds)
{
	struct trace_result r;
	struct trace_metrics now;

	if (tracer_collect(t, &r) < 0 || metrics_compute(&r, &now) < 0) {
		trace_result_free(&r);
		return;
	}
	metrics_print_interval(stdout, &now, prev, seconds);
	fflush(stdout);
	metrics_free(prev);
	*prev = now;
	trace_result_free(&r);
}

/* ---- the run ------------------------------------------------------------------------- */

int cmd_trace(int argc, char **argv)
{
	struct trace_opts o = { 0 };
	struct tracer_opts topts = { 0 };
	struct tracer *t = NULL;
	struct trace_metrics prev = { 0 }, m = { 0 };
	struct trace_result r = { 0 };
	int release_fd = -1, status = 0, rc = 1;
	pid_t child = 0, root;
	bool child_gone = false;

	parse(argc, argv, &o);
	topts.verbose = o.verbose;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (o.pid && !session_process_alive(o.pid))
		die("--pid %d: no such process", o.pid);
	if (tracer_open(&t, &topts) < 0)
		return 1;

	if (o.cmd) {
		root = child = session_spawn_held(o.cmd, &release_fd, NULL, NULL);
		tracer_add_tree(t, child);
		if (session_release(release_fd) < 0)
			log_warn("releasing %s failed: %m", o.cmd[0]);
	} else if (o.pid) {
		root = o.pid;
		if (tracer_add_tree(t, o.pid) <= 0) {
			log_warn("--pid %d: cannot read its tasks", o.pid);
			goto out;
		}
		tracer_add_listening_ports(t);
	} else {
		root = 0;
		if (add_cgroup(t, o.cgroup) < 0) {
			log_warn("--cgroup '%s': cannot read cgroup.procs: %m", o.cgroup);
			goto out;
		}
		tracer_add_listening_ports(t);
	}
	if (o.port)
		tracer_add_port(t, (uint16_t)o.port);

	uint64_t start = clock_now_ns(), next_tick = start + (uint64_t)(o.interval * 1e9);
	uint64_t end = o.duration ? start + (uint64_t)(o.duration * 1e9) : UINT64_MAX;
	while (!stop_signal && clock_now_ns() < end) {
		if (tracer_poll(t, 100) < 0)
			break;
		if (child && waitpid(child, &status, WNOHANG) == child) {
			child_gone = true;
			break;
		}
		if (o.pid && !session_process_alive(o.pid))
			break;
		if (o.cgroup)
			add_cgroup(t, o.cgroup); /* processes started in it since */
		if (o.interval && clock_now_ns() >= next_tick) {
			print_interval(t, &prev, o.interval);
			next_tick += (uint64_t)(o.interval * 1e9);
		}
	}
	if (child && !child_gone) { /* the server we started stops with us */
		status = session_stop_child(child);
		child_gone = true;
	}
	tracer_poll(t, 0);
	if (tracer_collect(t, &r) < 0 || (drop_root(&r, root), metrics_compute(&r, &m)) < 0) {
		log_warn("collecting the results failed");
		goto out;
	}
	metrics_print(stdout, &m, &r);
	rc = (o.out && write_outputs(o.out, &m, &r) < 0) ? 1 : 0;
	if (child && WIFEXITED(status) && WEXITSTATUS(status) == 127)
		rc = 127; /* CMD could not be run */
out:
	tracer_close(t); /* detaches every program */
	if (child && !child_gone)
		session_stop_child(child);
	metrics_free(&prev);
	metrics_free(&m);
	trace_result_free(&r);
	return rc;
}
