/* SPDX-License-Identifier: MIT */
/*
 * cmd_run.c - herdlab run: one model, traced, under one load, into a run directory.
 *
 *	herdlab run --model NAME [server options] [load options] [--out DIR] [--no-trace]
 *	            [--repeat K]
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
 * Server options go to herdsrv, load options to herdload, by name. Anything that
 * fails stops everything this command started, and says what failed.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "clock.h"
#include "commands.h"
#include "report/compare.h"
#include "hist.h"
#include "metrics/join.h"
#include "jsonio.h"
#include "log.h"
#include "metrics/metrics.h"
#include "report/outfile.h"
#include "report/runreport.h"
#include "session/rundir.h"
#include "session/session.h"
#include "trace.h"
#include "version.h"

#define MAX_ARGS 64

/* Options passed through, by name: to herdsrv, or to herdload (flag: takes no value). */
struct passthru {
	const char *name; /* "--workers" */
	bool flag;	  /* no value follows */
};

#define VALUE(name)         \
	{                   \
		name, false \
	}
#define FLAG(name)         \
	{                  \
		name, true \
	}

static const struct passthru server_opts[] = {
	VALUE("--workers"),	 VALUE("--backlog"),	  VALUE("--reap"),
	VALUE("--trigger"),	 FLAG("--exclusive"),	  VALUE("--min-idle"),
	VALUE("--max-idle"),	 VALUE("--max-children"), VALUE("--max-requests"),
	VALUE("--read-timeout"), VALUE("--grace"),	  VALUE("--max-conns"),
	VALUE("--docroot"),	 VALUE("--max-body"),	  { NULL, false },
};

static const struct passthru load_opts[] = {
	VALUE("--clients"),   VALUE("--rate"),	   FLAG("--poisson"),
	VALUE("--requests"),  VALUE("--duration"), VALUE("--warmup"),
	VALUE("--keepalive"), VALUE("--hold"),	   VALUE("--path"),
	VALUE("--mix"),	      VALUE("--body"),	   VALUE("--sources"),
	VALUE("--threads"),   VALUE("--timeout"),  VALUE("--connect-timeout"),
	VALUE("--seed"),      FLAG("--verify"),	   { NULL, false },
};

