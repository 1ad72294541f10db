/* SPDX-License-Identifier: MIT */
/*
 * cmd_study.c - herdlab study: the five source documents' experiments,
 * reproduced and explained.
 *
 *	herdlab study [--quick] [--only LIST] [--out DIR] [--repeat K]
 *	herdlab study --report-only DIR
 *	herdlab study --list [--quick] [--only LIST] [--repeat K]
 *
 * Every experiment's cells (experiments.c) run as `herdlab run` into
 * DIR/cells/EXPERIMENT/CELL/rep-K, repeat after repeat: all cells' first
 * (traced) repeat, then the untraced ones, each repeat with the variants of
 * every block in a rotated order, so that no model always runs first or after
 * the same neighbour. A progress line says which cell of how many runs and an
 * estimate of the time left. Then DIR/README.md, a page per experiment and
 * DIR/study.json (pages.c). study.json is also written after every run, so
 * that SIGINT or SIGTERM leaves the cells done so far and a study that says
 * it is incomplete (the pages are written for what there is).
 * --report-only rewrites the pages and study.json from DIR's runs.
 *
 * The files below this one do the work (study.h says which does what); this
 * one is the options and the loop.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "commands.h"
#include "files.h"
#include "log.h"
#include "path.h"
#include "progress.h"
#include "stopsig.h"
#include "study/study.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: herdlab study [--quick] [--only LIST] [--out DIR] [--repeat K]\n"
		   "       herdlab study --report-only DIR\n"
		   "  --quick          fewer cells, one repeat (a few minutes): every page still\n"
		   "  --only LIST      these experiments only (comma-separated):");
	for (size_t i = 0; i < nstudy_experiments; i++)
		fprintf(f, "%s%s", i ? "," : " ", study_experiments[i].id);
	fprintf(f, "\n"
		   "  --out DIR        where the cells, the pages and study.json go "
		   "[reports/study]\n"
		   "  --repeat K       repeats per cell, the first traced [full: 3, quick: 1]\n"
		   "  --report-only DIR  the pages and study.json again from DIR's runs\n");
}

/* The machine in a line, and its kernel. */
static void describe_machine(struct study *s)
{
	struct utsname u;
	struct sysinfo si;
	char model[160] = "";
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(model, sizeof(model), f) && strncmp(model, "model name", 10))
		;
	if (f)
		fclose(f);
	char *colon = strchr(model, ':');
	char *name = colon ? colon + 2 : (char *)"a CPU";
	name[strcspn(name, "\n")] = '\0';
	sysinfo(&si);
	uname(&u);
	snprintf(s->machine, sizeof(s->machine), "%ld CPUs (%s), %.1f GiB of memory, %s",
		 sysconf(_SC_NPROCESSORS_ONLN), name,
		 (double)si.totalram * si.mem_unit / (1024.0 * 1024 * 1024), u.machine);
	snprintf(s->kernel, sizeof(s->kernel), "Linux %s", u.release);
}

static void parse(int argc, char **argv, struct study *s, const char **report_only, bool *list)
{
	static const struct option opts[] = {
		{ "quick", no_argument, 0, 'q' },
		{ "only", required_argument, 0, 'o' },
		{ "out", required_argument, 0, 'O' },
		{ "repeat", required_argument, 0, 'r' },
		{ "report-only", required_argument, 0, 'R' },
		{ "help", no_argument, 0, 'h' },
		{ "list", no_argument, 0, 'l' },
		{ 0 },
	};
	const char *out = "reports/study";
	int c;

	s->repeat = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			s->quick = true;
			break;
		case 'o':
			s->only = optarg;
			break;
		case 'O':
			out = optarg;
			break;
		case 'r':
			s->repeat = atoi(optarg);
			if (s->repeat < 1 || s->repeat > STUDY_MAX_REPS)
				die("--repeat %s: 1 to %d", optarg, STUDY_MAX_REPS);
			break;
		case 'R':
			*report_only = optarg;
			break;
		case 'l':
			*list = true;
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
		usage(stderr);
		exit(2);
	}
	for (const char *p = s->only; p && *p;) {
		size_t n = strcspn(p, ",");
		char id[64];
		snprintf(id, sizeof(id), "%.*s", (int)n, p);
		if (!study_experiment_find(id))
			die("--only: no experiment '%s' (herdlab study --help lists them)", id);
		p += n + (p[n] == ',');
	}
	if (!s->repeat)
		s->repeat = s->quick ? 1 : 3;
	if (path_fmt(s->out, sizeof(s->out), "%s", out) < 0)
		die("--out %s: too long", out);
}

/* --list: every cell, its repeats and its command line, or why it is skipped. */
static int list_cells(struct study *s)
{
	int runs = 0;

	if (study_ask_options(s) < 0 || study_cells(s) < 0)
		return 1;
	for (size_t i = 0; i < s->ncells; i++) {
		const struct study_cell *c = &s->cells[i];
		char cmd[2048];
		study_cell_command(s, c, cmd, sizeof(cmd));
		if (c->skip[0])
			printf("%s/%s  skipped: %s\n", c->exp->id, c->id, c->skip);
		else
			printf("%s/%s  x%d  %s%s%s\n", c->exp->id, c->id, c->reps, cmd,
			       c->note[0] ? "  # " : "", c->note);
		runs += c->skip[0] ? 0 : c->reps;
	}
	printf("%zu cells, %d runs\n", s->ncells, runs);
	return 0;
}

