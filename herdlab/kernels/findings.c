/* SPDX-License-Identifier: MIT */
/*
 * findings.c - "What changes between kernels" in kernels.md (kmd.h), from the
 * numbers of each kernel's runs: a table of rows for the findings engine
 * (report/findings.h), and the few findings that walk the whole matrix.
 *
 * The runs are every kernel's run of every model, each labelled by its
 * kernel, so a row's {a.list} is one value per kernel that ran its model
 * ("host 7.90, 5.10 7.61, ...") and its bounds are on their lowest, highest
 * and spread. Slot a is the metric a row is about (the row is not said without
 * it), slot b a second metric of the same model that the sentence may quote
 * (optional). A sentence goes on in pieces, each written when its own bounds
 * hold; rows marked `otherwise` are the alternatives of the row before them.
 * A row with a function instead of a template is a finding across models and
 * kernels (the RT kernels against their twins, the guests against the host):
 * those name no model, they walk the matrix. Under --attach both, the
 * findings across kernels read each kernel's tracepoints runs (every kernel
 * has that path); paths.c compares the two paths, and says which kernels
 * refused fexit.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kmd.h"
#include "kernels/matrix.h"
#include "metrics/keys.h"
#include "report/findings.h"

/* The traced metrics are under run.json's "trace" object. */
#define TRACE(key)	     "trace." key
#define HF		     TRACE(MK_ACCEPT_WAKEUPS_PER_ACCEPT) /* the herd factor */
#define ACCEPTED	     TRACE(MK_ACCEPT_ACCEPTED)
#define FUTILE		     TRACE(MK_ACCEPT_FUTILE_WAKEUPS)
#define WAKEUPS		     TRACE(MK_ACCEPT_WAKEUPS)
#define LOCK_WAKEUPS	     TRACE(MK_ACCEPT_WAKEUPS_BY_WAIT ".lock")
#define JAIN		     TRACE(MK_ACCEPT_FAIRNESS_JAIN)
#define SWITCHES	     TRACE(MK_SCHED_SWITCHES)
#define INVOLUNTARY	     TRACE(MK_SCHED_INVOLUNTARY)
#define SWITCHES_PER_REQUEST TRACE(MK_SCHED_SWITCHES_PER_REQUEST)

static void find_no_sleep(struct strbuf *b, const void *arg);
static void find_versions(struct strbuf *b, const void *arg);
static void find_rt(struct strbuf *out, const void *arg);
static void find_emulation(struct strbuf *b, const void *arg);
static void find_failures(struct strbuf *b, const void *arg);

#define A 0 /* the row's metric */
#define B 1 /* a second metric of its model */

#define HERD_KEY .key = HF, .prec = 2
#define HERD             \
	{                \
		HERD_KEY \
	}
/* prefork-epoll's herd factor over this model's, on the same kernel. */
#define FEWER                                                                                   \
	{                                                                                       \
		.key = HF, .beside = "prefork-epoll", .floor = 0.5, .prec = 1, .optional = true \
	}
#define FEWER_NARROW                                                         \
	{                                                                    \
		{ { B, FS_N, FO_GT, 0 }, { B, FS_SPREAD, FO_LT, 1.05 } },    \
			", {b.lo} times fewer wakeups than without the flag" \
	}
#define FEWER_WIDE                                                                     \
	{                                                                              \
		{ { B, FS_N, FO_GT, 0 }, { B, FS_SPREAD, FO_GE, 1.05 } },              \
			", {b.lo} to {b.hi} times fewer wakeups than without the flag" \
	}
/* Where the row's metric was measured. */
#define EVERYWHERE                                                         \
	{ { { A, FS_N, FO_GT, 1 } }, "on every kernel" },                  \
	{                                                                  \
		{ { A, FS_N, FO_LE, 1 } }, "on the one kernel that ran it" \
	}

