/* SPDX-License-Identifier: MIT */
/*
 * paths.c - kernels.md's "The tracer's two paths" (kmd.h): under --attach
 * both, each kernel ran the study twice, once with accepts, forks and reaps
 * seen at system-call tracepoints and once at fexit (the exits of the
 * kernel's accept, kernel_clone and release_task, no system-call tracepoint
 * at all). The counts with one right answer must not depend on the path that
 * counted them, so the section is:
 *
 *	a table    each kernel and model, every column "tracepoints / fexit"
 *	findings   rows for the findings engine (report/findings.h) over the
 *	           pairs, and one that walks the entries: which path each ran,
 *	           and the kernels that refused fexit (5.10: no bpf_task_pt_regs)
 *
 * For the engine each run is given the path it took as its "model" and
 * "KERNEL MODEL" as its label, so that a metric `beside` the other path is the
 * tracepoints run's value over the fexit run's of the same kernel and model:
 * 1 in every pair is the same count on both paths.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kmd.h"
#include "kernels/matrix.h"
#include "metrics/keys.h"
#include "report/findings.h"

#define TRACE(key)  MK_DOT(MK_TRACE, key)
#define HF	    TRACE(MK_ACCEPT_WAKEUPS_PER_ACCEPT)
#define ACCEPTED    TRACE(MK_ACCEPT_ACCEPTED)
#define ESTABLISHED TRACE(MK_TCP_ESTABLISHED)
#define FORKS	    TRACE(MK_PROC_FORKS)
#define EXITS	    TRACE(MK_PROC_EXITS)
#define REAPED(who) TRACE(MK_PROC_REAPED_BY "." who)
#define TP	    "tracepoints"
#define FX	    "fexit"

/* The table's columns: what each run counted. */
static const struct {
	const char *head;
	struct finding_metric m;
} cols[] = {
	{ "herd factor", { .key = HF, .prec = 2 } },
	{ "accepted", { .key = ACCEPTED } },
	{ "established", { .key = ESTABLISHED } },
	{ "client's requests", { .key = MK_CLIENT_REQUESTS_OK } },
	{ "forks", { .key = FORKS } },
	{ "exits", { .key = EXITS } },
	{ "reaps", { .key = REAPED("parent"), .plus = { REAPED("init"), REAPED("auto") } } },
	{ "joined",
	  { .key = MK_JOIN_REQUESTS_MATCHED,
	    .per = MK_JOIN_REQUESTS,
	    .scale = 100,
	    .prec = 1,
	    .unit = "%" } },
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

static void find_ran(struct strbuf *b, const void *arg);

#define A 0
#define B 1
#define C 2
/* A difference that is 0 in every run, a ratio that is 1 in every pair. */
#define ZERO(slot)                    \
	{ slot, FS_LO, FO_GE, 0 },    \
	{                             \
		slot, FS_HI, FO_LE, 0 \
	}
#define ONE(slot)                     \
	{ slot, FS_LO, FO_GE, 1 },    \
	{                             \
		slot, FS_HI, FO_LE, 1 \
	}
/* The tracepoints run's count over the fexit run's, of one kernel and model. */
#define SAME(k) .key = k, .beside = TP, .prec = 2

/* A path's own known answers, in each of its runs. */
#define PATH_ANSWERS(path)                                                                   \
	{ .model = path,                                                                     \
	  .m = { { .key = ACCEPTED, .minus = { ESTABLISHED } },                              \
		 { .key = ACCEPTED, .minus = { MK_CLIENT_REQUESTS_OK }, .optional = true },  \
		 { .key = MK_JOIN_REQUESTS,                                                  \
		   .minus = { MK_JOIN_REQUESTS_MATCHED },                                    \
		   .optional = true } },                                                     \
	  .when = { ZERO(A) },                                                               \
	  .text = "- **{model}: accepted = established** in all {a.n} runs",                 \
	  .more = { { { ZERO(B) }, ", = the client's requests" },                            \
		    { { { B, FS_LO, FO_LT, 0 } },                                            \
		      "; the client counted otherwise (accepted - "                          \
		      "the client's {b.list})" },                                            \
		    { { { B, FS_LO, FO_GE, 0 }, { B, FS_HI, FO_GT, 0 } },                    \
		      "; the client counted otherwise (accepted - the client's {b.list})" }, \
		    { { ZERO(C) }, "; every request joined to its connection" },             \
		    { { { C, FS_HI, FO_GT, 0 } }, "; requests left unjoined: {c.list}" },    \
		    { .text = ".\n" } } },                                                   \
	{                                                                                    \
		.model = path, .m = { { .key = ACCEPTED, .minus = { ESTABLISHED } } },       \
		.otherwise = true,                                                           \
		.text = "- **{model}: accepted and established differ:** accepted - "        \
			"established {a.list}.\n"                                            \
	}

/* A count beside the other path (slot @i, "{@s.list}"): said equal, or with its ratios. */
#define SAME_PIECES(i, s, what)                                                   \
	{ { ONE(i) }, ", " what " equal" },                                       \
		{ { { i, FS_LO, FO_LT, 1 } },                                     \
		  ", " what " differ (tracepoints over fexit {" s ".list})" },    \
	{                                                                         \
		{ { i, FS_LO, FO_GE, 1 }, { i, FS_HI, FO_GT, 1 } },               \
			", " what " differ (tracepoints over fexit {" s ".list})" \
	}

static const struct finding rows[] = {
	{ .write = find_ran },
	PATH_ANSWERS(TP),
	PATH_ANSWERS(FX),
	{ .model = FX,
	  .m = { { SAME(FORKS) },
		 { SAME(EXITS), .optional = true },
		 { SAME(REAPED("parent")), .plus = { REAPED("init"), REAPED("auto") },
		   .optional = true } },
	  .when = { ONE(A) },
	  .text = "- **The same processes on both paths:** forks equal in all {a.n} pairs",
	  .more = { SAME_PIECES(B, "b", "exits"),
		    SAME_PIECES(C, "c", "reaps"),
		    { .text = ". kernel_clone's and release_task's exits see what the fork and "
			      "wait system calls' tracepoints see.\n" } } },
	{ .model = FX,
	  .m = { { SAME(FORKS) } },
	  .otherwise = true,
	  .text = "- **Forks differ between the paths:** tracepoints over fexit {a.list}.\n" },
	{ .model = FX,
	  .m = { { SAME(HF), .floor = 0.5 } },
	  .when = { { A, FS_LO, FO_GE, 0.75 }, { A, FS_HI, FO_LE, 1.33 } },
	  .text = "- **The herd factor does not depend on the path:** the tracepoints run's over "
		  "the fexit run's, {a.list}. Wakeups are counted at sched_waking on both; "
		  "how many workers are idle when a connection arrives is timing (one run "
		  "each).\n" },
	{ .model = FX,
	  .m = { { SAME(HF), .floor = 0.5 } },
	  .otherwise = true,
	  .text = "- **The herd factors differ between the paths** by more than a third: the "
		  "tracepoints run's over the fexit run's, {a.list}. One run each: how many "
		  "workers are idle when a connection arrives is timing, which a cheaper "
		  "tracer changes; repeat before reading a path into it.\n" },
};

/* Which path each entry's runs took, and the kernels that refused fexit. */
static void find_ran(struct strbuf *b, const void *arg)
{
	const struct kmd *d = arg;
	char both[512] = "", odd[1024] = "";
	int runs = 0;

	for (int i = 0; i < d->nk; i++) {
		const struct kresult *r = &d->kr[i], *tp = kresult_twin(d->kr, d->nk, r);
		if (strcmp(r->attach, FX) || !tp)
			continue;
		if (strstr(r->reason, KRESULT_REFUSED)) {
			strbuf_addf(b,
				    "- **%s refuses fexit:** %s. There `--attach auto` takes the "
				    "tracepoints: its %s runs are the only ones.\n",
				    r->k.name,
				    strstr(r->reason, KRESULT_REFUSED) + strlen(KRESULT_REFUSED),
				    kresult_label(tp));
			continue;
		}
		if (!kresult_ran(r) || !kresult_ran(tp))
			continue;
		int n = 0;
		for (int m = 0; m < d->o->nmodels; m++)
			for (int p = 0; p < 2; p++) {
				const struct kresult *e = p ? r : tp;
				const char *took = run_attach(e->run[m]);
				if (!e->run[m])
					continue;
				n++;
				if (!took || strcmp(took, e->attach))
					snprintf(odd + strlen(odd), sizeof(odd) - strlen(odd),
						 "%s%s %s took %s", odd[0] ? "; " : "",
						 kresult_label(e), d->o->models[m],
						 took ? took : "no path it says");
			}
		runs += n;
		snprintf(both + strlen(both), sizeof(both) - strlen(both), "%s%s",
			 both[0] ? ", " : "", r->k.name);
	}
	if (both[0] && !odd[0])
		strbuf_addf(b,
			    "- **Both paths ran on %s:** every run's tracer.attach is the path it "
			    "was asked for (%d runs).\n",
			    both, runs);
	else if (both[0])
		strbuf_addf(b, "- **Not every run took the path asked for:** %s.\n", odd);
}

/* "a / b": the tracepoints run's value of column @c and the fexit run's. */
static void pair_cell(FILE *f, json_t *tp, json_t *fx, const struct finding_metric *m)
{
	for (int p = 0; p < 2; p++) {
		double v = finding_value(p ? fx : tp, m);
		if ((p ? fx : tp) && !isnan(v))
			fprintf(f, "%s%.*f%s", p ? " / " : " ", m->prec, v, m->unit ? m->unit : "");
		else
			fprintf(f, "%s-", p ? " / " : " ");
	}
	fprintf(f, " |");
}

static void say_file(void *to, const char *text)
{
	fputs(text, to);
}

void kmd_paths(FILE *f, const struct kmd *d)
{
	size_t cap = (size_t)d->nk * (size_t)d->o->nmodels * 2 + 1, n = 0;
	struct finding_run *runs = calloc(cap, sizeof(*runs));
	char(*labels)[160] = calloc(cap, sizeof(*labels));
	int pairs = 0, nl = 0;

	for (int i = 0; i < d->nk; i++)
		pairs += !strcmp(d->kr[i].attach, FX) && kresult_twin(d->kr, d->nk, &d->kr[i]);
	if (!pairs || !runs || !labels)
		goto out;
	fprintf(f, "\n## The tracer's two paths\n\n"
		   "Each kernel ran the study twice (`--attach both`), booted once per path: "
		   "**tracepoints** sees accepts, forks and reaps at system-call tracepoints, "
		   "which put every system call of the machine on the traced path; **fexit** "
		   "sees them at the exits of the kernel's accept (inet_csk_accept), "
		   "kernel_clone and release_task, with no system-call tracepoint (Linux 5.15+: "
		   "it reads waits from registers, bpf_task_pt_regs). The counts that have one "
		   "right answer must agree; the herd factor is one run each.\n\n"
		   "| kernel | model | tracer.attach |");
	for (size_t c = 0; c < NCOLS; c++)
		fprintf(f, " %s |", cols[c].head);
	fprintf(f, "\n|---|---|---|");
	for (size_t c = 0; c < NCOLS; c++)
		fprintf(f, "---:|");
	fprintf(f, "\n");
	for (int i = 0; i < d->nk; i++) {
		const struct kresult *fx = &d->kr[i], *tp = kresult_twin(d->kr, d->nk, fx);
		if (strcmp(fx->attach, FX) || !tp)
			continue;
		for (int m = 0; m < d->o->nmodels; m++) {
			json_t *a = tp->run[m], *b = fx->run[m];
			if (!a && !b)
				continue;
			fprintf(f, "| %s | %s | %s / %s |", fx->k.name, d->o->models[m],
				run_attach(a) ? run_attach(a) : "-",
				run_attach(b) ? run_attach(b) : "-");
			for (size_t c = 0; c < NCOLS; c++)
				pair_cell(f, a, b, &cols[c].m);
			fprintf(f, "\n");
			char *label = labels[nl++];
			snprintf(label, sizeof(labels[0]), "%s %s", fx->k.name, d->o->models[m]);
			if (a)
				runs[n++] = (struct finding_run){ .run = a,
								  .model = TP,
								  .label = label };
			if (b)
				runs[n++] = (struct finding_run){ .run = b,
								  .model = FX,
								  .label = label };
		}
	}
	fprintf(f, "\nEach cell: the tracepoints run / the fexit run. reaps: by the parent, by "
		   "init and automatic; joined: the client's requests matched to a traced "
		   "connection.\n\n");
	const struct findings_sink sink = { .say = say_file, .to = f, .arg = d };
	findings_say(runs, n, rows, sizeof(rows) / sizeof(rows[0]), &sink);
out:
	free(runs);
	free(labels);
}
