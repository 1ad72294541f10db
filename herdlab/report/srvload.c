/* SPDX-License-Identifier: MIT */
/*
 * srvload.c - the report's sections on what herdload and herdsrv recorded of the run
 * themselves (run.json load.* and server.*; session/sidefiles.h):
 *
 *	Phases          herdload --phases: a row per phase, its load and its numbers
 *	Clients         per client (clients.csv) and per source address (server_stats.csv):
 *	                the spread and the fairness, and the --idle holders' fate
 *	Server          --send, and what the server refused, shed or failed to create
 *	Pool            prefork-dynamic: its figures, and idle / busy / total over time
 *	                (pool.csv, a step plot)
 *
 * Each section is left out when the run has nothing for it (an old run, a model without
 * a pool, a run without --phases or --idle), so a plain run's report grows by the one
 * Server table only.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "metrics/keys.h"
#include "path.h"
#include "report/plot.h"
#include "report/sections.h"

#define POOL_SERIES 3

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void phases(struct doc *d, const struct rundir *rd)
{
	json_t *a = rundir_get(rd, MK_LOAD_PHASES), *p;
	char b[3][32];
	size_t i;

	if (!json_array_size(a))
		return;
	doc_heading(d, "Phases");
	doc_table(d, "rrrlrrrrrr", "phase", "start (s)", "clients", "path", "requests", "failed",
		  "ok/s", "p50", "p99", "max");
	json_array_foreach(a, i, p)
	{
		const char *path = json_string_value(json_object_get(p, MK_PHASE_PATH));
		doc_cell(d, false, "%zu", i + 1);
		doc_cell(d, false, "%.1f", num(p, MK_PHASE_START_S));
		doc_cell(d, false, "%.0f", num(p, MK_PHASE_CLIENTS));
		doc_cell(d, false, "%s", path ? path : "(--path)");
		doc_cell(d, false, "%.0f", num(p, MK_PHASE_REQUESTS));
		doc_cell(d, num(p, MK_PHASE_FAILED) > 0, "%.0f", num(p, MK_PHASE_FAILED));
		doc_cell(d, false, "%.1f", num(p, MK_PHASE_REQUESTS_PER_S));
		doc_cell(d, false, "%s",
			 report_fmt_us(b[0], sizeof(b[0]), num(p, MK_PHASE_P50_US)));
		doc_cell(d, false, "%s",
			 report_fmt_us(b[1], sizeof(b[1]), num(p, MK_PHASE_P99_US)));
		doc_cell(d, false, "%s",
			 report_fmt_us(b[2], sizeof(b[2]), num(p, MK_PHASE_MAX_US)));
	}
	doc_table_end(d);
	doc_para(d, "A request counts in the phase it was due in; the phases' requests add up "
		    "to the run's. ok/s is the phase's successful requests over its duration.");
}

static const struct report_row client_rows[] = {
	{ "clients", MK_LOAD_CLIENTS_COUNT, 0 },
	{ "clients that ran a request", MK_LOAD_CLIENTS_ACTIVE, 0 },
	{ "requests per client, fewest", MK_LOAD_CLIENTS_REQUESTS_MIN, 0 },
	{ "requests per client, most", MK_LOAD_CLIENTS_REQUESTS_MAX, 0 },
	{ "most / fewest", MK_LOAD_CLIENTS_MAX_MIN_RATIO, 2 },
	{ "Jain's fairness index (1: equal)", MK_LOAD_CLIENTS_JAIN_INDEX, 3 },
	{ "source addresses the server saw", MK_SERVER_STATS_ADDRESSES, 0 },
	{ "requests the server answered", MK_SERVER_STATS_REQUESTS, 0 },
	{ "bytes received by the server", MK_SERVER_STATS_BYTES_IN, 0 },
	{ "bytes sent by the server", MK_SERVER_STATS_BYTES_OUT, 0 },
};

static const struct report_row idle_rows[] = {
	{ "idle connections asked for", MK_LOAD_IDLE_REQUESTED, 0 },
	{ "... opened", MK_LOAD_IDLE_OPENED, 0 },
	{ "... failed", MK_LOAD_IDLE_FAILED, 0 },
	{ "... held at the end", MK_LOAD_IDLE_HELD_AT_END, 0 },
};

static void clients(struct doc *d, const struct rundir *rd)
{
	json_t *kinds = rundir_get(rd, MK_LOAD_IDLE_FAILED_BY_KIND), *v;
	const char *k;

	if (!rundir_get(rd, MK_LOAD_CLIENTS) && !rundir_get(rd, MK_SERVER_STATS))
		return;
	doc_heading(d, "Clients");
	doc_table(d, "lr", "metric", "value");
	report_rows(d, rd, client_rows, sizeof(client_rows) / sizeof(client_rows[0]));
	if (rundir_num(rd, MK_LOAD_IDLE_REQUESTED) > 0) {
		report_rows(d, rd, idle_rows, sizeof(idle_rows) / sizeof(idle_rows[0]));
		json_object_foreach(kinds, k, v)
		{
			if (json_integer_value(v) <= 0)
				continue;
			doc_cell(d, false, "... failed: %s", k);
			doc_cell(d, true, "%lld", (long long)json_integer_value(v));
		}
	}
	doc_table_end(d);
	doc_para(d, "Per client from clients.csv (herdload), per source address from "
		    "server_stats.csv (herdsrv --stats). Jain's index is (sum x)^2 / (n sum x^2) "
		    "over the clients' request counts.");
}

static const struct report_row counter_rows[] = {
	{ "refused at FD_SETSIZE (select)", MK_SERVER_COUNTERS_FD_SETSIZE_REFUSED, 0 },
	{ "shed: answered 503", MK_SERVER_COUNTERS_SHED_503, 0 },
	{ "shed: out of descriptors (EMFILE)", MK_SERVER_COUNTERS_SHED_EMFILE, 0 },
	{ "fork() failures", MK_SERVER_COUNTERS_FORK_FAILURES, 0 },
	{ "pthread_create() failures", MK_SERVER_COUNTERS_THREAD_FAILURES, 0 },
	{ "workers replaced", MK_SERVER_COUNTERS_WORKERS_REPLACED, 0 },
	{ "bodies not read into memory (--send read)", MK_SERVER_COUNTERS_READ_FAILURES, 0 },
};

static void server(struct doc *d, const struct rundir *rd)
{
	if (!rundir_get(rd, MK_SERVER_COUNTERS))
		return;
	doc_heading(d, "Server");
	doc_para(d, "Bodies sent with %s.",
		 !strcmp(rundir_str(rd, MK_SERVER_SEND, "sendfile"), "read")
			 ? "--send read: read whole into the server's memory, then written"
			 : "sendfile (from the page cache)");
	doc_table(d, "lr", "counter", "value");
	report_rows(d, rd, counter_rows, sizeof(counter_rows) / sizeof(counter_rows[0]));
	doc_table_end(d);
}

/* pool.csv's rows: t_s, then idle, busy, total per row into @y. The count, or 0. */
static size_t read_pool(const char *dir, double **x, double **y)
{
	char path[PATH_MAX], *text, *line, *save = NULL;
	size_t n = 0, cap = 0;

	*x = *y = NULL;
	if (path_join(path, sizeof(path), dir, "pool.csv") < 0 || !(text = files_read(path, NULL)))
		return 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		double t, idle, busy, total;
		unsigned long long ns;
		if (sscanf(line, "%llu,%lf,%lf,%lf,%lf", &ns, &t, &idle, &busy, &total) != 5)
			continue; /* the header */
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			double *nx = realloc(*x, cap * sizeof(**x));
			double *ny = nx ? realloc(*y, cap * POOL_SERIES * sizeof(**y)) : NULL;
			if (nx)
				*x = nx;
			if (!ny)
				break;
			*y = ny;
		}
		(*x)[n] = t;
		(*y)[n * POOL_SERIES] = idle;
		(*y)[n * POOL_SERIES + 1] = busy;
		(*y)[n * POOL_SERIES + 2] = total;
		n++;
	}
	free(text);
	return n;
}

