/* SPDX-License-Identifier: MIT */
/*
 * report.c - the summary, the JSON and the CSV of a run (see report.h).
 *
 * Definitions, shared by the summary and the JSON so that they can never disagree:
 *	elapsed			from the end of the warmup to the end of the last request
 *	requests_per_s		successful requests / elapsed
 *	connections_per_s	connections established (for measured requests) / elapsed
 *	bytes_per_s		response bytes received / elapsed
 *	clients_per_min		successful requests * 60 / elapsed
 *	achieved_rate		requests that ran (ok + failed) / elapsed, beside --rate
 * Latencies are of successful requests, in microseconds: connect (connect() to
 * established, new connections only), first byte and total from when the request was
 * due (its scheduled start: coordinated omission corrected), and in an open loop total
 * also from when it actually started (uncorrected). In a closed loop a request is due
 * when it starts, so the two are the same and only "total" is reported.
 *
 * The files go through lib/files' afile: a regular file (or a new name) is written
 * beside its name and renamed over it once complete, so a reader never sees half of
 * one; a device or a FIFO (--json /dev/stdout, --csv /dev/null) is written straight
 * into and never replaced; a directory is refused. herdload.c checks both paths with
 * files_check_writable() before the load, so that a bad one fails at once.
 */
#include "report.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "files.h"
#include "jsonio.h"
#include "phases.h"

/* The throughput figures (see above). */
struct rates {
	double elapsed_s;	  /* measured time */
	double requests_per_s;	  /* ok requests per second */
	double connections_per_s; /* connections per second */
	double bytes_per_s;	  /* response bytes per second */
	double clients_per_min;	  /* ok requests per minute */
	double achieved_rate;	  /* requests that ran per second */
};

/* Measured seconds: from the end of the warmup to the end of the last request. */
static double elapsed_s(const struct load_result *r)
{
	return r->end_ns > r->measure_ns ? (double)(r->end_ns - r->measure_ns) / 1e9 : 0;
}

static struct rates rates_of(const struct load_result *r)
{
	struct rates x = { .elapsed_s = elapsed_s(r) };

	if (x.elapsed_s > 0) {
		x.requests_per_s = (double)r->c.ok / x.elapsed_s;
		x.connections_per_s = (double)r->c.connections / x.elapsed_s;
		x.bytes_per_s = (double)r->c.bytes_received / x.elapsed_s;
		x.clients_per_min = (double)r->c.ok * 60.0 / x.elapsed_s;
		x.achieved_rate = (double)(r->c.ok + r->c.failed) / x.elapsed_s;
	}
	return x;
}

/* The latency rows: name in the summary, JSON key, histogram. */
struct lat_row {
	const char *label;    /* in the summary */
	const char *key;      /* in latency_us */
	const struct hist *h; /* the values, ns */
};

static unsigned lat_rows(const struct load_opts *o, const struct load_result *r,
			 struct lat_row rows[4])
{
	unsigned n = 0;

	rows[n++] = (struct lat_row){ "connect", "connect", &r->lat.connect };
	rows[n++] = (struct lat_row){ "first byte", "first_byte", &r->lat.first_byte };
	rows[n++] = (struct lat_row){ "total", "total", &r->lat.total };
	if (o->mode == LOAD_OPEN)
		rows[n++] = (struct lat_row){ "total (uncorr.)", "total_uncorrected",
					      &r->lat.total_uncorr };
	return n;
}

/* The percentiles of the summary and of latency_us: key, percentile. */
static const struct {
	const char *key;   /* JSON key */
	const char *label; /* summary column */
	double p;	   /* percentile */
} pcts[] = {
	{ "p50", "p50", 50 },	   { "p90", "p90", 90 },	 { "p99", "p99", 99 },
	{ "p999", "p99.9", 99.9 }, { "p9999", "p99.99", 99.99 },
};

#define NPCTS (sizeof(pcts) / sizeof(pcts[0]))

/* ---- the summary ------------------------------------------------------------------------ */