/* The findings, in the order kernels.md gives them. */
static const struct finding findings[] = {
	{ .model = "prefork-epoll",
	  .m = { HERD,
		 { .key = FUTILE,
		   .per = WAKEUPS,
		   .prec = 0,
		   .unit = "%",
		   .scale = 100,
		   .optional = true } },
	  .when = { { A, FS_LO, FO_GE, 3 } },
	  .text = "- **The herd is there ",
	  .more = { EVERYWHERE,
		    { .text = ".** {model} (each worker its own "
			      "level-triggered epoll on the shared listener) woke {a.list} tasks "
			      "per "
			      "accepted connection; {b.list} of those wakeups were futile (the "
			      "worker "
			      "found nothing to accept and slept again). Every worker's epoll "
			      "waits "
			      "on the listener's wait queue as a non-exclusive waiter, so a new "
			      "connection wakes all the idle ones and only one of them gets it." },
		    { { { A, FS_N, FO_GT, 1 }, { A, FS_SPREAD, FO_LT, 1.15 } },
		      " The factor hardly moves between kernels ({a.lo} to {a.hi})." },
		    { { { A, FS_N, FO_GT, 1 }, { A, FS_SPREAD, FO_GE, 1.15 } },
		      " How many wake varies ({a.lo} to {a.hi}): it is the number of workers idle "
		      "in "
		      "epoll_wait when a connection arrives, which depends on how fast each "
		      "machine serves the load." },
		    { .text = "\n" } } },
	{ .model = "prefork-epoll",
	  .m = { HERD },
	  .when = { { A, FS_HI, FO_GE, 3 } },
	  .otherwise = true,
	  .text = "- **The herd differs between kernels:** {model} woke {a.list} "
		  "tasks per accepted connection.\n" },
	{ .model = "prefork-epoll",
	  .m = { HERD },
	  .otherwise = true,
	  .text = "- {model} woke {a.list} tasks per accepted connection: no herd "
		  "was measured.\n" },

	{ .model = "prefork-epoll-exclusive",
	  .m = { HERD, FEWER },
	  .when = { { A, FS_HI, FO_LE, 1.5 } },
	  .text = "- **EPOLLEXCLUSIVE** (Linux 4.5) holds it down ",
	  .more = { EVERYWHERE,
		    { .text = ": {a.list} tasks per connection" },
		    FEWER_NARROW,
		    FEWER_WIDE,
		    { .text = ". With the flag each epoll entry is an exclusive waiter on the "
			      "listener, and a new connection wakes one of them." },
		    { { { A, FS_HI, FO_GT, 1.05 } },
		      " (Above 1: the kernel promises to wake \"one or more\" exclusive waiters, "
		      "and a worker woken for a connection another worker took is futile.)" },
		    { .text = "\n" } } },
	{ .model = "prefork-epoll-exclusive",
	  .m = { HERD, FEWER },
	  .otherwise = true,
	  .text = "- **EPOLLEXCLUSIVE did not hold the herd down everywhere:** "
		  "{a.list} tasks per connection",
	  .more = { FEWER_NARROW, FEWER_WIDE, { .text = ".\n" } } },
	{ .model = "prefork-epoll-exclusive",
	  .m = { { .key = JAIN, .prec = 2 },
		 { HERD_KEY, .optional = true } }, /* said only of a model whose herd factor
						      was measured */
	  .when = { { A, FS_HI, FO_LT, 0.8 }, { B, FS_N, FO_GT, 0 } },
	  .text = "- **EPOLLEXCLUSIVE is unfair:** Jain's index over the workers' "
		  "accepts {a.list}. A new connection walks the listener's wait "
		  "queue in order and wakes the first worker whose epoll has a "
		  "waiter, so the workers that registered first take most "
		  "connections whenever they are idle.\n" },

	{ .model = "prefork",
	  .m = { HERD },
	  .when = { { A, FS_HI, FO_LE, 1.2 } },
	  .text = "- **Wake-one accept:** blocking accept ({model}) woke {a.list} "
		  "tasks per connection. accept(2) sleeps as an exclusive waiter on "
		  "the listening socket (wake-one since Linux 2.6): blocking accept "
		  "has no herd ",
	  .more = { { { { A, FS_N, FO_GT, 1 } }, "on any kernel here" },
		    { { { A, FS_N, FO_LE, 1 } }, "here" },
		    { .text = ".\n" } } },
	{ .model = "prefork",
	  .m = { HERD },
	  .otherwise = true,
	  .text = "- **Blocking accept woke more than one task per connection on "
		  "some kernels:** {a.list}.\n" },

	{ .write = find_no_sleep },

	{ .model = "prefork-mutex",
	  .m = { HERD, { .key = LOCK_WAKEUPS, .per = ACCEPTED, .prec = 2, .optional = true } },
	  .text = "- **A mutex around accept** ({model}) woke {a.list} tasks per "
		  "connection, of them {b.list} for the lock: unlocking hands the mutex "
		  "to one waiter, which then sleeps in accept.",
	  .more = { { { { A, FS_SPREAD, FO_GT, 1.25 } },
		      " The lock's share differs between kernels: how often the holder "
		      "releases it with a waiter queued depends on timing." },
		    { .text = "\n" } } },

	{ .model = "prefork-reuseport",
	  .m = { HERD, { .key = JAIN, .prec = 3, .optional = true } },
	  .text = "- **SO_REUSEPORT** gives each worker its own listener, and the "
		  "kernel hashes each connection to one of them: {a.list} tasks "
		  "woken per connection; fairness (Jain's index over the workers) "
		  "{b.list}.",
	  .more = { { { { B, FS_LO, FO_LT, 0.9 } },
		      " The hash of the client's address and port does not spread a few "
		      "thousand connections evenly: some workers get more." },
		    { .text = "\n" } } },

	{ .write = find_versions },
	{ .write = find_rt },
	{ .write = find_emulation },
	{ .write = find_failures },
};