/* DIR/NAME into @buf (PATH_MAX). */
static char *in_dir(char *buf, const char *dir, const char *name)
{
	if (snprintf(buf, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
		die("path too long: %s/%s", dir, name);
	return buf;
}

struct run_opts {
	const char *model;	     /* --model */
	const char *out;	     /* --out DIR */
	bool no_trace;		     /* --no-trace */
	int repeat;		     /* --repeat K: K runs, mean and spread */
	char *server_argv[MAX_ARGS]; /* herdsrv's extra arguments */
	int server_argc;
	char *load_argv[MAX_ARGS]; /* herdload's extra arguments */
	int load_argc;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: herdlab run --model NAME [server options] [load options] [--out DIR] "
		"[--no-trace] [--repeat K]\n"
		"  server options (to herdsrv): --workers --backlog --reap --trigger --exclusive\n"
		"    --min-idle --max-idle --max-children --max-requests --read-timeout --grace\n"
		"    --max-conns --docroot --max-body\n"
		"  load options (to herdload): --clients --rate --poisson --requests --duration\n"
		"    --warmup --keepalive --hold --path --mix --body --sources --threads\n"
		"    --timeout --connect-timeout --seed --verify\n"
		"  --out DIR      the run directory (default: runs/MODEL-YYYYmmdd-HHMMSS)\n"
		"  --no-trace     the same run without the tracer (for its overhead)\n"
		"  --repeat K     K runs (DIR/rep-1 ...), compared with mean and spread in\n"
		"                 DIR/summary.md, summary.html and summary.json\n");
}

static const struct passthru *find(const struct passthru *set, const char *arg)
{
	for (; set->name; set++)
		if (!strcmp(set->name, arg))
			return set;
	return NULL;
}

static void add(char **argv, int *argc, char *arg)
{
	if (*argc >= MAX_ARGS - 1)
		die("too many options");
	argv[(*argc)++] = arg;
}

static void parse(int argc, char **argv, struct run_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const struct passthru *p;
		char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "--no-trace")) {
			o->no_trace = true;
		} else if (!strcmp(a, "--repeat")) {
			char *end;
			if (i + 1 >= argc)
				die("--repeat needs a value");
			long k = strtol(argv[++i], &end, 10);
			if (*end || k < 1 || k > 100) {
				fprintf(stderr, "herdlab run: --repeat takes 1..100, not '%s'\n",
					argv[i]);
				exit(2);
			}
			o->repeat = (int)k;
		} else if (!strcmp(a, "--model") || !strcmp(a, "--out")) {
			if (i + 1 >= argc)
				die("%s needs a value", a);
			*(!strcmp(a, "--model") ? &o->model : &o->out) = argv[++i];
		} else if ((p = find(server_opts, a)) || (p = find(load_opts, a))) {
			bool server = find(server_opts, a) != NULL;
			char **v = server ? o->server_argv : o->load_argv;
			int *n = server ? &o->server_argc : &o->load_argc;
			add(v, n, a);
			if (!p->flag) {
				if (i + 1 >= argc)
					die("%s needs a value", a);
				add(v, n, argv[++i]);
			}
		} else {
			fprintf(stderr, "herdlab run: unknown option '%s'\n", a);
			usage(stderr);
			exit(2);
		}
	}
	if (!o->model) {
		fprintf(stderr,
			"herdlab run: --model NAME is required (herdlab models lists them)\n");
		exit(2);
	}
}

/* ---- the server and the load ---------------------------------------------------- */

/* Read the server's "listening on ADDR:PORT" within 10 s; 0 if it never came. */
static int wait_listening(int fd, pid_t server)
{
	char buf[256];
	size_t len = 0;
	uint64_t deadline = clock_now_ns() + 10 * NSEC_PER_SEC;

	while (clock_now_ns() < deadline && !stop_signal) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		if (poll(&pfd, 1, 100) > 0) {
			ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
			if (n <= 0)
				return 0; /* it exited */
			len += (size_t)n;
			buf[len] = 0;
			char *nl = strchr(buf, '\n'), *colon;
			if (nl && !strncmp(buf, "listening on ", 13) && (colon = strrchr(buf, ':')))
				return atoi(colon + 1);
		}
		if (!session_process_alive(server))
			return 0;
	}
	return 0;
}

/* Run herdload to the end, draining the tracer meanwhile; returns its wait status. */
static int run_load(const struct run_opts *o, int port, const char *dir, struct tracer *t)
{
	char path[PATH_MAX], portarg[16], csv[PATH_MAX], json[PATH_MAX];
	char *argv[MAX_ARGS + 16];
	int n = 0, status = 0;

	if (herdlab_sibling("herdload", path, sizeof(path)) < 0)
		die("cannot find herdload beside herdlab");
	snprintf(portarg, sizeof(portarg), "%d", port);
	in_dir(csv, dir, "requests.csv");
	in_dir(json, dir, "client.json");
	argv[n++] = path;
	argv[n++] = "--port";
	argv[n++] = portarg;
	for (int i = 0; i < o->load_argc; i++)
		argv[n++] = o->load_argv[i];
	argv[n++] = "--csv";
	argv[n++] = csv;
	argv[n++] = "--json";
	argv[n++] = json;
	argv[n++] = "--quiet";
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execv(path, argv);
		_exit(127);
	}
	if (pid < 0)
		die("fork() failed: %m");
	for (;;) {
		if (t)
			tracer_poll(t, 100);
		else
			poll(NULL, 0, 100);
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		if (stop_signal)
			kill(pid, SIGINT); /* herdload writes what it measured and exits */
	}
}

