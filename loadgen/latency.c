/* SPDX-License-Identifier: MIT */
/*
 * latency.c - the four latency histograms (see latency.h): each thread records
 * into its own, lock-free, and the run merges them once every thread is done.
 */
#include "latency.h"

#include "load.h"

int latency_init(struct load_latency *l)
{
	if (hist_init(&l->connect, LOAD_HIST_HIGHEST) < 0 ||
	    hist_init(&l->first_byte, LOAD_HIST_HIGHEST) < 0 ||
	    hist_init(&l->total, LOAD_HIST_HIGHEST) < 0 ||
	    hist_init(&l->total_uncorr, LOAD_HIST_HIGHEST) < 0)
		return -1;
	return 0;
}

void latency_record(struct load_latency *l, const struct load_record *r, uint64_t started_ns)
{
	if (r->connect_start_ns && r->connected_ns) /* a reused connection has no connect */
		hist_record(&l->connect, r->connected_ns - r->connect_start_ns);
	hist_record(&l->first_byte, r->first_byte_ns - r->scheduled_ns);
	hist_record(&l->total, r->last_byte_ns - r->scheduled_ns);
	hist_record(&l->total_uncorr, r->last_byte_ns - started_ns);
}

int latency_merge(struct load_latency *dst, const struct load_latency *src)
{
	if (hist_merge(&dst->connect, &src->connect) < 0 ||
	    hist_merge(&dst->first_byte, &src->first_byte) < 0 ||
	    hist_merge(&dst->total, &src->total) < 0 ||
	    hist_merge(&dst->total_uncorr, &src->total_uncorr) < 0)
		return -1;
	return 0;
}

void latency_free(struct load_latency *l)
{
	hist_free(&l->connect);
	hist_free(&l->first_byte);
	hist_free(&l->total);
	hist_free(&l->total_uncorr);
}
