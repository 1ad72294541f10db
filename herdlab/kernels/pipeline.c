/* SPDX-License-Identifier: MIT */
/*
 * pipeline.c - one kernel of the matrix, from its --kernels word to its
 * directory (matrix.h):
 *
 *	prepare   "host", a Debian name (fetched, fetch.c) or a vmlinuz path, and
 *	          the image's own release (image.c) and its config
 *	run       natively (host.c) or under qemu (guest.c), into OUT/.DIR.tmp
 *	collect   each model's run.json, or why there is none (from its log); the
 *	          kernel's status: ok, partial or failed
 *	place     OUT/.DIR.tmp renamed to OUT/DIR, so that a kernel's directory
 *	          appears whole or not at all
 *
 * A kernel that fails says why in its kresult and the next one still runs; on a
 * stop request nothing of the kernel is left.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "clock.h"
#include "files.h"
#include "kernels/matrix.h"
#include "progress.h"
#include "log.h"
#include "metrics/keys.h"
#include "report/runreport.h"

/* Fill @kr->k from the --kernels word @item; -1 with @kr->reason if it cannot be run. */
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
		if (kfetch_debian(o->cache, k, o->stop, why, sizeof(why)) < 0) {
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
		path_dirname(k->vmlinuz, dir, sizeof(dir));
		pathf(cand, "%s/config-%s", dir, release);
		if (access(cand, R_OK) < 0)
			snprintf(cand, sizeof(cand), "/boot/config-%s", release);
		if (access(cand, R_OK) == 0)
			pathf(k->config, "%s", cand);
	}
	return 0;
}

/* A guest: qemu with the study inside, its results unpacked into @stage. */
static int run_guest(const struct kernels_opts *o, struct kresult *kr, const char *stage)
{
	char work[PATH_MAX], from[PATH_MAX + 32], to[PATH_MAX + 32];
	struct guest_result gr;
	struct stat st;
	int rc;

	pathf(work, "%s/tmp", o->cache);
	if (files_mkdirs(work, 0755) < 0 ||
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
		.attach = strcmp(kr->attach, "auto") ? kr->attach : NULL,
		.script = o->guest_run,
		.bindir = o->bindir,
		.busybox = o->busybox,
		.work = work,
		.out = stage,
		.timeout_s = o->timeout_s,
		.boot_timeout_s = o->boot_timeout_s,
		.stall_s = o->stall_timeout_s,
		.stop = o->stop,
	};
	rc = guest_run(&go, &gr);
	kr->duration_s = gr.duration_s;
	kr->boot_s = gr.booted ? gr.boot_s : -1;
	snprintf(kr->qemu_cmd, sizeof(kr->qemu_cmd), "%s", gr.qemu_cmd);
	if (rc < 0)
		snprintf(kr->reason, sizeof(kr->reason), "%s", gr.reason);
	pathf(from, "%s/console.log", work);
	pathf(to, "%s/console.log", stage);
	files_copy(from, to);
	pathf(from, "%s/qemu.log", work);
	pathf(to, "%s/qemu.log", stage);
	if (stat(from, &st) == 0 && st.st_size > 0)
		files_copy(from, to);
	files_rmtree(work);
	return rc;
}

/* Why model @m left no run.json, from the last herdlab message of its log. */
static void model_failure(const struct kernels_opts *o, struct kresult *kr, int m,
			  const char *stage)
{
	char path[PATH_MAX + 96], line[256];

	pathf(path, "%s/%s.log", stage, o->models[m]);
	files_last_line(path, "herdlab[", line, sizeof(line));
	if (!line[0])
		files_last_line(path, NULL, line, sizeof(line));
	/* "herdlab[94]: loading the BPF programs failed: ..." */
	const char *msg = strstr(line, "]: ") ? strstr(line, "]: ") + 3 : line;
	char refused[256];
	/* a forced path the kernel cannot take says why before the generic last word */
	files_last_line(path, "--attach ", refused, sizeof(refused));
	if (refused[0] && strstr(refused, "]: --attach "))
		snprintf(kr->model_reason[m], sizeof(kr->model_reason[m]), KRESULT_REFUSED "%.220s",
			 strstr(refused, "]: --attach ") + 3);
	else if (kr->reason[0] && !line[0])
		snprintf(kr->model_reason[m], sizeof(kr->model_reason[m]), "%.250s", kr->reason);
	else if (strstr(msg, "BPF"))
		snprintf(kr->model_reason[m], sizeof(kr->model_reason[m]),
			 "probe load failure: %.220s", msg);
	else
		snprintf(kr->model_reason[m], sizeof(kr->model_reason[m]), "%.250s",
			 msg[0] ? msg : "no run directory came back");
}

