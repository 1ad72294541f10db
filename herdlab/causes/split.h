/* SPDX-License-Identifier: MIT */
/*
 * split.h - why one request was slow: its accept-queue wait and its server
 * time cut into causes, from the scheduling record (schedlog.h).
 *
 * The accept-queue wait (ESTABLISHED -> accepted) is cut into
 *	capacity    no worker was idle (all busy, or runnable): nobody could take it
 *	woken_runq  the accepting worker had been woken for it and waited for a CPU
 *	herd        ... of which the part when others woken for the same arrival
 *	            ran on the CPU it was waiting for (the herd's cost to it)
 *	rest        the remainder (the accept call itself, a wakeup not seen)
 * and the server time (accepted -> the client's last byte), for the task that
 * accepted it, into on-CPU, run-queue wait, and blocked time by class
 * (schedlog.h's enum sleep_class), with the involuntary switches it suffered
 * and who took its CPU. Every part is a time the record shows; the parts add up
 * to the whole, the rest taking what none of them explains.
 */
#ifndef HERD_CAUSES_SPLIT_H
#define HERD_CAUSES_SPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "causes/schedlog.h"

#define CAUSES_TOP 3 /* the task names kept of those that took a request's CPU */

struct req_causes {
	uint64_t queue_ns, capacity_ns, woken_runq_ns, herd_ns, queue_rest_ns;
	uint64_t server_ns, oncpu_ns, runq_ns, blocked_ns[SLEEP_CLASSES], server_rest_ns;
	uint32_t involuntary; /* its server's preemptions within the server time */
	uint32_t wakeups;     /* tasks its arrival woke */
	int first_accepted;   /* 1: the first woken accepted it; 0: another; -1: none woken */
	uint32_t accept_tid;
	char ran_instead[CAUSES_TOP][16]; /* the names that took its CPU most ("": none) */
	uint32_t ran_count[CAUSES_TOP];	  /* ... how often */
};

/* Names counted, the most frequent taken first (who took a request's CPU). */
struct name_count {
	char name[16]; /* a task's comm */
	uint64_t n;    /* how often */
};

/* Add @n to @name's count in @tab (*@ntab entries of @cap); a new name past @cap is not kept. */
void name_count_add(struct name_count *tab, size_t *ntab, size_t cap, const char *name, uint64_t n);

/* The most frequent name left in @tab (the first of equals) into @out, its count zeroed;
 * false when every count is 0. */
bool name_count_take(struct name_count *tab, size_t ntab, struct name_count *out);

/*
 * The causes of the connection established at @est_ns and accepted at @acc_ns
 * by @accept_tid, whose client saw its last byte at @end_ns. Times must be ordered
 * (est <= acc <= end); @c is filled whatever the record holds.
 */
void causes_split(const struct sched_log *log, uint64_t est_ns, uint64_t acc_ns,
		  uint32_t accept_tid, uint64_t end_ns, struct req_causes *c);

#endif
