/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * herd.h - what the tracer's kernel side (herd.bpf.c) and its loader (trace.c)
 * share: the per-task record kept in a map, the events sent through the ring
 * buffer, and the names of the things they count.
 *
 * Only fixed-size types: this file is compiled for BPF and for user space.
 */
#ifndef HERD_BPF_H
#define HERD_BPF_H

#ifndef __VMLINUX_H__ /* user space: the kernel's fixed-size types (BPF has vmlinux.h) */
#include <linux/types.h>
#include <stddef.h>
#endif

/*
 * The kernel's constants both sides need. BPF gets the kernel's enums from
 * vmlinux.h (TCP_LISTEN, IPPROTO_TCP, ...) but none of its macros, so those are
 * defined here, once, with their uapi values; user space takes the same names
 * from the system's headers.
 */
#ifdef __VMLINUX_H__
#define FUTEX_WAIT	      0 /* include/uapi/linux/futex.h */
#define FUTEX_LOCK_PI	      6
#define FUTEX_WAIT_BITSET     9
#define FUTEX_WAIT_REQUEUE_PI 11
#define FUTEX_LOCK_PI2	      13
#define FUTEX_PRIVATE_FLAG    128
#define FUTEX_CLOCK_REALTIME  256
#define F_SETLKW	      7 /* include/uapi/asm-generic/fcntl.h */
#define F_OFD_SETLKW	      38
#define LOCK_SH		      1 /* ... flock(2)'s operations */
#define LOCK_EX		      2
#define LOCK_NB		      4
#else
#include <fcntl.h>	 /* F_SETLKW, F_OFD_SETLKW */
#include <sys/file.h>	 /* LOCK_SH, LOCK_EX, LOCK_NB */
#include <linux/futex.h> /* FUTEX_WAIT, ... */
#include <netinet/tcp.h> /* TCP_LISTEN, the states of /proc/net/tcp */
#endif

#define HERD_MAX_TASKS	  65536 /* target tasks tracked at once */
#define HERD_MAX_CONNS	  65536 /* connections between handshake and close */
#define HERD_MAX_ZOMBIES  65536 /* target processes between exit and reaping */
#define HERD_MAX_FATES	  65536 /* client address:ports with something to say (fates) */
#define HERD_RINGBUF_SIZE (4 << 20)
#define HERD_RINGBUF_WAKE (HERD_RINGBUF_SIZE / 4) /* wake the reader past this */

/*
 * Where a target task sleeps while it waits for a new connection (DESIGN.md,
 * accept.wakeups_by_wait). WAIT_NONE: not in one of these calls.
 */
enum herd_wait {
	WAIT_NONE,
	WAIT_ACCEPT, /* accept, accept4 */
	WAIT_EPOLL,  /* epoll_wait, epoll_pwait, epoll_pwait2 */
	WAIT_SELECT, /* select, pselect6 */
	WAIT_POLL,   /* poll, ppoll */
	WAIT_LOCK,   /* a lock around accept: futex wait, fcntl F_SETLKW, flock, SysV semop */
	WAIT_PASSFD, /* recvmsg: the descriptor-passing socket */
	WAIT_SIGNAL, /* rt_sigtimedwait, sigsuspend: signal-driven I/O */
	WAIT_URING,  /* io_uring_enter */
	WAIT_KINDS,
};

/* x86-64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
enum herd_nr {
	NR_poll = 7,
	NR_select = 23,
	NR_accept = 43,
	NR_recvmsg = 47,
	NR_clone = 56,
	NR_fork = 57,
	NR_vfork = 58,
	NR_wait4 = 61,
	NR_semop = 65,
	NR_fcntl = 72,
	NR_flock = 73,
	NR_rt_sigtimedwait = 128,
	NR_rt_sigsuspend = 130,
	NR_futex = 202,
	NR_semtimedop = 220,
	NR_epoll_wait = 232,
	NR_waitid = 247,
	NR_pselect6 = 270,
	NR_ppoll = 271,
	NR_epoll_pwait = 281,
	NR_accept4 = 288,
	NR_io_uring_enter = 426,
	NR_clone3 = 435,
	NR_epoll_pwait2 = 441,
};

/*
 * The wait kind of system call @nr whose second argument is @arg1 (futex's op,
 * fcntl's cmd). The kernel side classifies calls as they enter; the loader
 * classifies the calls that tasks are already blocked in when tracing begins
 * (/proc/TID/syscall), with the same function.
 */
