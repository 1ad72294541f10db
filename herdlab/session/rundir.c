/* SPDX-License-Identifier: MIT */
/* rundir.c - a run directory read back (rundir.h). */
#include "session/rundir.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonio.h"
#include "log.h"

static void load_tables(struct rundir *rd)
{
	char path[PATH_MAX + 32];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/requests.csv", rd->path);
	if ((n = join_read_requests(path, &rd->reqs)) >= 0)
		rd->nreqs = (size_t)n;
	else if (n != -ENOENT)
		log_warn("cannot read %s: %s", path, strerror((int)-n));
	snprintf(path, sizeof(path), "%s/connections.csv", rd->path);
	if ((n = join_read_connections(path, &rd->conns)) >= 0)
		rd->nconns = (size_t)n;
	else if (n != -ENOENT)
		log_warn("cannot read %s: %s", path, strerror((int)-n));
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
	char path[PATH_MAX + 16];
	json_error_t err;

	memset(rd, 0, sizeof(*rd));
	if (snprintf(rd->path, sizeof(rd->path), "%s", dir) >= (int)sizeof(rd->path))
		return -ENAMETOOLONG;
	snprintf(path, sizeof(path), "%s/run.json", dir);
	rd->run = json_load_file(path, 0, &err);
	if (!rd->run) {
		if (access(path, F_OK) < 0)
			log_warn("%s is not a run directory (no run.json)", dir);
		else
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
