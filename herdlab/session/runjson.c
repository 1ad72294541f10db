/* SPDX-License-Identifier: MIT */
/*
 * runjson.c - run.json (runjson.h).
 *
 * The metadata says what ran and where, so that a run directory explains itself
 * months later on another machine: the options exactly as the two programs got
 * them, the kernel's release, HZ and preemption model, the CPUs. The join reads
 * requests.csv back (herdload wrote it) and matches each request to the kernel's
 * record of its connection.
 */
#include "session/runjson.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include "clock.h"
#include "hist.h"
#include "jsonio.h"
#include "log.h"
#include "metrics/join.h"
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

/* Percentiles of @n nanosecond values, in microseconds. */
static json_t *spectrum(const uint64_t *v, size_t n)
{
	struct hist h;

	if (hist_init(&h, 3600ULL * NSEC_PER_SEC) < 0)
		return json_null();
	for (size_t i = 0; i < n; i++)
		hist_record(&h, v[i]);
	json_t *j = jsonio_hist(&h, 1000.0);
	json_object_del(j, "buckets");
	hist_free(&h);
	return j;
}

/*
 * The join: every request matched to its connection's kernel record, and the
 * decomposition of the matched ones: handshake (client connect start to the
 * server's ESTABLISHED), accept-queue wait (ESTABLISHED to accepted), server
 * time (accepted to the client's last byte).
 */
json_t *runjson_join(const char *dir, const struct trace_result *r)
{
	char path[PATH_MAX];
	struct client_req *reqs = NULL;

	if (path_join(path, sizeof(path), dir, "requests.csv") < 0)
		return json_pack("{s:s}", "error", "requests.csv: path too long");
	ssize_t n = join_read_requests(path, &reqs);
	if (n < 0)
		return json_pack("{s:s}", "error", "requests.csv unreadable");
	ssize_t *match = calloc((size_t)n + 1, sizeof(*match));
	uint64_t *hs = calloc((size_t)n + 1, 8), *qw = calloc((size_t)n + 1, 8),
		 *sv = calloc((size_t)n + 1, 8);
	size_t nhs = 0, nqw = 0, nsv = 0;
	ssize_t matched = match && hs && qw && sv
				  ? join_requests(reqs, (size_t)n, r->conns, r->nconns, match)
				  : -1;
	for (ssize_t i = 0; matched > 0 && i < n; i++) {
		if (match[i] < 0)
			continue;
		const struct herd_conn *c = &r->conns[match[i]];
		if (reqs[i].connect_start_ns && c->established_ns > reqs[i].connect_start_ns)
			hs[nhs++] = c->established_ns - reqs[i].connect_start_ns;
		if (reqs[i].connect_start_ns && c->accepted_ns >= c->established_ns)
			qw[nqw++] = c->accepted_ns - c->established_ns;
		if (c->accepted_ns && reqs[i].last_byte_ns > c->accepted_ns)
			sv[nsv++] = reqs[i].last_byte_ns - c->accepted_ns;
	}
	json_t *j = json_pack(
		"{s:f, s:I, s:I, s:I, s:o, s:o, s:o}", "matched",
		n ? (double)(matched > 0 ? matched : 0) / (double)n : 0.0, "requests",
		(json_int_t)n, "requests_matched", (json_int_t)(matched > 0 ? matched : 0),
		"connections", (json_int_t)r->nconns, "handshake_us", spectrum(hs, nhs),
		"accept_queue_wait_us", spectrum(qw, nqw), "server_us", spectrum(sv, nsv));
	free(reqs), free(match), free(hs), free(qw), free(sv);
	return j;
}

int runjson_write(const char *dir, json_t *meta, json_t *trace, json_t *join)
{
	char path[PATH_MAX];
	json_error_t err;
	json_t *client = NULL;
	int rc = -1;

	if (!meta) {
		json_decref(trace), json_decref(join);
		log_warn("cannot write %s/run.json: out of memory", dir);
		return -1;
	}
	if (path_join(path, sizeof(path), dir, "client.json") == 0)
		client = json_load_file(path, 0, &err);
	json_object_set_new(meta, "client", client ? client : json_null());
	json_object_set_new(meta, "trace", trace ? trace : json_null());
	json_object_set_new(meta, "join", join ? join : json_null());
	if (path_join(path, sizeof(path), dir, "run.json") == 0)
		rc = jsonio_save(meta, path);
	if (rc < 0)
		log_warn("cannot write %s/run.json: %m", dir);
	json_decref(meta);
	return rc;
}