static __always_inline __u32 herd_wait_kind(long nr, long arg1)
{
	switch (nr) {
	case NR_accept:
	case NR_accept4:
		return WAIT_ACCEPT;
	case NR_epoll_wait:
	case NR_epoll_pwait:
	case NR_epoll_pwait2:
		return WAIT_EPOLL;
	case NR_select:
	case NR_pselect6:
		return WAIT_SELECT;
	case NR_poll:
	case NR_ppoll:
		return WAIT_POLL;
	case NR_futex: { /* the operations that wait, whatever their flags */
		int op = (int)arg1 & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
		return (op == FUTEX_WAIT || op == FUTEX_LOCK_PI || op == FUTEX_WAIT_BITSET ||
			op == FUTEX_WAIT_REQUEUE_PI || op == FUTEX_LOCK_PI2)
			       ? WAIT_LOCK
			       : WAIT_NONE;
	}
	case NR_fcntl: /* the record locks that wait */
		return (arg1 == F_SETLKW || arg1 == F_OFD_SETLKW) ? WAIT_LOCK : WAIT_NONE;
	case NR_flock: /* a lock taken without LOCK_NB waits */
		return (arg1 & (LOCK_SH | LOCK_EX)) && !(arg1 & LOCK_NB) ? WAIT_LOCK : WAIT_NONE;
	case NR_semop:	    /* a SysV semaphore (apache's Mutex sysvsem): a task that */
	case NR_semtimedop: /* sleeps in one waits for its holder, whatever the sops */
		return WAIT_LOCK;
	case NR_recvmsg:
		return WAIT_PASSFD;
	case NR_rt_sigtimedwait:
	case NR_rt_sigsuspend:
		return WAIT_SIGNAL;
	case NR_io_uring_enter:
		return WAIT_URING;
	default:
		return WAIT_NONE;
	}
}

/*
 * The system calls traced, each by an entry and an exit program (herd.bpf.c
 * makes them from this list, the loader chooses among them from it):
 * X(name, exit, regs). @exit is what the exit program does: ACCEPT is an
 * accept's return (on_sys_exit_accept, with a twin that reads the socket
 * through bpf_rdonly_cast); CALL classifies the call by its number
 * (on_sys_exit); ARG is a lock (futex, fcntl, flock,
 * semop), whose wait may depend on an argument only the entry sees
 * (on_sys_exit_arg); REAP returns a reaped child (on_sys_exit_reap, for every
 * task: who reaps a target's zombie need not be a target). @regs is which of
 * the two still run where sched_switch reads waits from registers: NONE, EXIT
 * (accept's result, the reaps wait4 returns) or BOTH (fork's latency; waitid's
 * siginfo, known only at entry).
 */
#define HERD_SYSCALLS(X)               \
	X(accept, ACCEPT, EXIT)        \
	X(accept4, ACCEPT, EXIT)       \
	X(epoll_wait, CALL, NONE)      \
	X(epoll_pwait, CALL, NONE)     \
	X(epoll_pwait2, CALL, NONE)    \
	X(select, CALL, NONE)          \
	X(pselect6, CALL, NONE)        \
	X(poll, CALL, NONE)            \
	X(ppoll, CALL, NONE)           \
	X(recvmsg, CALL, NONE)         \
	X(rt_sigtimedwait, CALL, NONE) \
	X(rt_sigsuspend, CALL, NONE)   \
	X(io_uring_enter, CALL, NONE)  \
	X(clone, CALL, BOTH)           \
	X(clone3, CALL, BOTH)          \
	X(fork, CALL, BOTH)            \
	X(vfork, CALL, BOTH)           \
	X(wait4, REAP, EXIT)           \
	X(waitid, REAP, BOTH)          \
	X(futex, ARG, NONE)            \
	X(fcntl, ARG, NONE)            \
	X(flock, ARG, NONE)            \
	X(semop, ARG, NONE)            \
	X(semtimedop, ARG, NONE)

/* HERD_SYSCALLS' @regs, as numbers: which programs run with waits from registers. */
enum herd_syscall_regs {
	SYSCALL_REGS_NONE, /* neither */
	SYSCALL_REGS_EXIT, /* the exit program */
	SYSCALL_REGS_BOTH, /* both */
};

/*
 * Where io_uring_complete carries a completion's result, by the tracepoint's
 * prototype in the kernel's BTF (the loader reads it; compat.bpf.h uses it).
 */
enum herd_uring_res {
	URING_RES_ARG2, /* (ctx, user_data, res, ...): before 5.18 */
	URING_RES_ARG3, /* (ctx, req, user_data, res, cflags, ...): 5.18 to 6.12 */
	URING_RES_CQE,	/* (ctx, req, cqe): 6.13 on, the result in cqe->res */
};

/* Why a zombie stopped being one (proc.reaped_by). */
enum herd_reaper {
	REAPED_PARENT, /* its parent's wait4/waitid returned it (a target or not: herdlab) */
	REAPED_AUTO,   /* its parent ignores SIGCHLD or set SA_NOCLDWAIT: released at exit */
	REAPED_INIT,   /* reaped by another process (init, a subreaper: it was orphaned) */
	REAPERS,
};

