/* SPDX-License-Identifier: MIT */
/*
 * procseed.c - targets and ports from /proc (see procseed.h).
 *
 * A tree is walked breadth first over one snapshot of every process's parent
 * (/proc/PID/stat); each process then contributes its threads
 * (/proc/PID/task). Processes may come and go meanwhile: the loader repeats the
 * pass until one finds nobody new (tracer_add_tree), and the kernel side has
 * been following forks since before the first pass.
 */
#include "procseed.h"

#include <bpf/bpf.h>
#include <ctype.h>
#include <stdbool.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "herd.h"
#include "path.h"

/* ppid and comm of a process (or thread) from /proc/PID/stat; -1 if it is gone. */
static int proc_stat(pid_t pid, pid_t *ppid, char comm[16])
{
	char path[64], buf[512];
	int fd, n;

	if (path_fmt(path, sizeof(path), "/proc/%d/stat", pid) < 0 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	/* "PID (COMM) S PPID ...": COMM may hold spaces and parentheses itself */
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

/* A process and its parent, for walking a tree. */
struct procent {
	pid_t pid;  /* the process */
	pid_t ppid; /* its parent */
};

/* Every process on the system with its parent, into @all (a vec of struct procent). */
static void list_processes(struct vec *all)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char comm[16];

	while (d && (de = readdir(d))) {
		pid_t pid, ppid;
		if (!is_number(de->d_name) || proc_stat(pid = atoi(de->d_name), &ppid, comm) < 0)
			continue;
		struct procent *e = vec_push(all);
		if (e)
			*e = (struct procent){ pid, ppid };
	}
	if (d)
		closedir(d);
}

/* What a task is blocked in right now (/proc/PID/task/TID/syscall: "NR ARG0 ARG1 ..."). */
static __u32 current_wait(pid_t pid, __u32 tid)
{
	char path[96];
	long nr, arg0, arg1;
	FILE *f;
	int n;

	if (path_fmt(path, sizeof(path), "/proc/%d/task/%u/syscall", pid, tid) < 0 ||
	    !(f = fopen(path, "r")))
		return WAIT_NONE;
	n = fscanf(f, "%ld %lx %lx", &nr, &arg0, &arg1);
	fclose(f);
	return n == 3 ? herd_wait_kind(nr, arg1) : WAIT_NONE;
}

/* Every thread of process @pid (child of @ppid) into the tasks map; returns how many were new. */
static int add_threads(int tasks_fd, pid_t pid, pid_t ppid)
{
	char path[64], comm[16];
	DIR *d;
	struct dirent *de;
	int added = 0;

	if (path_fmt(path, sizeof(path), "/proc/%d/task", pid) < 0)
		return -errno;
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
		if (bpf_map_update_elem(tasks_fd, &tid, &task, BPF_NOEXIST) == 0)
			added++;
	}
	closedir(d);
	return added;
}

int procseed_tree(int tasks_fd, pid_t root)
{
	struct vec all = VEC_INIT(struct procent);
	pid_t ppid = 0, *queue = NULL;
	size_t head = 0, tail = 0, n;
	char comm[16];
	int added = 0;

	list_processes(&all);
	n = all.len;
	if (proc_stat(root, &ppid, comm) < 0 || !(queue = calloc(n + 1, sizeof(*queue)))) {
		vec_free(&all);
		return -ESRCH;
	}
	const struct procent *procs = all.data;
	queue[tail++] = root;
	while (head < tail) { /* breadth first over the process tree */
		pid_t p = queue[head++];
		pid_t pp = p == root ? ppid : 0;
		for (size_t i = 0; i < n; i++) {
			if (procs[i].pid == p)
				pp = procs[i].ppid;
			if (procs[i].ppid == p && tail < n)
				queue[tail++] = procs[i].pid;
		}
		int r = add_threads(tasks_fd, p, pp);
		if (r > 0)
			added += r;
	}
	vec_free(&all);
	free(queue);
	return added;
}

/*
 * Socket inodes held open by the processes in the tasks map, into @inodes
 * (unsigned long), and one process of each network namespace they are in, into
 * @views (__u32): its /proc/PID/net/tcp is that namespace's table, where
 * /proc/net/tcp is only ours (a target started in a namespace of its own).
 */
