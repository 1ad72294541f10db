/* SPDX-License-Identifier: MIT */
/*
 * traceprogs.h - which of the tracer's programs this kernel runs, chosen from
 * one probe of the kernel (kfeatures.c) on the opened object, before its one
 * load: the knobs of compat.bpf.h, the task_store map, the path for accepts,
 * forks and reaps (attach.h), and every program by name (set_autoload).
 *
 * Each tp_btf program has a raw_tp twin reading the same arguments with
 * CO-RE; exactly one of each pair is loaded, the tp_btf one where the kernel
 * loads tp_btf programs. Where it also has bpf_task_pt_regs (5.15+),
 * sched_switch reads what a sleeping task waits in from its registers and
 * records live in task-local storage; only the system calls herd.h's
 * HERD_SYSCALLS marks for it are then traced. The fates' tracepoints (herd.h's
 * HERD_FATE_TPS) are each loaded where the kernel's BTF has them with the
 * arguments their programs read. HERDLAB_RAW_TP=1 forces the raw_tp twins,
 * HERDLAB_SYS_ENTER=1 the entry programs and the hash, HERDLAB_NO_CAST=1
 * accept's exit with probe reads (the tests check every path on one kernel).
 */
#ifndef HERD_TRACEPROGS_H
#define HERD_TRACEPROGS_H

#include <stdbool.h>
#include <stdint.h>

#include "attach.h"
#include "herd.skel.h"

struct trace_choice {
	bool raw_tp;		   /* the raw_tp twins are in use */
	bool wait_from_regs;	   /* sched_switch reads the waiting call from registers */
	bool task_storage;	   /* records live in task-local storage */
	bool data_ready;	   /* the kernel has sock:sk_data_ready */
	bool cast;		   /* accept's exit reads through bpf_rdonly_cast */
	enum tracer_attach attach; /* tracepoints or fexit: how accepts, forks, reaps are seen */
	uint32_t fates_absent;	   /* bit i: fate tracepoint i not loaded */
};

/* Choose for @want (auto, or a forced path) on @s, opened and not loaded, into
 * @c. Returns 0, or -EOPNOTSUPP when a forced path cannot run here (said why). */
int traceprogs_choose(struct herd_bpf *s, enum tracer_attach want, struct trace_choice *c);

/* The fate tracepoint @prog is a program of (enum herd_fate_tp; -1: none). */
int traceprogs_fate_of(struct herd_bpf *s, const struct bpf_program *prog);

#endif /* HERD_TRACEPROGS_H */
