/* SPDX-License-Identifier: MIT */
/*
 * runs.c - the numbers of a kernel's runs (matrix.h): a run.json's value by its
 * dotted key (metrics/keys.h names them), and what the runs say of the kernel
 * they ran on; a matrix entry's label and its twin on the other tracer path.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jsonio.h"
#include "kernels/matrix.h"
#include "metrics/keys.h"

const char *const kstatus_name[4] = { "not run", "ok", "partial", "failed" };

double run_num(json_t *run, const char *key)
{
	json_t *j = run ? jsonio_get_path(run, key) : NULL;

	return json_is_number(j) ? json_number_value(j) : NAN;
}

double run_ratio(json_t *run, const char *a, const char *b)
{
	double x = run_num(run, a), y = run_num(run, b);

	return run && y > 0 ? x / y : NAN;
}

const char *kresult_preempt(const struct kernels_opts *o, const struct kresult *kr)
{
	for (int m = 0; m < o->nmodels; m++) {
		json_t *p = kr->run[m] ? jsonio_get_path(kr->run[m], MK_KERNEL_PREEMPT) : NULL;
		if (json_is_string(p))
			return json_string_value(p);
	}
	return NULL;
}

bool kresult_is_rt(const struct kernels_opts *o, const struct kresult *kr)
{
	const char *p = kresult_preempt(o, kr);
	size_t n = strlen(kr->k.name);

	if (p)
		return !strcmp(p, "rt");
	return n > 3 && !strcmp(kr->k.name + n - 3, "-rt");
}

bool kresult_ran(const struct kresult *kr)
{
	return kr->status == K_OK || kr->status == K_PARTIAL;
}

void kresult_set_label(struct kresult *kr, bool both)
{
	if (both)
		snprintf(kr->label, sizeof(kr->label), "%.60s/%s", kr->k.name, kr->attach);
	else
		snprintf(kr->label, sizeof(kr->label), "%s", kr->k.name);
}

const char *kresult_label(const struct kresult *kr)
{
	return kr->label[0] ? kr->label : kr->k.name;
}

const struct kresult *kresult_twin(const struct kresult *kr, int nk, const struct kresult *r)
{
	for (int i = 0; i < nk; i++)
		if (&kr[i] != r && !strcmp(kr[i].k.name, r->k.name) &&
		    strcmp(kr[i].attach, r->attach) &&
		    (!strcmp(kr[i].attach, "fexit") || !strcmp(r->attach, "fexit")))
			return &kr[i];
	return NULL;
}

bool kresult_second_path(const struct kresult *kr, int nk, const struct kresult *r)
{
	return !strcmp(r->attach, "fexit") && kresult_twin(kr, nk, r);
}

const char *run_attach(json_t *run)
{
	json_t *a = run ? jsonio_get_path(run, MK_DOT(MK_TRACE, MK_TRACER_ATTACH)) : NULL;

	return json_string_value(a);
}

void kresults_free(const struct kernels_opts *o, struct kresult *kr, int nk)
{
	for (int i = 0; i < nk; i++)
		for (int m = 0; m < o->nmodels; m++) {
			json_decref(kr[i].run[m]);
			kr[i].run[m] = NULL;
		}
}