static void say_file(void *to, const char *text)
{
	fputs(text, to);
}

void kmd_findings(FILE *f, const struct kmd *d)
{
	struct finding_run *runs = calloc((size_t)d->nk * (size_t)d->o->nmodels + 1, sizeof(*runs));
	const struct findings_sink sink = { .say = say_file, .to = f, .arg = d };
	size_t n = 0;

	for (int i = 0; runs && i < d->nk; i++)
		for (int m = 0; m < d->o->nmodels; m++)
			if (d->kr[i].run[m])
				runs[n++] =
					(struct finding_run){ .run = d->kr[i].run[m],
							      .model = d->o->models[m],
							      .label = kresult_label(&d->kr[i]) };
	findings_say(runs, n, findings, sizeof(findings) / sizeof(findings[0]), &sink);
	free(runs);
}

/* ---- findings across models and kernels ------------------------------------------------- */

/* Herd factors far below 1: the workers did not sleep, so nothing was woken. */
static void find_no_sleep(struct strbuf *b, const void *arg)
{
	const struct kmd *d = arg;
	char list[2048] = "";

	for (int m = 0; m < d->o->nmodels; m++)
		for (int i = 0; i < d->nk; i++) {
			json_t *run = d->kr[i].run[m];
			double h = run_num(run, HF), sw = run_num(run, SWITCHES_PER_REQUEST);
			if (!run || !(h < 0.5) || !(sw < 0.5))
				continue;
			snprintf(list + strlen(list), sizeof(list) - strlen(list),
				 "%s%s on %s (%.2f wakeups, %.2f switches per request)",
				 list[0] ? "; " : "", d->o->models[m], kresult_label(&d->kr[i]), h,
				 sw);
		}
	if (list[0])
		strbuf_addf(b,
			    "- **Herd factors far below 1** mean the workers hardly slept: %s. A "
			    "worker back from serving one connection found the next one already "
			    "queued and took it without blocking, so there was no one to wake. How "
			    "often that happens depends on timing (here, the emulated CPUs and the "
			    "scheduler), not on the wake-up rules.\n",
			    list);
}

/* Guests against the host: which numbers compare. */
static void find_emulation(struct strbuf *b, const void *arg)
{
	const struct kmd *d = arg;
	double host = NAN, g = 0;
	int ng = 0;

	for (int i = 0; i < d->nk; i++)
		for (int m = 0; m < d->o->nmodels; m++) {
			double v = run_num(d->kr[i].run[m], MK_CLIENT_THROUGHPUT_REQUESTS_PER_S);
			if (isnan(v))
				continue;
			if (d->kr[i].k.host)
				host = isnan(host) ? v : fmax(host, v);
			else
				g += v, ng++;
		}
	if (!ng)
		return;
	strbuf_addf(
		b, "- **Counts compare across kernels, times do not.** The guests run under qemu's "
		   "TCG emulation (no KVM)");
	if (!isnan(host))
		strbuf_addf(b,
			    ", about %.0f times slower than the host here (%.0f requests/s at "
			    "best on the host, %.0f on average in the guests)",
			    host / (g / ng), host, g / ng);
	strbuf_addf(b, ". Per-connection counts (wakeups per accept, futile wakeups, switches per "
		       "request) depend on the kernel's wait queues and compare; latencies, "
		       "requests/s, fork and first-run latency measure the emulator as much as the "
		       "kernel and compare only between guests.\n");
}

