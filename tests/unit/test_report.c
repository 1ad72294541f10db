/* SPDX-License-Identifier: MIT */
/*
 * test_report.c - the report's pieces without a run: the document writer's
 * three renderings (exact output), the latency decomposition on requests built
 * by hand, compare's labels, values and marks, and connections.csv read back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/compare.h"
#include "report/doc.h"
#include "metrics/join.h"
#include "report/runreport.h"
#include "session/rundir.h"

/* Render what @fill writes into a document of @fmt; the caller frees the text. */
static char *render(enum doc_format fmt, void (*fill)(struct doc *d))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct doc *d = doc_open(f, fmt, "T");

	assert_non_null(d);
	fill(d);
	assert_int_equal(doc_close(d), 0);
	fclose(f);
	return buf;
}

static void small_table(struct doc *d)
{
	doc_table(d, "lr", "model", "herd");
	doc_cell(d, false, "prefork");
	doc_cell(d, false, "%.2f", 1.0);
	doc_cell(d, false, "prefork-epoll");
	doc_cell(d, true, "%.2f", 7.96);
	doc_table_end(d);
}

/* ---- the document writer ------------------------------------------------------------ */

/* Text: columns padded to the widest cell, numbers right-aligned, the mark as " *". */
static void test_doc_text_table_aligns(void **state)
{
	char *s = render(DOC_TEXT, small_table);

	(void)state;
	assert_string_equal(s, "T\n=\n"
			       "\n"
			       "model            herd\n"
			       "-------------  ------\n"
			       "prefork          1.00\n"
			       "prefork-epoll  7.96 *\n");
	free(s);
}

static void test_doc_md_table_marks_bold(void **state)
{
	char *s = render(DOC_MD, small_table);

	(void)state;
	assert_string_equal(s, "# T\n"
			       "\n"
			       "| model | herd |\n"
			       "|---|---:|\n"
			       "| prefork | 1.00 |\n"
			       "| prefork-epoll | **7.96** |\n");
	free(s);
}

static void pipes_and_tags(struct doc *d)
{
	doc_table(d, "l", "a|b");
	doc_cell(d, false, "<x & \"y\">");
	doc_table_end(d);
}

static void test_doc_escapes(void **state)
{
	char *md = render(DOC_MD, pipes_and_tags), *html = render(DOC_HTML, pipes_and_tags);

	(void)state;
	assert_non_null(strstr(md, "| a\\|b |"));
	assert_non_null(strstr(html, "<th class=\"l\">a|b</th>"));
	assert_non_null(strstr(html, "<td class=\"l\">&lt;x &amp; &quot;y&quot;&gt;</td>"));
	assert_null(strstr(html, "<x"));
	assert_non_null(strstr(html, "<!DOCTYPE html>"));
	assert_non_null(strstr(html, "</body></html>\n"));
	free(md);
	free(html);
}

static void long_para(struct doc *d)
{
	char words[400] = "";

	for (int i = 0; i < 40; i++)
		strcat(words, "abcdefghi ");
	doc_para(d, "%s", words);
}

/* Text paragraphs wrap at 100 columns on word boundaries: 40 words of 10 make 4 lines. */
static void test_doc_text_wraps(void **state)
{
	char *s = render(DOC_TEXT, long_para), *p = s + strlen("T\n=\n\n");
	int lines = 0;

	(void)state;
	for (char *nl; (nl = strchr(p, '\n')); p = nl + 1, lines++)
		assert_true(nl - p <= 100);
	assert_int_equal(lines, 4);
	free(s);
}