static void describe_load(FILE *f, const struct load_opts *o)
{
	const struct load_workload *w = &o->work;
	unsigned npaths = o->phases ? o->phases->base_paths : w->npaths; /* not the phases' */

	fprintf(f, "herdload: %s ", w->post ? "POST" : "GET");
	if (npaths == 1)
		fputs(w->paths[0].path, f);
	for (unsigned i = 0; npaths > 1 && i < npaths; i++)
		fprintf(f, "%s%s:%u", i ? ", " : "a mix of ", w->paths[i].path, w->paths[i].weight);
	if (w->post)
		fprintf(f, " with %u..%u byte bodies", w->body_min, w->body_max);
	fprintf(f, " on %s\n", o->url);
	if (o->mode == LOAD_OPEN)
		fprintf(f, "  open loop at %.1f requests/s (%s), at most %u in flight", o->rate,
			o->poisson ? "Poisson" : "constant", o->clients);
	else if (o->phases)
		fprintf(f, "  closed loop in %u phases of up to %u clients", o->phases->n,
			o->clients);
	else
		fprintf(f, "  closed loop, %u clients", o->clients);
	if (o->ramp_ns)
		fprintf(f,
			o->mode == LOAD_OPEN ? " (the rate ramped up over %.1f s)"
					     : " (started over %.1f s)",
			(double)o->ramp_ns / 1e9);
	fprintf(f, ", %u thread%s, ", o->threads, o->threads == 1 ? "" : "s");
	if (o->keepalive > 1)
		fprintf(f, "%u requests per connection (hold %.1f ms)\n", o->keepalive,
			(double)o->hold_ns / 1e6);
	else
		fprintf(f, "a new connection per request\n");
}

/* Failures by kind, "refused 3, timeout 1", or "none". */
static void print_errors(FILE *f, const char *label, const uint64_t errors[ERR_KINDS])
{
	bool any = false;

	fprintf(f, "  %-12s", label);
	for (int k = ERR_NONE + 1; k < ERR_KINDS; k++) {
		if (!errors[k])
			continue;
		fprintf(f, "%s%s %" PRIu64, any ? ", " : "", err_name((enum err_kind)k), errors[k]);
		any = true;
	}
	fprintf(f, "%s\n", any ? "" : "none");
}

/* --slow: what became of the slowloris connections, apart from the requests. */
static void print_slow(FILE *f, const struct load_opts *o, const struct load_result *r)
{
	const struct load_slow_counts *s = &r->slow;

	fprintf(f,
		"  slow        %u connections, a byte every %.0f ms: %" PRIu64 " opened, %" PRIu64
		" connected, %" PRIu64 " completed, %" PRIu64 " failed, %" PRIu64
		" held at the end\n",
		o->slow, (double)o->slow_interval_ns / 1e6, s->opened, s->connected, s->completed,
		s->failed, s->held);
	if (s->failed)
		print_errors(f, "slow errors", s->errors);
}

/* --idle: what became of the silent connections, apart from the requests. */
static void print_idle(FILE *f, const struct load_opts *o, const struct load_result *r)
{
	const struct load_idle_counts *s = &r->idle;

	fprintf(f,
		"  idle        %u connections held silent: %" PRIu64 " opened, %" PRIu64
		" connected, %" PRIu64 " held at the end, %" PRIu64 " failed",
		o->idle, s->opened, s->connected, s->held, s->failed);
	if (s->pending)
		fprintf(f, ", %" PRIu64 " still connecting", s->pending);
	fputc('\n', f);
	if (s->failed)
		print_errors(f, "idle errors", s->errors);
}

static void print_latency(FILE *f, const struct load_opts *o, const struct load_result *r)
{
	struct lat_row rows[4];
	unsigned n = lat_rows(o, r, rows);

	fprintf(f, "  latency (us)     %10s", "min");
	for (size_t i = 0; i < NPCTS; i++)
		fprintf(f, " %10s", pcts[i].label);
	fprintf(f, " %10s %10s %10s\n", "max", "mean", "stddev");
	for (unsigned i = 0; i < n; i++) {
		const struct hist *h = rows[i].h;
		fprintf(f, "  %-15s", rows[i].label);
		if (!h->total) {
			fprintf(f, "  (none)\n");
			continue;
		}
		fprintf(f, " %10.1f", (double)h->min / 1e3);
		for (size_t p = 0; p < NPCTS; p++)
			fprintf(f, " %10.1f", (double)hist_percentile(h, pcts[p].p) / 1e3);
		fprintf(f, " %10.1f %10.1f %10.1f\n", (double)h->max / 1e3, hist_mean(h) / 1e3,
			hist_stddev(h) / 1e3);
	}
}

