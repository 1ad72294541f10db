/* SPDX-License-Identifier: MIT */
/*
 * test_study.c - herdlab study's pieces on fixed inputs: the verdict rules,
 * keys read at run.json's full paths, a claim's value from cells (baseline taken, ratio,
 * the largest of a pattern, the reason when missing), their side from the
 * seed tables, the cells expanded from the groups (placeholders, products,
 * skipped and noted options), and the explanations' sentence selection (which
 * row of a chain is said, and every number it quotes told with its key): the
 * herd, the wait calls' growth, the read server's OOM kills, and a full accept
 * queue's resets or timeouts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsonio.h"
#include "metrics/keys.h"
#include "study/study.h"

static void verdict_rules(void **state)
{
	struct verdict_rule up = { .reproduced = 5, .differs = 2 };
	struct verdict_rule down = { .below = true, .reproduced = 1.2, .differs = 2 };
	char buf[96];

	(void)state;
	assert_int_equal(verdict_of(&up, 11.6), V_REPRODUCED);
	assert_int_equal(verdict_of(&up, 5), V_REPRODUCED); /* the threshold itself holds */
	assert_int_equal(verdict_of(&up, 3.1), V_DIFFERS);
	assert_int_equal(verdict_of(&up, 1.9), V_NOT_REPRODUCED);
	assert_int_equal(verdict_of(&up, NAN), V_NOT_MEASURED);
	assert_int_equal(verdict_of(&up, INFINITY), V_NOT_MEASURED);
	assert_int_equal(verdict_of(&down, 1.0), V_REPRODUCED);
	assert_int_equal(verdict_of(&down, 1.5), V_DIFFERS);
	assert_int_equal(verdict_of(&down, 7.9), V_NOT_REPRODUCED);
	verdict_rule_str(&down, buf, sizeof(buf));
	assert_string_equal(buf, "reproduced if <= 1.2, differs if <= 2");
	assert_string_equal(verdict_name[V_DIFFERS], "differs");
}

/* A run.json as herdlab run writes it: the tracer's, the cost's and the client's objects. */
static json_t *run_json(double herd, double cpu_ns, double ok)
{
	return json_pack("{s:b,s:i,s:{s:{s:f},s:{s:{s:f}}},s:{s:{s:f,s:f}},s:{s:{s:f,s:f}}}",
			 "traced", 1, "cpus", 2, "trace", "accept", "wakeups_per_accept", herd,
			 "wait", "select", "cpu_ns_per_call", 900.0, "cost", "server", "cpu_ns",
			 cpu_ns, "memory_peak_bytes", 1048576.0, "client", "requests", "ok", ok,
			 "total", ok);
}

/* @run with @value at the dotted @path (objects made on the way). */
static json_t *with(json_t *run, const char *path, double value)
{
	char buf[256];
	json_t *o = run;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf, *dot; (dot = strchr(p, '.')); p = dot + 1) {
		*dot = '\0';
		json_t *next = json_object_get(o, p);
		if (!next)
			json_object_set_new(o, p, next = json_object());
		o = next;
		if (!strchr(dot + 1, '.'))
			json_object_set_new(o, dot + 1, json_real(value));
	}
	return run;
}

static void view_reads_full_keys(void **state)
{
	json_t *run = run_json(7.5, 2e9, 1000), *v = study_view(run);
	struct finding_metric m = { .key = SK_TRACE(MK_ACCEPT_WAKEUPS_PER_ACCEPT) };

	(void)state;
	assert_string_equal(SK_TRACE(MK_ACCEPT_WAKEUPS_PER_ACCEPT),
			    "trace.accept.wakeups_per_accept");
	assert_string_equal(SK_WAIT(MK_WAIT_POLL, MK_WK_CPU_NS_PER_CALL),
			    "trace.wait.poll.cpu_ns_per_call");
	assert_string_equal(SK_BUCKET("page_fault"), "profile.buckets.page_fault.share");
	assert_string_equal(SK_NETSTAT(MK_NS_LISTEN_OVERFLOWS), "tcp.netstat.ListenOverflows");
	assert_true(finding_value(v, &m) == 7.5);
	m = (struct finding_metric){ .key = SK_SERVER(MK_CG_CPU_NS),
				     .per = MK_CLIENT_REQUESTS_OK,
				     .scale = 1e-3 };
	assert_true(fabs(finding_value(v, &m) - 2000) < 1e-9); /* us per request */
	m = (struct finding_metric){ .key = SK_WAIT(MK_WAIT_SELECT, MK_WK_CPU_NS_PER_CALL) };
	assert_true(finding_value(v, &m) == 900);
	/* the short names are not read: a key is run.json's full path or nothing */
	m = (struct finding_metric){ .key = MK_ACCEPT_WAKEUPS_PER_ACCEPT };
	assert_true(isnan(finding_value(v, &m)));
	m = (struct finding_metric){ .key = "server." MK_CG_CPU_NS };
	assert_true(isnan(finding_value(v, &m)));
	json_decref(v);
	json_decref(run);
}

