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

/*
 * run.json's netns: the run's own network namespaces (herdlab run --netns,
 * session/netns.h); absent without --netns.
 */
#define MK_NETNS	      "netns"
#define MK_NETNS_MODE	      "netns.mode"	   /* MV_NETNS_MODE_LO or _VETH */
#define MK_NETNS_SERVER_INODE "netns.server_inode" /* the namespaces' inodes (lsns, net:[N]) */
#define MK_NETNS_CLIENT_INODE "netns.client_inode" /* the server's own with lo */
#define MK_NETNS_SYSCTL	      "netns.sysctl"	   /* KEY: its value read back after --sysctl */
#define MK_NETNS_SERVER_ADDR  "netns.server_addr"  /* veth: the server's end */
#define MK_NETNS_CLIENT_ADDR  "netns.client_addr"  /* veth: herdload's end */
#define MK_NETNS_DELAY_MS     "netns.delay_ms"	   /* --delay: netem's delay on each end */
#define MK_NETNS_LOSS_PCT     "netns.loss_pct"	   /* --loss: netem's loss on each end */
#define MV_NETNS_MODE_LO      "lo"
#define MV_NETNS_MODE_VETH    "veth"

/*
 * run.json's tcp (beside the tracer's trace.tcp): the kernel's own counters of
 * /proc/net/netstat (TcpExt, IpExt) and /proc/net/snmp (Tcp), by the kernel's
 * names, as deltas from before the server starts to the end of the load.
 */
#define MK_TCP_NETSTAT_SCOPE	 "tcp.netstat_scope"  /* which counters the run has: */
#define MV_NETSTAT_SCOPE_RUN	 "run"		      /* --netns: its own, tcp.netstat.* */
#define MV_NETSTAT_SCOPE_MACHINE "machine"	      /* none: trace.tcp's are machine-wide */
#define MK_TCP_NETSTAT		 "tcp.netstat"	      /* NAME: the server's namespace */
#define MK_TCP_CLIENT_NETSTAT	 "tcp.client_netstat" /* NAME: veth: the client's namespace */
/* ... the study's counters among them, always there (a 0 is written). */
#define MK_NS_LISTEN_OVERFLOWS	    "ListenOverflows"
#define MK_NS_LISTEN_DROPS	    "ListenDrops"
#define MK_NS_SYNCOOKIES_SENT	    "SyncookiesSent"
#define MK_NS_SYNCOOKIES_RECV	    "SyncookiesRecv"
#define MK_NS_SYNCOOKIES_FAILED	    "SyncookiesFailed"
#define MK_NS_TCP_REQ_Q_FULL_DROP   "TCPReqQFullDrop"
#define MK_NS_TCP_REQ_Q_FULL_COOKIE "TCPReqQFullDoCookies"
#define MK_NS_TCP_SYN_RETRANS	    "TCPSynRetrans"
#define MK_NS_OUT_RSTS		    "OutRsts"
#define MK_NS_TCP_ABORT_ON_CLOSE    "TCPAbortOnClose"
#define MK_NS_TCP_ABORT_ON_DATA	    "TCPAbortOnData"
#define MK_NS_EMBRYONIC_RSTS	    "EmbryonicRsts"
#define MK_NS_ATTEMPT_FAILS	    "AttemptFails"
#define MK_NS_ESTAB_RESETS	    "EstabResets"
#define MK_NS_RETRANS_SEGS	    "RetransSegs"
/* trace.tcp.listen_counters of a --netns run: its overflows and drops are the namespace's. */
#define MV_TCP_LISTEN_COUNTERS_NETNS "the run's network namespace"
/* `herdlab report --format json`: run.json's netns under MK_NETNS, its tcp under this. */
#define MK_REPORT_NETSTAT "netstat"

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
/* Where accepts, forks and reaps were seen: "tracepoints" or "fexit" (bpf/attach.h). */
#define MK_TRACER_ATTACH       "tracer.attach"
#define MV_TRACER_ATTACH_FEXIT "fexit"

/* The string values of the tracer's descriptive keys (MV_: a value, not a key). */
#define MV_TCP_LISTEN_COUNTERS_SYSTEM_WIDE "system-wide"
#define MV_TRACER_RECORDS_HASH		   "hash"
#define MV_TRACER_RECORDS_TASK_STORAGE	   "task_storage"
#define MV_TRACER_WAIT_FROM_REGISTERS	   "registers"
#define MV_TRACER_WAIT_FROM_SYS_ENTER	   "sys_enter"

