/* SPDX-License-Identifier: MIT */
/*
 * why.h - what why.c and why_net.c share: the metrics as the sentences show
 * them, and the keys those sentences quote, each made once from keys.h's names
 * (study.h's SK_*) so that the key in a sentence's backquotes is the very key
 * its number was read from.
 */
#ifndef HERD_STUDY_WHY_H
#define HERD_STUDY_WHY_H

#include "study/study.h"

#define A	 0
#define B	 1
#define C	 2
#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

/* The keys the sentences quote. */
#define K_CPU	      SK_SERVER(MK_CG_CPU_NS)
#define K_CLIENT_CPU  SK_CLIENT(MK_CG_CPU_NS)
#define K_FAULTS      SK_SERVER(MK_CG_PAGE_FAULTS_MINOR)
#define K_MEM	      SK_SERVER(MK_CG_MEMORY_PEAK_BYTES)
#define K_MEM_LIMIT   SK_SERVER(MK_CG_MEMORY_LIMIT)
#define K_OOM	      SK_SERVER(MK_CG_OOM_KILLS)
#define K_PIDS	      SK_SERVER(MK_CG_PIDS_PEAK)
#define K_REFUSED     SK_SERVER(MK_CG_FORKS_REFUSED)
#define K_FORK_P50    SK_TRACE(MK_PROC_FORK_LATENCY ".p50")
#define K_FIRST_P50   SK_TRACE(MK_PROC_FIRST_RUN_LATENCY ".p50")
#define K_FORKS	      SK_TRACE(MK_PROC_FORKS)
#define K_HERD	      SK_TRACE(MK_ACCEPT_WAKEUPS_PER_ACCEPT)
#define K_FUTILE      SK_TRACE(MK_ACCEPT_FUTILE_WAKEUPS)
#define K_WAKEUPS     SK_TRACE(MK_ACCEPT_WAKEUPS)
#define K_ACCEPTED    SK_TRACE(MK_ACCEPT_ACCEPTED)
#define K_SWITCHES_RQ SK_TRACE(MK_SCHED_SWITCHES_PER_REQUEST)
#define K_SWITCHES    SK_TRACE(MK_SCHED_SWITCHES)
#define K_INVOL	      SK_TRACE(MK_SCHED_INVOLUNTARY)
#define K_RUNQ_P99    SK_TRACE(MK_SCHED_RUNQ_LATENCY ".p99")
#define K_QUEUE_PEAK  SK_TRACE(MK_TCP_ACCEPT_QUEUE_PEAK)
#define K_RPS	      MK_CLIENT_THROUGHPUT_REQUESTS_PER_S
#define K_FAILED      MK_CLIENT_REQUESTS_FAILED

/* Metrics, as the sentences show them. */
#define US(k)                                                     \
	{                                                         \
		.key = k, .scale = 1e-3, .prec = 0, .unit = " us" \
	}
#define CPU_US                                                                        \
	{                                                                             \
		.key = K_CPU, .per = MK_CLIENT_REQUESTS_OK, .scale = 1e-3, .prec = 1, \
		.unit = " us"                                                         \
	}
#define SECONDS(k)                                               \
	{                                                        \
		.key = k, .scale = 1e-9, .prec = 2, .unit = " s" \
	}
#define N0(k)                       \
	{                           \
		.key = k, .prec = 0 \
	}
#define N0_OPT(k)                                     \
	{                                             \
		.key = k, .prec = 0, .optional = true \
	}
#define N2(k)                       \
	{                           \
		.key = k, .prec = 2 \
	}
#define PER_REQ(k, p)                                             \
	{                                                         \
		.key = k, .per = MK_CLIENT_REQUESTS_OK, .prec = p \
	}
#define SHARE(k, of)                                                                        \
	{                                                                                   \
		.key = k, .per = of, .scale = 100, .prec = 0, .unit = "%", .optional = true \
	}
#define MIB(k)                                                              \
	{                                                                   \
		.key = k, .scale = 1.0 / 1048576, .prec = 0, .unit = " MiB" \
	}
#define PRESENT                \
	{                      \
		.key = MK_CPUS \
	} /* any run has it: the row is about a model that ran */

/* The last of a chain: the model ran, the key it needs is not in its run.json. */
#define NEEDS(model_, key)                                            \
	{                                                             \
		.model = model_, .m = { PRESENT }, .otherwise = true, \
		.text = "{model}: not measured (needs `" key "`)."    \
	}

#endif
