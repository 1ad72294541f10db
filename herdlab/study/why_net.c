/* SPDX-License-Identifier: MIT */
/*
 * why_net.c - the explanations of the echo servers at thousands of connections
 * and of fork against a thread pool (study.h): the rows of the findings engine
 * whose numbers are mostly TCP's, the cells' own network namespace counters
 * (tcp.netstat.*, --netns) and the kernel's fate of each connection
 * (trace.fates.*, join.fates_by_error.*). why.c says how rows are chosen and
 * filled; the metrics and keys are why.h's.
 */
#include "study/why.h"

#define K_OVERFLOWS SK_NETSTAT(MK_NS_LISTEN_OVERFLOWS)
#define K_COOKIES   SK_NETSTAT(MK_NS_SYNCOOKIES_SENT)
#define K_SYN_RETR  SK_NETSTAT(MK_NS_TCP_SYN_RETRANS)
#define K_OUT_RSTS  SK_NETSTAT(MK_NS_OUT_RSTS)
#define K_SYN_DROPS SK_TRACE(MK_FATES_SYN_DROPS)
#define K_SYNACKS   SK_TRACE(MK_FATES_SYNACK_RETRANSMITS)
#define K_RST_SENT  SK_TRACE(MK_FATES_RESETS_SENT)
#define K_RST_RECV  SK_TRACE(MK_FATES_CLIENT_RESETS_RECEIVED)
#define K_RESETS    MK_CLIENT_ERRORS_RESET
#define K_TIMEOUTS  MK_CLIENT_ERRORS_TIMEOUT
/* join.fates_by_error.KIND.FIELD: the failed requests of one kind, joined to their fates */
#define K_FE(kind, f) MK_DOT(MK_JOIN_FATES_BY_ERROR, MK_DOT(kind, f))

/* ---- 003 ---------------------------------------------------------------------------------- */

#define ECHO_ROW(mdl)                                                           \
	{                                                                       \
		.model = mdl,                                                   \
		.m = { N0(K_RPS),                                               \
		       { .key = MK_CLIENT_LATENCY_US_TOTAL_P99,                 \
			 .scale = 1e-3,                                         \
			 .prec = 2,                                             \
			 .unit = " ms" },                                       \
		       N2(K_SWITCHES_RQ) },                                     \
		.text = "{model}: {a.list} echoes/s (`" K_RPS                   \
			"`), p99 {b.list} (`" MK_CLIENT_LATENCY_US_TOTAL_P99    \
			"`), {c.list} switches per echo (`" K_SWITCHES_RQ "`)." \
	}

static const struct finding echo_scale[] = {
	ECHO_ROW("thread"),
	ECHO_ROW("select"),
	ECHO_ROW("epoll-edge"),
	ECHO_ROW("poll"),
	ECHO_ROW("prethread-queue"),
	{ .model = "thread",
	  .than = "epoll-edge",
	  .m = { N0(K_PIDS), MIB(K_MEM) },
	  .text = "A thread per connection holds {a.list} tasks at its peak (`" K_PIDS "`) and "
		  "{b.list} of memory (`" K_MEM "`); {than} holds {b.than}." },
};

/* The connect burst, counted in the cell's own namespace. */
#define BURST_ROW(mdl)                                                                           \
	{ .model = mdl,                                                                          \
	  .m = { N0(K_QUEUE_PEAK), N0(K_OVERFLOWS), N0_OPT(K_COOKIES) },                         \
	  .text = "At the connect burst the accept queue of {model} peaked at {a.list} "         \
		  "(`" K_QUEUE_PEAK "`), with {b.list} listen overflows (`" K_OVERFLOWS          \
		  "`, the cell's own network "                                                   \
		  "namespace)",                                                                  \
	  .more = { { { { C, FS_HI, FO_GT, 0 } },                                                \
		      " and {c.list} syncookies sent (`" K_COOKIES "`): the SYN queue was full " \
		      "too" },                                                                   \
		    { { { B, FS_HI, FO_GT, 0 } },                                                \
		      "; a handshake that finds the accept queue full is dropped and its SYN "   \
		      "sent again, which is what a ramp (the -ramp cell) avoids." },             \
		    { { { B, FS_HI, FO_LE, 0 } },                                                \
		      ": the server accepted as fast as the clients connected." } } },           \
		NEEDS(mdl, K_OVERFLOWS)

