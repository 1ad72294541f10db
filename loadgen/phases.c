/* SPDX-License-Identifier: MIT */
/*
 * phases.c - --phases (see phases.h): the parser, the phase of a time, and each phase's
 * numbers from the request records.
 *
 * A phase's own path joins the workload's paths, so that its GETs are built once like
 * every other; but the --mix draw must never pick it. workload_pick() walks the
 * cumulative weights up to a draw below the total weight, so the phases' paths are
 * added after the --path / --mix ones and the total is put back to theirs: the draw
 * stops before it reaches them, and a phase names its path by index instead.
 *
 * The numbers are a group-by over the records, as --clients-csv's are (clients.c): each
 * record's phase from its scheduled time, the ok requests' latencies sorted per phase.
 */
#include "phases.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "workload.h"

/* Format the message of a bad phase @i (from 1) whose text is @s (@n bytes). */
static int bad(char *why, size_t cap, unsigned i, const char *s, size_t n, const char *what)
{
	snprintf(why, cap, "phase %u '%.*s': %s", i, (int)n, s, what);
	return -1;
}

/* "3s", "1.5s", "250ms": nanoseconds, or 0 when it is not one. */
static uint64_t parse_duration(const char *s, size_t n)
{
	char buf[32], *end;
	double v, scale;

	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = 0;
	errno = 0;
	v = strtod(buf, &end);
	if (errno || end == buf || !(v > 0) || v > 86400 * 7)
		return 0;
	if (!strcmp(end, "s"))
		scale = 1e9;
	else if (!strcmp(end, "ms"))
		scale = 1e6;
	else
		return 0;
	return (uint64_t)llround(v * scale);
}

/* One field after the duration: clients=N or a path. */
static int parse_field(struct load_phase *p, const char *f, size_t n, const char **what)
{
	if (n > 8 && !strncmp(f, "clients=", 8)) {
		char buf[16], *end;
		unsigned long v;
		if (n - 8 >= sizeof(buf) || p->clients) {
			*what = p->clients ? "clients= given twice" : "clients= is too large";
			return -1;
		}
		memcpy(buf, f + 8, n - 8);
		buf[n - 8] = 0;
		errno = 0;
		v = strtoul(buf, &end, 10);
		if (errno || *end || buf[0] == '-' || buf[0] == '+' || v < 1 || v > 1000000) {
			*what = "clients= wants a whole number from 1 to 1000000";
			return -1;
		}
		p->clients = (unsigned)v;
		return 0;
	}
	if (f[0] == '/') {
		if (p->path_str) {
			*what = "a path given twice";
			return -1;
		}
		if (!(p->path_str = strndup(f, n))) {
			*what = "out of memory";
			return -1;
		}
		return 0;
	}
	*what = n == 0 ? "an empty field" : "a field is clients=N or a path starting with /";
	return -1;
}

/* Phase @i from @s (@n bytes: up to its comma). */
static int parse_phase(struct load_phase *p, unsigned i, const char *s, size_t n, char *why,
		       size_t cap)
{
	size_t d = 0;
	const char *what;

	memset(p, 0, sizeof(*p));
	p->path = -1;
	while (d < n && s[d] != ':')
		d++;
	if (!(p->duration_ns = parse_duration(s, d)))
		return bad(why, cap, i, s, n,
			   "a phase starts with its duration, a number and s or ms (3s, 250ms)");
	for (size_t at = d; at < n;) {
		size_t from = at + 1, to = from;
		while (to < n && s[to] != ':')
			to++;
		if (parse_field(p, s + from, to - from, &what) < 0)
			return bad(why, cap, i, s, n, what);
		at = to;
	}
	return 0;
}

int phases_parse(const char *spec, struct load_phases *ph, char *why, size_t cap)
{
	const char *s = spec;

	memset(ph, 0, sizeof(*ph));
	if (!*spec) {
		snprintf(why, cap, "empty: give at least one phase, e.g. 3s:clients=2");
		return -1;
	}
	for (;;) {
		size_t n = strcspn(s, ",");
		if (ph->n == LOAD_MAX_PHASES) {
			snprintf(why, cap, "more than %d phases", LOAD_MAX_PHASES);
			phases_free(ph);
			return -1;
		}
		if (parse_phase(&ph->p[ph->n], ph->n + 1, s, n, why, cap) < 0) {
			free(ph->p[ph->n].path_str);
			phases_free(ph);
			return -1;
		}
		ph->p[ph->n].start_ns = ph->total_ns;
		ph->total_ns += ph->p[ph->n].duration_ns;
		ph->n++;
		if (!s[n])
			return 0;
		s += n + 1;
	}
}

int phases_settle(struct load_phases *ph, unsigned clients, struct load_workload *w, char *why,
		  size_t cap)
{
	uint64_t base_weight = w->total_weight;

	ph->base_paths = w->npaths;
	for (unsigned i = 0; i < ph->n; i++) {
		struct load_phase *p = &ph->p[i];
		const char *what;
		if (!p->clients)
			p->clients = clients;
		if (p->clients > ph->max_clients)
			ph->max_clients = p->clients;
		if (!p->path_str)
			continue;
		p->path = (int)w->npaths;
		if (workload_add_path(w, p->path_str, strlen(p->path_str), 1, &what) < 0)
			return bad(why, cap, i + 1, p->path_str, strlen(p->path_str), what);
	}
	w->total_weight = base_weight; /* the draw never reaches the phases' paths */
	return 0;
}

unsigned phases_at(const struct load_phases *ph, uint64_t off_ns)
{
	unsigned i = 0;

	while (i + 1 < ph->n && off_ns >= ph->p[i + 1].start_ns)
		i++;
	return i;
}

