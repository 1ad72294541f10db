/* SPDX-License-Identifier: MIT */
/*
 * jsonio.h - JSON output through jansson, plus the two things jansson lacks:
 * writing a file so that no reader ever sees half of it, and histograms.
 */
#ifndef HERD_JSONIO_H
#define HERD_JSONIO_H

#include <jansson.h>

#include "hist.h"

/*
 * Dump @root (pretty, sorted keys) to "@path.tmp.PID", fsync, rename to @path.
 * Returns 0, or -1 with errno set and nothing left behind.
 */
int jsonio_save(json_t *root, const char *path);

/*
 * Write any file the same way: @fill writes the contents to the FILE it is given
 * and returns 0, or -1 to abandon the file.
 */
int jsonio_save_with(const char *path, int (*fill)(FILE *f, void *arg), void *arg);

/*
 * A histogram as an object: count, min, max, mean, stddev, p50, p90, p99, p999,
 * p9999 and "buckets": [[low, high, count], ...] for the non-empty buckets.
 * Values are divided by @unit_div (1 keeps the recorded unit).
 */
json_t *jsonio_hist(const struct hist *h, double unit_div);

/* Set @obj["a"]["b"]["c"] = @value for a dotted key "a.b.c", creating objects. Steals @value. */
int jsonio_set_path(json_t *obj, const char *dotted, json_t *value);

/* @obj["a"]["b"]... for a dotted key "a.b.3" (a number indexes an array), or NULL. Borrowed. */
json_t *jsonio_get_path(json_t *obj, const char *dotted);

#endif