/* A figure: text names it, Markdown links it, HTML inlines the SVG without its prolog. */
static void test_doc_figure(void **state)
{
	char path[] = "/tmp/herdtest-figXXXXXX";
	int fd = mkstemp(path);
	char *buf = NULL;
	size_t len = 0;

	(void)state;
	assert_true(fd >= 0);
	dprintf(fd, "<?xml version=\"1.0\"?>\n<svg viewBox=\"0 0 1 1\"><rect/></svg>\n");
	close(fd);
	for (int fmt = DOC_TEXT; fmt <= DOC_HTML; fmt++) {
		FILE *f = open_memstream(&buf, &len);
		struct doc *d = doc_open(f, (enum doc_format)fmt, "T");
		doc_figure(d, path, "plots/x.svg", "Cap");
		doc_figure(d, "/nonexistent.svg", "plots/y.svg", "Gone");
		assert_int_equal(doc_close(d), 0);
		fclose(f);
		if (fmt == DOC_TEXT) {
			assert_non_null(strstr(buf, "[plot] Cap: plots/x.svg"));
		} else if (fmt == DOC_MD) {
			assert_non_null(strstr(buf, "![Cap](plots/x.svg)"));
		} else {
			assert_non_null(
				strstr(buf, "<figure>\n<svg viewBox=\"0 0 1 1\"><rect/></svg>"));
			assert_null(strstr(buf, "<?xml"));
			assert_non_null(strstr(buf, "(plot missing: plots/y.svg)"));
		}
		free(buf);
	}
	unlink(path);
}

static void test_doc_format_names(void **state)
{
	enum doc_format f;

	(void)state;
	assert_int_equal(doc_format_parse("md", &f), 0);
	assert_int_equal(f, DOC_MD);
	assert_int_equal(doc_format_parse("html", &f), 0);
	assert_int_equal(f, DOC_HTML);
	assert_int_equal(doc_format_parse("pdf", &f), -1);
}

/* ---- the latency decomposition ------------------------------------------------------ */

#define US 1000ULL

/*
 * Request i (0..99): scheduled and connected at T, the server's ESTABLISHED
 * 10 us later, accepted after a queue wait of i us, first byte 20 us after
 * that, last byte 5 us later. Request 99 is the slowest: 10 + 99 + 20 + 5 us.
 */
static void hundred(struct client_req *r, struct herd_conn *c, ssize_t *match)
{
	for (int i = 0; i < 100; i++) {
		uint64_t t = 1000000 * US + (uint64_t)i * 1000 * US;
		r[i] = (struct client_req){ .scheduled_ns = t,
					    .connect_start_ns = t,
					    .connected_ns = t + 12 * US,
					    .first_byte_ns = t + (10 + (uint64_t)i + 20) * US,
					    .last_byte_ns = t + (10 + (uint64_t)i + 25) * US,
					    .local_port = (uint16_t)(40000 + i),
					    .status = 200 };
		c[i] = (struct herd_conn){ .established_ns = t + 10 * US,
					   .accepted_ns = t + (10 + (uint64_t)i) * US,
					   .client_port = (uint16_t)(40000 + i) };
		match[i] = i;
	}
}

static void test_decompose_by_hand(void **state)
{
	struct client_req r[100];
	struct herd_conn c[100];
	ssize_t match[100];
	struct decomposition slow, med, all;

	(void)state;
	hundred(r, c, match);
	assert_int_equal(report_decompose(r, 100, c, match, 0.01, &slow, &med, &all), 100);
	assert_int_equal(slow.n, 1);
	assert_float_equal(slow.total, 134, 1e-9);
	assert_float_equal(slow.handshake, 10, 1e-9);
	assert_float_equal(slow.queue, 99, 1e-9);
	assert_float_equal(slow.server, 20, 1e-9);
	assert_float_equal(slow.rest, 5, 1e-9);
	assert_int_equal(all.n, 100);
	assert_float_equal(all.queue, 49.5, 1e-9); /* mean of 0..99 */
	assert_float_equal(all.total, 10 + 49.5 + 20 + 5, 1e-9);
	assert_float_equal(all.handshake + all.queue + all.server + all.rest, all.total, 1e-9);
}

/* Unmatched requests, kept-alive ones (no connect) and failures are left out. */
static void test_decompose_leaves_out_what_it_cannot_split(void **state)
{
	struct client_req r[100];
	struct herd_conn c[100];
	ssize_t match[100];
	struct decomposition slow, med, all;

	(void)state;
	hundred(r, c, match);
	match[99] = -1;		    /* the slowest: not joined */
	r[98].connect_start_ns = 0; /* a kept-alive request */
	r[97].status = 0;	    /* failed */
	c[96].accepted_ns = 0;	    /* never accepted */
	assert_int_equal(report_decompose(r, 100, c, match, 0.01, &slow, &med, &all), 96);
	assert_int_equal(slow.n, 1);
	assert_float_equal(slow.queue, 95, 1e-9); /* the slowest left */
	assert_int_equal(report_decompose(r, 100, c, NULL, 0.01, &slow, &med, &all), 0);
	assert_int_equal(all.n, 0);
	assert_int_equal(slow.n, 0);
}