static int by_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank percentile @p of the @n sorted values at @v, in microseconds. */
static double pct_us(const uint64_t *v, size_t n, double p)
{
	size_t rank = (size_t)ceil(p / 100 * (double)n);

	return (double)v[rank ? rank - 1 : 0] / 1e3;
}

int phases_stats(const struct load_phases *ph, const struct load_result *r, struct phase_stats *out)
{
	uint64_t *lat = malloc((r->nrecords ? r->nrecords : 1) * sizeof(*lat));
	size_t *from = calloc(ph->n + 1, sizeof(*from));

	if (!lat || !from) {
		free(lat), free(from);
		errno = ENOMEM;
		return -1;
	}
	memset(out, 0, ph->n * sizeof(*out));
	for (size_t i = 0; i < r->nrecords; i++) {
		const struct load_record *x = &r->records[i];
		uint64_t off =
			x->scheduled_ns > r->measure_ns ? x->scheduled_ns - r->measure_ns : 0;
		struct phase_stats *s = &out[phases_at(ph, off)];
		s->requests++;
		s->errors[x->error]++;
		if (x->error == ERR_NONE)
			s->ok++;
		else
			s->failed++;
	}
	/* The ok latencies grouped by phase: phase i's at lat[from[i] .. from[i + 1]). */
	for (unsigned i = 0; i < ph->n; i++)
		from[i + 1] = from[i] + out[i].ok;
	size_t at[LOAD_MAX_PHASES] = { 0 };
	for (size_t i = 0; i < r->nrecords; i++) {
		const struct load_record *x = &r->records[i];
		uint64_t off =
			x->scheduled_ns > r->measure_ns ? x->scheduled_ns - r->measure_ns : 0;
		unsigned k = phases_at(ph, off);
		if (x->error == ERR_NONE)
			lat[from[k] + at[k]++] = x->last_byte_ns - x->scheduled_ns;
	}
	for (unsigned i = 0; i < ph->n; i++) {
		struct phase_stats *s = &out[i];
		uint64_t *v = lat + from[i];
		s->requests_per_s = (double)s->ok * 1e9 / (double)ph->p[i].duration_ns;
		s->p50_us = s->p99_us = s->max_us = NAN;
		if (!s->ok)
			continue;
		qsort(v, s->ok, sizeof(*v), by_u64);
		s->p50_us = pct_us(v, s->ok, 50);
		s->p99_us = pct_us(v, s->ok, 99);
		s->max_us = (double)v[s->ok - 1] / 1e3;
	}
	free(lat);
	free(from);
	return 0;
}

void phases_print(FILE *f, const struct load_phases *ph, const struct load_result *r)
{
	struct phase_stats st[LOAD_MAX_PHASES];

	if (!ph || !ph->n || phases_stats(ph, r, st) < 0)
		return;
	fprintf(f, "  phases      start    dur  clients  requests  failed       rps     p50 ms"
		   "     p99 ms     max ms  path\n");
	for (unsigned i = 0; i < ph->n; i++) {
		const struct load_phase *p = &ph->p[i];
		fprintf(f,
			"  %-6u %8.1fs %5.1fs %8u %9" PRIu64 " %7" PRIu64
			" %9.1f %10.3f %10.3f %10.3f  %s\n",
			i + 1, (double)p->start_ns / 1e9, (double)p->duration_ns / 1e9, p->clients,
			st[i].requests, st[i].failed, st[i].requests_per_s, st[i].p50_us / 1e3,
			st[i].p99_us / 1e3, st[i].max_us / 1e3, p->path_str ? p->path_str : "-");
	}
}

/* A number, or null when there is none (NAN). */
static json_t *num_or_null(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *errors_of(const uint64_t errors[ERR_KINDS])
{
	json_t *e = json_object();

	for (int k = ERR_NONE + 1; e && k < ERR_KINDS; k++)
		json_object_set_new(e, err_name((enum err_kind)k),
				    json_integer((json_int_t)errors[k]));
	return e;
}

json_t *phases_json(const struct load_phases *ph, const struct load_result *r)
{
	struct phase_stats st[LOAD_MAX_PHASES];
	json_t *a = json_array();

	if (!a || !ph || !ph->n)
		return a;
	if (phases_stats(ph, r, st) < 0) {
		json_decref(a);
		return NULL;
	}
	for (unsigned i = 0; i < ph->n; i++) {
		const struct load_phase *p = &ph->p[i];
		json_array_append_new(
			a,
			json_pack("{s:i, s:f, s:f, s:i, s:o, s:I, s:I, s:I, s:o, s:f, s:o, "
				  "s:o, s:o}",
				  "index", (int)i + 1, "start_s", (double)p->start_ns / 1e9,
				  "duration_s", (double)p->duration_ns / 1e9, "clients",
				  (int)p->clients, "path",
				  p->path_str ? json_string(p->path_str) : json_null(), "requests",
				  (json_int_t)st[i].requests, "ok", (json_int_t)st[i].ok, "failed",
				  (json_int_t)st[i].failed, "errors", errors_of(st[i].errors),
				  "requests_per_s", st[i].requests_per_s, "p50_us",
				  num_or_null(st[i].p50_us), "p99_us", num_or_null(st[i].p99_us),
				  "max_us", num_or_null(st[i].max_us)));
	}
	return a;
}

void phases_free(struct load_phases *ph)
{
	for (unsigned i = 0; i < ph->n; i++) {
		free(ph->p[i].path_str);
		ph->p[i].path_str = NULL;
	}
	ph->n = 0;
}
