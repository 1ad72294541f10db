/* SPDX-License-Identifier: MIT */
/*
 * cmd_run.c - herdlab run: one model, traced, under one load, into a run directory.
 *
 *	herdlab run --model NAME [run options] [server and load options]
 *	herdlab run --model NAME [run options] -- [server options] [-- load options]
 *
 * Start herdsrv under the tracer (held until it is a target), wait until it
 * announces its port, drive it with herdload, stop it, and write:
 *	run.json         whether the run is complete (and if not, why), what ran
 *	                 (model, options, kernel, CPUs, version, time), the tracer's
 *	                 metrics (trace.*), the client's (client.*), the join
 *	requests.csv     herdload's record of every request
 *	connections.csv  the kernel's record of every connection
 *	tasks.csv        every server task
 *	server.log       the server's stderr
 *	load.log         herdload's stderr (also shown on ours as it comes)
 *	clients.csv, server_stats.csv/.json, server_counters.json, pool.csv
 *	                 the two programs' own records (sidefiles.h)
 *	report.md, report.html, plots/   the run explained (runreport.h)
 *	profile.folded, profile.svg, profile.json   with --profile (profiling.h)
 * and with --causes (or --timeline) sched.bin, requests_causes.csv, run.json's
 * causes.* and wake_order.* (and timeline.svg, timeline.json): causes/causes.h.
 * With --repeat K, K such directories DIR/rep-1 ... and their comparison.
 *
 * Which option goes to herdsrv and which to herdload, herdsrv and herdload say
 * themselves, and they check the values too, before anything starts
 * (runopts.h): a mistake leaves no directory and no process behind. So does a
 * run whose server does not start, or that is stopped before its load begins.
 * Once the load began, the directory is the run's record, whatever ends it:
 * run.json is written at the start saying the run did not finish, and replaced
 * at the end, complete or with the reason it is not ("interrupted by SIGINT
 * after 4.0 s of --duration 20", "herdload exited with status 1: ..."). A
 * SIGKILL'ed herdlab writes nothing more, so its directory still says it is
 * incomplete; both programs die with it (PR_SET_PDEATHSIG, lib/spawn.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
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
#include "log.h"
#include "path.h"
#include "metrics/keys.h"
#include "report/runreport.h"
#include "session/cgroup.h"
#include "session/netns.h"
#include "session/repeat_summary.h"
#include "session/runcost.h"
#include "session/runjson.h"
#include "session/runopts.h"
#include "session/sidefiles.h"
#include "session/session.h"
#include "spawn.h"
#include "stopsig.h"
#include "waitstatus.h"

/* The longest name written below a run directory ("rep-100/connections.csv"). */
#define LONGEST_NAME 32
/* herdload's exit status when it ran to the end and no request succeeded (its README). */
#define HERDLOAD_EXIT_NONE_OK 3

/* A NULL-terminated argv: @head, the options in @args, @tail. Free with free() only. */
static char **make_argv(char *const *head, size_t nhead, const struct vec *args, char *const *tail,
			size_t ntail)
{
	char **argv = calloc(nhead + args->len + ntail + 1, sizeof(*argv));

	if (!argv)
		die("out of memory");
	memcpy(argv, head, nhead * sizeof(*argv));
	for (size_t i = 0; i < args->len; i++)
		argv[nhead + i] = *(char **)vec_at(args, i);
	if (ntail)
		memcpy(argv + nhead + args->len, tail, ntail * sizeof(*argv));
	return argv;
}

/* ---- what became of the run ---------------------------------------------------------- */

/* One run's end: whether its record is kept, and whether it is whole. */
struct outcome {
	bool started;	  /* the load began: the directory is the run's record, kept */
	char reason[768]; /* why the run is incomplete, in words ("": it is complete) */
};

