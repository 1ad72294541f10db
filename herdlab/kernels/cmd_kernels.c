/* SPDX-License-Identifier: MIT */
/*
 * cmd_kernels.c - herdlab kernels: the herd study on several kernels.
 *
 *	herdlab kernels [--kernels LIST] [--models LIST] [--out DIR] [--cache DIR]
 *	                [--timeout S] [--boot-timeout S] [--workers N] [--load 'OPTS']
 *	                [--static DIR]
 *
 * For each kernel of LIST: "host" runs the models natively (herdlab run);
 * a Debian name (5.10, 6.1, 6.12, 6.1-rt, ...) is fetched into the cache
 * (kfetch.c) and, like a path to any vmlinuz, booted under qemu with the study
 * inside (guest.c). Each kernel gets OUT/KERNEL/ with one run directory per
 * model (what herdlab run writes), each model's log and the guest's console.
 * Then:
 *	kernels.json     what ran where: kernel, release, package and version,
 *	                 status (ok, partial, failed) with the reason, durations
 *	comparison.txt   herdlab compare over every run directory (also .md, .html)
 *	kernels.md       the kernels, and what changes between them, from the numbers
 * A kernel that fails (no boot, hang, probes that do not load, results damaged
 * in transit) is reported with the reason and the others still run. Every
 * result appears whole or not at all: a kernel's directory is filled under
 * OUT/.KERNEL.tmp and renamed when complete; files are written then renamed.
 * On SIGINT or SIGTERM, qemu and every other child is stopped and reaped.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <elf.h>

#include "clock.h"
#include "commands.h"
#include "report/compare.h"
#include "jsonio.h"
#include "kernels/kernels.h"
#include "log.h"
#include "path.h"
#include "report/outfile.h"
#include "session/rundir.h"
#include "report/runreport.h"
#include "spawn.h"
#include "version.h"

#define DEFAULT_KERNELS "host,5.10,6.1,6.12,6.1-rt"
#define DEFAULT_MODELS \
	"prefork,prefork-mutex,prefork-epoll,prefork-epoll-exclusive,prefork-reuseport"
#define DEFAULT_LOAD "--clients 2 --duration 6 --path /size/1K" /* scripts/demo.sh's */
#define MAX_KERNELS  16

enum kstatus { K_NOT_RUN, K_OK, K_PARTIAL, K_FAILED };
static const char *const kstatus_name[] = { "not run", "ok", "partial", "failed" };

struct kresult {
	struct kernel k;
	enum kstatus status;
	char reason[512];
	double duration_s;
	double boot_s; /* guests that booted; -1 otherwise */
	char qemu_cmd[1024];
	json_t *run[KERNELS_MAX_MODELS];	    /* each model's run.json, NULL if it failed */
	char model_reason[KERNELS_MAX_MODELS][256]; /* why not */
};

struct kernels_opts {
	char *kernels_arg, *models_arg, *load_arg;
	const char *out, *cache, *static_dir;
	double timeout_s, boot_timeout_s;
	int workers;
	bool report_only;    /* --report-only: the comparison and kernels.md again, from OUT */
	json_t *original;    /* with it: OUT/kernels.json as the run wrote it */
	const char *version; /* the herdlab that ran the kernels */
	const char *models[KERNELS_MAX_MODELS];
	int nmodels;
	char *load[KERNELS_MAX_LOAD];
	int nload;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* ---- progress on stderr ------------------------------------------------------------------ */

static struct {
	int index, total; /* the kernel running now, 1-based */
	const char *name;
	uint64_t start;
	bool tty, open; /* stderr is a terminal; a progress line is on it */
} progress;

void kernels_progress(const char *fmt, ...)
{
	char msg[512], line[640];
	va_list ap;
	unsigned s = (unsigned)((clock_now_ns() - progress.start) / NSEC_PER_SEC);

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	int n = snprintf(line, sizeof(line), "%s[%d/%d %u:%02u] %s%s",
			 progress.tty ? "\r\033[K" : "", progress.index, progress.total, s / 60,
			 s % 60, msg, progress.tty ? "" : "\n");
	if (write(STDERR_FILENO, line,
		  (size_t)(n < (int)sizeof(line) ? n : (int)sizeof(line) - 1)) < 0)
		return;
	progress.open = progress.tty;
}

/* End the progress line, so that a message can follow on its own line. */
static void progress_break(void)
{
	if (progress.open && write(STDERR_FILENO, "\n", 1) == 1)
		progress.open = false;
}

/* ---- options ------------------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: herdlab kernels [--kernels LIST] [--models LIST] [--out DIR]\n"
		"           [--cache DIR] [--timeout S] [--boot-timeout S] [--workers N]\n"
		"           [--load 'OPTS'] [--static DIR]\n"
		"       herdlab kernels --report-only --out DIR\n"
		"  --kernels LIST    comma-separated (default: %s):\n"
		"                    host (natively), a Debian kernel (%s),\n"
		"                    or the path of any x86-64 vmlinuz with BTF\n"
		"  --models LIST     comma-separated models (default: make demo's five)\n"
		"  --out DIR         results (default: runs/kernels-YYYYmmdd-HHMMSS)\n"
		"  --cache DIR       kernels and private apt state (default: ~/.cache/herdlab)\n"
		"  --timeout S       bound on each kernel's run (default: 120 + 60 per model)\n"
		"  --boot-timeout S  bound on a guest's boot, to its /init (default: 90)\n"
		"  --workers N       workers per model (default: 8)\n"
		"  --load 'OPTS'     herdload's options (default: '%s', as make demo)\n"
		"  --static DIR      the static herdlab, herdsrv and herdload for the guests\n"
		"                    (default: build/static beside this herdlab; make builds "
		"them)\n"
		"  --report-only     run nothing: write DIR's comparison and kernels.md again\n"
		"                    from its kernels.json and run directories\n",
		DEFAULT_KERNELS, kfetch_names(), DEFAULT_LOAD);
}

static double positive(const char *opt, const char *v)
{
	char *end;
	double d = strtod(v, &end);

	if (*end || !(d > 0) || !isfinite(d))
		die("%s: '%s' is not a positive number", opt, v);
	return d;
}

/* Split @s (modified) at @seps into @v (at most @max); the count. */
static int split(char *s, const char *seps, char **v, int max, const char *what)
{
	int n = 0;
	char *save = NULL;

	for (char *w = strtok_r(s, seps, &save); w; w = strtok_r(NULL, seps, &save)) {
		if (n == max)
			die("too many %s (at most %d)", what, max);
		v[n++] = w;
	}
	return n;
}

static void parse(int argc, char **argv, struct kernels_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		}
		if (!strcmp(a, "--report-only")) {
			o->report_only = true;
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "herdlab kernels: unknown option or missing value: '%s'\n",
				a);
			usage(stderr);
			exit(2);
		}
		char *v = argv[++i];
		if (!strcmp(a, "--kernels"))
			o->kernels_arg = v;
		else if (!strcmp(a, "--models"))
			o->models_arg = v;
		else if (!strcmp(a, "--load"))
			o->load_arg = v;
		else if (!strcmp(a, "--out"))
			o->out = v;
		else if (!strcmp(a, "--cache"))
			o->cache = v;
		else if (!strcmp(a, "--static"))
			o->static_dir = v;
		else if (!strcmp(a, "--timeout"))
			o->timeout_s = positive(a, v);
		else if (!strcmp(a, "--boot-timeout"))
			o->boot_timeout_s = positive(a, v);
		else if (!strcmp(a, "--workers"))
			o->workers = (int)positive(a, v);
		else {
			fprintf(stderr, "herdlab kernels: unknown option '%s'\n", a);
			usage(stderr);
			exit(2);
		}
	}
	o->models_arg = strdup(o->models_arg ? o->models_arg : DEFAULT_MODELS);
	o->load_arg = strdup(o->load_arg ? o->load_arg : DEFAULT_LOAD);
	o->kernels_arg = strdup(o->kernels_arg ? o->kernels_arg : DEFAULT_KERNELS);
	if (!o->models_arg || !o->load_arg || !o->kernels_arg)
		die("out of memory");
	char *load_copy = strdup(o->load_arg);
	o->nmodels = split(o->models_arg, ",", (char **)o->models, KERNELS_MAX_MODELS, "models");
	o->nload = split(load_copy, " \t", o->load, KERNELS_MAX_LOAD, "load options");
	if (!o->nmodels)
		die("--models: no model given");
	for (int i = 0; i < o->nmodels; i++)
		if (!kernels_safe_word(o->models[i]))
			die("--models: '%s' is not a model name", o->models[i]);
	for (int i = 0; i < o->nload; i++) {
		if (!kernels_safe_word(o->load[i]))
			die("--load: '%s' has characters a guest's shell would interpret",
			    o->load[i]);
		if (!strcmp(o->load[i], "--out") || !strcmp(o->load[i], "--model") ||
		    !strcmp(o->load[i], "--workers"))
			die("--load: %s is herdlab kernels' own option", o->load[i]);
	}
	if (!o->workers)
		o->workers = 8;
	if (!o->timeout_s)
		o->timeout_s = 120 + 60.0 * o->nmodels;
	if (!o->boot_timeout_s)
		o->boot_timeout_s = 90;
	if (o->boot_timeout_s > o->timeout_s)
		o->boot_timeout_s = o->timeout_s;
}

