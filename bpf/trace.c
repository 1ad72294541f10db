/* SPDX-License-Identifier: MIT */
/*
 * trace.c - the loader: one straight line from open to close (see trace.h).
 *
 *	open       herd_bpf__open
 *	configure  probe the kernel once (kfeatures.c), set compat.bpf.h's knobs,
 *		   choose every program by name (set_autoload)
 *	load       herd_bpf__load, once
 *	attach     every chosen program but the iterators
 *	seed       the targets and their ports from /proc (procseed.c)
 *	poll       drain the ring buffer into growable arrays
 *	collect    the maps (tracemaps.c) and the arrays into a trace_result
 *	close      links, ring buffer, object, in reverse
 *
 * Which programs. Each tp_btf program has a raw_tp twin reading the same
 * arguments with CO-RE; exactly one of each pair is loaded, the tp_btf one
 * where the kernel loads tp_btf programs. Where it also has bpf_task_pt_regs
 * (5.15+), sched_switch reads what a sleeping task waits in from its registers
 * and records live in task-local storage; only the system calls herd.h's
 * HERD_SYSCALLS marks for it are then traced, records leave at the last switch
 * (sched_process_free then only ends zombies), and the two iterators carry records
 * between the tasks map and task storage (run_iter): adopt after seeding,
 * snapshot before collecting. User space always reads and writes the tasks map.
 * The fates' tracepoints (herd.h's HERD_FATE_TPS) are each loaded where the
 * kernel's BTF has them with the arguments their programs read, and one that
 * is not loaded or does not attach is reported absent (fates_absent), never a
 * failure of the tracer.
 * The path for accepts, forks and reaps: system-call tracepoints, or fexit
 * where trampolines attach (5.15+; attach.h chooses, choose_fexit loads).
 * HERDLAB_RAW_TP=1 forces the raw_tp twins, HERDLAB_SYS_ENTER=1 the entry
 * programs and the hash, HERDLAB_NO_CAST=1 accept's exit with probe reads (the
 * tests check every path on one kernel).
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
#include "kfeatures.h"
#include "herd.skel.h"
#include "log.h"
#include "procseed.h"
#include "tracemaps.h"
#include "vec.h"

struct tracer {
	struct herd_bpf *skel;	     /* the loaded programs and maps */
	struct vec links;	     /* struct bpf_link *: one per attached program */
	struct ring_buffer *rb;	     /* the events ring buffer */
	bool raw_tp;		     /* the raw_tp twins are in use */
	bool wait_from_regs;	     /* sched_switch reads the waiting call from registers */
	bool task_storage;	     /* records live in task-local storage */
	bool data_ready;	     /* the kernel has sock:sk_data_ready */
	bool uring;		     /* io_uring_complete is attached */
	bool cast;		     /* accept's exit reads through bpf_rdonly_cast */
	enum tracer_attach attach;   /* tracepoints or fexit: how accepts, forks, reaps are seen */
	uint32_t fates_absent;	     /* bit i: fate tracepoint i not loaded or not attached */
	uint64_t start_ns;	     /* when tracing began */
	uint64_t overflows0, drops0; /* TcpExt counters at the start */
	/* what the ring buffer brought */
	struct vec gone;  /* struct trace_task: tasks freed while tracing */
	struct vec procs; /* struct trace_proc: process exits and reaps */
	struct vec conns; /* struct herd_conn: closed connections */
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
		if (t->task_storage && run_iter(t->skel->progs.adopt) < 0)
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

/* ---- the ring buffer ------------------------------------------------------- */

static struct trace_proc *find_proc(struct tracer *t, uint32_t pid, bool unreaped)
{
	for (size_t i = t->procs.len; i-- > 0;) { /* the latest first: pids are reused */
		struct trace_proc *p = vec_at(&t->procs, i);
		if (p->pid == pid && (!unreaped || !p->reap_ns))
			return p;
	}
	return NULL;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;
	const struct herd_event *e = data;
	struct trace_proc *p;