/*
 * The cost of waiting (herdlab run --waits; bpf/waits.h), relative to "trace" like
 * the tracer's: wait.select, wait.poll, wait.epoll and wait.total, each with the
 * fields below; absent when the waits object was not loaded.
 */
#define MK_WAIT		       "wait"
#define MK_WAIT_SELECT	       "wait.select"
#define MK_WAIT_POLL	       "wait.poll"
#define MK_WAIT_EPOLL	       "wait.epoll"
#define MK_WAIT_TOTAL	       "wait.total"
#define MK_WAIT_EPOLL_INTEREST "wait.epoll_interest" /* MV_WAIT_INTEREST_*: epoll's nfds */
#define MK_WAIT_IN_FLIGHT      "wait.in_flight"	     /* where calls in progress are kept */
#define MK_WAIT_MAP_FULL       "wait.map_full"	     /* calls or rows that did not fit */
#define MK_WAIT_PROGRAM_IDS    "wait.program_ids"    /* the object's programs (also in tracer.) */
/* ... the fields of each kind, and of the total. */
#define MK_WK_TASKS		      "tasks"	      /* tasks that made such calls */
#define MK_WK_CALLS		      "calls"	      /* calls entered and returned while traced */
#define MK_WK_NFDS_PER_CALL	      "nfds_per_call" /* descriptors watched per call (mean) */
#define MK_WK_MAXEVENTS_PER_CALL      "maxevents_per_call" /* epoll's maxevents (mean) */
#define MK_WK_READY_PER_CALL	      "ready_per_call"	   /* descriptors returned ready (mean) */
#define MK_WK_EMPTY_CALLS	      "empty_calls"	   /* calls that returned 0 */
#define MK_WK_ERRORS		      "errors"		   /* calls that returned an error */
#define MK_WK_UNKNOWN_NFDS	      "unknown_nfds_calls" /* epoll calls whose list was unread */
#define MK_WK_CPU_NS		      "cpu_ns"		   /* on a CPU inside the calls, in total */
#define MK_WK_CPU_NS_PER_CALL	      "cpu_ns_per_call"
#define MK_WK_CPU_NS_PER_FD	      "cpu_ns_per_fd" /* cpu_ns_per_call / nfds_per_call */
#define MK_WK_ELAPSED_NS	      "elapsed_ns"    /* entry to exit, in total */
#define MK_WK_ELAPSED_NS_PER_CALL     "elapsed_ns_per_call"
#define MK_WK_CPU_NS_HIST	      "cpu_ns_hist" /* on-CPU ns per call: a kernel histogram */
#define MK_WAIT_TOTAL_CALLS	      MK_DOT(MK_WAIT_TOTAL, MK_WK_CALLS)
#define MK_WAIT_TOTAL_CPU_NS_PER_CALL MK_DOT(MK_WAIT_TOTAL, MK_WK_CPU_NS_PER_CALL)
#define MK_WAIT_TOTAL_CPU_NS_PER_FD   MK_DOT(MK_WAIT_TOTAL, MK_WK_CPU_NS_PER_FD)
#define MV_WAIT_INTEREST_REFCOUNT     "refcount" /* the eventpoll's references but its file's */
#define MV_WAIT_INTEREST_UNKNOWN      "unknown"	 /* a kernel before 6.4: epoll's nfds is 0 */

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

/*
 * run.json's load and server objects: what herdload and herdsrv recorded of the run
 * themselves, beside the tracer (session/sidefiles.h). load.phases is an array of
 * objects with the MK_PHASE_* fields.
 */
