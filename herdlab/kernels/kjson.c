/* SPDX-License-Identifier: MIT */
/*
 * kjson.c - kernels.json, both ways (kjson.h).
 *
 *	{ "herdlab_version", "started", "finished", "host": { release, machine, cpus },
 *	  "models": [...], "workers", "load": [...], "attach", "load_scaled", "guest_machine",
 *	  "timeout_s", "boot_timeout_s", "stall_timeout_s", "kernels": [ KERNEL, ... ], "comparison" }
 *
 * Each KERNEL is the table kernel_fields below, which both the writer and the
 * reader walk: a field is named, and said how it is written and read back,
 * once. A kernel's "attach" is the tracer path its runs were asked to take
 * (under --attach both, each kernel is two entries, one per path); each model's
 * "tracer_attach" is the one its run took (run.json's trace.tracer.attach).
 * --report-only reads a record back and writes it again unchanged but for
 * "comparison" and "report_rewritten", so that the record keeps saying what ran.
 */
#include "kernels/kjson.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "jsonio.h"
#include "progress.h"
#include "log.h"
#include "version.h"

/* The guests' machine, as guest.c starts it. */
#define GUEST_MACHINE "qemu-system-x86_64 -accel tcg,thread=single -cpu max -smp 2 -m 1024"

/* How a field of a kernel is written and read. */
enum kind {
	F_STRING,   /* a char array of struct kresult; null when empty (unless always) */
	F_IMAGE,    /* the vmlinuz of a path (a package's image is the cache's) */
	F_EMULATED, /* under qemu: !k.host */
	F_STATUS,   /* kstatus_name */
	F_DURATION, /* seconds; null for a kernel not run */
	F_BOOT,	    /* seconds to /init; null when it did not boot (boot_s -1) */
	F_MODELS,   /* { MODEL: { status ok, dir } or { status failed, reason } } */
	F_PREEMPT,  /* written only: read again from the runs' run.json */
};

#define KR(field) \
	.off = offsetof(struct kresult, field), .len = sizeof(((struct kresult *)0)->field)

static const struct kfield {
	const char *key;
	enum kind kind;
	size_t off, len; /* F_STRING, F_IMAGE: the array in struct kresult */
	bool always;	 /* F_STRING: written even when empty */
} kernel_fields[] = {
	{ .key = "name", .kind = F_STRING, KR(k.name), .always = true },
	{ .key = "dir", .kind = F_STRING, KR(k.dir), .always = true },
	{ .key = "attach", .kind = F_STRING, KR(attach), .always = true },
	{ .key = "release", .kind = F_STRING, KR(k.release) },
	{ .key = "package", .kind = F_STRING, KR(k.package) },
	{ .key = "version", .kind = F_STRING, KR(k.version) },
	{ .key = "suite", .kind = F_STRING, KR(k.suite) },
	{ .key = "vmlinuz", .kind = F_IMAGE, KR(k.vmlinuz) },
	{ .key = "emulated", .kind = F_EMULATED },
	{ .key = "status", .kind = F_STATUS },
	{ .key = "reason", .kind = F_STRING, KR(reason) },
	{ .key = "duration_s", .kind = F_DURATION },
	{ .key = "boot_s", .kind = F_BOOT },
	{ .key = "models", .kind = F_MODELS },
	{ .key = "qemu", .kind = F_STRING, KR(qemu_cmd) },
	{ .key = "preempt", .kind = F_PREEMPT },
};
#define N_FIELDS (sizeof(kernel_fields) / sizeof(kernel_fields[0]))

static const char *field_str(const struct kresult *r, const struct kfield *f)
{
	return (const char *)r + f->off;
}

/* A string member of @obj, or "". */
static const char *jstr(json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));

	return v ? v : "";
}

/* ---- writing ---------------------------------------------------------------------------- */

static json_t *models_json(const struct kernels_opts *o, const struct kresult *r)
{
	json_t *per = json_object();

	for (int m = 0; m < o->nmodels && r->status != K_NOT_RUN; m++) {
		char dir[160];
		pathf(dir, "%s/%s", r->k.dir, o->models[m]);
		const char *took = run_attach(r->run[m]);
		json_object_set_new(per, o->models[m],
				    r->run[m] ? json_pack("{s:s, s:s, s:s?}", "status", "ok", "dir",
							  dir, "tracer_attach", took)
					      : json_pack("{s:s, s:s}", "status", "failed",
							  "reason", r->model_reason[m]));
	}
	return per;
}

