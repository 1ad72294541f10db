/* SPDX-License-Identifier: MIT */
/*
 * profile.c - the sampler's loader (profile.h): open -> configure -> load ->
 * attach one cpu-clock perf event per online CPU -> collect -> close.
 *
 * The events are software cpu-clock events in frequency mode (sample_freq =
 * HZ): they need no hardware PMU and fire on CPU time, so an idle CPU is
 * sampled in its idle task. Each event is opened for every task on one CPU
 * (pid -1), disabled until the program is attached; the links are
 * bpf_program__attach_perf_event()'s, and closing them closes the events.
 * Sharing the tracer's `tasks` map (bpf_map__reuse_fd before load) is what
 * makes the targets the same for both: a child the tracer adds at fork is
 * sampled from its first tick.
 */
#include "profile.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "profile.skel.h"
#include "trace.h"
#include "vec.h"

struct profiler {
	struct profile_bpf *skel; /* the loaded program and maps */
	struct vec links;	  /* struct bpf_link *: one per CPU */
	struct vec events;	  /* int: the perf event fds, as the links hold them */
	int hz;			  /* as asked */
};

/* The online CPUs (/sys/devices/system/cpu/online: "0-3,6") into @cpus; 0 or -errno. */
static int online_cpus(struct vec *cpus)
{
	FILE *f = fopen("/sys/devices/system/cpu/online", "re");
	int a, b;
	char sep;

	if (!f)
		return -errno;
	while (fscanf(f, "%d", &a) == 1) {
		b = a;
		if (fscanf(f, "%c", &sep) == 1 && sep == '-' && fscanf(f, "%d%c", &b, &sep) < 1)
			break;
		for (int c = a; c <= b; c++) {
			int *slot = vec_push(cpus);
			if (!slot) {
				fclose(f);
				return -ENOMEM;
			}
			*slot = c;
		}
		if (sep != ',')
			break;
	}
	fclose(f);
	return cpus->len ? 0 : -ENOENT;
}

/* A cpu-clock event sampling at @hz on @cpu, for every task; its fd or -errno. */
static int open_event(int cpu, int hz)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_freq = (__u64)hz,
		.freq = 1,
	};
	int fd = (int)syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int attach(struct profiler *p)
{
	struct vec cpus = VEC_INIT(int);
	int err = online_cpus(&cpus);

	if (err < 0) {
		log_warn("profiler: cannot read the online CPUs: %s", strerror(-err));
		goto out;
	}
	for (size_t i = 0; i < cpus.len; i++) {
		int cpu = *(int *)vec_at(&cpus, i), fd = open_event(cpu, p->hz);
		if (fd < 0) {
			err = fd;
			log_warn("profiler: perf_event_open(cpu-clock, CPU %d) failed: %s", cpu,
				 strerror(-err));
			goto out;
		}
		struct bpf_link *link =
			bpf_program__attach_perf_event(p->skel->progs.profile_sample, fd);
		struct bpf_link **slot = link ? vec_push(&p->links) : NULL;
		int *efd = slot ? vec_push(&p->events) : NULL;
		if (!efd) {
			err = link ? -ENOMEM : -errno;
			log_warn("profiler: attaching to CPU %d's cpu-clock failed: %s", cpu,
				 strerror(-err));
			if (link)
				bpf_link__destroy(link);
			else
				close(fd);
			goto out;
		}
		*slot = link; /* the link owns the event's fd now */
		*efd = fd;
	}
out:
	vec_free(&cpus);
	return err;
}

int profiler_open(struct profiler **out, const struct profiler_opts *opts)
{
	struct profiler *p = calloc(1, sizeof(*p));
	int err = -ENOMEM;

	*out = NULL;
	if (!p)
		return err;
	p->links = (struct vec)VEC_INIT(struct bpf_link *);
	p->events = (struct vec)VEC_INIT(int);
	p->hz = opts->hz;
	if (!(p->skel = profile_bpf__open())) {
		err = -errno;
		log_warn("profiler: cannot open its BPF object: %s", strerror(-err));
		goto fail;
	}
	p->skel->rodata->sample_all = opts->all;
	if (opts->shared &&
	    (err = bpf_map__reuse_fd(p->skel->maps.tasks, opts->shared->tasks_fd))) {
		log_warn("profiler: cannot share the tracer's targets: %s", strerror(-err));
		goto fail;
	}
	if ((err = profile_bpf__load(p->skel))) {
		log_warn("profiler: loading its BPF program failed: %s", strerror(-err));
		goto fail;
	}
	if ((err = attach(p)) < 0)
		goto fail;
	*out = p;
	return 0;
fail:
	profiler_close(p);
	return err;
}

void profiler_pause(struct profiler *p)
{
	for (size_t i = 0; p && i < p->events.len; i++)
		ioctl(*(int *)vec_at(&p->events, i), PERF_EVENT_IOC_DISABLE, 0);
}

