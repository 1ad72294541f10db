/* SPDX-License-Identifier: MIT */
/*
 * trace.c - the loader: one straight line from open to close (see trace.h).
 *
 * open -> choose tp_btf or raw_tp -> load -> attach each program -> seed the
 * targets from /proc -> poll the ring buffer -> collect the maps -> destroy.
 *
 * Where targets' records live (herd.bpf.c, task_storage): in the tasks map, or,
 * on the kernels that read waits from registers, in each task's own storage.
 * User space always reads and writes the tasks map; with task storage two
 * iterator programs carry records across (run_iter): adopt after seeding,
 * snapshot before collecting.
 *
 * tp_btf programs get typed tracepoint arguments and are the default; kernels
 * that cannot load them (no BTF for the tracepoint, or an older verifier) get
 * the raw_tp twins, which read the same arguments with CO-RE. The choice is made
 * by trying: load with the tp_btf set, and on failure reopen with the raw_tp set.
 */
#include "trace.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "herd.skel.h"
#include "log.h"

struct tracer {
	struct herd_bpf *skel;	 /* the loaded programs and maps */
	struct bpf_link **links; /* one per attached program */
	size_t nlinks;
	struct ring_buffer *rb;	     /* the events ring buffer */
	bool raw_tp;		     /* the raw_tp twins are in use */
	bool wait_from_regs;	     /* sched_switch reads the waiting call from registers */
	bool task_storage;	     /* records live in task-local storage */
	bool data_ready;	     /* the kernel has sock:sk_data_ready (6.6+) */
	bool uring;		     /* io_uring_complete is attached */
	bool verbose;		     /* libbpf's chatter on stderr */
	uint64_t start_ns;	     /* when tracing began */
	uint64_t overflows0, drops0; /* TcpExt counters at the start */
	/* what the ring buffer brought */
	struct trace_task *gone; /* tasks freed while tracing */
	size_t ngone, capgone;
	struct trace_proc *procs; /* process exits and reaps */
	size_t nprocs, capprocs;
	struct herd_conn *conns; /* closed connections */
	size_t nconns, capconns;
};

static bool verbose_libbpf;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || !verbose_libbpf)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Grow a dynamic array by one element; returns it zeroed, or NULL. */
static void *push(void **arr, size_t *n, size_t *cap, size_t size)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 256;
		void *p = realloc(*arr, c * size);
		if (!p)
			return NULL;
		*arr = p;
		*cap = c;
	}
	void *e = (char *)*arr + (*n)++ * size;
	memset(e, 0, size);
	return e;
}

/* ---- /proc ------------------------------------------------------------------ */

/* TcpExt ListenOverflows and ListenDrops (system-wide counters). */
static void read_listen_counters(uint64_t *overflows, uint64_t *drops)
{
	FILE *f = fopen("/proc/net/netstat", "r");
	char names[4096], values[4096];

	*overflows = *drops = 0;
	if (!f)
		return;
	while (fgets(names, sizeof(names), f) && fgets(values, sizeof(values), f)) {
		if (strncmp(names, "TcpExt:", 7))
			continue;
		char *ns, *vs, *n = strtok_r(names, " \n", &ns), *v = strtok_r(values, " \n", &vs);
		for (; n && v; n = strtok_r(NULL, " \n", &ns), v = strtok_r(NULL, " \n", &vs)) {
			if (!strcmp(n, "ListenOverflows"))
				*overflows = strtoull(v, NULL, 10);
			else if (!strcmp(n, "ListenDrops"))
				*drops = strtoull(v, NULL, 10);
		}
	}
	fclose(f);
}

/* ppid and comm of a process from /proc/PID/stat; -1 if it is gone. */
static int proc_stat(pid_t pid, pid_t *ppid, char comm[16])
{
	char path[64], buf[512];
	int fd, n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	char *l = strchr(buf, '('), *r = strrchr(buf, ')');
	if (!l || !r || r < l)
		return -1;
	size_t len = (size_t)(r - l - 1) < 15 ? (size_t)(r - l - 1) : 15;
	memcpy(comm, l + 1, len);
	comm[len] = 0;
	return sscanf(r + 2, "%*c %d", ppid) == 1 ? 0 : -1;
}

