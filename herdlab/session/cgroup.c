/* SPDX-License-Identifier: MIT */
/*
 * cgroup.c - a program's own cgroup (cgroup.h).
 *
 * Where to make it: below the cgroup herdlab itself is in, per hierarchy. A v1
 * controller's directory is its mount point (the cgroup mount whose options
 * name it, /proc/mounts) joined with our path in it (/proc/self/cgroup's line
 * that names it); v2's is the cgroup2 mount with the "0::" line. v2 is chosen
 * only where its cgroup.controllers has memory: a hybrid machine mounts an
 * empty cgroup2 beside v1 controllers that hold everything.
 *
 * What it cost, v1: cpuacct.usage is the exact run time (ns); its user/system
 * split (cpuacct.usage_user, usage_sys) comes from ticks, so the exact total is
 * split in their proportion, as the kernel does for v2's cpu.stat. Memory:
 * memory.max_usage_in_bytes, memory.stat's total_pgfault and total_pgmajfault
 * (minor = all - major), memory.oom_control's oom_kill. Tasks: pids.peak, and
 * pids.events' "max" (forks refused). v2: cpu.stat, memory.peak, memory.stat,
 * memory.events, pids.peak, pids.events.
 *
 * The directories are named herdlab-PID-ROLE, so that a herdlab killed with
 * SIGKILL (its children die with it: PR_SET_PDEATHSIG) leaves directories the
 * next run recognises and removes, and only those whose PID is gone.
 */
#include "session/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "log.h"
#include "metrics/keys.h"
#include "path.h"

static const char *const ctl_names[CG_NCTL] = { "cpuacct", "memory", "pids", "cpuset" };

/* ---- finding the hierarchies --------------------------------------------------------------- */

/* Whether the comma-separated @list has @word. */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, word, n) && (p[n] == ',' || p[n] == 0))
			return true;
	return false;
}

/* The mount point of the cgroup (@v2: cgroup2) hierarchy with @ctl (v2: any); -1 if none. */
static int mount_of(const char *ctl, bool v2, char *buf, size_t len)
{
	char dev[256], dir[PATH_MAX], type[64], opts[512];
	FILE *f = fopen("/proc/mounts", "r");
	int rc = -1;

	if (!f)
		return -1;
	while (rc < 0 && fscanf(f, "%255s %4095s %63s %511s %*d %*d", dev, dir, type, opts) == 4) {
		if (v2 ? !strcmp(type, "cgroup2") : !strcmp(type, "cgroup") && has_word(opts, ctl))
			rc = snprintf(buf, len, "%s", dir) < (int)len ? 0 : -1;
	}
	fclose(f);
	return rc;
}

/* Our path in the hierarchy with @ctl (v2: NULL, the "0::" line), from /proc/self/cgroup. */
static int self_path(const char *ctl, char *buf, size_t len)
{
	char line[1024];
	FILE *f = fopen("/proc/self/cgroup", "r");
	int rc = -1;

	if (!f)
		return -1;
	while (rc < 0 && fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = 0;
		line[strcspn(c2 + 1, "\n") + (size_t)(c2 + 1 - line)] = 0;
		if (ctl ? has_word(c1 + 1, ctl) : !strcmp(line, "0") && !c1[1])
			rc = snprintf(buf, len, "%s", c2 + 1) < (int)len ? 0 : -1;
	}
	fclose(f);
	return rc;
}

/* The directory our cgroups of @ctl (NULL: v2) are made in; -1 if there is none. */
static int base_dir(const char *ctl, char *buf, size_t len)
{
	char mnt[PATH_MAX], self[PATH_MAX];

	if (mount_of(ctl, !ctl, mnt, sizeof(mnt)) < 0)
		return -1;
	if (self_path(ctl, self, sizeof(self)) < 0 || path_join(buf, len, mnt, self) < 0 ||
	    access(buf, F_OK) < 0) /* a cgroup namespace's path may not be the mount's */
		return snprintf(buf, len, "%s", mnt) < (int)len ? 0 : -1;
	return 0;
}