/* Field @f of kernel @r as JSON. */
static json_t *field_json(const struct kernels_opts *o, const struct kresult *r,
			  const struct kfield *f)
{
	const char *preempt;

	switch (f->kind) {
	case F_STRING:
		return *field_str(r, f) || f->always ? json_string(field_str(r, f)) : json_null();
	case F_IMAGE:
		return *field_str(r, f) && !r->k.package[0] ? json_string(field_str(r, f))
							    : json_null();
	case F_EMULATED:
		return json_boolean(!r->k.host);
	case F_STATUS:
		return json_string(kstatus_name[r->status]);
	case F_DURATION:
		return r->status == K_NOT_RUN ? json_null() : json_real(r->duration_s);
	case F_BOOT:
		return r->boot_s > 0 ? json_real(r->boot_s) : json_null();
	case F_MODELS:
		return models_json(o, r);
	case F_PREEMPT:
		preempt = kresult_preempt(o, r);
		return preempt ? json_string(preempt) : json_null();
	}
	return json_null();
}

static json_t *kernels_json(const struct kernels_opts *o, const struct kresult *kr, int nk,
			    const char *started, json_t *comparison)
{
	json_t *list = json_array(), *models = json_array(), *load = json_array();
	struct utsname u;
	time_t now = time(NULL);
	char date[32];

	uname(&u);
	for (int m = 0; m < o->nmodels; m++)
		json_array_append_new(models, json_string(o->models[m]));
	for (int i = 0; i < o->nload; i++)
		json_array_append_new(load, json_string(o->load[i]));
	for (int i = 0; i < nk; i++) {
		json_t *k = json_object();
		for (size_t f = 0; f < N_FIELDS; f++)
			json_object_set_new(k, kernel_fields[f].key,
					    field_json(o, &kr[i], &kernel_fields[f]));
		json_array_append_new(list, k);
	}
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	return json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:I}, s:o, s:i, s:o, s:s, s:b, s:s, s:f, "
			 "s:f, s:f, s:o, s:O}",
			 "herdlab_version", herdlab_version, "started", started, "finished", date,
			 "host", "release", u.release, "machine", u.machine, "cpus",
			 (json_int_t)sysconf(_SC_NPROCESSORS_ONLN), "models", models, "workers",
			 o->workers, "load", load, "attach", o->attach_arg ? o->attach_arg : "auto",
			 "load_scaled", false, "guest_machine", GUEST_MACHINE, "timeout_s",
			 o->timeout_s, "boot_timeout_s", o->boot_timeout_s, "stall_timeout_s",
			 o->stall_timeout_s, "kernels", list, "comparison",
			 comparison ? comparison : json_null());
}

void kjson_save(const struct kernels_opts *o, const struct kresult *kr, int nk, const char *out,
		const char *started, json_t *comparison)
{
	char path[PATH_MAX + 32], date[32];
	time_t now = time(NULL);

	pathf(path, "%s/kernels.json", out);
	if (o->original) { /* --report-only: the run's record, with the new comparison */
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
		json_object_set(o->original, "comparison", comparison ? comparison : json_null());
		json_object_set_new(
			o->original, "report_rewritten",
			json_pack("{s:s, s:s}", "date", date, "herdlab_version", herdlab_version));
		if (jsonio_save(o->original, path) < 0)
			log_warn("cannot write %s: %m", path);
		return;
	}
	json_t *j = kernels_json(o, kr, nk, started, comparison);
	if (jsonio_save(j, path) < 0) {
		progress_break();
		log_warn("cannot write %s: %m", path);
	}
	json_decref(j);
}

/* ---- reading back ----------------------------------------------------------------------- */