static const struct finding echo_limits[] = {
	{ .model = "select",
	  .m = { N0(K_FAILED), N0_OPT(MK_SERVER_COUNTERS_FD_SETSIZE_REFUSED) },
	  .when = { { A, FS_HI, FO_GT, 0 } },
	  .text = "select failed {a.list} echoes (`" K_FAILED "`)",
	  .more = { { { { B, FS_N, FO_GT, 0 } },
		      ", {b.list} connections refused at FD_SETSIZE "
		      "(`" MK_SERVER_COUNTERS_FD_SETSIZE_REFUSED "`)" },
		    { .text = ": an fd_set holds descriptors below FD_SETSIZE only, so the server "
			      "closes any connection whose descriptor is above it." } } },
	{ .model = "select",
	  .m = { N0(K_FAILED) },
	  .otherwise = true,
	  .text = "select failed {a.list} echoes (`" K_FAILED "`): no cell had descriptors past "
		  "FD_SETSIZE." },
	BURST_ROW("thread"),
	BURST_ROW("select"),
	BURST_ROW("epoll-edge"),
};

static const struct study_why echo_why[] = {
	{ "Scaling to thousands of connections", "*", echo_scale, NROWS(echo_scale) },
	{ "Limits: FD_SETSIZE and the accept queue", "*", echo_limits, NROWS(echo_limits) },
};
const struct study_whys why_echo = { echo_why, NROWS(echo_why) };

/* ---- 004 ---------------------------------------------------------------------------------- */

#define RESETS_ROW(mdl)                                                            \
	{                                                                          \
		.model = mdl, .m = { N0(K_FAILED), N0(K_RESETS), N0(K_TIMEOUTS) }, \
		.text = "{model}: {a.list} requests failed (`" K_FAILED            \
			"`), {b.list} by a reset (`" K_RESETS                      \
			"`) and {c.list} by a timeout (`" K_TIMEOUTS "`)."         \
	}

/* Which of the two a full accept queue gave: resets, or timeouts and no reset. */
#define ANSWER_ROWS(mdl)                                                                         \
	{ .model = mdl,                                                                          \
	  .m = { N0(K_RESETS), N0(K_OVERFLOWS), N0(K_RST_SENT) },                                \
	  .when = { { A, FS_HI, FO_GT, 0 }, { B, FS_HI, FO_GT, 0 } },                            \
	  .text = "{model}'s clients saw {a.list} resets with {b.list} listen overflows "        \
		  "(`" K_OVERFLOWS                                                               \
		  "`) and {c.list} resets sent by the server's kernel (`" K_RST_SENT             \
		  "`): a handshake whose last ACK finds the accept queue full is answered "      \
		  "with a reset, their \"connection reset by peer\"." },                         \
		{ .model = mdl,                                                                  \
		  .m = { N0(K_TIMEOUTS), N0(K_OVERFLOWS), N0(K_RESETS) },                        \
		  .when = { { B, FS_HI, FO_GT, 0 }, { C, FS_HI, FO_LE, 0 } },                    \
		  .otherwise = true,                                                             \
		  .text = "{model}'s clients saw no reset ({c.list}, `" K_RESETS                 \
			  "`) but {a.list} "                                                     \
			  "timeouts (`" K_TIMEOUTS                                               \
			  "`) with {b.list} listen overflows (`" K_OVERFLOWS                     \
			  "`): this kernel drops a SYN that comes while the accept queue is "    \
			  "full, before there is a handshake a reset could answer, and the "     \
			  "client sends it again: a full queue shows as a wait or a timeout, "   \
			  "not as \"connection reset by peer\"." },                              \
		{ .model = mdl,                                                                  \
		  .m = { N0(K_OVERFLOWS), N0(K_FAILED) },                                        \
		  .otherwise = true,                                                             \
		  .text = "{model}: {a.list} listen overflows (`" K_OVERFLOWS "`) and {b.list} " \
			  "failed requests (`" K_FAILED "`)." },                                 \
		NEEDS(mdl, K_OVERFLOWS)

#define QUEUE_ROW(mdl)                                                                          \
	{                                                                                       \
		.model = mdl,                                                                   \
		.m = { N0(K_QUEUE_PEAK),                                                        \
		       { .key = MK_CLIENT_LATENCY_US_CONNECT ".max",                            \
			 .scale = 1e-6,                                                         \
			 .prec = 1,                                                             \
			 .unit = " s" },                                                        \
		       N0_OPT(K_SYN_RETR) },                                                    \
		.text = "{model}'s accept queue held {a.list} at its peak (`" K_QUEUE_PEAK      \
			"`) and the "                                                           \
			"slowest connect took {b.list} (`" MK_CLIENT_LATENCY_US_CONNECT ".max"  \
			"`): the client's SYN is sent again after a timeout that doubles each " \
			"time",                                                                 \
		.more = {                                                                       \
			{ { { C, FS_HI, FO_GT, 0 } },                                           \
			  "; {c.list} SYNs sent again (`" K_SYN_RETR "`)" },                    \
			{ .text = "." }                                                         \
		}                                                                               \
	}