	switch (e->type) {
	case EV_TASK_GONE: { /* a final record: never a reap (a zombie's record leaves early) */
		struct trace_task *g = vec_push(&t->gone);
		if (g) {
			g->tid = e->pid;
			g->t = e->task;
		}
		break;
	}
	case EV_EXIT:
		/* Its reaper's wait4 may have returned in the instant before its last switch. */
		p = find_proc(t, e->pid, false);
		if (p && p->reap_ns && !p->exit_ns) {
			p->exit_ns = p->reap_ns;
			p->parent = e->reaper;
			break;
		}
		if (!(p = vec_push(&t->procs)))
			break;
		p->pid = e->pid;
		p->parent = e->reaper;
		p->exit_ns = e->ts;
		p->reaped_by = -1;
		if (e->by) { /* auto-reaped: released before it could be a zombie */
			p->reap_ns = e->ts;
			p->reaped_by = REAPED_AUTO;
		}
		break;
	case EV_REAP:
	case EV_FREE:
		/* Only zombies that exited while traced are reaped or freed (herd.bpf.c's
		 * zombies map): a reap that overtook its exit comes first. */
		if (!(p = find_proc(t, e->pid, true))) {
			if (!(p = vec_push(&t->procs)))
				break;
			p->pid = e->pid;
		}
		p->reap_ns = e->ts;
		p->reaped_by = (int)e->by;
		p->reaper = e->reaper;
		if (e->type == EV_REAP)
			memcpy(p->reaper_comm, e->comm, sizeof(p->reaper_comm) - 1);
		break;
	case EV_CONN: {
		struct herd_conn *c = vec_push(&t->conns);
		if (c)
			*c = e->conn;
		break;
	}
	}
	return 0;
}

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

static bool env_is_1(const char *name)
{
	const char *v = getenv(name);

	return v && *v == '1';
}

/* Fate tracepoint @i's tp_btf program and its raw_tp twin. */
static void fate_twins(struct herd_bpf *s, int i, struct bpf_program **btf,
		       struct bpf_program **raw)
{
	switch (i) {
#define FATE_CASE(name, args)               \
	case FATE_TP_##name:                \
		*btf = s->progs.name##_btf; \
		*raw = s->progs.name##_raw; \
		break;
		HERD_FATE_TPS(FATE_CASE)
#undef FATE_CASE
	}
}

/* The fate tracepoint @prog is a program of (-1: none). */
static int fate_of_prog(struct herd_bpf *s, const struct bpf_program *prog)
{
	for (int i = 0; i < FATE_TPS; i++) {
		struct bpf_program *btf, *raw;
		fate_twins(s, i, &btf, &raw);
		if (prog == btf || prog == raw)
			return i;
	}
	return -1;
}

/*
 * The fexit path (attach.h): its programs instead of every system call's, the
 * accept twin for this kernel's inet_csk_accept, the fork function by name.
 */
static void choose_fexit(struct tracer *t, const struct kfeatures *f)
{
	struct herd_bpf *s = t->skel;
	bool fexit = t->attach == ATTACH_FEXIT;
	struct bpf_program *prog;

	if (fexit) { /* no system-call tracepoint at all */
		bpf_object__for_each_program(prog, s->obj) {
			if (bpf_program__type(prog) == BPF_PROG_TYPE_TRACEPOINT &&
			    !strncmp(bpf_program__section_name(prog), "tracepoint/syscalls/", 20))
				bpf_program__set_autoload(prog, false);
		}
	}
	bpf_program__set_autoload(s->progs.fexit_accept_err, fexit && f->accept_args == 4);
	bpf_program__set_autoload(s->progs.fexit_accept_arg, fexit && f->accept_args == 2);
	bpf_program__set_autoload(s->progs.fentry_clone, fexit);
	bpf_program__set_autoload(s->progs.fexit_clone, fexit);
	bpf_program__set_autoload(s->progs.fentry_release_task, fexit);
	if (fexit && f->clone_fn) {
		bpf_program__set_attach_target(s->progs.fentry_clone, 0, f->clone_fn);
		bpf_program__set_attach_target(s->progs.fexit_clone, 0, f->clone_fn);
	}
}

/*
 * Choose what this kernel runs, from one probe, before the one load: the
 * knobs of compat.bpf.h, the task_store map, the path (tracepoints or fexit:
 * -EOPNOTSUPP when a forced one cannot run), and every program by name.
 */
