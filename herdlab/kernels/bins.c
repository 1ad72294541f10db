/* SPDX-License-Identifier: MIT */
/*
 * bins.c - the programs a matrix needs, found before the first kernel runs
 * (matrix.h), so that a missing one fails at once and not after a download.
 *
 * A guest boots a busybox initramfs with no libraries in it: herdlab, herdsrv,
 * herdload and busybox must be statically linked, which is read from the ELF
 * program headers (no PT_INTERP). They come from --static, build/static beside
 * this herdlab, or this herdlab's own directory; a static build older than this
 * herdlab is said, since the guests would test stale code. The models asked for
 * are checked against `herdsrv --list`.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernels/matrix.h"
#include "log.h"
#include "path.h"
#include "spawn.h"

#define QEMU "qemu-system-x86_64"

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

	if (path_self_exe(self, sizeof(self)) < 0)
		return;
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

int kernels_find_bins(struct kernels_opts *o, bool guests)
{
	if (!guests) {
		if (path_sibling(o->bindir, sizeof(o->bindir), ".") < 0)
			die("cannot find herdsrv beside herdlab");
		return 0;
	}
	if (find_static(o, o->bindir, sizeof(o->bindir)) < 0 ||
	    find_busybox(o->busybox, sizeof(o->busybox)) < 0)
		return -1;
	if (!in_path(QEMU)) {
		log_warn(QEMU
			 " is not installed (Debian: qemu-system-x86; 'make deps' installs it)");
		return -1;
	}
	check_fresh(o->bindir);
	return 0;
}

void kernels_check_models(const struct kernels_opts *o, const char *tmpdir)
{
	char srv[PATH_MAX + 16], out[PATH_MAX + 16], line[256];
	FILE *f;

	pathf(srv, "%s/herdsrv", o->bindir);
	pathf(out, "%s/models.txt", tmpdir);
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
