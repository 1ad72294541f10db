/* SPDX-License-Identifier: MIT */
/*
 * tracemaps.c - the tracer's maps read into a trace_result (tracer_collect's
 * parts): the per-CPU totals and histograms summed, the tasks map's records,
 * the connections (closed ones from the ring buffer, then the conns map's),
 * the fates map, and the kernel's ids of the object's programs, maps and links.
 *
 * Why apart from trace.c: each is a walk of one map through its fd, with
 * nothing of the loader's choices but what it is handed, so trace.c keeps only
 * the order they run in (and why: the tasks map before the last drain of the
 * ring buffer).
 */
#include "tracemaps.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int tracemaps_percpu(struct herd_bpf *s, struct trace_result *r)
{
	int ncpu = libbpf_num_possible_cpus();
	struct herd_totals *tv = ncpu > 0 ? calloc((size_t)ncpu, sizeof(*tv)) : NULL;
	struct herd_histogram *hv = ncpu > 0 ? calloc((size_t)ncpu, sizeof(*hv)) : NULL;
	__u32 zero = 0;

	if (!tv || !hv) {
		free(tv);
		free(hv);
		return -ENOMEM;
	}
	if (bpf_map_lookup_elem(bpf_map__fd(s->maps.totals), &zero, tv) == 0) {
		for (int c = 0; c < ncpu; c++) {
			__u64 *dst = (__u64 *)&r->totals, *src = (__u64 *)&tv[c];
			for (size_t i = 0; i < sizeof(r->totals) / sizeof(__u64); i++)
				dst[i] += src[i];
		}
	}
	for (__u32 h = 0; h < HISTS; h++) {
		if (bpf_map_lookup_elem(bpf_map__fd(s->maps.hists), &h, hv))
			continue;
		for (int c = 0; c < ncpu; c++)
			for (int k = 0; k < HERD_HIST_SLOTS; k++)
				r->hist[h].slot[k] += hv[c].slot[k];
	}
	free(tv);
	free(hv);
	return 0;
}

/* Every task in the tasks map into @alive (struct trace_task); 0 or -ENOMEM. */
int tracemaps_alive(struct herd_bpf *s, struct vec *alive)
{
	int fd = bpf_map__fd(s->maps.tasks);
	__u32 key, next, *prev = NULL;
	struct herd_task task;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &task))
			continue;
		struct trace_task *e = vec_push(alive);
		if (!e)
			return -ENOMEM;
		e->tid = key;
		e->alive = true;
		e->t = task;
	}
	return 0;
}

/* Closed connections, then those still open (in the conns map), into @r. */
int tracemaps_conns(struct herd_bpf *s, const struct vec *closed, struct trace_result *r)
{
	struct vec all = VEC_INIT(struct herd_conn);
	int fd = bpf_map__fd(s->maps.conns);
	__u64 key, next, *prev = NULL;
	struct herd_conn c, *e;

	for (size_t i = 0; i < closed->len; i++) {
		if (!(e = vec_push(&all)))
			goto oom;
		*e = *(struct herd_conn *)vec_at(closed, i);
	}
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &c))
			continue;
		if (!(e = vec_push(&all)))
			goto oom;
		*e = c;
	}
	r->conns = vec_take(&all, &r->nconns);
	return 0;
oom:
	vec_free(&all);
	return -ENOMEM;
}

/* Every client with a fate, from the fates map, into @r. */
int tracemaps_fates(struct herd_bpf *s, uint32_t fates_absent, struct trace_result *r)
{
	struct vec all = VEC_INIT(struct trace_fate);
	int fd = bpf_map__fd(s->maps.fates);
	struct herd_fate_key key, next, *prev = NULL;
	struct herd_fate f;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &f))
			continue;
		struct trace_fate *e = vec_push(&all);
		if (!e) {
			vec_free(&all);
			return -ENOMEM;
		}
		e->f = f;
	}
	r->fates = vec_take(&all, &r->nfates);
	r->fates_absent = fates_absent;
	return 0;
}

/*
 * The kernel's ids of this tracer's programs, links and maps: what a check that
 * nothing outlived it looks for (by id, never by counting every program on
 * the machine, which another tracer changes).
 */
int tracemaps_ids(struct herd_bpf *s, const struct vec *links, struct trace_result *r)
{
	struct bpf_program *prog;
	size_t n = 0;

	bpf_object__for_each_program(prog, s->obj)
		n++;
	if (!(r->prog_ids = calloc(n + 1, sizeof(*r->prog_ids))) ||
	    !(r->link_ids = calloc(links->len + 1, sizeof(*r->link_ids))))
		return -ENOMEM;
	bpf_object__for_each_program(prog, s->obj) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);
		if (bpf_program__fd(prog) >= 0 &&
		    !bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			r->prog_ids[r->nprog_ids++] = info.id;
	}
	struct bpf_map *map;
	n = 0;
	bpf_object__for_each_map(map, s->obj)
		n++;
	if (!(r->map_ids = calloc(n + 1, sizeof(*r->map_ids))))
		return -ENOMEM;
	bpf_object__for_each_map(map, s->obj) {
		struct bpf_map_info info = { 0 };
		__u32 len = sizeof(info);
		if (bpf_map__fd(map) >= 0 && !bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &len))
			r->map_ids[r->nmap_ids++] = info.id;
	}
	for (size_t i = 0; i < links->len; i++) {
		struct bpf_link_info info = { 0 };
		__u32 len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(bpf_link__fd(*(struct bpf_link **)vec_at(links, i)),
					    &info, &len))
			r->link_ids[r->nlink_ids++] = info.id;
	}
	return 0;
}
