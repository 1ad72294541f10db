// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * herd/fexit.bpf.h - the fexit path: its handler and its programs.
 *
 * Where the kernel lets trampolines attach (fentry/fexit: kfeatures.c probes it),
 * accepts, forks and reaps are seen in the kernel functions that do them, and
 * no system-call tracepoint is attached at all: every system call of the
 * machine then takes the fast path. Only with waits from registers (5.15+: the
 * accept's context comes from them too), so with records in task storage.
 *
 * Its programs are here, beside their handlers, not among herd.bpf.c's
 * tracepoint programs: each is a body of its own on a kernel function's
 * prototype (two for inet_csk_accept's, one per kernel), with no raw_tp twin,
 * and the loader loads this path as a whole or not at all.
 */
#ifndef HERD_PART_FEXIT_BPF_H
#define HERD_PART_FEXIT_BPF_H

#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "compat.bpf.h"
#include "herd.h"
#include "herd/helpers.bpf.h"
#include "herd/maps.bpf.h"
#include "herd/syscalls.bpf.h"

/*
 * Accepts: at inet_csk_accept's exit, on every kernel, which returns the new
 * socket itself (no descriptor to walk, no probe read); do_accept returns a
 * file and __sys_accept4_file a descriptor, one and three reads further from
 * it. io_uring's accepts pass through it too (do_accept), but are counted at
 * their completion, as on the tracepoint path: only an accept whose task is in
 * the accept or accept4 system call (its saved registers) counts here. Its
 * error is *err before commit 92ef0fd55ac8 ("net: change proto and proto_ops
 * accept type", 6.10), arg->err since: two twins, the loader picks one by the
 * prototype.
 */
static __always_inline int on_fexit_accept(struct sock *newsk, int err)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct herd_task *task = bpf_task_storage_get(&task_store, cur, 0, 0);

	if (!task)
		return 0;
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(cur);
	long nr = regs->orig_ax;
	if (nr != NR_accept && nr != NR_accept4)
		return 0;
	task->wait = WAIT_NONE;
	if (newsk)
		accepted(task, conn_of((__u64)newsk), cur->pid);
	else if (err == -EAGAIN)
		accept_empty(task);
	return 0;
}

SEC("fexit/inet_csk_accept")
int BPF_PROG(fexit_accept_err, struct sock *sk, int flags, int *errp, bool kern, struct sock *ret)
{
	int err = 0;

	if (!ret)
		bpf_probe_read_kernel(&err, sizeof(err), errp);
	return on_fexit_accept(ret, err);
}

struct proto_accept_arg___610 {
	int flags;
	int err;
} __attribute__((preserve_access_index));

SEC("fexit/inet_csk_accept")
int BPF_PROG(fexit_accept_arg, struct sock *sk, struct proto_accept_arg___610 *arg,
	     struct sock *ret)
{
	return on_fexit_accept(ret, ret ? 0 : arg->err);
}

/* Forks: kernel_clone (_do_fork before commit cad6967ac108, "fork: introduce
 * kernel_clone()", 5.10: the loader sets the target by name), entry and exit. */
SEC("fentry/kernel_clone")
int BPF_PROG(fentry_clone)
{
	struct herd_task *task = current_target();

	if (task)
		task->fork_enter_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("fexit/kernel_clone")
int BPF_PROG(fexit_clone, struct kernel_clone_args *args, pid_t ret)
{
	struct herd_task *task = current_target();

	if (task)
		fork_returned(task, ret);
	return 0;
}

/* Reaps: every zombie that wait4 or waitid reaps is released here, in its
 * reaper's context (WNOWAIT releases nothing), whoever the reaper is. */
#define PF_EXITING 0x00000004 /* include/linux/sched.h */
SEC("fentry/release_task")
int BPF_PROG(fentry_release_task, struct task_struct *p)
{
	reaped_by(p->pid, bpf_get_current_task_btf()->flags & PF_EXITING);
	return 0;
}

#endif /* HERD_PART_FEXIT_BPF_H */
