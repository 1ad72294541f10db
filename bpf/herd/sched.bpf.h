// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * herd/sched.bpf.h - scheduling: what a target's switches, wakeups and
 * migrations record (herd.bpf.c's sched_* programs).
 *
 * The hottest handlers of the object: sched_switch and sched_waking run on
 * every switch and wakeup of the machine, most of them nobody's, so each
 * looks its tasks up first and reads the clock only for a target. The
 * arrival window (herd/tcp.bpf.h opens it) decides here whether a wakeup was
 * a connection's; a target's last switch sends its records (EV_EXIT, and with
 * task storage its final record).
 */
#ifndef HERD_PART_SCHED_BPF_H
#define HERD_PART_SCHED_BPF_H

#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "compat.bpf.h"
#include "herd.h"
#include "herd/helpers.bpf.h"
#include "herd/maps.bpf.h"

/* Target task @task (@tid) is gone for good: hand its final record to user space. */
static __always_inline void task_gone(struct herd_task *task, __u32 tid, __u64 now)
{
	struct herd_event *e = event_reserve_task();

	if (e) {
		e->type = EV_TASK_GONE;
		e->pid = tid;
		e->ts = now;
		e->by = 0;
		e->reaper = 0;
		__builtin_memcpy(&e->task, task, sizeof(*task));
		event_submit(e);
	}
	bpf_map_delete_elem(&tasks, &tid);
}

/*
 * Target @t's last switch: it never runs again. A process is a zombie from now
 * on, or never was one: auto-reaped, as on_exit found its parent's SIGCHLD
 * disposition. (Not from exit_state: EXIT_DEAD is also what a parent's wait4
 * that won the race to this switch leaves.) A record in task storage leaves
 * now: the kernel may free the storage before sched_process_free (seen on
 * 6.18), and nothing after this switch changes it.
 */
static __always_inline void last_switch(struct task_struct *t, struct herd_task *p, __u64 now,
					bool btf)
{
	__u32 tid = RD(btf, t, pid);

	if (tid == p->tgid) {
		struct herd_event *e = event_reserve();
		if (e) {
			e->type = EV_EXIT;
			e->pid = tid;
			e->ts = now;
			e->by = p->autoreap;
			e->reaper = BPF_CORE_READ(t, real_parent, tgid);
			event_submit(e);
		}
	}
	if (task_storage)
		task_gone(p, tid, now);
}

static __always_inline int on_switch(bool preempt, struct task_struct *prev,
				     struct task_struct *next, bool btf)
{
	struct herd_task *p = target(prev, btf), *n = target(next, btf);
	__u64 now = 0; /* read only for a target: most switches of the machine are nobody's */

	if (p) {
		now = bpf_ktime_get_ns();
		__u32 state = task_state(prev, btf);
		p->switches++;
		if (!preempt && state != TASK_RUNNING) {
			p->voluntary++;
			p->offcpu_ns = now;
			if (btf && wait_from_regs)
				p->wait = task_wait_kind(prev);
			if (p->pending && p->wait != WAIT_NONE) { /* asleep again, same call */
				p->futile++;
				p->pending = 0;
			}
		} else {
			p->involuntary++;
			p->queued_ns = now;
		}
		if (p->oncpu_ns)
			p->run_ns += now - p->oncpu_ns;
		p->oncpu_ns = 0;
		if (state & TASK_DEAD)
			last_switch(prev, p, now, btf);
	}
	if (n) {
		if (!now)
			now = bpf_ktime_get_ns();
		n->oncpu_ns = now;
		if (n->queued_ns)
			hist_add(HIST_RUNQ, now - n->queued_ns);
		n->queued_ns = 0;
		if (!n->first_run_ns) {
			n->first_run_ns = now;
			if (n->created_ns)
				hist_add(HIST_FIRST_RUN, now - n->created_ns);
		}
	}
	return 0;
}

static __always_inline bool arrival_kind(__u32 wait)
{
	return wait == WAIT_ACCEPT || wait == WAIT_EPOLL || wait == WAIT_SELECT ||
	       wait == WAIT_POLL || wait == WAIT_SIGNAL || wait == WAIT_URING;
}

static __always_inline int on_waking(struct task_struct *p, bool btf)
{
	struct herd_task *task = target(p, btf);

	if (!task)
		return 0;
	__u64 now = bpf_ktime_get_ns();
	if (task->offcpu_ns) {
		hist_add(HIST_OFFCPU, now - task->offcpu_ns);
		task->offcpu_ns = 0;
	}
	task->queued_ns = now;
	/* What it waits in now, from its registers where the kernel has them: a task
	 * may be woken in the instant between joining a wait queue and switching out
	 * (the condition met before schedule()), when what its last switch recorded is
	 * still the wait before this one. */
	__u64 wait = btf && wait_from_regs ? task_wait_kind(p) : task->wait;
	/* 64 bits, so that the bound below is checked on the register that indexes
	 * wakeups[], not on a zero-extended copy the verifier cannot link to it */
	if (wait == WAIT_NONE || wait >= WAIT_KINDS)
		return 0;
	if (!arrival_kind(wait)) { /* a lock or the passfd socket: another target woke it */
		task->wakeups[wait]++;
		return 0;
	}
	__u32 zero = 0;
	struct window *w = bpf_map_lookup_elem(&windows, &zero);
	/* Where sk_data_ready delimits the window, no clock bounds it: a vCPU the host
	 * preempts between the handshake and the wakeups would otherwise lose them. */
	if (!w || !w->open || w->ctx != bpf_get_current_pid_tgid() ||
	    (!have_data_ready && now - w->ts > WINDOW_NS))
		return 0; /* not woken by a connection's arrival */
	task->wakeups[wait]++;
	task->pending = 1;
	struct herd_conn *c = bpf_map_lookup_elem(&conns, &w->sk);
	if (c) {
		c->wakeups++;
	} else {
		struct herd_totals *t = tot();
		if (t)
			t->arrivals_unmatched++;
	}
	return 0;
}

static __always_inline int on_migrate(struct task_struct *p, bool btf)
{
	struct herd_task *task = target(p, btf);

	if (task)
		task->migrations++;
	return 0;
}

#endif /* HERD_PART_SCHED_BPF_H */
