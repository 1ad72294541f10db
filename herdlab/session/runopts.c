/* SPDX-License-Identifier: MIT */
/*
 * runopts.c - herdlab run's command line (runopts.h).
 *
 * Three questions to the two programs, all before anything starts: their
 * option tables (--options) to route each option, herdsrv's models (--list)
 * to refuse a mistyped one with the nearest name, and whether the values are
 * good (`herdsrv --check`, `herdload --check`: each parses and validates as it
 * would for a run, and exits). Only the program that owns an option knows what
 * its value may be, so the check is asked, never repeated here. The asking is
 * runask.c's; what is here routes the options by the answers.
 */
#include "session/runopts.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causes/causes.h"
#include "log.h"
#include "optlist.h"
#include "profile/profiling.h"
#include "session/cgroup.h"
#include "session/runask.h"
#include "suggest.h"

/* An option's val in the parsing table says who takes it. */
enum {
	OWN_MODEL = 1, /* the run's own */
	OWN_OUT,
	OWN_NO_TRACE,
	OWN_REPEAT,
	OWN_MEM_LIMIT,
	OWN_PIDS_LIMIT,
	OWN_CPUS,
	OWN_PROFILE,
	OWN_PROFILE_ALL,
	OWN_NETNS, /* + enum netns_option: netns.c takes them */
	OWN_NETNS_LAST = OWN_NETNS + NETNS_OPT_LOSS,
	OWN_WAITS,
	OWN_CAUSES,
	OWN_TIMELINE,
	OWN_ATTACH,
	OWN_HELP = 'h',
	TO_SERVER = 0x10000, /* + the index in herdsrv's table */
	TO_LOAD = 0x20000,   /* + the index in herdload's table */
	TO_BOTH = 0x30000,   /* both have it: refused outside a -- section */
	REFUSED = 0x40000,   /* + the index in refused[] */
	OWNER_MASK = 0x70000,
};

static const struct option own_opts[] = {
	{ "model", required_argument, 0, OWN_MODEL },
	{ "out", required_argument, 0, OWN_OUT },
	{ "no-trace", no_argument, 0, OWN_NO_TRACE },
	{ "repeat", required_argument, 0, OWN_REPEAT },
	{ "mem-limit", required_argument, 0, OWN_MEM_LIMIT },
	{ "pids-limit", required_argument, 0, OWN_PIDS_LIMIT },
	{ "cpus", required_argument, 0, OWN_CPUS },
	{ "profile", optional_argument, 0, OWN_PROFILE },
	{ "profile-all", no_argument, 0, OWN_PROFILE_ALL },
	{ "netns", optional_argument, 0, OWN_NETNS + NETNS_OPT_NETNS },
	{ "sysctl", required_argument, 0, OWN_NETNS + NETNS_OPT_SYSCTL },
	{ "delay", required_argument, 0, OWN_NETNS + NETNS_OPT_DELAY },
	{ "loss", required_argument, 0, OWN_NETNS + NETNS_OPT_LOSS },
	{ "waits", no_argument, 0, OWN_WAITS },
	{ "causes", no_argument, 0, OWN_CAUSES },
	{ "timeline", optional_argument, 0, OWN_TIMELINE },
	{ "attach", required_argument, 0, OWN_ATTACH },
	{ "help", no_argument, 0, OWN_HELP },
	{ 0 },
};

/* The programs' options that herdlab run sets itself, or that are not a run's. */
static const struct refused {
	const char *name; /* without the dashes */
	const char *why;  /* the reason, said when it is given */
} refused[] = {
	{ "model", "it is herdlab run's own: give it before the first --" },
	{ "port", "herdlab run starts the server on a free port and points the load at it" },
	{ "url", "herdlab run points the load at the server it started" },
	{ "quiet", "herdlab run keeps the server and the load quiet itself" },
	{ "csv", "herdlab run writes requests.csv into the run directory" },
	{ "json", "herdlab run writes client.json into the run directory" },
	{ "clients-csv", "herdlab run writes clients.csv into the run directory" },
	{ "stats", "herdlab run writes server_stats.csv into the run directory" },
	{ "counters", "herdlab run writes server_counters.json into the run directory" },
	{ "pool-log", "herdlab run writes pool.csv into the run directory (prefork-dynamic)" },
	{ "list", "herdlab models lists the models" },
	{ "options", "herdlab run asks for the option tables itself" },
	{ "check", "herdlab run checks the options itself before it starts anything" },
	{ "help", "see herdsrv --help and herdload --help" },
};

