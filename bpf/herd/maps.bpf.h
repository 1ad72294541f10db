// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * herd/maps.bpf.h - the maps of the tracer's object (herd.bpf.c), all of them,
 * with the structs only they hold.
 *
 * Why in one part. Every handler of every other part reads or writes some of
 * them, and the loader (trace.c, tracemaps.c) sizes, seeds and collects them by
 * name. The three that the companion objects reuse by fd (tasks, task_store,
 * windows) are declared by shared_maps.bpf.h's macros, for all of them. They
 * are declared in the order the object has always had them (the skeleton's
 * order), the fates' map last.
 */
#ifndef HERD_PART_MAPS_BPF_H
#define HERD_PART_MAPS_BPF_H

#include "vmlinux.h"

#include <bpf/bpf_helpers.h>

#include "herd.h"
#include "shared_maps.bpf.h"

/* The targets by TID. */
SHARED_MAP_TASKS;

/* Where the records are counted (shared_maps.bpf.h says how): task storage where
 * the loader's task_storage is set, else the tasks hash. */
SHARED_MAP_TASK_STORE;

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

/* The arrival window of each CPU (shared_maps.bpf.h). */
SHARED_MAP_WINDOWS;

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
