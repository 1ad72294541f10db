/* SPDX-License-Identifier: MIT */
/*
 * waitcost.c - the cost of waiting, summed and said (waitcost.h).
 *
 * The kernel side keeps sums per task and kind (bpf/waits.bpf.c); every mean
 * here is a ratio of sums, never a mean of means, so that a task with ten calls
 * weighs ten times one with a single call, and the total is the same whether
 * computed from the kernel's rows or from waits.csv. Descriptors per call count
 * only the calls whose descriptors are known (all of them but epoll's on a
 * kernel without the eventpoll refcount), and the CPU per descriptor is the CPU
 * per call over the descriptors per call: TLPI's table (seconds per call for N
 * watched descriptors) turned into one number per kind, which for select and
 * poll stays about constant as N grows, and for epoll falls.
 */
#include "metrics/waitcost.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "metrics/keys.h"
#include "metrics/metrics.h"
#include "metrics/records.h"

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

static void add(struct wait_sum *to, const struct waits_stat *s)
{
	to->calls += s->calls;
	to->nfds += s->nfds;
	to->maxevents += s->maxevents;
	to->ready += s->ready;
	to->empty += s->empty;
	to->errors += s->errors;
	to->unknown_nfds += s->unknown_nfds;
	to->cpu_ns += s->cpu_ns;
	to->elapsed_ns += s->elapsed_ns;
}

static void means(struct wait_sum *w)
{
	w->nfds_per_call = ratio((double)w->nfds, (double)(w->calls - w->unknown_nfds));
	w->maxevents_per_call = ratio((double)w->maxevents, (double)w->calls);
	w->ready_per_call = ratio((double)w->ready, (double)w->calls);
	w->cpu_ns_per_call = ratio((double)w->cpu_ns, (double)w->calls);
	w->cpu_ns_per_fd = ratio(w->cpu_ns_per_call, w->nfds_per_call);
	w->elapsed_ns_per_call = ratio((double)w->elapsed_ns, (double)w->calls);
}

static int by_tid(const void *a, const void *b)
{
	uint32_t x = ((const struct waits_row *)a)->tid, y = ((const struct waits_row *)b)->tid;

	return (x > y) - (x < y);
}

int waitcost_sum(const struct waits_row *rows, size_t n, struct wait_summary *out)
{
	struct waits_row *sorted = malloc((n ? n : 1) * sizeof(*sorted));

	memset(out, 0, sizeof(*out));
	if (!sorted)
		return -ENOMEM;
	if (n)
		memcpy(sorted, rows, n * sizeof(*rows));
	qsort(sorted, n, sizeof(*sorted), by_tid); /* a task's rows together: counted once */
	for (size_t i = 0; i < n; i++) {
		const struct waits_row *r = &sorted[i];
		if (r->kind >= WAITS_KINDS || !r->s.calls)
			continue;
		add(&out->kind[r->kind], &r->s);
		add(&out->total, &r->s);
		out->kind[r->kind].tasks++; /* one row per (task, kind) */
		bool first = true;
		for (size_t j = i; j-- > 0 && sorted[j].tid == r->tid;)
			first &= !(sorted[j].kind < WAITS_KINDS && sorted[j].s.calls);
		out->total.tasks += first;
	}
	free(sorted);
	for (int k = 0; k < WAITS_KINDS; k++)
		means(&out->kind[k]);
	means(&out->total);
	return 0;
}

/* ---- run.json -------------------------------------------------------------------- */