static bool is_number(const char *s)
{
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Every process on the system with its parent, for walking a tree. */
struct procent {
	pid_t pid, ppid; /* the process and its parent */
};

static size_t list_processes(struct procent **out)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t n = 0, cap = 0;
	struct procent *v = NULL;
	char comm[16];

	while (d && (de = readdir(d))) {
		pid_t pid, ppid;
		if (!is_number(de->d_name) || proc_stat(pid = atoi(de->d_name), &ppid, comm) < 0)
			continue;
		struct procent *e = push((void **)&v, &n, &cap, sizeof(*v));
		if (e)
			*e = (struct procent){ pid, ppid };
	}
	if (d)
		closedir(d);
	*out = v;
	return n;
}

/* What a task is blocked in right now (/proc/TID/syscall: "NR ARG0 ARG1 ..."). */
static __u32 current_wait(pid_t pid, __u32 tid)
{
	char path[96];
	long nr, arg0, arg1;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/task/%u/syscall", pid, tid);
	if (!(f = fopen(path, "r")))
		return WAIT_NONE;
	n = fscanf(f, "%ld %lx %lx", &nr, &arg0, &arg1);
	fclose(f);
	return n == 3 ? herd_wait_kind(nr, arg1) : WAIT_NONE;
}

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

/* Make every thread of process @pid a target. */
static int add_threads(struct tracer *t, pid_t pid, pid_t ppid)
{
	char path[64], comm[16];
	DIR *d;
	struct dirent *de;
	int fd = bpf_map__fd(t->skel->maps.tasks), added = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	if (!(d = opendir(path)))
		return -errno;
	while ((de = readdir(d))) {
		if (!is_number(de->d_name))
			continue;
		__u32 tid = (__u32)atoi(de->d_name);
		struct herd_task task = { .tgid = (__u32)pid,
					  .ppid = (__u32)ppid,
					  .comm_set = 1,
					  .wait = current_wait(pid, tid) };
		pid_t dummy;
		if (proc_stat((pid_t)tid, &dummy, comm) == 0)
			memcpy(task.comm, comm, sizeof(task.comm));
		if (bpf_map_update_elem(fd, &tid, &task, BPF_NOEXIST) == 0)
			added++;
	}
	closedir(d);
	return added;
}

/* One pass of tracer_add_tree: the tree as /proc shows it now; returns tasks added. */
static int add_tree_once(struct tracer *t, pid_t root)
{
	struct procent *all;
	size_t n = list_processes(&all);
	pid_t *queue = calloc(n + 1, sizeof(*queue));
	size_t head = 0, tail = 0;
	int added = 0;
	pid_t ppid = 0;
	char comm[16];

	if (!queue || proc_stat(root, &ppid, comm) < 0) {
		free(all);
		free(queue);
		return -ESRCH;
	}
	queue[tail++] = root;
	while (head < tail) { /* breadth first over the process tree */
		pid_t p = queue[head++];
		pid_t pp = p == root ? ppid : 0;
		for (size_t i = 0; i < n; i++) {
			if (all[i].pid == p)
				pp = all[i].ppid;
			if (all[i].ppid == p && tail < n)
				queue[tail++] = all[i].pid;
		}
		int r = add_threads(t, p, pp);
		if (r > 0)
			added += r;
	}
	free(all);
	free(queue);
	return added;
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
		int n = add_tree_once(t, root);
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

/* Socket inodes held open by target processes. */
static size_t target_socket_inodes(struct tracer *t, unsigned long **out)
{
	int fd = bpf_map__fd(t->skel->maps.tasks);
	__u32 key, next, *prev = NULL;
	size_t n = 0, cap = 0;
	unsigned long *v = NULL;
	struct herd_task task;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &task) || task.tgid != key)
			continue; /* processes only: their threads share the table */
		char dir[64], link[320], target[64];
		snprintf(dir, sizeof(dir), "/proc/%u/fd", key);
		DIR *d = opendir(dir);
		struct dirent *de;
		while (d && (de = readdir(d))) {
			snprintf(link, sizeof(link), "%s/%s", dir, de->d_name);
			ssize_t len = readlink(link, target, sizeof(target) - 1);
			unsigned long ino;
			if (len <= 0)
				continue;
			target[len] = 0;
			if (sscanf(target, "socket:[%lu]", &ino) == 1) {
				unsigned long *e = push((void **)&v, &n, &cap, sizeof(*v));
				if (e)
					*e = ino;
			}
		}
		if (d)
			closedir(d);
	}
	*out = v;
	return n;
}