/*
 * What differs between the non-RT guests, model by model: the same emulated
 * machine under each, so a difference is the kernel's (the host is another
 * machine, and the RT kernels have their own paragraph).
 */
static void find_versions(struct strbuf *b, const void *arg)
{
	const struct kmd *d = arg;
	char changed[2048] = "", same[1024] = "";
	int nver = 0;

	for (int i = 0; i < d->nk; i++)
		nver += kresult_ran(&d->kr[i]) && !d->kr[i].k.host &&
			!kresult_is_rt(d->o, &d->kr[i]) &&
			!kresult_second_path(d->kr, d->nk, &d->kr[i]);
	if (nver < 2)
		return;
	for (int m = 0; m < d->o->nmodels; m++) {
		double lo = INFINITY, hi = -INFINITY;
		const char *klo = NULL, *khi = NULL;
		for (int i = 0; i < d->nk; i++) {
			double v = run_num(d->kr[i].run[m], HF);
			if (isnan(v) || d->kr[i].k.host || kresult_is_rt(d->o, &d->kr[i]) ||
			    kresult_second_path(d->kr, d->nk, &d->kr[i]))
				continue;
			if (v < lo)
				lo = v, klo = d->kr[i].k.name;
			if (v > hi)
				hi = v, khi = d->kr[i].k.name;
		}
		if (!klo || klo == khi)
			continue;
		if (hi - lo <= fmax(0.15, 0.15 * hi))
			snprintf(same + strlen(same), sizeof(same) - strlen(same),
				 "%s%s (%.2f-%.2f)", same[0] ? ", " : "", d->o->models[m], lo, hi);
		else
			snprintf(changed + strlen(changed), sizeof(changed) - strlen(changed),
				 "%s%s: %.2f on %s, %.2f on %s", changed[0] ? "; " : "",
				 d->o->models[m], lo, klo, hi, khi);
	}
	if (same[0])
		strbuf_addf(
			b,
			"- **Across kernel versions** (the non-RT guests, one emulated machine) "
			"the "
			"herd factor stays within 15%%: %s. The wake-up rules these models meet "
			"(exclusive waiters for accept and EPOLLEXCLUSIVE, non-exclusive epoll "
			"entries, one socket per SO_REUSEPORT worker) have not changed between "
			"these releases.\n",
			same);
	if (changed[0])
		strbuf_addf(b,
			    "- **Herd factors that differ between kernel versions** (the non-RT "
			    "guests): %s. A single run each: repeat before reading a kernel's "
			    "change into it.\n",
			    changed);
}

