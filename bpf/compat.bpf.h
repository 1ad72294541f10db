/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * compat.bpf.h - every difference between the kernels the tracer runs on, in
 * one place: each behind a named helper or knob, with the kernel commit that
 * made it (as libbpf-tools' core_fixes.bpf.h does). herd.bpf.c asks these and
 * never a kernel version.
 *
 * Two kinds of difference. What CO-RE can see in the kernel's BTF (a renamed
 * field) is decided by libbpf at load, with bpf_core_field_exists. What needs a
 * helper, a map type or a tracepoint that an older verifier would refuse is a
 * knob: a const volatile that the loader sets from its feature probe
 * (kfeatures.c) before the one load. A knob is a constant of .rodata, so the
 * branches a kernel cannot take are dead code to its verifier, and none of this
 * costs the hot programs (sched_switch, sched_waking) an instruction at run time.
 *
 * Differences the loader handles alone, before or at attach:
 *   - tp_btf or raw_tp (RD below): probed with a tiny tp_btf load.
 *   - sock:sk_data_ready (have_data_ready below): its programs are loaded only
 *     where the kernel's BTF has the tracepoint.
 *   - epoll_pwait2: wired up by commit b0a0c2615f6f ("epoll: wire up syscall
 *     epoll_pwait2", 5.11); before it its tracepoints do not exist, and its two
 *     programs are skipped at attach.
 *   - io_uring_complete: absent without CONFIG_IO_URING; skipped at attach, and
 *     io_uring accepts go uncounted (tracer.uring_accepts_counted).
 */
#ifndef HERD_COMPAT_BPF_H
#define HERD_COMPAT_BPF_H

#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "herd.h"

/*
 * Reading a kernel field. Commit 9e15db66136a ("bpf: Implement accurate raw_tp
 * context access via BTF", 5.5) gave tracepoint programs BTF-typed arguments:
 * a tp_btf program loads a field directly (the verifier makes the load
 * fault-safe; no helper call), its raw_tp twin must go through
 * bpf_probe_read_kernel. Handlers are inlined with @btf a constant, so each
 * program keeps only its own path. This is most of the cost of the hot programs
 * (sched_switch, sys_exit): keep it cheap.
 */
#define RD(btf, ptr, field) ((btf) ? (ptr)->field : BPF_CORE_READ(ptr, field))

/*
 * A task's state (TASK_RUNNING, ...). Commit 2f064a59a11f ("sched: Change
 * task_struct::state", 5.14) renamed task_struct::state (a long) to __state (an
 * unsigned int); CO-RE picks the one this kernel has.
 */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

static __always_inline __u32 task_state(struct task_struct *t, bool btf)
{
	if (bpf_core_field_exists(t->__state))
		return RD(btf, t, __state);
	return (__u32)BPF_CORE_READ((struct task_struct___pre514 *)t, state);
}

/*
 * Records in the task itself (herd.bpf.c, target()). Task-local storage came
 * with commit 4cf1bc1f1045 ("bpf: Implement task local storage", 5.11) for BPF
 * LSM and opened to tracing programs with commit a10787e6d58c ("bpf: Enable
 * task local storage for tracing programs", 5.13); the current task comes
 * BTF-typed from bpf_get_current_task_btf, commit 3ca1032ab7ab ("bpf: Implement
 * get_current_task_btf and RET_PTR_TO_BTF_ID", 5.11). The loader sets this
 * with wait_from_regs: every kernel that has bpf_task_pt_regs (5.15) has all of
 * these. Without it the task_store map is not created and the branches that
 * use it are dead code.
 */
const volatile bool task_storage = false;

/*
 * What a task sleeps in, read from its saved user registers the moment it
 * sleeps: the system call number (orig_ax) and its second argument (si:
 * futex's op, fcntl's cmd), x86-64. bpf_task_pt_regs came with commit
 * dd6e10fbd9fb ("bpf: Add bpf_task_pt_regs() helper", 5.15) and takes a
 * BTF-typed task, so only the tp_btf sched_switch uses it. Where the loader
 * cannot set wait_from_regs, the sys_enter programs record each waiting call on
 * entry instead, at the cost of a tracepoint hit per call.
 */
const volatile bool wait_from_regs = false;

static __always_inline __u32 task_wait_kind(struct task_struct *t)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);

	return herd_wait_kind((long)regs->orig_ax, (long)regs->si);
}

/*
 * The current task's descriptor table: @fds, an array of @max_fds file
 * pointers. Where the current task comes BTF-typed (task_storage kernels), the
 * walk to it is plain loads; elsewhere it takes probe reads.
 */
static __always_inline void current_fds(struct file ***fds, unsigned int *max_fds)
{
	if (task_storage) {
		struct fdtable *fdt = bpf_get_current_task_btf()->files->fdt;
		*fds = fdt->fd;
		*max_fds = fdt->max_fds;
	} else {
		struct task_struct *t = (struct task_struct *)bpf_get_current_task();
		struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
		*fds = BPF_CORE_READ(fdt, fd);
		*max_fds = BPF_CORE_READ(fdt, max_fds);
	}
}

/*
 * sock:sk_data_ready, from commit 40e0b0908142 ("net/sock: Introduce
 * trace_sk_data_ready()", 6.3). Where the kernel has it, the arrival window
 * opens exactly when the listener's sk_data_ready runs and closes at the next
 * socket's, so the data of the same client, processed a moment later in the
 * same context, is never mistaken for its arrival. Without it the window stays
 * open WINDOW_NS after the handshake.
 */
const volatile bool have_data_ready = false;

/*
 * The result of a completion, from io_uring_complete's arguments (enum
 * herd_uring_res, read by the loader from the tracepoint's prototype). Commit
 * 502c87d65564 ("io-uring: Make tracepoints consistent.", 5.18) put the
 * request before user_data, moving the result from the third argument to the
 * fourth; commit 2946f08ae9ed ("io_uring: clean up cqe trace points", 6.13)
 * passes the filled CQE instead.
 */
const volatile __u32 uring_res = URING_RES_CQE;

static __always_inline int uring_complete_res(__u64 *args)
{
	if (uring_res == URING_RES_CQE)
		return BPF_CORE_READ((struct io_uring_cqe *)args[2], res);
	/* Volatile loads at fixed offsets: merged into one load at a computed offset
	 * (which the compiler may do to plain ones), they would be a modified
	 * context pointer, which the verifier refuses. */
	if (uring_res == URING_RES_ARG3)
		return (int)*(volatile __u64 *)&args[3];
	return (int)*(volatile __u64 *)&args[2];
}

#endif
