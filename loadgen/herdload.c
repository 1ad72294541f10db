/* SPDX-License-Identifier: MIT */
/*
 * herdload - the load generator: the client side of every herdlab experiment, and a
 * tool of its own against any HTTP/1.1 server on the machine (ours, nginx, apache2).
 *
 *	herdload --port P [--clients N] [--requests N | --duration S] [options]
 *	herdload --url http://HOST:PORT/path --rate R [--poisson] ...
 *
 * main() is the whole story: flags into struct load_opts, one run (run.c: threads,
 * client.c: their event loops, slow.c: the --slow connections, idle.c: the --idle ones), then the report
 * (report.c): a summary on stdout, --json and --csv. The outputs are checked before
 * the load starts, so that a --csv into a missing directory fails at once rather than
 * after the whole run.
 *
 * Exit status:
 *	0  the run ended and at least one measured request succeeded: failures beside
 *	   successes are the measurement (a server shedding load refuses or times out
 *	   some requests), counted by kind in the summary and the JSON, not an error of
 *	   the tool; so also a run stopped by SIGINT / SIGTERM ("interrupted" in both)
 *	1  a fatal error: a bad URL, the run could not be set up, an output that cannot
 *	   be written (checked before the load) or could not be written (after it)
 *	2  bad flags
 *	3  no measured request succeeded (every one failed, or none ran): said on
 *	   stderr, with the errors by kind; the outputs are written all the same
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "files.h"
#include "load.h"
#include "log.h"
#include "optlist.h"
#include "clients.h"
#include "phases.h"
#include "report.h"

#define DEFAULT_REQUESTS 1000
#define DEFAULT_SEED	 0x4865726442756c6cULL /* any fixed value: runs repeat by default */
#define MAX_CLIENTS	 1000000
#define MAX_THREADS	 1024
#define MAX_SLOW	 1000000
#define MAX_IDLE	 1000000
#define EXIT_NONE_OK	 3 /* no measured request succeeded */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: herdload (--port P | --url http://HOST[:PORT][/path]) [options]\n"
		"\n"
		"load:                                                                [default]\n"
		"  --clients N          clients (open loop: most requests in flight)     [16]\n"
		"  --rate R             open loop: R requests/s whatever the server does\n"
		"  --poisson            open loop: Poisson arrivals (else constant)\n"
		"  --requests N         measure N requests                             [1000]\n"
		"  --duration S         or measure for S seconds\n"
		"  --warmup S           run S seconds first, not measured                 [0]\n"
		"  --keepalive R        R requests per connection (1: a new one each)     [1]\n"
		"  --hold MSEC          pause between requests on a connection            [0]\n"
		"  --ramp S             clients started over S s (open loop: rate ramped) [0]\n"
		"  --threads T          event-loop threads                [CPUs, <= clients]\n"
		"  --phases SPEC        a load that changes, instead of --duration:\n"
		"                       PHASE[,PHASE]..., PHASE = DURATION[:clients=N][:PATH],\n"
		"                       DURATION = NUMBER s|ms; e.g. 3s:clients=2:/size/1K,\n"
		"                       4s:clients=30:/sleep/100,3s (no clients=: --clients;\n"
		"                       no path: --path/--mix); each phase reported apart\n"
		"workload:\n"
		"  --path P             the path to GET                    [the URL's, or /]\n"
		"  --mix LIST           weighted paths: /size/1K:9,/size/1M:1\n"
		"  --body MIN-MAX       POST bodies of MIN..MAX bytes (to /echo unless --path)\n"
		"  --sources A-B        source addresses, e.g. 127.0.0.1-127.0.0.8\n"
		"  --verify             check /size and /echo bodies byte by byte\n"
		"  --slow N             N more connections trickling a GET (slowloris)    [0]\n"
		"  --slow-interval MS   --slow: one byte of the request every MS ms    [1000]\n"
		"  --idle N             N more connections held open and silent           [0]\n"
		"limits:\n"
		"  --timeout S          a response must be complete S after sending      [10]\n"
		"  --connect-timeout S  a connect must be done within S                   [5]\n"
		"  --max-time S         the whole run's deadline with --requests        [600]\n"
		"output:\n"
		"  --json FILE          the summary and histograms as JSON\n"
		"  --csv FILE           one row per request\n"
		"  --clients-csv FILE   one row per client: requests, bytes, times, errors\n"
		"  --seed N             for Poisson gaps, --mix and --body draws      [fixed]\n"
		"  --quiet              no summary (nor progress line)\n"
		"  --options            these long options, one a line (for herdlab run)\n"
		"  --check              check the options, send nothing: exit 0 if good\n");
}

