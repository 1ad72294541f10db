/* SPDX-License-Identifier: MIT */
/* session.c - one traced session (session.h). */
#include "session/session.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "metrics/fates.h"
#include "metrics/waitcost.h"
#include "path.h"

/* A child we started gets this long to stop after SIGTERM (a server drains its clients). */
#define STOP_GRACE_MS (30 * 1000)

int session_open(struct session *s, bool traced, bool verbose, enum tracer_attach attach)
{
	memset(s, 0, sizeof(*s));
	s->out_fd = -1;
	if (!traced)
		return 0;
	return tracer_open(&s->tracer,
			   &(struct tracer_opts){ .verbose = verbose, .attach = attach });
}

int session_profile(struct session *s, int hz, bool all)
{
	struct tracer_shared sh;

	tracer_shared(s->tracer, &sh);
	return profiling_start(&s->profiling, &sh, hz, all);
}

int session_open_waits(struct session *s)
{
	struct tracer_shared sh;

	if (!s->tracer)
		return -EINVAL;
	tracer_shared(s->tracer, &sh);
	return waits_open(&s->waits, &sh);
}

int session_waits_json(const struct session *s, json_t *trace)
{
	struct wait_summary sum;

	if (!s->waits || !trace)
		return 0;
	if (waitcost_sum(s->waits_result.rows, s->waits_result.nrows, &sum) < 0)
		return -1;
	return waitcost_json(trace, &sum, &s->waits_result);
}

void session_print_waits(const struct session *s, FILE *f)
{
	struct wait_summary sum;

	if (s->waits && waitcost_sum(s->waits_result.rows, s->waits_result.nrows, &sum) == 0)
		waitcost_print(f, &sum);
}

int session_start(struct session *s, struct spawn *sp, bool pipe_out)
{
	int out[2] = { -1, -1 };

	if (pipe_out && pipe2(out, O_CLOEXEC) < 0) {
		log_warn("pipe2() failed: %m");
		return -1;
	}
	sp->held = true;
	sp->out_fd = pipe_out ? out[1] : sp->out_fd;
	s->child = spawn_start(sp);
	if (pipe_out)
		close(out[1]); /* the child has its own copy */
	if (s->child < 0) {
		s->child = 0;
		if (pipe_out)
			close(out[0]);
		return -1;
	}
	s->out_fd = out[0];
	profiling_set_root(s->profiling, s->child); /* its children's maps are its own */
	if (s->cgroup && cgroup_enter(s->cgroup, s->child) < 0)
		log_warn("%s runs outside its cgroup: its cost is not measured whole", sp->argv[0]);
	if (s->tracer && tracer_add_tree(s->tracer, s->child) <= 0) {
		log_warn("%s (pid %d) could not be made the tracer's target", sp->argv[0],
			 (int)s->child);
		close(sp->hold_fd); /* never released: it exits without running */
		session_stop(s);
		return -1;
	}
	if (spawn_release(sp->hold_fd) < 0)
		log_warn("releasing %s failed: %m", sp->argv[0]);
	return 0;
}

int session_attach_pid(struct session *s, pid_t pid)
{
	int n = tracer_add_tree(s->tracer, pid);

	profiling_set_root(s->profiling, pid);

	return n > 0 ? n : -1;
}

int session_attach_cgroup(struct session *s, const char *dir, int *tasks)
{
	char path[PATH_MAX];
	FILE *f;
	int pid, n = 0, added;

	if (tasks)
		*tasks = 0;
	if (path_join(path, sizeof(path), dir, "cgroup.procs") < 0)
		return -errno;
	if (!(f = fopen(path, "r")))
		return -errno;
	while (fscanf(f, "%d", &pid) == 1) {
		if ((added = tracer_add_tree(s->tracer, pid)) <= 0)
			continue;
		n++;
		if (tasks)
			*tasks += added;
	}
	fclose(f);
	return n;
}

int session_record_sched(struct session *s, const char *path, uint64_t cap)
{
	return sched_trace_open(&s->sched, s->tracer, path, cap);
}

void session_add_port(struct session *s, int port)
{
	if (s->tracer && port > 0 && port <= 65535)
		tracer_add_port(s->tracer, (uint16_t)port);
}