/* One kind's object (or the total's), with its histogram when @h is given. */
static json_t *sum_json(const struct wait_sum *w, const struct herd_histogram *h)
{
	json_t *o = json_pack("{s:I, s:I, s:f, s:f, s:f, s:I, s:I, s:I, s:I, s:f, s:f, s:I, s:f}",
			      MK_WK_TASKS, (json_int_t)w->tasks, MK_WK_CALLS, (json_int_t)w->calls,
			      MK_WK_NFDS_PER_CALL, w->nfds_per_call, MK_WK_MAXEVENTS_PER_CALL,
			      w->maxevents_per_call, MK_WK_READY_PER_CALL, w->ready_per_call,
			      MK_WK_EMPTY_CALLS, (json_int_t)w->empty, MK_WK_ERRORS,
			      (json_int_t)w->errors, MK_WK_UNKNOWN_NFDS,
			      (json_int_t)w->unknown_nfds, MK_WK_CPU_NS, (json_int_t)w->cpu_ns,
			      MK_WK_CPU_NS_PER_CALL, w->cpu_ns_per_call, MK_WK_CPU_NS_PER_FD,
			      w->cpu_ns_per_fd, MK_WK_ELAPSED_NS, (json_int_t)w->elapsed_ns,
			      MK_WK_ELAPSED_NS_PER_CALL, w->elapsed_ns_per_call);
	struct hist hh;

	if (!o || !h || !w->calls)
		return o;
	if (metrics_kernel_hist(h, &hh) < 0) {
		json_decref(o);
		return NULL;
	}
	json_t *hj = jsonio_hist(&hh, 1.0);
	hist_free(&hh);
	if (!hj || json_object_set_new(hj, MK_HIST_UNIT, json_string("ns")) ||
	    json_object_set_new(o, MK_WK_CPU_NS_HIST, hj)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int waitcost_json(json_t *trace, const struct wait_summary *s, const struct waits_result *r)
{
	static const char *const keys[WAITS_KINDS] = { MK_WAIT_SELECT, MK_WAIT_POLL,
						       MK_WAIT_EPOLL };
	int err = 0;

	for (int k = 0; k < WAITS_KINDS; k++)
		err |= jsonio_set_path(trace, keys[k],
				       sum_json(&s->kind[k], r ? &r->hist[k] : NULL));
	err |= jsonio_set_path(trace, MK_WAIT_TOTAL, sum_json(&s->total, NULL));
	if (!r)
		return err ? -1 : 0;
	err |= jsonio_set_path(trace, MK_WAIT_EPOLL_INTEREST,
			       json_string(r->epoll_interest ? MV_WAIT_INTEREST_REFCOUNT
							     : MV_WAIT_INTEREST_UNKNOWN));
	err |= jsonio_set_path(trace, MK_WAIT_IN_FLIGHT,
			       json_string(r->task_storage ? MV_TRACER_RECORDS_TASK_STORAGE
							   : MV_TRACER_RECORDS_HASH));
	err |= jsonio_set_path(trace, MK_WAIT_MAP_FULL, json_integer((json_int_t)r->map_full));
	err |= jsonio_set_path(trace, MK_WAIT_PROGRAM_IDS,
			       metrics_json_ids(r->prog_ids, r->nprog_ids));
	return err ? -1 : 0;
}

/* ---- words ----------------------------------------------------------------------- */

/* @ns as "812 ns", "4.1 us" or "2.30 ms", into @buf. */
static const char *duration(char *buf, size_t len, double ns)
{
	if (ns < 100)
		snprintf(buf, len, "%.1f ns", ns);
	else if (ns < 1e3)
		snprintf(buf, len, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	return buf;
}

char *waitcost_sentence(char *buf, size_t len, const char *name, uint64_t calls,
			double cpu_ns_per_call, double nfds_per_call, double cpu_ns_per_fd)
{
	char cpu[32], fd[32];

	if (!calls)
		snprintf(buf, len, "No %s call was made.", name);
	else if (!(nfds_per_call > 0))
		snprintf(buf, len, "%s spent %s of CPU per call (descriptors unknown).", name,
			 duration(cpu, sizeof(cpu), cpu_ns_per_call));
	else
		snprintf(buf, len,
			 "%s spent %s of CPU per call over %.0f descriptor%s: %s per "
			 "descriptor.",
			 name, duration(cpu, sizeof(cpu), cpu_ns_per_call), nfds_per_call,
			 nfds_per_call >= 1.5 ? "s" : "", duration(fd, sizeof(fd), cpu_ns_per_fd));
	return buf;
}

void waitcost_print(FILE *f, const struct wait_summary *s)
{
	char line[256];

	fprintf(f, "\nwaiting calls (--waits)   %10s %10s %10s %12s %12s %12s\n", "calls",
		"nfds/call", "ready/call", "cpu ns/call", "cpu ns/fd", "elapsed us");
	for (int k = 0; k <= WAITS_KINDS; k++) {
		const struct wait_sum *w = k < WAITS_KINDS ? &s->kind[k] : &s->total;
		fprintf(f, "  %-23s %10llu %10.1f %10.2f %12.0f %12.2f %12.1f\n",
			k < WAITS_KINDS ? waits_kind_name((unsigned)k) : "total",
			(unsigned long long)w->calls, w->nfds_per_call, w->ready_per_call,
			w->cpu_ns_per_call, w->cpu_ns_per_fd, w->elapsed_ns_per_call / 1e3);
	}
	for (int k = 0; k < WAITS_KINDS; k++) {
		const struct wait_sum *w = &s->kind[k];
		if (w->calls)
			fprintf(f, "  %s\n",
				waitcost_sentence(line, sizeof(line), waits_kind_name((unsigned)k),
						  w->calls, w->cpu_ns_per_call, w->nfds_per_call,
						  w->cpu_ns_per_fd));
	}
}
