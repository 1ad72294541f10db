// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * herd/maps.bpf.h - the maps of the tracer's object (herd.bpf.c), all of them,
 * with the structs only they hold.
 *
 * Why in one part. Every handler of every other part reads or writes some of
 * them, the loader (trace.c, tracemaps.c) sizes, seeds and collects them by
 * name, and sched_events.bpf.c and waits.bpf.c reuse three of them by fd, so
 * must declare them exactly as here: one place to look. They are declared in
 * the order the object has always had them (the skeleton's order), the fates'
 * map last.
 */
#ifndef HERD_PART_MAPS_BPF_H
#define HERD_PART_MAPS_BPF_H

#include "vmlinux.h"

#include <bpf/bpf_helpers.h>

#include "herd.h"

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

/*
 * The fates of connections (herd/fates.bpf.h), by client address:port: what
 * happened to each on the rare paths.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HERD_MAX_FATES);
	__type(key, struct herd_fate_key);
	__type(value, struct herd_fate);
} fates SEC(".maps");

#endif /* HERD_PART_MAPS_BPF_H */
