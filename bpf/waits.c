/* SPDX-License-Identifier: MIT */
/*
 * waits.c - the waits object's loader (waits.h): one straight line, as trace.c.
 *
 *	open       waits_bpf__open
 *	configure  the tracer's probe of the kernel (kfeatures.c): tp_btf or raw_tp
 *		   for sched_switch, task storage or a hash for the calls in progress
 *	share      the tracer's tasks map, by fd, before the load: the same targets
 *	load       waits_bpf__load, once
 *	attach     every loaded program (a call the kernel lacks, epoll_pwait2
 *		   before 5.11, is skipped)
 *	collect    the rows, the histograms, the counters, the kernel's ids
 *	close      links, then the object
 *
 * HERDLAB_RAW_TP=1 forces the raw_tp sched_switch and the hash, as it forces the
 * tracer's twins, so that one kernel tests both paths.
 */
#include "waits.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kfeatures.h"
#include "log.h"
#include "trace.h"
#include "vec.h"
#include "waits.skel.h"

struct waits {
	struct waits_bpf *skel; /* the loaded programs and maps */
	struct vec links;	/* struct bpf_link *: one per attached program */
	bool task_storage;	/* calls in progress live in task storage */
	bool epoll_interest;	/* the kernel's eventpoll counts its interest list */
};

/* Whether the kernel's struct eventpoll has the refcount waits.bpf.c reads (6.4+). */
static bool has_epoll_refcount(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool found = false;

	if (!btf)
		return false;
	int id = btf__find_by_name_kind(btf, "eventpoll", BTF_KIND_STRUCT);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	const struct btf_member *m = t ? btf_members(t) : NULL;
	for (int i = 0; t && i < btf_vlen(t) && !found; i++)
		found = !strcmp(btf__name_by_offset(btf, m[i].name_off), "refcount");
	btf__free(btf);
	return found;
}

static void configure(struct waits *w)
{
	struct waits_bpf *s = w->skel;
	struct kfeatures f;
	const char *raw_env = getenv("HERDLAB_RAW_TP");

	kfeatures_probe(&f);
	bool raw = !f.tp_btf || (raw_env && *raw_env == '1');
	w->task_storage = !raw && f.task_regs; /* the tracer's condition for task storage */
	s->rodata->task_storage = w->task_storage;
	bpf_map__set_autocreate(s->maps.call_store, w->task_storage);
	bpf_map__set_autocreate(s->maps.inflight, !w->task_storage);
	bpf_program__set_autoload(s->progs.switch_btf, !raw);
	bpf_program__set_autoload(s->progs.switch_raw, raw);
	w->epoll_interest = has_epoll_refcount();
}

static int attach(struct waits *w)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, w->skel->obj) {
		if (!bpf_program__autoload(prog))
			continue;
		struct bpf_link *l = bpf_program__attach(prog), **slot;
		if (!l) {
			int err = -errno;
			if (err == -ENOENT && bpf_program__type(prog) == BPF_PROG_TYPE_TRACEPOINT)
				continue; /* a system call this kernel does not have */
			log_warn("attaching %s failed: %s", bpf_program__section_name(prog),
				 strerror(-err));
			return err;
		}
		if (!(slot = vec_push(&w->links))) {
			bpf_link__destroy(l);
			return -ENOMEM;
		}
		*slot = l;
	}
	return 0;
}

int waits_open(struct waits **out, const struct tracer_shared *sh)
{
	struct waits *w = calloc(1, sizeof(*w));
	int err;

	if (!w)
		return -ENOMEM;
	w->links = VEC_INIT(struct bpf_link *);
	if (!(w->skel = waits_bpf__open())) {
		err = -errno;
		log_warn("opening the waits object failed: %s", strerror(-err));
		goto cleanup;
	}
	configure(w);
	if ((err = bpf_map__reuse_fd(w->skel->maps.tasks, sh->tasks_fd)) < 0) {
		log_warn("sharing the tracer's tasks map failed: %s", strerror(-err));
		goto cleanup;
	}
	if ((err = waits_bpf__load(w->skel)) < 0) {
		log_warn("loading the waits object failed: %s (run with -v for the verifier log)",
			 strerror(-err));
		goto cleanup;
	}
	if ((err = attach(w)) < 0)
		goto cleanup;
	*out = w;
	return 0;
cleanup:
	waits_close(w);
	return err;
}

