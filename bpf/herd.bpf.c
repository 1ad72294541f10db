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
 * The fates of connections (the section before the programs) are counted on
 * the rare paths only: drops, retransmitted handshakes, resets.
 *
 * One file of about 1200 lines, on purpose: it is one BPF object, whose handlers
 * are all inlined into each program that uses them and share its maps, and it
 * reads top to bottom as the story above (helpers, scheduling, processes,
 * system calls, TCP, the fates of connections, the programs).
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "compat.bpf.h"
#include "herd.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

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
/*
 * What a program on a classic tracepoint returns: 0 would drop the event for
 * every other consumer of the tracepoint (perf_trace_run_bpf_submit: perf,
 * bpftrace, ftrace's perf side), and the tracer must leave what others see
 * unchanged.
 */
#define TP_KEEP_EVENT 1
#define WINDOW_NS     (200 * 1000) /* without sk_data_ready, a window lasts no longer */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HERD_MAX_TASKS);
	__type(key, __u32);
	__type(value, struct herd_task);
} tasks SEC(".maps");

/*
 * Where the records are counted. sched_switch looks up two tasks, and
 * sched_waking one, on every switch and wakeup of the machine, most of them
 * nobody's target: a hash lookup by TID is the largest part of their cost. With
 * task_storage (compat.bpf.h: set by the loader where it can read waits from
 * registers), each target carries its record in task_store instead, and for a
 * task without one the lookup finds the task's storage pointer empty and
 * returns. The tasks map then only lists the targets for user space: fork adds
 * to it as before, the last switch removes from it, the loader's seeds become
 * records through the adopt iterator, and the snapshot iterator copies the
 * records back into it before user space reads them. Without task_storage the
 * object is loaded without task_store and the branches that use it are dead
 * code to the verifier.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct herd_task);
} task_store SEC(".maps");

/* Ports a target listens on, indexed by port (host order): 1 if it is one. An
 * array, not a hash: every TCP state change on the machine looks here first. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} ports SEC(".maps");

/* Connections on those ports, by socket address, from handshake to close. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HERD_MAX_CONNS);
	__type(key, __u64);
	__type(value, struct herd_conn);
} conns SEC(".maps");

struct window {
	__u64 sk;   /* the connection whose arrival is being delivered */
	__u64 ts;   /* when its handshake completed */
	__u64 ctx;  /* pid_tgid of the context it runs in */
	__u32 open; /* wakeups now are for this arrival */
};

/* The arrival window of each CPU: opened at a handshake (conn_open), closed by
 * sk_data_ready where the kernel has it (have_data_ready), else by WINDOW_NS. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct window);
} windows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct herd_totals);
} totals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HISTS);
	__type(key, __u32);
	__type(value, struct herd_histogram);
} hists SEC(".maps");

/*
 * Target processes between their exit and their reaping, by pid: what the
 * reaping must know. A zombie's record may be gone by then (task storage leaves
 * at the last switch), and whoever reaps it need not be a target (herdlab
 * reaping the server it started, init reaping an orphan), so the reap is matched
 * here, by the pid wait4 or waitid returns, in any task.
 */
struct zombie {
	__u32 ppid; /* its parent at exit: a reap by it is REAPED_PARENT */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HERD_MAX_ZOMBIES);
	__type(key, __u32);
	__type(value, struct zombie);
} zombies SEC(".maps");

/* A waitid in progress, by TID: where its siginfo goes (the reaped pid is there). */
struct waitid_call {
	__u64 infop;   /* the user's siginfo_t */
	__u32 options; /* WNOWAIT leaves the child a zombie */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct waitid_call);
} waitids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, HERD_RINGBUF_SIZE);
} events SEC(".maps");

/* ---- helpers -------------------------------------------------------------- */

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
		return bpf_task_storage_get(&task_store, t, 0, 0);
	__u32 tid = RD(btf, t, pid);
	return bpf_map_lookup_elem(&tasks, &tid);
}

