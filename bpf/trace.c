/* SPDX-License-Identifier: MIT */
/*
 * trace.c - the loader: one straight line from open to close (see trace.h).
 *
 *	open       herd_bpf__open
 *	configure  probe the kernel once and choose every program (traceprogs.c)
 *	load       herd_bpf__load, once
 *	attach     every chosen program but the iterators
 *	seed       the targets and their ports from /proc (procseed.c)
 *	poll       drain the ring buffer into growable arrays (traceevents.c)
 *	collect    the maps (tracemaps.c) and the arrays into a trace_result
 *	close      links, ring buffer, object, in reverse
 *
 * Which programs run is traceprogs.c's choice (traceprogs.h says how), what
 * the ring buffer brings traceevents.c's to keep. Records live in task-local
 * storage where the kernel allows (5.15+): the two iterators then carry records
 * between the tasks map and task storage (run_iter): adopt after seeding,
 * snapshot before collecting. User space always reads and writes the tasks map.
 * A fate's tracepoint that does not attach is reported absent (fates_absent),
 * never a failure of the tracer.
 */
#include "trace.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "clock.h"
#include "herd.skel.h"
#include "log.h"
#include "procseed.h"
#include "traceevents.h"
#include "tracemaps.h"
#include "traceprogs.h"
#include "vec.h"

struct tracer {
	struct herd_bpf *skel;	     /* the loaded programs and maps */
	struct trace_choice c;	     /* what this kernel runs (traceprogs.h) */
	struct vec links;	     /* struct bpf_link *: one per attached program */
	struct ring_buffer *rb;	     /* the events ring buffer */
	struct trace_events ev;	     /* what it brought */
	bool uring;		     /* io_uring_complete is attached */
	uint64_t start_ns;	     /* when tracing began */
	uint64_t overflows0, drops0; /* TcpExt counters at the start */
};

static bool verbose_libbpf;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || !verbose_libbpf)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* ---- targets and ports ---------------------------------------------------------- */

/* Run iterator program @prog over every task once (its work is in its side effects). */
static int run_iter(struct bpf_program *prog)
{
	struct bpf_link *link = bpf_program__attach_iter(prog, NULL);
	char buf[64];
	ssize_t n = 0;
	int fd;

	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	int err = fd < 0 ? -errno : 0;
	if (fd >= 0) {
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			;
		if (n < 0)
			err = -errno; /* before close() can change it */
		close(fd);
	}
	bpf_link__destroy(link);
	if (err)
		log_warn("running %s failed: %s", bpf_program__name(prog), strerror(-err));
	return err;
}

/*
 * Seeds become targets at once in the tasks map, but in task storage only when
 * adopt runs: a target that forks in between is not one yet to sched_process_fork,
 * and its child would be missed. So pass again until a pass finds nobody new:
 * every task of the tree then existed, seeded, before the last adopt, and every
 * fork since was a target's (the same holds in the map between /proc's list and
 * the seeding of a parent).
 */
int tracer_add_tree(struct tracer *t, pid_t root)
{
	int added = 0;

	for (int pass = 0; pass < 16; pass++) {
		int n = procseed_tree(bpf_map__fd(t->skel->maps.tasks), root);
		if (n < 0)
			return added ? added : n;
		if (n == 0)
			break;
		if (t->c.task_storage && run_iter(t->skel->progs.adopt) < 0)
			return -EIO;
		added += n;
	}
	return added;
}

int tracer_add_port(struct tracer *t, uint16_t port)
{
	__u32 key = port;
	__u8 one = 1;

	return bpf_map_update_elem(bpf_map__fd(t->skel->maps.ports), &key, &one, BPF_ANY) ? -errno
											  : 0;
}

int tracer_add_listening_ports(struct tracer *t)
{
	struct vec ports = VEC_INIT(uint16_t);
	int added = 0;

	procseed_listening_ports(bpf_map__fd(t->skel->maps.tasks), &ports);
	for (size_t i = 0; i < ports.len; i++)
		if (tracer_add_port(t, *(uint16_t *)vec_at(&ports, i)) == 0)
			added++;
	vec_free(&ports);
	return added;
}

/* ---- the ring buffer (its records: traceevents.c) ------------------------------ */