/* ---- what the guests need ---------------------------------------------------------------- */

/* A statically linked ELF executable: no PT_INTERP program header. */
static bool is_static_elf(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	bool ok = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (pread(fd, &eh, sizeof(eh), 0) == sizeof(eh) && !memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_phentsize == sizeof(ph)) {
		ok = true;
		for (int i = 0; i < eh.e_phnum && ok; i++)
			if (pread(fd, &ph, sizeof(ph),
				  (off_t)(eh.e_phoff + (size_t)i * sizeof(ph))) != sizeof(ph) ||
			    ph.p_type == PT_INTERP)
				ok = false;
	}
	close(fd);
	return ok;
}

static const char *const static_progs[] = { "herdlab", "herdsrv", "herdload" };

/* The directory of the static programs: --static, build/static, or this herdlab's own. */
static int find_static(const struct kernels_opts *o, char *dir, size_t len)
{
	char cand[2][PATH_MAX], path[PATH_MAX + 16];
	int n = 0;

	if (o->static_dir)
		snprintf(cand[n++], PATH_MAX, "%s", o->static_dir);
	else {
		if (path_sibling(cand[n], PATH_MAX, "static") == 0)
			n++;
		if (path_sibling(cand[n], PATH_MAX, ".") == 0)
			n++;
	}
	for (int i = 0; i < n; i++) {
		bool all = true;
		for (size_t p = 0; p < 3 && all; p++) {
			pathf(path, "%s/%s", cand[i], static_progs[p]);
			all = is_static_elf(path);
		}
		if (all) {
			snprintf(dir, len, "%s", cand[i]);
			return 0;
		}
	}
	log_warn("guest kernels need statically linked herdlab, herdsrv and herdload in %s: "
		 "build them with 'make' (or 'make static'), or name their directory with --static",
		 n ? cand[0] : "build/static");
	return -1;
}

/* Warn when the static build is older than this herdlab: it would test stale code. */
static void check_fresh(const char *dir)
{
	char self[PATH_MAX], stat_path[PATH_MAX + 16];
	struct stat a, b;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return;
	self[n] = 0;
	pathf(stat_path, "%s/herdlab", dir);
	if (stat(self, &a) == 0 && stat(stat_path, &b) == 0 && a.st_mtime > b.st_mtime + 1)
		log_warn("%s is older than %s: the guests run the older build ('make' rebuilds it)",
			 stat_path, self);
}

static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX], dirs[4096], *save = NULL;

	snprintf(dirs, sizeof(dirs), "%s", path ? path : "/usr/bin:/bin");
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		pathf(buf, "%s/%s", d, prog);
		if (access(buf, X_OK) == 0)
			return true;
	}
	return false;
}

static int find_busybox(char *path, size_t len)
{
	static const char *const cands[] = { "/bin/busybox", "/usr/bin/busybox", "/sbin/busybox" };

	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++)
		if (is_static_elf(cands[i])) {
			snprintf(path, len, "%s", cands[i]);
			return 0;
		}
	log_warn("guest kernels need a statically linked busybox (Debian: busybox-static; "
		 "'make deps' installs it)");
	return -1;
}

/* The models herdsrv knows: "herdsrv --list", first word of each line. */
static void check_models(const struct kernels_opts *o, const char *bindir, const char *tmp)
{
	char srv[PATH_MAX + 16], out[PATH_MAX + 16], line[256];
	FILE *f;

	pathf(srv, "%s/herdsrv", bindir);
	pathf(out, "%s/models.txt", tmp);
	if (spawn_run(&(struct spawn){ .argv = (char *const[]){ srv, "--list", NULL }, .out = out },
		      NULL) != 0 ||
	    !(f = fopen(out, "r")))
		die("cannot list the models with %s --list", srv);
	for (int i = 0; i < o->nmodels; i++) {
		bool found = false;
		rewind(f);
		while (!found && fgets(line, sizeof(line), f))
			found = !strncmp(line, o->models[i], strlen(o->models[i])) &&
				strchr(" \t\n", line[strlen(o->models[i])]);
		if (!found)
			die("--models: unknown model '%s' (herdlab models lists them)",
			    o->models[i]);
	}
	fclose(f);
	unlink(out);
}

/* ---- one kernel ---------------------------------------------------------------------------- */

/* Fill @kr->k from the LIST item @item; -1 with @kr->reason if it cannot be run. */
static int prepare(const struct kernels_opts *o, const char *item, struct kresult *kr)
{
	struct kernel *k = &kr->k;
	char why[512] = "";

	snprintf(k->name, sizeof(k->name), "%s", item);
	if (!strcmp(item, "host")) {
		struct utsname u;
		k->host = true;
		uname(&u);
		snprintf(k->release, sizeof(k->release), "%s", u.release);
		if (geteuid() != 0 || access("/sys/kernel/btf/vmlinux", R_OK) < 0) {
			snprintf(kr->reason, sizeof(kr->reason),
				 "tracing on the host needs root and a kernel with BTF");
			return -1;
		}
		return 0;
	}
	if (kfetch_known(item)) {
		if (kfetch_debian(o->cache, k, &stop_signal, why, sizeof(why)) < 0) {
			snprintf(kr->reason, sizeof(kr->reason), "fetch failed: %s", why);
			return -1;
		}
	} else if (strchr(item, '/') || access(item, F_OK) == 0) {
		const char *base = strrchr(item, '/') ? strrchr(item, '/') + 1 : item;
		snprintf(k->name, sizeof(k->name), "%s", base);
		if (!realpath(item, k->vmlinuz)) {
			snprintf(kr->reason, sizeof(kr->reason), "cannot read %s: %m", item);
			return -1;
		}
	} else {
		snprintf(kr->reason, sizeof(kr->reason),
			 "unknown kernel '%s': host, %s, or the path of a vmlinuz", item,
			 kfetch_names());
		return -1;
	}
	/* the image's own word on its release, whichever way it came */
	char release[128];
	if (kimage_release(k->vmlinuz, release, sizeof(release), why, sizeof(why)) < 0) {
		snprintf(kr->reason, sizeof(kr->reason), "%s", why);
		return -1;
	}
	if (k->release[0] && strcmp(release, k->release))
		log_warn("%s: the image says %s, its file name %s", k->name, release, k->release);
	snprintf(k->release, sizeof(k->release), "%s", release);
	if (!k->config[0]) { /* a path: its config beside it, or the machine's */
		char dir[PATH_MAX], cand[PATH_MAX + 160];
		snprintf(dir, sizeof(dir), "%s", k->vmlinuz);
		*strrchr(dir, '/') = 0;
		pathf(cand, "%s/config-%s", dir, release);
		if (access(cand, R_OK) < 0)
			snprintf(cand, sizeof(cand), "/boot/config-%s", release);
		if (access(cand, R_OK) == 0)
			pathf(k->config, "%s", cand);
	}
	return 0;
}

