/* SPDX-License-Identifier: MIT */
/*
 * runner.c - one repeat of one cell (study.h): `herdlab run` spawned into the
 * cell's run directory, OUT/cells/EXPERIMENT/CELL/rep-K, its output in
 * rep-K.log beside it; then its large CSVs gzipped and its run.json read back.
 *
 * herdlab run starts in the run directory (made first), so that a file a cell's
 * options name without a directory (--clients-csv clients.csv) lands there.
 *
 * The first repeat is traced (and asked for the observations only a traced run
 * makes: --waits, --profile, --causes, when herdlab run has them); the others
 * run with --no-trace, for CPU and times without the tracer's cost. A run
 * whose options herdlab run refuses (exit 2 before anything starts) makes the
 * cell skipped, with herdlab's own words as the reason; any other failure is
 * the repeat's, and its reason is its run.json's or its log's last word.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clock.h"
#include "files.h"
#include "jsonio.h"
#include "log.h"
#include "metrics/keys.h"
#include "path.h"
#include "progress.h"
#include "spawn.h"
#include "study/study.h"

#define RUN_TIMEOUT_S 900     /* one herdlab run, whatever its load */
#define GZIP_OVER     1048576 /* CSVs larger than this are gzipped after the run */

static const char *const csvs[] = { "requests.csv", "connections.csv", "tasks.csv", "clients.csv" };

/* The cell's directory and repeat @r's run directory and log. */
static int rep_paths(const char *out, const struct study_cell *c, int r, char *dir, size_t dlen,
		     char *log, size_t llen)
{
	if (path_fmt(dir, dlen, "%s/cells/%s/%s/rep-%d", out, c->exp->id, c->id, r + 1) < 0 ||
	    path_fmt(log, llen, "%s.log", dir) < 0)
		return -1;
	return 0;
}

/* The last thing herdlab said in @log ("herdlab[12]: unknown option" -> "unknown option"). */
static void log_reason(const char *log, char *buf, size_t len)
{
	char line[256];

	files_last_line(log, "herdlab[", line, sizeof(line));
	if (!line[0])
		files_last_line(log, NULL, line, sizeof(line));
	const char *msg = strstr(line, "]: ") ? strstr(line, "]: ") + 3 : line;
	snprintf(buf, len, "%.250s", msg[0] ? msg : "no run.json was written");
}

/* gzip the large CSVs of @dir (the reports read run.json only). */
static void gzip_csvs(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < sizeof(csvs) / sizeof(csvs[0]); i++) {
		if (path_fmt(path, sizeof(path), "%s/%s", dir, csvs[i]) < 0 ||
		    stat(path, &st) < 0 || st.st_size <= GZIP_OVER)
			continue;
		if (spawn_run(
			    &(struct spawn){ .argv = (char *const[]){ "gzip", "-f", path, NULL } },
			    NULL) != 0) {
			progress_break();
			log_warn("gzip %s failed", path);
		}
	}
}

void study_load_rep(struct study_cell *c, int r)
{
	struct study_rep *rep = &c->rep[r];
	char path[PATH_MAX + 16];
	json_error_t err;

	json_decref(rep->view);
	rep->view = NULL;
	rep->ran = rep->complete = false;
	if (path_fmt(path, sizeof(path), "%s/run.json", rep->dir) < 0)
		return;
	json_t *run = json_load_file(path, 0, &err);
	if (!run)
		return;
	rep->ran = true;
	rep->complete = json_is_true(json_object_get(run, MK_COMPLETE));
	if (!rep->complete && !rep->reason[0]) {
		json_t *why = json_object_get(run, MK_INCOMPLETE_REASON);
		snprintf(rep->reason, sizeof(rep->reason), "%s",
			 json_is_string(why) ? json_string_value(why) : "run.json says incomplete");
	}
	rep->traced = json_is_true(json_object_get(run, MK_TRACED));
	rep->view = study_view(run);
	json_decref(run);
}

/* herdlab run's argument vector for repeat @r of @c into @dir: NULL-terminated, borrowed. */
static char **rep_argv(const struct study *s, const struct study_cell *c, int r, char *dir)
{
	static const char *const observers[] = { "--waits", "--profile", "--causes" };
	char **argv = calloc((size_t)c->nwords + 10, sizeof(*argv));
	int a = 0;

	if (!argv)
		return NULL;
	argv[a++] = (char *)s->self;
	argv[a++] = "run";
	for (int i = 0; i < c->nwords; i++)
		argv[a++] = c->words[i];
	for (size_t i = 0; i < sizeof(observers) / sizeof(observers[0]); i++)
		if (r == 0 && c->group->wants && strstr(c->group->wants, observers[i]) &&
		    study_has_option(s, observers[i]))
			argv[a++] = (char *)observers[i];
	if (r > 0)
		argv[a++] = "--no-trace";
	argv[a++] = "--out";
	argv[a++] = dir;
	return argv;
}

void study_run_rep(const struct study *s, struct study_cell *c, int r)
{
	struct study_rep *rep = &c->rep[r];
	char log[PATH_MAX + 8];
	uint64_t t0 = clock_now_ns();
	bool timed_out = false;

	memset(rep->reason, 0, sizeof(rep->reason));
	rep->traced = r == 0;
	if (rep_paths(s->out, c, r, rep->dir, sizeof(rep->dir), log, sizeof(log)) < 0) {
		snprintf(rep->reason, sizeof(rep->reason), "its path is too long");
		return;
	}
	files_rmtree(rep->dir);
	if (files_mkdirs(rep->dir, 0755) < 0) {
		snprintf(rep->reason, sizeof(rep->reason), "cannot create %.200s: %m", rep->dir);
		return;
	}
	char **argv = rep_argv(s, c, r, rep->dir);
	pid_t pid = argv ? spawn_start(&(struct spawn){ .argv = argv,
							.dir = rep->dir,
							.out = log,
							.err = log,
							.own_group = true,
							.death_sig = SIGTERM })
			 : -1;
	int status = pid > 0 ? spawn_wait(pid, s->stop,
					  clock_now_ns() + (uint64_t)RUN_TIMEOUT_S * NSEC_PER_SEC,
					  &timed_out)
			     : -1;
	free(argv);
	rep->seconds = (double)(clock_now_ns() - t0) / 1e9;
	int code = pid > 0 ? spawn_code(status) : -1;
	study_load_rep(c, r);
	if (!rep->ran && code == 2 && !*s->stop) {
		/* refused before it started: an option this herdlab run does not take */
		log_reason(log, c->skip, sizeof(c->skip));
		return;
	}
	if (timed_out)
		snprintf(rep->reason, sizeof(rep->reason), "timed out after %d s", RUN_TIMEOUT_S);
	else if (!rep->ran)
		log_reason(log, rep->reason, sizeof(rep->reason));
	if (rep->ran)
		gzip_csvs(rep->dir);
}