int tracer_add_listening_ports(struct tracer *t)
{
	static const char *const files[] = { "/proc/net/tcp", "/proc/net/tcp6" };
	unsigned long *inodes;
	size_t n = target_socket_inodes(t, &inodes);
	int added = 0;

	for (size_t f = 0; f < 2; f++) {
		FILE *fp = fopen(files[f], "r");
		char line[512];
		while (fp && fgets(line, sizeof(line), fp)) {
			unsigned port, state;
			unsigned long ino;
			/* sl local_address(addr:PORT) rem_address st tx:rx tr:when retr uid timeout inode */
			if (sscanf(line,
				   " %*d: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x %*x:%*x %*x:%*x "
				   "%*x %*u %*u %lu",
				   &port, &state, &ino) != 3 ||
			    state != 0x0A)
				continue;
			for (size_t i = 0; i < n; i++)
				if (inodes[i] == ino && tracer_add_port(t, (uint16_t)port) == 0) {
					added++;
					break;
				}
		}
		if (fp)
			fclose(fp);
	}
	free(inodes);
	return added;
}

/* ---- the ring buffer ------------------------------------------------------- */

static struct trace_proc *find_proc(struct tracer *t, uint32_t pid, bool unreaped)
{
	for (size_t i = t->nprocs; i-- > 0;) /* the latest first: pids are reused */
		if (t->procs[i].pid == pid && (!unreaped || !t->procs[i].reap_ns))
			return &t->procs[i];
	return NULL;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;
	const struct herd_event *e = data;
	struct trace_proc *p;

	switch (e->type) {
	case EV_TASK_GONE: {
		struct trace_task *g = push((void **)&t->gone, &t->ngone, &t->capgone, sizeof(*g));
		if (g) {
			g->tid = e->pid;
			g->t = e->task;
		}
		/* A zombie freed without any target reaping it: init (or a subreaper) did. */
		if (e->task.tgid == e->pid && (p = find_proc(t, e->pid, true)) && p->exit_ns) {
			p->reap_ns = e->ts;
			p->reaped_by = REAPED_INIT;
		}
		break;
	}
	case EV_EXIT:
		/* Its parent may have reaped it in the instant before its last switch. */
		p = find_proc(t, e->pid, false);
		if (p && p->reap_ns && !p->exit_ns) {
			p->exit_ns = p->reap_ns;
			break;
		}
		p = push((void **)&t->procs, &t->nprocs, &t->capprocs, sizeof(*p));
		if (!p)
			break;
		p->pid = e->pid;
		p->exit_ns = e->ts;
		p->reaped_by = -1;
		if (e->by) { /* auto-reaped: released before it could be a zombie */
			p->reap_ns = e->ts;
			p->reaped_by = REAPED_AUTO;
		}
		break;
	case EV_REAP:
		p = find_proc(t, e->pid, true);
		if (!p) { /* it exited before tracing began, or the reap overtook */
			p = find_proc(t, e->pid, false);
			if (!p || p->reaped_by != REAPED_INIT) {
				p = push((void **)&t->procs, &t->nprocs, &t->capprocs, sizeof(*p));
				if (!p)
					break;
				p->pid = e->pid;
			}
		}
		p->reap_ns = e->ts;
		p->reaped_by = (int)e->by;
		p->reaper = e->reaper;
		break;
	case EV_CONN: {
		struct herd_conn *c =
			push((void **)&t->conns, &t->nconns, &t->capconns, sizeof(*c));
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

/* ---- open and close ------------------------------------------------------------ */

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
	bool bpf = admin || (eff & (1ULL << 39 /* CAP_BPF */));
	bool perfmon = admin || (eff & (1ULL << 38 /* CAP_PERFMON */));
	return bpf && perfmon;
}

static int ensure_tracefs(void)
{
	if (access("/sys/kernel/tracing/events", F_OK) == 0 ||
	    access("/sys/kernel/debug/tracing/events", F_OK) == 0)
		return 0;
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) < 0) {
		log_warn("tracefs is not mounted and mount() failed: %m");
		return -errno;
	}
	return 0;
}