/* The host: herdlab run for each model, natively, into @stage/MODEL. */
static int run_host(const struct kernels_opts *o, struct kresult *kr, const char *stage)
{
	char self[PATH_MAX], dir[PATH_MAX + 64], log[PATH_MAX + 64], workers[16];
	char *argv[KERNELS_MAX_LOAD + 16];
	uint64_t start = clock_now_ns(), deadline = start + (uint64_t)(o->timeout_s * 1e9);
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0) {
		snprintf(kr->reason, sizeof(kr->reason), "cannot find this herdlab: %m");
		return -1;
	}
	self[n] = 0;
	snprintf(workers, sizeof(workers), "%d", o->workers);
	for (int m = 0; m < o->nmodels && !stop_signal; m++) {
		int a = 0;
		bool timed_out;
		kernels_progress("host: %s (%d/%d)", o->models[m], m + 1, o->nmodels);
		pathf(dir, "%s/%s", stage, o->models[m]);
		pathf(log, "%s/%s.log", stage, o->models[m]);
		argv[a++] = self;
		argv[a++] = "run";
		argv[a++] = "--model";
		argv[a++] = (char *)o->models[m];
		argv[a++] = "--workers";
		argv[a++] = workers;
		for (int i = 0; i < o->nload; i++)
			argv[a++] = o->load[i];
		argv[a++] = "--out";
		argv[a++] = dir;
		argv[a] = NULL;
		pid_t pid = spawn_start(&(struct spawn){ .argv = argv,
							 .out = "/dev/null",
							 .err = log,
							 .own_group = true,
							 .death_sig = SIGTERM });
		if (pid < 0)
			continue;
		spawn_wait(pid, &stop_signal, deadline, &timed_out);
		if (timed_out) {
			snprintf(kr->reason, sizeof(kr->reason),
				 "hang: timed out after %.0f s while running %s", o->timeout_s,
				 o->models[m]);
			break;
		}
	}
	kr->duration_s = (double)(clock_now_ns() - start) / 1e9;
	return kr->reason[0] ? -1 : 0;
}

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY | O_CLOEXEC), out;

	if (in < 0)
		return;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	while (out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	if (out >= 0)
		close(out);
	close(in);
}

/* A guest: qemu with the study inside, its results unpacked into @stage. */
static int run_guest(const struct kernels_opts *o, struct kresult *kr, const char *stage,
		     const char *bindir, const char *busybox)
{
	char work[PATH_MAX], from[PATH_MAX + 32], to[PATH_MAX + 32];
	struct guest_result gr;
	int rc;

	pathf(work, "%s/tmp", o->cache);
	if (kernels_mkdirs(work, 0755) < 0 ||
	    (pathf(work, "%s/tmp/guest.XXXXXX", o->cache), !mkdtemp(work))) {
		snprintf(kr->reason, sizeof(kr->reason),
			 "cannot create a work directory in %s/tmp: %m", o->cache);
		return -1;
	}
	struct guest_opts go = {
		.k = &kr->k,
		.models = o->models,
		.nmodels = o->nmodels,
		.load = o->load,
		.nload = o->nload,
		.workers = o->workers,
		.bindir = bindir,
		.busybox = busybox,
		.work = work,
		.out = stage,
		.timeout_s = o->timeout_s,
		.boot_timeout_s = o->boot_timeout_s,
		.stop = &stop_signal,
	};
	rc = guest_run(&go, &gr);
	kr->duration_s = gr.duration_s;
	kr->boot_s = gr.booted ? gr.boot_s : -1;
	snprintf(kr->qemu_cmd, sizeof(kr->qemu_cmd), "%s", gr.qemu_cmd);
	if (rc < 0)
		snprintf(kr->reason, sizeof(kr->reason), "%s", gr.reason);
	pathf(from, "%s/console.log", work);
	pathf(to, "%s/console.log", stage);
	copy_file(from, to);
	struct stat st;
	pathf(from, "%s/qemu.log", work);
	pathf(to, "%s/qemu.log", stage);
	if (stat(from, &st) == 0 && st.st_size > 0)
		copy_file(from, to);
	kernels_rmtree(work);
	return rc;
}

/* Each model's run.json, or why there is none (from its log). */
static void collect(const struct kernels_opts *o, struct kresult *kr, const char *stage)
{
	char path[PATH_MAX + 96], line[256];
	json_error_t err;
	int ok = 0;

	for (int m = 0; m < o->nmodels; m++) {
		pathf(path, "%s/%s/run.json", stage, o->models[m]);
		kr->run[m] = kr->reason[0] && kr->k.host ? NULL : json_load_file(path, 0, &err);
		if (kr->run[m]) {
			ok++;
			/* a guest has no gnuplot: its report and figures are drawn here */
			pathf(path, "%s/%s", stage, o->models[m]);
			if (!kr->k.host && report_files(path) < 0) {
				progress_break();
				log_warn("%s: cannot write the report of %s", kr->k.name, path);
			}
			continue;
		}
		pathf(path, "%s/%s.log", stage, o->models[m]);
		kernels_last_line(path, "herdlab[", line, sizeof(line));
		if (!line[0])
			kernels_last_line(path, NULL, line, sizeof(line));
		/* "herdlab[94]: loading the BPF programs failed: ..." */
		const char *msg = strstr(line, "]: ") ? strstr(line, "]: ") + 3 : line;
		if (kr->reason[0] && !line[0])
			snprintf(kr->model_reason[m], sizeof(kr->model_reason[m]), "%.250s",
				 kr->reason);
		else if (strstr(msg, "BPF"))
			snprintf(kr->model_reason[m], sizeof(kr->model_reason[m]),
				 "probe load failure: %.220s", msg);
		else
			snprintf(kr->model_reason[m], sizeof(kr->model_reason[m]), "%.250s",
				 msg[0] ? msg : "no run directory came back");
	}
	if (kr->reason[0] && !ok) {
		kr->status = K_FAILED;
	} else if (ok == o->nmodels) {
		kr->status = K_OK;
	} else if (!ok) {
		kr->status = K_FAILED;
		for (int m = 0; m < o->nmodels && !kr->reason[0]; m++)
			snprintf(kr->reason, sizeof(kr->reason), "%s: %s", o->models[m],
				 kr->model_reason[m]);
	} else {
		kr->status = K_PARTIAL;
		if (!kr->reason[0])
			for (int m = 0; m < o->nmodels; m++)
				if (!kr->run[m]) {
					snprintf(kr->reason, sizeof(kr->reason),
						 "%d of %d models failed; %s: %s", o->nmodels - ok,
						 o->nmodels, o->models[m], kr->model_reason[m]);
					break;
				}
	}
}

/* ---- metrics out of run.json ----------------------------------------------------------------- */

/* @run's value at the dotted @key as a number; NAN if missing. */
static double num(json_t *run, const char *key)
{
	json_t *j = jsonio_get_path(run, key);

	return json_is_number(j) ? json_number_value(j) : NAN;
}

static const char *str(json_t *run, const char *key)
{
	json_t *k = json_object_get(run, "kernel");
	json_t *s = k ? json_object_get(k, key) : NULL;

	return json_is_string(s) ? json_string_value(s) : NULL;
}

/* Whether a kernel is PREEMPT_RT: its run.json says so, or its name ends in -rt. */
static bool is_rt(const struct kernels_opts *o, const struct kresult *kr)
{
	for (int m = 0; m < o->nmodels; m++) {
		const char *p = kr->run[m] ? str(kr->run[m], "preempt") : NULL;
		if (p)
			return !strcmp(p, "rt");
	}
	size_t n = strlen(kr->k.name);
	return n > 3 && !strcmp(kr->k.name + n - 3, "-rt");
}

