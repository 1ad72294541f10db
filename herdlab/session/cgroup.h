/* SPDX-License-Identifier: MIT */
/*
 * cgroup.h - a program's own cgroup: what it cost (CPU, memory, faults, OOM
 * kills, tasks) and the limits it runs under.
 *
 *	cgroup_sweep()    remove what a SIGKILL'ed herdlab left (herdlab-PID-*, PID gone)
 *	cgroup_make()     herdlab-PID-ROLE below our own cgroup, with its limits
 *	cgroup_enter()    put a held child in it before it execs (and pin it)
 *	cgroup_cost()     its counters as JSON, once the child has ended
 *	cgroup_remove()   kill what is left in it and remove it
 *
 * cgroup v2 is used where it is mounted with the memory controller, otherwise
 * the v1 controllers the machine has (cpuacct, memory, pids, and cpuset for
 * --cpus), each found from /proc/mounts and /proc/self/cgroup, never assumed.
 * Our cgroups are made below the ones herdlab itself is in, so a container's
 * or a session's limits still hold. rusage cannot replace this: it misses
 * children that were reaped by nobody (SIGCHLD ignored) and says nothing of
 * OOM kills or refused forks.
 */
#ifndef HERD_CGROUP_H
#define HERD_CGROUP_H

#include <jansson.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The v1 controllers used, each its own hierarchy (or several mounted together). */
enum cg_ctl { CG_CPUACCT, CG_MEMORY, CG_PIDS, CG_CPUSET, CG_NCTL };

struct cg_limits {
	uint64_t mem_bytes; /* memory limit (0: none) */
	long pids;	    /* tasks limit (0: none) */
	const char *cpus;   /* the CPUs, a cpuset list "0", "1-3,5" (NULL: any) */
};

struct cgroup {
	int version;		     /* 2 or 1; 0: none made */
	char dir[CG_NCTL][PATH_MAX]; /* v1: a directory per controller ("": none); v2: dir[0] */
	struct cg_limits lim;	     /* the limits it was made with */
	bool affinity;		     /* --cpus without a cpuset: sched_setaffinity at enter */
	cpu_set_t cpus;		     /* with affinity: the set */
};

/* Remove herdlab-PID-* cgroups whose herdlab (PID) is gone; how many were removed. */
int cgroup_sweep(void);

/*
 * Make herdlab-OURPID-@role with @lim. 0; or -1 with the reason in @why (no
 * cgroup writable, or a limit that cannot be applied): nothing is left made.
 */
int cgroup_make(struct cgroup *cg, const char *role, const struct cg_limits *lim, char *why,
		size_t len);

/* Move @pid (held, not yet exec'ed) into @cg; 0, or -1 logged. */
int cgroup_enter(const struct cgroup *cg, pid_t pid);

/* The counters: cpu_user_ns, cpu_system_ns, memory_peak_bytes, ... (null where unknown). */
json_t *cgroup_cost(const struct cgroup *cg);

/* SIGKILL whatever still runs in @cg, remove its directories; safe to call twice. */
void cgroup_remove(struct cgroup *cg);

/* "64M", "1G", "4096" into bytes (K, M, G: powers of 1024); -1 if it is not one. */
int cgroup_parse_size(const char *s, uint64_t *bytes);

/* A cpuset list ("0-2,5") into @set; -1 if it is not one. */
int cgroup_parse_cpus(const char *s, cpu_set_t *set);

#endif
