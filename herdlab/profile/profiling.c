/* SPDX-License-Identifier: MIT */
/*
 * profiling.c - a session's profile (profiling.h): the sampler's aggregates
 * turned into named stacks, buckets and files.
 *
 * A stack is folded root first: the label (with --profile-all: target, load
 * generator, kernel thread, idle, other), the thread's name, the user frames,
 * then the kernel frames marked "_[k]". A stack the sampler could not store
 * (its slot in the stack map held another: profile.h) is one frame "[kernel
 * stack lost]_[k]" or "[user stack lost]", so its samples still count, in
 * "other" or "user code", and profile.lost says how many stacks were lost.
 * The buckets are of the targets' samples only: what the server cost.
 */
#include "profile/profiling.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "files.h"
#include "jsonio.h"
#include "log.h"
#include "metrics/keys.h"
#include "path.h"
#include "profile.h"
#include "profile/buckets.h"
#include "profile/flame.h"
#include "profile/folded.h"
#include "profile/symbols.h"
#include "vec.h"

#define POLL_NS	   NSEC_PER_SEC /* how often new pids' maps are read */
#define TOP_STACKS 10

#ifndef EFAULT
#define EFAULT 14
#endif

struct profiling {
	struct profiler *sampler; /* the BPF side */
	struct usyms *usyms;	  /* the maps and symbols read so far */
	struct vec tried;	  /* uint32_t, sorted: pids whose maps were read (or tried) */
	pid_t load;		  /* the load generator (0: none) */
	bool all;		  /* --profile-all */
	bool paused;		  /* sampling has stopped */
	uint64_t next_poll;	  /* when profiling_poll reads maps again */
};

/* The labels of --profile-all, in profile.json's order. */
enum label { LABEL_TARGET, LABEL_LOAD, LABEL_KTHREAD, LABEL_IDLE, LABEL_OTHER, NLABELS };
static const char *const label_names[NLABELS] = {
	"target", "load_generator", "kernel_thread", "idle", "other",
};

int profiling_parse_hz(const char *arg)
{
	char *end;
	long hz;

	if (!arg)
		return PROFILE_DEFAULT_HZ;
	hz = strtol(arg, &end, 10);
	return end == arg || *end || hz < 1 || hz > PROFILE_MAX_HZ ? -1 : (int)hz;
}

int profiling_start(struct profiling **out, const struct tracer_shared *sh, int hz, bool all)
{
	struct profiling *p = calloc(1, sizeof(*p));
	int err;

	*out = NULL;
	if (!p || !(p->usyms = usyms_new())) {
		free(p);
		return -ENOMEM;
	}
	p->tried = (struct vec)VEC_INIT(uint32_t);
	p->all = all;
	p->next_poll = clock_now_ns() + POLL_NS;
	err = profiler_open(&p->sampler,
			    &(struct profiler_opts){ .hz = hz, .all = all, .shared = sh });
	if (err < 0) {
		profiling_close(p);
		return err;
	}
	*out = p;
	return 0;
}

void profiling_set_root(struct profiling *p, pid_t root)
{
	if (p)
		usyms_set_fallback(p->usyms, root);
}

