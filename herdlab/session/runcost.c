/* SPDX-License-Identifier: MIT */
/*
 * runcost.c - a run's two cgroups, the server's and herdload's, and what they
 * cost (runcost.h).
 *
 * The cgroups are made before either program starts, so that every task of
 * each is counted from its first instruction; a limit that was asked for
 * (--mem-limit, --pids-limit, --cpus) and cannot be applied refuses the run,
 * while a run without limits goes on without its cost, and says why.
 */
#include "session/runcost.h"

#include <string.h>

#include "log.h"

/* Make the two cgroups; -1 when a limit was asked for and cannot be applied. */
int costs_make(const struct run_opts *o, struct costs *c)
{
	bool limits = o->mem_limit || o->pids_limit || o->server_cpus;
	struct cg_limits sl = { o->mem_limit, o->pids_limit, o->server_cpus };
	struct cg_limits cl = { 0, 0, o->client_cpus };

	memset(c, 0, sizeof(*c));
	c->made = cgroup_make(&c->server, "server", &sl, c->why, sizeof(c->why)) == 0 &&
		  cgroup_make(&c->client, "client", &cl, c->why, sizeof(c->why)) == 0;
	if (c->made)
		return 0;
	cgroup_remove(&c->server);
	if (limits) {
		log_warn("%s: the limits asked for cannot be applied, so nothing is run", c->why);
		return -1;
	}
	log_warn("%s: the run goes on without the server's and herdload's cost", c->why);
	return 0;
}

/* Read what both cost into c->json, and remove the cgroups (whatever ran there is killed). */
void costs_end(struct costs *c)
{
	if (c->made)
		c->json = json_pack("{s:s, s:o, s:o}", "cgroup",
				    c->server.version == 2 ? "v2" : "v1", "server",
				    cgroup_cost(&c->server), "client", cgroup_cost(&c->client));
	else
		c->json = json_pack("{s:s}", "unavailable", c->why);
	cgroup_remove(&c->server);
	cgroup_remove(&c->client);
}
