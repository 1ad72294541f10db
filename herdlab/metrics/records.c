/* SPDX-License-Identifier: MIT */
/*
 * records.c - what the tracer's raw records mean (records.h).
 */
#include "metrics/records.h"

#include <string.h>

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

/* ---- the kernel's histograms ---------------------------------------------------------------- */

int metrics_kernel_hist(const struct herd_histogram *h, struct hist *out)
{
	if (hist_init_bits(out, HERD_HIST_HIGHEST, HERD_HIST_BITS) < 0)
		return -1;
	/* The same layout on both sides: slot i is counter i (herd_hist_slot = hist_index). */
	for (size_t i = 0; i < HERD_HIST_SLOTS && i < out->counts_len; i++) {
		if (!h->slot[i])
			continue;
		uint64_t n = h->slot[i], low = hist_index_low(out, i);
		uint64_t high = hist_highest_equivalent(out, low);
		long double mid = ((long double)low + (long double)high) / 2;
		out->counts[i] += n;
		out->total += n;
		out->sum += mid * n;
		out->sum_sq += mid * mid * n;
		if (low < out->min)
			out->min = low;
		if (high > out->max)
			out->max = high;
	}
	return 0;
}

uint64_t metrics_task_wakeups(const struct herd_task *t)
{
	uint64_t n = 0;

	for (int k = WAIT_NONE + 1; k < WAIT_KINDS; k++)
		n += t->wakeups[k];
	return n;
}

/* ---- the fates of connections --------------------------------------------------------------- */

static const char *const tcp_states[] = {
	[1] = "ESTABLISHED", [2] = "SYN_SENT",	[3] = "SYN_RECV", [4] = "FIN_WAIT1",
	[5] = "FIN_WAIT2",   [6] = "TIME_WAIT", [7] = "CLOSE",	  [8] = "CLOSE_WAIT",
	[9] = "LAST_ACK",    [10] = "LISTEN",	[11] = "CLOSING", [12] = "NEW_SYN_RECV",
};

#define NSTATES ((int)(sizeof(tcp_states) / sizeof(tcp_states[0])))

const char *metrics_tcp_state_name(int state)
{
	return state > 0 && state < NSTATES ? tcp_states[state] : "?";
}

int metrics_tcp_state_of(const char *name)
{
	for (int i = 1; i < NSTATES; i++)
		if (!strcmp(tcp_states[i], name))
			return i;
	return -1;
}

uint64_t metrics_fate_syn_drops(const struct herd_fate *f)
{
	return (uint64_t)f->syn_retransmits + f->overflow_drops + f->no_socket_drops;
}

const char *metrics_fate_reason(const struct herd_fate *f)
{
	if (!metrics_fate_syn_drops(f))
		return "";
	if (f->overflow_drops >= f->no_socket_drops && f->overflow_drops >= f->syn_retransmits)
		return "LISTEN_OVERFLOW";
	if (f->no_socket_drops >= f->syn_retransmits)
		return "NO_SOCKET";
	return "unanswered";
}