/* ---- reading and writing control files ------------------------------------------------- */

static int write_file(const char *dir, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int write_file(const char *dir, const char *name, const char *fmt, ...)
{
	char path[PATH_MAX], val[256];
	va_list ap;
	int fd, n, rc = -1;

	va_start(ap, fmt);
	n = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (path_join(path, sizeof(path), dir, name) < 0 || (fd = open(path, O_WRONLY)) < 0)
		return -1;
	if (write(fd, val, (size_t)n) == n)
		rc = 0;
	close(fd);
	return rc;
}

/* The number in DIR/NAME, or after "KEY " on one of its lines (@key NULL: the first). */
static bool read_num(const char *dir, const char *name, const char *key, uint64_t *v)
{
	char path[PATH_MAX], line[256];
	size_t klen = key ? strlen(key) : 0;
	bool found = false;
	FILE *f;

	if (path_join(path, sizeof(path), dir, name) < 0 || !(f = fopen(path, "r")))
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (!key)
			found = sscanf(line, "%" SCNu64, v) == 1;
		else if (!strncmp(line, key, klen) && line[klen] == ' ')
			found = sscanf(line + klen + 1, "%" SCNu64, v) == 1;
	}
	fclose(f);
	return found;
}

/* ---- making, entering, removing -------------------------------------------------------------- */

/* @dir's "DIR/../NAME" value copied into DIR/NAME (a new v1 cpuset starts empty). */
static int inherit(const char *dir, const char *name)
{
	char parent[PATH_MAX], path[PATH_MAX], val[256] = "";
	FILE *f;

	path_dirname(dir, parent, sizeof(parent));
	if (path_join(path, sizeof(path), parent, name) < 0 || !(f = fopen(path, "r")))
		return -1;
	if (!fgets(val, sizeof(val), f))
		val[0] = 0;
	fclose(f);
	val[strcspn(val, "\n")] = 0;
	return write_file(dir, name, "%s", val);
}

/* mkdir @base/@name into @out; -1 (errno) if it cannot be made. */
static int make_one(const char *base, const char *name, char *out, size_t len)
{
	if (path_join(out, len, base, name) < 0)
		return -1;
	if (mkdir(out, 0755) < 0 && errno != EEXIST) {
		out[0] = 0;
		return -1;
	}
	return 0;
}

static int make_v2(struct cgroup *cg, const char *base, const char *name, char *why, size_t len)
{
	char *d = cg->dir[0];

	/* Enabling them fails where our cgroup has processes and is not the root: then only
	 * what the child has anyway (cpu.stat) is measured. */
	write_file(base, "cgroup.subtree_control", "+memory +pids +cpu%s",
		   cg->lim.cpus ? " +cpuset" : "");
	if (make_one(base, name, d, sizeof(cg->dir[0])) < 0) {
		snprintf(why, len, "cannot make a cgroup in %s: %s", base, strerror(errno));
		return -1;
	}
	cg->version = 2;
	if (cg->lim.mem_bytes && (write_file(d, "memory.max", "%" PRIu64, cg->lim.mem_bytes) < 0 ||
				  (write_file(d, "memory.swap.max", "0"), false))) {
		snprintf(why, len, "--mem-limit: cannot write %s/memory.max", d);
		return -1;
	}
	if (cg->lim.pids && write_file(d, "pids.max", "%ld", cg->lim.pids) < 0) {
		snprintf(why, len, "--pids-limit: cannot write %s/pids.max", d);
		return -1;
	}
	if (cg->lim.cpus && write_file(d, "cpuset.cpus", "%s", cg->lim.cpus) < 0)
		cg->affinity = true;
	return 0;
}

