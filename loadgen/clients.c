/* SPDX-License-Identifier: MIT */
/*
 * clients.c - --clients-csv (see clients.h): the request records grouped by client.
 *
 * In a closed loop a client is one of --clients, sending its requests one after the
 * other; in an open loop it is one of the --clients slots that bound the requests in
 * flight, each taking the next due arrival when free. Either way every measured request
 * has its client in its record, so the rows are a group-by over the records: sort
 * (client, response time) pairs, then one pass. Response times are of successful
 * requests, from when each was due to its last byte (the summary's "total"), exact
 * percentiles by nearest rank; a client with none has them empty. Columns after
 * total_max_us are the failures by kind (errors.h's names), so that every column sums
 * to the summary's figure of the same name.
 */
#include "clients.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "report.h"

/* One request, for the group-by. */
struct cl_item {
	uint32_t client; /* its client */
	uint32_t index;	 /* in the result's records */
	uint64_t total;	 /* due to last byte, ns; UINT64_MAX for a failed one (sorts last) */
};

static int by_client(const void *a, const void *b)
{
	const struct cl_item *x = a, *y = b;

	if (x->client != y->client)
		return x->client < y->client ? -1 : 1;
	return x->total < y->total ? -1 : x->total > y->total;
}

/* What fill() writes from. */
struct cl_job {
	const struct load_opts *o;   /* --clients, --threads */
	const struct load_result *r; /* the records */
	struct cl_item *items;	     /* sorted by client, then response time */
};

/* The nearest-rank percentile @p of the @n sorted totals at @v, in microseconds. */
static double pct_us(const struct cl_item *v, size_t n, double p)
{
	size_t rank = (size_t)ceil(p / 100 * (double)n);

	return (double)v[rank ? rank - 1 : 0].total / 1e3;
}

/* One client's row from its @n items at @v (sorted, the ok ones first). */
static void put_client(FILE *f, const struct cl_job *job, uint32_t client, const struct cl_item *v,
		       size_t n)
{
	uint64_t sent = 0, received = 0, errors[ERR_KINDS] = { 0 };
	size_t ok = 0;

	for (size_t i = 0; i < n; i++) {
		const struct load_record *x = &job->r->records[v[i].index];
		sent += x->bytes_sent;
		received += x->bytes_received;
		errors[x->error]++;
		ok += x->error == ERR_NONE;
	}
	fprintf(f, "%" PRIu32 ",%" PRIu32 ",%zu,%zu,%zu,%" PRIu64 ",%" PRIu64, client,
		client % job->o->threads, n, ok, n - ok, sent, received);
	if (ok)
		fprintf(f, ",%.1f,%.1f,%.1f", pct_us(v, ok, 50), pct_us(v, ok, 99),
			(double)v[ok - 1].total / 1e3);
	else
		fputs(",,,", f);
	for (int k = ERR_NONE + 1; k < ERR_KINDS; k++)
		fprintf(f, ",%" PRIu64, errors[k]);
	fputc('\n', f);
}

static int fill(FILE *f, const void *arg)
{
	const struct cl_job *job = arg;
	size_t n = job->r->nrecords, at = 0;

	fputs(CLIENTS_CSV_HEADER, f);
	for (int k = ERR_NONE + 1; k < ERR_KINDS; k++)
		fprintf(f, ",%s", err_name((enum err_kind)k));
	fputc('\n', f);
	for (uint32_t c = 0; c < job->o->clients; c++) {
		size_t from = at;
		while (at < n && job->items[at].client == c)
			at++;
		put_client(f, job, c, job->items + from, at - from);
	}
	return ferror(f) ? -1 : 0;
}

int clients_write_csv(const char *path, const struct load_opts *o, const struct load_result *r)
{
	struct cl_job job = { o, r, malloc((r->nrecords ? r->nrecords : 1) * sizeof(*job.items)) };
	int rc;

	if (!job.items) {
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < r->nrecords; i++) {
		const struct load_record *x = &r->records[i];
		job.items[i] = (struct cl_item){
			.client = x->client,
			.index = (uint32_t)i,
			.total = x->error == ERR_NONE ? x->last_byte_ns - x->scheduled_ns
						      : UINT64_MAX,
		};
	}
	qsort(job.items, r->nrecords, sizeof(*job.items), by_client);
	rc = report_write_file(path, fill, &job);
	free(job.items);
	return rc;
}
