/* SPDX-License-Identifier: MIT */
/*
 * causes.c - a run directory's causes, after the run (see causes.h).
 *
 * One straight line: read the four files, build the scheduling record
 * (schedlog.h), join the requests with their connections (join.h, the same
 * join every report uses), cut each joined request into its causes
 * (split.h), write the table, and summarise it: each cause's spectrum, and
 * its mean over the slowest 1% of requests against its mean over the
 * requests around the median, which is what the report's sentence compares.
 */
#include "causes/causes.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causes/schedlog.h"
#include "causes/split.h"
#include "causes/timeline.h"
#include "causes/wakeorder.h"
#include "files.h"
#include "jsonio.h"
#include "log.h"
#include "metrics/join.h"
#include "metrics/keys.h"
#include "metrics/records.h"
#include "metrics/statistics.h"
#include "path.h"

static const char *const names[CAUSES] = {
	[CAUSE_TOTAL] = "total_us",
	[CAUSE_QUEUE] = "queue_us",
	[CAUSE_CAPACITY] = "capacity_us",
	[CAUSE_WOKEN_RUNQ] = "woken_runq_us",
	[CAUSE_HERD] = "herd_us",
	[CAUSE_QUEUE_REST] = "queue_rest_us",
	[CAUSE_SERVER] = "server_us",
	[CAUSE_ONCPU] = "oncpu_us",
	[CAUSE_RUNQ] = "runq_us",
	[CAUSE_SLEEP] = "sleep_us",
	[CAUSE_LOCK] = "lock_us",
	[CAUSE_SOCKET] = "socket_us",
	[CAUSE_BLOCKED_OTHER] = "blocked_other_us",
	[CAUSE_SERVER_REST] = "server_rest_us",
	[CAUSE_INVOLUNTARY] = "involuntary",
	[CAUSE_WAKEUPS] = "wakeups",
};

const char *causes_name(enum cause c)
{
	return c < CAUSES ? names[c] : "unknown";
}

bool causes_parse_window(const char *arg, double *start_ms, double *len_ms)
{
	char *end;
	double s = strtod(arg, &end), l;

	if (end == arg || *end != ':' || !(s >= 0))
		return false;
	arg = end + 1;
	l = strtod(arg, &end);
	if (end == arg || *end || !(l > 0) || !isfinite(s + l))
		return false;
	*start_ms = s, *len_ms = l;
	return true;
}

/* What the analysis reads and makes. */
struct inputs {
	struct client_req *reqs;
	ssize_t nreqs;
	struct herd_conn *conns;
	ssize_t nconns;
	struct trace_task *tasks;
	ssize_t ntasks;
	ssize_t *match;
	struct sched_log log;
	/* one row per joined request */
	size_t *row_req;	  /* its index in reqs */
	double (*vals)[CAUSES];	  /* its causes, us (counts as they are) */
	struct req_causes *extra; /* its names and first-woken flag */
	size_t nrows;
};

static void inputs_free(struct inputs *in)
{
	free(in->reqs), free(in->conns), free(in->tasks), free(in->match);
	free(in->row_req), free(in->vals), free(in->extra);
	schedlog_free(&in->log);
}

static int read_inputs(const char *dir, struct inputs *in)
{
	char p[PATH_MAX];
	int err;

	memset(in, 0, sizeof(*in));
	if (path_join(p, sizeof(p), dir, CAUSES_SCHED_FILE) < 0 ||
	    (err = schedlog_read(&in->log, p)) < 0) {
		log_warn("cannot read %s: %s", p, strerror(errno));
		return -1;
	}
	if (path_join(p, sizeof(p), dir, "requests.csv") < 0 ||
	    (in->nreqs = csv_read_requests(p, &in->reqs, NULL)) < 0)
		in->nreqs = 0; /* herdlab trace: no client */
	if (path_join(p, sizeof(p), dir, "connections.csv") < 0 ||
	    (in->nconns = csv_read_connections(p, &in->conns, NULL)) < 0)
		in->nconns = 0;
	if (path_join(p, sizeof(p), dir, "tasks.csv") < 0 ||
	    (in->ntasks = csv_read_tasks(p, &in->tasks, NULL)) < 0)
		in->ntasks = 0;
	struct schedlog_accept *acc = calloc((size_t)in->nconns + 1, sizeof(*acc));
	size_t nacc = 0;
	if (!acc)
		return -1;
	for (ssize_t i = 0; i < in->nconns; i++)
		if (in->conns[i].accepted_ns)
			acc[nacc++] = (struct schedlog_accept){ in->conns[i].established_ns,
								in->conns[i].accept_tid };
	err = schedlog_build(&in->log, acc, nacc);
	free(acc);
	if (err < 0)
		return -1;
	for (ssize_t i = 0; i < in->ntasks; i++) {
		struct sched_task *t =
			(struct sched_task *)schedlog_task(&in->log, in->tasks[i].tid);
		if (t) {
			memcpy(t->comm, in->tasks[i].t.comm, sizeof(t->comm));
			t->comm[sizeof(t->comm) - 1] = 0;
			t->created_ns = in->tasks[i].t.created_ns;
		}
	}
	return 0;
}

