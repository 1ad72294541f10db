/* SPDX-License-Identifier: MIT */
/*
 * kernels.h - the lower parts of herdlab kernels: a kernel to run, Debian's
 * kernels fetched (fetch.c, apt.c), a kernel image's own release (image.c),
 * and one kernel booted under qemu with the herd study inside (guest.c).
 *
 * The matrix above them (matrix.h: options, one kernel's pipeline, the host,
 * kernels.json, kernels.md) calls these; they call nothing of it, and say what
 * they do through progress.h.
 */
#ifndef HERD_KERNELS_H
#define HERD_KERNELS_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "log.h"
#include "path.h"

#define KERNELS_MAX_MODELS 32
#define KERNELS_MAX_LOAD   32

/* One kernel of the matrix. */
struct kernel {
	char name[64];		/* as given: "host", "6.1", "6.1-rt", or a path's file name */
	char dir[64];		/* its directory under OUT */
	bool host;		/* run natively, not under qemu */
	char vmlinuz[PATH_MAX]; /* the image (guests) */
	char config[PATH_MAX];	/* its config-RELEASE, "" if unknown */
	char release[128];	/* uname -r, from the image's header */
	char package[128];	/* the Debian package it came from ("" for a path) */
	char version[128];	/* the package's version */
	char suite[64];		/* the Debian suite */
};

/* ---- fetch.c: Debian's kernel packages, through a private apt configuration ---- */

/* Whether @name is one of the Debian kernels kfetch knows ("5.10", "6.1-rt", ...). */
bool kfetch_known(const char *name);
/* The names kfetch knows, for the usage text: "5.10, 6.1, ...". */
const char *kfetch_names(void);
/*
 * Fetch (or find in @cache) the newest package of kernel @k->name and fill in
 * @k. 0, or -1 with the reason in @why.
 */
int kfetch_debian(const char *cache, struct kernel *k, volatile sig_atomic_t *stop, char *why,
		  size_t whylen);
/* ---- image.c ---- */

/*
 * A bzImage's release string (the first word of its version, e.g.
 * "6.1.0-50-amd64"): 0, or -1 with the reason (an empty file, not a kernel).
 */
int kimage_release(const char *path, char *release, size_t len, char *why, size_t whylen);

/* ---- guest.c: one kernel under qemu, the study inside, results back ---- */

/* A running guest says so this often; its silence for --stall-timeout is a hang. */
#define KERNELS_HEARTBEAT_S 20
#define KERNELS_MIN_STALL_S 30

struct guest_opts {
	const struct kernel *k;
	const char *const *models; /* run in this order */
	int nmodels;
	char *const *load; /* herdload's options, one word each */
	int nload;
	int workers;
	const char *attach;  /* herdlab run's --attach (NULL: its default) */
	const char *script;  /* instead of the study: this shell script, run in /results */
	const char *bindir;  /* the static herdlab, herdsrv and herdload */
	const char *busybox; /* a static busybox */
	const char *work;    /* scratch: initrd, console.log, results.txt */
	const char *out;     /* an empty directory for /results of the guest */
	double timeout_s;    /* the whole guest run */
	double boot_timeout_s;
	double stall_s; /* silence, once booted, that is a hang */
	volatile sig_atomic_t *stop;
};

struct guest_result {
	bool booted;	     /* its /init ran */
	double boot_s;	     /* qemu start to /init */
	double duration_s;   /* qemu start to results back (or failure) */
	char reason[512];    /* why it failed; "" when the results came back */
	char qemu_cmd[1024]; /* the qemu command line, to reproduce by hand */
};

/* 0 when the results came back intact into @o->out; -1 with @r->reason. */
int guest_run(const struct guest_opts *o, struct guest_result *r);

/*
 * Whether @s is non-empty and only [A-Za-z0-9._/:,=+-]: a word the guest's
 * /init may hold as it is (no quoting, no expansion).
 */
bool kernels_safe_word(const char *s);

/*
 * path_fmt() into an array, or the command stops: the paths here grow from
 * --out and --cache, and one too long for its array is said, never used cut short.
 */
#define pathf(buf, ...)                                             \
	((void)(path_fmt(buf, sizeof(buf), __VA_ARGS__) < 0         \
			? (die("path too long: %.200s...", buf), 0) \
			: 0))

#endif