static int make_v1(struct cgroup *cg, const char *name, char *why, size_t len)
{
	char base[PATH_MAX];
	bool any = false;

	for (int c = 0; c < CG_NCTL; c++) {
		if (c == CG_CPUSET && !cg->lim.cpus)
			continue; /* a cpuset without --cpus would only copy its parent's */
		if (base_dir(ctl_names[c], base, sizeof(base)) < 0 ||
		    make_one(base, name, cg->dir[c], sizeof(cg->dir[c])) < 0)
			continue;
		any = true;
	}
	if (!any) {
		snprintf(why, len, "no cgroup (v2, or v1 cpuacct, memory, pids) is writable here");
		return -1;
	}
	cg->version = 1;
	const char *mem = cg->dir[CG_MEMORY], *pids = cg->dir[CG_PIDS], *cs = cg->dir[CG_CPUSET];
	if (cg->lim.mem_bytes) {
		if (!mem[0] ||
		    write_file(mem, "memory.limit_in_bytes", "%" PRIu64, cg->lim.mem_bytes) < 0) {
			snprintf(why, len, "--mem-limit: no writable v1 memory cgroup");
			return -1;
		}
		/* with swap, the limit would only push pages out: memory and swap together */
		write_file(mem, "memory.memsw.limit_in_bytes", "%" PRIu64, cg->lim.mem_bytes);
	}
	if (cg->lim.pids && (!pids[0] || write_file(pids, "pids.max", "%ld", cg->lim.pids) < 0)) {
		snprintf(why, len, "--pids-limit: no writable v1 pids cgroup");
		return -1;
	}
	if (cg->lim.cpus && (!cs[0] || inherit(cs, "cpuset.mems") < 0 ||
			     write_file(cs, "cpuset.cpus", "%s", cg->lim.cpus) < 0)) {
		if (cs[0])
			rmdir(cs);
		cg->dir[CG_CPUSET][0] = 0;
		cg->affinity = true;
	}
	return 0;
}

int cgroup_make(struct cgroup *cg, const char *role, const struct cg_limits *lim, char *why,
		size_t len)
{
	char base[PATH_MAX], name[64], ctls[256] = "";
	int rc;

	memset(cg, 0, sizeof(*cg));
	if (lim)
		cg->lim = *lim;
	if (cg->lim.cpus && cgroup_parse_cpus(cg->lim.cpus, &cg->cpus) < 0) {
		snprintf(why, len, "--cpus: '%s' is not a CPU list", cg->lim.cpus);
		return -1;
	}
	snprintf(name, sizeof(name), "herdlab-%d-%s", (int)getpid(), role);
	bool v2 = base_dir(NULL, base, sizeof(base)) == 0;
	if (v2) {
		char path[PATH_MAX];
		FILE *f;
		v2 = path_join(path, sizeof(path), base, "cgroup.controllers") == 0 &&
		     (f = fopen(path, "r"));
		if (v2) {
			if (!fgets(ctls, sizeof(ctls), f))
				ctls[0] = 0;
			fclose(f);
			v2 = strstr(ctls, "memory") != NULL;
		}
	}
	rc = v2 ? make_v2(cg, base, name, why, len) : make_v1(cg, name, why, len);
	if (rc < 0)
		cgroup_remove(cg);
	return rc;
}

int cgroup_enter(const struct cgroup *cg, pid_t pid)
{
	int rc = 0;

	for (int c = 0; c < CG_NCTL; c++) {
		if (!cg->dir[c][0])
			continue;
		if (write_file(cg->dir[c], "cgroup.procs", "%d", (int)pid) < 0) {
			log_warn("cannot move pid %d into %s: %m", (int)pid, cg->dir[c]);
			rc = -1;
		}
	}
	if (cg->affinity && sched_setaffinity(pid, sizeof(cg->cpus), &cg->cpus) < 0) {
		log_warn("cannot pin pid %d to --cpus %s: %m", (int)pid, cg->lim.cpus);
		rc = -1;
	}
	return rc;
}

/* SIGKILL every process in @dir; whether it had any. */
static bool kill_all(const char *dir)
{
	char path[PATH_MAX];
	bool any = false;
	FILE *f;
	int pid;

	if (path_join(path, sizeof(path), dir, "cgroup.procs") < 0 || !(f = fopen(path, "r")))
		return false;
	while (fscanf(f, "%d", &pid) == 1)
		if (pid > 0 && kill(pid, SIGKILL) == 0)
			any = true;
	fclose(f);
	return any;
}