static const char *preempt_of(const struct kernels_opts *o, const struct kresult *kr)
{
	for (int m = 0; m < o->nmodels; m++) {
		const char *p = kr->run[m] ? str(kr->run[m], "preempt") : NULL;
		if (p)
			return p;
	}
	return NULL;
}

/* ---- kernels.json ------------------------------------------------------------------------------ */

static json_t *kernels_json(const struct kernels_opts *o, struct kresult *kr, int nk,
			    const char *started, json_t *comparison)
{
	json_t *list = json_array(), *models = json_array(), *load = json_array();
	struct utsname u;

	uname(&u);
	for (int m = 0; m < o->nmodels; m++)
		json_array_append_new(models, json_string(o->models[m]));
	for (int i = 0; i < o->nload; i++)
		json_array_append_new(load, json_string(o->load[i]));
	for (int i = 0; i < nk; i++) {
		struct kresult *r = &kr[i];
		json_t *per = json_object();
		for (int m = 0; m < o->nmodels && r->status != K_NOT_RUN; m++) {
			char dir[160];
			pathf(dir, "%s/%s", r->k.dir, o->models[m]);
			json_object_set_new(
				per, o->models[m],
				r->run[m] ? json_pack("{s:s, s:s}", "status", "ok", "dir", dir)
					  : json_pack("{s:s, s:s}", "status", "failed", "reason",
						      r->model_reason[m]));
		}
		const char *preempt = preempt_of(o, r);
		json_t *k = json_pack(
			"{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:b, s:s, s:s?, s:o, s:o, s:o, "
			"s:s?, s:o}",
			"name", r->k.name, "dir", r->k.dir, "release",
			r->k.release[0] ? r->k.release : NULL, "package",
			r->k.package[0] ? r->k.package : NULL, "version",
			r->k.version[0] ? r->k.version : NULL, "suite",
			r->k.suite[0] ? r->k.suite : NULL, "vmlinuz",
			r->k.vmlinuz[0] && !r->k.package[0] ? r->k.vmlinuz : NULL, "emulated",
			!r->k.host, "status", kstatus_name[r->status], "reason",
			r->reason[0] ? r->reason : NULL, "duration_s",
			r->status == K_NOT_RUN ? json_null() : json_real(r->duration_s), "boot_s",
			r->boot_s > 0 ? json_real(r->boot_s) : json_null(), "models", per, "qemu",
			r->qemu_cmd[0] ? r->qemu_cmd : NULL, "preempt",
			preempt ? json_string(preempt) : json_null());
		json_array_append_new(list, k);
	}
	time_t now = time(NULL);
	char date[32];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	return json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:I}, s:o, s:i, s:o, s:b, s:s, s:f, s:f, "
			 "s:o, s:O}",
			 "herdlab_version", herdlab_version, "started", started, "finished", date,
			 "host", "release", u.release, "machine", u.machine, "cpus",
			 (json_int_t)sysconf(_SC_NPROCESSORS_ONLN), "models", models, "workers",
			 o->workers, "load", load, "load_scaled", false, "guest_machine",
			 "qemu-system-x86_64 -accel tcg,thread=multi -cpu max -smp 2 -m 1024",
			 "timeout_s", o->timeout_s, "boot_timeout_s", o->boot_timeout_s, "kernels",
			 list, "comparison", comparison ? comparison : json_null());
}

/* ---- the comparison: herdlab compare over the run directories ------------------------------- */

/* compare_write() over every run directory into comparison.EXT; what it wrote, or why not. */
static json_t *compare(const struct kernels_opts *o, struct kresult *kr, int nk, const char *out)
{
	static const struct {
		enum doc_format fmt;
		const char *file;
	} formats[] = { { DOC_TEXT, "comparison.txt" },
			{ DOC_MD, "comparison.md" },
			{ DOC_HTML, "comparison.html" } };
	struct rundir *runs = calloc((size_t)(o->nmodels * nk) + 1, sizeof(*runs));
	char path[PATH_MAX + 32], plots[PATH_MAX + 8];
	json_t *files = json_object();
	int nd = 0, err = !runs || !files;

	/* model by model, each model's kernels side by side */
	for (int m = 0; m < o->nmodels && !err; m++)
		for (int i = 0; i < nk && !err; i++) {
			if (!kr[i].run[m])
				continue;
			pathf(path, "%s/%s/%s", out, kr[i].k.dir, o->models[m]);
			err = rundir_load(&runs[nd], path, false) < 0;
			nd += !err;
		}
	if (!err && !nd) {
		json_decref(files);
		files = json_pack("{s:s}", "error", "no run directory to compare");
	}
	pathf(plots, "%s/plots", out);
	for (size_t f = 0; !err && nd && f < sizeof(formats) / sizeof(formats[0]); f++) {
		struct outfile of;
		kernels_progress("the comparison: %s", formats[f].file);
		pathf(path, "%s/%s", out, formats[f].file);
		err = outfile_open(&of, path) < 0 ||
		      outfile_close(&of, compare_write(runs, (size_t)nd, formats[f].fmt, of.f,
						       plots, "plots") == 0) < 0;
		if (!err)
			json_object_set_new(files,
					    formats[f].fmt == DOC_TEXT ? "text"
					    : formats[f].fmt == DOC_MD ? "md"
								       : "html",
					    json_string(formats[f].file));
	}
	for (int d = 0; d < nd; d++)
		rundir_free(&runs[d]);
	free(runs);
	if (err) {
		json_decref(files);
		progress_break();
		log_warn("no comparison table; the run directories are complete: compare them "
			 "later with 'herdlab compare %s/*/*'",
			 out);
		return json_pack("{s:s}", "error", "the comparison could not be written");
	}
	return files;
}

/* ---- kernels.md: what changes between kernels, from the numbers ------------------------------- */

struct md {
	const struct kernels_opts *o;
	struct kresult *kr;
	int nk;
	const char *started;
	json_t *comparison;
	const char *out;
};

static int model_index(const struct kernels_opts *o, const char *model)
{
	for (int m = 0; m < o->nmodels; m++)
		if (!strcmp(o->models[m], model))
			return m;
	return -1;
}

/* The ratio of two of a run's numbers (NAN if either is missing or the divisor is 0). */
static double ratio(json_t *run, const char *a, const char *b)
{
	double x = num(run, a), y = num(run, b);

	return run && y > 0 ? x / y : NAN;
}

/*
 * "host 7.90, 5.10 7.61, ..." for @model's @key (divided by @per, when not
 * NULL) on every kernel that ran it; the count of values.
 */
static int series(const struct md *d, int m, const char *key, const char *per, int prec,
		  const char *unit, double scale, char *buf, size_t len, double *min, double *max)
{
	int n = 0;

	buf[0] = 0;
	*min = INFINITY, *max = -INFINITY;
	for (int i = 0; m >= 0 && i < d->nk; i++) {
		json_t *run = d->kr[i].run[m];
		double v = (per ? ratio(run, key, per) : run ? num(run, key) : NAN) * scale;
		if (isnan(v))
			continue;
		char one[64];
		snprintf(one, sizeof(one), "%.*f%s", prec, v, unit);
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s %s", n ? ", " : "",
			 d->kr[i].k.name, one);
		*min = fmin(*min, v), *max = fmax(*max, v);
		n++;
	}
	return n;
}

#define HF "trace.accept.wakeups_per_accept"

/* "on every kernel" when @n kernels ran it, "on the one kernel" otherwise. */
static const char *everywhere(int n)
{
	return n > 1 ? "on every kernel" : "on the one kernel that ran it";
}