/* Equal totals: the slowest 10% are 10 requests whatever their order. */
static void test_decompose_equal_totals(void **state)
{
	struct client_req r[100];
	struct herd_conn c[100];
	ssize_t match[100];
	struct decomposition slow, med, all;

	(void)state;
	hundred(r, c, match);
	for (int i = 0; i < 100; i++) { /* every request the same: 10 + 7 + 20 + 5 */
		c[i].accepted_ns = c[i].established_ns + 7 * US;
		r[i].first_byte_ns = c[i].accepted_ns + 20 * US;
		r[i].last_byte_ns = r[i].first_byte_ns + 5 * US;
	}
	report_decompose(r, 100, c, match, 0.10, &slow, &med, &all);
	assert_int_equal(slow.n, 10);
	assert_float_equal(slow.total, 42, 1e-9);
	assert_float_equal(slow.queue, all.queue, 1e-9);
}

/* ---- compare --------------------------------------------------------------------------- */

static struct rundir fake_run(const char *model, const char *release, double herd, double futile,
			      double accepted, double forks)
{
	struct rundir rd = { 0 };

	rd.run = json_pack("{s:s, s:{s:s}, s:{s:[s,s]}, s:{s:{s:f, s:f, s:f}, s:{s:{s:f, s:f}}}}",
			   "model", model, "kernel", "release", release, "options", "server",
			   "--workers", "8", "trace", "accept", "wakeups_per_accept", herd,
			   "futile_wakeups", futile, "accepted", accepted, "proc", "fork_latency",
			   "count", forks, "p50", 131071.0);
	assert_non_null(rd.run);
	return rd;
}

static const struct compare_metric *metric(const char *name)
{
	for (size_t i = 0; i < compare_nmetrics; i++)
		if (!strcmp(compare_metrics[i].name, name))
			return &compare_metrics[i];
	fail_msg("no metric %s", name);
	return NULL;
}

static void test_compare_values(void **state)
{
	struct rundir a = fake_run("prefork-epoll", "6.1", 7.96, 1394, 200, 8);
	struct rundir b = fake_run("prefork", "6.1", 1.0, 0, 200, 0);

	(void)state;
	assert_float_equal(compare_value(&a, metric("herd factor")), 7.96, 1e-12);
	assert_float_equal(compare_value(&a, metric("futile per accept")), 6.97, 1e-12);
	assert_float_equal(compare_value(&a, metric("fork p50 us")), 131.071, 1e-9);
	assert_true(isnan(compare_value(&b, metric("fork p50 us")))); /* no fork: no latency */
	assert_true(isnan(compare_value(&b, metric("requests/s"))));  /* not in run.json */
	rundir_free(&a);
	rundir_free(&b);
}

/* Labels: the model, the kernel only when kernels differ, #k for repeats. */
static void test_compare_labels(void **state)
{
	struct rundir k[2] = { fake_run("prefork", "5.10", 1, 0, 1, 0),
			       fake_run("prefork", "6.1", 1, 0, 1, 0) };
	struct rundir r[3] = { fake_run("epoll", "6.1", 1, 0, 1, 0),
			       fake_run("epoll", "6.1", 1, 0, 1, 0),
			       fake_run("fork", "6.1", 1, 0, 1, 0) };
	char **l;

	(void)state;
	l = compare_labels(k, 2);
	assert_string_equal(l[0], "prefork @ 5.10");
	assert_string_equal(l[1], "prefork @ 6.1");
	compare_labels_free(l, 2);
	l = compare_labels(r, 3);
	assert_string_equal(l[0], "epoll #1");
	assert_string_equal(l[1], "epoll #2");
	assert_string_equal(l[2], "fork");
	compare_labels_free(l, 3);
	for (int i = 0; i < 2; i++)
		rundir_free(&k[i]);
	for (int i = 0; i < 3; i++)
		rundir_free(&r[i]);
}