static double us(uint64_t ns)
{
	return (double)ns / 1e3;
}

/* Every joined request's causes into in->vals. */
static int split_all(struct inputs *in)
{
	size_t n = (size_t)in->nreqs;

	in->match = malloc((n + 1) * sizeof(*in->match));
	in->row_req = malloc((n + 1) * sizeof(*in->row_req));
	in->vals = malloc((n + 1) * sizeof(*in->vals));
	in->extra = malloc((n + 1) * sizeof(*in->extra));
	if (!in->match || !in->row_req || !in->vals || !in->extra ||
	    join_requests(in->reqs, n, in->conns, (size_t)in->nconns, in->match) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct herd_conn *c = in->match[i] >= 0 ? &in->conns[in->match[i]] : NULL;
		struct join_parts jp;
		if (!join_parts(&in->reqs[i], c, &jp))
			continue;
		struct req_causes *rc = &in->extra[in->nrows];
		causes_split(&in->log, c->established_ns, c->accepted_ns, c->accept_tid,
			     in->reqs[i].last_byte_ns, rc);
		double *v = in->vals[in->nrows];
		v[CAUSE_TOTAL] = us(jp.total_ns);
		v[CAUSE_QUEUE] = us(rc->queue_ns);
		v[CAUSE_CAPACITY] = us(rc->capacity_ns);
		v[CAUSE_WOKEN_RUNQ] = us(rc->woken_runq_ns);
		v[CAUSE_HERD] = us(rc->herd_ns);
		v[CAUSE_QUEUE_REST] = us(rc->queue_rest_ns);
		v[CAUSE_SERVER] = us(rc->server_ns);
		v[CAUSE_ONCPU] = us(rc->oncpu_ns);
		v[CAUSE_RUNQ] = us(rc->runq_ns);
		v[CAUSE_SLEEP] = us(rc->blocked_ns[SLEEP_SLEEP]);
		v[CAUSE_LOCK] = us(rc->blocked_ns[SLEEP_LOCK]);
		v[CAUSE_SOCKET] = us(rc->blocked_ns[SLEEP_SOCKET]);
		v[CAUSE_BLOCKED_OTHER] = us(rc->blocked_ns[SLEEP_OTHER]);
		v[CAUSE_SERVER_REST] = us(rc->server_rest_ns);
		v[CAUSE_INVOLUNTARY] = rc->involuntary;
		v[CAUSE_WAKEUPS] = rc->wakeups;
		in->row_req[in->nrows++] = i;
	}
	return 0;
}

static int write_csv(const char *dir, const struct inputs *in)
{
	char p[PATH_MAX];
	struct afile f;

	if (path_join(p, sizeof(p), dir, CAUSES_CSV) < 0 || afile_open(&f, p) < 0)
		return -1;
	fprintf(f.f, "request,client_port,accept_tid");
	for (int c = 0; c < CAUSES; c++)
		fprintf(f.f, ",%s", names[c]);
	fprintf(f.f, ",first_woken_accepted,ran_instead\n");
	for (size_t k = 0; k < in->nrows; k++) {
		const struct req_causes *rc = &in->extra[k];
		fprintf(f.f, "%zu,%u,%u", in->row_req[k], in->reqs[in->row_req[k]].local_port,
			rc->accept_tid);
		for (int c = 0; c < CAUSES; c++)
			fprintf(f.f, c >= CAUSE_INVOLUNTARY ? ",%.0f" : ",%.1f", in->vals[k][c]);
		fprintf(f.f, ",%s,", rc->first_accepted < 0 ? "" : rc->first_accepted ? "1" : "0");
		for (int t = 0; t < CAUSES_TOP && rc->ran_instead[t][0]; t++)
			fprintf(f.f, "%s%s", t ? ";" : "",
				rc->ran_instead[t]); /* comms: no commas */
		fprintf(f.f, "\n");
	}
	return afile_close(&f, !ferror(f.f));
}

/* Sort context for the rows by total latency. */
static double (*sort_vals)[CAUSES];
static int by_total(const void *a, const void *b)
{
	double x = sort_vals[*(const size_t *)a][CAUSE_TOTAL];
	double y = sort_vals[*(const size_t *)b][CAUSE_TOTAL];

	return (x > y) - (x < y);
}