static void find_herd(FILE *f, const struct md *d)
{
	char s[1024], fut[1024];
	double lo, hi, flo, fhi;
	int m = model_index(d->o, "prefork-epoll");
	int n = series(d, m, HF, NULL, 2, "", 1, s, sizeof(s), &lo, &hi);

	if (!n)
		return;
	series(d, m, "trace.accept.futile_wakeups", "trace.accept.wakeups", 0, "%", 100, fut,
	       sizeof(fut), &flo, &fhi);
	if (lo >= 3) {
		fprintf(f,
			"- **The herd is there %s.** prefork-epoll (each worker its own "
			"level-triggered epoll on the shared listener) woke %s tasks per accepted "
			"connection; %s of those wakeups were futile (the worker found nothing to "
			"accept and slept again). Every worker's epoll waits on the listener's "
			"wait "
			"queue as a non-exclusive waiter, so a new connection wakes all the idle "
			"ones and only one of them gets it.",
			everywhere(n), s, fut);
		if (n > 1 && hi / lo < 1.15)
			fprintf(f, " The factor hardly moves between kernels (%.2f to %.2f).", lo,
				hi);
		else if (n > 1)
			fprintf(f,
				" How many wake varies (%.2f to %.2f): it is the number of "
				"workers idle in epoll_wait when a connection arrives, which "
				"depends on how fast each machine serves the load.",
				lo, hi);
		fprintf(f, "\n");
	} else if (hi >= 3) {
		fprintf(f,
			"- **The herd differs between kernels:** prefork-epoll woke %s tasks per "
			"accepted connection.\n",
			s);
	} else {
		fprintf(f,
			"- prefork-epoll woke %s tasks per accepted connection: no herd was "
			"measured.\n",
			s);
	}
}

static void find_exclusive(FILE *f, const struct md *d)
{
	char s[1024], r[1024] = "";
	double lo, hi;
	int m = model_index(d->o, "prefork-epoll-exclusive"),
	    e = model_index(d->o, "prefork-epoll");
	int n = series(d, m, HF, NULL, 2, "", 1, s, sizeof(s), &lo, &hi);

	if (!n)
		return;
	/* the reduction, where the workers did sleep (see find_no_sleep for the others) */
	double rlo = INFINITY, rhi = -INFINITY;
	for (int i = 0; e >= 0 && i < d->nk; i++) {
		double a = d->kr[i].run[e] ? num(d->kr[i].run[e], HF) : NAN;
		double b = d->kr[i].run[m] ? num(d->kr[i].run[m], HF) : NAN;
		if (a > 0 && b >= 0.5)
			rlo = fmin(rlo, a / b), rhi = fmax(rhi, a / b);
	}
	if (isfinite(rlo) && rhi / rlo < 1.05)
		snprintf(r, sizeof(r), ", %.1f times fewer wakeups than without the flag", rlo);
	else if (isfinite(rlo))
		snprintf(r, sizeof(r), ", %.1f to %.1f times fewer wakeups than without the flag",
			 rlo, rhi);
	if (hi <= 1.5)
		fprintf(f,
			"- **EPOLLEXCLUSIVE** (Linux 4.5) holds it down %s: %s tasks per "
			"connection%s. With the flag each epoll entry is an exclusive waiter on "
			"the "
			"listener, and a new connection wakes one of them.%s\n",
			everywhere(n), s, r,
			hi > 1.05
				? " (Above 1: the kernel promises to wake \"one or more\" "
				  "exclusive waiters, and a worker woken for a connection another "
				  "worker took is futile.)"
				: "");
	else
		fprintf(f,
			"- **EPOLLEXCLUSIVE did not hold the herd down everywhere:** %s tasks per "
			"connection%s.\n",
			s, r);
	char jain[1024];
	double jlo, jhi;
	if (series(d, m, "trace.accept.fairness.jain", NULL, 2, "", 1, jain, sizeof(jain), &jlo,
		   &jhi) &&
	    jhi < 0.8)
		fprintf(f,
			"- **EPOLLEXCLUSIVE is unfair:** Jain's index over the workers' accepts "
			"%s. A new connection walks the listener's wait queue in order and wakes "
			"the first worker whose epoll has a waiter, so the workers that registered "
			"first take most connections whenever they are idle.\n",
			jain);
}

static void find_accept(FILE *f, const struct md *d)
{
	char s[1024];
	double lo, hi;
	int m = model_index(d->o, "prefork");
	int n = series(d, m, HF, NULL, 2, "", 1, s, sizeof(s), &lo, &hi);

	if (!n)
		return;
	if (hi <= 1.2)
		fprintf(f,
			"- **Wake-one accept:** blocking accept (prefork) woke %s tasks per "
			"connection. accept(2) sleeps as an exclusive waiter on the listening "
			"socket (wake-one since Linux 2.6): blocking accept has no herd %s.\n",
			s, n > 1 ? "on any kernel here" : "here");
	else
		fprintf(f,
			"- **Blocking accept woke more than one task per connection on some "
			"kernels:** %s.\n",
			s);
}

/* Herd factors far below 1: the workers did not sleep, so nothing was woken. */
static void find_no_sleep(FILE *f, const struct md *d)
{
	char list[2048] = "";

	for (int m = 0; m < d->o->nmodels; m++)
		for (int i = 0; i < d->nk; i++) {
			json_t *run = d->kr[i].run[m];
			double h = num(run, HF), sw = num(run, "trace.sched.switches_per_request");
			if (!run || !(h < 0.5) || !(sw < 0.5))
				continue;
			snprintf(list + strlen(list), sizeof(list) - strlen(list),
				 "%s%s on %s (%.2f wakeups, %.2f switches per request)",
				 list[0] ? "; " : "", d->o->models[m], d->kr[i].k.name, h, sw);
		}
	if (list[0])
		fprintf(f,
			"- **Herd factors far below 1** mean the workers hardly slept: %s. A "
			"worker back from serving one connection found the next one already "
			"queued and took it without blocking, so there was no one to wake. How "
			"often that happens depends on timing (here, the emulated CPUs and the "
			"scheduler), not on the wake-up rules.\n",
			list);
}

static void find_mutex(FILE *f, const struct md *d)
{
	char s[1024], l[1024];
	double lo, hi, llo, lhi;
	int m = model_index(d->o, "prefork-mutex");

	if (series(d, m, HF, NULL, 2, "", 1, s, sizeof(s), &lo, &hi) == 0)
		return;
	series(d, m, "trace.accept.wakeups_by_wait.lock", "trace.accept.accepted", 2, "", 1, l,
	       sizeof(l), &llo, &lhi);
	fprintf(f,
		"- **A mutex around accept** (prefork-mutex) woke %s tasks per connection, of "
		"them %s for the lock: unlocking hands the mutex to one waiter, which then "
		"sleeps in accept.%s\n",
		s, l,
		hi / lo > 1.25 ? " The lock's share differs between kernels: how often the "
				 "holder releases it with a waiter queued depends on timing."
			       : "");
}

static void find_reuseport(FILE *f, const struct md *d)
{
	char s[1024], j[1024];
	double lo, hi, jlo, jhi;
	int m = model_index(d->o, "prefork-reuseport");

	if (series(d, m, HF, NULL, 2, "", 1, s, sizeof(s), &lo, &hi) == 0)
		return;
	series(d, m, "trace.accept.fairness.jain", NULL, 3, "", 1, j, sizeof(j), &jlo, &jhi);
	fprintf(f,
		"- **SO_REUSEPORT** gives each worker its own listener, and the kernel hashes each "
		"connection to one of them: %s tasks woken per connection; fairness (Jain's "
		"index over the workers) %s.%s\n",
		s, j,
		jlo < 0.9 ? " The hash of the client's address and port does not spread a few "
			    "thousand connections evenly: some workers get more."
			  : "");
}

