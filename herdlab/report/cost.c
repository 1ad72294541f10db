/* SPDX-License-Identifier: MIT */
/*
 * cost.c - the report's "Cost" section: what the server and herdload cost in
 * their own cgroups (run.json cost.server.*, cost.client.*; session/cgroup.h).
 *
 * One table, a column per program, so that the load generator's share of the
 * machine is read beside the server's; the server's CPU per successful request
 * is the number runs compare by. OOM kills and refused forks are rows of their
 * own: a limit that bit must be seen. An old run, or one on a machine without
 * writable cgroups, says so in a line instead.
 */
#include <math.h>
#include <stdio.h>

#include "metrics/keys.h"
#include "report/sections.h"

/* One row: @name, then the server's and the client's @field scaled by @div, @prec decimals. */
static void row(struct doc *d, const struct rundir *rd, const char *name, const char *field,
		double div, int prec)
{
	char key[128];

	doc_cell(d, false, "%s", name);
	for (int i = 0; i < 2; i++) {
		snprintf(key, sizeof(key), "%s.%s", i ? MK_COST_CLIENT : MK_COST_SERVER, field);
		double v = rundir_num(rd, key);
		if (isnan(v))
			doc_cell(d, false, "-");
		else
			doc_cell(d, false, "%.*f", prec, v / div);
	}
}

void section_cost(struct doc *d, const struct rundir *rd)
{
	json_t *cost = rundir_get(rd, MK_COST);
	const char *why = rundir_str(rd, MK_COST_UNAVAILABLE, NULL);

	if (!cost || json_is_null(cost))
		return; /* a run made before herdlab measured it */
	doc_heading(d, "Cost");
	if (why) {
		doc_para(d, "Not measured: %s.", why);
		return;
	}
	double cpu = rundir_num(rd, MK_COST_SERVER_CPU_USER_NS) +
		     rundir_num(rd, MK_COST_SERVER_CPU_SYSTEM_NS);
	double ok = rundir_num(rd, MK_CLIENT_REQUESTS_OK);

	doc_table(d, "lrr", "metric", "server", "load generator");
	row(d, rd, "CPU user (ms)", MK_CG_CPU_USER_NS, 1e6, 1);
	row(d, rd, "CPU system (ms)", MK_CG_CPU_SYSTEM_NS, 1e6, 1);
	doc_cell(d, false, "server CPU per request (us)");
	if (ok > 0 && !isnan(cpu))
		doc_cell(d, false, "%.1f", cpu / ok / 1e3);
	else
		doc_cell(d, false, "-");
	doc_cell(d, false, " ");
	row(d, rd, "memory peak (MiB)", MK_CG_MEMORY_PEAK_BYTES, 1048576.0, 1);
	row(d, rd, "page faults, minor", MK_CG_PAGE_FAULTS_MINOR, 1, 0);
	row(d, rd, "page faults, major", MK_CG_PAGE_FAULTS_MAJOR, 1, 0);
	row(d, rd, "OOM kills", MK_CG_OOM_KILLS, 1, 0);
	row(d, rd, "tasks at most", MK_CG_PIDS_PEAK, 1, 0);
	row(d, rd, "forks refused (pids limit)", MK_CG_FORKS_REFUSED, 1, 0);
	if (rundir_get(rd, MK_DOT(MK_COST_SERVER, MK_CG_MEMORY_LIMIT)))
		row(d, rd, "memory limit (MiB)", MK_CG_MEMORY_LIMIT, 1048576.0, 1);
	if (rundir_get(rd, MK_DOT(MK_COST_SERVER, MK_CG_PIDS_LIMIT)))
		row(d, rd, "tasks limit", MK_CG_PIDS_LIMIT, 1, 0);
	doc_table_end(d);
	const char *sc = rundir_str(rd, MK_DOT(MK_COST_SERVER, MK_CG_CPUS), NULL);
	const char *cc = rundir_str(rd, MK_DOT(MK_COST_CLIENT, MK_CG_CPUS), NULL);
	if (sc || cc)
		doc_para(
			d,
			"Pinned (--cpus): the server to CPUs %s, the load generator to %s (by %s).",
			sc ? sc : "any", cc ? cc : "any",
			rundir_str(rd, MK_DOT(MK_COST_SERVER, MK_CG_CPUS_BY), "cpuset"));
	doc_para(d,
		 "Each program ran in a cgroup of its own (%s), so this counts every process "
		 "and thread it started, reaped or not, traced or not.",
		 rundir_str(rd, MK_COST_CGROUP, "?"));
}
