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
 *
 * It says at once, on stderr, what it attached to (pid, name, tasks, the ports
 * whose connections it counts) and how it stops, since the report comes only
 * at the end. A target that listens on no TCP port has no connection to count:
 * that is said at once too, and at the end instead of a report of zeros.
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

#include "causes/causes.h"
#include "clock.h"
#include "commands.h"
#include "files.h"
#include "jsonio.h"
#include "log.h"
#include "metrics/keys.h"
#include "metrics/metrics.h"
#include "path.h"
#include "session/runopts.h"
#include "session/session.h"
#include "sockets.h"
#include "stopsig.h"

struct trace_opts {
	pid_t pid;		   /* --pid: an existing process (0: start CMD) */
	const char *cgroup;	   /* --cgroup: a cgroup directory */
	int port;		   /* --port (0: learned from the targets' listen()) */
	double duration;	   /* --duration seconds (0: until stopped) */
	double interval;	   /* -i seconds (0: no live counters) */
	const char *out;	   /* --out DIR */
	bool verbose;		   /* -v: libbpf's messages */
	int profile_hz;		   /* --profile[=HZ]: sample the targets' CPU (0: not) */
	bool profile_all;	   /* --profile-all: every task's */
	bool waits;		   /* --waits: the waits object too */
	enum tracer_attach attach; /* --attach: tracepoints, fexit or auto */
	bool causes; /* --causes: the targets' switches and wakeups, and why (causes.h) */
	char **cmd;  /* CMD ARGS after -- */
};

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
		   "  --profile[=HZ]  sample the targets' CPU at HZ per CPU (default 99) into\n"
		   "                  --out DIR: profile.folded, profile.svg, profile.json\n"
		   "  --profile-all   sample every task, labelled (implies --profile)\n"
		   "  --causes        record the targets' switches and wakeups into --out DIR\n"
		   "                  (sched.bin): which idle worker each arrival woke\n"
		   "                  (trace.json wake_order.*); why each request was slow\n"
		   "                  needs the client's records: herdlab run --causes\n"
		   "  -v              libbpf's messages (the verifier log on failure)\n");
	fputs(WAITS_HELP ATTACH_HELP, f);
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
		{ "profile", optional_argument, 0, 'F' },
		{ "profile-all", no_argument, 0, 'A' },
		{ "waits", no_argument, 0, 'w' },
		{ "causes", no_argument, 0, 'C' },
		{ "attach", required_argument, 0, 'a' },
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
		case 'F':
			if ((o->profile_hz = profiling_parse_hz(optarg)) < 0)
				die("invalid --profile=%s: expected 1 to %d samples per second",
				    optarg, PROFILE_MAX_HZ);
			break;
		case 'A':
			o->profile_all = true;
			break;
		case 'w':
			o->waits = true;
			break;
		case 'C':
			o->causes = true;
			break;
		case 'a':
			attach_opt(optarg, &o->attach);
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
	if (o->profile_all && !o->profile_hz)
		o->profile_hz = PROFILE_DEFAULT_HZ;
	if (o->profile_hz && !o->out)
		die("--profile writes profile.folded, profile.svg and profile.json: give --out "
		    "DIR");
	if (o->causes && !o->out)
		die("--causes writes sched.bin, requests_causes.csv and trace.json's causes: give "
		    "--out DIR");
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
	if (session_write(s, dir) < 0) /* the tables first: the causes are read from them */
		err = -1;
	json_t *root = metrics_json(&s->metrics, &s->result);
	json_t *profile = profiling_write(s->profiling, dir, "herdlab trace");
	if (root && profile)
		json_object_set_new(root, MK_PROFILE, profile);
	else
		json_decref(profile);
	json_t *causes = NULL, *wake_order = NULL;
	if (s->sched)
		causes_write(dir, &(struct causes_opts){ .start_ms = -1, .stats = &s->sched_stats },
			     &causes, &wake_order);
	if (root && causes)
		json_object_set_new(root, MK_CAUSES, causes);
	else
		json_decref(causes);
	if (root && wake_order)
		json_object_set_new(root, MK_WAKE_ORDER, wake_order);
	else
		json_decref(wake_order);
	if (!root || session_waits_json(s, root) < 0 ||
	    path_join(path, sizeof(path), dir, "trace.json") < 0 || jsonio_save(root, path) < 0)
		err = -1, log_warn("cannot write %s/trace.json: %m", dir);
	json_decref(root);
	return err;
}