/* A study of three cells of experiment "unp", each with one traced and two untraced runs. */
static void fake_study(struct study *s, struct study_cell *cells)
{
	const struct study_experiment *e = study_experiment_find("unp");
	static const char *ids[] = { "iterative", "fork", "prefork" };
	static const double cpu[] = { 1e9, 21e9, 3e9 };

	memset(s, 0, sizeof(*s));
	s->cells = cells;
	s->ncells = 3;
	for (int i = 0; i < 3; i++) {
		struct study_cell *c = &cells[i];
		memset(c, 0, sizeof(*c));
		c->exp = e;
		c->group = &e->groups[0];
		c->variant = &e->groups[0].variants[i];
		snprintf(c->id, sizeof(c->id), "%s", ids[i]);
		c->reps = 3;
		for (int r = 0; r < 3; r++) {
			json_t *run = run_json(1.0 + i, cpu[i] * (r == 0 ? 2 : 1) + r, 2500);
			c->rep[r].traced = r == 0;
			c->rep[r].view = study_view(run);
			json_decref(run);
		}
	}
}

static void free_fake(struct study_cell *cells)
{
	for (int i = 0; i < 3; i++)
		for (int r = 0; r < 3; r++)
			json_decref(cells[i].rep[r].view);
}

static void value_from_cells(void **state)
{
	struct study s;
	struct study_cell cells[3];
	char needs[256] = "";

	(void)state;
	fake_study(&s, cells);
	/* untraced medians: fork 21e9+1.5, prefork 3e9+1.5, iterative 1e9+1.5 */
	struct study_value v = { .cell = "fork",
				 .minus = "iterative",
				 .over = "prefork",
				 .m = { .key = SK_SERVER(MK_CG_CPU_NS) } };
	double x = study_value_of(&s, cells[0].exp, &v, needs, sizeof(needs));
	assert_true(fabs(x - 10.0) < 1e-6);
	assert_string_equal(needs, "");
	struct study_num n = study_cell_num(&cells[1], &v.m);
	assert_int_equal(n.n, 2);
	assert_false(n.traced);
	/* only the traced repeat has the tracer's numbers */
	n = study_cell_num(&cells[1], &(struct finding_metric){
					      .key = SK_TRACE(MK_ACCEPT_WAKEUPS_PER_ACCEPT) });
	assert_int_equal(n.n, 2); /* the fake untraced runs have it too: untraced wins */
	/* the largest of a pattern */
	v = (struct study_value){ .cell = "*fork",
				  .m = { .key = SK_TRACE(MK_ACCEPT_WAKEUPS_PER_ACCEPT) } };
	assert_true(study_value_of(&s, cells[0].exp, &v, NULL, 0) == 3.0);
	/* missing: the reason names the key and the cell */
	v = (struct study_value){ .cell = "fork", .m = { .key = SK_TRACE(MK_FATES_SYN_DROPS) } };
	assert_true(isnan(study_value_of(&s, cells[0].exp, &v, needs, sizeof(needs))));
	assert_non_null(strstr(needs, "trace.fates.syn_drops"));
	needs[0] = '\0';
	v = (struct study_value){ .cell = "thread", .m = { .key = SK_SERVER(MK_CG_CPU_NS) } };
	assert_true(isnan(study_value_of(&s, cells[0].exp, &v, needs, sizeof(needs))));
	assert_non_null(strstr(needs, "cell thread"));
	/* the explanations' one view per cell: traced numbers, untraced medians */
	json_t *cv = study_cell_view(&cells[1]);
	assert_true(json_number_value(jsonio_get_path(cv, SK_SERVER(MK_CG_CPU_NS))) == 21e9 + 1.5);
	json_decref(cv);
	free_fake(cells);
}