void profiling_set_load(struct profiling *p, pid_t load)
{
	if (p)
		p->load = load;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The maps of every sampled pid not read before (each pid tried once: the dead stay so). */
static void read_new_maps(struct profiling *p)
{
	uint32_t *pids;
	int n = profiler_pids(p->sampler, &pids);
	size_t had = p->tried.len;

	for (int i = 0; i < n; i++) {
		if (!pids[i] || bsearch(&pids[i], p->tried.data, had, sizeof(uint32_t), cmp_u32))
			continue;
		uint32_t *slot = vec_push(&p->tried);
		if (slot)
			*slot = pids[i];
		usyms_read_pid(p->usyms, (pid_t)pids[i]);
	}
	free(pids);
	if (p->tried.len)
		qsort(p->tried.data, p->tried.len, sizeof(uint32_t), cmp_u32);
}

void profiling_poll(struct profiling *p)
{
	if (!p || p->paused || clock_now_ns() < p->next_poll)
		return;
	read_new_maps(p);
	p->next_poll = clock_now_ns() + POLL_NS;
}

void profiling_pause(struct profiling *p)
{
	if (!p || p->paused)
		return;
	profiler_pause(p->sampler);
	p->paused = true;
	read_new_maps(p);
}

void profiling_close(struct profiling *p)
{
	if (!p)
		return;
	profiler_close(p->sampler);
	usyms_free(p->usyms);
	vec_free(&p->tried);
	free(p);
}

/* ---- the stacks, named -------------------------------------------------------------------- */

static enum label label_of(const struct profiling *p, const struct profile_key *k)
{
	if (k->flags & PROFILE_TARGET)
		return LABEL_TARGET;
	if (k->flags & PROFILE_IDLE)
		return LABEL_IDLE;
	if (k->flags & PROFILE_KTHREAD)
		return LABEL_KTHREAD;
	return p->load && k->pid == (uint32_t)p->load ? LABEL_LOAD : LABEL_OTHER;
}

/* A frame into @b, ';' (the folded separator) and newlines made harmless. */
static void add_frame(struct strbuf *b, const char *name, const char *mark)
{
	strbuf_addf(b, "%s", b->len ? ";" : "");
	for (const char *c = name; *c; c++)
		strbuf_addf(b, "%c", *c == ';' || *c == '\n' ? ':' : *c);
	strbuf_addf(b, "%s", mark);
}

/* Stack @s folded into @b (emptied first). */
static void fold(struct profiling *p, const struct ksyms *k, const struct profile_stack *s,
		 struct strbuf *b)
{
	char comm[PROFILE_COMM_LEN + 1];

	b->len = 0;
	if (b->s)
		b->s[0] = 0;
	if (p->all)
		add_frame(b, label_names[label_of(p, &s->key)], "");
	memcpy(comm, s->key.comm, PROFILE_COMM_LEN);
	comm[PROFILE_COMM_LEN] = 0;
	add_frame(b, comm[0] ? comm : "?", "");
	for (uint32_t i = s->nuser; i-- > 0;)
		add_frame(b, usyms_name(p->usyms, (pid_t)s->key.pid, s->user[i]), "");
	if (s->key.ustack < 0 && s->key.ustack != -EFAULT)
		add_frame(b, "[user stack lost]", "");
	for (uint32_t i = s->nkernel; i-- > 0;)
		add_frame(b, ksyms_name(k, s->kernel[i]), "_[k]");
	if (s->key.kstack < 0 && s->key.kstack != -EFAULT)
		add_frame(b, "[kernel stack lost]", "_[k]");
}

/* What the write needs: the folded stacks and the counts of the targets' samples. */
struct tally {
	struct folded folded;
	uint64_t buckets[NBUCKETS]; /* the targets' samples */
	uint64_t labels[NLABELS];
	uint64_t target, all;
};

static int tally(struct profiling *p, const struct profile_result *r, const struct ksyms *k,
		 struct tally *t)
{
	struct strbuf b = { 0 };
	int err = 0;

	for (size_t i = 0; i < r->nstacks && !err; i++) {
		const struct profile_stack *s = &r->stacks[i];
		fold(p, k, s, &b);
		if (b.oom || (err = folded_add(&t->folded, b.s, s->count)) < 0)
			err = -ENOMEM;
		enum label l = label_of(p, &s->key);
		t->labels[l] += s->count;
		t->all += s->count;
		if (l == LABEL_TARGET) {
			t->target += s->count;
			t->buckets[bucket_of_folded(b.s, b.len)] += s->count;
		}
	}
	strbuf_free(&b);
	folded_finish(&t->folded);
	return err;
}

/* ---- the files ------------------------------------------------------------------------- */

static json_t *ids_json(const uint32_t *ids, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_integer(ids[i]));
	return a;
}

static double share(uint64_t part, uint64_t whole)
{
	return whole ? (double)part / (double)whole : 0;
}

/* run.json's profile object. */
static json_t *summary_json(const struct profiling *p, const struct profile_result *r,
			    const struct tally *t, bool hidden)
{
	const uint64_t *st = r->stats;
	json_t *o = json_object(), *buckets = json_object(), *labels = json_object();
	uint64_t lost = st[PROFILE_STAT_KSTACK_COLLISION] + st[PROFILE_STAT_USTACK_COLLISION] +
			st[PROFILE_STAT_STACK_ERROR] + st[PROFILE_STAT_COUNTS_FULL];

	if (!o || !buckets || !labels) {
		json_decref(o), json_decref(buckets), json_decref(labels);
		return NULL;
	}
	jsonio_set_path(o, MK_PROF_HZ, json_integer(r->hz));
	jsonio_set_path(o, MK_PROF_CPUS, json_integer(r->ncpus));
	jsonio_set_path(o, MK_PROF_ALL, json_boolean(p->all));
	jsonio_set_path(o, MK_PROF_SAMPLES, json_integer((json_int_t)t->target));
	jsonio_set_path(o, MK_PROF_SAMPLES_ALL, json_integer((json_int_t)t->all));
	jsonio_set_path(o, MK_PROF_SEEN, json_integer((json_int_t)st[PROFILE_STAT_SEEN]));
	jsonio_set_path(o, MK_PROF_LOST, json_integer((json_int_t)lost));
	jsonio_set_path(o, MK_PROF_LOST_KSTACK,
			json_integer((json_int_t)st[PROFILE_STAT_KSTACK_COLLISION]));
	jsonio_set_path(o, MK_PROF_LOST_USTACK,
			json_integer((json_int_t)st[PROFILE_STAT_USTACK_COLLISION]));
	jsonio_set_path(o, MK_PROF_LOST_STACK_ERRORS,
			json_integer((json_int_t)st[PROFILE_STAT_STACK_ERROR]));
	jsonio_set_path(o, MK_PROF_LOST_COUNTS_FULL,
			json_integer((json_int_t)st[PROFILE_STAT_COUNTS_FULL]));
	jsonio_set_path(o, MK_PROF_KERNEL_SYMBOLS, json_string(hidden ? "hidden" : "kallsyms"));
	jsonio_set_path(o, MK_PROF_MAPS_READ, json_integer((json_int_t)p->tried.len));
	jsonio_set_path(o, MK_PROF_MAPS_BORROWED,
			json_integer((json_int_t)usyms_borrowed(p->usyms)));
	for (int b = 0; b < NBUCKETS; b++)
		json_object_set_new(buckets, bucket_key(b),
				    json_pack("{s:I, s:f}", MK_BUCKET_SAMPLES,
					      (json_int_t)t->buckets[b], MK_BUCKET_SHARE,
					      share(t->buckets[b], t->target)));
	json_object_set_new(o, MK_PROF_BUCKETS, buckets);
	for (int l = 0; l < NLABELS; l++)
		json_object_set_new(labels, label_names[l], json_integer((json_int_t)t->labels[l]));
	json_object_set_new(o, MK_PROF_LABELS, labels);
	return o;
}

