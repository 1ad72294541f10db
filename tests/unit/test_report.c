/* SPDX-License-Identifier: MIT */
/*
 * test_report.c - the report's pieces without a run: the document writer's
 * three renderings (exact output), text tables cut to fit 100 columns, the
 * latency decomposition on requests built by hand and its sentence, and
 * connections.csv read back; a run that did not finish and a partial report
 * said on the first line of every format; a failed write named; a FIFO as
 * run.json refused. Compare and the findings: test_compare.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/outfile.h"
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

/* ---- what a report says first ---------------------------------------------------------------- */

/* A traced run of model @model whose run.json says @complete (NULL: nothing). */
static struct rundir status_run(const char *complete_reason)
{
	struct rundir rd = { 0 };

	rd.run = json_pack("{s:s, s:{s:s}, s:{}}", "model", "prefork", "kernel", "release", "6.1",
			   "trace");
	if (complete_reason) {
		json_object_set_new(rd.run, "complete", json_false());
		json_object_set_new(rd.run, "incomplete_reason", json_string(complete_reason));
	}
	return rd;
}

static char *report_text(const struct rundir *rd, enum doc_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(report_write(rd, fmt, f, NULL, NULL, false), 0);
	fclose(f);
	return buf;
}

/* The first line of every format says the run did not finish, and why; JSON's first key. */
static void test_incomplete_on_the_first_line(void **state)
{
	struct rundir rd = status_run("interrupted by SIGINT after 4.0 s");
	static const char *const first[] = {
		"herdlab report: prefork on Linux 6.1 (incomplete: interrupted by SIGINT after "
		"4.0 s)\n",
		"# herdlab report: prefork on Linux 6.1 (incomplete: interrupted by SIGINT after "
		"4.0 s)\n",
		"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>herdlab "
		"report: prefork on Linux 6.1 (incomplete: interrupted by SIGINT after 4.0 s)",
	};

	(void)state;
	for (int fmt = DOC_TEXT; fmt <= DOC_HTML; fmt++) {
		char *s = report_text(&rd, (enum doc_format)fmt);
		assert_memory_equal(s, first[fmt], strlen(first[fmt]));
		free(s);
	}
	json_t *j = report_json(&rd);
	void *it = json_object_iter(j);
	assert_string_equal(json_object_iter_key(it), "complete");
	assert_true(json_is_false(json_object_iter_value(it)));
	assert_string_equal(json_string_value(json_object_get(j, "incomplete_reason")),
			    "interrupted by SIGINT after 4.0 s");
	json_decref(j);
	rundir_free(&rd);

	rd = status_run(NULL); /* absent: complete */
	char *s = report_text(&rd, DOC_TEXT);
	assert_memory_equal(s, "herdlab report: prefork on Linux 6.1\n", 37);
	free(s);
	rundir_free(&rd);
}

/* Rejected rows: the report says it is partial, first, and how many rows of which table. */
static void test_partial_on_the_first_line(void **state)
{
	struct rundir rd = status_run(NULL);
	char *s;

	(void)state;
	rd.reqs_read = (struct csv_stats){ .rows = 10, .rejected = 3, .first_line = 5 };
	snprintf(rd.reqs_read.why, sizeof(rd.reqs_read.why), "scheduled_ns is '12-'");
	s = report_text(&rd, DOC_MD);
	assert_memory_equal(s,
			    "# herdlab report: prefork on Linux 6.1 (partial: 3 of 13 rows of "
			    "requests.csv rejected)\n",
			    88);
	assert_non_null(strstr(s, "(the first at line 5: scheduled_ns is '12-')"));
	free(s);
	json_t *j = report_json(&rd);
	assert_true(json_is_true(json_object_get(j, "partial")));
	json_decref(j);
	rundir_free(&rd);
}

/* A FIFO as run.json is refused at once, not read (it would hang report and compare). */
static void test_fifo_run_json_refused(void **state)
{
	char dir[] = "/tmp/herdtest-fifoXXXXXX", path[64];
	struct rundir rd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/run.json", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	alarm(5);
	assert_int_equal(rundir_load(&rd, dir, true), -EINVAL);
	alarm(0);
	unlink(path);
	rmdir(dir);
}

/* Writing into a full device fails, and says so (the errno is kept by our own stream). */
static void test_outfile_full_device(void **state)
{
	struct outfile o;

	(void)state;
	assert_int_equal(outfile_open(&o, "/dev/full"), 0);
	for (int i = 0; i < 10000; i++)
		fputs("a line of the report\n", o.f);
	assert_int_equal(outfile_close(&o, true), -1);
}

/* The sentence names the part whose share grew most from the median to the slowest. */
static void test_decomposition_names_what_grew(void **state)
{
	struct rundir rd = status_run(NULL);
	char *s;

	(void)state;
	rd.reqs = calloc(100, sizeof(*rd.reqs));
	rd.conns = calloc(100, sizeof(*rd.conns));
	rd.match = calloc(100, sizeof(*rd.match));
	hundred(rd.reqs, rd.conns, rd.match); /* the queue wait grows, the server's time not */
	rd.nreqs = rd.nconns = rd.matched = 100;
	s = report_text(&rd, DOC_TEXT);
	assert_non_null(strstr(s,
			       "(85.0 us) to the slowest 1 of 100 (134.0 us), the accept-queue\n"
			       "wait grew the most: from 59% to 74% of their time (50.0 us to 99.0 "
			       "us)."));
	free(s);
	rundir_free(&rd);
}

/* A text table wider than 100 columns is cut into tables that fit, the first column repeated. */
static void wide_table(struct doc *d)
{
	doc_table(d, "lrrrrrrrrrrr", "run", "aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc",
		  "dddddddddddd", "eeeeeeeeeeee", "ffffffffffff", "gggggggggggg", "hhhhhhhhhhhh",
		  "iiiiiiiiiiii", "jjjjjjjjjjjj", "kkkkkkkkkkkk");
	doc_cell(d, false, "prefork-epoll-exclusive #1");
	for (int i = 0; i < 11; i++)
		doc_cell(d, false, "%d", i);
	doc_table_end(d);
}

static void test_doc_text_tables_fit(void **state)
{
	char *s = render(DOC_TEXT, wide_table), *p = s;
	int rows = 0;

	(void)state;
	for (char *nl; (nl = strchr(p, '\n')); p = nl + 1) {
		assert_true(nl - p <= 100);
		rows += !strncmp(p, "prefork-epoll-exclusive #1", 26);
	}
	assert_int_equal(rows, 3); /* 26 + 11 x 14 columns: three tables */
	assert_non_null(strstr(s, "kkkkkkkkkkkk"));
	free(s);
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
		cmocka_unit_test(test_read_connections),
		cmocka_unit_test(test_incomplete_on_the_first_line),
		cmocka_unit_test(test_partial_on_the_first_line),
		cmocka_unit_test(test_fifo_run_json_refused),
		cmocka_unit_test(test_outfile_full_device),
		cmocka_unit_test(test_decomposition_names_what_grew),
		cmocka_unit_test(test_doc_text_tables_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
