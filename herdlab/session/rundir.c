/* SPDX-License-Identifier: MIT */
/* rundir.c - a run directory read back (rundir.h). */
#include "session/rundir.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "jsonio.h"
#include "log.h"

/* Say what reading the table at @path (@n: the count, or -errno) left out; its errno or 0. */
static int said(const char *path, ssize_t n, const struct csv_stats *st)
{
	if (n < 0 && n != -ENOENT)
		log_warn("cannot read %s: %s", path, st->why);
	else if (st->rejected)
		log_warn("%s: %zu of %zu rows rejected (the first at line %zu: %s)", path,
			 st->rejected, st->rejected + st->rows, st->first_line, st->why);
	return n < 0 && n != -ENOENT ? (int)-n : 0;
}

static void load_tables(struct rundir *rd)
{
	char path[PATH_MAX + 32];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/requests.csv", rd->path);
	if ((n = csv_read_requests(path, &rd->reqs, &rd->reqs_read)) >= 0)
		rd->nreqs = (size_t)n;
	rd->reqs_err = said(path, n, &rd->reqs_read);
	snprintf(path, sizeof(path), "%s/connections.csv", rd->path);
	if ((n = csv_read_connections(path, &rd->conns, &rd->conns_read)) >= 0)
		rd->nconns = (size_t)n;
	rd->conns_err = said(path, n, &rd->conns_read);
	if (!rd->reqs || !rd->conns)
		return;
	rd->match = calloc(rd->nreqs + 1, sizeof(*rd->match));
	n = rd->match ? join_requests(rd->reqs, rd->nreqs, rd->conns, rd->nconns, rd->match) : -1;
	if (n < 0) {
		free(rd->match);
		rd->match = NULL;
		return;
	}
	rd->matched = (size_t)n;
}

int rundir_load(struct rundir *rd, const char *dir, bool tables)
{
	char path[PATH_MAX + 16], *text;
	json_error_t err;

	memset(rd, 0, sizeof(*rd));
	if (snprintf(rd->path, sizeof(rd->path), "%s", dir) >= (int)sizeof(rd->path))
		return -ENAMETOOLONG;
	snprintf(path, sizeof(path), "%s/run.json", dir);
	/* files_read: a regular file only, opened non-blocking (a FIFO would hang us). */
	if (!(text = files_read(path, NULL))) {
		if (errno == ENOENT)
			log_warn("%s is not a run directory (no run.json)", dir);
		else
			log_warn("cannot read %s: %s", path,
				 errno == EINVAL ? "not a regular file" : strerror(errno));
		return -EINVAL;
	}
	rd->run = json_loads(text, 0, &err);
	free(text);
	if (!rd->run) {
		log_warn("%s: %s (line %d)", path, err.text, err.line);
		return -EINVAL;
	}
	if (!json_is_object(rd->run) || !json_is_string(json_object_get(rd->run, "model"))) {
		log_warn("%s is not herdlab run's run.json (no model)", path);
		rundir_free(rd);
		return -EINVAL;
	}
	if (tables)
		load_tables(rd);
	return 0;
}

void rundir_free(struct rundir *rd)
{
	json_decref(rd->run);
	free(rd->reqs);
	free(rd->conns);
	free(rd->match);
	memset(rd, 0, sizeof(*rd));
}

json_t *rundir_get(const struct rundir *rd, const char *key)
{
	return jsonio_get_path(rd->run, key);
}

double rundir_num(const struct rundir *rd, const char *key)
{
	json_t *v = rundir_get(rd, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

const char *rundir_str(const struct rundir *rd, const char *key, const char *dflt)
{
	json_t *v = rundir_get(rd, key);

	return json_is_string(v) ? json_string_value(v) : dflt;
}

bool rundir_traced(const struct rundir *rd)
{
	return json_is_object(rundir_get(rd, "trace"));
}
