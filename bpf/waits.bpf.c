// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * waits.bpf.c - the cost of waiting: every select, poll and epoll call of the
 * tracer's targets, timed from its entry to its exit, with the part of that time
 * the task spent on a CPU.
 *
 * Why an object of its own. The tracer (herd.bpf.c) reads what a task sleeps in
 * from its registers at sched_switch, so that the waiting calls themselves run
 * no BPF at all. Timing them takes their entry and exit tracepoints, a program
 * on every such call the server makes (tens of thousands a second under load):
 * a price only an experiment about waiting should pay. So this object is loaded
 * only when asked (--waits) and costs nothing otherwise.
 *
 * Who is traced. The tracer's `tasks` map lists its targets by TID, forks
 * included (sched_process_fork adds them); the loader hands this object the
 * same map (bpf_map__reuse_fd), so the targets are the tracer's own and this
 * object never decides who is one.
 *
 * A call. At entry (the task is on a CPU: it is making the call) the call's
 * kind, its descriptors and the time are noted in the task's in-flight record,
 * and the task counts as on a CPU from then. sched_switch stops that clock when
 * the task leaves a CPU inside the call (blocked in the wait, or preempted) and
 * restarts it when it comes back; the exit adds the last stretch. So cpu_ns is
 * what the call cost the machine (its walk over the descriptors, twice for
 * select and poll, once to register on every wait queue and once to collect the
 * answer), and elapsed_ns - cpu_ns the time it waited. The exit adds the call to
 * the task's row for its kind and its on-CPU time to the kind's histogram.
 *
 * Descriptors per call. select's first argument (the highest descriptor + 1:
 * what do_select walks), poll's nfds; epoll's interest list is no argument, and
 * maxevents is only how many answers fit. Since commit 58c9b016e128 ("epoll: use
 * refcount to reduce ep_mutex contention", 6.4) an eventpoll holds one
 * reference for its file and one for each registered descriptor (ep_insert
 * takes one, __ep_remove's caller drops it, including the removal a close()
 * does without EPOLL_CTL_DEL): refcount - 1 is the interest list, read at
 * entry through the epoll descriptor. Older kernels have no such count, and
 * their calls count as unknown_nfds.
 *
 * Where the in-flight record lives. sched_switch runs on every switch of the
 * machine: where task-local storage exists (the loader's task_storage, 5.15+
 * with tp_btf), a task that never waited has no storage and the lookup is a
 * load from its task_struct; elsewhere a hash by TID holds only the calls in
 * progress.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "compat.bpf.h"
#include "herd.h"
#include "shared_maps.bpf.h"
#include "waits.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define TP_KEEP_EVENT 1 /* a classic tracepoint's program keeps the event for others */

/* The tracer's targets: its map, reused by fd (shared_maps.bpf.h). */
SHARED_MAP_TASKS;

/* A call in progress. */
struct waits_call {
	__u64 enter_ns;	 /* its entry (0: the task is in no call) */
	__u64 oncpu_ns;	 /* since when it is on a CPU inside the call (0: off a CPU) */
	__u64 cpu_ns;	 /* its time on a CPU so far */
	__u32 kind;	 /* enum waits_kind */
	__u32 nfds;	 /* descriptors it watches */
	__u32 maxevents; /* epoll's maxevents */
	__u32 known;	 /* nfds is known (epoll's interest list could be read) */
};

/* The in-flight record in the task itself (task_storage)... */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct waits_call);
} call_store SEC(".maps");

/* ... or by TID, only while a call is in progress (without task storage). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, WAITS_MAX_INFLIGHT);
	__type(key, __u32);
	__type(value, struct waits_call);
} inflight SEC(".maps");

/* Every (task, kind)'s sums; written only by the task itself, at its calls' exits. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, WAITS_MAX_ROWS);
	__type(key, struct waits_key);
	__type(value, struct waits_stat);
} rows SEC(".maps");

/* On-CPU nanoseconds per call, one histogram per kind (herd.h's layout). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, WAITS_KINDS);
	__type(key, __u32);
	__type(value, struct herd_histogram);
} hists SEC(".maps");

struct waits_counters counters;

/* ---- the in-flight record --------------------------------------------------------------- */