/* The lowest herd factor is marked; a column of equal values marks nothing; ratios to the first. */
static void test_compare_marks_and_ratios(void **state)
{
	struct rundir runs[2] = { fake_run("prefork-epoll", "6.1", 8, 700, 100, 8),
				  fake_run("prefork", "6.1", 2, 0, 100, 8) };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(compare_write(runs, 2, DOC_MD, f, NULL, NULL), 0);
	fclose(f);
	assert_non_null(strstr(buf, "| prefork-epoll | 8.00 | 7.00 | 131 |"));
	assert_non_null(strstr(buf, "| prefork | **2.00** | **0.00** | 131 |"));
	assert_non_null(strstr(buf, "| prefork | 0.25x | 0.00x | 1.00x |"));
	assert_null(strstr(buf, "mean")); /* different models: not repeats */
	free(buf);
	rundir_free(&runs[0]);
	rundir_free(&runs[1]);
}

/* Repeats of one configuration close with mean and spread. */
static void test_compare_repeats_spread(void **state)
{
	struct rundir runs[2] = { fake_run("prefork", "6.1", 1.0, 0, 10, 0),
				  fake_run("prefork", "6.1", 3.0, 0, 10, 0) };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(compare_write(runs, 2, DOC_MD, f, NULL, NULL), 0);
	fclose(f);
	assert_non_null(strstr(buf, "| mean | 2.00 |"));
	assert_non_null(strstr(buf, "| spread (sd) | 1.41 (70.7%) |"));
	json_t *j = compare_json(runs, 2);
	assert_float_equal(
		json_number_value(json_object_get(
			json_object_get(json_object_get(j, "repeats"), "herd factor"), "sd")),
		sqrt(2.0), 1e-12);
	json_decref(j);
	free(buf);
	rundir_free(&runs[0]);
	rundir_free(&runs[1]);
}

/* ---- connections.csv back ------------------------------------------------------------------ */

static void test_read_connections(void **state)
{
	char path[] = "/tmp/herdtest-connsXXXXXX";
	int fd = mkstemp(path);
	struct herd_conn *c = NULL;

	(void)state;
	assert_true(fd >= 0);
	dprintf(fd, "client_addr,client_port,server_port,established_ns,accepted_ns,accept_tid,"
		    "closed_ns,wakeups\n"
		    "127.0.0.1,44300,33109,8227189080934,8227189135264,31880,8227189355472,8\n"
		    "::1,44314,33109,10,20,7,0,1\n"
		    "truncated,1\n");
	close(fd);
	assert_int_equal(join_read_connections(path, &c), 2);
	assert_int_equal(c[0].client_port, 44300);
	assert_int_equal(c[0].server_port, 33109);
	assert_int_equal(c[0].established_ns, 8227189080934ULL);
	assert_int_equal(c[0].accepted_ns, 8227189135264ULL);
	assert_int_equal(c[0].accept_tid, 31880);
	assert_int_equal(c[0].closed_ns, 8227189355472ULL);
	assert_int_equal(c[0].wakeups, 8);
	assert_int_equal(c[0].family, 2);
	assert_memory_equal(c[0].client_addr, "\x7f\0\0\x01", 4);
	assert_int_equal(c[1].family, 10);
	assert_int_equal(c[1].client_addr[15], 1);
	free(c);
	unlink(path);
	assert_int_equal(join_read_connections("/nonexistent/connections.csv", &c), -2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doc_text_table_aligns),
		cmocka_unit_test(test_doc_md_table_marks_bold),
		cmocka_unit_test(test_doc_escapes),
		cmocka_unit_test(test_doc_text_wraps),
		cmocka_unit_test(test_doc_figure),
		cmocka_unit_test(test_doc_format_names),
		cmocka_unit_test(test_decompose_by_hand),
		cmocka_unit_test(test_decompose_leaves_out_what_it_cannot_split),
		cmocka_unit_test(test_decompose_equal_totals),
		cmocka_unit_test(test_compare_values),
		cmocka_unit_test(test_compare_labels),
		cmocka_unit_test(test_compare_marks_and_ratios),
		cmocka_unit_test(test_compare_repeats_spread),
		cmocka_unit_test(test_read_connections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