/* A bad flag: say which, and exit 2. */
static _Noreturn void bad_flag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void bad_flag(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "herdload: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see --help)\n");
	exit(2);
}

/* A whole number in [min, max]. */
static uint64_t parse_num(const char *opt, const char *s, uint64_t min, uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
		bad_flag("invalid %s '%s': expected a whole number from %llu to %llu", opt, s,
			 (unsigned long long)min, (unsigned long long)max);
	return v;
}

/* A real number in [min, max] (fractions allowed), scaled by @scale into an integer. */
static uint64_t parse_real(const char *opt, const char *s, double min, double max, double scale)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= min) || !(v <= max))
		bad_flag("invalid %s '%s': expected a number from %g to %g", opt, s, min, max);
	return (uint64_t)llround(v * scale);
}

enum {
	OPT_URL = 256,
	OPT_PORT,
	OPT_CLIENTS,
	OPT_RATE,
	OPT_POISSON,
	OPT_REQUESTS,
	OPT_DURATION,
	OPT_WARMUP,
	OPT_KEEPALIVE,
	OPT_HOLD,
	OPT_PATH,
	OPT_MIX,
	OPT_BODY,
	OPT_SOURCES,
	OPT_THREADS,
	OPT_TIMEOUT,
	OPT_CONNECT_TIMEOUT,
	OPT_MAX_TIME,
	OPT_JSON,
	OPT_CSV,
	OPT_SEED,
	OPT_QUIET,
	OPT_VERIFY,
	OPT_SLOW,
	OPT_SLOW_INTERVAL,
	OPT_IDLE,
	OPT_RAMP,
	OPT_CLIENTS_CSV,
	OPT_PHASES,
	OPT_OPTIONS,
	OPT_CHECK,
	OPT_HELP,
};

static const struct option long_opts[] = {
	{ "url", required_argument, 0, OPT_URL },
	{ "port", required_argument, 0, OPT_PORT },
	{ "clients", required_argument, 0, OPT_CLIENTS },
	{ "rate", required_argument, 0, OPT_RATE },
	{ "poisson", no_argument, 0, OPT_POISSON },
	{ "requests", required_argument, 0, OPT_REQUESTS },
	{ "duration", required_argument, 0, OPT_DURATION },
	{ "warmup", required_argument, 0, OPT_WARMUP },
	{ "keepalive", required_argument, 0, OPT_KEEPALIVE },
	{ "hold", required_argument, 0, OPT_HOLD },
	{ "path", required_argument, 0, OPT_PATH },
	{ "mix", required_argument, 0, OPT_MIX },
	{ "body", required_argument, 0, OPT_BODY },
	{ "sources", required_argument, 0, OPT_SOURCES },
	{ "threads", required_argument, 0, OPT_THREADS },
	{ "timeout", required_argument, 0, OPT_TIMEOUT },
	{ "connect-timeout", required_argument, 0, OPT_CONNECT_TIMEOUT },
	{ "max-time", required_argument, 0, OPT_MAX_TIME },
	{ "json", required_argument, 0, OPT_JSON },
	{ "csv", required_argument, 0, OPT_CSV },
	{ "seed", required_argument, 0, OPT_SEED },
	{ "quiet", no_argument, 0, OPT_QUIET },
	{ "verify", no_argument, 0, OPT_VERIFY },
	{ "slow", required_argument, 0, OPT_SLOW },
	{ "slow-interval", required_argument, 0, OPT_SLOW_INTERVAL },
	{ "idle", required_argument, 0, OPT_IDLE },
	{ "ramp", required_argument, 0, OPT_RAMP },
	{ "clients-csv", required_argument, 0, OPT_CLIENTS_CSV },
	{ "phases", required_argument, 0, OPT_PHASES },
	{ "options", no_argument, 0, OPT_OPTIONS },
	{ "check", no_argument, 0, OPT_CHECK },
	{ "help", no_argument, 0, OPT_HELP },
	{ 0, 0, 0, 0 },
};