/* Task @t's call in progress, if it has a record (@btf: @t is BTF-typed). */
static __always_inline struct waits_call *call_of(struct task_struct *t, bool btf)
{
	if (task_storage)
		return task_has_storage(t) ? bpf_task_storage_get(&call_store, t, 0, 0) : NULL;
	__u32 tid = RD(btf, t, pid);
	return bpf_map_lookup_elem(&inflight, &tid);
}

static __always_inline struct waits_call *current_call(void)
{
	if (task_storage)
		return bpf_task_storage_get(&call_store, bpf_get_current_task_btf(), 0, 0);
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	return bpf_map_lookup_elem(&inflight, &tid);
}

/*
 * The current task's record for a new call, if it is a target. In task storage a
 * record, once made, stays with the task (it is a target for life), so only its
 * first call looks the tracer's map up; the hash holds calls in progress only.
 */
static __always_inline struct waits_call *new_call(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct waits_call *c;

	if (task_storage && (c = current_call()))
		return c;
	if (!bpf_map_lookup_elem(&tasks, &tid))
		return NULL;
	if (task_storage)
		c = bpf_task_storage_get(&call_store, bpf_get_current_task_btf(), 0,
					 BPF_LOCAL_STORAGE_GET_F_CREATE);
	else {
		struct waits_call zero = {};
		bpf_map_update_elem(&inflight, &tid, &zero, BPF_ANY);
		c = bpf_map_lookup_elem(&inflight, &tid);
	}
	if (!c)
		__sync_fetch_and_add(&counters.map_full, 1);
	return c;
}

/* ---- entry and exit ------------------------------------------------------------------- */

/*
 * The interest list of the epoll instance behind descriptor @epfd: its
 * references but its file's (see the top). -1 where it cannot be read.
 */
static __always_inline long epoll_interest(long epfd)
{
	struct file **fds, *f = NULL;
	unsigned int max_fds;

	if (!bpf_core_field_exists(((struct eventpoll *)0)->refcount))
		return -1;
	current_fds(&fds, &max_fds);
	if (epfd < 0 || epfd >= max_fds || bpf_probe_read_kernel(&f, sizeof(f), &fds[epfd]) || !f)
		return -1;
	struct eventpoll *ep = BPF_CORE_READ(f, private_data);
	int refs = BPF_CORE_READ(ep, refcount.refs.counter);
	return refs > 0 ? refs - 1 : 0;
}

static __always_inline void on_enter(__u32 kind, long nfds, long epfd, long maxevents)
{
	struct waits_call *c = new_call();

	if (!c)
		return;
	if (kind == WAITS_EPOLL)
		nfds = epoll_interest(epfd);
	c->kind = kind;
	c->known = nfds >= 0;
	c->nfds = nfds > 0 ? (__u32)nfds : 0;
	c->maxevents = kind == WAITS_EPOLL && maxevents > 0 ? (__u32)maxevents : 0;
	c->cpu_ns = 0;
	c->enter_ns = bpf_ktime_get_ns();
	c->oncpu_ns = c->enter_ns;
}

static __always_inline void hist_add(__u32 kind, __u64 ns)
{
	struct herd_histogram *h = bpf_map_lookup_elem(&hists, &kind);
	__u32 slot = herd_hist_slot(ns);

	barrier_var(slot); /* the bound, checked on the register that indexes */
	if (!h || slot >= HERD_HIST_SLOTS)
		return;
	h->slot[slot]++;
}