static void theirs_from_seeds(void **state)
{
	(void)state;
	struct seed_value unp = { .table = "unp_cpu",
				  .row = "fork",
				  .col = "CPU",
				  .over_row = "prefork",
				  .over_col = "CPU" };
	assert_true(fabs(seed_value_of(&unp) - 20.90 / 1.80) < 1e-9);
	struct seed_value resets = {
		.table = "forkpool", .row = "1000", .col = "fork resets", .scale = 1.0 / 1000
	};
	assert_true(fabs(seed_value_of(&resets) - 0.24) < 1e-9);
	assert_true(isnan(seed_value(seed_table_find("fs_mean"), "prefork-5-1M", "1")));
	assert_true(isnan(seed_value(seed_table_find("fs_mean"), "nosuchrow", "1")));
	/* every table's rows and columns are whole, every document is known */
	for (size_t i = 0; i < nseed_tables; i++)
		assert_non_null(seed_doc_find(seed_tables[i].doc));
	for (size_t i = 0; i < nstudy_experiments; i++)
		for (size_t t = 0; t < study_experiments[i].ntables; t++)
			assert_non_null(seed_table_find(study_experiments[i].tables[t].seed));
	for (size_t i = 0; i < nstudy_claims; i++)
		assert_non_null(study_experiment_find(study_claims[i].exp));
}

static const struct study_cell *cell_by_id(const struct study *s, const char *exp, const char *id)
{
	return study_cell_find(s, study_experiment_find(exp), id);
}

static bool has_words(const struct study_cell *c, const char *a, const char *b)
{
	for (int i = 0; i < c->nwords; i++)
		if (!strcmp(c->words[i], a) &&
		    (!b || (i + 1 < c->nwords && !strcmp(c->words[i + 1], b))))
			return true;
	return false;
}

static void cells_expanded(void **state)
{
	struct study s = { .quick = true, .repeat = 1 };

	(void)state;
	snprintf(s.options, sizeof(s.options), " --model --netns --clients ");
	assert_int_equal(study_cells(&s), 0);
	const struct study_cell *c = cell_by_id(&s, "fileserver", "fork-100M-c15");
	assert_non_null(c);
	assert_true(has_words(c, "--requests", "15")); /* {clients*n}, n = 1 */
	assert_true(has_words(c, "--path", "/size/100M"));
	assert_string_equal(c->label, "100M-c15");
	c = cell_by_id(&s, "fileserver", "prefork-5-10K-c15");
	assert_true(has_words(c, "--workers", "5") && has_words(c, "--requests", "300"));
	assert_null(cell_by_id(&s, "fileserver", "fork-10M-c5")); /* not in --quick */
	c = cell_by_id(&s, "fileserver", "send-read-100M-c15");
	assert_non_null(strstr(c->skip, "--send")); /* needs an option herdlab run lacks */
	c = cell_by_id(&s, "unp", "poll-n1000");
	assert_true(c && !c->skip[0] && strstr(c->note, "--waits")); /* wanted, left out */
	c = cell_by_id(&s, "forkpool", "fork-b5-c1000");
	assert_true(has_words(c, "--netns", NULL) && has_words(c, "--backlog", "5"));
	c = cell_by_id(&s, "forkpool", "fork-abort-b5-c1000");
	assert_non_null(strstr(c->skip, "--sysctl"));
	/* ids are unique within their experiment */
	for (size_t i = 0; i < s.ncells; i++)
		for (size_t j = i + 1; j < s.ncells; j++)
			assert_false(s.cells[i].exp == s.cells[j].exp &&
				     !strcmp(s.cells[i].id, s.cells[j].id));
	study_cells_free(&s);
	/* with every option herdlab run has now, nothing is skipped or left out */
	s = (struct study){ .quick = true, .repeat = 1 };
	snprintf(s.options, sizeof(s.options),
		 " --model --netns --sysctl --send --mem-limit --waits --profile --phases ");
	assert_int_equal(study_cells(&s), 0);
	for (size_t i = 0; i < s.ncells; i++)
		assert_true(!s.cells[i].skip[0] && !s.cells[i].note[0]);
	c = cell_by_id(&s, "fileserver", "send-read-limited-100M-c15");
	assert_true(has_words(c, "--send", "read") && has_words(c, "--mem-limit", NULL));
	c = cell_by_id(&s, "forkpool", "fork-abort-b5-c1000");
	assert_true(has_words(c, "--sysctl", "net.ipv4.tcp_abort_on_overflow=1"));
	c = cell_by_id(&s, "unp", "poll-n1000");
	assert_false(has_words(c, "--waits", NULL)); /* the traced repeat's alone (runner.c) */
	study_cells_free(&s);
	s = (struct study){ .repeat = 3, .only = "unp,echo" };
	assert_int_equal(study_cells(&s), 0);
	assert_null(cell_by_id(&s, "fileserver", "fork-1M-c15"));
	assert_non_null(cell_by_id(&s, "echo", "poll-5000c")); /* full mode has every variant */
	assert_int_equal(cell_by_id(&s, "unp", "fork")->reps, 3);
	study_cells_free(&s);
}