void profiler_close(struct profiler *p)
{
	if (!p)
		return;
	for (size_t i = p->links.len; i-- > 0;)
		bpf_link__destroy(*(struct bpf_link **)vec_at(&p->links, i)); /* closes the event */
	vec_free(&p->links);
	vec_free(&p->events);
	profile_bpf__destroy(p->skel);
	free(p);
}

/* ---- collect ---------------------------------------------------------------------- */

int profiler_pids(struct profiler *p, uint32_t **pids)
{
	struct vec v = VEC_INIT(uint32_t);
	struct profile_key key, prev;
	int fd = bpf_map__fd(p->skel->maps.counts);
	bool first = true;

	*pids = NULL;
	while (!bpf_map_get_next_key(fd, first ? NULL : &prev, &key)) {
		bool seen = false;
		for (size_t i = v.len; i-- > 0 && !seen;) /* recent first: keys come grouped */
			seen = *(uint32_t *)vec_at(&v, i) == key.pid;
		uint32_t *slot = seen ? NULL : vec_push(&v);
		if (!seen && !slot) {
			vec_free(&v);
			return -ENOMEM;
		}
		if (slot)
			*slot = key.pid;
		prev = key;
		first = false;
	}
	size_t n;
	*pids = vec_take(&v, &n);
	return (int)n;
}

/* The frames of stack @id (leaf first, up to the first 0) into @ips; how many. */
static uint32_t read_stack(int fd, __s32 id, uint64_t *ips)
{
	uint32_t n = 0;

	if (id < 0 || bpf_map_lookup_elem(fd, &id, ips))
		return 0;
	while (n < PROFILE_STACK_DEPTH && ips[n])
		n++;
	return n;
}

/* The ids of the program, its links and maps, for a check that none outlives us. */
static int collect_ids(struct profiler *p, struct profile_result *r)
{
	struct bpf_map *map;
	size_t nmaps = 0;

	bpf_object__for_each_map(map, p->skel->obj)
		nmaps++;
	if (!(r->prog_ids = calloc(1, sizeof(*r->prog_ids))) ||
	    !(r->link_ids = calloc(p->links.len + 1, sizeof(*r->link_ids))) ||
	    !(r->map_ids = calloc(nmaps + 1, sizeof(*r->map_ids))))
		return -ENOMEM;
	struct bpf_prog_info pi = { 0 };
	__u32 len = sizeof(pi);
	if (!bpf_obj_get_info_by_fd(bpf_program__fd(p->skel->progs.profile_sample), &pi, &len))
		r->prog_ids[r->nprog_ids++] = pi.id;
	for (size_t i = 0; i < p->links.len; i++) {
		struct bpf_link_info li = { 0 };
		len = sizeof(li);
		if (!bpf_obj_get_info_by_fd(bpf_link__fd(*(struct bpf_link **)vec_at(&p->links, i)),
					    &li, &len))
			r->link_ids[r->nlink_ids++] = li.id;
	}
	bpf_object__for_each_map(map, p->skel->obj) {
		struct bpf_map_info mi = { 0 };
		len = sizeof(mi);
		if (map != p->skel->maps.tasks && /* the tracer's: it reports it */
		    !bpf_obj_get_info_by_fd(bpf_map__fd(map), &mi, &len))
			r->map_ids[r->nmap_ids++] = mi.id;
	}
	return 0;
}

static int collect_stats(struct profiler *p, struct profile_result *r)
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(p->skel->maps.stats);
	uint64_t *v = ncpu > 0 ? calloc((size_t)ncpu, sizeof(*v)) : NULL;

	if (!v)
		return -ENOMEM;
	for (__u32 s = 0; s < PROFILE_NSTATS; s++)
		if (!bpf_map_lookup_elem(fd, &s, v))
			for (int c = 0; c < ncpu; c++)
				r->stats[s] += v[c];
	free(v);
	return 0;
}

int profiler_collect(struct profiler *p, struct profile_result *r)
{
	struct vec v = VEC_INIT(struct profile_stack);
	struct profile_key key, prev;
	int cfd = bpf_map__fd(p->skel->maps.counts), sfd = bpf_map__fd(p->skel->maps.stacks);
	bool first = true;
	int err;

	memset(r, 0, sizeof(*r));
	r->hz = p->hz;
	r->ncpus = (int)p->events.len;
	if ((err = collect_stats(p, r)) < 0 || (err = collect_ids(p, r)) < 0)
		return err;
	while (!bpf_map_get_next_key(cfd, first ? NULL : &prev, &key)) {
		struct profile_stack *s = vec_push(&v);
		if (!s) {
			vec_free(&v);
			return -ENOMEM;
		}
		s->key = key;
		if (bpf_map_lookup_elem(cfd, &key, &s->count))
			s->count = 0;
		s->nkernel = read_stack(sfd, key.kstack, s->kernel);
		s->nuser = read_stack(sfd, key.ustack, s->user);
		prev = key;
		first = false;
	}
	r->stacks = vec_take(&v, &r->nstacks);
	return 0;
}

void profile_result_free(struct profile_result *r)
{
	free(r->stacks);
	free(r->prog_ids);
	free(r->link_ids);
	free(r->map_ids);
	memset(r, 0, sizeof(*r));
}
