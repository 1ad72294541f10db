// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * profile.bpf.c - the sampler's kernel side: one perf_event program that the
 * loader attaches to a software cpu-clock event on every CPU (profile.h).
 *
 * Each sample looks up the task on the CPU in the tracer's `tasks` map (the
 * loader hands this object the tracer's map before load, so the two agree on
 * who is a target without a copy), returns at once for anybody else unless
 * sample_all is set, and otherwise counts one more of its {pid, tid, flags,
 * comm, kernel stack id, user stack id} in `counts`. Stacks are interned in a
 * stack map by bpf_get_stackid(); without BPF_F_REUSE_STACKID a stack whose
 * hash slot holds a different stack fails with -EEXIST rather than replacing
 * it (a replaced id would give earlier counts a wrong stack). Such a sample is
 * still counted, under the negative id, so that each sample is counted once
 * and the share of lost stacks is known.
 *
 * Only the perf_event program type, the stack map and hashes: no kprobe, no
 * fentry, no tracepoint. The program returns 0: its event is the loader's own,
 * with no ring buffer, so nobody else's sample is dropped.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "herd.h"
#include "profile.h"
#include "shared_maps.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define PF_KTHREAD 0x00200000 /* include/linux/sched.h */
#define EEXIST	   17	      /* include/uapi/asm-generic/errno-base.h */
#define EFAULT	   14

/* Set by the loader before load: sample every task, not only the targets. */
const volatile bool sample_all = false;

/* The tracer's targets by TID: replaced by the tracer's own map before load
 * (shared_maps.bpf.h). */
SHARED_MAP_TASKS;

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, PROFILE_MAX_STACKS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, PROFILE_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PROFILE_MAX_COUNTS);
	__type(key, struct profile_key);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PROFILE_NSTATS);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void bump(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &stat);

	if (v)
		(*v)++; /* per CPU: no other writer */
}

/* A stack id, its failure counted: -EFAULT is no stack at all (user mode, a kernel thread). */
static __always_inline __s32 stack_id(struct bpf_perf_event_data *ctx, __u64 flags, __u32 stat)
{
	long id = bpf_get_stackid(ctx, &stacks, flags);

	if (id == -EEXIST)
		bump(stat);
	else if (id < 0 && id != -EFAULT)
		bump(PROFILE_STAT_STACK_ERROR);
	return (__s32)id;
}

SEC("perf_event")
int profile_sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid(), one = 1, *n;
	__u32 tid = (__u32)id;
	struct profile_key key = { .pid = (__u32)(id >> 32), .tid = tid };
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	bump(PROFILE_STAT_SEEN);
	if (tid && bpf_map_lookup_elem(&tasks, &tid))
		key.flags |= PROFILE_TARGET;
	else if (!sample_all)
		return 0;
	if (!tid)
		key.flags |= PROFILE_IDLE;
	else if (BPF_CORE_READ(task, flags) & PF_KTHREAD)
		key.flags |= PROFILE_KTHREAD;
	key.kstack = stack_id(ctx, 0, PROFILE_STAT_KSTACK_COLLISION);
	key.ustack = key.flags & (PROFILE_IDLE | PROFILE_KTHREAD)
			     ? -EFAULT
			     : stack_id(ctx, BPF_F_USER_STACK, PROFILE_STAT_USTACK_COLLISION);
	bpf_get_current_comm(key.comm, sizeof(key.comm));

	if ((n = bpf_map_lookup_elem(&counts, &key))) {
		__sync_fetch_and_add(n, 1);
	} else if (bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST)) {
		/* another CPU made it first (-EEXIST), or the hash is full */
		if ((n = bpf_map_lookup_elem(&counts, &key)))
			__sync_fetch_and_add(n, 1);
		else {
			bump(PROFILE_STAT_COUNTS_FULL);
			return 0;
		}
	}
	bump(PROFILE_STAT_KEPT);
	return 0;
}
