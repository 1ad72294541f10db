// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * herd/syscalls.bpf.h - system calls: what a target waits in, what its
 * accepts, forks and empty returns record, which zombie a wait4 or waitid of
 * any task reaps, and io_uring's accepts (herd.bpf.c's enter_NAME/exit_NAME
 * programs, one classic tracepoint per call of herd.h's HERD_SYSCALLS, and
 * io_uring_complete_raw).
 *
 * Each exit has its own handler by what the call is (herd.h's HERD_SYSCALLS
 * says which), so that accept's, the hottest, goes straight to what it needs.
 */
#ifndef HERD_PART_SYSCALLS_BPF_H
#define HERD_PART_SYSCALLS_BPF_H

#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "compat.bpf.h"
#include "herd.h"
#include "herd/helpers.bpf.h"
#include "herd/maps.bpf.h"
#include "herd/sched.bpf.h"

static __always_inline bool is_fork(long id)
{
	return id == NR_clone || id == NR_clone3 || id == NR_fork || id == NR_vfork;
}

/* Target @task's fork returned @ret (the child's pid, or an error): its cost,
 * from the entry it noted (none if tracing began inside the call). */
static __always_inline void fork_returned(struct herd_task *task, long ret)
{
	if (ret > 0 && task->fork_enter_ns) {
		hist_add(HIST_FORK, bpf_ktime_get_ns() - task->fork_enter_ns);
		struct herd_totals *t = tot();
		if (t)
			t->forks++;
	}
	task->fork_enter_ns = 0;
}

static __always_inline int on_sys_enter(long id, long arg1)
{
	__u32 kind = herd_wait_kind(id, arg1);

	if (kind == WAIT_NONE && !is_fork(id))
		return 0;
	struct herd_task *task = current_target();
	if (!task)
		return 0;
	if (kind != WAIT_NONE)
		task->wait = kind;
	else
		task->fork_enter_ns = bpf_ktime_get_ns();
	return 0;
}

/*
 * The current task's wait4/waitid returned @pid (or released it: @released, the
 * fexit path's release_task): if it is a zombie of ours, say who reaped it. A
 * release by its parent while the parent itself exits is no reap by the parent:
 * reparented to a reaper that ignores SIGCHLD, it was released on the way
 * (exit_notify), as the tracepoint path sees it freed (REAPED_INIT).
 */
static __always_inline void reaped_by(__u32 pid, bool parent_exiting)
{
	struct zombie *z = bpf_map_lookup_elem(&zombies, &pid);

	if (!z)
		return;
	__u32 reaper = (__u32)(bpf_get_current_pid_tgid() >> 32);
	struct herd_event *e = event_reserve_size(EVENT_HEAD + sizeof(e->comm));
	if (e) {
		e->type = EV_REAP;
		e->pid = pid;
		e->ts = bpf_ktime_get_ns();
		e->by = reaper == z->ppid && !parent_exiting ? REAPED_PARENT : REAPED_INIT;
		e->reaper = reaper;
		bpf_get_current_comm(e->comm, sizeof(e->comm));
		event_submit(e);
	}
	bpf_map_delete_elem(&zombies, &pid);
}
#define reaped(pid) reaped_by(pid, false)

/*
 * wait4 and waitid, in every task. wait4 returns the reaped pid. waitid returns
 * 0 and puts the pid in the caller's siginfo (si_pid, at offset 16 on x86-64),
 * whose address only the entry sees; WNOWAIT leaves the child a zombie.
 */
#define WNOWAIT		0x01000000 /* include/uapi/linux/wait.h */
#define SIGINFO_PID_OFF 16
static __always_inline int on_sys_enter_reap(long id, struct syscall_trace_enter *ctx)
{
	if (id != NR_waitid)
		return 0;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct waitid_call w = { .infop = ctx->args[2], .options = (__u32)ctx->args[3] };
	if (w.infop && !(w.options & WNOWAIT))
		bpf_map_update_elem(&waitids, &tid, &w, BPF_ANY);
	return 0;
}

static __always_inline int on_sys_exit_reap(long id, long ret)
{
	if (id == NR_wait4) {
		if (ret > 0)
			reaped((__u32)ret);
		return 0;
	}
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), pid = 0;
	struct waitid_call *w = bpf_map_lookup_elem(&waitids, &tid);
	if (!w)
		return 0;
	if (ret == 0 &&
	    !bpf_probe_read_user(&pid, sizeof(pid), (void *)(w->infop + SIGINFO_PID_OFF)) && pid)
		reaped(pid);
	bpf_map_delete_elem(&waitids, &tid);
	return 0;
}

/* A lock: whether the call was a wait is what the task recorded on entry. */
static __always_inline int on_sys_exit_arg(long id, long ret)
{
	struct herd_task *task = current_target();

	if (!task || task->wait != WAIT_LOCK)
		return 0;
	task->wait = WAIT_NONE;
	return 0;
}

/*
 * accept and accept4 return: the hottest exit (one a connection, and the
 * -EAGAINs of the herd), so it goes straight to what it needs. The tid comes
 * from the task itself where it is BTF-typed (a load, not a helper call).
 */
static __always_inline int on_sys_exit_accept(long ret, bool cast)
{
	struct task_struct *cur;
	struct herd_task *task = current_target_task(&cur);

	if (!task)
		return 0;
	task->wait = WAIT_NONE;
	if (ret >= 0) {
		__u32 tid = task_storage ? cur->pid : (__u32)bpf_get_current_pid_tgid();
		accepted(task, conn_of(fd_to_sk(cur, (int)ret, cast)), tid);
	} else if (ret == -EAGAIN) {
		accept_empty(task);
	}
	return 0;
}

static __always_inline int on_sys_exit(long id, long arg1, long ret)
{
	bool fork = is_fork(id);
	struct herd_task *task = current_target();
	if (!task)
		return 0;
	if (fork) {
		fork_returned(task, ret);
		return 0;
	}
	/* Classified by the call itself: a task may have entered it before tracing began. */
	__u32 wait = herd_wait_kind(id, arg1);
	task->wait = WAIT_NONE;
	if (arrival_kind(wait) && wait != WAIT_URING && (ret == 0 || ret == -EAGAIN) &&
	    task->pending) {
		task->futile++; /* woken, and the call came back empty */
		task->pending = 0;
	}
	return 0;
}

/*
 * io_uring: accepts arrive as completions, not as accept(2) returns. Multishot
 * accept posts its completions without a request (req is NULL), so an accept is
 * recognised by its result instead: a descriptor of this task whose socket is a
 * connection that completed its handshake and has not been accepted yet. Where
 * the result lives depends on the kernel (compat.bpf.h, uring_complete_res).
 */
static __always_inline int on_uring_complete(__u64 *args)
{
	int res = uring_complete_res(args);
	struct task_struct *cur;
	struct herd_task *task;

	if (res < 0 || !(task = current_target_task(&cur)))
		return 0;
	struct herd_conn *c = conn_of(fd_to_sk(cur, res, false));
	if (!c || c->accepted_ns)
		return 0;
	struct herd_totals *t = tot();
	if (t)
		t->uring_accepts++;
	accepted(task, c, (__u32)bpf_get_current_pid_tgid());
	return 0;
}

#endif /* HERD_PART_SYSCALLS_BPF_H */