static const struct report_row pool_rows[] = {
	{ "children at the start", MK_SERVER_POOL_START, 0 },
	{ "children at most", MK_SERVER_POOL_MAX_TOTAL, 0 },
	{ "children forked", MK_SERVER_POOL_FORKS, 0 },
	{ "recycled after --max-requests", MK_SERVER_POOL_RECYCLED, 0 },
	{ "retired as surplus idle", MK_SERVER_POOL_RETIRED, 0 },
};

static void pool(struct doc *d, const struct rundir *rd, const struct report_figs *f)
{
	static const char *const series[POOL_SERIES] = { "idle", "busy", "total" };
	char file[PATH_MAX], link[PATH_MAX];
	double *x, *y;

	if (!json_is_object(rundir_get(rd, MK_SERVER_POOL)))
		return;
	doc_heading(d, "Pool");
	doc_table(d, "lr", "metric", "value");
	report_rows(d, rd, pool_rows, sizeof(pool_rows) / sizeof(pool_rows[0]));
	doc_table_end(d);
	if (!report_fig_paths(f, "pool", file, link))
		return;
	size_t n = read_pool(rd->path, &x, &y);
	if (n && (report_fig_reuse(f, file) ||
		  !plot_steps_multi(file, "seconds since the start", "children", x, y, n, series,
				    POOL_SERIES)))
		doc_figure(d, file, link,
			   "The pool's children over time: idle, busy and all (pool.csv)");
	free(x);
	free(y);
}

void section_load_server(struct doc *d, const struct rundir *rd, const struct report_figs *f)
{
	phases(d, rd);
	clients(d, rd);
	server(d, rd);
	pool(d, rd, f);
}
