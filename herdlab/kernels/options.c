/* SPDX-License-Identifier: MIT */
/*
 * options.c - herdlab kernels' command line (matrix.h).
 *
 *	herdlab kernels [--kernels LIST] [--models LIST] [--out DIR] [--cache DIR]
 *	                [--timeout S] [--boot-timeout S] [--stall-timeout S] [--workers N]
 *	                [--load 'OPTS'] [--static DIR] [--attach tracepoints|fexit|auto|both]
 *	                [--guest-run FILE]
 *	herdlab kernels --report-only --out DIR
 *
 * Every word that reaches a guest (models, load options) is checked here to be a
 * word its /init can hold as it is (kernels_safe_word), and the options herdlab
 * kernels sets itself on each run (--out, --model, --workers, --attach) are
 * refused in --load.
 *
 * --attach both makes two entries of each kernel, tracepoints first, then
 * fexit: each is booted and run on its own (a kernel that refuses fexit fails
 * that entry with herdlab's reason, and its tracepoints entry still runs), and
 * kernels.md sets the two side by side (paths.c).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernels/matrix.h"
#include "log.h"

#define DEFAULT_KERNELS "host,5.10,6.1,6.12,6.1-rt"
#define DEFAULT_MODELS \
	"prefork,prefork-mutex,prefork-epoll,prefork-epoll-exclusive,prefork-reuseport"
#define DEFAULT_LOAD "--clients 2 --duration 6 --path /size/1K" /* scripts/demo.sh's */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: herdlab kernels [--kernels LIST] [--models LIST] [--out DIR]\n"
		"           [--cache DIR] [--timeout S] [--boot-timeout S] [--stall-timeout S]\n"
		"           [--workers N] [--load 'OPTS'] [--static DIR]\n"
		"           [--attach tracepoints|fexit|auto|both] [--guest-run FILE]\n"
		"       herdlab kernels --report-only --out DIR\n"
		"  --kernels LIST    comma-separated (default: %s):\n"
		"                    host (natively), a Debian kernel (%s),\n"
		"                    or the path of any x86-64 vmlinuz with BTF\n"
		"  --models LIST     comma-separated models (default: make demo's five)\n"
		"  --out DIR         results (default: runs/kernels-YYYYmmdd-HHMMSS)\n"
		"  --cache DIR       kernels and private apt state (default: ~/.cache/herdlab)\n"
		"  --timeout S       bound on each kernel's run (default: 120 + 60 per model);\n"
		"                    in a guest, a model still running after its share of\n"
		"                    S - 60 (at least 20 s) is stopped as stuck\n"
		"  --boot-timeout S  bound on a guest's boot, to its /init (default: 90)\n"
		"  --stall-timeout S bound on a booted guest's silence (default: 90, at least\n"
		"                    30); then an NMI asks its kernel for its stacks\n"
		"  --workers N       workers per model (default: 8)\n"
		"  --load 'OPTS'     herdload's options (default: '%s', as make demo)\n"
		"  --static DIR      the static herdlab, herdsrv and herdload for the guests\n"
		"                    (default: build/static beside this herdlab; make builds "
		"them)\n"
		"  --attach PATH     the tracer's path in every run: tracepoints, fexit, auto\n"
		"                    (default: fexit where the kernel allows it), or both:\n"
		"                    each kernel twice, once per path, compared in kernels.md\n"
		"  --guest-run FILE  run the shell script FILE in each guest instead of the\n"
		"                    study (in /results, beside the static programs); what it\n"
		"                    leaves in /results comes back into OUT/KERNEL/\n"
		"  --report-only     run nothing: write DIR's comparison and kernels.md again\n"
		"                    from its kernels.json and run directories\n",
		DEFAULT_KERNELS, kfetch_names(), DEFAULT_LOAD);
}

static double positive(const char *opt, const char *v)
{
	char *end;
	double d = strtod(v, &end);

	if (*end || !(d > 0) || !isfinite(d))
		die("%s: '%s' is not a positive number", opt, v);
	return d;
}

/* Split @s (modified) at @seps into @v (at most @max); the count. */
static int split(char *s, const char *seps, char **v, int max, const char *what)
{
	int n = 0;
	char *save = NULL;

	for (char *w = strtok_r(s, seps, &save); w; w = strtok_r(NULL, seps, &save)) {
		if (n == max)
			die("too many %s (at most %d)", what, max);
		v[n++] = w;
	}
	return n;
}

/* A copy of @s, or of @dflt without it. */
static char *dup_or(const char *s, const char *dflt)
{
	char *d = strdup(s ? s : dflt);

	if (!d)
		die("out of memory");
	return d;
}

/* The models and load options, split and checked as words a guest's /init can hold. */
static void split_words(struct kernels_opts *o)
{
	o->nmodels = o->guest_run ? 0
				  : split(dup_or(o->models_arg, ""), ",", (char **)o->models,
					  KERNELS_MAX_MODELS, "models");
	o->nload = split(dup_or(o->load_arg, ""), " \t", o->load, KERNELS_MAX_LOAD, "load options");
	if (!o->nmodels && !o->guest_run)
		die("--models: no model given");
	for (int i = 0; i < o->nmodels; i++)
		if (!kernels_safe_word(o->models[i]))
			die("--models: '%s' is not a model name", o->models[i]);
	for (int i = 0; i < o->nload; i++) {
		if (!kernels_safe_word(o->load[i]))
			die("--load: '%s' has characters a guest's shell would interpret",
			    o->load[i]);
		if (!strcmp(o->load[i], "--out") || !strcmp(o->load[i], "--model") ||
		    !strcmp(o->load[i], "--workers") || !strcmp(o->load[i], "--attach"))
			die("--load: %s is herdlab kernels' own option", o->load[i]);
	}
}

