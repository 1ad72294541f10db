// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * herd/proc.bpf.h - processes: a target's fork makes its child a target, its
 * exit makes it a zombie of ours (the zombies map: who may reap it), its free
 * ends it, its exec renames it (herd.bpf.c's sched_process_* programs).
 *
 * Rare events: these handlers may read what they need with CO-RE reads of the
 * task and its parent, where the hot ones (herd/sched.bpf.h) count loads.
 */
#ifndef HERD_PART_PROC_BPF_H
#define HERD_PART_PROC_BPF_H

#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "compat.bpf.h"
#include "herd.h"
#include "herd/helpers.bpf.h"
#include "herd/maps.bpf.h"
#include "herd/sched.bpf.h"

/* A target created a task: the child is a target (in the list, and with its record). */
static __always_inline int on_fork(struct task_struct *parent, struct task_struct *child, bool btf)
{
	if (!target(parent, btf))
		return 0;
	struct herd_task c = {
		.tgid = BPF_CORE_READ(child, tgid),
		.ppid = BPF_CORE_READ(parent, tgid),
		.created_ns = bpf_ktime_get_ns(),
	};
	__u32 ctid = BPF_CORE_READ(child, pid);
	BPF_CORE_READ_STR_INTO(&c.comm, child, comm);
	c.comm_set = 1;
	if (bpf_map_update_elem(&tasks, &ctid, &c, BPF_ANY) ||
	    (task_storage &&
	     !bpf_task_storage_get(&task_store, child, &c, BPF_LOCAL_STORAGE_GET_F_CREATE)))
		count_map_full();
	return 0;
}

/*
 * Whether @p's parent releases it the moment it exits, as do_notify_parent()
 * decides (kernel/signal.c): it exits with SIGCHLD and its parent ignores
 * SIGCHLD or set SA_NOCLDWAIT. Read at sched_process_exit, just before
 * exit_notify() reads the same.
 */
static __always_inline bool parent_autoreaps(struct task_struct *p)
{
	struct sighand_struct *sh = BPF_CORE_READ(p, real_parent, sighand);
	unsigned long handler = (unsigned long)BPF_CORE_READ(sh, action[SIGCHLD - 1].sa.sa_handler);
	unsigned long flags = BPF_CORE_READ(sh, action[SIGCHLD - 1].sa.sa_flags);

	return BPF_CORE_READ(p, exit_signal) == SIGCHLD &&
	       (handler == SIG_IGN_HANDLER || (flags & SA_NOCLDWAIT));
}

/*
 * A target process exits: its zombie time starts at its last switch (on_switch),
 * and from now on a wait4 or waitid of any task may reap it (zombies).
 */
static __always_inline int on_exit(struct task_struct *p, bool btf)
{
	struct herd_task *task = target(p, btf);
	struct herd_totals *t;
	__u32 pid = RD(btf, p, pid);

	if (!task || pid != task->tgid)
		return 0;
	if ((t = tot()))
		t->exits++;
	task->autoreap = parent_autoreaps(p);
	if (!task->autoreap) {
		struct zombie z = { .ppid = BPF_CORE_READ(p, real_parent, tgid) };
		if (bpf_map_update_elem(&zombies, &pid, &z, BPF_ANY))
			count_map_full();
	}
	return 0;
}

/*
 * A task is gone for good. A zombie of ours that no wait4/waitid was seen to
 * reap was released some other way: say so. With records in a map, the task's
 * final record leaves now (in task storage it left at the last switch).
 */
static __always_inline int on_free(struct task_struct *p, bool btf)
{
	__u32 pid = RD(btf, p, pid);
	struct herd_task *task;

	if (bpf_map_lookup_elem(&zombies, &pid)) {
		struct herd_event *e = event_reserve();
		if (e) {
			e->type = EV_FREE;
			e->pid = pid;
			e->ts = bpf_ktime_get_ns();
			e->by = REAPED_INIT;
			e->reaper = 0;
			event_submit(e);
		}
		bpf_map_delete_elem(&zombies, &pid);
	}
	if (!task_storage && (task = target(p, btf)))
		task_gone(task, pid, bpf_ktime_get_ns());
	return 0;
}

/* A target exec()ed: its record takes the new program's name (comm follows exec). */
static __always_inline int on_exec(struct task_struct *p, bool btf)
{
	struct herd_task *task = target(p, btf);

	if (task) {
		BPF_CORE_READ_STR_INTO(&task->comm, p, comm);
		task->comm_set = 1;
	}
	return 0;
}

#endif /* HERD_PART_PROC_BPF_H */
