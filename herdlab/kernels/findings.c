/* SPDX-License-Identifier: MIT */
/*
 * findings.c - "What changes between kernels" in kernels.md (kmd.h), from the
 * numbers of each kernel's runs.
 *
 * Like compare's metric table, the findings are a table: a row names a model,
 * the metric its sentence is about (a run.json key from metrics/keys.h, one
 * value per kernel that ran the model), a bound on those values (the lowest,
 * the highest, their spread), and a sentence template that the values fill.
 * The sentence is a few pieces, each written when its own bounds hold. Rows
 * marked `otherwise` are the alternatives of the row before them: the first
 * one whose bound holds is written. A row without a model is a finding across
 * models and kernels (the RT kernels against their twins, the guests against
 * the host), written by its own function; those name no model either, they
 * walk the matrix.
 *
 * Templates say {model}; {values} ("host 7.90, 5.10 7.61, ..."), {lo} and {hi}
 * of the row's metric; {aux}, {auxlo} and {auxhi} of a second metric of the
 * same model; {everywhere} ("on every kernel", or "on the one kernel that ran
 * it").
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernels/kmd.h"
#include "kernels/matrix.h"
#include "metrics/keys.h"

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

/* A metric: one number per kernel that ran the row's model. */
struct metric {
	const char *key;  /* run.json's dotted key (NULL: none) */
	const char *per;  /* divided by this key's value (NULL: as it is) */
	const char *over; /* instead: model @over's @key divided by the row model's, */
	double floor;	  /* on the kernels where the row model's is at least @floor */
	int prec;	  /* decimals */
	const char *unit; /* after each value in {values} */
	double scale;	  /* times this (0: 1) */
};

/* What a bound is on. */
enum of {
	OF_N,	       /* how many kernels have a value */
	OF_LO,	       /* the lowest value */
	OF_HI,	       /* the highest */
	OF_SPREAD,     /* highest / lowest */
	OF_AUX_N,      /* the same of the aux metric */
	OF_AUX_LO,     /* (INFINITY when it has no value) */
	OF_AUX_SPREAD, /* */
};

enum op { ANY, GE, GT, LE, LT }; /* ANY: no bound (a zeroed bound always holds) */

struct bound {
	enum of of;
	enum op op;
	double v;
};

/* A piece of a sentence, written when both its bounds hold. */
struct piece {
	struct bound when[2];
	const char *text; /* a template */
};

struct finding {
	const char *model;    /* whose runs (NULL: @write's finding) */
	struct metric metric; /* the values the bound is on; none: no finding */
	struct metric aux;    /* a second metric of the model, for the template */
	struct bound when[2]; /* the row is written when both hold */
	bool otherwise;	      /* only if no row of its chain before it was written */
	struct piece text[6]; /* the sentence */
	void (*write)(FILE *f, const struct kmd *d); /* a finding across models */
};

static void find_no_sleep(FILE *f, const struct kmd *d);
static void find_versions(FILE *f, const struct kmd *d);
static void find_rt(FILE *f, const struct kmd *d);
static void find_emulation(FILE *f, const struct kmd *d);
static void find_failures(FILE *f, const struct kmd *d);

#define HERD                         \
	{                            \
		.key = HF, .prec = 2 \
	}
#define FEWER                                                               \
	{                                                                   \
		.key = HF, .over = "prefork-epoll", .floor = 0.5, .prec = 1 \
	}
#define FEWER_NARROW                                                          \
	{                                                                     \
		{ { OF_AUX_N, GT, 0 }, { OF_AUX_SPREAD, LT, 1.05 } },         \
			", {auxlo} times fewer wakeups than without the flag" \
	}
#define FEWER_WIDE                                                                       \
	{                                                                                \
		{ { OF_AUX_N, GT, 0 }, { OF_AUX_SPREAD, GE, 1.05 } },                    \
			", {auxlo} to {auxhi} times fewer wakeups than without the flag" \
	}