/* Whether the kernel has tracepoint @name (its btf_trace_ typedef in vmlinux BTF). */
static bool kernel_has_tracepoint(const struct btf *btf, const char *name)
{
	char type[128];

	snprintf(type, sizeof(type), "btf_trace_%s", name);
	return btf && btf__find_by_name_kind(btf, type, BTF_KIND_TYPEDEF) > 0;
}

/*
 * Whether io_uring_complete passes the CQE (Linux 6.4+: ctx, req, cqe) rather
 * than its fields (ctx, req, user_data, res, ...): count the tracepoint's
 * parameters in the kernel's BTF.
 */
static bool uring_res_in_cqe(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool cqe = true;

	if (!btf)
		return cqe;
	int id = btf__find_by_name_kind(btf, "btf_trace_io_uring_complete", BTF_KIND_TYPEDEF);
	const struct btf_type *ty = id > 0 ? btf__type_by_id(btf, id) : NULL;
	if (ty)
		ty = btf__type_by_id(btf, ty->type); /* the pointer */
	if (ty && btf_is_ptr(ty))
		ty = btf__type_by_id(btf, ty->type); /* the function prototype */
	if (ty && btf_is_func_proto(ty))
		cqe = btf_vlen(ty) <= 4; /* void *, ctx, req, cqe */
	btf__free(btf);
	return cqe;
}

/*
 * The system calls still traced when sched_switch reads what a task waits in
 * from its registers: accept's exit (the connection accepted, or EAGAIN),
 * fork's entry and exit (its latency), and the reaps wait4 returns. The exits
 * of epoll_wait, poll, select, ... add nothing then: a wakeup that came to
 * nothing shows as the task sleeping in a waiting call again before it
 * accepted (on_switch), whether the call came back empty first or not.
 */
static bool needed_with_regs(const char *sec)
{
	static const char *const calls[] = {
		"sys_exit_accept",  "sys_exit_accept4", "sys_enter_clone", "sys_exit_clone",
		"sys_enter_clone3", "sys_exit_clone3",	"sys_enter_fork",  "sys_exit_fork",
		"sys_enter_vfork",  "sys_exit_vfork",	"sys_exit_wait4",  "sys_exit_waitid",
	};
	const char *name = sec + strlen("tracepoint/syscalls/");

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (!strcmp(name, calls[i]))
			return true;
	return false;
}

/*
 * Load with the tp_btf set (@raw false) or the raw_tp set. With @regs (tp_btf
 * only), sched_switch reads the call a task sleeps in from its registers, and
 * only the system calls of needed_with_regs() are traced.
 */
static int load(struct tracer *t, bool raw, bool regs)
{
	struct bpf_program *prog;

	t->skel = herd_bpf__open();
	if (!t->skel)
		return -errno;
	struct btf *btf = btf__load_vmlinux_btf();
	t->data_ready = kernel_has_tracepoint(btf, "sk_data_ready");
	btf__free(btf);
	t->skel->rodata->uring_res_in_cqe = uring_res_in_cqe();
	t->skel->rodata->have_data_ready = t->data_ready;
	t->skel->rodata->wait_from_regs = regs;
	t->skel->rodata->task_storage = regs; /* 5.15+ has what either needs */
	bpf_map__set_autocreate(t->skel->maps.task_store, regs);
	bpf_object__for_each_program(prog, t->skel->obj) {
		const char *sec = bpf_program__section_name(prog);
		bool missing = strstr(sec, "sk_data_ready") && !t->data_ready; /* before 6.6 */
		if (!strncmp(sec, "iter/", 5)) /* adopt and snapshot: task storage only */
			bpf_program__set_autoload(prog, regs);
		else if (regs && !strcmp(sec, "tp_btf/sched_process_free")) /* records leave */
			bpf_program__set_autoload(prog, false); /* at the last switch instead */
		else if (!strncmp(sec, "tp_btf/", 7))
			bpf_program__set_autoload(prog, !raw && !missing);
		else if (!strncmp(sec, "raw_tp/", 7) && strcmp(sec, "raw_tp/io_uring_complete"))
			bpf_program__set_autoload(prog, raw && !missing);
		else if (!strncmp(sec, "tracepoint/syscalls/", 20))
			bpf_program__set_autoload(prog, !regs || needed_with_regs(sec));
	}
	int err = herd_bpf__load(t->skel);
	if (err) {
		herd_bpf__destroy(t->skel);
		t->skel = NULL;
	}
	t->raw_tp = raw;
	t->wait_from_regs = regs;
	t->task_storage = regs;
	return err;
}