/* The current task's record if it is a target. */
static __always_inline struct herd_task *current_target(void)
{
	if (task_storage)
		return bpf_task_storage_get(&task_store, bpf_get_current_task_btf(), 0, 0);
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
		return bpf_task_storage_get(&task_store, *cur, 0, 0);
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

/*
 * Target @task (the current task @cur, @tid) returned from accept (or io_uring's)
 * with connection @fd (@cast: slot_sk's). What this costs is mostly helper calls (each a call and a
 * return through the kernel's return thunk): the clock, the descriptor slot's
 * probe read and the connection's lookup are all it makes.
 */
static __always_inline void accepted(struct herd_task *task, struct task_struct *cur, __u32 tid,
				     int fd, bool cast)
{
	struct herd_totals *t = tot();
	__u64 sk = fd_to_sk(cur, fd, cast);
	struct herd_conn *c = sk ? bpf_map_lookup_elem(&conns, &sk) : NULL;

	task->accepted++;
	task->pending = 0;
	if (t)
		t->accepted++;
	if (c && !c->accepted_ns) {
		c->accepted_ns = bpf_ktime_get_ns();
		c->accept_tid = tid;
	}
}

/* ---- scheduling ------------------------------------------------------------ */

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
	__u32 wait = task->wait;
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

/* ---- processes --------------------------------------------------------------- */

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

/* ---- system calls --------------------------------------------------------------- */

static __always_inline bool is_fork(long id)
{
	return id == NR_clone || id == NR_clone3 || id == NR_fork || id == NR_vfork;
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
		accepted(task, cur, tid, (int)ret, cast);
	} else if (ret == -EAGAIN) {
		task->eagain++;
		if (task->pending) {
			task->futile++;
			task->pending = 0;
		}
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
		if (ret > 0 && task->fork_enter_ns) {
			hist_add(HIST_FORK, bpf_ktime_get_ns() - task->fork_enter_ns);
			struct herd_totals *t = tot();
			if (t)
				t->forks++;
		}
		task->fork_enter_ns = 0;
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
	__u64 sk = fd_to_sk(cur, res, false);
	struct herd_conn *c = sk ? bpf_map_lookup_elem(&conns, &sk) : NULL;
	if (!c || c->accepted_ns)
		return 0;
	struct herd_totals *t = tot();
	if (t)
		t->uring_accepts++;
	accepted(task, cur, (__u32)bpf_get_current_pid_tgid(), res, false);
	return 0;
}

/* ---- TCP ------------------------------------------------------------------------ */

/* Whether a target listens on @port (or the loader added it). */
static __always_inline bool our_port(__u32 port)
{
	__u8 *ours = bpf_map_lookup_elem(&ports, &port);

	return ours && *ours;
}

/* A handshake completed on a port of ours: record it, open the arrival window. */
static __always_inline int conn_open(struct sock *sk, __u64 skaddr, __u32 sport, __u64 now,
				     bool btf)
{
	__u16 family = RD(btf, sk, __sk_common.skc_family);
	struct herd_conn c = {
		.sk = skaddr,
		.established_ns = now,
		.family = family,
		.client_port = bpf_ntohs(RD(btf, sk, __sk_common.skc_dport)),
		.server_port = (__u16)sport,
	};

	if (family == AF_INET) {
		__u32 daddr = RD(btf, sk, __sk_common.skc_daddr);
		__builtin_memcpy(c.client_addr, &daddr, 4);
	} else {
		BPF_CORE_READ_INTO(&c.client_addr, sk, __sk_common.skc_v6_daddr);
	}
	if (bpf_map_update_elem(&conns, &skaddr, &c, BPF_ANY))
		count_map_full();
	struct herd_totals *t = tot();
	if (t)
		t->established++;
	__u32 zero = 0;
	struct window *w = bpf_map_lookup_elem(&windows, &zero);
	if (w) {
		w->sk = skaddr;
		w->ts = now;
		w->ctx = bpf_get_current_pid_tgid();
		w->open = !have_data_ready;
	}
	return 0;
}

/* A connection of ours reached CLOSE: send its record to user space. */
static __always_inline void conn_close(__u64 skaddr)
{
	struct herd_conn *c = bpf_map_lookup_elem(&conns, &skaddr);

	if (!c)
		return;
	__u64 now = bpf_ktime_get_ns();
	struct herd_event *e = event_reserve_conn();
	if (e) {
		e->type = EV_CONN;
		e->pid = c->accept_tid;
		e->ts = now;
		e->by = 0;
		e->reaper = 0;
		__builtin_memcpy(&e->conn, c, sizeof(*c));
		e->conn.closed_ns = now;
		event_submit(e);
	}
	bpf_map_delete_elem(&conns, &skaddr);
}

static __always_inline void close_window(void)
{
	__u32 zero = 0;
	struct window *w = bpf_map_lookup_elem(&windows, &zero);

	if (w)
		w->open = 0;
}

/* A TCP state change: learn listening ports, open and close connections. */
static __always_inline int on_set_state(struct sock *sk, int oldstate, int newstate, bool btf)
{
	/* Ten state changes per connection on the machine (both ends); three matter.
	 * Decide on the arguments before touching the socket. */
	bool opened = oldstate == TCP_SYN_RECV && newstate == TCP_ESTABLISHED;
	/* An arrival's wakeups all happen inside the listener's sk_data_ready, before
	 * any other state change: one closes the window, so a task woken next by a
	 * connection's own change (a FIN waking a poll on it: apache's lingering
	 * close) is not taken for a woken acceptor. */
	if (!opened)
		close_window();
	if (!opened && newstate != TCP_CLOSE && newstate != TCP_LISTEN)
		return 0;
	if (RD(btf, sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	__u64 skaddr = (__u64)sk;
	/* By CLOSE the local port is already released (tcp_set_state ->
	 * inet_put_port zeroes it before the tracepoint): find the socket itself.
	 * Half the closes are the clients' ends, whose remote port is ours: those
	 * end here on two loads, without a lookup that misses. A connection of
	 * ours has a client's port there, which can be a port of ours only for a
	 * remote client's; and it has its listener's backlog (sk_clone_lock copies
	 * it), which a connect()ed socket has not. */
	if (newstate == TCP_CLOSE) {
		if (!RD(btf, sk, sk_max_ack_backlog) &&
		    our_port(bpf_ntohs(RD(btf, sk, __sk_common.skc_dport))))
			return 0;
		conn_close(skaddr);
		return 0;
	}
	__u32 sport = RD(btf, sk, __sk_common.skc_num); /* the local port, host order */
	__u8 *ours = bpf_map_lookup_elem(&ports, &sport);

	if (!ours)
		return 0;
	if (newstate == TCP_LISTEN) { /* a target starts listening: learn the port */
		if (current_target())
			*ours = 1;
		return 0;
	}
	if (!*ours) /* a client socket, or another server's: not ours */
		return 0;
	return opened ? conn_open(sk, skaddr, sport, bpf_ktime_get_ns(), btf) : 0;
}

/* A socket's data_ready: the listener's opens the arrival window, any other closes it. */
static __always_inline int on_data_ready(struct sock *sk, bool btf)
{
	__u32 zero = 0;
	struct window *w = bpf_map_lookup_elem(&windows, &zero);

	if (!w)
		return 0;
	if (RD(btf, sk, __sk_common.skc_state) == TCP_LISTEN)
		w->open = w->sk && w->ctx == bpf_get_current_pid_tgid();
	else
		w->open = 0;
	return 0;
}

/* ---- the fates of connections --------------------------------------------------- */

/*
 * What happened to each client's connection on the rare paths: a SYN sent again
 * or dropped, a SYN-ACK sent again, a reset either way, a close with unread
 * data. None of these tracepoints fires on the path of a connection that goes
 * well, so none of this costs the hot programs anything; kfree_skb fires on
 * every freed packet of the machine, and looks at its reason (a constant
 * compare) before anything else. Counted by client address:port in the fates
 * map, for the ports of the ports map -- those a target listens on and those
 * the loader adds, with a listener or not, so that the resets of a port
 * nothing listens on are counted too.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HERD_MAX_FATES);
	__type(key, struct herd_fate_key);
	__type(value, struct herd_fate);
} fates SEC(".maps");

#define TCPHDR_SYN 0x02 /* include/net/tcp.h: the flags byte of struct tcphdr */
#define TCPHDR_RST 0x04
#define TCPHDR_ACK 0x10
#define AF_INET6   10

/* @k's record, made if it is new; NULL (counted) when the map is full. */
static __always_inline struct herd_fate *fate_of(struct herd_fate_key *k)
{
	struct herd_fate *f = bpf_map_lookup_elem(&fates, k);
	__u64 now = bpf_ktime_get_ns();

	if (!f) {
		struct herd_fate fresh = { .key = *k, .first_ns = now };
		bpf_map_update_elem(&fates, k, &fresh, BPF_NOEXIST);
		if (!(f = bpf_map_lookup_elem(&fates, k))) {
			struct herd_totals *t = tot();
			if (t)
				t->fates_lost++;
			return NULL;
		}
	}
	f->last_ns = now;
	return f;
}

/*
 * The fate key of socket @sk (or a request sock: both begin with a struct
 * sock_common): @server, its local end is the server's; else it is a client's.
 */
static __always_inline void sock_key(struct sock *sk, bool server, struct herd_fate_key *k,
				     bool btf)
{
	__u16 local = RD(btf, sk, __sk_common.skc_num);
	__u16 remote = bpf_ntohs(RD(btf, sk, __sk_common.skc_dport));

	k->family = RD(btf, sk, __sk_common.skc_family);
	k->client_port = server ? remote : local;
	k->server_port = server ? local : remote;
	if (k->family == AF_INET) {
		__u32 a = server ? RD(btf, sk, __sk_common.skc_daddr)
				 : RD(btf, sk, __sk_common.skc_rcv_saddr);
		__builtin_memcpy(k->client_addr, &a, 4);
	} else if (server) {
		BPF_CORE_READ_INTO(&k->client_addr, sk, __sk_common.skc_v6_daddr);
	} else {
		BPF_CORE_READ_INTO(&k->client_addr, sk, __sk_common.skc_v6_rcv_saddr);
	}
}

/* A packet's TCP header and source, read from the skb (the headers need probe reads). */
struct pkt {
	struct herd_fate_key from; /* its source address and port (client_*); dport below */
	__u16 dport;		   /* its destination port */
	__u8 flags;		   /* TCPHDR_* */
};

static __always_inline bool skb_tcp(struct sk_buff *skb, struct pkt *p, bool btf)
{
	unsigned char *head = RD(btf, skb, head);
	__u16 nh = RD(btf, skb, network_header), th = RD(btf, skb, transport_header);
	__u8 version = 0, hdr[14];

	if (bpf_probe_read_kernel(&version, 1, head + nh))
		return false;
	if (version >> 4 == 4) {
		struct iphdr ip;
		if (bpf_probe_read_kernel(&ip, sizeof(ip), head + nh) || ip.protocol != IPPROTO_TCP)
			return false;
		p->from.family = AF_INET;
		__builtin_memcpy(p->from.client_addr, &ip.saddr, 4);
	} else if (version >> 4 == 6) {
		struct ipv6hdr ip6;
		if (bpf_probe_read_kernel(&ip6, sizeof(ip6), head + nh) ||
		    ip6.nexthdr != IPPROTO_TCP) /* extension headers: not a client of ours */
			return false;
		p->from.family = AF_INET6;
		__builtin_memcpy(p->from.client_addr, &ip6.saddr, 16);
	} else {
		return false;
	}
	if (bpf_probe_read_kernel(hdr, sizeof(hdr), head + th))
		return false;
	p->from.client_port = (__u16)(hdr[0] << 8 | hdr[1]); /* struct tcphdr's source */
	p->dport = (__u16)(hdr[2] << 8 | hdr[3]);
	p->flags = hdr[13];
	return true;
}

/* A packet dropped: at a full accept queue, or a SYN with nothing listening. */
static __always_inline int on_kfree_skb(struct sk_buff *skb, int reason, bool btf)
{
	int overflow = drop_reason_listen_overflow();
	struct pkt p = {};
	struct herd_fate *f;

	if (reason != overflow && reason != drop_reason_no_socket())
		return 0; /* nearly every call of the machine ends here */
	if (!skb_tcp(skb, &p, btf) || !our_port(p.dport))
		return 0;
	if (reason != overflow && (p.flags & (TCPHDR_SYN | TCPHDR_ACK)) != TCPHDR_SYN)
		return 0; /* only a SYN is a connection refused for want of a socket */
	p.from.server_port = p.dport;
	if (!(f = fate_of(&p.from)))
		return 0;
	if (reason == overflow)
		f->overflow_drops++;
	else
		f->no_socket_drops++;
	return 0;
}

/* The listener @sk sent its SYN-ACK to @req's client again. */
static __always_inline int on_retransmit_synack(struct sock *sk, struct request_sock *req, bool btf)
{
	struct herd_fate_key k = {};
	struct herd_fate *f;

	if (!our_port(RD(btf, sk, __sk_common.skc_num)))
		return 0;
	sock_key((struct sock *)req, true, &k, btf);
	if ((f = fate_of(&k)))
		f->synack_retransmits++;
	return 0;
}

/* A segment sent again: only a client's SYN (SYN_SENT) to a port of ours is a fate. */
static __always_inline int on_retransmit_skb(struct sock *sk, bool btf)
{
	struct herd_fate_key k = {};
	struct herd_fate *f;

	if (RD(btf, sk, __sk_common.skc_state) != TCP_SYN_SENT ||
	    !our_port(bpf_ntohs(RD(btf, sk, __sk_common.skc_dport))))
		return 0;
	sock_key(sk, false, &k, btf);
	if ((f = fate_of(&k)))
		f->syn_retransmits++;
	return 0;
}

/*
 * A reset sent. A passive one answers packet @skb (its source is whom it goes
 * to; @sk may be NULL: no socket); an active one (no packet) comes from full
 * socket @sk. Only the server side's count: the client's reach the server as
 * resets received.
 */
static __always_inline int on_send_reset(struct sock *sk, struct sk_buff *skb, int reason, bool btf)
{
	struct herd_fate_key k = {};
	struct herd_fate *f;
	int state = sk ? RD(btf, sk, __sk_common.skc_state) : 0;

	if (skb) {
		struct pkt p = {};
		if (!skb_tcp(skb, &p, btf) || !our_port(p.dport))
			return 0;
		k = p.from;
		k.server_port = p.dport;
	} else if (sk && our_port(RD(btf, sk, __sk_common.skc_num))) {
		sock_key(sk, true, &k, btf);
	} else {
		return 0;
	}
	if (!(f = fate_of(&k)))
		return 0;
	f->resets_sent++;
	f->rst_server = 1;
	if (state) { /* a reset to a closed port has no socket: its client's end says more */
		f->rst_state = (__u8)state;
		f->rst_state_server = 1;
	}
	if (sk && reset_closes_unread(reason, !skb, state))
		f->closed_unread++;
	return 0;
}

/* A reset received by socket @sk: a server's (from its client), or a client's (from us). */
static __always_inline int on_receive_reset(struct sock *sk, bool btf)
{
	struct herd_fate_key k = {};
	struct herd_fate *f;
	bool server = our_port(RD(btf, sk, __sk_common.skc_num));

	if (!server && !our_port(bpf_ntohs(RD(btf, sk, __sk_common.skc_dport))))
		return 0;
	sock_key(sk, server, &k, btf);
	if (!(f = fate_of(&k)))
		return 0;
	if (server)
		f->resets_received++;
	else
		f->client_resets_received++;
	f->rst_state = RD(btf, sk, __sk_common.skc_state);
	f->rst_state_server = server;
	f->rst_server = !server; /* who sent it: the other end */
	return 0;
}

/* ---- the fexit path ------------------------------------------------------------- */

/*
 * Where the kernel lets trampolines attach (fentry/fexit: kfeatures.c probes it),
 * accepts, forks and reaps are seen in the kernel functions that do them, and
 * no system-call tracepoint is attached at all: every system call of the
 * machine then takes the fast path. Only with waits from registers (5.15+: the
 * accept's context comes from them too), so with records in task storage.
 *
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
	if (newsk) {
		__u64 sk = (__u64)newsk;
		struct herd_conn *c = bpf_map_lookup_elem(&conns, &sk);
		struct herd_totals *t = tot();
		task->accepted++;
		task->pending = 0;
		if (t)
			t->accepted++;
		if (c && !c->accepted_ns) {
			c->accepted_ns = bpf_ktime_get_ns();
			c->accept_tid = cur->pid;
		}
	} else if (err == -EAGAIN) {
		task->eagain++;
		if (task->pending) {
			task->futile++;
			task->pending = 0;
		}
	}
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

	if (!task)
		return 0;
	if (ret > 0 && task->fork_enter_ns) {
		hist_add(HIST_FORK, bpf_ktime_get_ns() - task->fork_enter_ns);
		struct herd_totals *t = tot();
		if (t)
			t->forks++;
	}
	task->fork_enter_ns = 0;
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
