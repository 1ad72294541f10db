/* SPDX-License-Identifier: MIT */
/*
 * sidefiles.c - herdsrv's and herdload's own records, into the run directory and
 * run.json (sidefiles.h).
 *
 * The two small tables (clients.csv, server_stats.csv) are read by column name, as
 * csv.c reads the big ones, so that a column added later does not break this reader;
 * their fields here are plain numbers and a textual address, so a row is split at its
 * commas (neither writer quotes). Fairness over the clients is given two ways: the
 * ratio of the most requests one client got to the fewest (infinite, written null,
 * when a client got none), and Jain's index (sum x)^2 / (n sum x^2), 1 when every
 * client got the same and 1/n when one got everything.
 */
#include "session/sidefiles.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "jsonio.h"
#include "log.h"
#include "metrics/keys.h"
#include "path.h"

#define MAX_COLS 32

/* ---- the programs' arguments ----------------------------------------------------------- */

/* @flag and DIR/@name as the next two arguments. */
static int add_file(struct side_args *a, const char *flag, const char *dir, const char *name)
{
	char *p = a->paths[a->argc / 2];

	if (path_join(p, PATH_MAX, dir, name) < 0)
		return -1;
	a->argv[a->argc++] = (char *)flag;
	a->argv[a->argc++] = p;
	return 0;
}

int sidefiles_server_args(struct side_args *a, const char *model, const char *dir)
{
	a->argc = 0;
	if (add_file(a, "--stats", dir, SIDE_SERVER_STATS_CSV) < 0 ||
	    add_file(a, "--counters", dir, SIDE_SERVER_COUNTERS_JSON) < 0)
		return -1;
	if (!strcmp(model, "prefork-dynamic") && add_file(a, "--pool-log", dir, SIDE_POOL_CSV) < 0)
		return -1;
	return 0;
}

int sidefiles_load_args(struct side_args *a, const char *dir)
{
	a->argc = 0;
	return add_file(a, "--clients-csv", dir, SIDE_CLIENTS_CSV);
}

/* ---- reading a small table ------------------------------------------------------------- */

/* A table read whole: its lines split at commas in place. */
struct table {
	char *text;	       /* the file */
	char *cols[MAX_COLS];  /* the header's names */
	int ncols;	       /* entries in @cols */
	char *next;	       /* the next row's line */
	char *field[MAX_COLS]; /* the current row's fields */
};

/* Split @line at its commas into @out (at most MAX_COLS); the count. */
static int split(char *line, char **out)
{
	int n = 0;

	while (n < MAX_COLS) {
		out[n++] = line;
		char *c = strchr(line, ',');
		if (!c)
			break;
		*c = 0;
		line = c + 1;
	}
	return n;
}

/* The next line of @t, its newline cut, or NULL at the end. */
static char *next_line(struct table *t)
{
	char *line = t->next, *nl;

	if (!line || !*line)
		return NULL;
	nl = strchr(line, '\n');
	if (nl)
		*nl = 0;
	t->next = nl ? nl + 1 : NULL;
	return line;
}

static int table_open(struct table *t, const char *dir, const char *name)
{
	char path[PATH_MAX];
	char *head;

	memset(t, 0, sizeof(*t));
	if (path_join(path, sizeof(path), dir, name) < 0 || !(t->text = files_read(path, NULL)))
		return -1;
	t->next = t->text;
	if (!(head = next_line(t))) {
		free(t->text);
		return -1;
	}
	t->ncols = split(head, t->cols);
	return 0;
}

/* The column named @name, or -1. */
static int table_col(const struct table *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i], name))
			return i;
	return -1;
}

/* The next row with the header's field count (others are skipped); false at the end. */
static bool table_row(struct table *t)
{
	char *line;

	while ((line = next_line(t)))
		if (split(line, t->field) == t->ncols)
			return true;
	return false;
}

static unsigned long long field_num(const struct table *t, int col)
{
	return col < 0 ? 0 : strtoull(t->field[col], NULL, 10);
}

/* ---- the load's side ------------------------------------------------------------------- */

/* load.clients from clients.csv: totals, the spread over clients, fairness. */
static json_t *clients_json(const char *dir)
{
	unsigned long long n = 0, active = 0, total = 0, ok = 0, failed = 0, lo = 0, hi = 0;
	double sum = 0, sum2 = 0;
	struct table t;

	if (table_open(&t, dir, SIDE_CLIENTS_CSV) < 0)
		return NULL;
	int rq = table_col(&t, "requests"), okc = table_col(&t, "ok"), fc = table_col(&t, "failed");
	while (table_row(&t)) {
		unsigned long long r = field_num(&t, rq);
		lo = n == 0 || r < lo ? r : lo;
		hi = r > hi ? r : hi;
		n++;
		active += r > 0;
		total += r;
		ok += field_num(&t, okc);
		failed += field_num(&t, fc);
		sum += (double)r;
		sum2 += (double)r * (double)r;
	}
	free(t.text);
	if (rq < 0)
		return NULL;
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "count", (json_int_t)n,
			 "active", (json_int_t)active, "requests", (json_int_t)total, "ok",
			 (json_int_t)ok, "failed", (json_int_t)failed, "requests_min",
			 (json_int_t)lo, "requests_max", (json_int_t)hi, "max_min_ratio",
			 lo ? json_real((double)hi / (double)lo) : json_null(), "jain_index",
			 sum2 > 0 ? json_real(sum * sum / ((double)n * sum2)) : json_null());
}