static int attach(struct tracer *t)
{
	struct bpf_program *prog;
	size_t max = 0;

	bpf_object__for_each_program(prog, t->skel->obj)
		max++;
	t->links = calloc(max, sizeof(*t->links));
	if (!t->links)
		return -ENOMEM;
	bpf_object__for_each_program(prog, t->skel->obj) {
		if (!bpf_program__autoload(prog) ||
		    !strncmp(bpf_program__section_name(prog), "iter/", 5))
			continue; /* not loaded, or run on demand (run_iter) */
		struct bpf_link *l = bpf_program__attach(prog);
		const char *sec = bpf_program__section_name(prog);
		bool uring = !strcmp(bpf_program__name(prog), "io_uring_complete_raw");
		if (!l) {
			int err = -errno;
			if (uring) /* no io_uring tracepoints here: io_uring accepts go uncounted */
				continue;
			if (err == -ENOENT && !strncmp(sec, "tracepoint/syscalls/", 20))
				continue; /* a system call this kernel does not have (epoll_pwait2) */
			log_warn("attaching %s failed: %s", sec, strerror(-err));
			return err;
		}
		t->uring |= uring;
		t->links[t->nlinks++] = l;
	}
	return 0;
}

int tracer_open(struct tracer **out, const struct tracer_opts *opts)
{
	struct tracer *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		return -ENOMEM;
	verbose_libbpf = opts && opts->verbose;
	libbpf_set_print(libbpf_print);
	if (!may_trace()) {
		log_warn("herdlab trace needs root (or CAP_BPF and CAP_PERFMON): run it with sudo");
		err = -EPERM;
		goto fail;
	}
	if ((err = ensure_tracefs()) < 0)
		goto fail;
	/* HERDLAB_RAW_TP=1 forces the raw_tp twins, HERDLAB_SYS_ENTER=1 the entry
	 * programs with tp_btf (the tests check every path). */
	const char *force_raw = getenv("HERDLAB_RAW_TP");
	const char *force_entry = getenv("HERDLAB_SYS_ENTER");
	bool raw = force_raw && *force_raw == '1';
	bool regs = !raw && !(force_entry && *force_entry == '1');
	err = -ENOTSUP;
	if (regs) /* Linux 5.15+: no entry programs */
		err = load(t, false, true);
	if (err && !raw && err != -EPERM)
		err = load(t, false, false);
	if (err) {
		if (err == -EPERM) {
			log_warn("loading BPF programs was refused (%s): herdlab trace needs root "
				 "(or CAP_BPF and CAP_PERFMON)",
				 strerror(-err));
			goto fail;
		}
		if ((err = load(t, true, false))) {
			log_warn("loading the BPF programs failed: %s (run with -v for the "
				 "verifier log)",
				 strerror(-err));
			goto fail;
		}
	}
	if ((err = attach(t)) < 0)
		goto fail;
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_event, t, NULL);
	if (!t->rb) {
		err = -errno;
		log_warn("ring_buffer__new() failed: %s", strerror(-err));
		goto fail;
	}
	read_listen_counters(&t->overflows0, &t->drops0);
	t->start_ns = clock_now_ns();
	*out = t;
	return 0;
fail:
	tracer_close(t);
	return err;
}

void tracer_close(struct tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	for (size_t i = 0; i < t->nlinks; i++)
		bpf_link__destroy(t->links[i]);
	free(t->links);
	herd_bpf__destroy(t->skel);
	free(t->gone);
	free(t->procs);
	free(t->conns);
	free(t);
}

/* ---- collecting ----------------------------------------------------------------- */

static int collect_percpu(struct tracer *t, struct trace_result *r)
{
	int ncpu = libbpf_num_possible_cpus();
	struct herd_totals *tv = calloc((size_t)ncpu, sizeof(*tv));
	struct herd_log2 *hv = calloc((size_t)ncpu, sizeof(*hv));
	__u32 zero = 0;

	if (!tv || !hv || ncpu <= 0) {
		free(tv);
		free(hv);
		return -ENOMEM;
	}
	if (bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.totals), &zero, tv) == 0) {
		for (int c = 0; c < ncpu; c++) {
			__u64 *dst = (__u64 *)&r->totals, *src = (__u64 *)&tv[c];
			for (size_t i = 0; i < sizeof(r->totals) / sizeof(__u64); i++)
				dst[i] += src[i];
		}
	}
	for (__u32 h = 0; h < HISTS; h++) {
		if (bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.hists), &h, hv))
			continue;
		for (int c = 0; c < ncpu; c++)
			for (int s = 0; s < HERD_LOG2_SLOTS; s++)
				r->hist[h].slot[s] += hv[c].slot[s];
	}
	free(tv);
	free(hv);
	return 0;
}