/*
 * The kernel-side histograms of nanoseconds: log-linear, in lib/hist.h's layout
 * with 5 sub-bucket bits (hist_init_bits(h, HERD_HIST_HIGHEST, HERD_HIST_BITS)),
 * so user space reads them with the client's percentile code. Values below 32 ns
 * have a slot each; above, each power of two is cut into 16 slots, so a value
 * and its slot's top differ by at most 1/16 of it. 592 slots reach 2^40 ns
 * (18 minutes); longer values count in the last.
 */
#define HERD_HIST_BITS	  5
#define HERD_HIST_HALF	  16 /* 2^(HERD_HIST_BITS - 1) slots per power of two */
#define HERD_HIST_HIGHEST ((1ULL << 40) - 1)
#define HERD_HIST_SLOTS	  592 /* (36 + 1) * 16: lib/hist's counts_len for HIGHEST */

struct herd_histogram {
	__u64 slot[HERD_HIST_SLOTS];
};

/* floor(log2(v)) for v > 0, without a loop (libbpf-tools' log2l): BPF has no clz. */
static __always_inline __u32 herd_log2(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xffffffffULL) << 5;
	v >>= shift;
	r |= shift;
	shift = (v > 0xffff) << 4;
	v >>= shift;
	r |= shift;
	shift = (v > 0xff) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xf) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	r |= (v >> 1);
	return r;
}

/*
 * The slot of @ns: lib/hist.c's index(v) = ((bucket + 1) << 4) + (sub - 16), where
 * bucket = 64 - clz(v | 31) - 5 = log2(v | 31) - 4 and sub = v >> bucket.
 */
static __always_inline __u32 herd_hist_slot(__u64 ns)
{
	if (ns > HERD_HIST_HIGHEST)
		ns = HERD_HIST_HIGHEST;
	__u32 bucket = herd_log2(ns | (2 * HERD_HIST_HALF - 1)) - (HERD_HIST_BITS - 1);
	return ((bucket + 1) * HERD_HIST_HALF) + (__u32)(ns >> bucket) - HERD_HIST_HALF;
}

/* One target task (a thread; a process is its thread-group leader), by TID. */
struct herd_task {
	__u32 tgid;		   /* its process */
	__u32 ppid;		   /* the process that created it (tgid of the parent) */
	__u64 created_ns;	   /* sched_process_fork, or when tracing began */
	__u64 first_run_ns;	   /* its first time on a CPU (0: not yet) */
	__u64 switches;		   /* times it was switched out */
	__u64 voluntary;	   /* ... while blocking (nvcsw in /proc) */
	__u64 involuntary;	   /* ... while runnable: preempted (nivcsw) */
	__u64 migrations;	   /* sched_migrate_task */
	__u64 run_ns;		   /* time on a CPU */
	__u64 accepted;		   /* successful accepts */
	__u64 eagain;		   /* accepts that returned -EAGAIN */
	__u64 futile;		   /* accept wakeups that ended without a connection */
	__u64 wakeups[WAIT_KINDS]; /* accept wakeups, by where it slept */
	/* scratch state, not reported */
	__u64 oncpu_ns;	     /* when it last went on a CPU */
	__u64 offcpu_ns;     /* when it last blocked (voluntary switch out) */
	__u64 queued_ns;     /* when it last became runnable (wakeup or preemption) */
	__u64 fork_enter_ns; /* when it entered fork/clone */
	__u32 wait;	     /* enum herd_wait of the call it is in, or WAIT_NONE */
	__u32 pending;	     /* woken by an arrival, not yet accepted since */
	__u32 comm_set;	     /* comm below was filled */
	__u32 autoreap;	     /* set at exit: its parent ignores SIGCHLD, no zombie follows */
	char comm[16];	     /* its name (from its last exec) */
};

/* What the ring buffer carries. */
enum herd_event_type {
	EV_TASK_GONE, /* a target task's final record (at its free, or its last switch) */
	EV_EXIT,      /* a target process exited (became a zombie, or was auto-reaped) */
	EV_REAP,      /* a target's zombie was reaped by a wait4/waitid: who reaped it */
	EV_FREE,      /* a target's zombie was freed with no reap seen (init's, or unseen) */
	EV_CONN,      /* a connection on the server port closed: its record */
};

struct herd_conn {
	__u64 sk;	      /* kernel address of the socket: the connection's id */
	__u64 established_ns; /* handshake completed (SYN_RECV -> ESTABLISHED) */
	__u64 accepted_ns;    /* returned by accept to a target (0: never) */
	__u64 closed_ns;      /* reached TCP_CLOSE (0: still open at the end) */
	__u32 accept_tid;     /* the task that accepted it */
	__u32 wakeups;	      /* accept wakeups its arrival caused */
	__u16 family;	      /* AF_INET or AF_INET6 */
	__u16 client_port;    /* host order */
	__u16 server_port;    /* host order */
	__u16 pad;
	__u8 client_addr[16]; /* IPv4 in the first 4 bytes */
};