/* Guests against the host: which numbers compare. */
static void find_emulation(FILE *f, const struct md *d)
{
	double host = NAN, g = 0;
	int ng = 0;

	for (int i = 0; i < d->nk; i++)
		for (int m = 0; m < d->o->nmodels; m++) {
			double v = d->kr[i].run[m] ? num(d->kr[i].run[m],
							 "client.throughput.requests_per_s")
						   : NAN;
			if (isnan(v))
				continue;
			if (d->kr[i].k.host)
				host = isnan(host) ? v : fmax(host, v);
			else
				g += v, ng++;
		}
	if (!ng)
		return;
	fprintf(f, "- **Counts compare across kernels, times do not.** The guests run under qemu's "
		   "TCG emulation (no KVM)");
	if (!isnan(host))
		fprintf(f,
			", about %.0f times slower than the host here (%.0f requests/s at "
			"best on the host, %.0f on average in the guests)",
			host / (g / ng), host, g / ng);
	fprintf(f, ". Per-connection counts (wakeups per accept, futile wakeups, switches per "
		   "request) depend on the kernel's wait queues and compare; latencies, "
		   "requests/s, fork and first-run latency measure the emulator as much as the "
		   "kernel and compare only between guests.\n");
}

/*
 * What differs between the non-RT guests, model by model: the same emulated
 * machine under each, so a difference is the kernel's (the host is another
 * machine, and the RT kernels have their own paragraph).
 */
static void find_versions(FILE *f, const struct md *d)
{
	char changed[2048] = "", same[1024] = "";
	int nver = 0;

	for (int i = 0; i < d->nk; i++)
		nver += (d->kr[i].status == K_OK || d->kr[i].status == K_PARTIAL) &&
			!d->kr[i].k.host && !is_rt(d->o, &d->kr[i]);
	if (nver < 2)
		return;
	for (int m = 0; m < d->o->nmodels; m++) {
		double lo = INFINITY, hi = -INFINITY;
		const char *klo = NULL, *khi = NULL;
		for (int i = 0; i < d->nk; i++) {
			double v = d->kr[i].run[m] ? num(d->kr[i].run[m], HF) : NAN;
			if (isnan(v) || d->kr[i].k.host || is_rt(d->o, &d->kr[i]))
				continue;
			if (v < lo)
				lo = v, klo = d->kr[i].k.name;
			if (v > hi)
				hi = v, khi = d->kr[i].k.name;
		}
		if (!klo || klo == khi)
			continue;
		if (hi - lo <= fmax(0.15, 0.15 * hi))
			snprintf(same + strlen(same), sizeof(same) - strlen(same),
				 "%s%s (%.2f-%.2f)", same[0] ? ", " : "", d->o->models[m], lo, hi);
		else
			snprintf(changed + strlen(changed), sizeof(changed) - strlen(changed),
				 "%s%s: %.2f on %s, %.2f on %s", changed[0] ? "; " : "",
				 d->o->models[m], lo, klo, hi, khi);
	}
	if (same[0])
		fprintf(f,
			"- **Across kernel versions** (the non-RT guests, one emulated machine) "
			"the "
			"herd factor stays within 15%%: %s. The wake-up rules these models meet "
			"(exclusive waiters for accept and EPOLLEXCLUSIVE, non-exclusive epoll "
			"entries, one socket per SO_REUSEPORT worker) have not changed between "
			"these releases.\n",
			same);
	if (changed[0])
		fprintf(f,
			"- **Herd factors that differ between kernel versions** (the non-RT "
			"guests): %s. A single run each: repeat before reading a kernel's "
			"change into it.\n",
			changed);
}

/* An RT kernel against its non-RT twin: same release but for "-rt", or name without "-rt". */
static void find_rt(FILE *f, const struct md *d)
{
	for (int i = 0; i < d->nk; i++) {
		const struct kresult *rt = &d->kr[i], *base = NULL;
		if (!is_rt(d->o, rt) || rt->status == K_FAILED || rt->status == K_NOT_RUN)
			continue;
		char want[128];
		snprintf(want, sizeof(want), "%s", rt->k.name);
		if (strlen(want) > 3 && !strcmp(want + strlen(want) - 3, "-rt"))
			want[strlen(want) - 3] = 0;
		for (int j = 0; j < d->nk && !base; j++)
			if (j != i && !strcmp(d->kr[j].k.name, want) && !is_rt(d->o, &d->kr[j]) &&
			    (d->kr[j].status == K_OK || d->kr[j].status == K_PARTIAL))
				base = &d->kr[j];
		if (!base) {
			fprintf(f,
				"- **PREEMPT_RT** (%s): no non-RT %s kernel ran beside it to "
				"compare with.\n",
				rt->k.name, want);
			continue;
		}
		char sw[1024] = "", inv[1024] = "", herd[1024] = "", big[160] = "";
		int more = 0, less = 0, imore = 0, n = 0, hsame = 0, hnear = 0;
		double bigr = 0;
		for (int m = 0; m < d->o->nmodels; m++) {
			json_t *a = base->run[m], *b = rt->run[m];
			double sa = num(a, "trace.sched.switches_per_request"),
			       sb = num(b, "trace.sched.switches_per_request");
			double ia = ratio(a, "trace.sched.involuntary", "trace.sched.switches"),
			       ib = ratio(b, "trace.sched.involuntary", "trace.sched.switches");
			double ha = num(a, HF), hb = num(b, HF);
			if (!a || !b || isnan(sa) || isnan(sb))
				continue;
			n++;
			more += sb > sa * 1.1;
			less += sb < sa / 1.1;
			imore += ib > ia * 1.2 && ib - ia > 0.02;
			hsame += fabs(hb - ha) <= fmax(0.1, 0.1 * fmax(ha, hb));
			hnear += fabs(hb - ha) <= fmax(0.25, 0.25 * fmax(ha, hb));
			if (sa > 0 && sb > 0 && fmax(sb / sa, sa / sb) > bigr) {
				bigr = fmax(sb / sa, sa / sb);
				snprintf(big, sizeof(big), "%s %.2f -> %.2f", d->o->models[m], sa,
					 sb);
			}
			snprintf(sw + strlen(sw), sizeof(sw) - strlen(sw), "%s%s %.2f -> %.2f",
				 sw[0] ? ", " : "", d->o->models[m], sa, sb);
			snprintf(inv + strlen(inv), sizeof(inv) - strlen(inv),
				 "%s%s %.0f%% -> %.0f%%", inv[0] ? ", " : "", d->o->models[m],
				 100 * ia, 100 * ib);
			snprintf(herd + strlen(herd), sizeof(herd) - strlen(herd),
				 "%s%s %.2f -> %.2f", herd[0] ? ", " : "", d->o->models[m], ha, hb);
		}
		if (!n)
			continue;
		fprintf(f,
			"- **PREEMPT_RT** (%s, %s) against %s (%s): context switches per "
			"request %s; involuntary share of the switches %s.",
			rt->k.name, rt->k.release, base->k.name, base->k.release, sw, inv);
		if (more > n / 2)
			fprintf(f, " The RT kernel switches more per request in %d of %d models.",
				more, n);
		else if (less > n / 2)
			fprintf(f, " The RT kernel switches less per request in %d of %d models.",
				less, n);
		else
			fprintf(f,
				" Switches per request do not move the same way in every model "
				"(the largest change: %s).",
				big);
		if (imore > n / 2)
			fprintf(f,
				" The workers were preempted more often: consistent with RT "
				"running interrupt and softirq work (here, the loopback's packet "
				"receive) in kernel threads that preempt them, and with its "
				"sleeping spinlocks.");
		if (hsame == n)
			fprintf(f,
				" The herd factors stay the same (%s): who is woken is decided "
				"by the wait queues, not by the preemption model.\n",
				herd);
		else if (hnear == n)
			fprintf(f,
				" The herd factors change little (%s): the wait queues decide who "
				"is woken; how many of a herd are idle when a connection arrives "
				"depends on timing, which RT changes.\n",
				herd);
		else
			fprintf(f, " Herd factors differ: %s.\n", herd);
	}
}