void report_summary(FILE *f, const struct load_opts *o, const struct load_result *r)
{
	struct rates x = rates_of(r);

	describe_load(f, o);
	fprintf(f, "  requests    %" PRIu64 " ok, %" PRIu64 " failed in %.3f s", r->c.ok,
		r->c.failed, x.elapsed_s);
	if (r->c.unsent)
		fprintf(f, "; %" PRIu64 " never sent (the run ended first)", r->c.unsent);
	if (r->c.retries)
		fprintf(f, "; %" PRIu64 " retried on a new connection", r->c.retries);
	if (r->c.fd_waits)
		fprintf(f, "; %" PRIu64 " waited for a descriptor", r->c.fd_waits);
	if (r->c.warmup)
		fprintf(f, " (+%" PRIu64 " in the warmup)", r->c.warmup);
	fprintf(f, "\n");
	print_errors(f, "errors", r->c.errors);
	if (o->slow)
		print_slow(f, o, r);
	if (o->idle)
		print_idle(f, o, r);
	fprintf(f,
		"  throughput  %.1f requests/s, %.1f connections/s, %.2f MB/s, %.0f clients/min\n",
		x.requests_per_s, x.connections_per_s, x.bytes_per_s / 1e6, x.clients_per_min);
	if (o->mode == LOAD_OPEN)
		fprintf(f, "  rate        requested %.1f/s, achieved %.1f/s\n", o->rate,
			x.achieved_rate);
	print_latency(f, o, r);
	phases_print(f, o->phases, r);
	if (r->deadline)
		fprintf(f, "  the global deadline ended the run: requests in flight then count as "
			   "timeouts\n");
	if (r->interrupted)
		fprintf(f, "  interrupted: requests in flight then count as \"interrupted\"\n");
}

/* ---- JSON -------------------------------------------------------------------------------- */

static json_t *us(uint64_t ns)
{
	return json_real((double)ns / 1e3);
}

static json_t *latency_json(const struct hist *h)
{
	json_t *l = json_object();
	int err = 0;

	if (!l)
		return NULL;
	err |= json_object_set_new(l, "count", json_integer((json_int_t)h->total));
	err |= json_object_set_new(l, "min", us(h->total ? h->min : 0));
	for (size_t i = 0; i < NPCTS; i++)
		err |= json_object_set_new(l, pcts[i].key, us(hist_percentile(h, pcts[i].p)));
	err |= json_object_set_new(l, "max", us(h->max));
	err |= json_object_set_new(l, "mean", json_real(hist_mean(h) / 1e3));
	err |= json_object_set_new(l, "stddev", json_real(hist_stddev(h) / 1e3));
	err |= json_object_set_new(l, "histogram", jsonio_hist(h, 1e3));
	if (err) {
		json_decref(l);
		return NULL;
	}
	return l;
}

