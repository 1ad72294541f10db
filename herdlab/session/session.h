/* SPDX-License-Identifier: MIT */
/*
 * session.h - one traced session: the tracer, the program it watches, and the
 * descriptors between them; shared by herdlab trace and herdlab run.
 *
 *	session_open()      load the tracer (or not: an untraced run)
 *	session_profile()   and the on-CPU sampler, on the tracer's targets (profiling.h)
 *	session_open_waits() and the waits object beside it (--waits, bpf/waits.h)
 *	session_start()     start a program held, make it a target, let it run
 *	session_attach_*()  or watch processes that already run (--pid, --cgroup)
 *	session_poll()      drain the tracer's events while the program runs
 *	session_stop()      stop the program we started (SIGTERM, SIGKILL after 30 s)
 *	session_collect()   everything the tracer saw, and the metrics from it
 *	session_write()     connections.csv, tasks.csv and fates.csv (and waits.csv)
 *	session_close()     stop what is still running, detach, free
 *
 * The program is started through lib/spawn.h's one fork/exec path, held at a
 * pipe until the tracer has made it a target (so not one of its events is
 * missed) and with PR_SET_PDEATHSIG, so that not even a SIGKILL'ed herdlab
 * leaves it running. Whatever ends a session, session_close() leaves no program
 * we started and no BPF program attached.
 */
#ifndef HERD_SESSION_H
#define HERD_SESSION_H

#include <stdbool.h>
#include <sys/types.h>

#include "metrics/metrics.h"
#include "profile/profiling.h"
#include "session/cgroup.h"
#include "sched_trace.h"
#include "spawn.h"
#include "trace.h"
#include "waits.h"

struct session {
	struct tracer *tracer;	      /* NULL: untraced (herdlab run --no-trace) */
	struct profiling *profiling;  /* --profile: the sampler (NULL: not profiling) */
	pid_t child;		      /* the program we started (0: none) */
	bool reaped;		      /* the child has exited and been reaped */
	int status;		      /* its wait status, once reaped */
	int out_fd;		      /* its stdout when piped (-1: not piped, or closed) */
	pid_t root;		      /* a process left out of the zombie statistics (0: none) */
	const struct cgroup *cgroup;  /* the child is put here before it runs (NULL: nowhere) */
	struct trace_result result;   /* session_collect(): what the tracer saw */
	struct trace_metrics metrics; /* session_collect(): computed from it */
	struct waits *waits;	      /* the waits object (NULL: not asked for) */
	struct waits_result waits_result; /* session_collect(): what it saw */
	struct sched_trace *sched; /* the scheduling events' recorder (NULL: not asked for) */
	struct sched_trace_stats sched_stats; /* session_collect(): what it recorded, lost */
};

/* An empty session, traced or not (on path @attach); 0, or -errno with a message (no root,
 * no BTF, a forced path that cannot run, ...). */
int session_open(struct session *s, bool traced, bool verbose, enum tracer_attach attach);

/* Sample the targets' CPU (every task's with @all) at @hz per CPU; 0 or -errno (logged). */
int session_profile(struct session *s, int hz, bool all);
/* Load the waits object beside the tracer, on its targets; 0, or -errno logged. */
int session_open_waits(struct session *s);

/* run.json's trace.wait.* into @trace (nothing without the waits object); 0 or -1. */
int session_waits_json(const struct session *s, json_t *trace);

/* The waiting calls' table, for herdlab trace's text report. */
void session_print_waits(const struct session *s, FILE *f);

/*
 * Start @sp (held, whatever sp->held says), put it in s->cgroup, make it and
 * everything it will start targets, release it. With @pipe_out its stdout is a pipe read at s->out_fd.
 * 0, or -1 (logged) when it could not be started or made a target (then it is
 * stopped again before it ran a single instruction of its own).
 */
int session_start(struct session *s, struct spawn *sp, bool pipe_out);

/* An existing process, its threads and descendants as targets; the tasks found, or -1. */
int session_attach_pid(struct session *s, pid_t pid);

/*
 * Every process of cgroup directory @dir (again: those started since); how many
 * processes became targets, or -errno. *@tasks (if not NULL) gets their tasks.
 */
int session_attach_cgroup(struct session *s, const char *dir, int *tasks);

/*
 * Record the targets' switches and wakeups into @path too (sched_trace.h), at
 * most @cap bytes: before session_start. 0, or -errno with a message.
 */
int session_record_sched(struct session *s, const char *path, uint64_t cap);

/* Count handshakes on @port (learned from the targets' listen() as well). */
void session_add_port(struct session *s, int port);

/* The ports the targets listen on now become counted. */
void session_add_listening_ports(struct session *s);

/* Drain the tracer (untraced: sleep) up to @timeout_ms; whether our child has exited. */
bool session_poll(struct session *s, int timeout_ms);

/* Stop and reap the child, if it still runs; its wait status (s->status). */
int session_stop(struct session *s);

/* Collect and compute into s->result, s->metrics; 0, or -1 logged. Traced sessions only. */
int session_collect(struct session *s);

/* The metrics so far into @m (free with metrics_free), leaving the session as it is: -i. */
int session_sample(struct session *s, struct trace_metrics *m);

/* connections.csv, tasks.csv and fates.csv of what was collected, into @dir; 0, or -1 logged. */
int session_write(const struct session *s, const char *dir);

/* Stop the child, detach the tracer, close and free everything. */
void session_close(struct session *s);

/* Whether @pid exists and is not a zombie. */
bool session_process_alive(pid_t pid);

#endif