/* The first reason given is the one that cut the run short; later ones follow from it. */
static void cut_short(struct outcome *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void cut_short(struct outcome *out, const char *fmt, ...)
{
	va_list ap;

	if (out->reason[0])
		return;
	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
}

/* The value the load was given for @name ("--duration"): the last one, as getopt takes it. */
static const char *load_value(const struct run_opts *o, const char *name)
{
	const char *v = NULL;

	for (size_t i = 0; i + 1 < o->load.len; i++)
		if (!strcmp(*(char **)vec_at(&o->load, i), name))
			v = *(char **)vec_at(&o->load, i + 1);
	return v;
}

/* "interrupted by SIGINT after 4.0 s of --duration 20" (or of --requests N, or of the load). */
static void interrupted(const struct run_opts *o, double seconds, struct outcome *out)
{
	const char *duration = load_value(o, "--duration"), *requests = load_value(o, "--requests");
	char sig[24];

	waitstatus_signame(stop_signal, sig, sizeof(sig));
	if (duration)
		cut_short(out, "interrupted by %s after %.1f s of --duration %s", sig, seconds,
			  duration);
	else if (requests)
		cut_short(out, "interrupted by %s after %.1f s, before --requests %s were done",
			  sig, seconds, requests);
	else
		cut_short(out, "interrupted by %s after %.1f s of the load", sig, seconds);
}

/* "herdsrv exited with status 1: herdsrv[12]: cannot listen on ..." from its status and log. */
static void describe_end(const char *who, int status, const char *log, char *buf, size_t len)
{
	char how[64], last[512];

	files_last_line(log, NULL, last, sizeof(last));
	snprintf(buf, len, "%s %s%s%s", who, waitstatus_str(status, how, sizeof(how)),
		 last[0] ? ": " : "", last);
}

/* ---- the server and the load ---------------------------------------------------- */

/* Read the server's "listening on ADDR:PORT" within 10 s: the port; 0 if it ended, -1 if late. */
static int wait_listening(struct session *s)
{
	char buf[256];
	size_t len = 0;
	uint64_t deadline = clock_now_ns() + 10 * NSEC_PER_SEC;

	while (clock_now_ns() < deadline && !stop_signal) {
		struct pollfd pfd = { s->out_fd, POLLIN, 0 };
		if (poll(&pfd, 1, 100) > 0) {
			ssize_t n = read(s->out_fd, buf + len, sizeof(buf) - 1 - len);
			if (n <= 0)
				return 0; /* it exited */
			len += (size_t)n;
			buf[len] = 0;
			char *nl = strchr(buf, '\n'), *colon;
			if (nl && !strncmp(buf, "listening on ", 13) && (colon = strrchr(buf, ':')))
				return atoi(colon + 1);
		}
		if (!session_process_alive(s->child))
			return 0;
	}
	return stop_signal ? 0 : -1;
}

/* What herdload wrote to load.log since the last call, onto our stderr as well. */
static void forward(int fd)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(STDERR_FILENO, buf, (size_t)n) < 0)
			break;
}