/* Remove @dir, killing what is in it; a killed process leaves it a little later. */
static void remove_dir(const char *dir)
{
	for (int i = 0; i < 100 && rmdir(dir) < 0 && errno == EBUSY; i++) {
		kill_all(dir);
		nanosleep(&(struct timespec){ 0, 20 * 1000000L }, NULL);
	}
	if (access(dir, F_OK) == 0)
		log_warn("cannot remove the cgroup %s: %m", dir);
}

void cgroup_remove(struct cgroup *cg)
{
	for (int c = 0; c < CG_NCTL; c++) {
		if (cg->dir[c][0])
			remove_dir(cg->dir[c]);
		cg->dir[c][0] = 0;
	}
	cg->version = 0;
}

int cgroup_sweep(void)
{
	char base[PATH_MAX], path[PATH_MAX];
	int removed = 0;

	for (int c = -1; c < CG_NCTL; c++) {
		if (base_dir(c < 0 ? NULL : ctl_names[c], base, sizeof(base)) < 0)
			continue;
		DIR *d = opendir(base);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			int pid, end = 0;
			if (sscanf(e->d_name, "herdlab-%d-%*[a-z]%n", &pid, &end) != 1 || !end ||
			    e->d_name[end] || pid <= 0 || kill(pid, 0) == 0 || errno != ESRCH)
				continue;
			if (path_join(path, sizeof(path), base, e->d_name) < 0)
				continue;
			remove_dir(path);
			removed += access(path, F_OK) < 0;
		}
		if (d)
			closedir(d);
	}
	return removed;
}

/* ---- the cost ------------------------------------------------------------------------------ */

static void set_num(json_t *o, const char *key, bool known, uint64_t v)
{
	json_object_set_new(o, key, known ? json_integer((json_int_t)v) : json_null());
}

/* The exact total @run split between user and system in the proportion @u : @s. */
static void split(uint64_t run, uint64_t u, uint64_t s, uint64_t *user, uint64_t *sys)
{
	if (!s) {
		*user = run, *sys = 0;
	} else if (!u) {
		*user = 0, *sys = run;
	} else {
		*user = (uint64_t)((long double)run * u / (u + s));
		*sys = run - *user;
	}
}

static void cost_v1(const struct cgroup *cg, json_t *o)
{
	const char *cpu = cg->dir[CG_CPUACCT], *mem = cg->dir[CG_MEMORY], *pids = cg->dir[CG_PIDS];
	uint64_t run = 0, u = 0, s = 0, user = 0, sys = 0, all = 0, maj = 0, v = 0;
	bool k = cpu[0] && read_num(cpu, "cpuacct.usage", NULL, &run) &&
		 read_num(cpu, "cpuacct.usage_user", NULL, &u) &&
		 read_num(cpu, "cpuacct.usage_sys", NULL, &s);

	if (k)
		split(run, u, s, &user, &sys);
	set_num(o, MK_CG_CPU_NS, k, run);
	set_num(o, MK_CG_CPU_USER_NS, k, user);
	set_num(o, MK_CG_CPU_SYSTEM_NS, k, sys);
	k = mem[0] && read_num(mem, "memory.max_usage_in_bytes", NULL, &v);
	set_num(o, MK_CG_MEMORY_PEAK_BYTES, k, v);
	k = mem[0] && read_num(mem, "memory.stat", "total_pgfault", &all) &&
	    read_num(mem, "memory.stat", "total_pgmajfault", &maj);
	set_num(o, MK_CG_PAGE_FAULTS_MINOR, k, all - maj);
	set_num(o, MK_CG_PAGE_FAULTS_MAJOR, k, maj);
	k = mem[0] && read_num(mem, "memory.oom_control", "oom_kill", &v);
	set_num(o, MK_CG_OOM_KILLS, k, v);
	k = pids[0] && read_num(pids, "pids.peak", NULL, &v);
	set_num(o, MK_CG_PIDS_PEAK, k, v);
	k = pids[0] && read_num(pids, "pids.events", "max", &v);
	set_num(o, MK_CG_FORKS_REFUSED, k, v);
}