/* --causes: the targets' switches and wakeups into DIR/sched.bin from now on; 0 or -1. */
static int record_sched(struct session *s, const char *dir)
{
	char path[PATH_MAX];

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		log_warn("cannot create --out '%s': %m", dir);
		return -1;
	}
	if (path_join(path, sizeof(path), dir, CAUSES_SCHED_FILE) < 0)
		return -1;
	return session_record_sched(s, path, CAUSES_CAP_BYTES) < 0 ? -1 : 0;
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

/* ---- what was attached ----------------------------------------------------------------- */

#define MAX_PORTS 16 /* listening ports named in the announcement */

/* What the targets were found to be, for the announcement and the end. */
struct found {
	int tasks;		   /* tasks made targets at the start */
	int processes;		   /* --cgroup: processes */
	uint16_t ports[MAX_PORTS]; /* the ports the targets listen on now */
	int nports;		   /* how many (may exceed MAX_PORTS) */
	bool listening;		   /* they listen on at least one TCP port */
};

/* @pid's ports into @f, each once. */
static void add_ports(struct found *f, pid_t pid)
{
	uint16_t ports[MAX_PORTS];
	int n = sockets_listening_ports(pid, ports, MAX_PORTS);

	for (int i = 0; i < n && i < MAX_PORTS; i++) {
		bool seen = false;
		for (int j = 0; j < f->nports && j < MAX_PORTS; j++)
			seen |= f->ports[j] == ports[i];
		if (!seen && f->nports < MAX_PORTS)
			f->ports[f->nports++] = ports[i];
	}
	f->listening |= n > 0;
}

/* The listening ports of --pid's process, or of every process of --cgroup. */
static void find_ports(const struct trace_opts *o, struct found *f)
{
	char path[PATH_MAX];
	FILE *procs;
	int pid;

	if (o->pid) {
		add_ports(f, o->pid);
		return;
	}
	if (path_join(path, sizeof(path), o->cgroup, "cgroup.procs") < 0 ||
	    !(procs = fopen(path, "re")))
		return;
	while (fscanf(procs, "%d", &pid) == 1)
		add_ports(f, pid);
	fclose(procs);
}

/* "port 8080" or "ports 8080, 8443" into @buf. */
static const char *ports_str(const struct found *f, char *buf, size_t len)
{
	size_t used = 0;

	snprintf(buf, len, f->nports ? (f->nports > 1 ? "ports" : "port") : "no port");
	used = strlen(buf);
	for (int i = 0; i < f->nports && i < MAX_PORTS && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s %u", i ? "," : "",
					 f->ports[i]);
	return buf;
}

/* @pid's name from /proc/PID/comm, or "?". */
static const char *comm_of(pid_t pid, char *buf, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	files_last_line(path, NULL, buf, len);
	if (!buf[0])
		snprintf(buf, len, "?");
	return buf;
}

/*
 * Say on stderr what was attached and how it stops: "attached to pid 812
 * (herdsrv): 9 tasks; counting connections on port 8080; Ctrl-C stops it".
 * A target with no listening socket (or none on --port) is warned about.
 */