static void target_socket_inodes(int tasks_fd, struct vec *inodes, struct vec *views)
{
	struct vec seen = VEC_INIT(unsigned long); /* the namespaces' inodes, one per view */
	__u32 key, next, *prev = NULL;
	struct herd_task task;

	while (bpf_map_get_next_key(tasks_fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(tasks_fd, &key, &task) || task.tgid != key)
			continue; /* processes only: their threads share the table */
		char dir[64], link[320], target[64];
		struct stat st;
		if (path_fmt(dir, sizeof(dir), "/proc/%u/ns/net", key) == 0 &&
		    stat(dir, &st) == 0) {
			size_t i = 0;
			while (i < seen.len && *(unsigned long *)vec_at(&seen, i) != st.st_ino)
				i++;
			unsigned long *ino = i == seen.len ? vec_push(&seen) : NULL;
			__u32 *pid = ino ? vec_push(views) : NULL;
			if (pid)
				*ino = st.st_ino, *pid = key;
		}
		if (path_fmt(dir, sizeof(dir), "/proc/%u/fd", key) < 0)
			continue;
		DIR *d = opendir(dir);
		struct dirent *de;
		while (d && (de = readdir(d))) {
			if (path_join(link, sizeof(link), dir, de->d_name) < 0)
				continue;
			ssize_t len = readlink(link, target, sizeof(target) - 1);
			unsigned long ino, *e;
			if (len <= 0)
				continue;
			target[len] = 0;
			if (sscanf(target, "socket:[%lu]", &ino) == 1 && (e = vec_push(inodes)))
				*e = ino;
		}
		if (d)
			closedir(d);
	}
	vec_free(&seen);
}

int procseed_listening_ports(int tasks_fd, struct vec *ports)
{
	static const char *const files[] = { "tcp", "tcp6" };
	struct vec inodes = VEC_INIT(unsigned long), views = VEC_INIT(__u32);
	int err = 0;

	target_socket_inodes(tasks_fd, &inodes, &views);
	const unsigned long *ino_of = inodes.data;
	for (size_t f = 0; f < 2 * views.len; f++) {
		char path[64], line[512];
		if (path_fmt(path, sizeof(path), "/proc/%u/net/%s", *(__u32 *)vec_at(&views, f / 2),
			     files[f % 2]) < 0)
			continue;
		FILE *fp = fopen(path, "r");
		while (fp && fgets(line, sizeof(line), fp)) {
			unsigned port, state;
			unsigned long ino;
			/* sl local_address(addr:PORT) rem_address st tx:rx tr:when retr uid timeout inode */
			if (sscanf(line,
				   " %*d: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x %*x:%*x %*x:%*x "
				   "%*x %*u %*u %lu",
				   &port, &state, &ino) != 3 ||
			    state != TCP_LISTEN)
				continue;
			for (size_t i = 0; i < inodes.len; i++) {
				if (ino_of[i] != ino)
					continue;
				uint16_t *p = vec_push(ports);
				if (p)
					*p = (uint16_t)port;
				else
					err = -ENOMEM;
				break;
			}
		}
		if (fp)
			fclose(fp);
	}
	vec_free(&inodes);
	vec_free(&views);
	return err;
}

void procseed_listen_counters(uint64_t *overflows, uint64_t *drops)
{
	FILE *f = fopen("/proc/net/netstat", "r");
	char names[4096], values[4096];

	*overflows = *drops = 0;
	if (!f)
		return;
	/* pairs of lines: "TcpExt: Name1 Name2 ..." then "TcpExt: value1 value2 ..." */
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

int procseed_sleeping_in(uint32_t tid, long *nr, long *arg1)
{
	char path[64], buf[256];
	long arg0;
	FILE *f;

	if (path_fmt(path, sizeof(path), "/proc/%u/stat", tid) < 0 || !(f = fopen(path, "r")))
		return -ESRCH;
	size_t len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	const char *state = strrchr(buf, ')'); /* the name may hold anything, even ") " */
	if (!state || (state[1] != ' ') || (state[2] != 'S' && state[2] != 'D'))
		return state ? 0 : -ESRCH;
	if (path_fmt(path, sizeof(path), "/proc/%u/syscall", tid) < 0 || !(f = fopen(path, "r")))
		return -ESRCH;
	int n = fscanf(f, "%ld %lx %lx", nr, &arg0, arg1);
	fclose(f);
	return n == 3 && *nr >= 0;
}