/*
 * --kernels split into entries, each with its tracer path: under both, each
 * kernel twice (tracepoints, then fexit), so the entries are the matrix's rows.
 */
static void split_kernels(struct kernels_opts *o)
{
	char *words[MAX_KERNELS];
	int n = split(dup_or(o->kernels_arg, ""), ",", words, MAX_KERNELS, "kernels");

	if (!n)
		die("--kernels: no kernel given");
	if (o->both && 2 * n > MAX_KERNELS)
		die("--attach both: at most %d kernels (each runs twice)", MAX_KERNELS / 2);
	for (int i = 0; i < n; i++) {
		if (o->both) {
			o->kernels[o->nkernels] = words[i];
			o->attach[o->nkernels++] = "tracepoints";
			o->kernels[o->nkernels] = words[i];
			o->attach[o->nkernels++] = "fexit";
		} else {
			o->kernels[o->nkernels] = words[i];
			o->attach[o->nkernels++] = o->attach_arg;
		}
	}
}

void kernels_parse(int argc, char **argv, struct kernels_opts *o)
{
	enum {
		O_KERNELS = 256,
		O_MODELS,
		O_LOAD,
		O_OUT,
		O_CACHE,
		O_STATIC,
		O_TIMEOUT,
		O_BOOT_TIMEOUT,
		O_STALL_TIMEOUT,
		O_WORKERS,
		O_ATTACH,
		O_GUEST_RUN,
		O_REPORT_ONLY
	};
	static const struct option longopts[] = {
		{ "kernels", required_argument, NULL, O_KERNELS },
		{ "models", required_argument, NULL, O_MODELS },
		{ "load", required_argument, NULL, O_LOAD },
		{ "out", required_argument, NULL, O_OUT },
		{ "cache", required_argument, NULL, O_CACHE },
		{ "static", required_argument, NULL, O_STATIC },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "boot-timeout", required_argument, NULL, O_BOOT_TIMEOUT },
		{ "stall-timeout", required_argument, NULL, O_STALL_TIMEOUT },
		{ "workers", required_argument, NULL, O_WORKERS },
		{ "attach", required_argument, NULL, O_ATTACH },
		{ "guest-run", required_argument, NULL, O_GUEST_RUN },
		{ "report-only", no_argument, NULL, O_REPORT_ONLY },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_KERNELS:
			o->kernels_arg = optarg;
			break;
		case O_MODELS:
			o->models_arg = optarg;
			break;
		case O_LOAD:
			o->load_arg = optarg;
			break;
		case O_OUT:
			o->out = optarg;
			break;
		case O_CACHE:
			o->cache = optarg;
			break;
		case O_STATIC:
			o->static_dir = optarg;
			break;
		case O_TIMEOUT:
			o->timeout_s = positive("--timeout", optarg);
			break;
		case O_BOOT_TIMEOUT:
			o->boot_timeout_s = positive("--boot-timeout", optarg);
			break;
		case O_STALL_TIMEOUT:
			o->stall_timeout_s = positive("--stall-timeout", optarg);
			if (o->stall_timeout_s < KERNELS_MIN_STALL_S)
				die("--stall-timeout %s: at least %d s (a running guest says it is "
				    "alive every %d s)",
				    optarg, KERNELS_MIN_STALL_S, KERNELS_HEARTBEAT_S);
			break;
		case O_WORKERS:
			o->workers = (int)positive("--workers", optarg);
			break;
		case O_ATTACH:
			if (strcmp(optarg, "tracepoints") && strcmp(optarg, "fexit") &&
			    strcmp(optarg, "auto") && strcmp(optarg, "both"))
				die("--attach: '%s' is not tracepoints, fexit, auto or both",
				    optarg);
			o->attach_arg = optarg;
			break;
		case O_GUEST_RUN:
			o->guest_run = optarg;
			break;
		case O_REPORT_ONLY:
			o->report_only = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "herdlab kernels: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		exit(2);
	}
	o->kernels_arg = dup_or(o->kernels_arg, DEFAULT_KERNELS);
	o->models_arg = dup_or(o->models_arg, DEFAULT_MODELS);
	o->load_arg = dup_or(o->load_arg, DEFAULT_LOAD);
	if (!o->attach_arg)
		o->attach_arg = "auto";
	o->both = !strcmp(o->attach_arg, "both");
	if (o->guest_run && access(o->guest_run, R_OK) < 0)
		die("--guest-run: cannot read %s: %m", o->guest_run);
	split_words(o);
	/* --report-only: the kernels, models and load come from OUT/kernels.json */
	if (!o->report_only)
		split_kernels(o);
	if (!o->workers)
		o->workers = 8;
	if (!o->timeout_s)
		o->timeout_s = 120 + 60.0 * o->nmodels;
	if (!o->boot_timeout_s)
		o->boot_timeout_s = 90;
	if (!o->stall_timeout_s)
		o->stall_timeout_s = 90;
	if (o->boot_timeout_s > o->timeout_s)
		o->boot_timeout_s = o->timeout_s;
}