/* The findings, in the order kernels.md gives them. */
static const struct finding findings[] = {
	{ .model = "prefork-epoll",
	  .metric = HERD,
	  .aux = { .key = FUTILE, .per = WAKEUPS, .prec = 0, .unit = "%", .scale = 100 },
	  .when = { { OF_LO, GE, 3 } },
	  .text = { { .text = "- **The herd is there {everywhere}.** {model} (each worker its own "
			      "level-triggered epoll on the shared listener) woke {values} tasks "
			      "per "
			      "accepted connection; {aux} of those wakeups were futile (the worker "
			      "found nothing to accept and slept again). Every worker's epoll "
			      "waits "
			      "on the listener's wait queue as a non-exclusive waiter, so a new "
			      "connection wakes all the idle ones and only one of them gets it." },
		    { { { OF_N, GT, 1 }, { OF_SPREAD, LT, 1.15 } },
		      " The factor hardly moves between kernels ({lo} to {hi})." },
		    { { { OF_N, GT, 1 }, { OF_SPREAD, GE, 1.15 } },
		      " How many wake varies ({lo} to {hi}): it is the number of workers idle in "
		      "epoll_wait when a connection arrives, which depends on how fast each "
		      "machine serves the load." },
		    { .text = "\n" } } },
	{ .model = "prefork-epoll",
	  .metric = HERD,
	  .when = { { OF_HI, GE, 3 } },
	  .otherwise = true,
	  .text = { { .text = "- **The herd differs between kernels:** {model} woke {values} "
			      "tasks per accepted connection.\n" } } },
	{ .model = "prefork-epoll",
	  .metric = HERD,
	  .otherwise = true,
	  .text = { { .text = "- {model} woke {values} tasks per accepted connection: no herd "
			      "was measured.\n" } } },

	{ .model = "prefork-epoll-exclusive",
	  .metric = HERD,
	  .aux = FEWER,
	  .when = { { OF_HI, LE, 1.5 } },
	  .text = { { .text = "- **EPOLLEXCLUSIVE** (Linux 4.5) holds it down {everywhere}: "
			      "{values} tasks per connection" },
		    FEWER_NARROW,
		    FEWER_WIDE,
		    { .text = ". With the flag each epoll entry is an exclusive waiter on the "
			      "listener, and a new connection wakes one of them." },
		    { { { OF_HI, GT, 1.05 } },
		      " (Above 1: the kernel promises to wake \"one or more\" exclusive waiters, "
		      "and a worker woken for a connection another worker took is futile.)" },
		    { .text = "\n" } } },
	{ .model = "prefork-epoll-exclusive",
	  .metric = HERD,
	  .aux = FEWER,
	  .otherwise = true,
	  .text = { { .text = "- **EPOLLEXCLUSIVE did not hold the herd down everywhere:** "
			      "{values} tasks per connection" },
		    FEWER_NARROW,
		    FEWER_WIDE,
		    { .text = ".\n" } } },
	{ .model = "prefork-epoll-exclusive",
	  .metric = { .key = JAIN, .prec = 2 },
	  .aux = HERD, /* said only of a model whose herd factor was measured */
	  .when = { { OF_HI, LT, 0.8 }, { OF_AUX_N, GT, 0 } },
	  .text = { { .text = "- **EPOLLEXCLUSIVE is unfair:** Jain's index over the workers' "
			      "accepts {values}. A new connection walks the listener's wait "
			      "queue in order and wakes the first worker whose epoll has a "
			      "waiter, so the workers that registered first take most "
			      "connections whenever they are idle.\n" } } },

	{ .model = "prefork",
	  .metric = HERD,
	  .when = { { OF_HI, LE, 1.2 } },
	  .text = { { .text = "- **Wake-one accept:** blocking accept ({model}) woke {values} "
			      "tasks per connection. accept(2) sleeps as an exclusive waiter on "
			      "the listening socket (wake-one since Linux 2.6): blocking accept "
			      "has no herd " },
		    { { { OF_N, GT, 1 } }, "on any kernel here" },
		    { { { OF_N, LE, 1 } }, "here" },
		    { .text = ".\n" } } },
	{ .model = "prefork",
	  .metric = HERD,
	  .otherwise = true,
	  .text = { { .text = "- **Blocking accept woke more than one task per connection on "
			      "some kernels:** {values}.\n" } } },

	{ .write = find_no_sleep },

	{ .model = "prefork-mutex",
	  .metric = HERD,
	  .aux = { .key = LOCK_WAKEUPS, .per = ACCEPTED, .prec = 2 },
	  .text = { { .text = "- **A mutex around accept** ({model}) woke {values} tasks per "
			      "connection, of them {aux} for the lock: unlocking hands the mutex "
			      "to one waiter, which then sleeps in accept." },
		    { { { OF_SPREAD, GT, 1.25 } },
		      " The lock's share differs between kernels: how often the holder "
		      "releases it with a waiter queued depends on timing." },
		    { .text = "\n" } } },

	{ .model = "prefork-reuseport",
	  .metric = HERD,
	  .aux = { .key = JAIN, .prec = 3 },
	  .text = { { .text = "- **SO_REUSEPORT** gives each worker its own listener, and the "
			      "kernel hashes each connection to one of them: {values} tasks "
			      "woken per connection; fairness (Jain's index over the workers) "
			      "{aux}." },
		    { { { OF_AUX_LO, LT, 0.9 } },
		      " The hash of the client's address and port does not spread a few "
		      "thousand connections evenly: some workers get more." },
		    { .text = "\n" } } },

	{ .write = find_versions },
	{ .write = find_rt },
	{ .write = find_emulation },
	{ .write = find_failures },
};
#define N_FINDINGS (sizeof(findings) / sizeof(findings[0]))

