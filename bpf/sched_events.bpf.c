// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sched_events.bpf.c - every switch and wakeup of the tracer's targets, as
 * records: the raw material of herdlab/causes/ (why each request was slow,
 * which worker an arrival woke first, the timeline). Loaded only when asked
 * for, beside herd.bpf.c, never instead of it.
 *
 * Whose events. A target is whatever the tracer says is one: its loader hands
 * this object the tracer's own maps (bpf_map__reuse_fd before the load), so
 * there is one list of targets, kept by herd.bpf.c alone. Where the tracer
 * keeps records in task-local storage (task_storage), a task is a target if its
 * storage holds one, else if the tasks hash lists its TID. Nothing here writes
 * to either.
 *
 * What an arrival woke. herd.bpf.c opens an "arrival window" on a CPU when a
 * handshake completes on a port of ours and the listener's sk_data_ready runs
 * (see its opening comment); a target woken in that window, in the same
 * context, was woken by that connection. This object reads the same per-CPU
 * window map and puts the window's socket and handshake time into the wakeup's
 * record; user space decides (from the sleeper's last switch) whether the wait
 * was an accept-like one.
 *
 * What a task sleeps in: the system call in its saved registers at the switch
 * (bpf_task_pt_regs, 5.15+), kept raw (number and second argument) so that
 * user space can tell a nanosleep from a read, which herd_wait_kind does not.
 * Without the helper, the wait kind the tracer recorded at sys_enter.
 *
 * Records go through a ring buffer of their own without a wakeup each (the
 * reader drains it on the session's timer); a full ring counts a loss, and so
 * does every record after the reader stopped writing (its cap: `stopped`).
 * tp_btf only: the loader refuses --causes on a kernel without it.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "compat.bpf.h"
#include "herd.h"
#include "sched_events.h"
#include "shared_maps.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define TASK_RUNNING 0x0000 /* include/linux/sched.h: task_struct::__state */
#define TASK_DEAD    0x0080

/*
 * compat.bpf.h's knobs, set by the loader to the tracer's own choices:
 * task_storage (targets are in task_store, not tasks), wait_from_regs
 * (bpf_task_pt_regs is there), have_data_ready (sk_data_ready delimits windows).
 */

/* Set by the loader at run time: past its cap, nothing more is sent, only counted. */
volatile __u32 stopped;
__u64 lost;	  /* records the full ring refused */
__u64 suppressed; /* records not sent once stopped */

/* The tracer's maps, reused (shared_maps.bpf.h). */
SHARED_MAP_TASKS;
SHARED_MAP_TASK_STORE;
SHARED_MAP_WINDOWS;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SCHED_RINGBUF_SIZE);
} sched_events SEC(".maps");

/* @t's tracer record, if it is a target (@t is BTF-typed). */
static __always_inline struct herd_task *target(struct task_struct *t)
{
	if (task_storage)
		return task_has_storage(t) ? bpf_task_storage_get(&task_store, t, 0, 0) : NULL;
	__u32 tid = t->pid;
	return bpf_map_lookup_elem(&tasks, &tid);
}

static __always_inline struct sched_rec *rec_reserve(void)
{
	struct sched_rec *r;

	if (stopped) {
		__sync_fetch_and_add(&suppressed, 1);
		return NULL;
	}
	if (!(r = bpf_ringbuf_reserve(&sched_events, sizeof(*r), 0)))
		__sync_fetch_and_add(&lost, 1);
	return r;
}

static __always_inline void rec_submit(struct sched_rec *r)
{
	__u64 queued = bpf_ringbuf_query(&sched_events, BPF_RB_AVAIL_DATA);

	bpf_ringbuf_submit(r,
			   queued >= SCHED_RINGBUF_WAKE ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct herd_task *p = target(prev), *n = target(next);
	struct sched_rec *r;

	__u16 flags = 0;

	/* Flags, not !p && !n: clang would OR the pointers, which the verifier refuses. */
	if (p)
		flags |= SCHED_PREV_TARGET;
	if (n)
		flags |= SCHED_NEXT_TARGET;
	barrier_var(flags);
	if (!flags)
		return 0;
	if (!(r = rec_reserve()))
		return 0;
	__u32 state = task_state(prev, true);
	r->ts = bpf_ktime_get_ns();
	r->sk = 0;
	r->est_ns = 0;
	r->tid = prev->pid;
	r->other = next->pid;
	r->cpu = bpf_get_smp_processor_id();
	r->type = SCHED_SWITCH;
	r->flags = flags;
	r->nr = -1;
	r->arg1 = 0;
	r->wait = WAIT_NONE;
	r->pad = 0;
	if (preempt || state == TASK_RUNNING) {
		r->flags |= SCHED_PREEMPTED;
	} else if (p && wait_from_regs) {
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(prev);
		r->nr = (__s32)regs->orig_ax;
		r->arg1 = (__s32)regs->si;
		r->wait = herd_wait_kind((long)regs->orig_ax, (long)regs->si);
		r->flags |= SCHED_NR_KNOWN;
	} else if (p) {
		r->wait = p->wait;
	}
	if (state & TASK_DEAD)
		r->flags |= SCHED_PREV_DEAD;
	__builtin_memset(r->comm, 0, sizeof(r->comm));
	if (!p)
		bpf_probe_read_kernel_str(r->comm, sizeof(r->comm), prev->comm);
	else if (!n)
		bpf_probe_read_kernel_str(r->comm, sizeof(r->comm), next->comm);
	rec_submit(r);
	return 0;
}

static __always_inline int woken(struct task_struct *t, __u16 type)
{
	struct sched_rec *r;

	if (!target(t) || !(r = rec_reserve()))
		return 0;
	__u64 now = bpf_ktime_get_ns();
	__u32 zero = 0;
	struct window *w = bpf_map_lookup_elem(&windows, &zero);
	bool arrival = type == SCHED_WAKING && w && w->open &&
		       w->ctx == bpf_get_current_pid_tgid() &&
		       (have_data_ready || now - w->ts <= WINDOW_NS);
	r->ts = now;
	r->sk = arrival ? w->sk : 0;
	r->est_ns = arrival ? w->ts : 0;
	r->tid = t->pid;
	r->other = (__u32)bpf_get_current_pid_tgid();
	r->cpu = bpf_get_smp_processor_id();
	r->type = type;
	r->flags = 0;
	r->nr = -1;
	r->arg1 = 0;
	r->wait = WAIT_NONE;
	r->pad = 0;
	__builtin_memset(r->comm, 0, sizeof(r->comm));
	rec_submit(r);
	return 0;
}

SEC("tp_btf/sched_waking")
int BPF_PROG(sched_waking, struct task_struct *p)
{
	return woken(p, SCHED_WAKING);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new, struct task_struct *p)
{
	return woken(p, SCHED_WAKEUP_NEW);
}