/* Each cause's mean over rows @order[from .. to). */
static json_t *means(const struct inputs *in, const size_t *order, size_t from, size_t to)
{
	json_t *o = json_object();

	for (int c = 0; c < CAUSES; c++) {
		double sum = 0;
		for (size_t k = from; k < to; k++)
			sum += in->vals[order[k]][c];
		json_object_set_new(o, names[c],
				    json_real(to > from ? sum / (double)(to - from) : 0));
	}
	return o;
}

static json_t *stats(const struct inputs *in)
{
	json_t *o = json_object();
	double *v = malloc((in->nrows + 1) * sizeof(*v));

	for (int c = 0; v && c < CAUSES; c++) {
		double sum = 0;
		for (size_t k = 0; k < in->nrows; k++)
			sum += v[k] = in->vals[k][c];
		statistics_sort(v, in->nrows);
		json_object_set_new(o, names[c],
				    json_pack("{s:f, s:f, s:f}", MK_HIST_MEAN,
					      in->nrows ? sum / (double)in->nrows : 0.0,
					      MK_HIST_P50, statistics_percentile(v, in->nrows, 50),
					      MK_HIST_P99,
					      statistics_percentile(v, in->nrows, 99)));
	}
	free(v);
	return o;
}

/* The names that took the requests' CPUs most, over every request. */
static json_t *ran_instead(const struct inputs *in)
{
	struct name_count tab[64], top;
	size_t ntab = 0;
	json_t *a = json_array();

	for (size_t k = 0; k < in->nrows; k++)
		for (int t = 0; t < CAUSES_TOP && in->extra[k].ran_instead[t][0]; t++)
			name_count_add(tab, &ntab, sizeof(tab) / sizeof(tab[0]),
				       in->extra[k].ran_instead[t], in->extra[k].ran_count[t]);
	for (int k = 0; k < CAUSES_TOP && name_count_take(tab, ntab, &top); k++)
		json_array_append_new(a, json_pack("{s:s, s:I}", MK_RAN_COMM, top.name,
						   MK_RAN_COUNT, (json_int_t)top.n));
	return a;
}

/* run.json's causes, as {"causes": {...}}: every key set by its full name (keys.h). */
static json_t *summary(const struct inputs *in, const struct sched_trace_stats *st)
{
	json_t *root = json_object(), *ids = json_array();
	size_t *order = malloc((in->nrows + 1) * sizeof(*order));
	size_t first = 0, woken = 0;

	if (!order)
		return root;
	for (size_t k = 0; k < in->nrows; k++) {
		order[k] = k;
		woken += in->extra[k].first_accepted >= 0;
		first += in->extra[k].first_accepted > 0;
	}
	sort_vals = in->vals;
	qsort(order, in->nrows, sizeof(*order), by_total);
	size_t n = in->nrows, slow = n ? (n + 99) / 100 : 0; /* at least one */
	size_t mlo = n * 45 / 100, mhi = n * 55 / 100 + 1;   /* around the median */
	if (mhi > n)
		mhi = n;
	for (size_t i = 0; st && i < st->nprog_ids; i++)
		json_array_append_new(ids, json_integer(st->prog_ids[i]));
	jsonio_set_path(root, MK_CAUSES_REQUESTS, json_integer((json_int_t)n));
	jsonio_set_path(root, MK_CAUSES_RECORDS, json_integer(st ? (json_int_t)st->records : 0));
	jsonio_set_path(root, MK_CAUSES_LOST_EVENTS, json_integer(st ? (json_int_t)st->lost : 0));
	jsonio_set_path(root, MK_CAUSES_CAP_BYTES,
			json_integer(st ? (json_int_t)st->cap_bytes : 0));
	jsonio_set_path(root, MK_CAUSES_PROGRAM_IDS, ids);
	jsonio_set_path(root, MK_CAUSES_FIRST_WOKEN_ACCEPTED_SHARE,
			woken ? json_real((double)first / (double)woken) : json_null());
	jsonio_set_path(root, MK_CAUSES_RAN_INSTEAD, ran_instead(in));
	jsonio_set_path(root, MK_CAUSES_STATS, stats(in));
	jsonio_set_path(root, MK_CAUSES_SLOWEST_REQUESTS, json_integer((json_int_t)slow));
	jsonio_set_path(root, MK_CAUSES_SLOWEST, means(in, order, n - slow, n));
	jsonio_set_path(root, MK_CAUSES_MEDIAN, means(in, order, mlo, mhi));
	free(order);
	return root;
}