/* Flags kept as given until they can be checked together. */
struct given {
	const char *url;     /* --url */
	long port;	     /* --port, or -1 */
	const char *path;    /* --path */
	const char *mix;     /* --mix */
	const char *body;    /* --body */
	const char *sources; /* --sources */
	unsigned threads;    /* --threads, or 0 */
	bool hold;	     /* --hold given */
	bool ramp;	     /* --ramp given */
};

/* --phases, parsed (phases.h); n == 0 without it. */
static struct load_phases phases;

/* --check: parse and validate every option, then exit 0 without running (herdlab run). */
static bool check_only;

/* One flag into @o or @g. */
static void take_flag(int opt, const char *arg, struct load_opts *o, struct given *g)
{
	switch (opt) {
	case OPT_URL:
		g->url = arg;
		break;
	case OPT_PORT:
		g->port = (long)parse_num("--port", arg, 1, 65535);
		break;
	case OPT_CLIENTS:
		o->clients = (unsigned)parse_num("--clients", arg, 1, MAX_CLIENTS);
		break;
	case OPT_RATE:
		o->mode = LOAD_OPEN;
		o->rate = (double)parse_real("--rate", arg, 0.001, 1e7, 1000) / 1000;
		break;
	case OPT_POISSON:
		o->poisson = true;
		break;
	case OPT_REQUESTS:
		o->requests = parse_num("--requests", arg, 1, 1ULL << 40);
		break;
	case OPT_DURATION:
		o->duration_ns = parse_real("--duration", arg, 0.001, 1e6, 1e9);
		break;
	case OPT_WARMUP:
		o->warmup_ns = parse_real("--warmup", arg, 0, 1e6, 1e9);
		break;
	case OPT_KEEPALIVE:
		o->keepalive = (unsigned)parse_num("--keepalive", arg, 1, 1u << 30);
		break;
	case OPT_HOLD:
		g->hold = true;
		o->hold_ns = parse_real("--hold", arg, 0, 3.6e6, 1e6);
		break;
	case OPT_PATH:
		g->path = arg;
		break;
	case OPT_MIX:
		g->mix = arg;
		break;
	case OPT_BODY:
		g->body = arg;
		break;
	case OPT_SOURCES:
		g->sources = arg;
		break;
	case OPT_THREADS:
		g->threads = (unsigned)parse_num("--threads", arg, 1, MAX_THREADS);
		break;
	case OPT_TIMEOUT:
		o->timeout_ns = parse_real("--timeout", arg, 0.001, 86400, 1e9);
		break;
	case OPT_CONNECT_TIMEOUT:
		o->connect_timeout_ns = parse_real("--connect-timeout", arg, 0.001, 86400, 1e9);
		break;
	case OPT_MAX_TIME:
		o->max_time_ns = parse_real("--max-time", arg, 0.001, 1e6, 1e9);
		break;
	case OPT_JSON:
		o->json_path = arg;
		break;
	case OPT_CSV:
		o->csv_path = arg;
		break;
	case OPT_SEED:
		o->seed = parse_num("--seed", arg, 0, INT64_MAX);
		break;
	case OPT_QUIET:
		o->quiet = true;
		break;
	case OPT_VERIFY:
		o->verify = true;
		break;
	case OPT_SLOW:
		o->slow = (unsigned)parse_num("--slow", arg, 0, MAX_SLOW);
		break;
	case OPT_SLOW_INTERVAL:
		o->slow_interval_ns = parse_real("--slow-interval", arg, 1, 3.6e6, 1e6);
		break;
	case OPT_IDLE:
		o->idle = (unsigned)parse_num("--idle", arg, 0, MAX_IDLE);
		break;
	case OPT_RAMP:
		g->ramp = true;
		o->ramp_ns = parse_real("--ramp", arg, 0, 1e6, 1e9);
		break;
	case OPT_CLIENTS_CSV:
		o->clients_csv_path = arg;
		break;
	case OPT_PHASES: {
		char why[256];
		phases_free(&phases);
		if (phases_parse(arg, &phases, why, sizeof(why)) < 0)
			bad_flag("invalid --phases: %s", why);
		o->phases = &phases;
		break;
	}
	case OPT_OPTIONS: /* the table itself, so herdlab run passes on what we parse */
		optlist_print(stdout, long_opts);
		exit(0);
	case OPT_CHECK:
		check_only = true;
		break;
	case OPT_HELP:
		usage(stdout);
		exit(0);
	default:
		usage(stderr);
		exit(2);
	}
}