/* Field @f of kernel @r from its entry @v. */
static void field_read(struct kresult *r, const struct kfield *f, json_t *v)
{
	json_t *j = json_object_get(v, f->key);

	switch (f->kind) {
	case F_STRING:
	case F_IMAGE:
		snprintf((char *)r + f->off, f->len, "%s", jstr(v, f->key));
		break;
	case F_EMULATED:
		r->k.host = !json_is_true(j);
		break;
	case F_STATUS:
		r->status = K_NOT_RUN;
		for (int s = 0; s < 4; s++)
			if (!strcmp(jstr(v, f->key), kstatus_name[s]))
				r->status = (enum kstatus)s;
		break;
	case F_DURATION:
		r->duration_s = json_number_value(j);
		break;
	case F_BOOT:
		r->boot_s = json_is_number(j) ? json_number_value(j) : -1;
		break;
	case F_MODELS: /* the reasons; the runs themselves are in OUT (runs_read) */
	case F_PREEMPT:
		break;
	}
}

/* Each model's run.json from @out/DIR/MODEL, and kernels.json's reason where there is none. */
static void runs_read(const struct kernels_opts *o, struct kresult *r, json_t *v, const char *out)
{
	char path[PATH_MAX + 32];
	json_error_t err;

	for (int m = 0; m < o->nmodels && r->status != K_NOT_RUN; m++) {
		json_t *mm = json_object_get(json_object_get(v, "models"), o->models[m]);
		pathf(path, "%s/%s/%s/run.json", out, r->k.dir, o->models[m]);
		r->run[m] = json_load_file(path, 0, &err);
		snprintf(r->model_reason[m], sizeof(r->model_reason[m]), "%s",
			 *jstr(mm, "reason") ? jstr(mm, "reason") : "no run.json");
	}
}

int kjson_load(const char *out, struct kernels_opts *o, struct kresult *kr, int max, char *started,
	       size_t startedlen)
{
	static char load_arg[1024];
	char path[PATH_MAX + 32];
	json_error_t err;
	json_t *j, *v;
	size_t i;
	int nk = 0;

	pathf(path, "%s/kernels.json", out);
	if (!(j = json_load_file(path, 0, &err)))
		die("cannot read %s: %s", path, err.text);
	o->nmodels = o->nload = 0;
	json_array_foreach(json_object_get(j, "models"), i, v)
	{
		if (json_is_string(v) && o->nmodels < KERNELS_MAX_MODELS)
			o->models[o->nmodels++] = json_string_value(v);
	}
	load_arg[0] = 0;
	json_array_foreach(json_object_get(j, "load"), i, v)
	{
		if (!json_is_string(v) || o->nload == KERNELS_MAX_LOAD)
			continue;
		o->load[o->nload++] = (char *)json_string_value(v);
		snprintf(load_arg + strlen(load_arg), sizeof(load_arg) - strlen(load_arg), "%s%s",
			 i ? " " : "", json_string_value(v));
	}
	o->load_arg = load_arg;
	if (json_number_value(json_object_get(j, "timeout_s")) > 0)
		o->timeout_s = json_number_value(json_object_get(j, "timeout_s"));
	if (json_number_value(json_object_get(j, "boot_timeout_s")) > 0)
		o->boot_timeout_s = json_number_value(json_object_get(j, "boot_timeout_s"));
	if (json_number_value(json_object_get(j, "stall_timeout_s")) > 0)
		o->stall_timeout_s = json_number_value(json_object_get(j, "stall_timeout_s"));
	if (json_integer_value(json_object_get(j, "workers")))
		o->workers = (int)json_integer_value(json_object_get(j, "workers"));
	snprintf(started, startedlen, "%s", jstr(j, "started"));
	o->attach_arg = *jstr(j, "attach") ? jstr(j, "attach") : "auto";
	o->both = !strcmp(o->attach_arg, "both");
	json_array_foreach(json_object_get(j, "kernels"), i, v)
	{
		if (nk == max)
			break;
		for (size_t f = 0; f < N_FIELDS; f++)
			field_read(&kr[nk], &kernel_fields[f], v);
		if (!kr[nk].attach[0]) /* a record from before --attach */
			snprintf(kr[nk].attach, sizeof(kr[nk].attach), "auto");
		kresult_set_label(&kr[nk], o->both);
		runs_read(o, &kr[nk], v, out);
		nk++;
	}
	if (!nk)
		die("%s lists no kernel", path);
	o->original = j;
	o->version = jstr(j, "herdlab_version");
	return nk;
}
