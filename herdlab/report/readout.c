/* SPDX-License-Identifier: MIT */
/* readout.c - run.json's values as the reports show them (readout.h). */
#include "report/readout.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "metrics/keys.h"
#include "path.h"

#define KEY_MAX 160 /* a dotted key and a field */

bool report_incomplete(const struct rundir *rd)
{
	return json_is_false(rundir_get(rd, MK_COMPLETE));
}

const char *report_incomplete_reason(const struct rundir *rd)
{
	return rundir_str(rd, MK_INCOMPLETE_REASON, "no reason recorded");
}

bool report_partial(const struct rundir *rd)
{
	return rd->reqs_err || rd->conns_err || rd->reqs_read.rejected || rd->conns_read.rejected;
}

/* What one table left out, appended to @buf at *@used ("; " between). */
static void table_partial(char *buf, size_t len, size_t *used, const char *name, int err,
			  const struct csv_stats *st)
{
	int n = 0;

	if (err)
		n = snprintf(buf + *used, len - *used, "%s%s could not be read (%s)",
			     *used ? "; " : "", name, st->why);
	else if (st->rejected)
		n = snprintf(buf + *used, len - *used, "%s%zu of %zu rows of %s rejected",
			     *used ? "; " : "", st->rejected, st->rejected + st->rows, name);
	if (n > 0)
		*used = (size_t)n < len - *used ? *used + (size_t)n : len - 1;
}

const char *report_partial_reason(const struct rundir *rd, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	table_partial(buf, len, &used, "requests.csv", rd->reqs_err, &rd->reqs_read);
	table_partial(buf, len, &used, "connections.csv", rd->conns_err, &rd->conns_read);
	return buf;
}

const char *report_status(const struct rundir *rd, char *buf, size_t len)
{
	char partial[320];
	bool inc = report_incomplete(rd), part = report_partial(rd);

	snprintf(buf, len, "%s%s%s%s%s", inc ? "incomplete: " : "",
		 inc ? report_incomplete_reason(rd) : "", inc && part ? "; " : "",
		 part ? "partial: " : "",
		 part ? report_partial_reason(rd, partial, sizeof(partial)) : "");
	return buf;
}

const char *report_fmt_us(char *buf, size_t len, double us)
{
	if (isnan(us))
		snprintf(buf, len, "-");
	else if (us >= 1e6)
		snprintf(buf, len, "%.2f s", us / 1e6);
	else if (us >= 1e3)
		snprintf(buf, len, "%.2f ms", us / 1e3);
	else
		snprintf(buf, len, "%.1f us", us);
	return buf;
}

const char *report_fmt_num(char *buf, size_t len, double v, int prec)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*f", prec, v);
	return buf;
}

json_t *report_get(const struct rundir *rd, const char *key, const char *sub)
{
	char k[KEY_MAX];

	if (path_fmt(k, sizeof(k), "%s.%s", key, sub) < 0)
		return NULL;
	return rundir_get(rd, k);
}

double report_num(const struct rundir *rd, const char *key, const char *sub)
{
	json_t *v = report_get(rd, key, sub);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

bool report_options_append(const struct rundir *rd, const char *key, char *buf, size_t len,
			   size_t *used)
{
	json_t *a = rundir_get(rd, key), *v;
	size_t i;

	json_array_foreach(a, i, v)
	{
		int n = snprintf(buf + *used, len - *used, "%s%s", *used ? " " : "",
				 json_is_string(v) ? json_string_value(v) : "?");
		if (n < 0 || (size_t)n >= len - *used)
			return false;
		*used += (size_t)n;
	}
	return true;
}

void report_row(struct doc *d, const char *label, const char *value)
{
	doc_cell(d, false, "%s", label);
	doc_cell(d, false, "%s", value);
}

void report_row_us(struct doc *d, const char *label, double us)
{
	char b[64];

	report_row(d, label, report_fmt_us(b, sizeof(b), us));
}

void report_rows(struct doc *d, const struct rundir *rd, const struct report_row *rows, size_t n)
{
	char b[64];

	for (size_t i = 0; i < n; i++)
		report_row(d, rows[i].label,
			   report_fmt_num(b, sizeof(b), rundir_num(rd, rows[i].key), rows[i].prec));
}

bool report_fig_paths(const struct report_figs *f, const char *name, char *file, char *link)
{
	return f->dir && path_fmt(file, PATH_MAX, "%s/%s.svg", f->dir, name) == 0 &&
	       path_fmt(link, PATH_MAX, "%s/%s.svg", f->link, name) == 0;
}

bool report_fig_reuse(const struct report_figs *f, const char *file)
{
	return f->reuse && access(file, R_OK) == 0;
}