#define MK_LOAD				      "load"
#define MK_LOAD_PHASES			      "load.phases"
#define MK_PHASE_INDEX			      "index"
#define MK_PHASE_START_S		      "start_s"
#define MK_PHASE_DURATION_S		      "duration_s"
#define MK_PHASE_CLIENTS		      "clients"
#define MK_PHASE_PATH			      "path"
#define MK_PHASE_REQUESTS		      "requests"
#define MK_PHASE_OK			      "ok"
#define MK_PHASE_FAILED			      "failed"
#define MK_PHASE_ERRORS			      "errors"
#define MK_PHASE_REQUESTS_PER_S		      "requests_per_s"
#define MK_PHASE_P50_US			      "p50_us"
#define MK_PHASE_P99_US			      "p99_us"
#define MK_PHASE_MAX_US			      "max_us"
#define MK_LOAD_IDLE			      "load.idle"
#define MK_LOAD_IDLE_REQUESTED		      "load.idle.requested"
#define MK_LOAD_IDLE_OPENED		      "load.idle.opened"
#define MK_LOAD_IDLE_CONNECTED		      "load.idle.connected"
#define MK_LOAD_IDLE_FAILED		      "load.idle.failed"
#define MK_LOAD_IDLE_FAILED_BY_KIND	      "load.idle.failed_by_kind"
#define MK_LOAD_IDLE_HELD_AT_END	      "load.idle.held_at_end"
#define MK_LOAD_IDLE_PENDING		      "load.idle.pending"
#define MK_LOAD_CLIENTS			      "load.clients"
#define MK_LOAD_CLIENTS_COUNT		      "load.clients.count"
#define MK_LOAD_CLIENTS_ACTIVE		      "load.clients.active"
#define MK_LOAD_CLIENTS_REQUESTS	      "load.clients.requests"
#define MK_LOAD_CLIENTS_OK		      "load.clients.ok"
#define MK_LOAD_CLIENTS_FAILED		      "load.clients.failed"
#define MK_LOAD_CLIENTS_REQUESTS_MIN	      "load.clients.requests_min"
#define MK_LOAD_CLIENTS_REQUESTS_MAX	      "load.clients.requests_max"
#define MK_LOAD_CLIENTS_MAX_MIN_RATIO	      "load.clients.max_min_ratio"
#define MK_LOAD_CLIENTS_JAIN_INDEX	      "load.clients.jain_index"
#define MK_SERVER			      "server"
#define MK_SERVER_SEND			      "server.send"
#define MK_SERVER_STATS			      "server.stats"
#define MK_SERVER_STATS_ADDRESSES	      "server.stats.addresses"
#define MK_SERVER_STATS_REQUESTS	      "server.stats.requests"
#define MK_SERVER_STATS_BYTES_IN	      "server.stats.bytes_in"
#define MK_SERVER_STATS_BYTES_OUT	      "server.stats.bytes_out"
#define MK_SERVER_STATS_REQUESTS_MIN	      "server.stats.requests_min"
#define MK_SERVER_STATS_REQUESTS_MAX	      "server.stats.requests_max"
#define MK_SERVER_STATS_OVERFLOW	      "server.stats.overflow"
#define MK_SERVER_COUNTERS		      "server.counters"
#define MK_SERVER_COUNTERS_FD_SETSIZE_REFUSED "server.counters.fd_setsize_refused"
#define MK_SERVER_COUNTERS_SHED		      "server.counters.shed"
#define MK_SERVER_COUNTERS_SHED_503	      "server.counters.shed_503"
#define MK_SERVER_COUNTERS_SHED_EMFILE	      "server.counters.shed_emfile"
#define MK_SERVER_COUNTERS_FORK_FAILURES      "server.counters.fork_failures"
#define MK_SERVER_COUNTERS_THREAD_FAILURES    "server.counters.thread_failures"
#define MK_SERVER_COUNTERS_WORKERS_REPLACED   "server.counters.workers_replaced"
#define MK_SERVER_COUNTERS_READ_FAILURES      "server.counters.read_failures"
#define MK_SERVER_POOL			      "server.pool"
#define MK_SERVER_POOL_START		      "server.pool.start"
#define MK_SERVER_POOL_MAX_TOTAL	      "server.pool.max_total"
#define MK_SERVER_POOL_FORKS		      "server.pool.forks"
#define MK_SERVER_POOL_RECYCLED		      "server.pool.recycled"
#define MK_SERVER_POOL_RETIRED		      "server.pool.retired"
#define MK_SERVER_POOL_SAMPLES		      "server.pool.samples"

/*
 * The fates of connections (metrics/fates.h), relative to "trace" like the tracer's
 * other metrics: run.json's "trace.fates.syn_drops". The join's failures are
 * run.json's full names, under "join".
 */