static int fill_md(FILE *f, void *arg)
{
	const struct md *d = arg;
	const struct kernels_opts *o = d->o;
	int ok = 0;

	fprintf(f, "# The herd study across kernels\n\n");
	fprintf(f, "`herdlab kernels`, %s (herdlab %s). Models: ", d->started,
		o->version ? o->version : herdlab_version);
	for (int m = 0; m < o->nmodels; m++)
		fprintf(f, "%s%s", m ? ", " : "", o->models[m]);
	fprintf(f,
		"; %d workers each; load: herdload %s (a new connection per request). Guests: "
		"qemu-system-x86_64 TCG, 2 vCPUs, 1 GiB, a busybox initramfs with the static "
		"herdlab, herdsrv and herdload.\n\n",
		o->workers, o->load_arg);
	fprintf(f, "| kernel | release | package | preempt | HZ | status | boot s | run s |\n"
		   "|---|---|---|---|---:|---|---:|---:|\n");
	for (int i = 0; i < d->nk; i++) {
		const struct kresult *r = &d->kr[i];
		const char *pre = preempt_of(o, r);
		double hz = NAN;
		for (int m = 0; m < o->nmodels && isnan(hz); m++)
			hz = r->run[m] ? num(r->run[m], "kernel.hz") : NAN;
		char boot[32] = "-", hzs[16] = "-";
		if (r->boot_s > 0)
			snprintf(boot, sizeof(boot), "%.1f", r->boot_s);
		if (!isnan(hz))
			snprintf(hzs, sizeof(hzs), "%.0f", hz);
		fprintf(f, "| %s | %s | %s%s%s | %s | %s | %s%s%s | %s | %.0f |\n", r->k.name,
			r->k.release[0] ? r->k.release : "-",
			r->k.host	  ? "(the host's own)"
			: r->k.package[0] ? r->k.package
					  : "(a path)",
			r->k.version[0] ? " " : "", r->k.version, pre ? pre : "-", hzs,
			kstatus_name[r->status], r->reason[0] ? ": " : "", r->reason, boot,
			r->duration_s);
		ok += r->status == K_OK || r->status == K_PARTIAL;
	}
	fprintf(f, "\n## What changes between kernels\n\n");
	if (!ok) {
		fprintf(f, "No kernel produced results.\n");
	} else {
		fprintf(f,
			"From the numbers in each run's run.json (trace.accept.wakeups_per_accept "
			"is the herd factor: tasks woken per accepted connection). One run per "
			"kernel and model: a difference of a few tens of percent between two "
			"kernels can be the spread between two runs of one (`herdlab run "
			"--repeat` measures it).\n\n");
		find_herd(f, d);
		find_exclusive(f, d);
		find_accept(f, d);
		find_no_sleep(f, d);
		find_mutex(f, d);
		find_reuseport(f, d);
		find_versions(f, d);
		find_rt(f, d);
		find_emulation(f, d);
		for (int i = 0; i < d->nk; i++)
			if (d->kr[i].status == K_FAILED)
				fprintf(f, "- **%s failed:** %s.\n", d->kr[i].k.name,
					d->kr[i].reason);
	}
	fprintf(f, "\n## Comparison\n\n");
	json_t *err = json_object_get(d->comparison, "error");
	if (err) {
		fprintf(f,
			"No table: %s. Each kernel's run directories are complete: `herdlab "
			"compare KERNEL/MODEL ...` compares them.\n",
			json_string_value(err));
	} else {
		char path[PATH_MAX + 32], line[4096];
		FILE *c;
		pathf(path, "%s/comparison.md", d->out);
		fprintf(f, "`herdlab compare` over every run (also comparison.txt, "
			   "comparison.html):\n\n");
		if ((c = fopen(path, "r"))) {
			while (fgets(line, sizeof(line), c))
				fputs(line, f);
			fclose(c);
		}
	}
	fprintf(f, "\nPer kernel: KERNEL/MODEL/ is herdlab run's directory (run.json, CSVs), "
		   "KERNEL/MODEL.log its output, KERNEL/console.log the guest's console; "
		   "kernels.json says what ran where.\n");
	return ferror(f) ? -1 : 0;
}

/* ---- the command --------------------------------------------------------------------------- */

static void kernel_dir(struct kresult *kr, int i)
{
	char *d = kr[i].k.dir;

	snprintf(d, sizeof(kr[i].k.dir), "%s", kr[i].k.name);
	for (char *p = d; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-",
			    *p))
			*p = '_';
	if (d[0] == '.')
		d[0] = '_';
	for (int j = 0; j < i; j++)
		if (!strcmp(kr[j].k.dir, d)) {
			snprintf(d + strlen(d), sizeof(kr[i].k.dir) - strlen(d), "-%d", i + 1);
			break;
		}
}

static void save_json(const struct kernels_opts *o, struct kresult *kr, int nk, const char *out,
		      const char *started, json_t *comparison)
{
	if (o->original) { /* --report-only: the run's record, with the new comparison */
		char path[PATH_MAX + 32], date[32];
		time_t now = time(NULL);
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
		json_object_set(o->original, "comparison", comparison ? comparison : json_null());
		json_object_set_new(
			o->original, "report_rewritten",
			json_pack("{s:s, s:s}", "date", date, "herdlab_version", herdlab_version));
		pathf(path, "%s/kernels.json", out);
		if (jsonio_save(o->original, path) < 0)
			log_warn("cannot write %s: %m", path);
		return;
	}
	char path[PATH_MAX + 32];
	json_t *j = kernels_json(o, kr, nk, started, comparison);

	pathf(path, "%s/kernels.json", out);
	if (jsonio_save(j, path) < 0) {
		progress_break();
		log_warn("cannot write %s: %m", path);
	}
	json_decref(j);
}

/* The comparison, kernels.json with it, and kernels.md (also printed). */
static void finish(const struct kernels_opts *o, struct kresult *kr, int nk, const char *out,
		   const char *started)
{
	json_t *comparison = compare(o, kr, nk, out);
	progress_break();
	if (stop_signal) { /* during the comparison: the kernels are all there */
		json_decref(comparison);
		comparison = json_pack("{s:s}", "error", "interrupted");
	}
	save_json(o, kr, nk, out, started, comparison);
	char md_path[PATH_MAX + 32];
	struct md d = { o, kr, nk, started, comparison, out };
	pathf(md_path, "%s/kernels.md", out);
	if (jsonio_save_with(md_path, fill_md, &d) < 0)
		log_warn("cannot write %s: %m", md_path);
	else
		fill_md(stdout, &d);
	json_decref(comparison);
	for (int i = 0; i < nk; i++)
		for (int m = 0; m < o->nmodels; m++)
			json_decref(kr[i].run[m]);
}

/* A string member of @obj, or "". */
static const char *jstr(json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));

	return v ? v : "";
}