/*
 * A model that did not finish, though it may have left a run.json: the guest
 * found it stuck (MODEL.stuck holds its tasks' states when it stopped it), or
 * the run says itself that it is incomplete. Its reason is set; its directory
 * stays for whoever reads it, but no table of the kernel holds it.
 */
static bool stuck(const struct kernels_opts *o, struct kresult *kr, int m, const char *stage)
{
	char path[PATH_MAX + 96], *text;

	pathf(path, "%s/%s.stuck", stage, o->models[m]);
	if (!(text = files_read(path, NULL)))
		return false;
	int first = (int)strcspn(text, "\n");
	snprintf(kr->model_reason[m], sizeof(kr->model_reason[m]),
		 "stuck: %.*s; the guest stopped it (its tasks' states: %s.stuck)",
		 first > 150 ? 150 : first, text, o->models[m]);
	free(text);
	return true;
}

static bool incomplete(struct kresult *kr, int m)
{
	if (!json_is_false(json_object_get(kr->run[m], MK_COMPLETE)))
		return false;
	const char *why = json_string_value(json_object_get(kr->run[m], MK_INCOMPLETE_REASON));
	snprintf(kr->model_reason[m], sizeof(kr->model_reason[m]), "the run did not finish: %.200s",
		 why ? why : "no reason recorded");
	return true;
}

/* Each model's run.json, or why there is none; then the kernel's status. */
static void collect(const struct kernels_opts *o, struct kresult *kr, const char *stage)
{
	char path[PATH_MAX + 96];
	json_error_t err;
	int ok = 0;

	for (int m = 0; m < o->nmodels; m++) {
		pathf(path, "%s/%s/run.json", stage, o->models[m]);
		kr->run[m] = kr->reason[0] && kr->k.host ? NULL : json_load_file(path, 0, &err);
		if (stuck(o, kr, m, stage) || (kr->run[m] && incomplete(kr, m))) {
			json_decref(kr->run[m]);
			kr->run[m] = NULL;
			continue;
		}
		if (!kr->run[m]) {
			model_failure(o, kr, m, stage);
			continue;
		}
		ok++;
		/* a guest has no gnuplot: its report and figures are drawn here */
		pathf(path, "%s/%s", stage, o->models[m]);
		if (!kr->k.host && report_files(path) < 0) {
			progress_break();
			log_warn("%s: cannot write the report of %s", kr->k.name, path);
		}
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
		for (int m = 0; m < o->nmodels && !kr->reason[0]; m++)
			if (!kr->run[m])
				snprintf(kr->reason, sizeof(kr->reason),
					 "%d of %d models failed; %s: %s", o->nmodels - ok,
					 o->nmodels, o->models[m], kr->model_reason[m]);
	}
}

/*
 * Kernel @i's directory under OUT: its name (with its path under --attach both)
 * made a safe file name, unique in the matrix.
 */
static void kernel_dir(struct kresult *kr, int i, bool both)
{
	char *d = kr[i].k.dir;

	if (both)
		snprintf(d, sizeof(kr[i].k.dir), "%.40s-%s", kr[i].k.name, kr[i].attach);
	else
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

void kernel_run(const struct kernels_opts *o, struct kresult *kr, int i, const char *out)
{
	struct kresult *r = &kr[i];
	char stage[PATH_MAX + 80], final[PATH_MAX + 80];
	uint64_t t0 = clock_now_ns();

	progress_say("%s: preparing", o->kernels[i]);
	snprintf(r->attach, sizeof(r->attach), "%s", o->attach[i]);
	int rc = prepare(o, o->kernels[i], r);
	kresult_set_label(r, o->both);
	kernel_dir(kr, i, o->both);
	pathf(stage, "%s/.%s.tmp", out, r->k.dir);
	pathf(final, "%s/%s", out, r->k.dir);
	files_rmtree(stage);
	if (files_mkdirs(stage, 0755) < 0)
		die("cannot create %s: %m", stage);
	if (rc == 0 && !*o->stop)
		rc = r->k.host ? host_run(o, r, stage) : run_guest(o, r, stage);
	if (*o->stop) {
		files_rmtree(stage);
		r->status = K_NOT_RUN;
		return;
	}
	if (!r->duration_s)
		r->duration_s = (double)(clock_now_ns() - t0) / 1e9;
	collect(o, r, stage);
	if (files_rmtree(final) < 0 || rename(stage, final) < 0) {
		progress_break();
		log_warn("cannot replace %s: %m", final);
	}
	progress_break();
	if (r->status == K_OK)
		log_info("%s (%s): ok, %d models in %.0f s", kresult_label(r), r->k.release,
			 o->nmodels, r->duration_s);
	else
		log_warn("%s%s%s: %s: %s", kresult_label(r), r->k.release[0] ? " " : "",
			 r->k.release, kstatus_name[r->status], r->reason);
}