static json_t *wake_order_json(const struct sched_log *log)
{
	struct wake_order wo[WAIT_KINDS];
	json_t *o = json_object();

	wakeorder_compute(log, wo);
	for (int k = 0; k < WAIT_KINDS; k++) {
		double a = (double)wo[k].arrivals;
		if (!wo[k].arrivals)
			continue;
		json_t *ranks = json_array();
		for (int r = 0; r < WAKE_RANKS; r++)
			json_array_append_new(ranks, json_integer((json_int_t)wo[k].ranks[r]));
		json_object_set_new(
			o, metrics_wait_name(k),
			json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:o}", MK_WO_ARRIVALS,
				  (json_int_t)wo[k].arrivals, MK_WO_FIFO_SHARE, wo[k].fifo / a,
				  MK_WO_LIFO_SHARE, wo[k].lifo / a, MK_WO_CREATED_FIRST_SHARE,
				  wo[k].created_first / a, MK_WO_CREATED_LAST_SHARE,
				  wo[k].created_last / a, MK_WO_SAME_SHARE, wo[k].same / a,
				  MK_WO_MEAN_IDLE, wo[k].idle_sum / a, MK_WO_RANKS, ranks));
	}
	return o;
}

/* The window to draw, ns: asked for, or around the slowest request. */
static void window(const struct inputs *in, const struct causes_opts *o, uint64_t t0,
		   uint64_t *from, uint64_t *to)
{
	if (o->start_ms >= 0) {
		*from = t0 + (uint64_t)(o->start_ms * 1e6);
		*to = *from + (uint64_t)(o->len_ms * 1e6);
		return;
	}
	size_t worst = SIZE_MAX;
	for (size_t k = 0; k < in->nrows; k++)
		if (worst == SIZE_MAX || in->vals[k][CAUSE_TOTAL] > in->vals[worst][CAUSE_TOTAL])
			worst = k;
	if (worst == SIZE_MAX) { /* no request: the first 20 ms of the record */
		*from = in->log.start_ns;
		*to = *from + 20 * 1000000ULL;
		return;
	}
	const struct client_req *r = &in->reqs[in->row_req[worst]];
	uint64_t len = r->last_byte_ns - r->scheduled_ns, pad = len / 4 + 1000000;
	if (len > 50 * 1000000ULL) /* a long request: its first 50 ms */
		len = 50 * 1000000ULL;
	*from = r->scheduled_ns > pad ? r->scheduled_ns - pad : 0;
	*to = r->scheduled_ns + len + pad;
}

static int draw(const char *dir, const struct inputs *in, const struct causes_opts *o, json_t *root)
{
	uint64_t t0 = in->log.start_ns, from, to;
	char svg[PATH_MAX], js[PATH_MAX];

	for (ssize_t i = 0; i < in->nreqs; i++)
		if (in->reqs[i].scheduled_ns && in->reqs[i].scheduled_ns < t0)
			t0 = in->reqs[i].scheduled_ns;
	window(in, o, t0, &from, &to);
	struct timeline_in tl = {
		.log = &in->log,
		.reqs = in->reqs,
		.nreqs = (size_t)in->nreqs,
		.match = in->match,
		.conns = in->conns,
		.nconns = (size_t)in->nconns,
		.t0 = t0,
		.from = from,
		.to = to,
	};
	jsonio_set_path(root, MK_CAUSES_TIMELINE,
			json_pack("{s:f, s:f}", MK_WINDOW_START_MS,
				  from > t0 ? (double)(from - t0) / 1e6 : 0.0, MK_WINDOW_LEN_MS,
				  (double)(to - from) / 1e6));
	if (path_join(svg, sizeof(svg), dir, "timeline.svg") < 0 ||
	    path_join(js, sizeof(js), dir, "timeline.json") < 0 || timeline_svg(svg, &tl) < 0 ||
	    timeline_json(js, &tl) < 0) {
		log_warn("the timeline could not be written into %s", dir);
		return -1;
	}
	return 0;
}

int causes_write(const char *dir, const struct causes_opts *o, json_t **causes, json_t **wake_order)
{
	struct inputs in;
	int rc = -1;

	*causes = *wake_order = NULL;
	if (read_inputs(dir, &in) < 0 || split_all(&in) < 0)
		goto out;
	if (write_csv(dir, &in) < 0) {
		log_warn("cannot write %s/%s: %m", dir, CAUSES_CSV);
		goto out;
	}
	json_t *root = summary(&in, o->stats);
	*wake_order = wake_order_json(&in.log);
	rc = o->timeline ? draw(dir, &in, o, root) : 0;
	*causes = json_incref(json_object_get(root, MK_CAUSES));
	json_decref(root);
out:
	if (rc < 0 && !*causes)
		log_warn("the causes of %s could not be computed", dir);
	inputs_free(&in);
	return rc;
}