/* The row of (current task, @kind), made at its first call. */
static __always_inline struct waits_stat *row_of(__u32 kind)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct waits_key key = { .tid = (__u32)id, .kind = kind };
	struct waits_stat *st = bpf_map_lookup_elem(&rows, &key);

	if (st)
		return st;
	struct waits_stat fresh = { .tgid = (__u32)(id >> 32) };
	bpf_get_current_comm(&fresh.comm, sizeof(fresh.comm));
	if (bpf_map_update_elem(&rows, &key, &fresh, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&rows, &key)) {
		__sync_fetch_and_add(&counters.map_full, 1);
		return NULL;
	}
	return bpf_map_lookup_elem(&rows, &key);
}

static __always_inline void on_exit(long ret)
{
	struct waits_call *c = current_call();

	if (!c || !c->enter_ns)
		return; /* entered before tracing began, or not a target */
	__u64 now = bpf_ktime_get_ns();
	__u64 cpu = c->cpu_ns + (c->oncpu_ns ? now - c->oncpu_ns : 0);
	__u32 kind = c->kind;
	struct waits_stat *st = row_of(kind);
	if (st) {
		st->calls++;
		st->nfds += c->nfds;
		st->maxevents += c->maxevents;
		st->unknown_nfds += !c->known;
		if (ret > 0)
			st->ready += (__u64)ret;
		else if (ret == 0)
			st->empty++;
		else
			st->errors++;
		st->cpu_ns += cpu;
		st->elapsed_ns += now - c->enter_ns;
	}
	if (kind < WAITS_KINDS)
		hist_add(kind, cpu);
	c->enter_ns = 0;
	if (!task_storage) {
		__u32 tid = (__u32)bpf_get_current_pid_tgid();
		bpf_map_delete_elem(&inflight, &tid);
	}
}

/* ---- sched_switch: the on-CPU clock of a task inside a call ---------------------------- */

static __always_inline int on_switch(struct task_struct *prev, struct task_struct *next, bool btf)
{
	struct waits_call *p = call_of(prev, btf), *n = call_of(next, btf);
	__u64 now = 0;

	if (p && p->enter_ns && p->oncpu_ns) {
		now = bpf_ktime_get_ns();
		p->cpu_ns += now - p->oncpu_ns;
		p->oncpu_ns = 0;
	}
	if (n && n->enter_ns)
		n->oncpu_ns = now ? now : bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return on_switch(prev, next, true);
}

SEC("raw_tp/sched_switch")
int BPF_PROG(switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return on_switch(prev, next, false);
}

/*
 * The calls: WAIT_CALL(name, kind, nfds, epfd, maxevents), the last three the
 * argument numbers where each is found (-1: the call has none).
 */
#define ARG(n) ((n) < 0 ? -1 : (long)ctx->args[(n) < 0 ? 0 : (n)])
#define WAIT_CALL(name, kind, nfds, epfd, maxevents)                  \
	SEC("tracepoint/syscalls/sys_enter_" #name)                   \
	int enter_##name(struct syscall_trace_enter *ctx)             \
	{                                                             \
		on_enter(kind, ARG(nfds), ARG(epfd), ARG(maxevents)); \
		return TP_KEEP_EVENT;                                 \
	}                                                             \
	SEC("tracepoint/syscalls/sys_exit_" #name)                    \
	int exit_##name(struct syscall_trace_exit *ctx)               \
	{                                                             \
		on_exit(ctx->ret);                                    \
		return TP_KEEP_EVENT;                                 \
	}

WAIT_CALL(select, WAITS_SELECT, 0, -1, -1)
WAIT_CALL(pselect6, WAITS_SELECT, 0, -1, -1)
WAIT_CALL(poll, WAITS_POLL, 1, -1, -1)
WAIT_CALL(ppoll, WAITS_POLL, 1, -1, -1)
WAIT_CALL(epoll_wait, WAITS_EPOLL, -1, 0, 2)
WAIT_CALL(epoll_pwait, WAITS_EPOLL, -1, 0, 2)
WAIT_CALL(epoll_pwait2, WAITS_EPOLL, -1, 0, 2)