/* Run herdload to its end, draining the tracer meanwhile; a SIGINT or SIGTERM stops it. */
static void run_load(const struct run_opts *o, int port, const char *dir, struct session *s,
		     const struct cgroup *cg, const struct netns *ns, struct outcome *out)
{
	char portarg[64], csv[PATH_MAX], json[PATH_MAX], log[PATH_MAX], what[sizeof(out->reason)];
	const char *addr = netns_server_addr(ns); /* veth: the server's end, not loopback */
	int status = -1, fd;
	bool stopped = false;

	if (addr)
		snprintf(portarg, sizeof(portarg), "http://%s:%d", addr, port);
	else
		snprintf(portarg, sizeof(portarg), "%d", port);
	if (path_join(csv, sizeof(csv), dir, "requests.csv") < 0 ||
	    path_join(json, sizeof(json), dir, "client.json") < 0 ||
	    path_join(log, sizeof(log), dir, "load.log") < 0) {
		cut_short(out, "the run directory's name is too long");
		return;
	}
	/* herdload appends its stderr to load.log; we read it back as it comes. */
	if ((fd = open(log, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		cut_short(out, "cannot create %s: %s", log, strerror(errno));
		return;
	}
	struct side_args side;
	if (sidefiles_load_args(&side, dir) < 0) {
		cut_short(out, "the run directory's name is too long");
		return;
	}
	char *tail[5 + SIDE_MAX_ARGS] = { "--csv", csv, "--json", json, "--quiet" };
	memcpy(tail + 5, side.argv, (size_t)side.argc * sizeof(*tail));
	char **argv = make_argv((char *[]){ "herdload", addr ? "--url" : "--port", portarg }, 3,
				&o->load, tail, 5 + (size_t)side.argc);
	struct spawn sp = { .argv = argv,
			    .sibling = true,
			    .err = log,
			    .append = true,
			    .held = true,
			    .netns_fd = netns_spawn_fd(ns, true) };
	pid_t pid = spawn_start(&sp);
	free(argv);
	if (pid > 0) { /* in its cgroup before its first instruction */
		if (cg && cgroup_enter(cg, pid) < 0)
			log_warn(
				"herdload runs outside its cgroup: its cost is not measured whole");
		spawn_release(sp.hold_fd);
		profiling_set_load(s->profiling, pid); /* --profile-all's label */
	}
	if (pid < 0) {
		close(fd);
		cut_short(out, "herdload could not be started");
		return;
	}
	out->started = true;
	uint64_t start = clock_now_ns();
	for (;;) {
		session_poll(s, 100);
		forward(fd);
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		if (stop_signal && !stopped) {
			kill(pid, SIGINT); /* herdload writes what it measured and exits */
			interrupted(o, (double)(clock_now_ns() - start) / 1e9, out);
			stopped = true;
		}
	}
	if (stop_signal && !stopped) /* a terminal's ^C reached herdload too, and it ended first */
		interrupted(o, (double)(clock_now_ns() - start) / 1e9, out);
	forward(fd);
	close(fd);
	/* Exit 3: herdload ran to the end and no request succeeded (a slowloris against a
	 * pool, a server that refuses everyone): a measurement, not a failure. */
	if (!WIFEXITED(status) ||
	    (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != HERDLOAD_EXIT_NONE_OK)) {
		describe_end("herdload", status, log, what, sizeof(what));
		cut_short(out, "%s", what);
	}
}

/* The server under the tracer, and the load; @out says how far it got. */
static void serve_and_load(const struct run_opts *o, const char *dir, struct session *s,
			   const struct cgroup *client_cg, struct netns *ns, struct outcome *out)
{
	const char *addr = netns_server_addr(ns);

	char log[PATH_MAX], sig[24], what[sizeof(out->reason)];

	if (path_join(log, sizeof(log), dir, "server.log") < 0) {
		cut_short(out, "the run directory's name is too long");
		return;
	}
	struct side_args side;
	if (sidefiles_server_args(&side, o->model, dir) < 0) {
		cut_short(out, "the run directory's name is too long");
		return;
	}
	/* herdsrv's own records into the run directory, and its address in a veth namespace */
	char *tail[SIDE_MAX_ARGS + 2];
	memcpy(tail, side.argv, (size_t)side.argc * sizeof(*tail));
	tail[side.argc] = "--bind";
	tail[side.argc + 1] = (char *)addr;
	char **argv = make_argv(
		(char *[]){ "herdsrv", "--model", (char *)o->model, "--port", "0", "--quiet" }, 6,
		&o->server, tail, (size_t)side.argc + (addr ? 2 : 0));
	netns_count(ns, false); /* the run's TCP counters from here */
	int rc = session_start(s,
			       &(struct spawn){ .argv = argv,
						.sibling = true,
						.err = log,
						.netns_fd = netns_spawn_fd(ns, false) },
			       true);
	free(argv);
	if (rc < 0) {
		cut_short(out, "the server (model %s) could not be started", o->model);
		return;
	}
	int port = wait_listening(s);
	if (port <= 0 && stop_signal) {
		cut_short(out, "interrupted by %s before the load began",
			  waitstatus_signame(stop_signal, sig, sizeof(sig)));
		return;
	}
	if (port <= 0) { /* it ended (its stdout closed first, perhaps), or it is late */
		describe_end("herdsrv", session_stop(s), log, what, sizeof(what));
		cut_short(out, "the server did not start (model %s): %s", o->model,
			  port < 0 ? "it did not say it was listening within 10 s" : what);
		return;
	}
	session_add_port(s, port);
	log_info("%s listening on port %d; running the load", o->model, port);
	run_load(o, port, dir, s, client_cg, ns, out);
	netns_count(ns, true); /* ... to here */
	if (s->reaped) {       /* the server ended by itself, before we stopped it */
		describe_end("herdsrv", s->status, log, what, sizeof(what));
		cut_short(out, "the server ended before the load did: %s", what);
	}
}

/* ---- the run ------------------------------------------------------------------------------ */

/* Create @dir; *@created says whether it is new (a run that never starts removes it then). */
static int make_dir(const char *dir, bool *created)
{
	*created = mkdir(dir, 0755) == 0;
	if (!*created && errno != EEXIST) {
		log_warn("cannot create the run directory '%s': %m", dir);
		return -1;
	}
	return 0;
}

/* --causes: the targets' switches and wakeups into DIR/sched.bin as well; 0 or -1. */
static int record_sched(struct session *s, const char *dir)
{
	char path[PATH_MAX];

	if (path_join(path, sizeof(path), dir, CAUSES_SCHED_FILE) < 0)
		return -1;
	return session_record_sched(s, path, CAUSES_CAP_BYTES) < 0 ? -1 : 0;
}

/* The tracer's record into @dir: connections.csv, tasks.csv, and run.json's trace and join. */
static void collect(struct session *s, const char *dir, json_t **trace, json_t **join,
		    struct outcome *out)
{
	if (session_collect(s) < 0) {
		cut_short(out, "collecting the tracer's results failed");
		return;
	}
	*trace = metrics_json(&s->metrics, &s->result);
	if (session_waits_json(s, *trace) < 0)
		cut_short(out, "the waiting calls' numbers could not be written");
	*join = runjson_join(dir, &s->result);
	if (session_write(s, dir) < 0)
		cut_short(out, "connections.csv or tasks.csv could not be written");
}

/*
 * One run into @dir: the server under the tracer, the load, the files. 0 when it
 * is complete, 1 otherwise. A run that never started leaves no directory; one
 * that did keeps what it measured, and its run.json says whether it is complete.
 */
static int run_measured(const struct run_opts *o, const char *dir, struct netns *ns)
{
	struct session s;
	struct costs cost;
	struct outcome out = { 0 };
	char started[32];
	time_t now = time(NULL);
	json_t *trace = NULL, *join = NULL;
	bool created;

	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	int err = session_open(&s, !o->no_trace, false, o->attach);
	if (err < 0) { /* before anything is created: a refused run leaves nothing */
		log_warn("%s herdlab run --no-trace makes the same run without the tracer%s",
			 err == -EPERM ? "tracing needs root;" : "the tracer cannot be loaded;",
			 err == -EPERM ? ", and needs no root" : "");
		return 1;
	}
	if ((o->profile_hz && session_profile(&s, o->profile_hz, o->profile_all) < 0) ||
	    (o->waits && session_open_waits(&s) < 0) || costs_make(o, &cost) < 0) {
		session_close(&s);
		return 1;
	}
	if (make_dir(dir, &created) < 0 ||
	    runjson_write_started(dir, netns_record(ns, runjson_metadata(o, started), NULL)) < 0) {
		if (created)
			files_rmtree(dir);
		costs_end(&cost);
		json_decref(cost.json);
		session_close(&s);
		return 1;
	}
	s.cgroup = cost.made ? &cost.server : NULL;
	if (o->causes && s.tracer && record_sched(&s, dir) < 0)
		log_warn("the run goes on without --causes");
	serve_and_load(o, dir, &s, cost.made ? &cost.client : NULL, ns, &out);
	session_stop(&s);
	costs_end(&cost); /* both programs have ended: their counters are final */
	if (!out.started) {
		json_decref(cost.json);
		session_close(&s);
		if (created)
			files_rmtree(dir);
		log_warn("%s; nothing was measured%s", out.reason,
			 created ? ", and no run directory is left" : "");
		return 1;
	}
	if (s.tracer)
		collect(&s, dir, &trace, &join, &out);
	json_t *profile = profiling_write(s.profiling, dir, o->model);
	json_t *causes = NULL, *wake_order = NULL;
	if (s.sched)
		causes_write(dir,
			     &(struct causes_opts){ o->timeline, o->timeline_start_ms,
						    o->timeline_len_ms, &s.sched_stats },
			     &causes, &wake_order);
	session_close(&s);
	const char *reason = out.reason[0] ? out.reason : NULL;
	json_t *meta = netns_record(ns, runjson_metadata(o, started), trace);
	if (meta) {
		json_object_set_new(meta, MK_COST, cost.json ? cost.json : json_null());
		if (causes)
			json_object_set_new(meta, MK_CAUSES, causes);
		if (wake_order)
			json_object_set_new(meta, MK_WAKE_ORDER, wake_order);
	} else {
		json_decref(cost.json);
		json_decref(causes);
		json_decref(wake_order);
	}
	sidefiles_json(meta, dir); /* herdsrv's and herdload's own records (sidefiles.h) */
	if (meta && o->profile_hz)
		json_object_set_new(meta, MK_PROFILE, profile ? profile : json_null());
	else
		json_decref(profile);
	int rc = runjson_write(dir, meta, trace, join, reason) < 0 || report_files(dir) < 0;
	if (reason)
		log_warn("the run was cut short (%s): what it measured is in %s", reason, dir);
	return rc || reason ? 1 : 0;
}

/* One run in its own network namespaces (--netns; none otherwise), made first and closed last. */
static int run_once(const struct run_opts *o, const char *dir)
{
	struct netns ns;

	if (netns_make(&ns, &o->netns) < 0) /* before anything: a refused run leaves nothing */
		return 1;
	int rc = run_measured(o, dir, &ns);
	netns_remove(&ns);
	return rc;
}

/* @o's K runs into DIR/rep-1 ..., and their summary; 0 or 1. */
static int run_repeats(const struct run_opts *o, const char *dir)
{
	int rc = 0;
	bool created;

	if (make_dir(dir, &created) < 0)
		return 1;
	for (int i = 1; i <= o->repeat && !rc && !stop_signal; i++) {
		char rep[PATH_MAX];
		path_fmt(rep, sizeof(rep), "%s/rep-%d", dir, i); /* fits: checked in cmd_run */
		log_info("run %d of %d", i, o->repeat);
		rc = run_once(o, rep);
	}
	if (created)
		rmdir(dir); /* only if empty: no repetition started */
	if (!rc && !stop_signal && repeat_summary_write(dir, o->repeat) < 0)
		rc = 1;
	return rc;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	char dir[PATH_MAX - LONGEST_NAME];
	time_t now = time(NULL);
	bool made_runs = false;
	int rc, n;

	run_opts_parse(argc, argv, &o); /* every value checked: a refused run starts nothing */
	cgroup_sweep();			/* what a SIGKILL'ed herdlab left */
	stop_on_signals(STOP_RESTART_CALLS);
	if (o.out) {
		n = path_fmt(dir, sizeof(dir), "%s", o.out);
	} else {
		char stamp[32];
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", gmtime(&now));
		n = path_fmt(dir, sizeof(dir), "runs/%s-%s", o.model, stamp);
		made_runs = mkdir("runs", 0755) == 0;
	}
	if (n < 0)
		die("the run directory's name is too long: %s", o.out ? o.out : o.model);
	rc = o.repeat == 1 ? run_once(&o, dir) : run_repeats(&o, dir);
	if (!rc && !stop_signal)
		printf("%s\n", dir);
	if (made_runs)
		rmdir("runs"); /* only if empty: the first run never started */
	run_opts_free(&o);
	return stop_signal ? 128 + stop_signal : rc;
}