void session_add_listening_ports(struct session *s)
{
	if (s->tracer)
		tracer_add_listening_ports(s->tracer);
}

bool session_poll(struct session *s, int timeout_ms)
{
	profiling_poll(s->profiling);
	if (s->tracer)
		tracer_poll(s->tracer, timeout_ms);
	if (s->sched)
		sched_trace_poll(s->sched);
	if (!s->tracer)
		poll(NULL, 0, timeout_ms);
	if (s->child && !s->reaped && waitpid(s->child, &s->status, WNOHANG) == s->child)
		s->reaped = true;
	return s->child && s->reaped;
}

int session_stop(struct session *s)
{
	if (s->child && !s->reaped) {
		profiling_pause(s->profiling); /* the run is over: its maps, before it stops */
		s->status = spawn_stop(s->child, STOP_GRACE_MS);
		s->reaped = true;
	}
	return s->status;
}

/* Leave @root out of the zombie statistics: the traced process itself is nobody's worker. */
static void drop_root(struct trace_result *r, pid_t root)
{
	size_t w = 0;

	for (size_t i = 0; i < r->nprocs; i++)
		if (r->procs[i].pid != (uint32_t)root)
			r->procs[w++] = r->procs[i];
	r->nprocs = w;
}

int session_collect(struct session *s)
{
	tracer_poll(s->tracer, 0);
	if (s->sched && sched_trace_stop(s->sched, &s->sched_stats) < 0)
		log_warn("the scheduling events' file could not be written");
	if (tracer_collect(s->tracer, &s->result) < 0)
		goto fail;
	if (s->root)
		drop_root(&s->result, s->root);
	fates_mark_accepted(&s->result);
	if (s->waits && (waits_collect(s->waits, &s->waits_result) < 0 ||
			 waits_add_ids(&s->waits_result, &s->result) < 0))
		goto fail;
	if (metrics_compute(&s->result, &s->metrics) < 0)
		goto fail;
	return 0;
fail:
	log_warn("collecting the results failed");
	return -1;
}

int session_sample(struct session *s, struct trace_metrics *m)
{
	struct trace_result r;
	int rc = tracer_collect(s->tracer, &r) < 0 || metrics_compute(&r, m) < 0 ? -1 : 0;

	trace_result_free(&r);
	return rc;
}

int session_write(const struct session *s, const char *dir)
{
	static const char *const names[] = { "connections.csv", "tasks.csv", "fates.csv" };
	int (*const writers[])(const char *, const struct trace_result *) = {
		metrics_write_connections,
		metrics_write_tasks,
		csv_write_fates,
	};
	char path[PATH_MAX];
	int rc = 0;

	for (int i = 0; i < 3; i++) {
		if (path_join(path, sizeof(path), dir, names[i]) < 0 ||
		    writers[i](path, &s->result) < 0) {
			log_warn("cannot write %s/%s: %m", dir, names[i]);
			rc = -1;
		}
	}
	if (s->waits && (path_join(path, sizeof(path), dir, "waits.csv") < 0 ||
			 csv_write_waits(path, s->waits_result.rows, s->waits_result.nrows) < 0)) {
		log_warn("cannot write %s/waits.csv: %m", dir);
		rc = -1;
	}
	return rc;
}

void session_close(struct session *s)
{
	session_stop(s);
	if (s->out_fd >= 0)
		close(s->out_fd);
	profiling_close(s->profiling);
	waits_close(s->waits); /* before the tracer, whose tasks map it shares */
	waits_result_free(&s->waits_result);
	sched_trace_close(s->sched); /* before the tracer, whose maps it shares */
	tracer_close(s->tracer);     /* detaches every program */
	metrics_free(&s->metrics);
	trace_result_free(&s->result);
	memset(s, 0, sizeof(*s));
	s->out_fd = -1;
}

bool session_process_alive(pid_t pid)
{
	char path[64], state = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (!(f = fopen(path, "r")))
		return false;
	int n = fscanf(f, "%*d (%*[^)]) %c", &state);
	fclose(f);
	return n == 1 && state != 'Z' && state != 'X';
}
