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
 *   - the fates' tracepoints (herd.h's HERD_FATE_TPS): each loaded only where
 *     the kernel's BTF has it with the arguments its program reads (kfree_skb's
 *     reason: 5.17+), else not loaded, or skipped at attach, and reported absent
 *     (trace.fates.absent).
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
 * Whether task @t (BTF-typed) holds any task-local storage at all: one load. A
 * lookup in a task without any finds nothing, but costs a helper call
 * (bpf_task_storage_get, whose tracing variant also takes a per-CPU busy
 * counter) on every switch and wakeup of every task of the machine, most of
 * them nobody's target; this answers for those without the call. A task with
 * storage from anyone (another tool's map too) still takes the lookup.
 */
static __always_inline bool task_has_storage(struct task_struct *t)
{
	if (bpf_core_field_exists(t->bpf_storage))
		return t->bpf_storage != NULL;
	return true; /* not known: the lookup decides */
}

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
 * Task @cur's descriptor table (@cur: the current task, BTF-typed where
 * task_storage, else from bpf_get_current_task): @fds, an array of @max_fds file
 * pointers. Where the current task comes BTF-typed (task_storage kernels), the
 * walk to it is plain loads; elsewhere it takes probe reads.
 */
static __always_inline void task_fds(struct task_struct *cur, struct file ***fds,
				     unsigned int *max_fds)
{
	if (task_storage) {
		struct fdtable *fdt = cur->files->fdt;
		*fds = fdt->fd;
		*max_fds = fdt->max_fds;
	} else {
		struct fdtable *fdt = BPF_CORE_READ(cur, files, fdt);
		*fds = BPF_CORE_READ(fdt, fd);
		*max_fds = BPF_CORE_READ(fdt, max_fds);
	}
}

/* The same, of the current task (@cur: bpf_get_current_task_btf where task_storage). */
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
 * The socket behind descriptor slot @slot (&fds[fd] of a descriptor table,
 * an array of pointers that BTF does not type: a plain number to the
 * verifier). Commit a35b9af4ec2c ("bpf: Add a kfunc for generic type cast",
 * 6.2) gave every program type bpf_rdonly_cast, which the verifier turns into
 * a plain move: what it returns is read with fault-safe loads, no helper call.
 * The slot is read as a list_head (any type whose first member is a pointer
 * would do), the file and the socket as themselves. Each probe read this
 * saves is a call and its return, which on a kernel with return thunks (SRSO's
 * safe RET, retpolines) costs more than the read. @cast is a constant of the
 * program: the programs that use the kfunc are twins loaded only where the
 * kernel's BTF has it (a call to an unresolved kfunc, even in dead code, is
 * refused by the verifiers before 6.4); elsewhere three probe reads.
 */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

static __always_inline __u64 slot_sk(struct file **slot, bool cast)
{
	if (cast) {
		struct list_head *p =
			bpf_rdonly_cast(slot, bpf_core_type_id_kernel(struct list_head));
		struct file *f = bpf_rdonly_cast(p->next, bpf_core_type_id_kernel(struct file));
		if (!f)
			return 0;
		struct socket *sock =
			bpf_rdonly_cast(f->private_data, bpf_core_type_id_kernel(struct socket));
		return (__u64)sock->sk;
	}
	struct file *f = NULL;
	if (bpf_probe_read_kernel(&f, sizeof(f), slot) || !f)
		return 0;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	return (__u64)BPF_CORE_READ(sock, sk);
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

/*
 * The fates of connections (herd/fates.bpf.h).
 *
 * skb:kfree_skb's reason came with commit c504e5c2f964 ("net: skb: introduce
 * kfree_skb_reason()", 5.17): its program is loaded only where the
 * tracepoint's prototype has it (the loader counts its arguments; 5.10 has
 * none, and its drops go unseen). The reasons are found by name through CO-RE,
 * since their numbers change from kernel to kernel; one this kernel lacks
 * matches nothing (-1):
 *   NO_SOCKET, a SYN to a port nothing listens on: commit 85125597419a ("net:
 *   skb: use kfree_skb_reason() in tcp_v4_rcv()", 5.17).
 *   TCP_LISTEN_OVERFLOW, the handshake's ACK (or the data after it) dropped at a
 *   full accept queue: commit a11a791ca81e ("tcp: add four drop reasons to
 *   tcp_check_req()", 6.15). Before it the same drop is NOT_SPECIFIED, which
 *   every path gives, and is not looked at.
 * A SYN dropped at a full accept or SYN queue has no reason on any kernel
 * (tcp_conn_request drops it, tcp_rcv_state_process consume_skb()s it): it is
 * seen as the client's SYN retransmission (tcp:tcp_retransmit_skb, every kernel).
 */
static __always_inline int drop_reason_listen_overflow(void)
{
	if (bpf_core_enum_value_exists(enum skb_drop_reason, SKB_DROP_REASON_TCP_LISTEN_OVERFLOW))
		return bpf_core_enum_value(enum skb_drop_reason,
					   SKB_DROP_REASON_TCP_LISTEN_OVERFLOW);
	return -1;
}

static __always_inline int drop_reason_no_socket(void)
{
	if (bpf_core_enum_value_exists(enum skb_drop_reason, SKB_DROP_REASON_NO_SOCKET))
		return bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_NO_SOCKET);
	return -1;
}

/*
 * tcp:tcp_send_reset. Until commit 19822a980e19 ("trace: tcp: fully support
 * trace_tcp_send_reset", 6.10) it fired only for an active reset or a passive
 * one from a full socket: a reset to a closed port (no socket) is then seen
 * only at the client's end (tcp:tcp_receive_reset). Commit b533fb9cf4f7
 * ("rstreason: make it work in trace world", 6.10) gave it a third argument,
 * the reset's enum sk_rst_reason (set by the loader from the prototype: the
 * argument is read only where it exists), and commit 90c36325c796 ("tcp:
 * rstreason: introduce SK_RST_REASON_TCP_ABORT_ON_CLOSE for active reset",
 * 6.12) the reason of a close with unread data. Where there is no such reason,
 * a close with unread data is an active reset (no packet) from a server socket
 * already in CLOSE: tcp_close() sets CLOSE, then resets (as do SO_LINGER 0 and
 * an orphan out of memory, which herdsrv never causes).
 */
const volatile bool send_reset_reason = false;

/* Whether a reset sent with reason @reason (-1: none known) from a socket in @state,
 * without a packet (@active), is a close with data unread. */
static __always_inline bool reset_closes_unread(int reason, bool active, int state)
{
	if (send_reset_reason &&
	    bpf_core_enum_value_exists(enum sk_rst_reason, SK_RST_REASON_TCP_ABORT_ON_CLOSE))
		return reason ==
		       bpf_core_enum_value(enum sk_rst_reason, SK_RST_REASON_TCP_ABORT_ON_CLOSE);
	return active && state == TCP_CLOSE;
}

/* tcp_send_reset's reason, where the tracepoint has one (-1 elsewhere). */
static __always_inline int send_reset_reason_arg(unsigned long long *ctx)
{
	return send_reset_reason ? (int)*(volatile __u64 *)&ctx[2] : -1;
}

#endif
