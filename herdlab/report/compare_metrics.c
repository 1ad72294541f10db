/* SPDX-License-Identifier: MIT */
/*
 * compare_metrics.c - the columns of a comparison (compare.h): compare_metrics[],
 * the families that say among which runs a column's best is marked, and a run's
 * value of a column.
 *
 * A row names its run.json key (keys.h), which way is better, among which runs
 * the best is chosen, its precision and scale, and what it is divided by or
 * needs a sample of; compare.c lays out whatever is here, so a new column is a
 * new row.
 */
#include <math.h>
#include <string.h>

#include "metrics/keys.h"
#include "report/compare.h"

#define T(key)	 MK_DOT(MK_TRACE, key) /* a tracer's key, as run.json holds it */
#define P50(key) MK_DOT(T(key), MK_HIST_P50)
#define P99(key) MK_DOT(T(key), MK_HIST_P99)
#define CNT(key) MK_DOT(T(key), MK_HIST_COUNT)

/* A counter of tcp.netstat (runs with --netns): fewer is better. */
#define NS_ROW(name)                                                        \
	{                                                                   \
		name, MK_DOT(MK_TCP_NETSTAT, name), -1, 0, 0, 1, NULL, NULL \
	}

/* The columns. Latencies are shown in microseconds. */
#define POOL FAMILY_POOL
const struct compare_metric compare_metrics[] = {
	{ "requests/s", MK_CLIENT_THROUGHPUT_REQUESTS_PER_S, +1, 0, 0, 1, NULL, NULL },
	{ "p99 us", MK_CLIENT_LATENCY_US_TOTAL_P99, -1, 0, 0, 1, NULL, NULL },
	{ "herd factor", T(MK_ACCEPT_WAKEUPS_PER_ACCEPT), -1, POOL, 2, 1, NULL, NULL },
	{ "futile per accept", T(MK_ACCEPT_FUTILE_WAKEUPS), -1, POOL, 2, 1, T(MK_ACCEPT_ACCEPTED),
	  NULL },
	{ "switches/request", T(MK_SCHED_SWITCHES_PER_REQUEST), -1, 0, 2, 1, NULL, NULL },
	{ "fairness", T(MK_ACCEPT_FAIRNESS_JAIN), +1, POOL, 3, 1, NULL, NULL },
	{ "runq p99 us", P99(MK_SCHED_RUNQ_LATENCY), -1, 0, 0, 1e-3, NULL, NULL },
	{ "fork p50 us", P50(MK_PROC_FORK_LATENCY), -1, 0, 0, 1e-3, NULL,
	  CNT(MK_PROC_FORK_LATENCY) },
	{ "first run p50 us", P50(MK_PROC_FIRST_RUN_LATENCY), -1, 0, 0, 1e-3, NULL,
	  CNT(MK_PROC_FIRST_RUN_LATENCY) },
	{ "join matched", MK_JOIN_MATCHED, +1, 0, 3, 1, NULL, NULL },
	{ "SYN drops", T(MK_FATES_SYN_DROPS), -1, 0, 0, 1, NULL, NULL },
	{ "resets sent", T(MK_FATES_RESETS_SENT), -1, 0, 0, 1, NULL, NULL },
	{ "server CPU us/request", MK_COST_SERVER_CPU_NS, -1, 0, 1, 1e-3, MK_CLIENT_REQUESTS_OK,
	  NULL },
	{ "shed", MK_SERVER_COUNTERS_SHED, -1, 0, 0, 1, NULL, NULL },
	{ "FD_SETSIZE refused", MK_SERVER_COUNTERS_FD_SETSIZE_REFUSED, -1, 0, 0, 1, NULL, NULL },
	{ "pool max", MK_SERVER_POOL_MAX_TOTAL, 0, 0, 0, 1, NULL, NULL },
	/* The kernel's TCP counters of runs in their own namespace (--netns), by its names. */
	NS_ROW(MK_NS_LISTEN_OVERFLOWS),
	NS_ROW(MK_NS_LISTEN_DROPS),
	NS_ROW(MK_NS_SYNCOOKIES_SENT),
	NS_ROW(MK_NS_SYNCOOKIES_RECV),
	NS_ROW(MK_NS_SYNCOOKIES_FAILED),
	NS_ROW(MK_NS_TCP_REQ_Q_FULL_DROP),
	NS_ROW(MK_NS_TCP_REQ_Q_FULL_COOKIE),
	NS_ROW(MK_NS_TCP_SYN_RETRANS),
	NS_ROW(MK_NS_OUT_RSTS),
	NS_ROW(MK_NS_TCP_ABORT_ON_CLOSE),
	NS_ROW(MK_NS_TCP_ABORT_ON_DATA),
	NS_ROW(MK_NS_EMBRYONIC_RSTS),
	NS_ROW(MK_NS_ATTEMPT_FAILS),
	NS_ROW(MK_NS_ESTAB_RESETS),
	NS_ROW(MK_NS_RETRANS_SEGS),
	{ "wait CPU us/call", T(MK_WAIT_TOTAL_CPU_NS_PER_CALL), -1, 0, 2, 1e-3, NULL,
	  T(MK_WAIT_TOTAL_CALLS) },
	{ "wait CPU ns/fd", T(MK_WAIT_TOTAL_CPU_NS_PER_FD), -1, 0, 1, 1, NULL,
	  T(MK_WAIT_TOTAL_CALLS) },
	/* --causes runs: the slowest 1%'s mean of each cause (absent elsewhere) */
	{ "slow 1% capacity us", MK_DOT(MK_CAUSES_SLOWEST, "capacity_us"), -1, 0, 0, 1, NULL,
	  NULL },
	{ "slow 1% woken runq us", MK_DOT(MK_CAUSES_SLOWEST, "woken_runq_us"), -1, 0, 0, 1, NULL,
	  NULL },
	{ "slow 1% herd us", MK_DOT(MK_CAUSES_SLOWEST, "herd_us"), -1, 0, 0, 1, NULL, NULL },
	{ "slow 1% server runq us", MK_DOT(MK_CAUSES_SLOWEST, "runq_us"), -1, 0, 0, 1, NULL, NULL },
};
const size_t compare_nmetrics = sizeof(compare_metrics) / sizeof(compare_metrics[0]);
_Static_assert(sizeof(compare_metrics) / sizeof(compare_metrics[0]) <= COMPARE_METRICS_MAX,
	       "compare.c lays out at most COMPARE_METRICS_MAX columns");

/* The pools: the models whose workers all wait for connections (servers/models.c). */
static const char *const pools[] = {
	"prefork",	   "prefork-mutex",	      "prefork-flock",
	"prefork-epoll",   "prefork-epoll-exclusive", "prefork-reuseport",
	"prefork-dynamic", "prethread-mutex",	      "epoll-threads",
};

enum compare_family compare_family(const struct rundir *rd)
{
	const char *model = rundir_str(rd, MK_MODEL, "");

	for (size_t i = 0; i < sizeof(pools) / sizeof(pools[0]); i++)
		if (!strcmp(model, pools[i]))
			return FAMILY_POOL;
	return FAMILY_ANY;
}

double compare_value(const struct rundir *rd, const struct compare_metric *m)
{
	double v = rundir_num(rd, m->key) * m->scale;

	if (m->count && !(rundir_num(rd, m->count) > 0))
		return NAN;
	if (m->per) {
		double per = rundir_num(rd, m->per);
		return per > 0 ? v / per : NAN;
	}
	return v;
}