struct herd_event {
	__u32 type;   /* enum herd_event_type */
	__u32 pid;    /* the task or process concerned */
	__u64 ts;     /* bpf_ktime_get_ns() */
	__u32 by;     /* EV_REAP: enum herd_reaper; EV_EXIT: 1 if auto-reaped */
	__u32 reaper; /* EV_REAP: the reaping process; EV_EXIT: the parent */
	union {
		struct herd_task task; /* EV_TASK_GONE */
		struct herd_conn conn; /* EV_CONN */
		char comm[16];	       /* EV_REAP: the reaper's name */
	};
};

/* Totals kept in one array slot per CPU, summed by user space. */
struct herd_totals {
	__u64 established;	  /* handshakes completed on the server port */
	__u64 accepted;		  /* successful accepts by targets */
	__u64 forks;		  /* fork/clone calls by targets that created a task */
	__u64 exits;		  /* target processes that exited */
	__u64 lost_events;	  /* ring buffer full: events dropped */
	__u64 map_full;		  /* a map update failed: something not tracked */
	__u64 arrivals_unmatched; /* wakeups in an arrival window with no conn record */
	__u64 uring_accepts;	  /* accepted via io_uring completions */
	__u64 fates_lost;	  /* fates map full: a client's fate not recorded */
};

/* The histograms, in one array: index by enum herd_hist. */
enum herd_hist {
	HIST_RUNQ,	/* wakeup (or preemption) to running */
	HIST_OFFCPU,	/* blocked time */
	HIST_FORK,	/* fork/clone syscall time in the parent */
	HIST_FIRST_RUN, /* child creation to its first run */
	HISTS,
};

/*
 * The fates of connections (herd/fates.bpf.h): what happened to a
 * client's connection on the way to (or instead of) an accept, by client
 * address and port. Each tracepoint is optional: one this kernel lacks is not
 * loaded (or does not attach) and is reported absent (trace.fates.absent).
 * X(tracepoint, the arguments it must have).
 */
#define HERD_FATE_TPS(X)            \
	X(kfree_skb, 3)             \
	X(tcp_retransmit_synack, 2) \
	X(tcp_retransmit_skb, 2)    \
	X(tcp_send_reset, 2)        \
	X(tcp_receive_reset, 1)

#define FATE_TP_ENUM(name, args) FATE_TP_##name,
enum herd_fate_tp { HERD_FATE_TPS(FATE_TP_ENUM) FATE_TPS };
#undef FATE_TP_ENUM

/* Whose connection a fate is: the client's end, and the server's port. */
struct herd_fate_key {
	__u8 client_addr[16]; /* IPv4 in the first 4 bytes */
	__u16 family;	      /* AF_INET or AF_INET6 */
	__u16 client_port;    /* host order */
	__u16 server_port;    /* host order */
	__u16 pad;
};

/*
 * One client address:port's fate, counted over the run (a port reused within
 * it adds up: first_ns and last_ns then span both connections). A SYN dropped
 * at a full accept or SYN queue is freed without a drop reason on every kernel
 * (tcp_conn_request drops it and its caller consume_skb()s it): it shows as
 * the client's SYN sent again, syn_retransmits.
 */
struct herd_fate {
	struct herd_fate_key key;
	__u64 first_ns;	       /* the first event */
	__u64 last_ns;	       /* the last */
	__u32 syn_retransmits; /* the client sent its SYN again: the one before went unanswered */
	__u32 overflow_drops;  /* its handshake's ACK (or data) dropped at a full accept
				       * queue: drop reason TCP_LISTEN_OVERFLOW (6.15+) */
	__u32 no_socket_drops; /* its SYN dropped with nothing listening: NO_SOCKET (5.17+) */
	__u32 synack_retransmits; /* the server sent its SYN-ACK again */
	__u32 resets_sent;	  /* resets the server side sent it (its sockets, or its port) */
	__u32 resets_received;	  /* resets the server side received from it */
	__u32 client_resets_received; /* resets its own socket received (resets_sent's far end) */
	__u32 closed_unread;   /* the server closed with its data unread: its reset says so */
	__u8 rst_state;	       /* a socket's TCP state at the last reset (0: no socket) */
	__u8 rst_state_server; /* ... 1: the server's socket, 0: the client's */
	__u8 rst_server;       /* the last reset was sent by 1: the server side, 0: the client */
	__u8 pad[5];
};

#endif