static void cost_v2(const struct cgroup *cg, json_t *o)
{
	const char *d = cg->dir[0];
	uint64_t run = 0, u = 0, s = 0, all = 0, maj = 0, v = 0;
	bool k = read_num(d, "cpu.stat", "usage_usec", &run) &&
		 read_num(d, "cpu.stat", "user_usec", &u) &&
		 read_num(d, "cpu.stat", "system_usec", &s);

	set_num(o, MK_CG_CPU_NS, k, run * 1000);
	set_num(o, MK_CG_CPU_USER_NS, k, u * 1000);
	set_num(o, MK_CG_CPU_SYSTEM_NS, k, s * 1000);
	k = read_num(d, "memory.peak", NULL, &v);
	set_num(o, MK_CG_MEMORY_PEAK_BYTES, k, v);
	k = read_num(d, "memory.stat", "pgfault", &all) &&
	    read_num(d, "memory.stat", "pgmajfault", &maj);
	set_num(o, MK_CG_PAGE_FAULTS_MINOR, k, all - maj);
	set_num(o, MK_CG_PAGE_FAULTS_MAJOR, k, maj);
	k = read_num(d, "memory.events", "oom_kill", &v);
	set_num(o, MK_CG_OOM_KILLS, k, v);
	k = read_num(d, "pids.peak", NULL, &v);
	set_num(o, MK_CG_PIDS_PEAK, k, v);
	k = read_num(d, "pids.events", "max", &v);
	set_num(o, MK_CG_FORKS_REFUSED, k, v);
}

json_t *cgroup_cost(const struct cgroup *cg)
{
	json_t *o = json_object();

	if (!o || !cg->version)
		return o;
	if (cg->version == 2)
		cost_v2(cg, o);
	else
		cost_v1(cg, o);
	if (cg->lim.mem_bytes)
		json_object_set_new(o, MK_CG_MEMORY_LIMIT,
				    json_integer((json_int_t)cg->lim.mem_bytes));
	if (cg->lim.pids)
		json_object_set_new(o, MK_CG_PIDS_LIMIT, json_integer(cg->lim.pids));
	if (cg->lim.cpus) {
		json_object_set_new(o, MK_CG_CPUS, json_string(cg->lim.cpus));
		json_object_set_new(o, MK_CG_CPUS_BY,
				    json_string(cg->affinity ? "affinity" : "cpuset"));
	}
	return o;
}

/* ---- parsing ------------------------------------------------------------------------------ */

int cgroup_parse_size(const char *s, uint64_t *bytes)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	int shift = *end == 'K' || *end == 'k'	 ? 10
		    : *end == 'M' || *end == 'm' ? 20
		    : *end == 'G' || *end == 'g' ? 30
						 : 0;
	if (shift)
		end++;
	if (errno || *end || !v || v > (UINT64_MAX >> shift))
		return -1;
	*bytes = (uint64_t)v << shift;
	return 0;
}

int cgroup_parse_cpus(const char *s, cpu_set_t *set)
{
	char *end;

	CPU_ZERO(set);
	if (!s || !*s)
		return -1;
	for (;;) {
		if (*s < '0' || *s > '9')
			return -1;
		long a = strtol(s, &end, 10), b = a;
		if (*end == '-') {
			s = end + 1;
			if (*s < '0' || *s > '9')
				return -1;
			b = strtol(s, &end, 10);
		}
		if (a > b || b >= CPU_SETSIZE)
			return -1;
		for (long c = a; c <= b; c++)
			CPU_SET((int)c, set);
		if (!*end)
			return 0;
		if (*end != ',')
			return -1;
		s = end + 1;
	}
}