/* ---- run.json -------------------------------------------------------------------------- */

/* A line "KEY=VALUE" of the kernel's config (/boot/config-RELEASE or /proc/config.gz). */
static void kernel_config(const char *release, json_t *kernel)
{
	char path[512], line[512];
	gzFile f;

	snprintf(path, sizeof(path), "/boot/config-%s", release);
	if (!(f = gzopen(path, "r")) && !(f = gzopen("/proc/config.gz", "r")))
		return;
	while (gzgets(f, line, sizeof(line))) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "CONFIG_HZ=", 10))
			json_object_set_new(kernel, "hz", json_integer(atoi(line + 10)));
		else if (!strcmp(line, "CONFIG_PREEMPT_RT=y"))
			json_object_set_new(kernel, "preempt", json_string("rt"));
		else if (!strcmp(line, "CONFIG_PREEMPT=y") && !json_object_get(kernel, "preempt"))
			json_object_set_new(kernel, "preempt", json_string("full"));
		else if (!strcmp(line, "CONFIG_PREEMPT_NONE=y") &&
			 !json_object_get(kernel, "preempt"))
			json_object_set_new(kernel, "preempt", json_string("none"));
		else if (!strcmp(line, "CONFIG_PREEMPT_VOLUNTARY=y") &&
			 !json_object_get(kernel, "preempt"))
			json_object_set_new(kernel, "preempt", json_string("voluntary"));
		else if (!strcmp(line, "CONFIG_PREEMPT_DYNAMIC=y"))
			json_object_set_new(kernel, "preempt_dynamic", json_true());
	}
	gzclose(f);
}

static json_t *argv_json(char **argv, int argc)
{
	json_t *a = json_array();

	for (int i = 0; i < argc; i++)
		json_array_append_new(a, json_string(argv[i]));
	return a;
}

static json_t *metadata(const struct run_opts *o, const char *started)
{
	struct utsname u;
	json_t *kernel = json_object();

	uname(&u);
	json_object_set_new(kernel, "release", json_string(u.release));
	json_object_set_new(kernel, "version", json_string(u.version));
	json_object_set_new(kernel, "machine", json_string(u.machine));
	kernel_config(u.release, kernel);
	return json_pack("{s:s, s:{s:o, s:o}, s:o, s:I, s:s, s:s, s:b}", "model", o->model,
			 "options", "server", argv_json((char **)o->server_argv, o->server_argc),
			 "load", argv_json((char **)o->load_argv, o->load_argc), "kernel", kernel,
			 "cpus", (json_int_t)sysconf(_SC_NPROCESSORS_ONLN), "start_time", started,
			 "herdlab_version", herdlab_version, "traced", !o->no_trace);
}

/* Percentiles of @n nanosecond values, in microseconds. */
static json_t *spectrum(const uint64_t *v, size_t n)
{
	struct hist h;

	if (hist_init(&h, 3600ULL * NSEC_PER_SEC) < 0)
		return json_null();
	for (size_t i = 0; i < n; i++)
		hist_record(&h, v[i]);
	json_t *j = jsonio_hist(&h, 1000.0);
	json_object_del(j, "buckets");
	hist_free(&h);
	return j;
}

/*
 * The join: every request matched to its connection's kernel record, and the
 * decomposition of the matched ones: handshake (client connect start to the
 * server's ESTABLISHED), accept-queue wait (ESTABLISHED to accepted), server
 * time (accepted to the client's last byte).
 */
