/* SPDX-License-Identifier: MIT */
/*
 * keys.h - the names of run.json's metrics, in one place.
 *
 * run.json is the contract between the tracer, the reports, compare, the kernels
 * findings and the study: every dotted key that code looks up or writes is named
 * here once (MK_ + the key in capitals, dots as underscores), and DESIGN.md's
 * metric definitions say what each means. Extend, do not rename: old run
 * directories are read with these names.
 *
 * The tracer's metrics are named relative to run.json's "trace" object (that is
 * how the tracer writes them, and how `herdlab trace` writes trace.json); a
 * reader of run.json prefixes them: MK_DOT(MK_TRACE, MK_ACCEPT_ACCEPTED) is
 * "trace.accept.accepted". Every other key is run.json's full path. The names of
 * fields inside an object (a histogram's "p50", a task's "tid") have their own
 * groups below, and so have the keys of the two JSON documents derived from
 * run.json: `herdlab report --format json` and `herdlab compare --format json`.
 */
#ifndef HERD_METRICS_KEYS_H
#define HERD_METRICS_KEYS_H

/* "a.b": two names joined, at compile time (both must be string literals). */
#define MK_DOT(a, b) a "." b

/* run.json's top level: the run's metadata, and the three objects of metrics. */
#define MK_CLIENT	   "client"
#define MK_CPUS		   "cpus"
#define MK_HERDLAB_VERSION "herdlab_version"
#define MK_JOIN		   "join"
#define MK_KERNEL	   "kernel"
#define MK_KERNEL_HZ	   "kernel.hz"
#define MK_KERNEL_PREEMPT  "kernel.preempt"
#define MK_KERNEL_RELEASE  "kernel.release"
#define MK_MODEL	   "model"
#define MK_OPTIONS	   "options"
#define MK_OPTIONS_LOAD	   "options.load"
#define MK_OPTIONS_SERVER  "options.server"
#define MK_START_TIME	   "start_time"
#define MK_TRACE	   "trace"
#define MK_TRACED	   "traced"

/* run.json's top level: whether the run finished; if not, why, in words (absent when complete). */
#define MK_COMPLETE	     "complete"
#define MK_INCOMPLETE_REASON "incomplete_reason"

/* run.json's cost: the server's and herdload's own cgroups (session/cgroup.h). */
#define MK_COST		    "cost"
#define MK_COST_CGROUP	    "cost.cgroup"      /* "v1" or "v2" */
#define MK_COST_UNAVAILABLE "cost.unavailable" /* why there are no numbers (absent: there are) */
#define MK_COST_SERVER	    "cost.server"
#define MK_COST_CLIENT	    "cost.client"
/* ... the fields of cost.server and cost.client (null: this machine's cgroups cannot say). */
#define MK_CG_CPU_NS		     "cpu_ns" /* user + system */
#define MK_CG_CPU_USER_NS	     "cpu_user_ns"
#define MK_CG_CPU_SYSTEM_NS	     "cpu_system_ns"
#define MK_CG_MEMORY_PEAK_BYTES	     "memory_peak_bytes"
#define MK_CG_PAGE_FAULTS_MINOR	     "page_faults_minor"
#define MK_CG_PAGE_FAULTS_MAJOR	     "page_faults_major"
#define MK_CG_OOM_KILLS		     "oom_kills"
#define MK_CG_PIDS_PEAK		     "pids_peak"
#define MK_CG_FORKS_REFUSED	     "forks_refused"	  /* fork()s refused at --pids-limit */
#define MK_CG_MEMORY_LIMIT	     "memory_limit_bytes" /* --mem-limit (absent: none) */
#define MK_CG_PIDS_LIMIT	     "pids_limit"	  /* --pids-limit (absent: none) */
#define MK_CG_CPUS		     "cpus"		  /* --cpus (absent: any) */
#define MK_CG_CPUS_BY		     "cpus_by"		  /* "cpuset" or "affinity" */
#define MK_COST_SERVER_CPU_NS	     MK_DOT(MK_COST_SERVER, MK_CG_CPU_NS)
#define MK_COST_SERVER_CPU_USER_NS   MK_DOT(MK_COST_SERVER, MK_CG_CPU_USER_NS)
#define MK_COST_SERVER_CPU_SYSTEM_NS MK_DOT(MK_COST_SERVER, MK_CG_CPU_SYSTEM_NS)