int tracer_poll(struct tracer *t, int timeout_ms)
{
	/* The programs wake us only when the ring fills (event_submit): wait out the
	 * timeout, then take everything there, woken or not. */
	if (timeout_ms) {
		int n = ring_buffer__poll(t->rb, timeout_ms);
		if (n < 0 && n != -EINTR)
			return n;
	}
	return ring_buffer__consume(t->rb);
}

/* ---- open, configure, load, attach, close ------------------------------------------ */

/* Whether this process holds what loading and attaching the programs takes. */
static bool may_trace(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (geteuid() == 0)
		return true;
	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	uint64_t eff = (uint64_t)data[1].effective << 32 | data[0].effective;
	bool admin = eff & (1ULL << CAP_SYS_ADMIN);
	bool bpf = admin || (eff & (1ULL << CAP_BPF));
	bool perfmon = admin || (eff & (1ULL << CAP_PERFMON));
	return bpf && perfmon;
}

static int ensure_tracefs(void)
{
	if (access("/sys/kernel/tracing/events", F_OK) == 0 ||
	    access("/sys/kernel/debug/tracing/events", F_OK) == 0)
		return 0;
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) < 0) {
		int err = -errno;
		log_warn("tracefs is not mounted and mount() failed: %s", strerror(-err));
		return err;
	}
	return 0;
}

static int load(struct tracer *t)
{
	int err = herd_bpf__load(t->skel);

	if (err == -EPERM)
		log_warn("loading BPF programs was refused (%s): herdlab trace needs root "
			 "(or CAP_BPF and CAP_PERFMON)",
			 strerror(-err));
	else if (err)
		log_warn("loading the BPF programs failed: %s (run with -v for the verifier log)",
			 strerror(-err));
	return err;
}

/*
 * Attach every loaded program but the iterators. Three may fail without harm:
 * io_uring_complete where the kernel has no io_uring (io_uring accepts then go
 * uncounted), a system call the kernel does not have (epoll_pwait2), and a
 * fate's tracepoint (reported absent).
 */
static int attach(struct tracer *t)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, t->skel->obj) {
		if (!bpf_program__autoload(prog) ||
		    bpf_program__expected_attach_type(prog) == BPF_TRACE_ITER)
			continue; /* not loaded, or run on demand (run_iter) */
		struct bpf_link *l = bpf_program__attach(prog), **slot;
		bool uring = prog == t->skel->progs.io_uring_complete_raw;
		if (!l) {
			int err = -errno;
			int fate = traceprogs_fate_of(t->skel, prog);
			if (uring)
				continue;
			if (fate >= 0) {
				t->c.fates_absent |= 1u << fate;
				continue;
			}
			if (err == -ENOENT && bpf_program__type(prog) == BPF_PROG_TYPE_TRACEPOINT)
				continue;
			log_warn("attaching %s failed: %s", bpf_program__section_name(prog),
				 strerror(-err));
			return err;
		}
		if (!(slot = vec_push(&t->links))) {
			bpf_link__destroy(l);
			return -ENOMEM;
		}
		*slot = l;
		t->uring |= uring;
	}
	return 0;
}

int tracer_open(struct tracer **out, const struct tracer_opts *opts)
{
	struct tracer *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		return -ENOMEM;
	t->links = VEC_INIT(struct bpf_link *);
	traceevents_init(&t->ev);
	verbose_libbpf = opts && opts->verbose;
	libbpf_set_print(libbpf_print);
	if (!may_trace()) {
		log_warn("herdlab trace needs root (or CAP_BPF and CAP_PERFMON): run it with sudo");
		err = -EPERM;
		goto cleanup;
	}
	if ((err = ensure_tracefs()) < 0)
		goto cleanup;
	if (!(t->skel = herd_bpf__open())) {
		err = -errno;
		log_warn("opening the BPF object failed: %s", strerror(-err));
		goto cleanup;
	}
	if ((err = traceprogs_choose(t->skel, opts ? opts->attach : ATTACH_AUTO, &t->c)) < 0)
		goto cleanup;
	if ((err = load(t)) < 0)
		goto cleanup;
	if ((err = attach(t)) < 0)
		goto cleanup;
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), traceevents_on_event, &t->ev,
				 NULL);
	if (!t->rb) {
		err = -errno;
		log_warn("ring_buffer__new() failed: %s", strerror(-err));
		goto cleanup;
	}
	procseed_listen_counters(&t->overflows0, &t->drops0);
	t->start_ns = clock_now_ns();
	*out = t;
	return 0;
