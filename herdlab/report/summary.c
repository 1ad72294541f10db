/* SPDX-License-Identifier: MIT */
/*
 * summary.c - the first section of a run's report (sections.h): which run it
 * was, and what the client saw.
 */
#include <stdio.h>
#include <string.h>

#include "metrics/keys.h"
#include "report/sections.h"

/* herdload's error kinds, each shown by the last part of its key ("refused"). */
static const char *const error_keys[] = {
	MK_CLIENT_ERRORS_REFUSED, MK_CLIENT_ERRORS_RESET,	MK_CLIENT_ERRORS_CONNECT_TIMEOUT,
	MK_CLIENT_ERRORS_TIMEOUT, MK_CLIENT_ERRORS_HTTP,	MK_CLIENT_ERRORS_SHORT,
	MK_CLIENT_ERRORS_ADDR,	  MK_CLIENT_ERRORS_INTERRUPTED, MK_CLIENT_ERRORS_OTHER,
};

/* The client's latencies, rows of the latency table, named likewise ("first_byte"). */
static const char *const latency_keys[] = {
	MK_CLIENT_LATENCY_US_CONNECT,
	MK_CLIENT_LATENCY_US_FIRST_BYTE,
	MK_CLIENT_LATENCY_US_TOTAL,
};

/* ... and its columns. */
static const char *const latency_fields[] = { MK_HIST_P50,  MK_HIST_P90, MK_HIST_P99,
					      MK_HIST_P999, MK_HIST_MAX, MK_HIST_MEAN };

static const struct report_row summary_rows[] = {
	{ "requests ok", MK_CLIENT_REQUESTS_OK, 0 },
	{ "requests failed", MK_CLIENT_REQUESTS_FAILED, 0 },
	{ "requests/s", MK_CLIENT_THROUGHPUT_REQUESTS_PER_S, 1 },
	{ "connections/s", MK_CLIENT_THROUGHPUT_CONNECTIONS_PER_S, 1 },
};

static const struct report_row summary_rows_after[] = {
	{ "clients served per minute", MK_CLIENT_THROUGHPUT_CLIENTS_PER_MIN, 0 },
	{ "CPUs", MK_CPUS, 0 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The last part of a dotted key: what a row calls it. */
static const char *last_part(const char *key)
{
	const char *dot = strrchr(key, '.');

	return dot ? dot + 1 : key;
}

/* The options at @key as a command line, or "defaults". */
static void options_text(const struct rundir *rd, const char *key, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	report_options_append(rd, key, buf, len, &used);
	if (!used)
		snprintf(buf, len, "defaults");
}

static void errors_para(struct doc *d, const struct rundir *rd)
{
	char list[512] = "";
	size_t used = 0;

	for (size_t i = 0; i < N(error_keys); i++) {
		double v = rundir_num(rd, error_keys[i]);
		if (v > 0 && used < sizeof(list))
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s %.0f",
						 used ? ", " : "", last_part(error_keys[i]), v);
	}
	doc_para(d, "Errors: %s.", used ? list : "none");
}

static void latency_table(struct doc *d, const struct rundir *rd)
{
	char b[64];

	doc_table(d, "lrrrrrr", "latency", "p50", "p90", "p99", "p99.9", "max", "mean");
	for (size_t i = 0; i < N(latency_keys); i++) {
		doc_cell(d, false, "%s", last_part(latency_keys[i]));
		for (size_t c = 0; c < N(latency_fields); c++)
			doc_cell(d, false, "%s",
				 report_fmt_us(b, sizeof(b),
					       report_num(rd, latency_keys[i], latency_fields[c])));
	}
	doc_table_end(d);
}

void section_summary(struct doc *d, const struct rundir *rd)
{
	char srv[512], load[512], b[64], cpus[32];

	options_text(rd, MK_OPTIONS_SERVER, srv, sizeof(srv));
	options_text(rd, MK_OPTIONS_LOAD, load, sizeof(load));
	doc_para(d,
		 "Model %s (server: %s; load: %s). Kernel %s (preempt %s, HZ %s), %s CPUs; "
		 "started %s; herdlab %s; %s.",
		 rundir_str(rd, MK_MODEL, "?"), srv, load, rundir_str(rd, MK_KERNEL_RELEASE, "?"),
		 rundir_str(rd, MK_KERNEL_PREEMPT, "?"),
		 report_fmt_num(b, sizeof(b), rundir_num(rd, MK_KERNEL_HZ), 0),
		 report_fmt_num(cpus, sizeof(cpus), rundir_num(rd, MK_CPUS), 0),
		 rundir_str(rd, MK_START_TIME, "?"), rundir_str(rd, MK_HERDLAB_VERSION, "?"),
		 rundir_traced(rd) ? "traced" : "not traced (--no-trace)");
	doc_heading(d, "Summary");
	doc_table(d, "lr", "metric", "value");
	report_rows(d, rd, summary_rows, N(summary_rows));
	report_row(d, "MB/s received",
		   report_fmt_num(b, sizeof(b),
				  rundir_num(rd, MK_CLIENT_THROUGHPUT_BYTES_PER_S) / 1e6, 2));
	report_rows(d, rd, summary_rows_after, N(summary_rows_after));
	doc_table_end(d);
	errors_para(d, rd);
	latency_table(d, rd);
}
