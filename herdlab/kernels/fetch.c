/* SPDX-License-Identifier: MIT */
/*
 * fetch.c - Debian's kernel images, fetched with apt-get through a private
 * apt configuration.
 *
 * Each suite gets its own apt root under CACHE/apt/SUITE/ (apt.conf, a
 * sources.list with that one suite, state, gzip'ed lists and no binary package
 * caches: about 20 MB a suite instead of 90), so the machine's
 * own apt state is never touched and no suite is added to it. The sources
 * reuse the mirror URI (and its Signed-By keyring) already configured on the
 * machine, read from /etc/apt at run time (apt.c): herdlab names no mirror itself.
 *
 *	apt-get update                (at most once a day per suite)
 *	apt-cache depends linux-image-amd64      -> linux-image-6.1.0-50-amd64
 *	apt-cache show linux-image-6.1.0-50-amd64 -> Version: 6.1.176-1
 *	apt-get download linux-image-6.1.0-50-amd64
 *	dpkg-deb --fsys-tarfile DEB | tar -x ./boot/vmlinuz-* ./boot/config-*
 *
 * into CACHE/kernels/PACKAGE_VERSION/boot/ (the .deb is deleted: only the
 * image and its config are kept). CACHE/kernels/NAME.json remembers the last
 * resolution, so a machine that cannot reach the mirror reuses what it has.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "jsonio.h"
#include "kernels/apt.h"
#include "kernels/kernels.h"
#include "progress.h"
#include "log.h"
#include "spawn.h"

#define UPDATE_MAX_AGE (24 * 3600) /* apt lists younger than this are used as they are */

/* The kernels kfetch knows: a name, the suites to try in order, the metapackage. */
static const struct debian_kernel {
	const char *name;      /* --kernels item */
	const char *suites[3]; /* tried in order until one has the right version */
	const char *meta;      /* the metapackage that depends on the newest image */
} debian_kernels[] = {
	{ "5.10", { "bullseye" }, "linux-image-amd64" },
	{ "5.10-rt", { "bullseye" }, "linux-image-rt-amd64" },
	{ "6.1", { "bookworm" }, "linux-image-amd64" },
	{ "6.1-rt", { "bookworm" }, "linux-image-rt-amd64" },
	{ "6.12", { "trixie", "bookworm-backports" }, "linux-image-amd64" },
	{ "6.12-rt", { "trixie", "bookworm-backports" }, "linux-image-rt-amd64" },
};
#define N_DEBIAN (sizeof(debian_kernels) / sizeof(debian_kernels[0]))

static const struct debian_kernel *find_kernel(const char *name)
{
	for (size_t i = 0; i < N_DEBIAN; i++)
		if (!strcmp(debian_kernels[i].name, name))
			return &debian_kernels[i];
	return NULL;
}

bool kfetch_known(const char *name)
{
	return find_kernel(name) != NULL;
}

const char *kfetch_names(void)
{
	static char buf[256];

	if (!buf[0])
		for (size_t i = 0; i < N_DEBIAN; i++)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
				 i ? ", " : "", debian_kernels[i].name);
	return buf;
}

/* ---- a private apt per suite ---------------------------------------------------------- */

