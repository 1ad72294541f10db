// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * herd/helpers.bpf.h - what every handler of the tracer's object uses: the
 * totals and histograms, finding a target's record (in the tasks map, or in
 * task storage: compat.bpf.h's task_storage), the ring buffer's records, and
 * what an accept of a target records (shared by accept's exits, on both paths,
 * and io_uring's completions).
 *
 * All __always_inline: the object is one program per tracepoint, and a helper
 * call of the kernel's costs less than a BPF-to-BPF call on the hot paths.
 */
#ifndef HERD_PART_HELPERS_BPF_H
#define HERD_PART_HELPERS_BPF_H

#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "compat.bpf.h"
#include "herd.h"
#include "herd/maps.bpf.h"

/*
 * The kernel's macros this file needs (vmlinux.h has its enums: TCP_LISTEN,
 * IPPROTO_TCP, ...; herd.h the constants user space needs too).
 */
#define TASK_RUNNING	0x0000 /* include/linux/sched.h: task_struct::__state */
#define TASK_DEAD	0x0080
#define EXIT_DEAD	0x0010 /* ... task_struct::exit_state */
#define AF_INET		2      /* include/linux/socket.h */
#define EAGAIN		11     /* include/uapi/asm-generic/errno-base.h */
#define SIGCHLD		17     /* arch/x86/include/uapi/asm/signal.h */
#define SIG_IGN_HANDLER 1      /* ... SIG_IGN, as a handler's address */
#define SA_NOCLDWAIT	0x00000002
static __always_inline struct herd_totals *tot(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&totals, &zero);
}

static __always_inline void count_map_full(void)
{
	struct herd_totals *t = tot();

	if (t)
		t->map_full++;
}

static __always_inline void hist_add(__u32 which, __u64 ns)
{
	struct herd_histogram *h = bpf_map_lookup_elem(&hists, &which);
	__u32 slot = herd_hist_slot(ns);

	/* The bound, for the verifier (herd_hist_slot never exceeds it), checked on the
	 * register that indexes: barrier_var keeps clang from testing a copy. */
	barrier_var(slot);
	if (!h || slot >= HERD_HIST_SLOTS)
		return;
	h->slot[slot]++;
}

/* Task @t's record if it is a target (@btf: @t is a BTF-typed pointer). */
static __always_inline struct herd_task *target(struct task_struct *t, bool btf)
{
	if (task_storage)
		return task_has_storage(t) ? bpf_task_storage_get(&task_store, t, 0, 0) : NULL;
	__u32 tid = RD(btf, t, pid);
	return bpf_map_lookup_elem(&tasks, &tid);
}

/* The current task's record if it is a target. */
static __always_inline struct herd_task *current_target(void)
{
	if (task_storage) {
		struct task_struct *cur = bpf_get_current_task_btf();
		return task_has_storage(cur) ? bpf_task_storage_get(&task_store, cur, 0, 0) : NULL;
	}
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	return bpf_map_lookup_elem(&tasks, &tid);
}

/*
 * Reserve a ring buffer record for an event whose payload (after the common
 * header) is @payload bytes: exits and reaps carry none, a closed connection its
 * herd_conn, a freed task its herd_task.
 */
#define EVENT_HEAD offsetof(struct herd_event, task)
static __always_inline struct herd_event *event_reserve_size(__u64 size)
{
	struct herd_event *e = bpf_ringbuf_reserve(&events, size, 0);

	if (!e) {
		struct herd_totals *t = tot();
		if (t)
			t->lost_events++;
	}
	return e;
}
/*
 * Hand a record over without waking the reader: it drains the ring every 100 ms
 * (tracer_poll), so waking it per record would only cost a context switch per
 * connection on the cores the server needs. Only a ring filling up wakes it.
 */
static __always_inline void event_submit(struct herd_event *e)
{
	__u64 queued = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);

	bpf_ringbuf_submit(e, queued >= HERD_RINGBUF_WAKE ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}
#define event_reserve()	     event_reserve_size(EVENT_HEAD)
#define event_reserve_conn() event_reserve_size(EVENT_HEAD + sizeof(struct herd_conn))
#define event_reserve_task() event_reserve_size(EVENT_HEAD + sizeof(struct herd_task))

/*
 * The current task (@cur) if it is a target: its record, and @cur for what
 * follows (where records live in task storage, the BTF-typed task, whose fields
 * are plain loads; elsewhere bpf_get_current_task's, read with probe reads).
 */
static __always_inline struct herd_task *current_target_task(struct task_struct **cur)
{
	if (task_storage) {
		*cur = bpf_get_current_task_btf();
		return task_has_storage(*cur) ? bpf_task_storage_get(&task_store, *cur, 0, 0)
					      : NULL;
	}
	*cur = (struct task_struct *)bpf_get_current_task();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	return bpf_map_lookup_elem(&tasks, &tid);
}

/* The socket behind descriptor @fd of the current task @cur (@cast: slot_sk's). */
static __always_inline __u64 fd_to_sk(struct task_struct *cur, int fd, bool cast)
{
	struct file **fds;
	unsigned int max_fds;

	task_fds(cur, &fds, &max_fds);
	if (fd < 0 || (unsigned)fd >= max_fds)
		return 0;
	return slot_sk(&fds[fd], cast);
}

/* The connection record of socket @sk (0: none), if it is on a port of ours. */
static __always_inline struct herd_conn *conn_of(__u64 sk)
{
	return sk ? bpf_map_lookup_elem(&conns, &sk) : NULL;
}

/*
 * Target @task (@tid) returned from accept with connection @c (NULL: a socket
 * not of ours, only counted). What an accept costs is mostly helper calls (each
 * a call and a return through the kernel's return thunk): the lookup that
 * found @c, and the clock for a connection it marks.
 */
static __always_inline void accepted(struct herd_task *task, struct herd_conn *c, __u32 tid)
{
	struct herd_totals *t = tot();

	task->accepted++;
	task->pending = 0;
	if (t)
		t->accepted++;
	if (c && !c->accepted_ns) {
		c->accepted_ns = bpf_ktime_get_ns();
		c->accept_tid = tid;
	}
}

/* Target @task's accept came back empty (-EAGAIN): futile if a wakeup sent it. */
static __always_inline void accept_empty(struct herd_task *task)
{
	task->eagain++;
	if (task->pending) {
		task->futile++;
		task->pending = 0;
	}
}

#endif /* HERD_PART_HELPERS_BPF_H */
