/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * profile.h - the on-CPU sampler: what its kernel side (profile.bpf.c) and its
 * loader (profile.c) share, and the loader's interface.
 *
 *	profiler_open()      load, share the tracer's targets, attach cpu-clock per CPU
 *	profiler_pids()      the processes sampled so far (to read their maps while alive)
 *	profiler_pause()     stop sampling (the run is over; what follows is not the run)
 *	profiler_collect()   every distinct stack with its count, and the counters
 *	profiler_close()     detach and free: no program, link or perf event outlives it
 *
 * A sample is taken by a perf_event program on the software cpu-clock event
 * (no hardware PMU is needed), one event per online CPU at HZ samples per
 * second of CPU time. It records the task on the CPU: its pid, tid and comm,
 * and the ids of its kernel and user stacks in a stack map; the count of each
 * distinct {pid, tid, flags, comm, kernel stack, user stack} is kept in a hash
 * in the kernel, so user space reads aggregates, not a stream. Whose CPU: the
 * tracer's targets (its `tasks` map, shared by file descriptor), or every task
 * with all set, each labelled by flags. What could not be recorded is counted
 * (profile_stat), never dropped silently: a stack whose hash slot holds another
 * stack (-EEXIST), any other stack error, a full count hash.
 *
 * The types are fixed-size: this file is compiled for BPF and for user space.
 */
#ifndef HERD_PROFILE_H
#define HERD_PROFILE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/*
 * The stack map. A stack whose hash slot is taken by another is lost (-EEXIST),
 * so the map has many more slots than a run has distinct stacks (a few
 * thousand at 5 kHz): 65536 of 64 frames, about 35 MB while --profile is on.
 * 64 frames hold the deepest stacks seen here (a loopback softirq inside a
 * send, under a server's whole user stack: about 50); a deeper one keeps its
 * 64 frames nearest the leaf, which is what the buckets are read from.
 */
#define PROFILE_STACK_DEPTH 64
#define PROFILE_MAX_STACKS  65536
#define PROFILE_MAX_COUNTS  32768 /* distinct keys in the count hash */
#define PROFILE_COMM_LEN    16	  /* TASK_COMM_LEN */

/* What a sample's task was (profile_key.flags). */
#define PROFILE_TARGET	0x1 /* a tracer's target */
#define PROFILE_KTHREAD 0x2 /* a kernel thread (PF_KTHREAD): ksoftirqd, kworkers */
#define PROFILE_IDLE	0x4 /* the idle task (pid 0) */

/* One distinct sample: the count hash's key. A stack id < 0 is the -errno of the stack read. */
struct profile_key {
	__u32 pid;		     /* the process (tgid) */
	__u32 tid;		     /* the thread */
	__u32 flags;		     /* PROFILE_* */
	__s32 kstack;		     /* kernel stack id, or -errno (-EFAULT: in user mode) */
	__s32 ustack;		     /* user stack id, or -errno (-EFAULT: no user stack) */
	char comm[PROFILE_COMM_LEN]; /* the thread's name */
};

/* The counters of what happened to samples (a per-CPU array, summed by user space). */
enum profile_stat {
	PROFILE_STAT_SEEN,	       /* samples that fired, anybody's */
	PROFILE_STAT_KEPT,	       /* samples counted in the hash */
	PROFILE_STAT_KSTACK_COLLISION, /* kernel stack: its slot held another (-EEXIST) */
	PROFILE_STAT_USTACK_COLLISION, /* user stack: the same */
	PROFILE_STAT_STACK_ERROR,      /* a stack read failed otherwise (-ENOMEM, ...) */
	PROFILE_STAT_COUNTS_FULL,      /* the count hash was full: the sample is lost */
	PROFILE_NSTATS,
};

#ifndef __VMLINUX_H__ /* the loader, for user space */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct profiler;
struct tracer_shared;

struct profiler_opts {
	int hz;	  /* samples per second per CPU */
	bool all; /* every task, not only the targets */
	/* the tracer's maps, whose targets it samples (trace.h: tracer_shared); NULL: none */
	const struct tracer_shared *shared;
};

/* One distinct stack and how many samples it got. Addresses leaf first. */
struct profile_stack {
	struct profile_key key;		      /* who, and the stack ids */
	uint64_t count;			      /* samples */
	uint32_t nkernel, nuser;	      /* frames in each */
	uint64_t kernel[PROFILE_STACK_DEPTH]; /* kernel addresses, leaf first */
	uint64_t user[PROFILE_STACK_DEPTH];   /* user addresses, leaf first */
};

struct profile_result {
	struct profile_stack *stacks; /* every distinct sample */
	size_t nstacks;
	uint64_t stats[PROFILE_NSTATS];		 /* summed over CPUs */
	int hz, ncpus;				 /* as sampled: frequency, perf events opened */
	uint32_t *prog_ids, *link_ids, *map_ids; /* the kernel's ids of what it loaded */
	size_t nprog_ids, nlink_ids, nmap_ids;
};

/* 0, or -errno with a message printed (no root, perf_event_open refused, ...). */
int profiler_open(struct profiler **out, const struct profiler_opts *opts);
/* The distinct pids in the count hash now into *@pids (malloc'ed); how many, or -errno. */
int profiler_pids(struct profiler *p, uint32_t **pids);
/* Stop sampling on every CPU (the hash keeps what it has). */
void profiler_pause(struct profiler *p);
/* Everything so far into @r (free with profile_result_free, even after an error). */
int profiler_collect(struct profiler *p, struct profile_result *r);
void profile_result_free(struct profile_result *r);
void profiler_close(struct profiler *p);
#endif

#endif