/* An RT kernel against its non-RT twin: same release but for "-rt", or name without "-rt". */
static void find_rt(struct strbuf *out, const void *arg)
{
	const struct kmd *d = arg;

	for (int i = 0; i < d->nk; i++) {
		const struct kresult *rt = &d->kr[i], *base = NULL;
		if (!kresult_is_rt(d->o, rt) || !kresult_ran(rt) ||
		    kresult_second_path(d->kr, d->nk, rt))
			continue;
		char want[128];
		snprintf(want, sizeof(want), "%s", rt->k.name);
		if (strlen(want) > 3 && !strcmp(want + strlen(want) - 3, "-rt"))
			want[strlen(want) - 3] = 0;
		for (int j = 0; j < d->nk && !base; j++)
			if (j != i && !strcmp(d->kr[j].k.name, want) &&
			    !strcmp(d->kr[j].attach, rt->attach) &&
			    !kresult_is_rt(d->o, &d->kr[j]) && kresult_ran(&d->kr[j]))
				base = &d->kr[j];
		if (!base) {
			strbuf_addf(out,
				    "- **PREEMPT_RT** (%s): no non-RT %s kernel ran beside it to "
				    "compare with.\n",
				    rt->k.name, want);
			continue;
		}
		char sw[1024] = "", inv[1024] = "", herd[1024] = "", big[160] = "";
		int more = 0, less = 0, imore = 0, n = 0, hsame = 0, hnear = 0;
		double bigr = 0;
		for (int m = 0; m < d->o->nmodels; m++) {
			json_t *a = base->run[m], *b = rt->run[m];
			double sa = run_num(a, SWITCHES_PER_REQUEST),
			       sb = run_num(b, SWITCHES_PER_REQUEST);
			double ia = run_ratio(a, INVOLUNTARY, SWITCHES),
			       ib = run_ratio(b, INVOLUNTARY, SWITCHES);
			double ha = run_num(a, HF), hb = run_num(b, HF);
			if (!a || !b || isnan(sa) || isnan(sb))
				continue;
			n++;
			more += sb > sa * 1.1;
			less += sb < sa / 1.1;
			imore += ib > ia * 1.2 && ib - ia > 0.02;
			hsame += fabs(hb - ha) <= fmax(0.1, 0.1 * fmax(ha, hb));
			hnear += fabs(hb - ha) <= fmax(0.25, 0.25 * fmax(ha, hb));
			if (sa > 0 && sb > 0 && fmax(sb / sa, sa / sb) > bigr) {
				bigr = fmax(sb / sa, sa / sb);
				snprintf(big, sizeof(big), "%s %.2f -> %.2f", d->o->models[m], sa,
					 sb);
			}
			snprintf(sw + strlen(sw), sizeof(sw) - strlen(sw), "%s%s %.2f -> %.2f",
				 sw[0] ? ", " : "", d->o->models[m], sa, sb);
			snprintf(inv + strlen(inv), sizeof(inv) - strlen(inv),
				 "%s%s %.0f%% -> %.0f%%", inv[0] ? ", " : "", d->o->models[m],
				 100 * ia, 100 * ib);
			snprintf(herd + strlen(herd), sizeof(herd) - strlen(herd),
				 "%s%s %.2f -> %.2f", herd[0] ? ", " : "", d->o->models[m], ha, hb);
		}
		if (!n)
			continue;
		strbuf_addf(out,
			    "- **PREEMPT_RT** (%s, %s) against %s (%s): context switches per "
			    "request %s; involuntary share of the switches %s.",
			    rt->k.name, rt->k.release, base->k.name, base->k.release, sw, inv);
		if (more > n / 2)
			strbuf_addf(out,
				    " The RT kernel switches more per request in %d of %d models.",
				    more, n);
		else if (less > n / 2)
			strbuf_addf(out,
				    " The RT kernel switches less per request in %d of %d models.",
				    less, n);
		else
			strbuf_addf(out,
				    " Switches per request do not move the same way in every model "
				    "(the largest change: %s).",
				    big);
		if (imore > n / 2)
			strbuf_addf(
				out,
				" The workers were preempted more often: consistent with RT "
				"running interrupt and softirq work (here, the loopback's packet "
				"receive) in kernel threads that preempt them, and with its "
				"sleeping spinlocks.");
		if (hsame == n)
			strbuf_addf(out,
				    " The herd factors stay the same (%s): who is woken is decided "
				    "by the wait queues, not by the preemption model.\n",
				    herd);
		else if (hnear == n)
			strbuf_addf(
				out,
				" The herd factors change little (%s): the wait queues decide who "
				"is woken; how many of a herd are idle when a connection arrives "
				"depends on timing, which RT changes.\n",
				herd);
		else
			strbuf_addf(out, " Herd factors differ: %s.\n", herd);
	}
}
static void find_failures(struct strbuf *b, const void *arg)
{
	const struct kmd *d = arg;

	for (int i = 0; i < d->nk; i++)
		if (d->kr[i].status == K_FAILED && !strstr(d->kr[i].reason, KRESULT_REFUSED))
			strbuf_addf(b, "- **%s failed:** %s.\n", kresult_label(&d->kr[i]),
				    d->kr[i].reason);
}
