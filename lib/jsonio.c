/* SPDX-License-Identifier: MIT */
/*
 * jsonio.c - files that appear whole, and histograms as JSON.
 *
 * Reports and comparisons read run.json (and the CSV files beside it) while runs may be
 * writing them, and a run can be killed at any moment. So nothing is written in place:
 * the contents go to "<path>.tmp.<pid>" in the same directory (rename(2) is atomic only
 * within one file system), are flushed and fsync'ed, and only then renamed over @path.
 * A reader sees the old file or the new one, never half of either; a failure at any
 * step removes the temporary file and leaves @path as it was.
 *
 * Reals are written with 15 significant digits: every decimal of up to 15 digits (all
 * our measurements) reads back as the same double, and 0.1 is written as 0.1 rather than
 * jansson's default 0.10000000000000001.
 */
#include "jsonio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define JSONIO_DUMP_FLAGS (JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(15))

/* Flush @f all the way to the disk and close it; -1 with errno if any step failed. */
static int finish(FILE *f)
{
	int err = 0;

	if (fflush(f) != 0 || ferror(f))
		err = errno ? errno : EIO;
	else if (fsync(fileno(f)) < 0)
		err = errno;
	if (fclose(f) != 0 && !err)
		err = errno;
	errno = err;
	return err ? -1 : 0;
}

/* Run @fill on a fresh @tmp; -1 with errno (ECANCELED if @fill gave no reason). */
static int write_tmp(const char *tmp, int (*fill)(FILE *f, void *arg), void *arg)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	FILE *f;
	int err;

	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (!f) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	errno = 0;
	if (fill(f, arg) < 0) {
		err = errno ? errno : ECANCELED;
		fclose(f);
		errno = err;
		return -1;
	}
	return finish(f);
}

int jsonio_save_with(const char *path, int (*fill)(FILE *f, void *arg), void *arg)
{
	char tmp[PATH_MAX];
	int n = snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	int err;

	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (write_tmp(tmp, fill, arg) == 0 && rename(tmp, path) == 0)
		return 0;
	err = errno;
	unlink(tmp);
	errno = err;
	return -1;
}

static int fill_json(FILE *f, void *root)
{
	if (json_dumpf(root, f, JSONIO_DUMP_FLAGS) < 0) {
		if (!errno)
			errno = ferror(f) ? EIO : ENOMEM;
		return -1;
	}
	return fputc('\n', f) == EOF ? -1 : 0;
}

int jsonio_save(json_t *root, const char *path)
{
	if (!root) {
		errno = EINVAL;
		return -1;
	}
	return jsonio_save_with(path, fill_json, root);
}

/* ---- histograms ----------------------------------------------------------------------------- */

/* json_int_t is signed 64-bit: counts and values beyond INT64_MAX saturate. */
static json_t *count_value(uint64_t n)
{
	return json_integer(n > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)n);
}

/* A recorded value in the caller's unit: an integer when @div is 1, a real otherwise. */
static json_t *hist_value(uint64_t v, double div)
{
	return div == 1.0 ? count_value(v) : json_real((double)v / div);
}

/* hist_foreach() state for the "buckets" array. */
struct bucket_walk {
	json_t *arr; /* [[low, high, count], ...] being filled */
	double div;  /* the unit divisor */
	int err;     /* set once an allocation failed */
};

static bool add_bucket(uint64_t low, uint64_t high, uint64_t count, void *arg)
{
	struct bucket_walk *w = arg;
	json_t *b = json_array();

	if (!b || json_array_append_new(b, hist_value(low, w->div)) ||
	    json_array_append_new(b, hist_value(high, w->div)) ||
	    json_array_append_new(b, count_value(count)) || json_array_append_new(w->arr, b)) {
		w->err = -1;
		return false;
	}
	return true;
}

static json_t *hist_buckets(const struct hist *h, double div)
{
	struct bucket_walk w = { .arr = json_array(), .div = div };

	if (!w.arr)
		return NULL;
	hist_foreach(h, add_bucket, &w);
	if (w.err) {
		json_decref(w.arr);
		return NULL;
	}
	return w.arr;
}

