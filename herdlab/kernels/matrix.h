/* SPDX-License-Identifier: MIT */
/*
 * matrix.h - herdlab kernels' matrix: the kernels by the models, what was asked
 * (struct kernels_opts) and what each kernel gave (struct kresult), and the
 * parts that fill them, one file each:
 *
 *	options.c   the command line, checked, with its defaults
 *	bins.c      the programs a run needs: static ELF herdlab, herdsrv, herdload
 *	            and busybox for the guests, qemu, the models herdsrv knows
 *	pipeline.c  one kernel: prepared, run (host.c natively, guest.c under
 *	            qemu), its results collected and its directory put in place
 *	host.c      the host: herdlab run for each model
 *	runs.c      a kernel's runs: run.json's numbers by key, the preemption
 *	            model they say, their status names
 *	kjson.c     kernels.json, written and read back, one schema
 *	finish.c    the comparison, kernels.json and kernels.md of a whole matrix
 *	kmd.c       kernels.md; findings.c its "what changes between kernels",
 *	            paths.c the tracer's two paths side by side (--attach both)
 *
 * cmd_kernels.c, the command, is the loop over the kernels.
 */
#ifndef HERD_KERNELS_MATRIX_H
#define HERD_KERNELS_MATRIX_H

#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>

#include "kernels/kernels.h"

#define MAX_KERNELS 16

enum kstatus { K_NOT_RUN, K_OK, K_PARTIAL, K_FAILED };
/* A model's reason starts so when the kernel refused the tracer path asked for. */
#define KRESULT_REFUSED "path refused: "
extern const char *const kstatus_name[4]; /* as kernels.json says them: "not run", "ok", ... */

/* What one kernel of the matrix gave. */
struct kresult {
	struct kernel k;
	char attach[16]; /* the tracer's path asked for: "auto", "tracepoints" or "fexit" */
	char label[96];	 /* what names it in kernels.md: its name, with the path under both */
	enum kstatus status;
	char reason[512];		 /* why it failed, or which models did ("" when all ran) */
	double duration_s;		 /* its whole run */
	double boot_s;			 /* guests that booted: to /init; -1 otherwise */
	char qemu_cmd[1024];		 /* a guest's qemu command line, to reproduce by hand */
	json_t *run[KERNELS_MAX_MODELS]; /* each model's run.json, NULL if it failed */
	char model_reason[KERNELS_MAX_MODELS][256]; /* why not */
};

/* What was asked, and what was found before the first kernel ran. */
struct kernels_opts {
	char *kernels_arg, *models_arg, *load_arg; /* as given (or the defaults), whole */
	const char *attach_arg;			   /* --attach: tracepoints, fexit, auto, both */
	bool both;				   /* --attach both: each kernel once per path */
	const char *guest_run;			   /* --guest-run FILE: run it, not the study */
	const char *out;			   /* --out (NULL: a new runs/kernels-STAMP) */
	const char *cache;			   /* --cache, made absolute before the run */
	const char *static_dir;			   /* --static (NULL: look beside herdlab) */
	double timeout_s, boot_timeout_s, stall_timeout_s;
	int workers;
	bool report_only;    /* --report-only: the comparison and kernels.md again, from OUT */
	json_t *original;    /* with it: OUT/kernels.json as the run wrote it */
	const char *version; /* the herdlab that ran the kernels */
	char *kernels[MAX_KERNELS];	 /* --kernels, split (twice each under both) */
	const char *attach[MAX_KERNELS]; /* each entry's path: --attach's, or one of both's */
	int nkernels;
	const char *models[KERNELS_MAX_MODELS]; /* --models, split */
	int nmodels;
	char *load[KERNELS_MAX_LOAD]; /* --load, one word each */
	int nload;
	char bindir[PATH_MAX];	     /* herdsrv (and, for guests, the static programs) */
	char busybox[PATH_MAX];	     /* a static busybox, for guests */
	volatile sig_atomic_t *stop; /* non-zero once SIGINT or SIGTERM came */
};

/* options.c: parse argv into @o (exits on --help and on a usage error). */
void kernels_parse(int argc, char **argv, struct kernels_opts *o);

/* bins.c: fill @o->bindir (and, with @guests, busybox, after qemu). 0, or -1 said. */
int kernels_find_bins(struct kernels_opts *o, bool guests);
/* Every model asked for is one herdsrv knows (its list written in @tmpdir); dies if not. */
void kernels_check_models(const struct kernels_opts *o, const char *tmpdir);

/* pipeline.c: kernel @i of @kr (@o->kernels[i]) run into @out/DIR, whole or not at all. */
void kernel_run(const struct kernels_opts *o, struct kresult *kr, int i, const char *out);

/* host.c: herdlab run for each model, natively, into @stage/MODEL. 0, or -1 (@kr->reason). */
int host_run(const struct kernels_opts *o, struct kresult *kr, const char *stage);

/* runs.c: @run's number at the dotted @key; NAN when missing (or @run NULL). */
double run_num(json_t *run, const char *key);
/* @a / @b of @run, NAN if either is missing or @b is not positive. */
double run_ratio(json_t *run, const char *a, const char *b);
/* The kernel's preemption model, as its runs' run.json say it ("rt", ...), or NULL. */
const char *kresult_preempt(const struct kernels_opts *o, const struct kresult *kr);
/* PREEMPT_RT: its run.json says so, or its name ends in -rt. */
bool kresult_is_rt(const struct kernels_opts *o, const struct kresult *kr);
/* It ran, all or some of its models (ok or partial). */
bool kresult_ran(const struct kresult *kr);
/*
 * Fill @kr->label: its name, and under --attach both its path ("6.1/fexit"), so
 * that the two runs of one kernel are told apart wherever kernels.md lists them.
 */
void kresult_set_label(struct kresult *kr, bool both);
/* @kr's label, or its name when it has none yet. */
const char *kresult_label(const struct kresult *kr);
/* The entry of @kr[0..nk) that is @r's kernel on the other path, or NULL. */
const struct kresult *kresult_twin(const struct kresult *kr, int nk, const struct kresult *r);
/*
 * A fexit entry that has a tracepoints twin: the matrix's findings across
 * kernels read the tracepoints runs (every kernel has them) and leave these to
 * the paths' comparison.
 */
bool kresult_second_path(const struct kresult *kr, int nk, const struct kresult *r);
/* What path @run's tracer took (run.json's trace.tracer.attach), or NULL. */
const char *run_attach(json_t *run);
/* Free the run.json of every kernel. */
void kresults_free(const struct kernels_opts *o, struct kresult *kr, int nk);

/* finish.c: the comparison, kernels.json and kernels.md (also printed); frees the runs. */
void kernels_finish(const struct kernels_opts *o, struct kresult *kr, int nk, const char *out,
		    const char *started);

#endif
