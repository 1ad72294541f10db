/* SPDX-License-Identifier: MIT */
/*
 * cmd_run.c - herdlab run: one model, traced, under one load, into a run directory.
 *
 *	herdlab run --model NAME [run options] [server and load options]
 *	herdlab run --model NAME [run options] -- [server options] [-- load options]
 *
 * Start herdsrv under the tracer (held until it is a target), wait until it
 * announces its port, drive it with herdload, stop it, and write:
 *	run.json         what ran (model, options, kernel, CPUs, version, time), the
 *	                 tracer's metrics (trace.*), the client's (client.*), the join
 *	requests.csv     herdload's record of every request
 *	connections.csv  the kernel's record of every connection
 *	tasks.csv        every server task
 *	server.log       the server's stderr
 *	report.md, report.html, plots/   the run explained (runreport.h)
 * With --repeat K, K such directories DIR/rep-1 ... and their comparison.
 * Which option goes to herdsrv and which to herdload, herdsrv and herdload say
 * themselves (runopts.h). Anything that fails stops everything this command
 * started, and says what failed; both programs die with herdlab if it is killed.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
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
#include "path.h"
#include "report/compare.h"
#include "report/outfile.h"
#include "report/runreport.h"
#include "session/rundir.h"
#include "session/runjson.h"
#include "session/runopts.h"
#include "session/session.h"
#include "spawn.h"

/* The longest name written below a run directory ("rep-100/connections.csv"). */
#define LONGEST_NAME 32

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

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

/* ---- the server and the load ---------------------------------------------------- */

/* Read the server's "listening on ADDR:PORT" within 10 s; 0 if it never came. */
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
	return 0;
}

/* Run herdload to the end, draining the tracer meanwhile; its wait status, or -1. */
static int run_load(const struct run_opts *o, int port, const char *dir, struct session *s)
{
	char portarg[16], csv[PATH_MAX], json[PATH_MAX];
	int status = -1;
	bool interrupted = false;

	snprintf(portarg, sizeof(portarg), "%d", port);
	if (path_join(csv, sizeof(csv), dir, "requests.csv") < 0 ||
	    path_join(json, sizeof(json), dir, "client.json") < 0)
		return -1;
	char **argv = make_argv((char *[]){ "herdload", "--port", portarg }, 3, &o->load,
				(char *[]){ "--csv", csv, "--json", json, "--quiet" }, 5);
	pid_t pid = spawn_start(&(struct spawn){ .argv = argv, .sibling = true });
	free(argv);
	if (pid < 0)
		return -1;
	for (;;) {
		session_poll(s, 100);
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		if (stop_signal && !interrupted) {
			kill(pid, SIGINT); /* herdload writes what it measured and exits */
			interrupted = true;
		}
	}
}

/* ---- the run ------------------------------------------------------------------------------ */

/* The server under the tracer, the load; 0 when the load ran to its end. */
static int serve_and_load(const struct run_opts *o, const char *dir, struct session *s)
{
	char log_path[PATH_MAX];

	if (path_join(log_path, sizeof(log_path), dir, "server.log") < 0)
		return -1;
	char **argv = make_argv(
		(char *[]){ "herdsrv", "--model", (char *)o->model, "--port", "0", "--quiet" }, 6,
		&o->server, NULL, 0);
	int rc = session_start(s, &(struct spawn){ .argv = argv, .sibling = true, .err = log_path },
			       true);
	free(argv);
	if (rc < 0)
		return -1;
	int port = wait_listening(s);
	if (!port) {
		log_warn("the server did not start (model %s): see %s", o->model, log_path);
		return -1;
	}
	session_add_port(s, port);
	log_info("%s listening on port %d; running the load", o->model, port);
	int load = run_load(o, port, dir, s);
	if (load == -1 || !WIFEXITED(load) || WEXITSTATUS(load) != 0) {
		log_warn("herdload failed (status %#x)", load);
		return -1;
	}
	return 0;
}