cleanup:
	tracer_close(t);
	return err;
}

void tracer_close(struct tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	for (size_t i = 0; i < t->links.len; i++)
		bpf_link__destroy(*(struct bpf_link **)vec_at(&t->links, i));
	vec_free(&t->links);
	herd_bpf__destroy(t->skel);
	traceevents_free(&t->ev);
	free(t);
}

void tracer_shared(const struct tracer *t, struct tracer_shared *out)
{
	*out = (struct tracer_shared){
		.tasks_fd = bpf_map__fd(t->skel->maps.tasks),
		.task_store_fd = t->c.task_storage ? bpf_map__fd(t->skel->maps.task_store) : -1,
		.windows_fd = bpf_map__fd(t->skel->maps.windows),
		.raw_tp = t->c.raw_tp,
		.task_storage = t->c.task_storage,
		.wait_from_regs = t->c.wait_from_regs,
		.data_ready = t->c.data_ready,
	};
}

/* ---- collecting (the maps: tracemaps.c) ---------------------------------------- */

int tracer_collect(struct tracer *t, struct trace_result *r)
{
	struct vec alive = VEC_INIT(struct trace_task);
	int err;

	memset(r, 0, sizeof(*r)); /* whatever fails below, @r is safe to free */
	/*
	 * Tasks still in the map first, then the ring buffer: a task freed in
	 * between (sched_process_free runs after an RCU grace period, long after
	 * the exit on a slow machine) is then in both, never in neither. Records
	 * kept in task storage are copied into the map first.
	 */
	if (t->c.task_storage && run_iter(t->skel->progs.snapshot) < 0)
		return -EIO;
	if ((err = tracemaps_alive(t->skel, &alive)) < 0)
		goto cleanup;
	size_t ngone0 = t->ev.gone.len;
	tracer_poll(t, 0); /* the last records: the counts below include them */
	r->start_ns = t->start_ns;
	r->end_ns = clock_now_ns();
	r->raw_tp = t->c.raw_tp;
	r->wait_from_regs = t->c.wait_from_regs;
	r->task_storage = t->c.task_storage;
	r->uring_accepts = t->uring;
	r->exact_arrivals = t->c.data_ready;
	r->attach = t->c.attach;
	uint64_t ov, dr;
	procseed_listen_counters(&ov, &dr);
	r->listen_overflows = ov - t->overflows0;
	r->listen_drops = dr - t->drops0;
	if ((err = tracemaps_percpu(t->skel, r)) < 0)
		goto cleanup;

	/* Tasks: those that are gone, then those still alive (unless gone meanwhile). */
	const struct trace_task *gone = t->ev.gone.data, *live = alive.data;
	size_t cap = t->ev.gone.len + alive.len;
	err = -ENOMEM;
	if (!(r->tasks = malloc((cap ? cap : 1) * sizeof(*r->tasks))))
		goto cleanup;
	if (t->ev.gone.len)
		memcpy(r->tasks, gone, t->ev.gone.len * sizeof(*r->tasks));
	r->ntasks = t->ev.gone.len;
	for (size_t i = 0; i < alive.len; i++) {
		bool freed = false;
		for (size_t g = ngone0; g < t->ev.gone.len && !freed; g++)
			freed = gone[g].tid == live[i].tid;
		if (!freed)
			r->tasks[r->ntasks++] = live[i];
	}

	if (!(r->procs = malloc((t->ev.procs.len ? t->ev.procs.len : 1) * sizeof(*r->procs))))
		goto cleanup;
	if (t->ev.procs.len)
		memcpy(r->procs, t->ev.procs.data, t->ev.procs.len * sizeof(*r->procs));
	r->nprocs = t->ev.procs.len;
	if ((err = tracemaps_conns(t->skel, &t->ev.conns, r)) == 0 &&
	    (err = tracemaps_fates(t->skel, t->c.fates_absent, r)) == 0)
		err = tracemaps_ids(t->skel, &t->links, r);
cleanup:
	vec_free(&alive);
	return err;
}

void trace_result_free(struct trace_result *r)
{
	free(r->tasks);
	free(r->procs);
	free(r->conns);
	free(r->fates);
	free(r->prog_ids);
	free(r->link_ids);
	free(r->map_ids);
	memset(r, 0, sizeof(*r));
}