static json_t *paths_json(const struct load_workload *w)
{
	json_t *a = json_array();

	for (unsigned i = 0; a && i < w->npaths; i++)
		if (json_array_append_new(a, json_pack("{s:s, s:i, s:I}", "path", w->paths[i].path,
						       "weight", (int)w->paths[i].weight, "size",
						       (json_int_t)w->paths[i].size)) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *config_json(const struct load_opts *o, const struct rates *x)
{
	bool open = o->mode == LOAD_OPEN;
	json_t *rate = open ? json_real(o->rate) : json_null();

	return json_pack(
		"{s:s, s:s, s:i, s:i, s:o, s:O, s:f, s:b, s:I, s:f, s:f, s:i, s:f, s:f, s:f, "
		"s:f, s:o, s:s, s:i, s:i, s:i, s:I, s:b, s:f, s:i}",
		"url", o->url, "mode", open ? "open" : "closed", "clients", (int)o->clients,
		"threads", (int)o->threads, "rate", rate, "requested_rate", rate, "achieved_rate",
		x->achieved_rate, "poisson", o->poisson, "requests", (json_int_t)o->requests,
		"duration_s", (double)o->duration_ns / 1e9, "warmup_s", (double)o->warmup_ns / 1e9,
		"keepalive", (int)o->keepalive, "hold_ms", (double)o->hold_ns / 1e6, "timeout_s",
		(double)o->timeout_ns / 1e9, "connect_timeout_s",
		(double)o->connect_timeout_ns / 1e9, "max_time_s", (double)o->max_time_ns / 1e9,
		"paths", paths_json(&o->work), "method", o->work.post ? "POST" : "GET", "body_min",
		(int)o->work.body_min, "body_max", (int)o->work.body_max, "sources",
		(int)o->sources.count, "seed", (json_int_t)o->seed, "verify", o->verify, "ramp_s",
		(double)o->ramp_ns / 1e9, "idle", (int)o->idle);
}

static json_t *errors_json(const uint64_t errors[ERR_KINDS])
{
	json_t *e = json_object();

	for (int k = ERR_NONE + 1; e && k < ERR_KINDS; k++)
		if (json_object_set_new(e, err_name((enum err_kind)k),
					json_integer((json_int_t)errors[k])) < 0) {
			json_decref(e);
			return NULL;
		}
	return e;
}

/* --slow's counts (all 0 without it, so that the document has one shape). */
static json_t *slow_json(const struct load_opts *o, const struct load_result *r)
{
	const struct load_slow_counts *s = &r->slow;

	return json_pack("{s:i, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "connections",
			 (int)o->slow, "interval_ms", (double)o->slow_interval_ns / 1e6, "opened",
			 (json_int_t)s->opened, "connected", (json_int_t)s->connected, "completed",
			 (json_int_t)s->completed, "failed", (json_int_t)s->failed, "held",
			 (json_int_t)s->held, "bytes_sent", (json_int_t)s->bytes_sent, "errors",
			 errors_json(s->errors));
}

/* --idle's counts (all 0 without it, so that the document has one shape). */
static json_t *idle_json(const struct load_opts *o, const struct load_result *r)
{
	const struct load_idle_counts *s = &r->idle;

	return json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "connections", (int)o->idle,
			 "opened", (json_int_t)s->opened, "connected", (json_int_t)s->connected,
			 "held", (json_int_t)s->held, "failed", (json_int_t)s->failed, "pending",
			 (json_int_t)s->pending, "bytes_received", (json_int_t)s->bytes_received,
			 "errors", errors_json(s->errors));
}

static json_t *latencies_json(const struct load_opts *o, const struct load_result *r)
{
	struct lat_row rows[4];
	unsigned n = lat_rows(o, r, rows);
	json_t *l = json_object();

	for (unsigned i = 0; l && i < n; i++)
		if (json_object_set_new(l, rows[i].key, latency_json(rows[i].h)) < 0) {
			json_decref(l);
			return NULL;
		}
	return l;
}

json_t *report_json(const struct load_opts *o, const struct load_result *r)
{
	struct rates x = rates_of(r);
	const struct load_counts *c = &r->c;
	json_t *root = json_pack(
		"{s:o, s:f, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:o, "
		"s:{s:f, s:f, s:f, s:f}, s:{s:I, s:I}, s:I, s:o, s:b, s:b, s:o, s:o}",
		"config", config_json(o, &x), "elapsed_s", x.elapsed_s, "requests", "ok",
		(json_int_t)c->ok, "failed", (json_int_t)c->failed, "total",
		(json_int_t)(c->ok + c->failed), "unsent", (json_int_t)c->unsent, "retries",
		(json_int_t)c->retries, "fd_waits", (json_int_t)c->fd_waits, "warmup",
		(json_int_t)c->warmup, "errors", errors_json(c->errors), "throughput",
		"requests_per_s", x.requests_per_s, "connections_per_s", x.connections_per_s,
		"bytes_per_s", x.bytes_per_s, "clients_per_min", x.clients_per_min, "bytes", "sent",
		(json_int_t)c->bytes_sent, "received", (json_int_t)c->bytes_received, "connections",
		(json_int_t)c->connections, "latency_us", latencies_json(o, r), "interrupted",
		r->interrupted, "deadline_hit", r->deadline, "slow", slow_json(o, r), "idle",
		idle_json(o, r));

	/* --phases: each phase's numbers ([] without it, so the document has one shape). */
	if (root && json_object_set_new(root, "phases", phases_json(o->phases, r)) < 0) {
		json_decref(root);
		return NULL;
	}
	return root;
}

int report_write_file(const char *path, int (*fill)(FILE *f, const void *arg), const void *arg)
{
	struct afile a;
	int ok;

	if (afile_open(&a, path) < 0)
		return -1;
	errno = 0;
	ok = fill(a.f, arg) == 0 && fflush(a.f) == 0;
	if (!ok && !errno)
		errno = EIO;
	return afile_close(&a, ok);
}

/* The JSON laid out as lib/jsonio lays out every other document of herdlab's. */
static int fill_json(FILE *f, const void *root)
{
	if (json_dumpf(root, f, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(15)) < 0)
		return -1;
	return fputc('\n', f) == EOF ? -1 : 0;
}

int report_write_json(const char *path, const struct load_opts *o, const struct load_result *r)
{
	json_t *root = report_json(o, r);
	int rc;

	if (!root) {
		errno = ENOMEM;
		return -1;
	}
	rc = report_write_file(path, fill_json, root);
	json_decref(root);
	return rc;
}

/* ---- CSV --------------------------------------------------------------------------------- */

/* What fill_csv() writes from. */
struct csv_job {
	const struct load_opts *o;   /* for the path names */
	const struct load_result *r; /* the records */
	const char **quoted;	     /* each path as a CSV field */
};

static void put_row(FILE *f, const struct load_record *x, const char *path)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(x->local_v6 ? AF_INET6 : AF_INET, x->local_addr, addr, sizeof(addr));
	fprintf(f,
		"%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%s,%u,%" PRIu64
		",%" PRIu64 ",%u,%s,%s,%u,%u,%u\n",
		x->scheduled_ns, x->connect_start_ns, x->connected_ns, x->first_byte_ns,
		x->last_byte_ns, addr, x->local_port, x->bytes_sent, x->bytes_received, x->status,
		err_name((enum err_kind)x->error), path, x->conn_seq, x->req_in_conn, x->thread);
}