int tracer_collect(struct tracer *t, struct trace_result *r)
{
	int fd = bpf_map__fd(t->skel->maps.tasks);
	__u32 key, next, *prev = NULL;
	struct herd_task task;
	struct trace_task *alive = NULL;
	size_t nalive = 0, acap = 0;

	memset(r, 0, sizeof(*r)); /* whatever fails below, @r is safe to free */
	/*
	 * Tasks still in the map first, then the ring buffer: a task freed in
	 * between (sched_process_free runs after an RCU grace period, long after
	 * the exit on a slow machine) is then in both, never in neither. Records
	 * kept in task storage are copied into the map first.
	 */
	if (t->task_storage && run_iter(t->skel->progs.snapshot) < 0)
		return -EIO;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &task))
			continue;
		struct trace_task *e = push((void **)&alive, &nalive, &acap, sizeof(*e));
		if (!e) {
			free(alive);
			return -ENOMEM;
		}
		e->tid = key;
		e->alive = true;
		e->t = task;
	}
	size_t ngone0 = t->ngone;
	tracer_poll(t, 0); /* the last records: the counts below include them */
	size_t cap = t->ngone + nalive;
	r->start_ns = t->start_ns;
	r->end_ns = clock_now_ns();
	r->raw_tp = t->raw_tp;
	r->wait_from_regs = t->wait_from_regs;
	r->task_storage = t->task_storage;
	r->uring_accepts = t->uring;
	r->exact_arrivals = t->data_ready;
	uint64_t ov, dr;
	read_listen_counters(&ov, &dr);
	r->listen_overflows = ov - t->overflows0;
	r->listen_drops = dr - t->drops0;
	if (collect_percpu(t, r) < 0) {
		free(alive);
		return -ENOMEM;
	}

	/* Tasks: those that are gone, then those still alive (unless gone meanwhile). */
	r->tasks = malloc((cap ? cap : 1) * sizeof(*r->tasks));
	if (!r->tasks) {
		free(alive);
		return -ENOMEM;
	}
	memcpy(r->tasks, t->gone, t->ngone * sizeof(*r->tasks));
	r->ntasks = t->ngone;
	for (size_t i = 0; i < nalive; i++) {
		bool gone = false;
		for (size_t g = ngone0; g < t->ngone && !gone; g++)
			gone = t->gone[g].tid == alive[i].tid;
		if (!gone)
			r->tasks[r->ntasks++] = alive[i];
	}
	free(alive);

	r->procs = malloc((t->nprocs ? t->nprocs : 1) * sizeof(*r->procs));
	if (!r->procs)
		return -ENOMEM;
	memcpy(r->procs, t->procs, t->nprocs * sizeof(*r->procs));
	r->nprocs = t->nprocs;

	/* Connections: closed ones, then those still open. */
	size_t ccap = t->nconns;
	r->conns = malloc((ccap ? ccap : 1) * sizeof(*r->conns));
	if (!r->conns)
		return -ENOMEM;
	memcpy(r->conns, t->conns, t->nconns * sizeof(*r->conns));
	r->nconns = t->nconns;
	int cfd = bpf_map__fd(t->skel->maps.conns);
	__u64 ck, cnext, *cprev = NULL;
	struct herd_conn c;
	while (bpf_map_get_next_key(cfd, cprev, &cnext) == 0) {
		ck = cnext;
		cprev = &ck;
		if (bpf_map_lookup_elem(cfd, &ck, &c))
			continue;
		struct herd_conn *e = push((void **)&r->conns, &r->nconns, &ccap, sizeof(*e));
		if (!e)
			return -ENOMEM;
		*e = c;
	}
	return 0;
}

void trace_result_free(struct trace_result *r)
{
	free(r->tasks);
	free(r->procs);
	free(r->conns);
	memset(r, 0, sizeof(*r));
}
