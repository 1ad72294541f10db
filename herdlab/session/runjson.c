/* SPDX-License-Identifier: MIT */
/*
 * runjson.c - run.json (runjson.h).
 *
 * The metadata says what ran and where, so that a run directory explains itself
 * months later on another machine: the options exactly as the two programs got
 * them, the kernel's release, HZ and preemption model, the CPUs. The join
 * (metrics_join_json) reads requests.csv back (herdload wrote it) and matches each
 * request to the kernel's record of its connection.
 */
#include "session/runjson.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include "jsonio.h"
#include "log.h"
#include "metrics/keys.h"
#include "metrics/metrics.h"
#include "path.h"
#include "version.h"

/* A line "KEY=VALUE" of the kernel's config (/boot/config-RELEASE or /proc/config.gz). */
static void kernel_config(const char *release, json_t *kernel)
{
	char path[512], line[512];
	gzFile f;

	snprintf(path, sizeof(path), "/boot/config-%s", release);
	if (!(f = gzopen(path, "r")) && !(f = gzopen("/proc/config.gz", "r")))
		return;
	while (gzgets(f, line, sizeof(line))) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "CONFIG_HZ=", 10))
			json_object_set_new(kernel, "hz", json_integer(atoi(line + 10)));
		else if (!strcmp(line, "CONFIG_PREEMPT_RT=y"))
			json_object_set_new(kernel, "preempt", json_string("rt"));
		else if (!strcmp(line, "CONFIG_PREEMPT=y") && !json_object_get(kernel, "preempt"))
			json_object_set_new(kernel, "preempt", json_string("full"));
		else if (!strcmp(line, "CONFIG_PREEMPT_NONE=y") &&
			 !json_object_get(kernel, "preempt"))
			json_object_set_new(kernel, "preempt", json_string("none"));
		else if (!strcmp(line, "CONFIG_PREEMPT_VOLUNTARY=y") &&
			 !json_object_get(kernel, "preempt"))
			json_object_set_new(kernel, "preempt", json_string("voluntary"));
		else if (!strcmp(line, "CONFIG_PREEMPT_DYNAMIC=y"))
			json_object_set_new(kernel, "preempt_dynamic", json_true());
	}
	gzclose(f);
}

/* A vector of strings as a JSON array. */
static json_t *args_json(const struct vec *args)
{
	json_t *a = json_array();

	for (size_t i = 0; i < args->len; i++)
		json_array_append_new(a, json_string(*(char **)vec_at(args, i)));
	return a;
}

json_t *runjson_metadata(const struct run_opts *o, const char *started)
{
	struct utsname u;
	json_t *kernel = json_object();

	uname(&u);
	json_object_set_new(kernel, "release", json_string(u.release));
	json_object_set_new(kernel, "version", json_string(u.version));
	json_object_set_new(kernel, "machine", json_string(u.machine));
	kernel_config(u.release, kernel);
	return json_pack("{s:s, s:{s:o, s:o}, s:o, s:I, s:s, s:s, s:b}", "model", o->model,
			 "options", "server", args_json(&o->server), "load", args_json(&o->load),
			 "kernel", kernel, "cpus", (json_int_t)sysconf(_SC_NPROCESSORS_ONLN),
			 "start_time", started, "herdlab_version", herdlab_version, "traced",
			 !o->no_trace);
}

/* requests.csv joined with the kernel's connections (metrics/: join_parts() decomposes). */
json_t *runjson_join(const char *dir, const struct trace_result *r)
{
	char path[PATH_MAX];

	if (path_join(path, sizeof(path), dir, "requests.csv") < 0)
		return json_pack("{s:s}", "error", "requests.csv: path too long");
	return metrics_join_json(path, r);
}

/* @meta, marked complete or not, into DIR/run.json (replaced whole: jsonio_save). */
static int save(const char *dir, json_t *meta, const char *incomplete)
{
	char path[PATH_MAX];
	int rc = -1;

	json_object_set_new(meta, MK_COMPLETE, json_boolean(!incomplete));
	if (incomplete)
		json_object_set_new(meta, MK_INCOMPLETE_REASON, json_string(incomplete));
	if (path_join(path, sizeof(path), dir, "run.json") == 0)
		rc = jsonio_save(meta, path);
	if (rc < 0)
		log_warn("cannot write %s/run.json: %m", dir);
	json_decref(meta);
	return rc;
}

int runjson_write_started(const char *dir, json_t *meta)
{
	if (!meta) {
		log_warn("cannot write %s/run.json: out of memory", dir);
		return -1;
	}
	json_object_set_new(meta, MK_CLIENT, json_null());
	json_object_set_new(meta, MK_TRACE, json_null());
	json_object_set_new(meta, MK_JOIN, json_null());
	return save(dir, meta, RUNJSON_UNFINISHED);
}

int runjson_write(const char *dir, json_t *meta, json_t *trace, json_t *join,
		  const char *incomplete)
{
	char path[PATH_MAX];
	json_error_t err;
	json_t *client = NULL;

	if (!meta) {
		json_decref(trace), json_decref(join);
		log_warn("cannot write %s/run.json: out of memory", dir);
		return -1;
	}
	if (path_join(path, sizeof(path), dir, "client.json") == 0)
		client = json_load_file(path, 0, &err);
	json_object_set_new(meta, MK_CLIENT, client ? client : json_null());
	json_object_set_new(meta, MK_TRACE, trace ? trace : json_null());
	json_object_set_new(meta, MK_JOIN, join ? join : json_null());
	return save(dir, meta, incomplete);
}