/* CACHE/apt/SUITE/ with its apt.conf and sources.list; the apt.conf path into @conf. */
static int apt_root(const char *cache, const char *suite, const struct mirror *m, char *conf,
		    size_t conflen, char *why, size_t whylen)
{
	char root[PATH_MAX], path[PATH_MAX + 64], text[8192];
	static const char *const dirs[] = { "state/lists/partial", "cache/archives/partial",
					    "etc/apt.conf.d",	   "etc/sources.list.d",
					    "etc/preferences.d",   "etc/trusted.gpg.d" };

	pathf(root, "%s/apt/%s", cache, suite);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		pathf(path, "%s/%s", root, dirs[i]);
		if (files_mkdirs(path, 0755) < 0) {
			snprintf(why, whylen, "cannot create %s: %m", path);
			return -1;
		}
	}
	pathf(path, "%s/state/status", root);
	if (access(path, F_OK) < 0 && files_write(path, "", 0) < 0) {
		snprintf(why, whylen, "cannot create %s: %m", path);
		return -1;
	}
	/*
	 * Everything apt reads or writes is under ROOT: the machine's apt.conf.d,
	 * preferences and sources are not read (Dir::Etc::Parts is an empty
	 * directory), its package state is not touched.
	 */
	pathf(text,
	      "// herdlab kernels: a private apt for the %s suite (generated).\n"
	      "Dir::State \"%s/state\";\n"
	      "Dir::State::status \"%s/state/status\";\n"
	      "Dir::Cache \"%s/cache\";\n"
	      "Dir::Cache::pkgcache \"\";\n"
	      "Dir::Cache::srcpkgcache \"\";\n"
	      "Dir::Etc::SourceList \"%s/etc/sources.list\";\n"
	      "Dir::Etc::SourceParts \"%s/etc/sources.list.d\";\n"
	      "Dir::Etc::Parts \"%s/etc/apt.conf.d\";\n"
	      "Dir::Etc::Preferences \"%s/etc/preferences\";\n"
	      "Dir::Etc::PreferencesParts \"%s/etc/preferences.d\";\n"
	      "Dir::Etc::TrustedParts \"%s/etc/trusted.gpg.d\";\n"
	      "APT::Architecture \"amd64\";\n"
	      "APT::Architectures { \"amd64\"; };\n"
	      "%s"
	      "Acquire::Languages \"none\";\n"
	      "Acquire::GzipIndexes \"true\";\n"
	      "Acquire::Retries \"3\";\n",
	      suite, root, root, root, root, root, root, root, root, root,
	      /* as root, apt would hand downloads to _apt, who cannot write our cache */
	      geteuid() == 0 ? "APT::Sandbox::User \"root\";\n" : "");
	if (path_fmt(conf, conflen, "%s/apt.conf", root) < 0) {
		snprintf(why, whylen, "%s/apt.conf: %m", root);
		return -1;
	}
	if (files_write(conf, text, strlen(text)) < 0) {
		snprintf(why, whylen, "cannot write %s: %m", conf);
		return -1;
	}
	snprintf(text, sizeof(text),
		 "# herdlab kernels: the mirror configured in /etc/apt, suite %s (generated).\n"
		 "deb [signed-by=%s] %s %s main\n",
		 suite, m->keyring, m->uri, suite);
	pathf(path, "%s/etc/sources.list", root);
	if (files_write(path, text, strlen(text)) < 0) {
		snprintf(why, whylen, "cannot write %s: %m", path);
		return -1;
	}
	return 0;
}

/* Run an apt command under @conf; its output in @log. The exit code. */
static int apt(const char *conf, const char *dir, const char *log, volatile sig_atomic_t *stop,
	       char *const *argv)
{
	char env[PATH_MAX + 16];

	snprintf(env, sizeof(env), "APT_CONFIG=%s", conf);
	return spawn_run(&(struct spawn){ .argv = argv,
					  .env = env,
					  .dir = dir,
					  .out = log,
					  .err = log,
					  .own_group = true,
					  .death_sig = SIGTERM },
			 stop);
}

/* apt-get update for @conf, unless its lists are younger than a day. */
static int apt_update(const char *conf, const char *suite, const char *logdir,
		      volatile sig_atomic_t *stop, char *why, size_t whylen)
{
	char stamp[PATH_MAX], log[PATH_MAX + 32], last[256];
	struct stat st;

	snprintf(stamp, sizeof(stamp), "%s", conf);
	*strrchr(stamp, '/') = 0;
	strcat(stamp, "/state/herdlab-updated");
	if (stat(stamp, &st) == 0 && time(NULL) - st.st_mtime < UPDATE_MAX_AGE)
		return 0;
	pathf(log, "%s/update.log", logdir);
	progress_say("apt-get update (%s)", suite);
	int rc = apt(conf, NULL, log, stop,
		     (char *const[]){ "apt-get", "update", "-q", "-o",
				      "APT::Update::Error-Mode=any", NULL });
	if (rc != 0) {
		files_last_line(log, NULL, last, sizeof(last));
		snprintf(why, whylen, "apt-get update for %s failed (%d): %s", suite, rc, last);
		return -1;
	}
	return files_write(stamp, "", 0);
}

/* ---- image and config out of the package ------------------------------------------------ */