#define NREFUSED (sizeof(refused) / sizeof(refused[0]))

/* The tables asked of the two programs. */
struct owners {
	struct option *server; /* herdsrv --options */
	struct option *load;   /* herdload --options */
};

/* ---- the parsing table ---------------------------------------------------------------------- */

static struct option *table_find(struct vec *t, const char *name)
{
	for (size_t i = 0; i < t->len; i++) {
		struct option *o = vec_at(t, i);
		if (!strcmp(o->name, name))
			return o;
	}
	return NULL;
}

static int refused_index(const char *name)
{
	for (size_t i = 0; i < NREFUSED; i++)
		if (!strcmp(refused[i].name, name))
			return (int)i;
	return -1;
}

/* @opts, whose entries go @to (0: the run's own), into @t, unless a name there already decides. */
static void table_add(struct vec *t, const struct option *opts, int to)
{
	for (int i = 0; opts && opts[i].name; i++) {
		struct option *o = table_find(t, opts[i].name);
		int r = refused_index(opts[i].name);
		if (o) { /* the run's own wins; otherwise both programs have it */
			if ((o->val & OWNER_MASK) == TO_SERVER || (o->val & OWNER_MASK) == TO_LOAD)
				o->val = TO_BOTH;
			continue;
		}
		if (!(o = vec_push(t)))
			die("out of memory");
		*o = opts[i];
		o->flag = NULL;
		o->val = !to ? opts[i].val : r >= 0 ? REFUSED + r : to + i;
	}
}

/* A getopt_long table: the run's own options (@own) and the programs' (NULL: not here). */
static struct option *table_make(bool own, const struct option *server, const struct option *load)
{
	struct vec t = VEC_INIT(struct option);

	table_add(&t, own ? own_opts : NULL, 0);
	table_add(&t, server, TO_SERVER);
	table_add(&t, load, TO_LOAD);
	if (!vec_push(&t)) /* the zeroed end */
		die("out of memory");
	return vec_take(&t, NULL);
}

/* ---- usage ------------------------------------------------------------------------------ */

/* The names in @opts that may be passed on, wrapped after about 90 columns. */
static void list_names(FILE *f, const struct option *opts)
{
	int col = 2;

	fprintf(f, "  ");
	for (; opts && opts->name; opts++) {
		if (refused_index(opts->name) >= 0)
			continue;
		if (col + (int)strlen(opts->name) + 3 > 90)
			col = fprintf(f, "\n  ") - 1;
		col += fprintf(f, " --%s", opts->name);
	}
	fprintf(f, "\n");
}

