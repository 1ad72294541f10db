// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * shared_maps.bpf.h - the tracer's maps that its companion objects reuse,
 * declared once for all of them.
 *
 * herd.bpf.c owns the list of targets and the arrival windows. The objects
 * loaded beside it (sched_events.bpf.c, waits.bpf.c, profile.bpf.c) are handed
 * its maps by fd before they load (bpf_map__reuse_fd), so that there is one
 * list of targets, kept by the tracer alone. libbpf refuses a reuse whose type,
 * key, value size or entries differ from the declaration, so every object must
 * declare a shared map exactly as the tracer does: here.
 *
 * Each map is a macro that declares it, because each object declares only the
 * ones it reads: a map declared but not handed over would be created, empty,
 * and the object would read nobody's targets.
 */
#ifndef HERDLAB_SHARED_MAPS_BPF_H
#define HERDLAB_SHARED_MAPS_BPF_H

#include "vmlinux.h"

#include <bpf/bpf_helpers.h>

#include "herd.h"

/* The targets by TID: every one, for user space, and where the records live
 * without task storage. */
#define SHARED_MAP_TASKS                             \
	struct {                                     \
		__uint(type, BPF_MAP_TYPE_HASH);     \
		__uint(max_entries, HERD_MAX_TASKS); \
		__type(key, __u32);                  \
		__type(value, struct herd_task);     \
	} tasks SEC(".maps")

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
 * objects are loaded without task_store and the branches that use it are dead
 * code to the verifier.
 */
#define SHARED_MAP_TASK_STORE                            \
	struct {                                         \
		__uint(type, BPF_MAP_TYPE_TASK_STORAGE); \
		__uint(map_flags, BPF_F_NO_PREALLOC);    \
		__type(key, int);                        \
		__type(value, struct herd_task);         \
	} task_store SEC(".maps")

/* An arrival being delivered on a CPU: wakeups in it were caused by it. */
struct window {
	__u64 sk;   /* the connection whose arrival is being delivered */
	__u64 ts;   /* when its handshake completed */
	__u64 ctx;  /* pid_tgid of the context it runs in */
	__u32 open; /* wakeups now are for this arrival */
};

#define WINDOW_NS (200 * 1000) /* without sk_data_ready, a window lasts no longer */

/* The arrival window of each CPU: opened at a handshake (conn_open), closed by
 * sk_data_ready where the kernel has it (have_data_ready), else by WINDOW_NS. */
#define SHARED_MAP_WINDOWS                               \
	struct {                                         \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); \
		__uint(max_entries, 1);                  \
		__type(key, __u32);                      \
		__type(value, struct window);            \
	} windows SEC(".maps")

#endif /* HERDLAB_SHARED_MAPS_BPF_H */
