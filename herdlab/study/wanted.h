/* SPDX-License-Identifier: MIT */
/*
 * wanted.h - run.json keys the study reads that other work adds to herdlab run
 * (network namespaces, connection fates, wait costs, the server's counters,
 * the profiler, the per-request causes). Until a run.json has them, the study
 * says "not measured (needs KEY)" where they would go; once it does, the
 * sentences fill in. They are named as numbers.c reads them (the tracer's and
 * the cost's objects also at the top), and move to metrics/keys.h when the
 * work that writes them lands there.
 */
#ifndef HERD_STUDY_WANTED_H
#define HERD_STUDY_WANTED_H

/* herdlab run --netns: the namespace's own TCP counters, as deltas. */
#define WK_NETSTAT_LISTEN_OVERFLOWS "tcp.netstat.ListenOverflows"
#define WK_NETSTAT_LISTEN_DROPS	    "tcp.netstat.ListenDrops"
#define WK_NETSTAT_SYNCOOKIES_SENT  "tcp.netstat.SyncookiesSent"
#define WK_NETSTAT_SYN_RETRANS	    "tcp.netstat.TCPSynRetrans"
#define WK_NETSTAT_OUT_RSTS	    "tcp.netstat.OutRsts"
#define WK_NETSTAT_ABORT_ON_DATA    "tcp.netstat.TCPAbortOnData"

/* The fates of connections never accepted or never answered. */
#define WK_FATES_SYN_DROPS	    "fates.syn_drops"
#define WK_FATES_SYNACK_RETRANSMITS "fates.synack_retransmits"
#define WK_FATES_RESETS_SENT	    "fates.resets_sent"
#define WK_FATES_RESETS_RECEIVED    "fates.resets_received"
#define WK_FATES_CLOSED_UNREAD	    "fates.closed_unread"
#define WK_JOIN_FAILED_MATCHED	    "join.failed_matched"

/* herdlab run --waits: select, poll and epoll calls and their cost. */
#define WK_SELECT_CALLS		  "wait.select.calls"
#define WK_POLL_CALLS		  "wait.poll.calls"
#define WK_EPOLL_CALLS		  "wait.epoll.calls"
#define WK_SELECT_NFDS_PER_CALL	  "wait.select.nfds_per_call"
#define WK_POLL_NFDS_PER_CALL	  "wait.poll.nfds_per_call"
#define WK_EPOLL_NFDS_PER_CALL	  "wait.epoll.nfds_per_call"
#define WK_SELECT_CPU_NS_PER_CALL "wait.select.cpu_ns_per_call"
#define WK_POLL_CPU_NS_PER_CALL	  "wait.poll.cpu_ns_per_call"
#define WK_EPOLL_CPU_NS_PER_CALL  "wait.epoll.cpu_ns_per_call"
#define WK_SELECT_CPU_NS_PER_FD	  "wait.select.cpu_ns_per_fd"
#define WK_POLL_CPU_NS_PER_FD	  "wait.poll.cpu_ns_per_fd"
#define WK_EPOLL_CPU_NS_PER_FD	  "wait.epoll.cpu_ns_per_fd"

/* herdsrv's own counters, and the dynamic pool. */
#define WK_SERVER_FD_SETSIZE_REFUSED "server.counters.fd_setsize_refused"
#define WK_SERVER_SHED		     "server.counters.shed"
#define WK_SERVER_FORK_FAILURES	     "server.counters.fork_failures"
#define WK_SERVER_WORKERS_REPLACED   "server.counters.workers_replaced"
#define WK_POOL_MAX_TOTAL	     "pool.max_total"
#define WK_POOL_FORKS		     "pool.forks"
#define WK_IDLE_OPENED		     "idle.opened"
#define WK_IDLE_FAILED		     "idle.failed"

/* herdlab run --profile: where the server's CPU went, by bucket. */
#define WK_PROFILE_SHARE(bucket) "profile.buckets." bucket ".share"

#endif