static void announce(const struct trace_opts *o, const struct session *s, struct found *f)
{
	char what[PATH_MAX + 96], comm[64], ports[128], stop[96];

	if (o->duration)
		snprintf(stop, sizeof(stop), "it stops after %g s, or at Ctrl-C or SIGTERM",
			 o->duration);
	else
		snprintf(stop, sizeof(stop), "Ctrl-C or SIGTERM stops it (or give --duration S)");
	if (o->cmd) {
		const char *slash = strrchr(o->cmd[0], '/');
		fprintf(stderr,
			"herdlab trace: started pid %d (%s), traced from its first instruction, "
			"and every task it starts; counting connections on %s%sthe ports it "
			"listens on; %s\n",
			(int)s->child, slash ? slash + 1 : o->cmd[0],
			o->port ? (snprintf(ports, sizeof(ports), "port %d", o->port), ports) : "",
			o->port ? " and " : "", stop);
		return;
	}
	find_ports(o, f);
	if (o->pid)
		snprintf(what, sizeof(what), "pid %d (%s): %d task%s", (int)o->pid,
			 comm_of(o->pid, comm, sizeof(comm)), f->tasks, f->tasks == 1 ? "" : "s");
	else
		snprintf(what, sizeof(what), "cgroup %s: %d process%s, %d task%s", o->cgroup,
			 f->processes, f->processes == 1 ? "" : "es", f->tasks,
			 f->tasks == 1 ? "" : "s");
	bool on_port = !o->port;
	for (int i = 0; i < f->nports && i < MAX_PORTS; i++)
		on_port |= f->ports[i] == o->port;
	if (!f->listening && o->port)
		snprintf(ports, sizeof(ports), "port %d", o->port);
	else if (!f->listening)
		snprintf(ports, sizeof(ports), "the ports it will listen on");
	else
		ports_str(f, ports, sizeof(ports));
	if (f->listening && !on_port)
		snprintf(ports + strlen(ports), sizeof(ports) - strlen(ports), " and --port %d",
			 o->port);
	fprintf(stderr, "herdlab trace: attached to %s; counting connections on %s; %s\n", what,
		ports, stop);
	if (!f->listening)
		log_warn("%s has no listening TCP socket: no connection will be counted unless it "
			 "starts listening while traced",
			 o->pid ? "the process" : "no process of the cgroup");
	else if (!on_port)
		log_warn("nothing traced listens on --port %d (it listens on %s): no connection "
			 "will come on that port",
			 o->port, ports_str(f, ports, sizeof(ports)));
}

/* ---- the run ------------------------------------------------------------------------- */

/* The target: CMD started held, --pid's tree, or --cgroup's processes; 0 or -1 (logged). */
static int attach(struct session *s, const struct trace_opts *o, struct found *f)
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
		if ((f->tasks = session_attach_pid(s, o->pid)) < 0) {
			log_warn("--pid %d: cannot read its tasks", o->pid);
			return -1;
		}
	} else if ((f->processes = session_attach_cgroup(s, o->cgroup, &f->tasks)) < 0) {
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
	struct found found = { 0 };
	int rc = 1;

	parse(argc, argv, &o);
	stop_on_signals(STOP_RESTART_CALLS);
	if (o.pid && !session_process_alive(o.pid))
		die("--pid %d: no such process", o.pid);
	if (session_open(&s, true, o.verbose, o.attach) < 0)
		return 1;
	if ((o.profile_hz && session_profile(&s, o.profile_hz, o.profile_all) < 0) ||
	    (o.waits && session_open_waits(&s) < 0) || (o.causes && record_sched(&s, o.out) < 0))
		goto out;
	if (attach(&s, &o, &found) < 0)
		goto out;
	session_add_port(&s, o.port);
	announce(&o, &s, &found);

	uint64_t start = clock_now_ns(), next_tick = start + (uint64_t)(o.interval * 1e9);
	uint64_t end = o.duration ? start + (uint64_t)(o.duration * 1e9) : UINT64_MAX;
	while (!stop_signal && clock_now_ns() < end) {
		if (session_poll(&s, 100))
			break; /* the command we started has exited */
		if (o.pid && !session_process_alive(o.pid))
			break;
		if (o.cgroup)
			session_attach_cgroup(&s, o.cgroup,
					      NULL); /* processes started in it since */
		if (o.interval && clock_now_ns() >= next_tick) {
			print_interval(&s, &prev, o.interval);
			next_tick += (uint64_t)(o.interval * 1e9);
		}
	}
	session_stop(&s); /* the server we started stops with us */
	if (session_collect(&s) < 0)
		goto out;
	rc = 0;
	if (!o.cmd && !found.listening && !s.metrics.accepted && !s.metrics.established) {
		log_warn("nothing to report: the traced processes listened on no TCP port and "
			 "accepted no connection in %.1f s",
			 s.metrics.duration_s);
		rc = 1;
	} else {
		metrics_print(stdout, &s.metrics, &s.result);
		if (s.waits)
			session_print_waits(&s, stdout);
	}
	if (o.out && write_outputs(o.out, &s) < 0)
		rc = 1;
	if (s.child && WIFEXITED(s.status) && WEXITSTATUS(s.status) == 127)
		rc = 127; /* CMD could not be run */
out:
	session_close(&s); /* stops what we started, detaches every program */
	metrics_free(&prev);
	return rc;
}