/* The target: --url or --port, exactly one. A URL that does not parse is fatal (1). */
static void set_target(struct load_opts *o, const struct given *g, char *url_buf, size_t cap)
{
	const char *why;

	if (!!g->url == (g->port >= 0))
		bad_flag("give the target with --url or --port (one of them)");
	if (g->port >= 0) {
		workload_target_port(&o->target, (uint16_t)g->port);
		snprintf(url_buf, cap, "http://127.0.0.1:%ld", g->port);
		o->url = url_buf;
		return;
	}
	if (workload_parse_url(g->url, &o->target, &why) < 0)
		die("bad --url '%s': %s", g->url, why);
	o->url = g->url;
}

/* The paths: --mix, --path, the URL's path, /echo for --body, or /. */
static void set_workload(struct load_opts *o, const struct given *g)
{
	struct load_workload *w = &o->work;
	const char *why, *path = "/";

	if (g->mix && g->path)
		bad_flag("--path and --mix exclude each other");
	if (g->body) {
		if (workload_parse_body(g->body, &w->body_min, &w->body_max, &why) < 0)
			bad_flag("invalid --body '%s': %s", g->body, why);
		w->post = true;
		path = "/echo";
	}
	if (o->target.path[0])
		path = o->target.path;
	if (g->path)
		path = g->path;
	if (g->mix ? workload_parse_mix(w, g->mix, &why) < 0
		   : workload_add_path(w, path, strlen(path), 1, &why) < 0)
		bad_flag("invalid %s '%s': %s", g->mix ? "--mix" : "--path", g->mix ? g->mix : path,
			 why);
	if (g->sources && workload_parse_sources(g->sources, &o->sources, &why) < 0)
		bad_flag("invalid --sources '%s': %s", g->sources, why);
	if (o->sources.count && o->sources.first.ss_family != o->target.addr.ss_family)
		bad_flag("--sources '%s' and the target are of different address families",
			 g->sources);
	if (o->phases) {
		char why2[256];
		if (phases_settle(&phases, o->clients, w, why2, sizeof(why2)) < 0)
			bad_flag("invalid --phases: %s", why2);
	}
	if (workload_build(w, o->target.host) < 0)
		die("cannot build the requests: %m");
}

/*
 * connect() picks ports of one parity first (odd ones are left to bind()), and once those
 * are taken by connections to the same address and port, every connect() searches the whole
 * range: past about half the ephemeral ports, connecting gets slow. More source addresses
 * give every one of them a range of its own.
 */
static void check_ports(const struct load_opts *o)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	unsigned lo, hi;

	if (!f)
		return;
	if (fscanf(f, "%u %u", &lo, &hi) == 2 && hi >= lo && !o->sources.count &&
	    o->clients > (hi - lo + 1) / 2)
		log_warn("--clients %u is past half the %u ephemeral ports: connect() slows down "
			 "as the kernel searches them; --sources (e.g. 127.0.0.1-127.0.0.4) gives "
			 "each address its own",
			 o->clients, hi - lo + 1);
	fclose(f);
}

/* --phases: it stands for --duration, and the run has as many clients as its largest phase. */
static void settle_phases(struct load_opts *o, const struct given *g)
{
	if (o->requests || o->duration_ns)
		bad_flag("--phases and %s exclude each other: the phases' durations are the run's",
			 o->requests ? "--requests" : "--duration");
	if (o->mode == LOAD_OPEN)
		bad_flag("--phases is a closed loop of clients: it excludes --rate");
	if (g->ramp)
		bad_flag("--phases and --ramp exclude each other");
	for (unsigned i = 0; i < phases.n; i++)
		if (!phases.p[i].clients)
			phases.p[i].clients = o->clients;
	o->duration_ns = phases.total_ns;
	o->clients = 0;
	for (unsigned i = 0; i < phases.n; i++)
		if (phases.p[i].clients > o->clients)
			o->clients = phases.p[i].clients;
}