static void usage(FILE *f, const struct owners *w)
{
	fprintf(f, "usage: herdlab run --model NAME [run options] [server and load options]\n"
		   "       herdlab run --model NAME [run options] -- [server options] [-- load "
		   "options]\n"
		   "  --model NAME   the server model (herdlab models lists them)\n"
		   "  --out DIR      the run directory (default: runs/MODEL-YYYYmmdd-HHMMSS)\n"
		   "  --no-trace     the same run without the tracer (for its overhead)\n"
		   "  --repeat K     K runs (DIR/rep-1 ...), compared with mean and spread in\n"
		   "                 DIR/summary.md, summary.html and summary.json\n"
		   "  --mem-limit BYTES  the server's memory limit in its cgroup (K, M, G)\n"
		   "  --pids-limit N     the most tasks the server may have at once\n"
		   "  --cpus SERVER_SET[:CLIENT_SET]  pin the server (and herdload) to CPUs,\n"
		   "                 as cpuset lists: --cpus 0:1, --cpus 0-1:2-3\n"
		   "  --profile[=HZ] sample the server's CPU at HZ per CPU (default 99):\n"
		   "                 profile.folded, profile.svg, profile.json\n"
		   "  --profile-all  sample every task, labelled (implies --profile)\n" WAITS_HELP
		   "  --causes       why each request was slow, in kernel terms\n"
		   "                 (requests_causes.csv, run.json causes.* and wake_order.*)\n"
		   "  --timeline[=START:LEN]  --causes and the timeline (timeline.svg,\n"
		   "                 timeline.json) of LEN ms from START ms after the load began\n"
		   "                 (default: a window around the slowest requests)\n"

		ATTACH_HELP);
	netns_usage(f);
	fprintf(f, "  server options go to herdsrv (herdsrv --help):\n");
	list_names(f, w->server);
	fprintf(f, "  load options go to herdload (herdload --help):\n");
	list_names(f, w->load);
	fprintf(f, "  Each option goes to the program that has it; one both have goes after\n"
		   "  -- (to herdsrv) or a second -- (to herdload). herdlab run sets --port,\n"
		   "  --quiet and the load's --csv and --json itself.\n");
}

