/* SPDX-License-Identifier: MIT */
/*
 * sched_trace.c - the loader of sched_events.bpf.c (see sched_trace.h), one
 * straight line as trace.c is:
 *
 *	open       sched_events_bpf__open
 *	configure  the tracer's choices as the object's knobs; its maps reused
 *	           (tasks, task_store, windows: bpf_map__reuse_fd, read-only use)
 *	load       sched_events_bpf__load, once
 *	attach     sched_switch, sched_waking, sched_wakeup_new (tp_btf)
 *	seed       a record for each target asleep now (SCHED_SEED): a worker that
 *	           sleeps through the whole recording is still an idle worker
 *	poll       the ring into sched.bin, through an afile: whole or absent
 *	stop       links first, then the last records, then the file
 *
 * The file is bounded: past its cap the object is told to stop (its `stopped`
 * flag in .bss) and from then on only counts what it would have sent, so a
 * long run costs no more disk than the cap and says what it lost.
 */
#include "sched_trace.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "files.h"
#include "herd.h"
#include "log.h"
#include "procseed.h"
#include "sched_events.h"
#include "sched_events.skel.h"

struct sched_trace {
	struct sched_events_bpf *skel; /* the loaded programs, their maps */
	struct bpf_link *links[3];     /* one per attached program */
	struct ring_buffer *rb;	       /* sched_events */
	struct afile file;	       /* sched.bin, renamed into place when complete */
	bool file_open;		       /* file is open */
	uint64_t cap;		       /* the most bytes of records to write */
	int tasks_fd;		       /* the tracer's targets (its tasks map) */
	uint64_t written;	       /* bytes of records written */
	uint64_t records;	       /* records written */
	uint64_t past_cap;	       /* records consumed after the cap was reached */
	bool failed;		       /* a write failed: the file is discarded */
	bool stopped;		       /* sched_trace_stop ran */
};

static int on_rec(void *ctx, void *data, size_t size)
{
	struct sched_trace *st = ctx;

	if (size < sizeof(struct sched_rec))
		return 0;
	if (st->written + sizeof(struct sched_rec) > st->cap) {
		st->past_cap++;
		st->skel->bss->stopped = 1; /* the object counts the rest itself */
		return 0;
	}
	if (fwrite(data, sizeof(struct sched_rec), 1, st->file.f) != 1)
		st->failed = true;
	st->written += sizeof(struct sched_rec);
	st->records++;
	return 0;
}

/* Reuse the tracer's map @fd for @map, or leave @map out when the tracer has none. */
static int share(struct bpf_map *map, int fd)
{
	if (fd < 0)
		return bpf_map__set_autocreate(map, false);
	return bpf_map__reuse_fd(map, fd);
}

static int configure(struct sched_trace *st, const struct tracer *t)
{
	struct tracer_shared sh;
	struct sched_events_bpf *s = st->skel;

	tracer_shared(t, &sh);
	if (sh.raw_tp) {
		log_warn("--causes needs BTF-typed tracepoints (tp_btf), which this kernel "
			 "does not load");
		return -EOPNOTSUPP;
	}
	st->tasks_fd = sh.tasks_fd;
	s->rodata->task_storage = sh.task_storage;
	s->rodata->wait_from_regs = sh.wait_from_regs;
	s->rodata->have_data_ready = sh.data_ready;
	int err = share(s->maps.tasks, sh.tasks_fd);
	if (!err)
		err = share(s->maps.task_store, sh.task_store_fd);
	if (!err)
		err = share(s->maps.windows, sh.windows_fd);
	if (err)
		log_warn("sharing the tracer's maps failed: %s", strerror(-err));
	return err;
}

static int attach(struct sched_trace *st)
{
	struct bpf_program *progs[] = { st->skel->progs.sched_switch, st->skel->progs.sched_waking,
					st->skel->progs.sched_wakeup_new };

	for (size_t i = 0; i < 3; i++) {
		if (!(st->links[i] = bpf_program__attach(progs[i]))) {
			int err = -errno;
			log_warn("attaching %s failed: %s", bpf_program__section_name(progs[i]),
				 strerror(-err));
			return err;
		}
	}
	return 0;
}

/*
 * Every target asleep in a system call now, as a switch-out record of its own
 * (SCHED_SEED) stamped @ts: the programs see a task only when it switches or is
 * woken, and a worker idle through the whole recording (an EPOLLEXCLUSIVE pool's
 * last-registered workers) would otherwise not be there to rank or count.
 */