static json_t *join_json(const char *dir, const struct trace_result *r)
{
	char path[PATH_MAX];
	struct client_req *reqs = NULL;

	in_dir(path, dir, "requests.csv");
	ssize_t n = join_read_requests(path, &reqs);
	if (n < 0)
		return json_pack("{s:s}", "error", "requests.csv unreadable");
	ssize_t *match = calloc((size_t)n + 1, sizeof(*match));
	uint64_t *hs = calloc((size_t)n + 1, 8), *qw = calloc((size_t)n + 1, 8),
		 *sv = calloc((size_t)n + 1, 8);
	size_t nhs = 0, nqw = 0, nsv = 0;
	ssize_t matched = match ? join_requests(reqs, (size_t)n, r->conns, r->nconns, match) : -1;
	for (ssize_t i = 0; matched > 0 && i < n; i++) {
		if (match[i] < 0)
			continue;
		const struct herd_conn *c = &r->conns[match[i]];
		if (reqs[i].connect_start_ns && c->established_ns > reqs[i].connect_start_ns)
			hs[nhs++] = c->established_ns - reqs[i].connect_start_ns;
		if (reqs[i].connect_start_ns && c->accepted_ns >= c->established_ns)
			qw[nqw++] = c->accepted_ns - c->established_ns;
		if (c->accepted_ns && reqs[i].last_byte_ns > c->accepted_ns)
			sv[nsv++] = reqs[i].last_byte_ns - c->accepted_ns;
	}
	json_t *j = json_pack(
		"{s:f, s:I, s:I, s:I, s:o, s:o, s:o}", "matched",
		n ? (double)(matched > 0 ? matched : 0) / (double)n : 0.0, "requests",
		(json_int_t)n, "requests_matched", (json_int_t)(matched > 0 ? matched : 0),
		"connections", (json_int_t)r->nconns, "handshake_us", spectrum(hs, nhs),
		"accept_queue_wait_us", spectrum(qw, nqw), "server_us", spectrum(sv, nsv));
	free(reqs), free(match), free(hs), free(qw), free(sv);
	return j;
}

static int write_run_json(const char *dir, json_t *meta, json_t *trace, json_t *join)
{
	char path[PATH_MAX];
	json_error_t err;

	in_dir(path, dir, "client.json");
	json_t *client = json_load_file(path, 0, &err);
	json_object_set_new(meta, "client", client ? client : json_null());
	json_object_set_new(meta, "trace", trace ? trace : json_null());
	json_object_set_new(meta, "join", join ? join : json_null());
	in_dir(path, dir, "run.json");
	int rc = jsonio_save(meta, path);
	if (rc < 0)
		log_warn("cannot write %s: %m", path);
	return rc;
}

/* ---- the run ------------------------------------------------------------------------------ */

/* One run into @dir: the server under the tracer, the load, the files. 0 or 1. */
static int run_once(const struct run_opts *o, const char *dir)
{
	struct tracer *t = NULL;
	struct trace_result r = { 0 };
	struct trace_metrics m = { 0 };
	char srvpath[PATH_MAX], log_path[PATH_MAX], started[32];
	char *srv_argv[MAX_ARGS + 8];
	int n = 0, release_fd, out_fd, rc = 1;
	time_t now = time(NULL);

	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	if (herdlab_sibling("herdsrv", srvpath, sizeof(srvpath)) < 0)
		die("cannot find herdsrv beside herdlab");
	if (!o->no_trace && tracer_open(&t, &(struct tracer_opts){ 0 }) < 0)
		return 1; /* before anything is created: a refused run leaves nothing */
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		log_warn("cannot create the run directory '%s': %m", dir);
		tracer_close(t);
		return 1;
	}

	srv_argv[n++] = srvpath;
	srv_argv[n++] = "--model";
	srv_argv[n++] = (char *)o->model;
	srv_argv[n++] = "--port";
	srv_argv[n++] = "0";
	srv_argv[n++] = "--quiet";
	for (int i = 0; i < o->server_argc; i++)
		srv_argv[n++] = o->server_argv[i];
	srv_argv[n] = NULL;
	in_dir(log_path, dir, "server.log");
	pid_t server = session_spawn_held(srv_argv, &release_fd, &out_fd, log_path);
	bool targeted = !t || tracer_add_tree(t, server) > 0;
	session_release(release_fd);
	if (!targeted) {
		log_warn("the server (pid %d) could not be made the tracer's target", (int)server);
		goto stop;
	}

	int port = wait_listening(out_fd, server);
	if (!port) {
		log_warn("the server did not start (model %s): see %s", o->model, log_path);
		goto stop;
	}
	if (t)
		tracer_add_port(t, (uint16_t)port);
	log_info("%s listening on port %d; running the load", o->model, port);
	int load = run_load(o, port, dir, t);
	if (!WIFEXITED(load) || WEXITSTATUS(load) != 0) {
		log_warn("herdload failed (status %#x)", load);
		goto stop;
	}
	rc = 0;