/* `herdlab report --format json`: the run, the summary, the sections, the decomposition. */
#define MK_RUN_CPUS	  "run.cpus"
#define MK_RUN_KERNEL	  "run.kernel"
#define MK_RUN_MODEL	  "run.model"
#define MK_RUN_OPTIONS	  "run.options"
#define MK_RUN_START_TIME "run.start_time"
#define MK_RUN_TRACED	  "run.traced"

/* ... and, beside complete and incomplete_reason: whether it left part of the run out. */
#define MK_PARTIAL	  "partial"
#define MK_PARTIAL_REASON "partial_reason"

#define MK_KERNEL_HZ	  "kernel.hz"
#define MK_KERNEL_PREEMPT "kernel.preempt"

#define MK_SUMMARY_ERRORS		 "summary.errors"
#define MK_SUMMARY_LATENCY_US		 "summary.latency_us"
#define MK_SUMMARY_LATENCY_US_CONNECT	 "summary.latency_us.connect"
#define MK_SUMMARY_LATENCY_US_FIRST_BYTE "summary.latency_us.first_byte"
#define MK_SUMMARY_LATENCY_US_TOTAL	 "summary.latency_us.total"
#define MK_SUMMARY_REQUESTS		 "summary.requests"
#define MK_SUMMARY_THROUGHPUT		 "summary.throughput"

#define MK_LATENCY_DECOMPOSITION_ALL	       "latency_decomposition.all"
#define MK_LATENCY_DECOMPOSITION_MEDIAN	       "latency_decomposition.median"
#define MK_LATENCY_DECOMPOSITION_SLOWEST       "latency_decomposition.slowest"
#define MK_LATENCY_DECOMPOSITION_SLOWEST_SHARE "latency_decomposition.slowest_share"

/* The tracer's sections: run.json's trace.* objects, the report's top-level ones. */
#define MK_ACCEPT "accept"
#define MK_PROC	  "proc"
#define MK_SCHED  "sched"
#define MK_TCP	  "tcp"
#define MK_TRACER "tracer"

#define MK_CLIENT_ELAPSED_S		       "client.elapsed_s"
#define MK_CLIENT_ERRORS		       "client.errors"
#define MK_CLIENT_ERRORS_ADDR		       "client.errors.addr"
#define MK_CLIENT_ERRORS_CONNECT_TIMEOUT       "client.errors.connect_timeout"
#define MK_CLIENT_ERRORS_HTTP		       "client.errors.http"
#define MK_CLIENT_ERRORS_INTERRUPTED	       "client.errors.interrupted"
#define MK_CLIENT_ERRORS_OTHER		       "client.errors.other"
#define MK_CLIENT_ERRORS_REFUSED	       "client.errors.refused"
#define MK_CLIENT_ERRORS_RESET		       "client.errors.reset"
#define MK_CLIENT_ERRORS_SHORT		       "client.errors.short"
#define MK_CLIENT_ERRORS_TIMEOUT	       "client.errors.timeout"
#define MK_CLIENT_LATENCY_US_CONNECT	       "client.latency_us.connect"
#define MK_CLIENT_LATENCY_US_FIRST_BYTE	       "client.latency_us.first_byte"
#define MK_CLIENT_LATENCY_US_TOTAL	       "client.latency_us.total"
#define MK_CLIENT_LATENCY_US_TOTAL_P99	       "client.latency_us.total.p99"
#define MK_CLIENT_REQUESTS		       "client.requests"
#define MK_CLIENT_REQUESTS_FAILED	       "client.requests.failed"
#define MK_CLIENT_REQUESTS_OK		       "client.requests.ok"
#define MK_CLIENT_THROUGHPUT		       "client.throughput"
#define MK_CLIENT_THROUGHPUT_BYTES_PER_S       "client.throughput.bytes_per_s"
#define MK_CLIENT_THROUGHPUT_CLIENTS_PER_MIN   "client.throughput.clients_per_min"
#define MK_CLIENT_THROUGHPUT_CONNECTIONS_PER_S "client.throughput.connections_per_s"
#define MK_CLIENT_THROUGHPUT_REQUESTS_PER_S    "client.throughput.requests_per_s"