static int fill_csv(FILE *f, const void *arg)
{
	const struct csv_job *job = arg;

	fputs(REPORT_CSV_HEADER "\n", f);
	for (size_t i = 0; i < job->r->nrecords; i++)
		put_row(f, &job->r->records[i], job->quoted[job->r->records[i].path]);
	return ferror(f) ? -1 : 0;
}

/* A path as a CSV field: quoted (RFC 4180) only when it holds a comma or a quote. */
static char *csv_field(const char *s)
{
	size_t n = strlen(s), q = 0;
	char *out, *p;

	if (!strpbrk(s, ",\""))
		return strdup(s);
	for (const char *c = s; *c; c++)
		q += *c == '"';
	out = p = malloc(n + q + 3);
	if (!out)
		return NULL;
	*p++ = '"';
	for (const char *c = s; *c; c++) {
		if (*c == '"')
			*p++ = '"';
		*p++ = *c;
	}
	*p++ = '"';
	*p = '\0';
	return out;
}

int report_write_csv(const char *path, const struct load_opts *o, const struct load_result *r)
{
	const char *quoted[LOAD_MAX_PATHS] = { 0 };
	struct csv_job job = { o, r, quoted };
	unsigned n = o->work.npaths;
	int rc = -1;

	for (unsigned i = 0; i < n; i++)
		if (!(quoted[i] = csv_field(o->work.paths[i].path)))
			goto out;
	rc = report_write_file(path, fill_csv, &job);
out:
	for (unsigned i = 0; i < n; i++)
		free((char *)quoted[i]);
	return rc;
}
