/* SPDX-License-Identifier: MIT */
/*
 * keys.h - the names of run.json's metrics, in one place.
 *
 * run.json is the contract between the tracer, the reports, compare, the kernels
 * findings and the study: every dotted key that code looks up or writes is named
 * here once (MK_ + the key in capitals, dots as underscores), and DESIGN.md's
 * metric definitions say what each means. Extend, do not rename: old run
 * directories are read with these names.
 */
#ifndef HERD_METRICS_KEYS_H
#define HERD_METRICS_KEYS_H

#define MK_RUN_CPUS	  "run.cpus"
#define MK_RUN_KERNEL	  "run.kernel"
#define MK_RUN_MODEL	  "run.model"
#define MK_RUN_OPTIONS	  "run.options"
#define MK_RUN_START_TIME "run.start_time"
#define MK_RUN_TRACED	  "run.traced"

#define MK_KERNEL_HZ	  "kernel.hz"
#define MK_KERNEL_PREEMPT "kernel.preempt"

#define MK_CLIENT_ERRORS		       "client.errors"
#define MK_CLIENT_LATENCY_US_TOTAL_P99	       "client.latency_us.total.p99"
#define MK_CLIENT_REQUESTS		       "client.requests"
#define MK_CLIENT_REQUESTS_FAILED	       "client.requests.failed"
#define MK_CLIENT_REQUESTS_OK		       "client.requests.ok"
#define MK_CLIENT_THROUGHPUT		       "client.throughput"
#define MK_CLIENT_THROUGHPUT_BYTES_PER_S       "client.throughput.bytes_per_s"
#define MK_CLIENT_THROUGHPUT_CLIENTS_PER_MIN   "client.throughput.clients_per_min"
#define MK_CLIENT_THROUGHPUT_CONNECTIONS_PER_S "client.throughput.connections_per_s"
#define MK_CLIENT_THROUGHPUT_REQUESTS_PER_S    "client.throughput.requests_per_s"

#define MK_JOIN_MATCHED	 "join.matched"
#define MK_JOIN_REQUESTS "join.requests"

#define MK_ACCEPT_ACCEPTED		 "accept.accepted"
#define MK_ACCEPT_EAGAIN		 "accept.eagain"
#define MK_ACCEPT_FAIRNESS_JAIN		 "accept.fairness.jain"
#define MK_ACCEPT_FAIRNESS_MAX_OVER_MEAN "accept.fairness.max_over_mean"
#define MK_ACCEPT_FUTILE_WAKEUPS	 "accept.futile_wakeups"
#define MK_ACCEPT_PER_TASK		 "accept.per_task"
#define MK_ACCEPT_URING_ACCEPTS		 "accept.uring_accepts"
#define MK_ACCEPT_WAKEUPS		 "accept.wakeups"
#define MK_ACCEPT_WAKEUPS_BY_WAIT	 "accept.wakeups_by_wait"
#define MK_ACCEPT_WAKEUPS_PER_ACCEPT	 "accept.wakeups_per_accept"

#define MK_SCHED_INVOLUNTARY	      "sched.involuntary"
#define MK_SCHED_MIGRATIONS	      "sched.migrations"
#define MK_SCHED_OFFCPU		      "sched.offcpu"
#define MK_SCHED_RUN_NS		      "sched.run_ns"
#define MK_SCHED_RUNQ_LATENCY	      "sched.runq_latency"
#define MK_SCHED_SWITCHES	      "sched.switches"
#define MK_SCHED_SWITCHES_PER_REQUEST "sched.switches_per_request"
#define MK_SCHED_VOLUNTARY	      "sched.voluntary"

#define MK_PROC_EXITS		  "proc.exits"
#define MK_PROC_FIRST_RUN_LATENCY "proc.first_run_latency"
#define MK_PROC_FORK_LATENCY	  "proc.fork_latency"
#define MK_PROC_FORKS		  "proc.forks"
#define MK_PROC_PROCESSES	  "proc.processes"
#define MK_PROC_REAPED_BY	  "proc.reaped_by"
#define MK_PROC_THREADS		  "proc.threads"
#define MK_PROC_UNREAPED	  "proc.unreaped"
#define MK_PROC_ZOMBIE_LIFETIME	  "proc.zombie_lifetime"
#define MK_PROC_ZOMBIES_OVER_TIME "proc.zombies_over_time"
#define MK_PROC_ZOMBIES_PEAK	  "proc.zombies_peak"

#define MK_TCP_ACCEPT_QUEUE_PEAK "tcp.accept_queue_peak"
#define MK_TCP_ESTABLISHED	 "tcp.established"
#define MK_TCP_LISTEN_COUNTERS	 "tcp.listen_counters"
#define MK_TCP_LISTEN_DROPS	 "tcp.listen_drops"
#define MK_TCP_LISTEN_OVERFLOWS	 "tcp.listen_overflows"

#define MK_TRACER_ARRIVALS_UNMATCHED	"tracer.arrivals_unmatched"
#define MK_TRACER_DURATION_S		"tracer.duration_s"
#define MK_TRACER_EXACT_ARRIVALS	"tracer.exact_arrivals"
#define MK_TRACER_LOST_EVENTS		"tracer.lost_events"
#define MK_TRACER_MAP_FULL		"tracer.map_full"
#define MK_TRACER_RAW_TP		"tracer.raw_tp"
#define MK_TRACER_RECORDS		"tracer.records"
#define MK_TRACER_URING_ACCEPTS_COUNTED "tracer.uring_accepts_counted"
#define MK_TRACER_WAIT_FROM		"tracer.wait_from"

#endif