static void seed(struct sched_trace *st, uint64_t ts)
{
	__u32 tid, *prev = NULL;

	while (st->tasks_fd >= 0 && bpf_map_get_next_key(st->tasks_fd, prev, &tid) == 0) {
		long nr, arg1;
		prev = &tid;
		if (procseed_sleeping_in(tid, &nr, &arg1) != 1)
			continue;
		struct sched_rec r = { .ts = ts,
				       .tid = tid,
				       .type = SCHED_SWITCH,
				       .flags = SCHED_PREV_TARGET | SCHED_NR_KNOWN | SCHED_SEED,
				       .nr = (__s32)nr,
				       .arg1 = (__s32)arg1,
				       .wait = herd_wait_kind(nr, arg1) };
		on_rec(st, &r, sizeof(r));
	}
}

int sched_trace_open(struct sched_trace **out, const struct tracer *t, const char *path,
		     uint64_t cap_bytes)
{
	struct sched_trace *st = calloc(1, sizeof(*st));
	struct sched_file_head head = { .rec_size = sizeof(struct sched_rec) };
	int err;

	if (!st)
		return -ENOMEM;
	st->cap = cap_bytes;
	if (afile_open(&st->file, path) < 0) {
		err = -errno;
		log_warn("cannot create %s: %s", path, strerror(-err));
		goto cleanup;
	}
	st->file_open = true;
	if (!(st->skel = sched_events_bpf__open())) {
		err = -errno;
		log_warn("opening the scheduling events' BPF object failed: %s", strerror(-err));
		goto cleanup;
	}
	if ((err = configure(st, t)) < 0)
		goto cleanup;
	if ((err = sched_events_bpf__load(st->skel)) < 0) {
		log_warn("loading the scheduling events' programs failed: %s", strerror(-err));
		goto cleanup;
	}
	if ((err = attach(st)) < 0)
		goto cleanup;
	st->rb = ring_buffer__new(bpf_map__fd(st->skel->maps.sched_events), on_rec, st, NULL);
	if (!st->rb) {
		err = -errno;
		log_warn("ring_buffer__new() failed: %s", strerror(-err));
		goto cleanup;
	}
	memcpy(head.magic, SCHED_FILE_MAGIC, sizeof(head.magic));
	head.start_ns = clock_now_ns();
	if (fwrite(&head, sizeof(head), 1, st->file.f) != 1) {
		err = -EIO;
		goto cleanup;
	}
	seed(st, head.start_ns);
	*out = st;
	return 0;
cleanup:
	sched_trace_close(st);
	return err;
}

int sched_trace_poll(struct sched_trace *st)
{
	return st->stopped ? 0 : ring_buffer__consume(st->rb);
}

/* The kernel's ids of the loaded programs, for a check that they were ours and are gone. */
static void prog_ids(struct sched_trace *st, struct sched_trace_stats *s)
{
	struct bpf_program *prog;

	s->nprog_ids = 0;
	bpf_object__for_each_program(prog, st->skel->obj) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);
		if (s->nprog_ids < sizeof(s->prog_ids) / sizeof(s->prog_ids[0]) &&
		    bpf_program__fd(prog) >= 0 &&
		    !bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			s->prog_ids[s->nprog_ids++] = info.id;
	}
}

int sched_trace_stop(struct sched_trace *st, struct sched_trace_stats *stats)
{
	if (stats)
		prog_ids(st, stats);
	for (size_t i = 0; i < 3; i++) {
		bpf_link__destroy(st->links[i]);
		st->links[i] = NULL;
	}
	ring_buffer__consume(st->rb);
	st->stopped = true;
	bool ok = !st->failed;
	int err = afile_close(&st->file, ok) < 0 ? -errno : 0;
	st->file_open = false;
	if (!ok && !err)
		err = -EIO;
	if (stats) {
		stats->records = st->records;
		stats->lost = st->past_cap + st->skel->bss->lost + st->skel->bss->suppressed;
		stats->cap_bytes = st->cap;
	}
	return err;
}

void sched_trace_close(struct sched_trace *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < 3; i++)
		bpf_link__destroy(st->links[i]);
	ring_buffer__free(st->rb);
	sched_events_bpf__destroy(st->skel);
	if (st->file_open)
		afile_close(&st->file, false);
	free(st);
}
