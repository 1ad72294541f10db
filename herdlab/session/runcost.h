/* SPDX-License-Identifier: MIT */
/*
 * runcost.h - a run's two cgroups (cgroup.h), the server's and herdload's, and
 * run.json's cost from them.
 */
#ifndef HERD_RUNCOST_H
#define HERD_RUNCOST_H

#include <jansson.h>
#include <stdbool.h>

#include "session/cgroup.h"
#include "session/runopts.h"

/* Both programs' cgroups (session/cgroup.h), and what they cost. */
struct costs {
	struct cgroup server, client;
	bool made;     /* both were made */
	char why[512]; /* if not, why ("": they were) */
	json_t *json;  /* run.json's cost, once read */
};

/* Make the two cgroups, with @o's limits; -1 when a limit was asked for and cannot be applied. */
int costs_make(const struct run_opts *o, struct costs *c);

/* Read what both cost into c->json, and remove the cgroups (whatever ran there is killed). */
void costs_end(struct costs *c);

#endif