/* The percentile keys: "p50" is the 50th, "p999" the 99.9th, "p9999" the 99.99th. */
static const struct {
	const char *key; /* object key */
	double p;	 /* percentile, 0..100 */
} hist_pcts[] = {
	{ "p50", 50 }, { "p90", 90 }, { "p99", 99 }, { "p999", 99.9 }, { "p9999", 99.99 },
};

/* Every json_object_set_new() below returns -1 when given NULL: one check at the end. */
json_t *jsonio_hist(const struct hist *h, double unit_div)
{
	json_t *o;
	int err;

	if (!(unit_div > 0) || !isfinite(unit_div)) {
		errno = EINVAL;
		return NULL;
	}
	o = json_object();
	if (!o)
		return NULL;
	err = json_object_set_new(o, "count", count_value(h->total));
	err |= json_object_set_new(o, "clamped", count_value(h->clamped));
	err |= json_object_set_new(o, "min", hist_value(h->total ? h->min : 0, unit_div));
	err |= json_object_set_new(o, "max", hist_value(h->max, unit_div));
	err |= json_object_set_new(o, "mean", json_real(hist_mean(h) / unit_div));
	err |= json_object_set_new(o, "stddev", json_real(hist_stddev(h) / unit_div));
	for (size_t i = 0; i < sizeof(hist_pcts) / sizeof(hist_pcts[0]); i++) {
		uint64_t v = hist_percentile(h, hist_pcts[i].p);

		err |= json_object_set_new(o, hist_pcts[i].key, hist_value(v, unit_div));
	}
	err |= json_object_set_new(o, "buckets", hist_buckets(h, unit_div));
	if (err) {
		json_decref(o);
		errno = ENOMEM;
		return NULL;
	}
	return o;
}

/* ---- dotted paths --------------------------------------------------------------------------- */

/* @obj[@key[0..len)], created if missing; NULL (ENOTDIR) if it is there but no object. */
static json_t *child_object(json_t *obj, const char *key, size_t len)
{
	json_t *child = json_object_getn(obj, key, len);

	if (child) {
		if (json_is_object(child))
			return child;
		errno = ENOTDIR;
		return NULL;
	}
	child = json_object();
	if (!child || json_object_setn_new(obj, key, len, child) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	return child;
}

/* No empty component: not "", ".a", "a..b" nor "a.". */
static bool valid_path(const char *dotted)
{
	size_t len = strlen(dotted);

	return len && dotted[0] != '.' && dotted[len - 1] != '.' && !strstr(dotted, "..");
}

/*
 * A path with an empty component is EINVAL; a non-object on the way is ENOTDIR, like a
 * file where a directory should be (the objects created before it stay). @value is
 * consumed whatever happens.
 */
int jsonio_set_path(json_t *obj, const char *dotted, json_t *value)
{
	const char *key = dotted, *dot;

	if (!value || !json_is_object(obj) || !dotted || !valid_path(dotted))
		goto invalid;
	while ((dot = strchr(key, '.'))) {
		obj = child_object(obj, key, (size_t)(dot - key));
		if (!obj)
			goto fail;
		key = dot + 1;
	}
	if (json_object_set_new(obj, key, value) < 0) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
invalid:
	errno = EINVAL;
fail:
	json_decref(value);
	return -1;
}

json_t *jsonio_get_path(json_t *obj, const char *dotted)
{
	char part[128];

	while (obj && *dotted) {
		size_t len = strcspn(dotted, ".");
		if (len >= sizeof(part))
			return NULL;
		memcpy(part, dotted, len);
		part[len] = 0;
		if (json_is_array(obj) && len && part[strspn(part, "0123456789")] == 0)
			obj = json_array_get(obj, strtoul(part, NULL, 10));
		else
			obj = json_is_object(obj) ? json_object_get(obj, part) : NULL;
		dotted += len + (dotted[len] == '.');
	}
	return obj;
}
