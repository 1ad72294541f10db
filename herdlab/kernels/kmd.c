/* SPDX-License-Identifier: MIT */
/*
 * kmd.c - kernels.md (kmd.h): a heading that says what ran and how, a table of
 * the kernels (release, package, preemption model, HZ, status, boot and run
 * time, the tracer's path), "What changes between kernels" (findings.c), the
 * tracer's two paths side by side under --attach both (paths.c), and the
 * comparison table that finish.c wrote, copied in.
 */
#include "kernels/kmd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "kernels/matrix.h"
#include "metrics/keys.h"
#include "version.h"

/* The paths its runs took ("fexit", "tracepoints, fexit"), else the one asked ("fexit asked"). */
static void took(const struct kernels_opts *o, const struct kresult *r, char *buf, size_t len)
{
	buf[0] = 0;
	for (int m = 0; m < o->nmodels; m++) {
		const char *a = run_attach(r->run[m]);
		if (a && !strstr(buf, a))
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? ", " : "",
				 a);
	}
	if (!buf[0] && r->attach[0])
		snprintf(buf, len, "%s asked", r->attach);
	else if (!buf[0])
		snprintf(buf, len, "-");
}

/* One kernel's row of the table. */
static void kernel_row(FILE *f, const struct kernels_opts *o, const struct kresult *r)
{
	const char *pre = kresult_preempt(o, r);
	char boot[32] = "-", hzs[16] = "-", path[64];
	double hz = NAN;

	took(o, r, path, sizeof(path));
	for (int m = 0; m < o->nmodels && isnan(hz); m++)
		hz = run_num(r->run[m], MK_KERNEL_HZ);
	if (r->boot_s > 0)
		snprintf(boot, sizeof(boot), "%.1f", r->boot_s);
	if (!isnan(hz))
		snprintf(hzs, sizeof(hzs), "%.0f", hz);
	fprintf(f, "| %s | %s | %s%s%s | %s | %s | %s | %s%s%s | %s | %.0f |\n", kresult_label(r),
		r->k.release[0] ? r->k.release : "-",
		r->k.host	  ? "(the host's own)"
		: r->k.package[0] ? r->k.package
				  : "(a path)",
		r->k.version[0] ? " " : "", r->k.version, pre ? pre : "-", hzs, path,
		kstatus_name[r->status], r->reason[0] ? ": " : "", r->reason, boot, r->duration_s);
}

/* The comparison's Markdown table, or why there is none. */
static void comparison(FILE *f, const struct kmd *d)
{
	json_t *err = json_object_get(d->comparison, "error");
	char path[PATH_MAX + 32], *table;

	if (err) {
		fprintf(f,
			"No table: %s. Each kernel's run directories are complete: `herdlab "
			"compare KERNEL/MODEL ...` compares them.\n",
			json_string_value(err));
		return;
	}
	pathf(path, "%s/comparison.md", d->out);
	fprintf(f, "`herdlab compare` over every run (also comparison.txt, "
		   "comparison.html):\n\n");
	if ((table = files_read(path, NULL)))
		fputs(table, f);
	free(table);
}

int kmd_fill(FILE *f, void *arg)
{
	const struct kmd *d = arg;
	const struct kernels_opts *o = d->o;
	int ok = 0;

	fprintf(f, "# The herd study across kernels\n\n");
	fprintf(f, "`herdlab kernels`, %s (herdlab %s). Models: ", d->started,
		o->version ? o->version : herdlab_version);
	for (int m = 0; m < o->nmodels; m++)
		fprintf(f, "%s%s", m ? ", " : "", o->models[m]);
	fprintf(f,
		"; %d workers each; load: herdload %s (a new connection per request); the "
		"tracer's path: %s. Guests: "
		"qemu-system-x86_64 TCG, 2 vCPUs, 1 GiB, a busybox initramfs with the static "
		"herdlab, herdsrv and herdload.\n\n",
		o->workers, o->load_arg,
		!o->attach_arg || !strcmp(o->attach_arg, "auto")
			? "auto (fexit where the kernel allows it)"
		: o->both ? "both, each kernel once per path"
			  : o->attach_arg);
	fprintf(f,
		"| kernel | release | package | preempt | HZ | tracer.attach | status | boot s | "
		"run s |\n"
		"|---|---|---|---|---:|---|---|---:|---:|\n");
	for (int i = 0; i < d->nk; i++) {
		kernel_row(f, o, &d->kr[i]);
		ok += kresult_ran(&d->kr[i]);
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
		kmd_findings(f, d);
		kmd_paths(f, d);
	}
	fprintf(f, "\n## Comparison\n\n");
	comparison(f, d);
	fprintf(f, "\nPer kernel: KERNEL/MODEL/ is herdlab run's directory (run.json, CSVs), "
		   "KERNEL/MODEL.log its output, KERNEL/console.log the guest's console "
		   "(KERNEL/MODEL.stuck: the tasks' states of a model the guest stopped); "
		   "kernels.json says what ran where.\n");
	return ferror(f) ? -1 : 0;
}
