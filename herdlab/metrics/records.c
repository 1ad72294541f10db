/* SPDX-License-Identifier: MIT */
/*
 * records.c - what the tracer's raw records mean (records.h).
 */
#include "metrics/records.h"

static const char *const wait_names[WAIT_KINDS] = {
	[WAIT_NONE] = "none",	  [WAIT_ACCEPT] = "accept", [WAIT_EPOLL] = "epoll",
	[WAIT_SELECT] = "select", [WAIT_POLL] = "poll",	    [WAIT_LOCK] = "lock",
	[WAIT_PASSFD] = "passfd", [WAIT_SIGNAL] = "signal", [WAIT_URING] = "uring",
};

static const char *const reaper_names[REAPERS] = {
	[REAPED_PARENT] = "parent",
	[REAPED_AUTO] = "auto",
	[REAPED_INIT] = "init",
};

const char *metrics_wait_name(int kind)
{
	return kind >= 0 && kind < WAIT_KINDS ? wait_names[kind] : "unknown";
}

const char *metrics_reaper_name(int reaper)
{
	return reaper >= 0 && reaper < REAPERS ? reaper_names[reaper] : "unknown";
}

/* ---- log2 histograms ------------------------------------------------------------------------ */

uint64_t metrics_log2_low(int slot)
{
	return slot ? 1ULL << slot : 0;
}

uint64_t metrics_log2_high(int slot)
{
	return (1ULL << (slot + 1)) - 1;
}

uint64_t metrics_log2_count(const struct herd_log2 *h)
{
	uint64_t n = 0;

	for (int i = 0; i < HERD_LOG2_SLOTS; i++)
		n += h->slot[i];
	return n;
}

/* Nearest rank ceil(@pct/100 * count), as the top of its slot. */
uint64_t metrics_log2_percentile(const struct herd_log2 *h, unsigned int pct)
{
	uint64_t count = metrics_log2_count(h), seen = 0, rank;

	if (!count)
		return 0;
	rank = count / 100 * pct + (count % 100 * pct + 99) / 100;
	for (int i = 0; i < HERD_LOG2_SLOTS; i++) {
		seen += h->slot[i];
		if (seen >= rank)
			return metrics_log2_high(i);
	}
	return metrics_log2_high(HERD_LOG2_SLOTS - 1);
}

uint64_t metrics_task_wakeups(const struct herd_task *t)
{
	uint64_t n = 0;

	for (int k = WAIT_NONE + 1; k < WAIT_KINDS; k++)
		n += t->wakeups[k];
	return n;
}
