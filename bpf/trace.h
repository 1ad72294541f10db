/* SPDX-License-Identifier: MIT */
/*
 * trace.h - the tracer's loader: load herd.bpf.c, point it at a server, collect.
 *
 *	tracer_open()        load the programs (tp_btf, or their raw_tp twins; system-call
 *	                     tracepoints or fexit, attach.h), attach
 *	tracer_add_tree()    make a process, its threads and its descendants targets
 *	tracer_add_port()    count handshakes on a port (targets' listen() adds them too)
 *	tracer_poll()        drain the ring buffer (exits, reaps, closed connections, ...)
 *	tracer_collect()     everything so far: totals, histograms, every task
 *	tracer_close()       detach and free: no program or link outlives it
 *	tracer_shared()      its maps and choices, for an object loaded beside it
 *	                     (sched_trace.h, profile.h, waits.h)
 *
 * Needs root (or CAP_BPF + CAP_PERFMON) and a kernel with BTF.
 */
#ifndef HERD_TRACE_H
#define HERD_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/types.h>

#include "attach.h"
#include "herd.h"

struct tracer;

/* A task's final (or current) record. */
struct trace_task {
	uint32_t tid;	    /* thread id */
	bool alive;	    /* still running when collected */
	struct herd_task t; /* the counters (herd.h) */
};

/* A target process's life after exit: zombie from exit_ns to reap_ns. */
struct trace_proc {
	uint32_t pid;	      /* the process */
	uint32_t parent;      /* its parent when it exited */
	uint32_t reaper;      /* the process whose wait4/waitid reaped it (0: none seen) */
	char reaper_comm[16]; /* ... its name */
	uint64_t exit_ns;     /* it exited (0: not seen) */
	uint64_t reap_ns;     /* it was reaped (0: not yet) */
	int reaped_by;	      /* enum herd_reaper, or -1 while a zombie */
};

/* A client address:port's fate (herd.h), and what the metrics make of it. */
struct trace_fate {
	struct herd_fate f; /* the kernel's counts */
	bool accepted;	    /* a connection of this client was accepted (metrics: from conns) */
};

struct trace_result {
	struct herd_totals totals;	   /* summed over CPUs */
	struct herd_histogram hist[HISTS]; /* summed over CPUs */
	struct trace_task *tasks;	   /* every target task seen */
	size_t ntasks;
	struct trace_proc *procs; /* every target process that exited */
	size_t nprocs;
	struct herd_conn *conns; /* every connection, closed or still open */
	size_t nconns;
	struct trace_fate *fates; /* every client with a fate (fates map) */
	size_t nfates;
	uint32_t fates_absent; /* bit i: fate tracepoint i (enum herd_fate_tp) not attached */
	uint32_t *prog_ids;    /* the kernel's ids of the tracer's loaded programs */
	size_t nprog_ids;
	uint32_t *link_ids; /* ... of its links */
	size_t nlink_ids;
	uint32_t *map_ids; /* ... and of its maps */
	size_t nmap_ids;
	uint64_t start_ns, end_ns; /* the traced interval (CLOCK_MONOTONIC) */
	uint64_t listen_overflows; /* TcpExt ListenOverflows, delta (system-wide) */
	uint64_t listen_drops;	   /* TcpExt ListenDrops, delta (system-wide) */
	bool raw_tp;		   /* the raw_tp twins were used (no tp_btf) */
	bool wait_from_regs;	   /* waits read from registers at sleep, not sys_enter */
	bool task_storage;	   /* records kept in task-local storage, not a hash */
	bool uring_accepts;	   /* io_uring accept completions are counted */
	bool exact_arrivals;	   /* sk_data_ready delimits arrival windows (6.3+) */
	enum tracer_attach attach; /* the path accepts, forks and reaps were seen on */
};

struct tracer_opts {
	bool verbose;		   /* libbpf's messages on stderr */
	enum tracer_attach attach; /* auto (0: fexit where it attaches), or forced */
};

/* Returns 0, or -errno with a message already printed (no root, no BTF, ...). */
int tracer_open(struct tracer **out, const struct tracer_opts *opts);
/* @pid, its threads and every descendant process (and their threads) become targets. */
int tracer_add_tree(struct tracer *t, pid_t pid);
/* Handshakes on @port count (listen() by a target adds its port by itself). */
int tracer_add_port(struct tracer *t, uint16_t port);
/* Ports the targets listen on now (from /proc/net/tcp*), added; returns how many. */
int tracer_add_listening_ports(struct tracer *t);
/* Drain the ring buffer, waiting up to @timeout_ms. Returns events consumed or -errno. */
int tracer_poll(struct tracer *t, int timeout_ms);
/* Everything so far into @r (allocated; free with trace_result_free, even after an error). */
int tracer_collect(struct tracer *t, struct trace_result *r);
void trace_result_free(struct trace_result *r);
void tracer_close(struct tracer *t);

/*
 * What an object loaded beside the tracer (sched_trace.c, profile.c, waits.c)
 * reuses, read-only:
 * the fds of the maps that say who is a target and what an arrival is (-1 for
 * one this kernel's load left out; owned by the tracer, valid until tracer_close),
 * and the choices the tracer made.
 */
struct tracer_shared {
	int tasks_fd;	     /* the tasks hash (TIDs of the targets) */
	int task_store_fd;   /* their task-local storage (-1 without task_storage) */
	int windows_fd;	     /* the per-CPU arrival windows */
	bool raw_tp;	     /* the raw_tp twins are in use (no tp_btf) */
	bool task_storage;   /* records live in task storage */
	bool wait_from_regs; /* sched_switch reads waits from registers */
	bool data_ready;     /* sk_data_ready delimits arrival windows */
};
void tracer_shared(const struct tracer *t, struct tracer_shared *out);

#endif