/* The runs still to do: the estimate of the time left, from the cells' own times when they
 * ran before (a first repeat says how long its later ones take), else the mean so far. */
static double time_left(const struct study *s, int from_rep, size_t from_cell, double mean)
{
	double left = 0;

	for (int r = from_rep; r < STUDY_MAX_REPS; r++)
		for (size_t i = r == from_rep ? from_cell : 0; i < s->ncells; i++) {
			const struct study_cell *c = &s->cells[i];
			if (r >= c->reps || c->skip[0])
				continue;
			left += r > 0 && c->rep[0].seconds > 0 ? c->rep[0].seconds : mean;
		}
	return left;
}

/* Repeat @r of every cell, each block's variants rotated by @r. */
static void run_repeat(struct study *s, int r, int *done, double *spent)
{
	for (size_t b = 0; b < s->ncells && !*s->stop;) {
		/* a block: the cells of one group with the same axis values (consecutive) */
		size_t e = b + 1;
		while (e < s->ncells && s->cells[e].group == s->cells[b].group &&
		       s->cells[e].variant > s->cells[e - 1].variant)
			e++;
		size_t n = e - b;
		for (size_t k = 0; k < n && !*s->stop; k++) {
			struct study_cell *c = &s->cells[b + (k + (size_t)r) % n];
			if (r >= c->reps || c->skip[0])
				continue;
			progress_index(++*done);
			progress_left(*done > 1 ? time_left(s, r, b + k, *spent / (*done - 1))
						: -1);
			progress_say("%s/%s rep-%d%s", c->exp->id, c->id, r + 1,
				     r == 0 ? " (traced)" : "");
			study_run_rep(s, c, r);
			*spent += c->rep[r].seconds;
			if (c->skip[0]) {
				progress_break();
				log_warn("%s/%s skipped: %s", c->exp->id, c->id, c->skip);
			} else if (!c->rep[r].complete && !*s->stop) {
				progress_break();
				log_warn("%s/%s rep-%d: %s", c->exp->id, c->id, r + 1,
					 c->rep[r].reason[0] ? c->rep[r].reason : "incomplete");
			}
			sjson_save(s, NULL);
		}
		b = e;
	}
}

/* s->out made absolute: each cell's herdlab run starts in its own run directory. */
static void absolute(struct study *s)
{
	char abs[PATH_MAX];

	if (!realpath(s->out, abs))
		die("cannot find %s: %m", s->out);
	snprintf(s->out, sizeof(s->out), "%s", abs);
}

static int run_study(struct study *s)
{
	time_t now = time(NULL);
	uint64_t t0 = clock_now_ns();
	int total = 0, done = 0;
	double spent = 0;

	strftime(s->started, sizeof(s->started), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	if (files_mkdirs(s->out, 0755) < 0)
		die("cannot create %s: %m", s->out);
	absolute(s);
	if (study_ask_options(s) < 0 || study_cells(s) < 0)
		return 1;
	for (size_t i = 0; i < s->ncells; i++)
		if (!s->cells[i].skip[0])
			total += s->cells[i].reps;
		else
			log_info("%s/%s skipped: %s", s->cells[i].exp->id, s->cells[i].id,
				 s->cells[i].skip);
	stop_on_signals(STOP_INTERRUPT_CALLS);
	progress_start(total, isatty(STDERR_FILENO));
	snprintf(s->incomplete, sizeof(s->incomplete), "still running");
	for (int r = 0; r < s->repeat && !stop_signal; r++)
		run_repeat(s, r, &done, &spent);
	progress_break();
	s->duration_s = (double)(clock_now_ns() - t0) / 1e9;
	s->complete = !stop_signal;
	if (stop_signal)
		snprintf(s->incomplete, sizeof(s->incomplete),
			 "interrupted by signal %d after %d of %d runs", (int)stop_signal, done,
			 total);
	else
		s->incomplete[0] = '\0';
	int rc = study_pages(s);
	fprintf(stderr, "%s: %d runs in %.0f s%s; pages in %s\n", log_prog(), done, s->duration_s,
		stop_signal ? " (interrupted: the study is marked incomplete)" : "", s->out);
	return stop_signal ? 130 : rc ? 1 : 0;
}

int cmd_study(int argc, char **argv)
{
	struct study s = { .stop = &stop_signal };
	const char *report_only = NULL;
	bool list = false;
	int rc;

	parse(argc, argv, &s, &report_only, &list);
	if (path_self_exe(s.self, sizeof(s.self)) < 0)
		die("cannot find this herdlab: %m");
	describe_machine(&s);
	if (list) {
		rc = list_cells(&s);
	} else if (report_only) {
		char abs[PATH_MAX];
		if (!realpath(report_only, abs))
			die("cannot find %s: %m", report_only);
		if (sjson_load(&s, abs) < 0)
			return 1;
		rc = study_pages(&s) ? 1 : 0;
		fprintf(stderr, "%s: pages rewritten in %s\n", log_prog(), s.out);
	} else {
		rc = run_study(&s);
	}
	study_cells_free(&s);
	return rc;
}