/* dpkg-deb --fsys-tarfile DEB | tar -x -C DIR ./boot/vmlinuz-* ./boot/config-* */
static int extract(const char *deb, const char *dir, const char *log, volatile sig_atomic_t *stop)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid_t a = spawn_start(&(struct spawn){
		.argv = (char *const[]){ "dpkg-deb", "--fsys-tarfile", (char *)deb, NULL },
		.out_fd = p[1],
		.err = log,
		.append = true });
	pid_t b = spawn_start(&(struct spawn){
		.argv = (char *const[]){ "tar", "-x", "-C", (char *)dir, "--no-same-owner",
					 "--wildcards", "./boot/vmlinuz-*", "./boot/config-*",
					 NULL },
		.in_fd = p[0],
		.out = log,
		.err = log,
		.append = true });
	close(p[0]);
	close(p[1]);
	int ra = a < 0 ? -1 : spawn_code(spawn_wait(a, stop, 0, NULL));
	int rb = b < 0 ? -1 : spawn_code(spawn_wait(b, stop, 0, NULL));
	return ra == 0 && rb == 0 ? 0 : -1;
}

/* DIR/boot/vmlinuz-RELEASE and config-RELEASE into @k; 0 if the image is there. */
static int fill_from_dir(const char *dir, struct kernel *k)
{
	char pat[PATH_MAX];
	glob_t g;
	int rc = -1;

	pathf(pat, "%s/boot/vmlinuz-*", dir);
	if (glob(pat, 0, NULL, &g) == 0 && g.gl_pathc >= 1) {
		snprintf(k->vmlinuz, sizeof(k->vmlinuz), "%s", g.gl_pathv[0]);
		snprintf(k->release, sizeof(k->release), "%s",
			 strrchr(g.gl_pathv[0], '/') + strlen("/vmlinuz-"));
		pathf(pat, "%s/boot/config-%s", dir, k->release);
		k->config[0] = 0;
		if (access(pat, R_OK) == 0)
			snprintf(k->config, sizeof(k->config), "%s", pat);
		rc = 0;
	}
	globfree(&g);
	return rc;
}

/* The package @pkg at @version, downloaded and unpacked into CACHE/kernels/ unless it is there. */
static int fetch_package(const char *cache, const char *conf, const char *pkg, const char *version,
			 struct kernel *k, volatile sig_atomic_t *stop, char *why, size_t whylen)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 32], debs[PATH_MAX], log[PATH_MAX], deb[PATH_MAX * 2],
		last[256], ver[128];

	pathf(dir, "%s/kernels/%s_%s", cache, pkg, version);
	if (fill_from_dir(dir, k) == 0)
		return 0;
	pathf(debs, "%s/debs", cache);
	pathf(log, "%s/download.log", debs);
	if (files_mkdirs(debs, 0755) < 0) {
		snprintf(why, whylen, "cannot create %s: %m", debs);
		return -1;
	}
	progress_say("%s: apt-get download %s (%s)", k->name, pkg, version);
	char spec[256];
	snprintf(spec, sizeof(spec), "%s=%s", pkg, version);
	int rc = apt(conf, debs, log, stop,
		     (char *const[]){ "apt-get", "download", "-q", spec, NULL });
	if (rc != 0) {
		files_last_line(log, NULL, last, sizeof(last));
		snprintf(why, whylen, "apt-get download %s failed (%d): %s", spec, rc, last);
		return -1;
	}
	/* apt names it PKG_VERSION_ARCH.deb, an epoch's ':' written "%3a" */
	snprintf(ver, sizeof(ver), "%s", version);
	char *colon = strchr(ver, ':');
	if (colon) {
		memmove(colon + 3, colon + 1, strlen(colon + 1) + 1);
		memcpy(colon, "%3a", 3);
	}
	pathf(deb, "%s/%s_%s_amd64.deb", debs, pkg, ver);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", dir, (int)getpid());
	files_rmtree(tmp);
	if (files_mkdirs(tmp, 0755) < 0 || extract(deb, tmp, log, stop) < 0 ||
	    fill_from_dir(tmp, k) < 0) {
		files_last_line(log, NULL, last, sizeof(last));
		snprintf(why, whylen, "no boot/vmlinuz-* unpacked from %s: %s", deb, last);
		files_rmtree(tmp);
		unlink(deb);
		return -1;
	}
	unlink(deb); /* the image and its config are all we keep */
	files_rmtree(dir);
	if (rename(tmp, dir) < 0) {
		snprintf(why, whylen, "cannot rename %s: %m", tmp);
		files_rmtree(tmp);
		return -1;
	}
	return fill_from_dir(dir, k);
}