/*
 * The join (join.h). Its four spectra are of the parts join_parts() defines. Before
 * the two server times were told apart, run.json had "join.server_us": accepted to
 * the client's last byte, under looser filters; nothing reads it, so an old run
 * directory reports and compares as before.
 */
#define MK_JOIN_ACCEPT_QUEUE_WAIT_US	MK_DOT(MK_JOIN, MK_PART_ACCEPT_QUEUE_WAIT_US)
#define MK_JOIN_CONNECTIONS		"join.connections"
#define MK_JOIN_ERROR			"join.error"
#define MK_JOIN_HANDSHAKE_US		MK_DOT(MK_JOIN, MK_PART_HANDSHAKE_US)
#define MK_JOIN_MATCHED			"join.matched"
#define MK_JOIN_REQUESTS		"join.requests"
#define MK_JOIN_REQUESTS_MATCHED	"join.requests_matched"
#define MK_JOIN_SERVER_TO_FIRST_BYTE_US MK_DOT(MK_JOIN, MK_PART_SERVER_TO_FIRST_BYTE_US)
#define MK_JOIN_SERVER_TO_LAST_BYTE_US	MK_DOT(MK_JOIN, MK_PART_SERVER_TO_LAST_BYTE_US)

/* The parts of a request's time, in join.* and in the report's latency_decomposition.*. */
#define MK_PART_ACCEPT_QUEUE_WAIT_US	"accept_queue_wait_us"
#define MK_PART_COUNT			"count"
#define MK_PART_HANDSHAKE_US		"handshake_us"
#define MK_PART_REST_US			"rest_us"
#define MK_PART_SERVER_TO_FIRST_BYTE_US "server_to_first_byte_us"
#define MK_PART_SERVER_TO_LAST_BYTE_US	"server_to_last_byte_us"
#define MK_PART_TOTAL_US		"total_us"

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

/* One element of accept.per_task. */
#define MK_TASK_ACCEPTED "accepted"
#define MK_TASK_COMM	 "comm"
#define MK_TASK_FUTILE	 "futile"
#define MK_TASK_SHARE	 "share"
#define MK_TASK_TGID	 "tgid"
#define MK_TASK_TID	 "tid"
#define MK_TASK_WAKEUPS	 "wakeups"

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
#define MK_PROC_REAPERS		  "proc.reapers"
#define MK_REAPER_PID		  "pid"
#define MK_REAPER_COMM		  "comm"
#define MK_REAPER_REAPED	  "reaped"
#define MK_REAPER_BY		  "by"
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
#define MK_TRACER_PROGRAM_IDS		"tracer.program_ids"
#define MK_TRACER_MAP_IDS		"tracer.map_ids"
#define MK_TRACER_LINK_IDS		"tracer.link_ids"
#define MK_TRACER_RAW_TP		"tracer.raw_tp"
#define MK_TRACER_RECORDS		"tracer.records"
#define MK_TRACER_URING_ACCEPTS_COUNTED "tracer.uring_accepts_counted"
#define MK_TRACER_WAIT_FROM		"tracer.wait_from"

/* The string values of the tracer's descriptive keys (MV_: a value, not a key). */
#define MV_TCP_LISTEN_COUNTERS_SYSTEM_WIDE "system-wide"
#define MV_TRACER_RECORDS_HASH		   "hash"
#define MV_TRACER_RECORDS_TASK_STORAGE	   "task_storage"
#define MV_TRACER_WAIT_FROM_REGISTERS	   "registers"
#define MV_TRACER_WAIT_FROM_SYS_ENTER	   "sys_enter"