/* Say what is wrong, the usage, exit 2. */
static _Noreturn void bad_usage(const struct owners *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static _Noreturn void bad_usage(const struct owners *w, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "herdlab run: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	usage(stderr, w);
	exit(2);
}

/* ---- parsing ------------------------------------------------------------------------------ */

/* "--NAME" (and its value) of @opt, one of @opts, onto @args. */
static void pass_on(struct vec *args, const struct option *opt, const char *value)
{
	char **slot;
	char *name;

	if (opt->has_arg == optional_argument && value) {
		if (asprintf(&name, "--%s=%s", opt->name, value) < 0)
			die("out of memory");
		value = NULL; /* an optional value must be joined to its name */
	} else if (asprintf(&name, "--%s", opt->name) < 0) {
		die("out of memory");
	}
	if (!(slot = vec_push(args)))
		die("out of memory");
	*slot = name;
	if (value && (!(slot = vec_push(args)) || !(*slot = strdup(value))))
		die("out of memory");
}

/* --cpus SERVER_SET[:CLIENT_SET]: each a cpuset list, checked here. */
static void take_cpus(const char *arg, struct run_opts *o, const struct owners *w)
{
	static char sets[2][256];
	const char *colon = strchr(arg, ':');
	cpu_set_t set;

	if (snprintf(sets[0], sizeof(sets[0]), "%.*s",
		     colon ? (int)(colon - arg) : (int)strlen(arg), arg) >= (int)sizeof(sets[0]) ||
	    snprintf(sets[1], sizeof(sets[1]), "%s", colon ? colon + 1 : "") >=
		    (int)sizeof(sets[1]))
		bad_usage(w, "--cpus: '%s' is too long", arg);
	if (cgroup_parse_cpus(sets[0], &set) < 0 || (colon && cgroup_parse_cpus(sets[1], &set) < 0))
		bad_usage(w, "--cpus takes SERVER_SET[:CLIENT_SET] like 0 or 0-1:2-3, not '%s'",
			  arg);
	o->server_cpus = sets[0];
	o->client_cpus = colon ? sets[1] : NULL;
}

static void take_own(int val, const char *arg, struct run_opts *o, const struct owners *w)
{
	char *end;
	long k;

	if (val >= OWN_NETNS && val <= OWN_NETNS_LAST) {
		const char *why = netns_take(&o->netns, (enum netns_option)(val - OWN_NETNS), arg);
		if (why)
			bad_usage(w, "%s", why);
		return;
	}
	switch (val) {
	case OWN_MODEL:
		o->model = arg;
		break;
	case OWN_OUT:
		o->out = arg;
		break;
	case OWN_NO_TRACE:
		o->no_trace = true;
		break;
	case OWN_REPEAT:
		k = strtol(arg, &end, 10);
		if (end == arg || *end || k < 1 || k > 100)
			bad_usage(w, "--repeat takes 1..100, not '%s'", arg);
		o->repeat = (int)k;
		break;
	case OWN_MEM_LIMIT:
		if (cgroup_parse_size(arg, &o->mem_limit) < 0)
			bad_usage(w, "--mem-limit takes bytes (K, M, G suffixes), not '%s'", arg);
		break;
	case OWN_PIDS_LIMIT:
		k = strtol(arg, &end, 10);
		if (end == arg || *end || k < 1 || k > 4194304)
			bad_usage(w, "--pids-limit takes 1..4194304, not '%s'", arg);
		o->pids_limit = k;
		break;
	case OWN_CPUS:
		take_cpus(arg, o, w);
		break;
	case OWN_PROFILE:
		if ((o->profile_hz = profiling_parse_hz(arg)) < 0)
			bad_usage(w, "--profile=HZ takes 1..%d, not '%s'", PROFILE_MAX_HZ, arg);
		break;
	case OWN_PROFILE_ALL:
		o->profile_all = true;
		break;
	case OWN_WAITS:
		o->waits = true;
		break;
	case OWN_CAUSES:
		o->causes = true;
		break;
	case OWN_TIMELINE:
		o->causes = o->timeline = true;
		if (arg && !causes_parse_window(arg, &o->timeline_start_ms, &o->timeline_len_ms))
			bad_usage(w, "--timeline takes START:LEN in ms (like 1500:20), not '%s'",
				  arg);
		break;
	case OWN_ATTACH:
		attach_opt(optarg, &o->attach);
		break;
	case OWN_HELP:
		usage(stdout, w);
		exit(0);
	}
}

/* "; did you mean --clients?" for a mistyped "--clinets[=VALUE]" of @table, or "". */
static const char *did_you_mean(const struct option *table, const char *tok, char *buf, size_t len)
{
	struct vec names = VEC_INIT(const char *);
	char word[64];
	const char **slot;

	buf[0] = 0;
	if (strncmp(tok, "--", 2) ||
	    snprintf(word, sizeof(word), "%s", tok + 2) >= (int)sizeof(word))
		return buf;
	word[strcspn(word, "=")] = 0;
	for (; table->name; table++)
		if (refused_index(table->name) < 0 && (slot = vec_push(&names)))
			*slot = table->name;
	const char *near = suggest_nearest(word, names.data, names.len);
	if (near)
		snprintf(buf, len, "; did you mean --%s?", near);
	vec_free(&names);
	return buf;
}

/*
 * Parse argv[start..argc) with @table up to its end or a "--": the index after
 * that "--", or -1 at the end. @section names the program of a -- section
 * (NULL: the run's own options and -h come first). A word that is not an
 * option is refused.
 */
static int parse_part(int argc, char **argv, int start, const struct option *table,
		      const char *section, struct run_opts *o, const struct owners *w)
{
	char **av = argv + start - 1; /* getopt's argv[0]: never read */
	int ac = argc - start + 1, c, last = 1;
	char hint[96];

	optind = 0; /* a fresh scan (glibc) */
	opterr = 0;
	while ((c = getopt_long(ac, av, section ? "+:" : "+:h", table, NULL)) != -1) {
		const char *tok = av[optind - 1];
		int owner = c & OWNER_MASK, i = c & ~OWNER_MASK;
		if (c == '?' && optopt && !strncmp(tok, "--", 2))
			bad_usage(w, "%s: that option takes no value", tok);
		if (c == '?' && section)
			bad_usage(w, "'%s' is not an option of %s (%s --help), or is ambiguous%s",
				  tok, section, section,
				  did_you_mean(table, tok, hint, sizeof(hint)));
		if (c == '?')
			bad_usage(w, "unknown (or ambiguous) option '%s'%s", tok,
				  did_you_mean(table, tok, hint, sizeof(hint)));
		if (c == ':')
			bad_usage(w, "%s needs a value", tok);
		if (owner == TO_BOTH)
			bad_usage(w,
				  "%s is both herdsrv's and herdload's: give it after -- (the "
				  "server's) or a second -- (the load's)",
				  tok);
		if (owner == REFUSED) {
			fprintf(stderr, "herdlab run: --%s is not passed on: %s\n", refused[i].name,
				refused[i].why);
			exit(2);
		}
		if (owner == TO_SERVER)
			pass_on(&o->server, &w->server[i], optarg);
		else if (owner == TO_LOAD)
			pass_on(&o->load, &w->load[i], optarg);
		else
			take_own(c, optarg, o, w);
		last = optind;
	}
	bool dashes = optind > last && !strcmp(av[optind - 1], "--");
	if (optind < ac && !dashes)
		bad_usage(w, "unexpected argument '%s'", av[optind]);
	return dashes ? start - 1 + optind : -1;
}

void run_opts_parse(int argc, char **argv, struct run_opts *o)
{
	struct owners w = { runask_options("herdsrv"), runask_options("herdload") };

	if (!w.server || !w.load)
		die("cannot learn herdsrv's and herdload's options: are they built beside "
		    "herdlab?");
	memset(o, 0, sizeof(*o));
	o->repeat = 1;
	o->timeline_start_ms = -1;
	o->server = VEC_INIT(char *);
	o->load = VEC_INIT(char *);

	struct option *all = table_make(true, w.server, w.load);
	struct option *srv = table_make(false, w.server, NULL);
	struct option *load = table_make(false, NULL, w.load);
	int next = parse_part(argc, argv, 1, all, NULL, o, &w);
	if (next >= 0)
		next = parse_part(argc, argv, next, srv, "herdsrv", o, &w);
	if (next >= 0)
		next = parse_part(argc, argv, next, load, "herdload", o, &w);
	if (next >= 0)
		bad_usage(&w, "%s", "at most two --: -- SERVER OPTIONS -- LOAD OPTIONS");
	free(all), free(srv), free(load);
	if (o->profile_all && !o->profile_hz)
		o->profile_hz = PROFILE_DEFAULT_HZ;
	if (o->profile_hz && o->no_trace)
		bad_usage(&w, "--profile samples the tracer's targets: it needs the tracer, "
			      "not --no-trace");
	const char *why = netns_check(&o->netns, &o->server);
	if (why)
		bad_usage(&w, "%s", why);
	if (o->waits && o->no_trace)
		bad_usage(&w, "%s",
			  "--waits times the calls with BPF: it needs the tracer, not --no-trace");
	if (o->causes && o->no_trace)
		bad_usage(&w, "%s", "--causes and --timeline read the tracer: not with --no-trace");
	if (!o->model) {
		fprintf(stderr,
			"herdlab run: --model NAME is required (herdlab models lists them)\n");
		exit(2);
	}
	/* The options passed on were copied: the tables can go. */
	optlist_free(w.server);
	optlist_free(w.load);
	/* Every value is good, or the run is refused here: nothing has started yet. */
	runask_model(o->model);
	runask_values("herdsrv",
		      (char *[]){ "--model", (char *)o->model, "--port", "0", "--quiet" }, 5,
		      &o->server);
	runask_values("herdload", (char *[]){ "--port", "1", "--quiet" }, 3, &o->load);
}

void run_opts_free(struct run_opts *o)
{
	for (size_t i = 0; i < o->server.len; i++)
		free(*(char **)vec_at(&o->server, i));
	for (size_t i = 0; i < o->load.len; i++)
		free(*(char **)vec_at(&o->load, i));
	vec_free(&o->server);
	vec_free(&o->load);
	netns_opts_free(&o->netns);
}

void attach_opt(const char *arg, enum tracer_attach *out)
{
	if (attach_parse(arg, out) < 0) {
		fprintf(stderr, "invalid --attach '%s': expected tracepoints, fexit or auto\n",
			arg);
		exit(2);
	}
}