/* ---- the rows, filled from the numbers -------------------------------------------------- */

/* A metric's values over the kernels. */
struct series {
	int n;		 /* kernels with a value */
	double lo, hi;	 /* INFINITY, -INFINITY without one */
	char list[1024]; /* "host 7.90, 5.10 7.61, ..." */
	int prec;	 /* the metric's decimals */
};

static int model_index(const struct kernels_opts *o, const char *model)
{
	for (int m = 0; model && m < o->nmodels; m++)
		if (!strcmp(o->models[m], model))
			return m;
	return -1;
}

/* Metric @x of model @m (-1: not in the matrix) on every kernel. */
static void series_of(const struct kmd *d, int m, const struct metric *x, struct series *s)
{
	int over = x->over ? model_index(d->o, x->over) : m;

	*s = (struct series){ .lo = INFINITY, .hi = -INFINITY, .prec = x->prec };
	for (int i = 0; x->key && m >= 0 && over >= 0 && i < d->nk; i++) {
		json_t *run = d->kr[i].run[m];
		double v;
		if (x->over) {
			double a = run_num(d->kr[i].run[over], x->key), b = run_num(run, x->key);
			v = a > 0 && b >= x->floor ? a / b : NAN;
		} else {
			v = (x->per ? run_ratio(run, x->key, x->per) : run_num(run, x->key)) *
			    (x->scale ? x->scale : 1);
		}
		if (isnan(v))
			continue;
		size_t used = strlen(s->list);
		snprintf(s->list + used, sizeof(s->list) - used, "%s%s %.*f%s", s->n ? ", " : "",
			 d->kr[i].k.name, x->prec, v, x->unit ? x->unit : "");
		s->lo = fmin(s->lo, v), s->hi = fmax(s->hi, v);
		s->n++;
	}
}

static bool holds(const struct bound *b, const struct series *s, const struct series *aux)
{
	const double of[] = { [OF_N] = s->n,
			      [OF_LO] = s->lo,
			      [OF_HI] = s->hi,
			      [OF_SPREAD] = s->hi / s->lo,
			      [OF_AUX_N] = aux->n,
			      [OF_AUX_LO] = aux->lo,
			      [OF_AUX_SPREAD] = aux->hi / aux->lo };
	double x = of[b->of];

	switch (b->op) {
	case ANY:
		return true;
	case GE:
		return x >= b->v;
	case GT:
		return x > b->v;
	case LE:
		return x <= b->v;
	case LT:
		return x < b->v;
	}
	return false;
}