/* The fates of the connections the server never accepted, and of the failed requests. */
#define FATES_ROWS(mdl)                                                                           \
	{ .model = mdl,                                                                           \
	  .m = { N0(K_SYN_DROPS), N0_OPT(K_SYNACKS), N0_OPT(K_RST_RECV) },                        \
	  .text = "The kernel's fates ({model}): {a.list} SYNs dropped (`" K_SYN_DROPS "`)",      \
	  .more = { { { { B, FS_HI, FO_GT, 0 } },                                                 \
		      ", {b.list} SYN-ACKs retransmitted (`" K_SYNACKS "`)" },                    \
		    { { { C, FS_HI, FO_GT, 0 } },                                                 \
		      ", {c.list} resets received by clients (`" K_RST_RECV "`)" },               \
		    { .text = "." } } },                                                          \
		NEEDS(mdl, K_SYN_DROPS),                                                          \
		{ .model = mdl,                                                                   \
		  .m = { N0(K_FE("timeout", MK_FE_REQUESTS)), N0(K_FE("timeout", MK_FE_MATCHED)), \
			 N0_OPT(K_FE("timeout", MK_FE_SYN_DROPS)) },                              \
		  .when = { { A, FS_HI, FO_GT, 0 } },                                             \
		  .text = "Of {a.list} requests that timed out (`" K_FE(                          \
			  "timeout",                                                              \
			  MK_FE_REQUESTS) "`), {b.list} are joined to their connection's fate "   \
					  "(`" K_FE("timeout", MK_FE_MATCHED) "`)",               \
		  .more = { { { { C, FS_HI, FO_GT, 0 } },                                         \
			      ", with {c.list} of their SYNs dropped unanswered (`" K_FE(         \
				      "timeout", MK_FE_SYN_DROPS) "`): the server's kernel "      \
								  "never answered them" },        \
			    { .text = "." } } },                                                  \
	{                                                                                         \
		.model = mdl,                                                                     \
		.m = { N0(K_FE("reset", MK_FE_REQUESTS)), N0(K_FE("reset", MK_FE_MATCHED)),       \
		       N0_OPT(K_FE("reset", MK_FE_RESETS_SENT)) },                                \
		.when = { { A, FS_HI, FO_GT, 0 } },                                               \
		.text = "Of {a.list} requests reset (`" K_FE(                                     \
			"reset", MK_FE_REQUESTS) "`), {b.list} are joined to their fate "         \
						 "(`" K_FE("reset", MK_FE_MATCHED) "`)",          \
		.more = {                                                                         \
			{ { { C, FS_HI, FO_GT, 0 } },                                             \
			  ", {c.list} of them a reset the server's kernel sent (`" K_FE(          \
				  "reset", MK_FE_RESETS_SENT) "`)" },                             \
			{ .text = "." }                                                           \
		}                                                                                 \
	}

static const struct finding fp_resets[] = {
	RESETS_ROW("fork"),	  RESETS_ROW("fork-abort"),  RESETS_ROW("pool"),
	ANSWER_ROWS("fork"),	  ANSWER_ROWS("fork-abort"), ANSWER_ROWS("pool"),
	QUEUE_ROW("fork"),	  QUEUE_ROW("pool"),	     FATES_ROWS("fork"),
	FATES_ROWS("fork-abort"), FATES_ROWS("pool"),
};

static const struct finding fp_cost[] = {
	{ .model = "pool",
	  .than = "fork",
	  .m = { CPU_US, N0(K_RPS) },
	  .text = "Per request, {than} spends {a.than} of server CPU (`" K_CPU "` per request) "
		  "and {model} {a}; {than} serves {b.than} requests/s (`" K_RPS
		  "`), {model} {b}." },
};

static const struct study_why forkpool_why[] = {
	{ "Where \"connection reset by peer\" comes from (backlog 5)", "*-b5-*", fp_resets,
	  NROWS(fp_resets) },
	{ "The same at a backlog of 1024", "*-b1024-*", fp_resets, NROWS(fp_resets) },
	{ "The cost of a fork per client (backlog 1024)", "*-b1024-*", fp_cost, NROWS(fp_cost) },
};
const struct study_whys why_forkpool = { forkpool_why, NROWS(forkpool_why) };