/* --report-only: the kernels as kernels.json has them, their runs from OUT. */
static int report_only(struct kernels_opts *o, const char *out)
{
	static struct kresult kr[MAX_KERNELS];
	static char load_arg[1024], started[32];
	char path[PATH_MAX + 32];
	json_error_t err;
	json_t *j, *v;
	size_t i;
	int nk = 0;

	pathf(path, "%s/kernels.json", out);
	if (!(j = json_load_file(path, 0, &err)))
		die("cannot read %s: %s", path, err.text);
	o->nmodels = o->nload = 0;
	json_array_foreach(json_object_get(j, "models"), i,
			   v) if (json_is_string(v) && o->nmodels < KERNELS_MAX_MODELS)
		o->models[o->nmodels++] = json_string_value(v);
	json_array_foreach(json_object_get(j, "load"), i,
			   v) if (json_is_string(v) && o->nload < KERNELS_MAX_LOAD)
	{
		o->load[o->nload++] = (char *)json_string_value(v);
		snprintf(load_arg + strlen(load_arg), sizeof(load_arg) - strlen(load_arg), "%s%s",
			 i ? " " : "", json_string_value(v));
	}
	o->load_arg = load_arg;
	if (json_number_value(json_object_get(j, "timeout_s")) > 0)
		o->timeout_s = json_number_value(json_object_get(j, "timeout_s"));
	if (json_number_value(json_object_get(j, "boot_timeout_s")) > 0)
		o->boot_timeout_s = json_number_value(json_object_get(j, "boot_timeout_s"));
	if (json_integer_value(json_object_get(j, "workers")))
		o->workers = (int)json_integer_value(json_object_get(j, "workers"));
	snprintf(started, sizeof(started), "%s", jstr(j, "started"));
	json_array_foreach(json_object_get(j, "kernels"), i, v)
	{
		struct kresult *r = &kr[nk];
		if (nk == MAX_KERNELS)
			break;
		snprintf(r->k.name, sizeof(r->k.name), "%s", jstr(v, "name"));
		snprintf(r->k.dir, sizeof(r->k.dir), "%s", jstr(v, "dir"));
		snprintf(r->k.release, sizeof(r->k.release), "%s", jstr(v, "release"));
		snprintf(r->k.package, sizeof(r->k.package), "%s", jstr(v, "package"));
		snprintf(r->k.version, sizeof(r->k.version), "%s", jstr(v, "version"));
		snprintf(r->k.suite, sizeof(r->k.suite), "%s", jstr(v, "suite"));
		snprintf(r->reason, sizeof(r->reason), "%s", jstr(v, "reason"));
		snprintf(r->qemu_cmd, sizeof(r->qemu_cmd), "%s", jstr(v, "qemu"));
		r->k.host = !json_is_true(json_object_get(v, "emulated"));
		r->duration_s = json_number_value(json_object_get(v, "duration_s"));
		r->boot_s = json_is_number(json_object_get(v, "boot_s"))
				    ? json_number_value(json_object_get(v, "boot_s"))
				    : -1;
		r->status = K_NOT_RUN;
		for (int s = 0; s < 4; s++)
			if (!strcmp(jstr(v, "status"), kstatus_name[s]))
				r->status = (enum kstatus)s;
		for (int m = 0; m < o->nmodels && r->status != K_NOT_RUN; m++) {
			json_t *mm = json_object_get(json_object_get(v, "models"), o->models[m]);
			pathf(path, "%s/%s/%s/run.json", out, r->k.dir, o->models[m]);
			r->run[m] = json_load_file(path, 0, &err);
			snprintf(r->model_reason[m], sizeof(r->model_reason[m]), "%s",
				 *jstr(mm, "reason") ? jstr(mm, "reason") : "no run.json");
		}
		nk++;
	}
	if (!nk)
		die("%s lists no kernel", path);
	progress.start = clock_now_ns();
	progress.total = progress.index = nk;
	o->original = j;
	o->version = jstr(j, "herdlab_version");
	finish(o, kr, nk, out, started);
	json_decref(j); /* after finish: o->models point into it */
	return stop_signal ? 130 : 0;
}

int cmd_kernels(int argc, char **argv)
{
	struct kernels_opts o = { 0 };
	char out[PATH_MAX], out_abs[PATH_MAX], cache[PATH_MAX], bindir[PATH_MAX] = "",
								busybox[PATH_MAX] = "";
	char *items[MAX_KERNELS], started[32];
	static struct kresult kr[MAX_KERNELS];
	time_t now = time(NULL);
	bool guests = false;
	int nk;

	parse(argc, argv, &o);
	if (o.report_only) {
		if (!o.out)
			die("--report-only needs --out DIR, a directory herdlab kernels wrote");
		return report_only(&o, o.out);
	}
	nk = split(o.kernels_arg, ",", items, MAX_KERNELS, "kernels");
	if (!nk)
		die("--kernels: no kernel given");
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	if (o.out) {
		snprintf(out, sizeof(out), "%s", o.out);
	} else {
		char stamp[32];
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", gmtime(&now));
		snprintf(out, sizeof(out), "runs/kernels-%s", stamp);
	}
	if (o.cache) {
		snprintf(cache, sizeof(cache), "%s", o.cache);
	} else {
		const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
		if (xdg && *xdg)
			pathf(cache, "%s/herdlab", xdg);
		else
			pathf(cache, "%s/.cache/herdlab", home ? home : "/root");
	}
	if (kernels_mkdirs(cache, 0755) < 0 || !realpath(cache, out_abs))
		die("cannot create the cache directory %s: %m", cache);
	pathf(cache, "%s", out_abs);
	o.cache = cache;
	for (int i = 0; i < nk; i++)
		guests |= strcmp(items[i], "host") != 0;

	if (guests) {
		if (find_static(&o, bindir, sizeof(bindir)) < 0 ||
		    find_busybox(busybox, sizeof(busybox)) < 0)
			return 1;
		if (!in_path("qemu-system-x86_64")) {
			log_warn("qemu-system-x86_64 is not installed (Debian: qemu-system-x86; "
				 "'make deps' installs it)");
			return 1;
		}
		check_fresh(bindir);
	}
	if (kernels_mkdirs(out, 0755) < 0)
		die("cannot create %s: %m", out);
	if (!guests && path_sibling(bindir, sizeof(bindir), ".") < 0)
		die("cannot find herdsrv beside herdlab");
	check_models(&o, bindir, out);

	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	progress.start = clock_now_ns();
	progress.total = nk;
	progress.tty = isatty(STDERR_FILENO);

	for (int i = 0; i < nk; i++) {
		snprintf(kr[i].k.name, sizeof(kr[i].k.name), "%s", items[i]);
		kr[i].boot_s = -1;
	}
	for (int i = 0; i < nk && !stop_signal; i++) {
		struct kresult *r = &kr[i];
		char stage[PATH_MAX + 80], final[PATH_MAX + 80];
		uint64_t t0 = clock_now_ns();

		progress.index = i + 1;
		kernels_progress("%s: preparing", items[i]);
		int rc = prepare(&o, items[i], r);
		kernel_dir(kr, i);
		pathf(stage, "%s/.%s.tmp", out, r->k.dir);
		pathf(final, "%s/%s", out, r->k.dir);
		kernels_rmtree(stage);
		if (kernels_mkdirs(stage, 0755) < 0)
			die("cannot create %s: %m", stage);
		if (rc == 0 && !stop_signal)
			rc = r->k.host ? run_host(&o, r, stage)
				       : run_guest(&o, r, stage, bindir, busybox);
		if (stop_signal) {
			kernels_rmtree(stage);
			r->status = K_NOT_RUN;
			break;
		}
		if (!r->duration_s)
			r->duration_s = (double)(clock_now_ns() - t0) / 1e9;
		collect(&o, r, stage);
		if (kernels_rmtree(final) < 0 || rename(stage, final) < 0) {
			progress_break();
			log_warn("cannot replace %s: %m", final);
		}
		progress_break();
		if (r->status == K_OK)
			log_info("%s (%s): ok, %d models in %.0f s", r->k.name, r->k.release,
				 o.nmodels, r->duration_s);
		else
			log_warn("%s%s%s: %s: %s", r->k.name, r->k.release[0] ? " " : "",
				 r->k.release, kstatus_name[r->status], r->reason);
		save_json(&o, kr, nk, out, started, NULL);
	}

	int ok = 0;
	for (int i = 0; i < nk; i++)
		ok += kr[i].status == K_OK || kr[i].status == K_PARTIAL;
	if (stop_signal) {
		progress_break();
		save_json(&o, kr, nk, out, started, NULL);
		log_warn("interrupted: the kernels that finished are in %s", out);
		for (int i = 0; i < nk; i++)
			for (int m = 0; m < o.nmodels; m++)
				json_decref(kr[i].run[m]);
		return 130;
	}
	finish(&o, kr, nk, out, started);
	fprintf(stderr, "%s: %d of %d kernels ran; results in %s\n", log_prog(), ok, nk, out);
	return stop_signal ? 130 : ok ? 0 : 1;
}