#define MK_FATES			"fates"
#define MK_FATES_SYN_DROPS		"fates.syn_drops"
#define MK_FATES_SYN_DROPS_BY_REASON	"fates.syn_drops_by_reason" /* .LISTEN_OVERFLOW, ... */
#define MK_FATES_SYNACK_RETRANSMITS	"fates.synack_retransmits"
#define MK_FATES_RESETS_SENT		"fates.resets_sent"
#define MK_FATES_RESETS_RECEIVED	"fates.resets_received"
#define MK_FATES_CLIENT_RESETS_RECEIVED "fates.client_resets_received"
#define MK_FATES_CLOSED_UNREAD		"fates.closed_unread"
#define MK_FATES_CONNECTIONS		"fates.connections" /* client address:ports with a fate */
#define MK_FATES_ACCEPTED		"fates.accepted"    /* ... of them accepted all the same */
#define MK_FATES_LOST			"fates.lost"	    /* not recorded: the map was full */
#define MK_FATES_ABSENT			"fates.absent" /* tracepoints this kernel lacks: names */
#define MK_JOIN_FAILED			"join.failed"
#define MK_JOIN_FAILED_MATCHED		"join.failed_matched"
#define MK_JOIN_FAILED_UNMATCHED	"join.failed_unmatched"
#define MK_JOIN_FATES_BY_ERROR		"join.fates_by_error" /* .KIND.{requests, matched, ...} */
/* ... the fields of join.fates_by_error.KIND */
#define MK_FE_REQUESTS		 "requests"
#define MK_FE_MATCHED		 "matched"
#define MK_FE_SYN_DROPS		 "syn_drops"
#define MK_FE_SYNACK_RETRANSMITS "synack_retransmits"
#define MK_FE_RESETS_SENT	 "resets_sent"
#define MK_FE_RESETS_RECEIVED	 "resets_received"
#define MK_FE_CLOSED_UNREAD	 "closed_unread"
#define MK_FE_EXAMPLE		 "example" /* one of them in a sentence (fates_sentence) */

/*
 * The profiler's (herdlab run/trace --profile; profile/profiling.h), named relative
 * to run.json's "profile" object, which is also profile.json's top level:
 * MK_DOT(MK_PROFILE, MK_PROF_HZ) is "profile.hz". A bucket (profile/buckets.h) is
 * MK_PROF_BUCKETS "." its key, an object of MK_BUCKET_SAMPLES and MK_BUCKET_SHARE.
 */
#define MK_PROFILE		  "profile"
#define MK_PROF_HZ		  "hz"
#define MK_PROF_CPUS		  "cpus"
#define MK_PROF_ALL		  "all"
#define MK_PROF_SAMPLES		  "samples"
#define MK_PROF_SAMPLES_ALL	  "samples_all"
#define MK_PROF_SEEN		  "seen"
#define MK_PROF_LOST		  "lost"
#define MK_PROF_LOST_KSTACK	  "lost_by.kernel_stack_collisions"
#define MK_PROF_LOST_USTACK	  "lost_by.user_stack_collisions"
#define MK_PROF_LOST_STACK_ERRORS "lost_by.stack_errors"
#define MK_PROF_LOST_COUNTS_FULL  "lost_by.counts_full"
#define MK_PROF_KERNEL_SYMBOLS	  "kernel_symbols"
#define MK_PROF_MAPS_READ	  "maps.read"
#define MK_PROF_MAPS_BORROWED	  "maps.borrowed"
#define MK_PROF_BUCKETS		  "buckets"
#define MK_PROF_LABELS		  "labels"
#define MK_BUCKET_SAMPLES	  "samples"
#define MK_BUCKET_SHARE		  "share"
/* profile.json only: the top stacks ({stack, samples, share, bucket}) and the BPF ids. */
#define MK_PROF_TOP_STACKS "top_stacks"
#define MK_PSTACK_STACK	   "stack"
#define MK_PSTACK_BUCKET   "bucket"
#define MK_PROF_PROG_IDS   "bpf.prog_ids"
#define MK_PROF_LINK_IDS   "bpf.link_ids"
#define MK_PROF_MAP_IDS	   "bpf.map_ids"

#endif
