// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * herd.bpf.c - the tracer's kernel side: tracepoints only (no kprobes, no
 * fentry: DESIGN.md), each tp_btf program with a raw_tp twin that the loader
 * picks when BTF-typed tracepoints are not available.
 *
 * Who is traced. A target is any task in the `tasks` map, keyed by TID. The
 * loader puts the traced process, its threads and its existing descendants
 * there; sched_process_fork adds every task a target creates; sched_process_free
 * sends a task's final record to user space and removes it. On 5.15+ a target's
 * record lives in the task itself (task-local storage), where the hot programs
 * find it with a load from the task_struct, the map is only user space's list of
 * targets, and the final record leaves at the task's last switch (see
 * task_storage below).
 *
 * What a wakeup is for. A new connection on a port a target listens on ends its
 * handshake in softirq context: the child socket goes SYN_RECV -> ESTABLISHED
 * (inet_sock_set_state), and then, in the same context on the same CPU, the
 * listener's sk_data_ready wakes its waiters: accept sleepers, each epoll that
 * watches it, poll/select sleepers, a signal for O_ASYNC, io_uring's poll. So an
 * ESTABLISHED on a listening port opens an "arrival window" on that CPU, and
 * every sched_waking of a target in the same context while the window is open,
 * with the target sleeping in an accept-like call, is an accept wakeup caused by
 * that connection. Wakeups of a target sleeping on a lock around accept (futex,
 * fcntl) or on the descriptor-passing socket come from another target, not from
 * the network, and are counted whatever woke them.
 *
 * Futile wakeups. After an accept wakeup the task is "pending" until it accepts
 * a connection. If it sleeps in a waiting call again first (epoll's
 * level-triggered re-check finding nothing, or the next call after one that
 * came back empty), or accept returns -EAGAIN, the wakeup was futile. Where
 * the entry programs are in use, an empty return (0 events, -EAGAIN) of the
 * waiting call counts at once.
 *
 * System calls are seen through one classic tracepoint per call that matters
 * (syscalls:sys_exit_accept4, ...), so every other call costs no BPF at all.
 * Where sched_switch can read a sleeping task's registers (5.15+), what it
 * waits in comes from there, and only accept's exit, fork and wait4 are traced.
 *
 * Records go to user space through one ring buffer without a wakeup each: the
 * reader drains it on a timer (event_submit).
 *
 * What differs between kernels (task_struct's state field, task storage,
 * reading registers, sk_data_ready, io_uring's tracepoint) is in compat.bpf.h,
 * each difference behind a helper or a knob the loader sets.
 *
 * The fates of connections are counted on the rare paths only: drops,
 * retransmitted handshakes, resets.
 *
 * One BPF object (one skeleton, herd.skel.h), its text in parts by job, in
 * bpf/herd/: the maps, the helpers every handler uses, scheduling, processes,
 * system calls, TCP, the fates of connections, the fexit path. The parts are
 * headers, not objects of their own, on purpose: every handler is inlined into
 * each program that uses it and shares the object's maps, and a program of
 * another object could not. This file is the spine: it includes the parts in
 * the order of the story above and defines the tracepoint and iterator
 * programs, one line each (TWINS, HERD_SYSCALLS), so that what the loader
 * picks among (trace.c's selection) reads as one list of tracepoint ->
 * handler. The fexit path's programs stay beside their handlers in its part:
 * each has a body of its own on a kernel function's prototype.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "compat.bpf.h"
#include "herd.h"

/* The parts, in the order the story goes (each includes the parts it uses). */
#include "herd/maps.bpf.h"
#include "herd/helpers.bpf.h"
#include "herd/sched.bpf.h"
#include "herd/proc.bpf.h"
#include "herd/syscalls.bpf.h"
#include "herd/tcp.bpf.h"
#include "herd/fates.bpf.h"
#include "herd/fexit.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * What a program on a classic tracepoint returns: 0 would drop the event for
 * every other consumer of the tracepoint (perf_trace_run_bpf_submit: perf,
 * bpftrace, ftrace's perf side), and the tracer must leave what others see
 * unchanged.
 */
#define TP_KEEP_EVENT 1

/* ---- the programs: each tp_btf with its raw_tp twin --------------------------------- */

/*
 * TWINS(tracepoint, call, args...): the tp_btf program tracepoint_btf and its
 * raw_tp twin tracepoint_raw, on the tracepoint's arguments @args, each
 * returning @call with btf a constant (true in the tp_btf one).
 */
#define TWINS(tp, call, ...)                \
	SEC("tp_btf/" #tp)                  \
	int BPF_PROG(tp##_btf, __VA_ARGS__) \
	{                                   \
		const bool btf = true;      \
		return call;                \
	}                                   \
	SEC("raw_tp/" #tp)                  \
	int BPF_PROG(tp##_raw, __VA_ARGS__) \
	{                                   \
		const bool btf = false;     \
		return call;                \
	}

TWINS(sched_switch, on_switch(preempt, prev, next, btf), bool preempt, struct task_struct *prev,
      struct task_struct *next)

TWINS(sched_waking, on_waking(p, btf), struct task_struct *p)

TWINS(sched_wakeup_new, on_waking(p, btf), struct task_struct *p)

TWINS(sched_migrate_task, on_migrate(p, btf), struct task_struct *p)

TWINS(sched_process_fork, on_fork(parent, child, btf), struct task_struct *parent,
      struct task_struct *child)

TWINS(sched_process_exit, on_exit(p, btf), struct task_struct *p)

TWINS(sched_process_free, on_free(p, btf), struct task_struct *p)

TWINS(sched_process_exec, on_exec(p, btf), struct task_struct *p, pid_t old_pid,
      struct linux_binprm *bprm)

/*
 * System calls: one classic tracepoint per call that matters. The kernel tests a
 * bitmap before running anything for the others, so the server's recv and send,
 * and every call of every other process on the machine, cost no BPF at all.
 * arg1 is the second argument: futex's op, fcntl's cmd (see herd_wait_kind).
 * The calls are herd.h's HERD_SYSCALLS; a call a kernel does not have
 * (epoll_pwait2 before 5.11) is skipped at attach.
 */
#define SYSCALL_WITH_EXIT(name, on_enter_call, on_exit_call) \
	SEC("tracepoint/syscalls/sys_enter_" #name)          \
	int enter_##name(struct syscall_trace_enter *ctx)    \
	{                                                    \
		on_enter_call;                               \
		return TP_KEEP_EVENT;                        \
	}                                                    \
	SEC("tracepoint/syscalls/sys_exit_" #name)           \
	int exit_##name(struct syscall_trace_exit *ctx)      \
	{                                                    \
		on_exit_call;                                \
		return TP_KEEP_EVENT;                        \
	}
#define SYSCALL_ENTER(name) on_sys_enter(NR_##name, ctx->args[1])
#define SYSCALL_CALL(name) \
	SYSCALL_WITH_EXIT(name, SYSCALL_ENTER(name), on_sys_exit(NR_##name, 0, ctx->ret))
/* accept and accept4: their exit on its own path, with a twin that reads the
 * socket through bpf_rdonly_cast (exit_NAME_cast: compat.bpf.h's slot_sk). */
#define SYSCALL_ACCEPT(name)                                                              \
	SYSCALL_WITH_EXIT(name, SYSCALL_ENTER(name), on_sys_exit_accept(ctx->ret, false)) \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                        \
	int exit_##name##_cast(struct syscall_trace_exit *ctx)                            \
	{                                                                                 \
		on_sys_exit_accept(ctx->ret, true);                                       \
		return TP_KEEP_EVENT;                                                     \
	}
/* The locks wait or not depending on an argument: their exit needs the entry's verdict. */
#define SYSCALL_ARG(name) \
	SYSCALL_WITH_EXIT(name, SYSCALL_ENTER(name), on_sys_exit_arg(NR_##name, ctx->ret))
/* wait4 and waitid: in every task, for the zombies they reap. */
#define SYSCALL_REAP(name)                                         \
	SYSCALL_WITH_EXIT(name, on_sys_enter_reap(NR_##name, ctx), \
			  on_sys_exit_reap(NR_##name, ctx->ret))
#define SYSCALL_PROGS(name, exit, regs) SYSCALL_##exit(name)

HERD_SYSCALLS(SYSCALL_PROGS)

TWINS(inet_sock_set_state, on_set_state(sk, oldstate, newstate, btf), struct sock *sk, int oldstate,
      int newstate)

TWINS(sk_data_ready, on_data_ready(sk, btf), struct sock *sk)

/*
 * The fates' programs: each loaded only where its tracepoint exists with the
 * arguments it reads (the loader decides from the kernel's BTF: herd.h's
 * HERD_FATE_TPS), and skipped at attach otherwise.
 */
TWINS(kfree_skb, on_kfree_skb(skb, (int)reason, btf), struct sk_buff *skb, void *location,
      unsigned int reason)

TWINS(tcp_retransmit_synack, on_retransmit_synack(sk, req, btf), struct sock *sk,
      struct request_sock *req)

TWINS(tcp_retransmit_skb, on_retransmit_skb(sk, btf), struct sock *sk, struct sk_buff *skb)

TWINS(tcp_send_reset, on_send_reset(sk, skb, send_reset_reason_arg(ctx), btf), struct sock *sk,
      struct sk_buff *skb)

TWINS(tcp_receive_reset, on_receive_reset(sk, btf), struct sock *sk)

/*
 * task_storage kernels: the loader's seeds in the tasks map become records (a
 * task that already has one, because a target forked it meanwhile, keeps it)...
 */
SEC("iter/task")
int adopt(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct herd_task *seed;
	__u32 tid;

	if (!t)
		return 0;
	tid = t->pid;
	seed = bpf_map_lookup_elem(&tasks, &tid);
	if (seed && !bpf_task_storage_get(&task_store, t, seed, BPF_LOCAL_STORAGE_GET_F_CREATE))
		count_map_full();
	return 0;
}

/* ... and every target's record is copied into the map for user space to read. */
SEC("iter/task")
int snapshot(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct herd_task *task;
	__u32 tid;

	if (!t || !(task = bpf_task_storage_get(&task_store, t, 0, 0)))
		return 0;
	tid = t->pid;
	bpf_map_update_elem(&tasks, &tid, task, BPF_EXIST); /* only tasks it still lists */
	return 0;
}

SEC("raw_tp/io_uring_complete")
int io_uring_complete_raw(struct bpf_raw_tracepoint_args *ctx)
{
	return on_uring_complete(ctx->args);
}