/* Template @t filled in. */
static void say(FILE *f, const char *t, const char *model, const struct series *s,
		const struct series *aux)
{
	const char *open, *close;

	while ((open = strchr(t, '{')) && (close = strchr(open, '}'))) {
		int len = (int)(close - open - 1);
		const char *name = open + 1;
		fwrite(t, 1, (size_t)(open - t), f);
#define IS(word) (len == (int)strlen(word) && !strncmp(name, word, (size_t)len))
		if (IS("model"))
			fputs(model, f);
		else if (IS("values"))
			fputs(s->list, f);
		else if (IS("lo"))
			fprintf(f, "%.*f", s->prec, s->lo);
		else if (IS("hi"))
			fprintf(f, "%.*f", s->prec, s->hi);
		else if (IS("aux"))
			fputs(aux->list, f);
		else if (IS("auxlo"))
			fprintf(f, "%.*f", aux->prec, aux->lo);
		else if (IS("auxhi"))
			fprintf(f, "%.*f", aux->prec, aux->hi);
		else if (IS("everywhere"))
			fputs(s->n > 1 ? "on every kernel" : "on the one kernel that ran it", f);
		else
			fwrite(open, 1, (size_t)(close - open + 1), f);
#undef IS
		t = close + 1;
	}
	fputs(t, f);
}

void kmd_findings(FILE *f, const struct kmd *d)
{
	bool chain = false; /* a row of the current chain was written */

	for (size_t i = 0; i < N_FINDINGS; i++) {
		const struct finding *r = &findings[i];
		struct series s, aux;
		if (!r->otherwise)
			chain = false;
		if (r->write) {
			r->write(f, d);
			continue;
		}
		int m = model_index(d->o, r->model);
		series_of(d, m, &r->metric, &s);
		series_of(d, m, &r->aux, &aux);
		if (chain || !s.n || !holds(&r->when[0], &s, &aux) || !holds(&r->when[1], &s, &aux))
			continue;
		for (size_t p = 0; p < sizeof(r->text) / sizeof(r->text[0]) && r->text[p].text; p++)
			if (holds(&r->text[p].when[0], &s, &aux) &&
			    holds(&r->text[p].when[1], &s, &aux))
				say(f, r->text[p].text, r->model, &s, &aux);
		chain = true;
	}
}

/* ---- findings across models and kernels ------------------------------------------------- */

/* Herd factors far below 1: the workers did not sleep, so nothing was woken. */
static void find_no_sleep(FILE *f, const struct kmd *d)
{
	char list[2048] = "";

	for (int m = 0; m < d->o->nmodels; m++)
		for (int i = 0; i < d->nk; i++) {
			json_t *run = d->kr[i].run[m];
			double h = run_num(run, HF), sw = run_num(run, SWITCHES_PER_REQUEST);
			if (!run || !(h < 0.5) || !(sw < 0.5))
				continue;
			snprintf(list + strlen(list), sizeof(list) - strlen(list),
				 "%s%s on %s (%.2f wakeups, %.2f switches per request)",
				 list[0] ? "; " : "", d->o->models[m], d->kr[i].k.name, h, sw);
		}
	if (list[0])
		fprintf(f,
			"- **Herd factors far below 1** mean the workers hardly slept: %s. A "
			"worker back from serving one connection found the next one already "
			"queued and took it without blocking, so there was no one to wake. How "
			"often that happens depends on timing (here, the emulated CPUs and the "
			"scheduler), not on the wake-up rules.\n",
			list);
}

/* Guests against the host: which numbers compare. */
static void find_emulation(FILE *f, const struct kmd *d)
{
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
	fprintf(f, "- **Counts compare across kernels, times do not.** The guests run under qemu's "
		   "TCG emulation (no KVM)");
	if (!isnan(host))
		fprintf(f,
			", about %.0f times slower than the host here (%.0f requests/s at "
			"best on the host, %.0f on average in the guests)",
			host / (g / ng), host, g / ng);
	fprintf(f, ". Per-connection counts (wakeups per accept, futile wakeups, switches per "
		   "request) depend on the kernel's wait queues and compare; latencies, "
		   "requests/s, fork and first-run latency measure the emulator as much as the "
		   "kernel and compare only between guests.\n");
}