void waits_close(struct waits *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->links.len; i++)
		bpf_link__destroy(*(struct bpf_link **)vec_at(&w->links, i));
	vec_free(&w->links);
	waits_bpf__destroy(w->skel);
	free(w);
}

/* ---- collecting ----------------------------------------------------------------- */

static int collect_rows(struct waits *w, struct waits_result *r)
{
	struct vec rows = VEC_INIT(struct waits_row);
	int fd = bpf_map__fd(w->skel->maps.rows);
	struct waits_key key, next, *prev = NULL;
	struct waits_stat st;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &st))
			continue;
		struct waits_row *row = vec_push(&rows);
		if (!row) {
			vec_free(&rows);
			return -ENOMEM;
		}
		row->tid = key.tid;
		row->kind = key.kind;
		row->s = st;
	}
	r->rows = vec_take(&rows, &r->nrows);
	return 0;
}

static int collect_hists(struct waits *w, struct waits_result *r)
{
	int ncpu = libbpf_num_possible_cpus();
	struct herd_histogram *hv = ncpu > 0 ? calloc((size_t)ncpu, sizeof(*hv)) : NULL;

	if (!hv)
		return -ENOMEM;
	for (__u32 k = 0; k < WAITS_KINDS; k++) {
		if (bpf_map_lookup_elem(bpf_map__fd(w->skel->maps.hists), &k, hv))
			continue;
		for (int c = 0; c < ncpu; c++)
			for (int s = 0; s < HERD_HIST_SLOTS; s++)
				r->hist[k].slot[s] += hv[c].slot[s];
	}
	free(hv);
	return 0;
}

/* The id of the program, map or link behind @fd (0: none). */
static uint32_t id_of(int fd)
{
	union {
		struct bpf_prog_info prog;
		struct bpf_map_info map;
		struct bpf_link_info link;
	} info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.prog.id; /* each info starts with its type, then its id */
}

/* Append @id to the array at *@ids (of *@n). */
static int add_id(uint32_t **ids, size_t *n, uint32_t id)
{
	uint32_t *grown;

	if (!id)
		return 0;
	if (!(grown = realloc(*ids, (*n + 1) * sizeof(**ids))))
		return -ENOMEM;
	grown[(*n)++] = id;
	*ids = grown;
	return 0;
}

/* The kernel's ids of this object's programs, links and own maps (not the shared tasks). */
static int collect_ids(struct waits *w, struct waits_result *r)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	int err = 0;

	bpf_object__for_each_program(prog, w->skel->obj)
		err |= add_id(&r->prog_ids, &r->nprog_ids, id_of(bpf_program__fd(prog)));
	bpf_object__for_each_map(map, w->skel->obj)
		if (map != w->skel->maps.tasks)
			err |= add_id(&r->map_ids, &r->nmap_ids, id_of(bpf_map__fd(map)));
	for (size_t i = 0; i < w->links.len; i++)
		err |= add_id(&r->link_ids, &r->nlink_ids,
			      id_of(bpf_link__fd(*(struct bpf_link **)vec_at(&w->links, i))));
	return err ? -ENOMEM : 0;
}

int waits_collect(struct waits *w, struct waits_result *r)
{
	int err;

	memset(r, 0, sizeof(*r));
	r->task_storage = w->task_storage;
	r->map_full = w->skel->bss->counters.map_full;
	r->epoll_interest = w->epoll_interest;
	if ((err = collect_rows(w, r)) < 0 || (err = collect_hists(w, r)) < 0)
		return err;
	return collect_ids(w, r);
}

int waits_add_ids(const struct waits_result *w, struct trace_result *r)
{
	int err = 0;

	for (size_t i = 0; i < w->nprog_ids; i++)
		err |= add_id(&r->prog_ids, &r->nprog_ids, w->prog_ids[i]);
	for (size_t i = 0; i < w->nlink_ids; i++)
		err |= add_id(&r->link_ids, &r->nlink_ids, w->link_ids[i]);
	for (size_t i = 0; i < w->nmap_ids; i++)
		err |= add_id(&r->map_ids, &r->nmap_ids, w->map_ids[i]);
	return err ? -ENOMEM : 0;
}

void waits_result_free(struct waits_result *r)
{
	free(r->rows);
	free(r->prog_ids);
	free(r->link_ids);
	free(r->map_ids);
	memset(r, 0, sizeof(*r));
}