/* profile.json: the summary, the top stacks and the ids of what the sampler loaded. */
static int write_json(const char *path, json_t *summary, const struct profile_result *r,
		      const struct tally *t)
{
	json_t *o = json_deep_copy(summary), *top = json_array();
	size_t idx[TOP_STACKS], n = folded_top(&t->folded, idx, TOP_STACKS);
	int rc;

	for (size_t i = 0; top && i < n; i++) {
		const struct folded_stack *s = vec_at(&t->folded.stacks, idx[i]);
		json_array_append_new(
			top, json_pack("{s:s, s:I, s:f, s:s}", MK_PSTACK_STACK, s->stack,
				       MK_BUCKET_SAMPLES, (json_int_t)s->count, MK_BUCKET_SHARE,
				       share(s->count, t->folded.total), MK_PSTACK_BUCKET,
				       bucket_key(bucket_of_folded(s->stack, strlen(s->stack)))));
	}
	if (!o || !top) {
		json_decref(o), json_decref(top);
		return -1;
	}
	json_object_set_new(o, MK_PROF_TOP_STACKS, top);
	jsonio_set_path(o, MK_PROF_PROG_IDS, ids_json(r->prog_ids, r->nprog_ids));
	jsonio_set_path(o, MK_PROF_LINK_IDS, ids_json(r->link_ids, r->nlink_ids));
	jsonio_set_path(o, MK_PROF_MAP_IDS, ids_json(r->map_ids, r->nmap_ids));
	rc = jsonio_save(o, path);
	json_decref(o);
	return rc;
}

/* DIR/@name through @draw, whole or not at all; 0 or -1 (logged). */
static int write_file(const char *dir, const char *name, const struct folded *f, const char *title)
{
	char path[PATH_MAX];
	struct afile a;

	if (path_join(path, sizeof(path), dir, name) < 0 || afile_open(&a, path) < 0) {
		log_warn("cannot write %s/%s: %m", dir, name);
		return -1;
	}
	int w = title ? flame_svg(a.f, f, title) : folded_write(a.f, f);
	if (afile_close(&a, w == 0) < 0 || w < 0) {
		log_warn("cannot write %s: %m", path);
		return -1;
	}
	return 0;
}

json_t *profiling_write(struct profiling *p, const char *dir, const char *title)
{
	struct profile_result r;
	struct tally t = { .folded = FOLDED_INIT };
	struct ksyms *k = NULL;
	bool hidden = false;
	json_t *summary = NULL;
	char path[PATH_MAX];

	if (!p)
		return NULL;
	profiling_pause(p);
	if (ksyms_load(&k, &hidden) < 0)
		log_warn("cannot read /proc/kallsyms: kernel frames are unnamed");
	else if (hidden)
		log_warn("kernel.kptr_restrict hides the kernel's addresses: kernel frames are "
			 "\"[kernel]\"");
	if (profiler_collect(p->sampler, &r) < 0 || tally(p, &r, k, &t) < 0 ||
	    !(summary = summary_json(p, &r, &t, hidden))) {
		log_warn("collecting the profile failed");
		goto out;
	}
	write_file(dir, "profile.folded", &t.folded, NULL);
	write_file(dir, "profile.svg", &t.folded, title);
	if (path_join(path, sizeof(path), dir, "profile.json") < 0 ||
	    write_json(path, summary, &r, &t) < 0)
		log_warn("cannot write %s/profile.json: %m", dir);
out:
	profile_result_free(&r);
	folded_free(&t.folded);
	ksyms_free(k);
	return summary;
}