/* Checks across flags, and the defaults that depend on others. */
static void settle(struct load_opts *o, const struct given *g)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (o->requests && o->duration_ns)
		bad_flag("--requests and --duration exclude each other");
	if (o->phases)
		settle_phases(o, g);
	if (!o->requests && !o->duration_ns)
		o->requests = DEFAULT_REQUESTS;
	if (o->poisson && o->mode != LOAD_OPEN)
		bad_flag("--poisson needs --rate");
	if (g->hold && o->keepalive < 2)
		log_warn("--hold applies between requests on one connection: it needs --keepalive "
			 "2 or more; ignored");
	o->threads = g->threads ? g->threads : (unsigned)(cpus > 0 ? cpus : 1);
	if (o->threads > o->clients)
		o->threads = o->clients;
	if (o->duration_ns)
		o->max_time_ns = o->warmup_ns + o->duration_ns + o->timeout_ns + NSEC_PER_SEC;
	o->progress = !o->quiet && isatty(STDERR_FILENO);
}

/* An output must be writable now, not only once the load is over. */
static void check_output(const char *flag, const char *path)
{
	if (path && files_check_writable(path) < 0)
		die("cannot write %s '%s': %m", flag, path);
}

static void parse_args(int argc, char **argv, struct load_opts *o, char *url_buf, size_t cap)
{
	struct given g = { .port = -1 };
	int opt;

	while ((opt = getopt_long(argc, argv, "", long_opts, NULL)) != -1)
		take_flag(opt, optarg, o, &g);
	if (optind < argc)
		bad_flag("unexpected argument '%s'", argv[optind]);
	set_target(o, &g, url_buf, cap);
	settle(o, &g);
	set_workload(o, &g);
	check_output("--json", o->json_path);
	check_output("--csv", o->csv_path);
	check_output("--clients-csv", o->clients_csv_path);
	o->keep_records = o->csv_path || o->clients_csv_path || o->phases;
	check_ports(o);
}

/* The summary, --json, --csv; 0, or 1 if an output could not be written. */
static int write_outputs(const struct load_opts *o, const struct load_result *r)
{
	int rc = 0;

	if (!o->quiet)
		report_summary(stdout, o, r);
	if (o->json_path && report_write_json(o->json_path, o, r) < 0) {
		log_warn("cannot write --json '%s': %m", o->json_path);
		rc = 1;
	}
	if (o->keep_records && r->records_lost)
		log_warn("--csv, --clients-csv: out of memory, some requests have no record");
	if (o->csv_path && report_write_csv(o->csv_path, o, r) < 0) {
		log_warn("cannot write --csv '%s': %m", o->csv_path);
		rc = 1;
	}
	if (o->clients_csv_path && clients_write_csv(o->clients_csv_path, o, r) < 0) {
		log_warn("cannot write --clients-csv '%s': %m", o->clients_csv_path);
		rc = 1;
	}
	return rc;
}

/* No measured request succeeded: say so, with what happened to them (EXIT_NONE_OK). */
static int none_ok(const struct load_result *r)
{
	char kinds[256] = "";
	size_t used = 0;

	for (int k = ERR_NONE + 1; k < ERR_KINDS && used < sizeof(kinds); k++)
		if (r->c.errors[k])
			used += (size_t)snprintf(kinds + used, sizeof(kinds) - used,
						 "%s%s %" PRIu64, used ? ", " : "",
						 err_name((enum err_kind)k), r->c.errors[k]);
	if (r->c.failed)
		log_warn("no request succeeded: %" PRIu64 " failed (%s)", r->c.failed, kinds);
	else
		log_warn("no request succeeded: none was measured%s",
			 r->interrupted ? " before the run was interrupted" : "");
	return EXIT_NONE_OK;
}

int main(int argc, char **argv)
{
	struct load_opts o = {
		.clients = 16,
		.keepalive = 1,
		.timeout_ns = 10 * NSEC_PER_SEC,
		.connect_timeout_ns = 5 * NSEC_PER_SEC,
		.max_time_ns = 600 * NSEC_PER_SEC,
		.seed = DEFAULT_SEED,
		.slow_interval_ns = NSEC_PER_SEC,
	};
	struct load_result r;
	char url_buf[64];
	int rc;

	log_init(argv[0]);
	parse_args(argc, argv, &o, url_buf, sizeof(url_buf));
	if (check_only) {
		phases_free(&phases);
		workload_free(&o.work);
		return 0;
	}
	if (load_run(&o, &r) < 0) {
		load_result_free(&r);
		workload_free(&o.work);
		return 1;
	}
	rc = write_outputs(&o, &r);
	if (rc == 0 && r.c.ok == 0)
		rc = none_ok(&r);
	load_result_free(&r);
	phases_free(&phases);
	workload_free(&o.work);
	return rc;
}