/*
 * The fields of a histogram object: a log2 one (sched.runq_latency: unit, buckets,
 * count, p50, p99) or an exact one (jsonio_hist(): count, max, mean, p50, p90, p99,
 * p999 and more; the client's latencies also hold the "histogram" itself).
 */
#define MK_HIST_BUCKETS	   "buckets"
#define MK_HIST_COUNT	   "count"
#define MK_HIST_HISTOGRAM  "histogram"
#define MK_HIST_MAX	   "max"
#define MK_HIST_MEAN	   "mean"
#define MK_HIST_P50	   "p50"
#define MK_HIST_P90	   "p90"
#define MK_HIST_P99	   "p99"
#define MK_HIST_P999	   "p999"
#define MK_HIST_RESOLUTION "resolution"
#define MK_HIST_UNIT	   "unit"

/*
 * causes.* and wake_order.*: why each request was slow, and which idle worker
 * each arrival woke (herdlab run --causes; herdlab/causes/). causes.stats.NAME
 * holds a cause's mean/p50/p99 over the requests, causes.slowest.NAME and
 * causes.median.NAME its mean over the slowest 1% and over the requests around
 * the median; NAME is one of causes_names() (queue_us, capacity_us, ...).
 * wake_order.KIND (accept, epoll, ...) holds the MK_WO_ fields.
 */
#define MK_CAUSES			     "causes"
#define MK_CAUSES_REQUESTS		     "causes.requests"
#define MK_CAUSES_RECORDS		     "causes.records"
#define MK_CAUSES_LOST_EVENTS		     "causes.lost_events"
#define MK_CAUSES_CAP_BYTES		     "causes.cap_bytes"
#define MK_CAUSES_PROGRAM_IDS		     "causes.program_ids"
#define MK_CAUSES_FIRST_WOKEN_ACCEPTED_SHARE "causes.first_woken_accepted_share"
#define MK_CAUSES_RAN_INSTEAD		     "causes.ran_instead" /* [{comm, count}], top 3 */
#define MK_CAUSES_STATS			     "causes.stats"
#define MK_CAUSES_SLOWEST		     "causes.slowest"
#define MK_CAUSES_SLOWEST_REQUESTS	     "causes.slowest_requests"
#define MK_CAUSES_MEDIAN		     "causes.median"
#define MK_CAUSES_TIMELINE		     "causes.timeline" /* {start_ms, len_ms} drawn */
#define MK_RAN_COMM			     "comm"
#define MK_RAN_COUNT			     "count"
#define MK_WINDOW_START_MS		     "start_ms"
#define MK_WINDOW_LEN_MS		     "len_ms"
#define MK_WAKE_ORDER			     "wake_order"
#define MK_WO_ARRIVALS			     "arrivals"
#define MK_WO_FIFO_SHARE		     "fifo_share"
#define MK_WO_LIFO_SHARE		     "lifo_share"
#define MK_WO_CREATED_FIRST_SHARE	     "created_first_share"
#define MK_WO_CREATED_LAST_SHARE	     "created_last_share"
#define MK_WO_SAME_SHARE		     "same_share"
#define MK_WO_MEAN_IDLE			     "mean_idle"
#define MK_WO_RANKS			     "ranks"

/* `herdlab compare --format json` (and summary.json): the runs, and the repeats' spread. */
#define MK_COMPARE_REPEATS "repeats"
#define MK_COMPARE_RUNS	   "runs"
#define MK_RUN_DIR	   "dir"
#define MK_RUN_LABEL	   "label"
#define MK_SPREAD_MAX	   "max"
#define MK_SPREAD_MEAN	   "mean"
#define MK_SPREAD_MIN	   "min"
#define MK_SPREAD_N	   "n"
#define MK_SPREAD_SD	   "sd"

#endif