/* What a sink heard. */
struct heard {
	char text[32][1536];
	int n;
	char quoted[64][96];
	int nq;
};

static void hear(void *to, const char *text)
{
	struct heard *h = to;

	if (h->n < 32)
		snprintf(h->text[h->n++], sizeof(h->text[0]), "%s", text);
}

static void quote(void *to, const struct finding_metric *m, double v, const char *shown)
{
	struct heard *h = to;

	(void)v;
	if (h->nq < 64)
		snprintf(h->quoted[h->nq++], sizeof(h->quoted[0]), "%s=%s", m->key, shown);
}

static void sentences_chosen(void **state)
{
	const struct study_why *w = &why_prefork_epoll.w[0]; /* the herd */
	json_t *v[2];
	struct finding_run runs[2];
	struct heard h = { 0 };
	struct findings_sink sink = { .say = hear, .to = &h, .quote = quote };

	(void)state;
	json_t *herd = run_json(31.5, 2e8, 2003), *none = run_json(1.01, 1e8, 2003);
	v[0] = study_view(herd);
	v[1] = study_view(none);
	runs[0] = (struct finding_run){ v[0], "prefork-epoll", "w32" };
	runs[1] = (struct finding_run){ v[1], "prefork-epoll-exclusive", "w32" };
	findings_say(runs, 2, w->rows, w->nrows, &sink);
	assert_true(h.n >= 2);
	assert_non_null(strstr(h.text[0], "w32 31.50"));
	assert_non_null(
		strstr(h.text[0], "non-exclusive")); /* the herd's row, not its alternative */
	assert_non_null(strstr(h.text[1], "EPOLLEXCLUSIVE"));
	assert_string_equal(h.quoted[0], "trace.accept.wakeups_per_accept=31.50");
	/* a small herd: the chain's alternative is said instead */
	json_decref(v[0]);
	json_decref(herd);
	herd = run_json(1.2, 2e8, 2003);
	v[0] = study_view(herd);
	runs[0].run = v[0];
	memset(&h, 0, sizeof(h));
	findings_say(runs, 2, w->rows, w->nrows, &sink);
	assert_non_null(strstr(h.text[0], "few workers were idle"));
	/* a key not measured: the chain ends in "not measured (needs KEY)" */
	memset(&h, 0, sizeof(h));
	runs[0].model = "prefork-dynamic";
	const struct study_why *dyn = &why_prefork_epoll.w[1];
	findings_say(runs, 1, dyn->rows, dyn->nrows, &sink);
	assert_non_null(strstr(h.text[h.n - 1], "not measured (needs `server.pool.max_total`)"));
	json_decref(v[1]);
	v[1] = study_view(
		with(with(none, MK_SERVER_POOL_MAX_TOTAL, 32), MK_SERVER_POOL_RECYCLED, 668));
	runs[1] = (struct finding_run){ v[1], "prefork-dynamic", "phases" };
	memset(&h, 0, sizeof(h));
	findings_say(runs + 1, 1, dyn->rows, dyn->nrows, &sink);
	assert_non_null(strstr(h.text[h.n - 1], "at most phases 32 children"));
	assert_non_null(strstr(h.text[h.n - 1], "668 children recycled"));
	for (int i = 0; i < 2; i++)
		json_decref(v[i]);
	json_decref(herd);
	json_decref(none);
}

/* The rows of section @sec of @w said over @runs[0..n) into @h. */
static void say(const struct study_whys *w, size_t sec, struct finding_run *runs, size_t n,
		struct heard *h)
{
	memset(h, 0, sizeof(*h));
	findings_say(runs, n, w->w[sec].rows, w->w[sec].nrows,
		     &(struct findings_sink){ .say = hear, .to = h, .quote = quote });
}

/* Whether one of @h's sentences has @s. */
static bool said(const struct heard *h, const char *s)
{
	for (int i = 0; i < h->n; i++)
		if (strstr(h->text[i], s))
			return true;
	return false;
}

