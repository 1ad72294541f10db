/* SPDX-License-Identifier: MIT */
/*
 * attach.c - the choice between the tracer's two paths (see attach.h).
 *
 * auto takes fexit wherever it can run: there no system call pays for the
 * tracer (reports/bench/tracer.md: a system-call tracepoint alone costs every
 * task of the machine its fast path). A forced path that cannot run is an
 * error with its reason, never a silent fallback: a user who asked for fexit
 * to measure it must not measure the tracepoints instead.
 */
#include "attach.h"

#include <stdio.h>
#include <string.h>

static const char *const names[] = {
	[ATTACH_AUTO] = "auto",
	[ATTACH_TRACEPOINTS] = "tracepoints",
	[ATTACH_FEXIT] = "fexit",
};

const char *attach_name(enum tracer_attach a)
{
	return (unsigned)a < sizeof(names) / sizeof(names[0]) ? names[a] : "?";
}

int attach_parse(const char *s, enum tracer_attach *out)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (s && strcmp(s, names[i]) == 0) {
			*out = (enum tracer_attach)i;
			return 0;
		}
	}
	return -1;
}

int attach_choose(enum tracer_attach want, bool fexit_ok, int fexit_err, bool loaded, bool regs_ok,
		  char *why, size_t len)
{
	bool can = fexit_ok && regs_ok;

	if (want == ATTACH_TRACEPOINTS || (want == ATTACH_AUTO && !can))
		return ATTACH_TRACEPOINTS;
	if (can)
		return ATTACH_FEXIT;
	if (!fexit_ok)
		snprintf(why, len,
			 "this kernel refuses fentry/fexit programs (%s one failed: %s); "
			 "use --attach tracepoints or auto",
			 loaded ? "attaching" : "loading",
			 fexit_err ? strerror(fexit_err) : "not tried");
	else
		snprintf(
			why, len,
			"the fexit path needs bpf_task_pt_regs and task storage (Linux 5.15+), "
			"which this kernel lacks (or HERDLAB_SYS_ENTER/HERDLAB_RAW_TP turned off); "
			"use --attach tracepoints or auto");
	return -1;
}