stop:
	session_stop_child(server);
	close(out_fd);
	json_t *trace = NULL, *join = NULL;
	if (t && rc == 0) {
		if (tracer_collect(t, &r) < 0 || metrics_compute(&r, &m) < 0) {
			log_warn("collecting the results failed");
			rc = 1;
		} else {
			trace = metrics_json(&m, &r);
			join = join_json(dir, &r);
			in_dir(log_path, dir, "connections.csv");
			if (metrics_write_connections(log_path, &r) < 0)
				rc = 1;
			in_dir(log_path, dir, "tasks.csv");
			if (metrics_write_tasks(log_path, &r) < 0)
				rc = 1;
		}
	}
	tracer_close(t);
	if (rc == 0) {
		if (write_run_json(dir, metadata(o, started), trace, join) < 0 ||
		    report_files(dir) < 0)
			rc = 1;
	} else {
		json_decref(trace);
		json_decref(join);
	}
	metrics_free(&m);
	trace_result_free(&r);
	return rc;
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
		char rep[PATH_MAX + 16];
		snprintf(rep, sizeof(rep), "%s/rep-%d", dir, loaded + 1);
		if (rundir_load(&runs[loaded], rep, false) < 0)
			goto out;
	}
	in_dir(plots, dir, "plots");
	rc = 0;
	for (int i = 0; i < 2; i++) {
		struct outfile o;
		if (outfile_open(&o, in_dir(path, dir, names[i])) < 0) {
			rc = -1;
			continue;
		}
		int w = compare_write(runs, (size_t)k, i ? DOC_HTML : DOC_MD, o.f, plots, "plots");
		rc |= outfile_close(&o, w == 0);
	}
	json_t *j = compare_json(runs, (size_t)k);
	rc |= j ? jsonio_save(j, in_dir(path, dir, "summary.json")) : -1;
	json_decref(j);
out:
	for (int i = 0; i < loaded; i++)
		rundir_free(&runs[i]);
	free(runs);
	return rc < 0 ? -1 : 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { .repeat = 1 };
	char dir[PATH_MAX];
	time_t now = time(NULL);
	int rc = 0;

	parse(argc, argv, &o);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (o.out) {
		snprintf(dir, sizeof(dir), "%s", o.out);
	} else {
		char stamp[32];
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", gmtime(&now));
		snprintf(dir, sizeof(dir), "runs/%s-%s", o.model, stamp);
		mkdir("runs", 0755);
	}
	if (o.repeat == 1) {
		rc = run_once(&o, dir);
	} else {
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			log_warn("cannot create the run directory '%s': %m", dir);
			return 1;
		}
		for (int i = 1; i <= o.repeat && !rc && !stop_signal; i++) {
			char rep[PATH_MAX + 16];
			snprintf(rep, sizeof(rep), "%s/rep-%d", dir, i);
			log_info("run %d of %d", i, o.repeat);
			rc = run_once(&o, rep);
		}
		if (!rc && !stop_signal && write_summary(dir, o.repeat) < 0)
			rc = 1;
	}
	if (!rc && !stop_signal)
		printf("%s\n", dir);
	return stop_signal ? 130 : rc;
}