/* CACHE/kernels/NAME.json: the last resolution of a name, for working offline. */
static void remember(const char *cache, const struct kernel *k)
{
	char path[PATH_MAX];
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name", k->name, "package",
			      k->package, "version", k->version, "suite", k->suite, "release",
			      k->release, "vmlinuz", k->vmlinuz);

	pathf(path, "%s/kernels/%s.json", cache, k->name);
	if (jsonio_save(j, path) < 0)
		log_warn("cannot write %s: %m", path);
	json_decref(j);
}

static int recall(const char *cache, struct kernel *k)
{
	char path[PATH_MAX], dir[PATH_MAX];
	json_error_t err;
	const char *pkg = NULL, *ver = NULL, *suite = NULL;
	json_t *j;
	int rc = -1;

	pathf(path, "%s/kernels/%s.json", cache, k->name);
	if (!(j = json_load_file(path, 0, &err)))
		return -1;
	if (!json_unpack(j, "{s:s, s:s, s:s}", "package", &pkg, "version", &ver, "suite", &suite)) {
		pathf(dir, "%s/kernels/%s_%s", cache, pkg, ver);
		if (fill_from_dir(dir, k) == 0) {
			snprintf(k->package, sizeof(k->package), "%s", pkg);
			snprintf(k->version, sizeof(k->version), "%s", ver);
			snprintf(k->suite, sizeof(k->suite), "%s", suite);
			rc = 0;
		}
	}
	json_decref(j);
	return rc;
}

/* "6.12-rt" -> "6.12.": the prefix the package version must have. */
static void version_prefix(const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s", name);
	out[strcspn(out, "-")] = 0;
	strncat(out, ".", len - strlen(out) - 1);
}

int kfetch_debian(const char *cache, struct kernel *k, volatile sig_atomic_t *stop, char *why,
		  size_t whylen)
{
	const struct debian_kernel *dk = find_kernel(k->name);
	struct mirror m = { 0 };
	char conf[PATH_MAX], root[PATH_MAX], out[PATH_MAX + 32], pkg[128], version[128], want[32];

	if (!dk) {
		snprintf(why, whylen, "unknown kernel '%s' (known: %s, or a path to a vmlinuz)",
			 k->name, kfetch_names());
		return -1;
	}
	if (apt_find_mirror(&m, why, whylen) < 0)
		goto offline;
	version_prefix(dk->name, want, sizeof(want));
	for (int i = 0; i < 3 && dk->suites[i] && !(stop && *stop); i++) {
		const char *suite = dk->suites[i];
		if (apt_root(cache, suite, &m, conf, sizeof(conf), why, whylen) < 0)
			return -1;
		pathf(root, "%s/apt/%s", cache, suite);
		if (apt_update(conf, suite, root, stop, why, whylen) < 0)
			continue;
		pathf(out, "%s/depends.out", root);
		if (apt(conf, NULL, out, stop,
			(char *const[]){ "apt-cache", "depends", (char *)dk->meta, NULL }) != 0 ||
		    !apt_field(out, "Depends", pkg, sizeof(pkg))) {
			snprintf(why, whylen, "%s has no %s (apt-cache depends: see %s)", suite,
				 dk->meta, out);
			continue;
		}
		pathf(out, "%s/show.out", root);
		if (apt(conf, NULL, out, stop,
			(char *const[]){ "apt-cache", "show", "--no-all-versions", pkg, NULL }) !=
			    0 ||
		    !apt_field(out, "Version", version, sizeof(version))) {
			snprintf(why, whylen, "apt-cache show %s failed in %s (see %s)", pkg, suite,
				 out);
			continue;
		}
		if (strncmp(version, want, strlen(want))) {
			snprintf(why, whylen, "%s's %s is %s %s, not %s*", suite, dk->meta, pkg,
				 version, want);
			continue;
		}
		snprintf(k->package, sizeof(k->package), "%s", pkg);
		snprintf(k->version, sizeof(k->version), "%s", version);
		snprintf(k->suite, sizeof(k->suite), "%s", suite);
		if (fetch_package(cache, conf, pkg, version, k, stop, why, whylen) < 0)
			return -1;
		remember(cache, k);
		return 0;
	}
offline:
	if (!(stop && *stop) && recall(cache, k) == 0) {
		log_warn("%s: %s; using the cached %s %s", k->name, why, k->package, k->version);
		return 0;
	}
	return -1;
}