static int configure(struct tracer *t, enum tracer_attach want)
{
	struct herd_bpf *s = t->skel;
	struct kfeatures f;
	char why[256] = "";

	kfeatures_probe(&f);
	t->raw_tp = !f.tp_btf || env_is_1("HERDLAB_RAW_TP");
	t->wait_from_regs = !t->raw_tp && f.task_regs && !env_is_1("HERDLAB_SYS_ENTER");
	t->task_storage = t->wait_from_regs; /* every kernel with the one has the other */
	t->data_ready = f.data_ready;
	t->cast = f.rdonly_cast && !env_is_1("HERDLAB_NO_CAST");
	int path = attach_choose(want, f.fexit, f.fexit_err, f.fexit_loaded,
				 t->wait_from_regs && f.accept_args >= 2 && f.clone_fn, why,
				 sizeof(why));
	if (path < 0) {
		log_warn("--attach fexit: %s", why);
		return -EOPNOTSUPP;
	}
	t->attach = (enum tracer_attach)path;
	if (t->attach == ATTACH_FEXIT)
		log_info("accepts, forks and reaps at fexit (inet_csk_accept, %s, release_task): "
			 "no system-call tracepoint",
			 f.clone_fn);
	else if (f.fexit)
		log_info("accepts, forks and reaps at system-call tracepoints (%s)",
			 want == ATTACH_TRACEPOINTS ? "as asked" : "fexit needs Linux 5.15+");
	else
		log_info("accepts, forks and reaps at system-call tracepoints: fentry/fexit "
			 "refused here (%s an fexit program: %s)",
			 f.fexit_loaded ? "attaching" : "loading", strerror(f.fexit_err));

	s->rodata->wait_from_regs = t->wait_from_regs;
	s->rodata->task_storage = t->task_storage;
	s->rodata->have_data_ready = t->data_ready;
	s->rodata->uring_res = f.uring_res;
	bpf_map__set_autocreate(s->maps.task_store, t->task_storage);

	/* Each tracepoint's tp_btf program and its raw_tp twin: one of them, if any. */
	const struct {
		struct bpf_program *btf, *raw;
		bool wanted;
	} twins[] = {
		{ s->progs.sched_switch_btf, s->progs.sched_switch_raw, true },
		{ s->progs.sched_waking_btf, s->progs.sched_waking_raw, true },
		{ s->progs.sched_wakeup_new_btf, s->progs.sched_wakeup_new_raw, true },
		{ s->progs.sched_migrate_task_btf, s->progs.sched_migrate_task_raw, true },
		{ s->progs.sched_process_fork_btf, s->progs.sched_process_fork_raw, true },
		{ s->progs.sched_process_exit_btf, s->progs.sched_process_exit_raw, true },
		{ s->progs.sched_process_free_btf, s->progs.sched_process_free_raw, true },
		{ s->progs.sched_process_exec_btf, s->progs.sched_process_exec_raw, true },
		{ s->progs.inet_sock_set_state_btf, s->progs.inet_sock_set_state_raw, true },
		{ s->progs.sk_data_ready_btf, s->progs.sk_data_ready_raw, t->data_ready },
	};
	for (size_t i = 0; i < sizeof(twins) / sizeof(twins[0]); i++) {
		bpf_program__set_autoload(twins[i].btf, twins[i].wanted && !t->raw_tp);
		bpf_program__set_autoload(twins[i].raw, twins[i].wanted && t->raw_tp);
	}

	/* The system calls: all of them, or with waits from registers those marked. */
	bool regs = t->wait_from_regs;
#define CHOOSE_SYSCALL(name, exit, keep)                                              \
	bpf_program__set_autoload(s->progs.enter_##name,                              \
				  !regs || SYSCALL_REGS_##keep == SYSCALL_REGS_BOTH); \
	bpf_program__set_autoload(s->progs.exit_##name,                               \
				  !regs || SYSCALL_REGS_##keep != SYSCALL_REGS_NONE);
	HERD_SYSCALLS(CHOOSE_SYSCALL)
#undef CHOOSE_SYSCALL
	/* accept's exits: the twin that reads through bpf_rdonly_cast where there is one. */
	struct bpf_program *accepts[][2] = {
		{ s->progs.exit_accept, s->progs.exit_accept_cast },
		{ s->progs.exit_accept4, s->progs.exit_accept4_cast },
	};
	for (size_t i = 0; i < sizeof(accepts) / sizeof(accepts[0]); i++) {
		bool wanted = bpf_program__autoload(accepts[i][0]);
		bpf_program__set_autoload(accepts[i][0], wanted && !t->cast);
		bpf_program__set_autoload(accepts[i][1], wanted && t->cast);
	}

	/* The fates' tracepoints: each where it exists with the arguments its program reads. */
	static const int fate_min_args[FATE_TPS] = {
#define FATE_MIN(name, args) [FATE_TP_##name] = args,
		HERD_FATE_TPS(FATE_MIN)
#undef FATE_MIN
	};
	for (int i = 0; i < FATE_TPS; i++) {
		struct bpf_program *btf, *raw;
		fate_twins(s, i, &btf, &raw);
		bool wanted = f.fate_args[i] >= fate_min_args[i];
		bpf_program__set_autoload(btf, wanted && !t->raw_tp);
		bpf_program__set_autoload(raw, wanted && t->raw_tp);
		if (!wanted)
			t->fates_absent |= 1u << i;
	}
	s->rodata->send_reset_reason = f.fate_args[FATE_TP_tcp_send_reset] >= 3;

	choose_fexit(t, &f);

	/* Task storage's iterators (run on demand, never attached). */
	bpf_program__set_autoload(s->progs.adopt, t->task_storage);
	bpf_program__set_autoload(s->progs.snapshot, t->task_storage);
	/* io_uring_complete_raw is raw_tp on every kernel: loaded as it is. */
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
			int fate = fate_of_prog(t->skel, prog);
			if (uring)
				continue;
			if (fate >= 0) {
				t->fates_absent |= 1u << fate;
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
	t->gone = VEC_INIT(struct trace_task);
	t->procs = VEC_INIT(struct trace_proc);
	t->conns = VEC_INIT(struct herd_conn);
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
	if ((err = configure(t, opts ? opts->attach : ATTACH_AUTO)) < 0)
		goto cleanup;
	if ((err = load(t)) < 0)
		goto cleanup;
	if ((err = attach(t)) < 0)
		goto cleanup;
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_event, t, NULL);
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
	vec_free(&t->gone);
	vec_free(&t->procs);
	vec_free(&t->conns);
	free(t);
}

void tracer_shared(const struct tracer *t, struct tracer_shared *out)
{
	*out = (struct tracer_shared){
		.tasks_fd = bpf_map__fd(t->skel->maps.tasks),
		.task_store_fd = t->task_storage ? bpf_map__fd(t->skel->maps.task_store) : -1,
		.windows_fd = bpf_map__fd(t->skel->maps.windows),
		.raw_tp = t->raw_tp,
		.task_storage = t->task_storage,
		.wait_from_regs = t->wait_from_regs,
		.data_ready = t->data_ready,
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
	if (t->task_storage && run_iter(t->skel->progs.snapshot) < 0)
		return -EIO;
	if ((err = tracemaps_alive(t->skel, &alive)) < 0)
		goto cleanup;
	size_t ngone0 = t->gone.len;
	tracer_poll(t, 0); /* the last records: the counts below include them */
	r->start_ns = t->start_ns;
	r->end_ns = clock_now_ns();
	r->raw_tp = t->raw_tp;
	r->wait_from_regs = t->wait_from_regs;
	r->task_storage = t->task_storage;
	r->uring_accepts = t->uring;
	r->exact_arrivals = t->data_ready;
	r->attach = t->attach;
	uint64_t ov, dr;
	procseed_listen_counters(&ov, &dr);
	r->listen_overflows = ov - t->overflows0;
	r->listen_drops = dr - t->drops0;
	if ((err = tracemaps_percpu(t->skel, r)) < 0)
		goto cleanup;

	/* Tasks: those that are gone, then those still alive (unless gone meanwhile). */
	const struct trace_task *gone = t->gone.data, *live = alive.data;
	size_t cap = t->gone.len + alive.len;
	err = -ENOMEM;
	if (!(r->tasks = malloc((cap ? cap : 1) * sizeof(*r->tasks))))
		goto cleanup;
	if (t->gone.len)
		memcpy(r->tasks, gone, t->gone.len * sizeof(*r->tasks));
	r->ntasks = t->gone.len;
	for (size_t i = 0; i < alive.len; i++) {
		bool freed = false;
		for (size_t g = ngone0; g < t->gone.len && !freed; g++)
			freed = gone[g].tid == live[i].tid;
		if (!freed)
			r->tasks[r->ntasks++] = live[i];
	}

	if (!(r->procs = malloc((t->procs.len ? t->procs.len : 1) * sizeof(*r->procs))))
		goto cleanup;
	if (t->procs.len)
		memcpy(r->procs, t->procs.data, t->procs.len * sizeof(*r->procs));
	r->nprocs = t->procs.len;
	if ((err = tracemaps_conns(t->skel, &t->conns, r)) == 0 &&
	    (err = tracemaps_fates(t->skel, t->fates_absent, r)) == 0)
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