/*
 * What differs between the non-RT guests, model by model: the same emulated
 * machine under each, so a difference is the kernel's (the host is another
 * machine, and the RT kernels have their own paragraph).
 */
static void find_versions(FILE *f, const struct kmd *d)
{
	char changed[2048] = "", same[1024] = "";
	int nver = 0;

	for (int i = 0; i < d->nk; i++)
		nver += kresult_ran(&d->kr[i]) && !d->kr[i].k.host &&
			!kresult_is_rt(d->o, &d->kr[i]);
	if (nver < 2)
		return;
	for (int m = 0; m < d->o->nmodels; m++) {
		double lo = INFINITY, hi = -INFINITY;
		const char *klo = NULL, *khi = NULL;
		for (int i = 0; i < d->nk; i++) {
			double v = run_num(d->kr[i].run[m], HF);
			if (isnan(v) || d->kr[i].k.host || kresult_is_rt(d->o, &d->kr[i]))
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
		fprintf(f,
			"- **Across kernel versions** (the non-RT guests, one emulated machine) "
			"the "
			"herd factor stays within 15%%: %s. The wake-up rules these models meet "
			"(exclusive waiters for accept and EPOLLEXCLUSIVE, non-exclusive epoll "
			"entries, one socket per SO_REUSEPORT worker) have not changed between "
			"these releases.\n",
			same);
	if (changed[0])
		fprintf(f,
			"- **Herd factors that differ between kernel versions** (the non-RT "
			"guests): %s. A single run each: repeat before reading a kernel's "
			"change into it.\n",
			changed);
}

/* An RT kernel against its non-RT twin: same release but for "-rt", or name without "-rt". */
static void find_rt(FILE *f, const struct kmd *d)
{
	for (int i = 0; i < d->nk; i++) {
		const struct kresult *rt = &d->kr[i], *base = NULL;
		if (!kresult_is_rt(d->o, rt) || !kresult_ran(rt))
			continue;
		char want[128];
		snprintf(want, sizeof(want), "%s", rt->k.name);
		if (strlen(want) > 3 && !strcmp(want + strlen(want) - 3, "-rt"))
			want[strlen(want) - 3] = 0;
		for (int j = 0; j < d->nk && !base; j++)
			if (j != i && !strcmp(d->kr[j].k.name, want) &&
			    !kresult_is_rt(d->o, &d->kr[j]) && kresult_ran(&d->kr[j]))
				base = &d->kr[j];
		if (!base) {
			fprintf(f,
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
		fprintf(f,
			"- **PREEMPT_RT** (%s, %s) against %s (%s): context switches per "
			"request %s; involuntary share of the switches %s.",
			rt->k.name, rt->k.release, base->k.name, base->k.release, sw, inv);
		if (more > n / 2)
			fprintf(f, " The RT kernel switches more per request in %d of %d models.",
				more, n);
		else if (less > n / 2)
			fprintf(f, " The RT kernel switches less per request in %d of %d models.",
				less, n);
		else
			fprintf(f,
				" Switches per request do not move the same way in every model "
				"(the largest change: %s).",
				big);
		if (imore > n / 2)
			fprintf(f,
				" The workers were preempted more often: consistent with RT "
				"running interrupt and softirq work (here, the loopback's packet "
				"receive) in kernel threads that preempt them, and with its "
				"sleeping spinlocks.");
		if (hsame == n)
			fprintf(f,
				" The herd factors stay the same (%s): who is woken is decided "
				"by the wait queues, not by the preemption model.\n",
				herd);
		else if (hnear == n)
			fprintf(f,
				" The herd factors change little (%s): the wait queues decide who "
				"is woken; how many of a herd are idle when a connection arrives "
				"depends on timing, which RT changes.\n",
				herd);
		else
			fprintf(f, " Herd factors differ: %s.\n", herd);
	}
}
static void find_failures(FILE *f, const struct kmd *d)
{
	for (int i = 0; i < d->nk; i++)
		if (d->kr[i].status == K_FAILED)
			fprintf(f, "- **%s failed:** %s.\n", d->kr[i].k.name, d->kr[i].reason);
}