/* One run into @dir: the server under the tracer, the load, the files. 0 or 1. */
static int run_once(const struct run_opts *o, const char *dir)
{
	struct session s;
	char started[32];
	time_t now = time(NULL);
	json_t *trace = NULL, *join = NULL;

	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	if (session_open(&s, !o->no_trace, false) < 0)
		return 1; /* before anything is created: a refused run leaves nothing */
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		log_warn("cannot create the run directory '%s': %m", dir);
		session_close(&s);
		return 1;
	}
	int rc = serve_and_load(o, dir, &s) < 0 ? 1 : 0;
	session_stop(&s);
	if (s.tracer && rc == 0) {
		if (session_collect(&s) < 0) {
			rc = 1;
		} else {
			trace = metrics_json(&s.metrics, &s.result);
			join = runjson_join(dir, &s.result);
			if (session_write(&s, dir) < 0)
				rc = 1;
		}
	}
	session_close(&s);
	if (rc != 0) {
		json_decref(trace);
		json_decref(join);
		return rc;
	}
	if (runjson_write(dir, runjson_metadata(o, started), trace, join) < 0 ||
	    report_files(dir) < 0)
		return 1;
	return 0;
}

/* --repeat K: DIR/summary.{md,html,json}, the K runs compared, mean and spread. */
static int write_summary(const char *dir, int k)
{
	struct rundir *runs = calloc((size_t)k, sizeof(*runs));
	static const char *const names[] = { "summary.md", "summary.html" };
	char path[PATH_MAX], plots[PATH_MAX];
	int loaded = 0, rc = -1;

	if (!runs)
		return -1;
	for (; loaded < k; loaded++) {
		char rep[PATH_MAX];
		if (path_fmt(rep, sizeof(rep), "%s/rep-%d", dir, loaded + 1) < 0 ||
		    rundir_load(&runs[loaded], rep, false) < 0)
			goto out;
	}
	if (path_join(plots, sizeof(plots), dir, "plots") < 0)
		goto out;
	rc = 0;
	for (int i = 0; i < 2; i++) {
		struct outfile f;
		if (path_join(path, sizeof(path), dir, names[i]) < 0 ||
		    outfile_open(&f, path) < 0) {
			rc = -1;
			continue;
		}
		int w = compare_write(runs, (size_t)k, i ? DOC_HTML : DOC_MD, f.f, plots, "plots");
		rc |= outfile_close(&f, w == 0);
	}
	json_t *j = compare_json(runs, (size_t)k);
	rc |= j && path_join(path, sizeof(path), dir, "summary.json") == 0 ? jsonio_save(j, path)
									   : -1;
	json_decref(j);
out:
	for (int i = 0; i < loaded; i++)
		rundir_free(&runs[i]);
	free(runs);
	return rc < 0 ? -1 : 0;
}

/* @o's K runs into DIR/rep-1 ..., and their summary; 0 or 1. */
static int run_repeats(const struct run_opts *o, const char *dir)
{
	int rc = 0;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		log_warn("cannot create the run directory '%s': %m", dir);
		return 1;
	}
	for (int i = 1; i <= o->repeat && !rc && !stop_signal; i++) {
		char rep[PATH_MAX];
		path_fmt(rep, sizeof(rep), "%s/rep-%d", dir, i); /* fits: checked in cmd_run */
		log_info("run %d of %d", i, o->repeat);
		rc = run_once(o, rep);
	}
	if (!rc && !stop_signal && write_summary(dir, o->repeat) < 0)
		rc = 1;
	return rc;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	char dir[PATH_MAX - LONGEST_NAME];
	time_t now = time(NULL);
	int rc, n;

	run_opts_parse(argc, argv, &o);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (o.out) {
		n = path_fmt(dir, sizeof(dir), "%s", o.out);
	} else {
		char stamp[32];
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", gmtime(&now));
		n = path_fmt(dir, sizeof(dir), "runs/%s-%s", o.model, stamp);
		mkdir("runs", 0755);
	}
	if (n < 0)
		die("the run directory's name is too long: %s", o.out ? o.out : o.model);
	rc = o.repeat == 1 ? run_once(&o, dir) : run_repeats(&o, dir);
	if (!rc && !stop_signal)
		printf("%s\n", dir);
	run_opts_free(&o);
	return stop_signal ? 130 : rc;
}