static void waits_grow_or_not(void **state)
{
	struct finding_run runs[4];
	struct heard h;
	static const double ns[4] = { 8584, 244091, 5500, 5749 };
	static const char *const models[4] = { "poll", "poll", "epoll", "epoll" };

	(void)state;
	for (int i = 0; i < 4; i++) {
		json_t *r = run_json(1, 1e8, 2003);
		const char *kind = i < 2 ? SK_TRACE(MK_WAIT_POLL) : SK_TRACE(MK_WAIT_EPOLL);
		char k[96];
		snprintf(k, sizeof(k), "%s.%s", kind, MK_WK_CPU_NS_PER_CALL);
		with(r, k, ns[i]);
		snprintf(k, sizeof(k), "%s.%s", kind, MK_WK_NFDS_PER_CALL);
		with(r, k, i % 2 ? 1001 : 11);
		snprintf(k, sizeof(k), "%s.%s", kind, MK_WK_CPU_NS_PER_FD);
		with(r, k, ns[i] / (i % 2 ? 1001 : 11));
		runs[i] = (struct finding_run){ r, models[i], i % 2 ? "n1000" : "n10" };
	}
	say(&why_unp, 2, runs, 4, &h);
	assert_true(said(&h, "poll: n10 8584 ns, n1000 244091 ns of CPU per call"));
	assert_true(said(&h, "the cost is per descriptor watched"));
	assert_true(said(&h, "epoll: n10 5500 ns, n1000 5749 ns"));
	assert_true(said(&h, "hardly moves"));
	assert_true(said(&h, "select: not measured (needs `trace.wait.select.cpu_ns_per_call`)") ||
		    !said(&h, "select")); /* no select run: no select sentence */
	for (int i = 0; i < 4; i++)
		json_decref(runs[i].run);
}

static void memory_kills(void **state)
{
	json_t *r = run_json(1, 1e9, 11);
	struct heard h;

	(void)state;
	with(r, SK_SERVER(MK_CG_MEMORY_LIMIT), 1073741824.0);
	with(r, SK_SERVER(MK_CG_OOM_KILLS), 4);
	with(r, MK_CLIENT_ERRORS_SHORT, 4);
	struct finding_run run = { r, "send-read-limited", "100M-c15" };
	say(&why_fileserver, 4, &run, 1, &h);
	assert_true(said(&h, "Under a limit of 1024 MiB (`cost.server.memory_limit_bytes`) the "
			     "kernel killed 100M-c15 4 of the read server's children"));
	with(r, SK_SERVER(MK_CG_OOM_KILLS), 0);
	say(&why_fileserver, 4, &run, 1, &h);
	assert_true(said(&h, "children fit"));
	json_decref(r);
}

static void overflow_resets_or_timeouts(void **state)
{
	json_t *r[2] = { run_json(1, 1e9, 279), run_json(1, 1e9, 300) };
	struct finding_run runs[2] = { { r[0], "fork", "c1000" }, { r[1], "fork-abort", "c1000" } };
	struct heard h;

	(void)state;
	with(r[0], SK_NETSTAT(MK_NS_LISTEN_OVERFLOWS), 5728);
	with(r[0], MK_CLIENT_ERRORS_TIMEOUT, 721);
	with(r[0], MK_CLIENT_ERRORS_RESET, 0);
	with(r[0], MK_CLIENT_REQUESTS_FAILED, 721);
	with(r[0], SK_TRACE(MK_FATES_SYN_DROPS), 1368);
	with(r[0], MK_JOIN_FATES_BY_ERROR ".timeout." MK_FE_REQUESTS, 721);
	with(r[0], MK_JOIN_FATES_BY_ERROR ".timeout." MK_FE_MATCHED, 721);
	with(r[1], SK_NETSTAT(MK_NS_LISTEN_OVERFLOWS), 900);
	with(r[1], MK_CLIENT_ERRORS_RESET, 700);
	with(r[1], SK_TRACE(MK_FATES_RESETS_SENT), 700);
	say(&why_forkpool, 0, runs, 2, &h);
	assert_true(said(&h, "fork's clients saw no reset (c1000 0, `client.errors.reset`) but "
			     "c1000 721 timeouts"));
	assert_true(said(&h, "fork-abort's clients saw c1000 700 resets with c1000 900 listen "
			     "overflows"));
	assert_true(said(&h, "The kernel's fates (fork): c1000 1368 SYNs dropped"));
	assert_true(said(&h, "Of c1000 721 requests that timed out"));
	/* fork-abort has no fates in its run.json: its chain ends in what it needs */
	assert_true(said(&h, "fork-abort: not measured (needs `trace.fates.syn_drops`)"));
	json_decref(r[0]);
	json_decref(r[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(verdict_rules),
		cmocka_unit_test(view_reads_full_keys),
		cmocka_unit_test(value_from_cells),
		cmocka_unit_test(theirs_from_seeds),
		cmocka_unit_test(cells_expanded),
		cmocka_unit_test(sentences_chosen),
		cmocka_unit_test(waits_grow_or_not),
		cmocka_unit_test(memory_kills),
		cmocka_unit_test(overflow_resets_or_timeouts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
