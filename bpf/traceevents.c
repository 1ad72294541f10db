/* SPDX-License-Identifier: MIT */
/*
 * traceevents.c - the ring buffer's records into arrays (traceevents.h).
 *
 * A process's exit and its reap come as two records, in either order: the
 * reaper's wait4 may return in the instant before the zombie's last switch,
 * and pids are reused, so each record is matched to the latest exit of its pid.
 */
#include "traceevents.h"

#include <string.h>

#include "herd.h"
#include "trace.h"

void traceevents_init(struct trace_events *ev)
{
	ev->gone = VEC_INIT(struct trace_task);
	ev->procs = VEC_INIT(struct trace_proc);
	ev->conns = VEC_INIT(struct herd_conn);
}

void traceevents_free(struct trace_events *ev)
{
	vec_free(&ev->gone);
	vec_free(&ev->procs);
	vec_free(&ev->conns);
}

static struct trace_proc *find_proc(struct trace_events *t, uint32_t pid, bool unreaped)
{
	for (size_t i = t->procs.len; i-- > 0;) { /* the latest first: pids are reused */
		struct trace_proc *p = vec_at(&t->procs, i);
		if (p->pid == pid && (!unreaped || !p->reap_ns))
			return p;
	}
	return NULL;
}

int traceevents_on_event(void *ctx, void *data, size_t size)
{
	struct trace_events *t = ctx;
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
