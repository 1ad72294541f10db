/* SPDX-License-Identifier: MIT */
/*
 * cmd_kernels.c - herdlab kernels: the herd study on several kernels.
 *
 *	herdlab kernels [--kernels LIST] [--models LIST] [--out DIR] [--cache DIR]
 *	                [--timeout S] [--boot-timeout S] [--workers N] [--load 'OPTS']
 *	                [--static DIR] [--attach tracepoints|fexit|auto|both]
 *	                [--guest-run FILE]
 *	herdlab kernels --report-only --out DIR
 *
 * For each kernel of LIST: "host" runs the models natively (herdlab run);
 * a Debian name (5.10, 6.1, 6.12, 6.1-rt, ...) is fetched into the cache
 * (fetch.c) and, like a path to any vmlinuz, booted under qemu with the study
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
 * --attach both runs each kernel twice, once per tracer path, and kernels.md
 * compares the two; --guest-run runs a benchmark's script in the guests instead
 * of the study (scripts/bench_guest_tracer.sh).
 *
 * This file is the command: its options (options.c), the programs it needs
 * (bins.c), the loop over the kernels (pipeline.c, one kernel each) and what
 * the whole matrix writes (finish.c). matrix.h says which file does what.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "files.h"
#include "kernels/kjson.h"
#include "kernels/matrix.h"
#include "progress.h"
#include "stopsig.h"
#include "log.h"

/* --report-only: the kernels as OUT/kernels.json has them, their runs from OUT. */
static int report_only(struct kernels_opts *o)
{
	static struct kresult kr[MAX_KERNELS];
	char started[32];
	int nk;

	if (!o->out)
		die("--report-only needs --out DIR, a directory herdlab kernels wrote");
	nk = kjson_load(o->out, o, kr, MAX_KERNELS, started, sizeof(started));
	progress_start(nk, false);
	progress_index(nk);
	kernels_finish(o, kr, nk, o->out, started);
	json_decref(o->original); /* after finish: o->models point into it */
	return stop_signal ? 130 : 0;
}

/* The cache directory, made and absolute (into @buf): --cache, $XDG_CACHE_HOME/herdlab
 * or ~/.cache/herdlab. */
static void cache_dir(struct kernels_opts *o, char buf[PATH_MAX])
{
	char dir[PATH_MAX];
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (o->cache)
		pathf(dir, "%s", o->cache);
	else if (xdg && *xdg)
		pathf(dir, "%s/herdlab", xdg);
	else
		pathf(dir, "%s/.cache/herdlab", home ? home : "/root");
	if (files_mkdirs(dir, 0755) < 0 || !realpath(dir, buf))
		die("cannot create the cache directory %s: %m", dir);
	o->cache = buf;
}

int cmd_kernels(int argc, char **argv)
{
	static struct kresult kr[MAX_KERNELS];
	struct kernels_opts o = { .stop = &stop_signal };
	char out[PATH_MAX], cache[PATH_MAX], started[32], stamp[32];
	time_t now = time(NULL);
	bool guests = false;
	int ok = 0;

	kernels_parse(argc, argv, &o);
	if (o.report_only)
		return report_only(&o);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", gmtime(&now));
	if (o.out)
		pathf(out, "%s", o.out);
	else
		pathf(out, "runs/kernels-%s", stamp);
	cache_dir(&o, cache);
	for (int i = 0; i < o.nkernels; i++)
		guests |= strcmp(o.kernels[i], "host") != 0;
	if (kernels_find_bins(&o, guests) < 0)
		return 1;
	if (files_mkdirs(out, 0755) < 0)
		die("cannot create %s: %m", out);
	kernels_check_models(&o, out);

	stop_on_signals(STOP_INTERRUPT_CALLS);
	progress_start(o.nkernels, isatty(STDERR_FILENO));
	for (int i = 0; i < o.nkernels; i++) {
		snprintf(kr[i].k.name, sizeof(kr[i].k.name), "%s", o.kernels[i]);
		snprintf(kr[i].attach, sizeof(kr[i].attach), "%s", o.attach[i]);
		kresult_set_label(&kr[i], o.both);
		kr[i].boot_s = -1;
	}
	for (int i = 0; i < o.nkernels && !stop_signal; i++) {
		progress_index(i + 1);
		kernel_run(&o, kr, i, out);
		if (stop_signal)
			break;
		kjson_save(&o, kr, o.nkernels, out, started, NULL);
	}
	for (int i = 0; i < o.nkernels; i++)
		ok += kresult_ran(&kr[i]);
	if (stop_signal) {
		progress_break();
		kjson_save(&o, kr, o.nkernels, out, started, NULL);
		log_warn("interrupted: the kernels that finished are in %s", out);
		kresults_free(&o, kr, o.nkernels);
		return 130;
	}
	kernels_finish(&o, kr, o.nkernels, out, started);
	fprintf(stderr, "%s: %d of %d kernels ran; results in %s\n", log_prog(), ok, o.nkernels,
		out);
	return stop_signal ? 130 : ok ? 0 : 1;
}
