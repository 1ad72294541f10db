/* SPDX-License-Identifier: MIT */
/*
 * attach.h - which path the tracer sees accepts, forks and reaps on: system-call
 * tracepoints, or fexit (trampolines on the kernel functions that do them, with
 * no system-call tracepoint attached). Pure logic, unit-tested: the loader
 * (trace.c) asks attach_choose with what the kernel's probe (kfeatures.c) found.
 */
#ifndef HERD_ATTACH_H
#define HERD_ATTACH_H

#include <stdbool.h>
#include <stddef.h>

enum tracer_attach {
	ATTACH_AUTO,	    /* fexit where it attaches, else tracepoints */
	ATTACH_TRACEPOINTS, /* system-call tracepoints (every kernel) */
	ATTACH_FEXIT,	    /* fentry/fexit, 5.15+ with trampolines allowed */
};

/* "auto", "tracepoints", "fexit". */
const char *attach_name(enum tracer_attach a);
/* @s as one of those into @out: 0, or -1 (unknown). */
int attach_parse(const char *s, enum tracer_attach *out);

/*
 * The path to take for @want, given whether a trampoline program attached here
 * (@fexit_ok; @fexit_err its errno when not, @loaded: it loaded, the attach failed) and whether waits come from
 * registers (@regs_ok: the fexit path needs bpf_task_pt_regs and task storage).
 * Returns ATTACH_TRACEPOINTS or ATTACH_FEXIT, or -1 when @want is fexit and it
 * cannot run, with the reason written to @why (@len bytes).
 */
int attach_choose(enum tracer_attach want, bool fexit_ok, int fexit_err, bool loaded, bool regs_ok,
		  char *why, size_t len);

#endif