/* load.idle: client.json's idle object under the names run.json defines. */
static json_t *idle_json(json_t *client)
{
	json_t *idle = json_object_get(client, "idle");

	if (!json_is_object(idle))
		return NULL;
	return json_pack(
		"{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}", "requested",
		json_object_get(idle, "connections"), "opened", json_object_get(idle, "opened"),
		"connected", json_object_get(idle, "connected"), "failed",
		json_object_get(idle, "failed"), "failed_by_kind", json_object_get(idle, "errors"),
		"held_at_end", json_object_get(idle, "held"), "pending",
		json_object_get(idle, "pending"));
}

static json_t *load_json(const char *dir)
{
	char path[PATH_MAX];
	json_t *client = NULL, *load = json_object();

	if (path_join(path, sizeof(path), dir, "client.json") == 0)
		client = json_load_file(path, 0, NULL);
	json_t *phases = json_object_get(client, "phases");
	json_object_set(load, "phases", json_is_array(phases) ? phases : json_null());
	json_object_set_new(load, "idle", idle_json(client));
	json_object_set_new(load, "clients", clients_json(dir));
	json_decref(client);
	return load;
}

/* ---- the server's side ----------------------------------------------------------------- */

/* server.stats from server_stats.csv; its rows into server_stats.json. */
static json_t *stats_json(const char *dir)
{
	unsigned long long n = 0, req = 0, in = 0, out = 0, lo = 0, hi = 0, overflow = 0;
	char path[PATH_MAX];
	json_t *rows = json_array();
	struct table t;

	if (table_open(&t, dir, SIDE_SERVER_STATS_CSV) < 0) {
		json_decref(rows);
		return NULL;
	}
	int ac = table_col(&t, "address"), rc = table_col(&t, "requests"),
	    ic = table_col(&t, "bytes_in"), oc = table_col(&t, "bytes_out");
	while (ac >= 0 && table_row(&t)) {
		unsigned long long r = field_num(&t, rc);
		if (!strcmp(t.field[ac], "overflow")) { /* updates that found the table full */
			overflow += r;
			continue;
		}
		lo = n == 0 || r < lo ? r : lo;
		hi = r > hi ? r : hi;
		n++;
		req += r;
		in += field_num(&t, ic);
		out += field_num(&t, oc);
		json_array_append_new(rows, json_pack("{s:s, s:I, s:I, s:I}", "address",
						      t.field[ac], "requests", (json_int_t)r,
						      "bytes_in", (json_int_t)field_num(&t, ic),
						      "bytes_out", (json_int_t)field_num(&t, oc)));
	}
	free(t.text);
	if (path_join(path, sizeof(path), dir, SIDE_SERVER_STATS_JSON) < 0 ||
	    jsonio_save(rows, path) < 0)
		log_warn("cannot write %s/%s: %m", dir, SIDE_SERVER_STATS_JSON);
	json_decref(rows);
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "addresses", (json_int_t)n,
			 "requests", (json_int_t)req, "bytes_in", (json_int_t)in, "bytes_out",
			 (json_int_t)out, "requests_min", (json_int_t)lo, "requests_max",
			 (json_int_t)hi, "overflow", (json_int_t)overflow);
}

static json_t *server_json(const char *dir)
{
	char path[PATH_MAX];
	json_t *counters = NULL, *server = json_object();

	if (path_join(path, sizeof(path), dir, SIDE_SERVER_COUNTERS_JSON) == 0)
		counters = json_load_file(path, 0, NULL);
	if (json_is_object(counters)) {
		json_t *send = json_object_get(counters, "send");
		json_t *pool = json_object_get(counters, "pool");
		json_object_set(server, "send", send ? send : json_null());
		json_object_set(server, "pool", pool ? pool : json_null());
		json_object_del(counters, "send");
		json_object_del(counters, "pool");
		json_object_set(server, "counters", counters);
	}
	json_decref(counters);
	json_object_set_new(server, "stats", stats_json(dir));
	return server;
}

void sidefiles_json(json_t *meta, const char *dir)
{
	if (!meta)
		return;
	json_object_set_new(meta, MK_LOAD, load_json(dir));
	json_object_set_new(meta, MK_SERVER, server_json(dir));
}
