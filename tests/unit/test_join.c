/* SPDX-License-Identifier: MIT */
/*
 * test_join.c - the client/kernel join: port reuse, unmatched records on either
 * side, equal timestamps, kept-alive connections, and herdload's CSV; the parts
 * of a joined request (join_parts) and run.json's join object made of them;
 * connections.csv and tasks.csv written and read back; the readers' strictness
 * (bad numbers, short rows, counted and said) and their refusal of a FIFO;
 * fates.csv round trip, the join of failed requests to their fates, and the
 * sentence each fate makes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <cmocka.h>

#include "jsonio.h"
#include "metrics/fates.h"
#include "metrics/join.h"
#include "metrics/keys.h"
#include "metrics/metrics.h"

#define MS 1000000ULL

static struct client_req req(uint16_t port, uint64_t connected, uint32_t thread, uint32_t seq)
{
	return (struct client_req){ .connect_start_ns = connected - 10000,
				    .connected_ns = connected,
				    .local_port = port,
				    .thread = thread,
				    .conn_seq = seq };
}

static struct herd_conn conn(uint16_t port, uint64_t established)
{
	return (struct herd_conn){ .client_port = port, .established_ns = established };
}

static void one_to_one(void **state)
{
	struct client_req r[] = { req(40000, 100 * MS, 0, 1), req(40001, 101 * MS, 0, 2) };
	struct herd_conn c[] = { conn(40001, 101 * MS + 5000), conn(40000, 100 * MS + 5000) };
	ssize_t m[2];

	assert_int_equal(join_requests(r, 2, c, 2, m), 2);
	assert_int_equal(m[0], 1);
	assert_int_equal(m[1], 0);
}

/* The same port used three times in a run: each use gets the record nearest in time. */
static void port_reuse_matches_by_time(void **state)
{
	struct client_req r[] = { req(40000, 300 * MS, 0, 3), req(40000, 100 * MS, 0, 1),
				  req(40000, 200 * MS, 0, 2) };
	struct herd_conn c[] = { conn(40000, 200 * MS + 3000), conn(40000, 300 * MS + 3000),
				 conn(40000, 100 * MS + 3000) };
	ssize_t m[3];

	assert_int_equal(join_requests(r, 3, c, 3, m), 3);
	assert_int_equal(m[0], 1);
	assert_int_equal(m[1], 2);
	assert_int_equal(m[2], 0);
}

/* Never one record twice: two requests near one record, the second gets none. */
static void a_record_is_used_once(void **state)
{
	struct client_req r[] = { req(40000, 100 * MS, 0, 1), req(40000, 100 * MS + 1000, 0, 2) };
	struct herd_conn c[] = { conn(40000, 100 * MS + 500) };
	ssize_t m[2];

	assert_int_equal(join_requests(r, 2, c, 1, m), 1);
	assert_int_equal(m[0], 0);
	assert_int_equal(m[1], -1);
}

static void too_far_apart_is_unmatched(void **state)
{
	struct client_req r[] = { req(40000, 5000 * MS, 0, 1) };
	struct herd_conn c[] = { conn(40000, 100 * MS), conn(40001, 5000 * MS) };
	ssize_t m[1];

	assert_int_equal(join_requests(r, 1, c, 2, m), 0);
	assert_int_equal(m[0], -1);
}

/* Equal handshake times on different ports, and kernel records nobody asked for. */
static void equal_times_and_extra_records(void **state)
{
	struct client_req r[] = { req(40002, 100 * MS, 0, 1), req(40001, 100 * MS, 1, 1) };
	struct herd_conn c[] = { conn(40001, 100 * MS), conn(40003, 100 * MS),
				 conn(40002, 100 * MS) };
	ssize_t m[2];

	assert_int_equal(join_requests(r, 2, c, 3, m), 2);
	assert_int_equal(m[0], 2);
	assert_int_equal(m[1], 0);
}

static void kept_alive_requests_share_their_connection(void **state)
{
	struct client_req r[] = { req(40000, 100 * MS, 1, 7),
				  req(40009, 100 * MS, 0, 7),
				  { .thread = 1, .conn_seq = 7, .local_port = 40000 },
				  { .thread = 0, .conn_seq = 7, .local_port = 40009 },
				  { .thread = 2, .conn_seq = 7, .local_port = 40005 } };
	struct herd_conn c[] = { conn(40009, 100 * MS + 10), conn(40000, 100 * MS + 20) };
	ssize_t m[5];

	assert_int_equal(join_requests(r, 5, c, 2, m), 4);
	assert_int_equal(m[2], 1);
	assert_int_equal(m[3], 0);
	assert_int_equal(m[4], -1); /* its first request was never seen */
}

static void reads_herdload_csv(void **state)
{
	char path[] = "/tmp/test_join.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct client_req *v = NULL;

	fprintf(f, "scheduled_ns,connect_start_ns,connected_ns,first_byte_ns,last_byte_ns,"
		   "local_addr,local_port,bytes_sent,bytes_received,status,error,path,conn_seq,"
		   "req_in_conn,thread\n"
		   "10,11,12,13,14,127.0.0.1,40000,78,1100,200,ok,/size/1K,1,0,0\n"
		   "20,0,0,23,24,127.0.0.1,40000,78,1100,404,http,\"/a,b\",1,1,1\n");
	fclose(f);
	assert_int_equal(join_read_requests(path, &v), 2);
	assert_int_equal(v[0].connected_ns, 12);
	assert_int_equal(v[0].local_port, 40000);
	assert_int_equal(v[0].status, 200);
	assert_int_equal(v[1].status, 404); /* the quoted comma did not shift the columns */
	assert_int_equal(v[1].thread, 1);
	assert_int_equal(v[1].conn_seq, 1);
	free(v);
	unlink(path);
	assert_true(join_read_requests(path, &v) < 0);
}

/* A request that opened its connection at 1000 ns, and its record: every part distinct. */
static struct client_req clean_req(void)
{
	return (struct client_req){ .scheduled_ns = 900,
				    .connect_start_ns = 1000,
				    .connected_ns = 1100,
				    .first_byte_ns = 5000,
				    .last_byte_ns = 7000,
				    .local_port = 40000,
				    .status = 200 };
}

static struct herd_conn clean_conn(void)
{
	return (struct herd_conn){ .client_port = 40000,
				   .established_ns = 1050,
				   .accepted_ns = 3000 };
}

static void parts_of_a_clean_request(void **state)
{
	struct client_req r = clean_req();
	struct herd_conn c = clean_conn();
	struct join_parts p;

	assert_true(join_parts(&r, &c, &p));
	assert_int_equal(p.total_ns, 6100);	   /* 900 -> 7000 */
	assert_int_equal(p.handshake_ns, 50);	   /* 1000 -> 1050 */
	assert_int_equal(p.queue_ns, 1950);	   /* 1050 -> 3000 */
	assert_int_equal(p.server_first_ns, 2000); /* 3000 -> 5000 */
	assert_int_equal(p.server_last_ns, 4000);  /* 3000 -> 7000 */
}

/* One filter for every part: a request is cut whole or left out. */
static void parts_only_of_agreeing_timelines(void **state)
{
	struct client_req r;
	struct herd_conn c;
	struct join_parts p = { .total_ns = 42 };

	r = clean_req(), c = clean_conn();
	assert_false(join_parts(&r, NULL, &p)); /* not joined */
	r.connect_start_ns = 0;			/* kept alive: no handshake of its own */
	assert_false(join_parts(&r, &c, &p));
	r = clean_req(), r.status = 0; /* no response */
	assert_false(join_parts(&r, &c, &p));
	r = clean_req(), c.accepted_ns = 0; /* never accepted */
	assert_false(join_parts(&r, &c, &p));
	c = clean_conn(), c.accepted_ns = 1040; /* accepted before its handshake */
	assert_false(join_parts(&r, &c, &p));
	c = clean_conn(), c.established_ns = 990; /* established before connect() */
	assert_false(join_parts(&r, &c, &p));
	c = clean_conn(), r.first_byte_ns = 2999; /* a response before the accept */
	assert_false(join_parts(&r, &c, &p));
	r = clean_req(), r.last_byte_ns = 4999; /* the last byte before the first */
	assert_false(join_parts(&r, &c, &p));
	/* connect() before its scheduled start (csv_fuzz found it): the parts would
	 * add up to more than the total, and the rest below zero. */
	r = clean_req(), r.connect_start_ns = 899;
	assert_false(join_parts(&r, &c, &p));
	assert_int_equal(p.total_ns, 42); /* left alone */
}

/* run.json's join: both server times, named, over the requests join_parts() cuts. */
static void join_json_names_both_server_times(void **state)
{
	char path[] = "/tmp/test_join.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct herd_conn c = clean_conn();
	struct trace_result r = { .conns = &c, .nconns = 1 };

	/* The clean request, then a kept-alive one on its connection: only the first is cut. */
	fprintf(f, "scheduled_ns,connect_start_ns,connected_ns,first_byte_ns,last_byte_ns,"
		   "local_port,status,conn_seq,thread\n"
		   "900,1000,1100,5000,7000,40000,200,1,0\n"
		   "8000,0,0,9000,9500,40000,200,1,0\n");
	fclose(f);
	json_t *root = json_object();
	assert_int_equal(jsonio_set_path(root, MK_JOIN, metrics_join_json(path, &r)), 0);
	unlink(path);
	assert_float_equal(json_real_value(jsonio_get_path(root, MK_JOIN_MATCHED)), 1.0, 0);
	assert_int_equal(json_integer_value(jsonio_get_path(root, MK_JOIN_REQUESTS_MATCHED)), 2);
	assert_int_equal(json_integer_value(jsonio_get_path(
				 root, MK_DOT(MK_JOIN_SERVER_TO_FIRST_BYTE_US, MK_HIST_COUNT))),
			 1);
	assert_float_equal(json_number_value(jsonio_get_path(
				   root, MK_DOT(MK_JOIN_SERVER_TO_FIRST_BYTE_US, MK_HIST_MAX))),
			   2.0, 0.01);
	assert_float_equal(json_number_value(jsonio_get_path(
				   root, MK_DOT(MK_JOIN_SERVER_TO_LAST_BYTE_US, MK_HIST_MAX))),
			   4.0, 0.01);
	assert_null(jsonio_get_path(root, "join.server_us")); /* the name before the rename */
	json_decref(root);
}

/* connections.csv: what the tracer writes, read back the same (but sk, not written). */
static void connections_csv_round_trip(void **state)
{
	char dir[] = "/tmp/test_join.XXXXXX", path[64];
	struct herd_conn c[2] = { { .sk = 9,
				    .established_ns = 200,
				    .accepted_ns = 250,
				    .closed_ns = 900,
				    .accept_tid = 77,
				    .wakeups = 3,
				    .family = AF_INET,
				    .client_port = 40001,
				    .server_port = 8080 },
				  { .sk = 8,
				    .established_ns = 100,
				    .family = AF_INET6,
				    .client_port = 40000,
				    .server_port = 8080 } };
	struct trace_result r = { .conns = c, .nconns = 2 };
	struct herd_conn *back = NULL;

	c[0].client_addr[0] = 127, c[0].client_addr[3] = 1;
	c[1].client_addr[15] = 1; /* ::1 */
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/connections.csv", dir);
	assert_int_equal(csv_write_connections(path, &r), 0);
	assert_int_equal(csv_read_connections(path, &back, NULL), 2);
	for (int i = 0; i < 2; i++) { /* written by handshake time: c[1] first */
		struct herd_conn want = c[1 - i];
		want.sk = 0;
		assert_memory_equal(&back[i], &want, sizeof(want));
	}
	free(back);
	unlink(path);
	rmdir(dir);
}

#define REQ_HEADER                                                                          \
	"scheduled_ns,connect_start_ns,connected_ns,first_byte_ns,last_byte_ns,local_addr," \
	"local_port,bytes_sent,bytes_received,status,error,path,conn_seq,req_in_conn,thread\n"
#define REQ_ROW(ts, port, status) \
	ts ",11,12,13,14,127.0.0.1," port ",78,1100," status ",ok,/x,1,1,0\n"

/*
 * A number is digits only, the whole field, in its column's range: strtoull
 * alone read "12-" as 12 (a mean latency of 9.2e12 us came of one), "-1" as
 * 2^64 - 1 and "" as 0. Each bad row is left out and counted, the first one's
 * line and reason kept; blank lines are nothing; a good row is read as it is.
 */
static void rejects_bad_numbers_and_counts_them(void **state)
{
	char text[] = REQ_HEADER REQ_ROW("10", "40000", "200")	/* line 2: good */
		REQ_ROW("12-", "40001", "200")			/* 3: a trailing sign */
		REQ_ROW("-1", "40002", "200")			/* 4: a sign */
		REQ_ROW("", "40003", "200")			/* 5: empty */
		REQ_ROW("20", "99999", "200")			/* 6: no such port */
		REQ_ROW("21", "40005", "2x")			/* 7: not a status */
		REQ_ROW("99999999999999999999", "40006", "200") /* 8: beyond 2^64 */
		"22,11,12\n"					/* 9: too short */
		"\n" REQ_ROW("30", "40008", "404");		/* 10 blank, 11 good */
	struct client_req *v = NULL;
	struct csv_stats st;

	assert_int_equal(csv_parse_requests(text, &v, &st), 2);
	assert_int_equal(st.rows, 2);
	assert_int_equal(st.rejected, 7);
	assert_int_equal(st.first_line, 3);
	assert_non_null(strstr(st.why, "scheduled_ns is '12-'"));
	assert_int_equal(v[0].scheduled_ns, 10);
	assert_int_equal(v[1].scheduled_ns, 30);
	assert_int_equal(v[1].status, 404);
	free(v);
}

/* A header without a column the join needs: nothing read, and which column is said. */
static void a_header_without_its_columns_is_refused(void **state)
{
	char text[] = "scheduled_ns,local_port\n1,2\n";
	struct client_req *v = NULL;
	struct csv_stats st;

	assert_int_equal(csv_parse_requests(text, &v, &st), -EINVAL);
	assert_null(v);
	assert_non_null(strstr(st.why, "no column 'connect_start_ns'"));
}

/* A FIFO named as a table is refused at once (files_read), not waited on forever. */
static void a_fifo_is_refused_not_waited_on(void **state)
{
	char dir[] = "/tmp/test_join.XXXXXX", path[64];
	struct herd_conn *c = NULL;
	struct csv_stats st;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/connections.csv", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	alarm(5); /* a reader that blocks fails the test instead of hanging it */
	assert_int_equal(csv_read_connections(path, &c, &st), -EINVAL);
	alarm(0);
	assert_string_equal(st.why, "not a regular file");
	unlink(path);
	rmdir(dir);
}

/* tasks.csv read back: the counters, and a comm that had to be quoted. */
static void tasks_csv_round_trip(void **state)
{
	char dir[] = "/tmp/test_join.XXXXXX", path[64];
	struct trace_task t[2] = { { .tid = 7,
				     .t = { .tgid = 7,
					    .ppid = 1,
					    .switches = 5,
					    .accepted = 3,
					    .futile = 2,
					    .comm_set = 1 } },
				   { .tid = 8,
				     .t = { .tgid = 7, .ppid = 1, .run_ns = 9, .comm_set = 1 } } };
	struct trace_result r = { .tasks = t, .ntasks = 2 };
	struct trace_task *back = NULL;
	struct csv_stats st;

	memcpy(t[0].t.comm, "herdsrv", 7);
	memcpy(t[1].t.comm, "a,\"b\"", 5);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/tasks.csv", dir);
	assert_int_equal(csv_write_tasks(path, &r), 0);
	assert_int_equal(csv_read_tasks(path, &back, &st), 2);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(back[0].tid, 7);
	assert_int_equal(back[0].t.switches, 5);
	assert_int_equal(back[0].t.accepted, 3);
	assert_int_equal(back[0].t.futile, 2);
	assert_string_equal(back[0].t.comm, "herdsrv");
	assert_int_equal(back[1].t.tgid, 7);
	assert_int_equal(back[1].t.run_ns, 9);
	assert_string_equal(back[1].t.comm, "a,\"b\""); /* unquoted, quotes undoubled */
	free(back);
	unlink(path);
	rmdir(dir);
}

/* ---- the fates of connections -------------------------------------------------------------- */

static struct trace_fate fate(uint16_t port, uint64_t first, uint64_t last)
{
	struct trace_fate f = {
		.f = { .key = { .family = AF_INET, .client_port = port, .server_port = 8080 },
		       .first_ns = first,
		       .last_ns = last }
	};
	inet_pton(AF_INET, "127.0.0.1", f.f.key.client_addr);
	return f;
}

static struct client_req failed(uint16_t port, uint64_t start, uint64_t end, const char *error)
{
	struct client_req r = { .scheduled_ns = start,
				.connect_start_ns = start,
				.last_byte_ns = end,
				.local_port = port };
	snprintf(r.error, sizeof(r.error), "%s", error);
	return r;
}

static void fates_csv_round_trip(void **state)
{
	char path[] = "/tmp/test_fates.XXXXXX";
	struct trace_fate in[2] = { fate(40001, 5 * MS, 7 * MS), fate(40002, 1 * MS, 2 * MS) },
			  *out;
	struct trace_result r = { .fates = in, .nfates = 2 };
	struct csv_stats st;

	in[0].f.syn_retransmits = 3, in[0].f.synack_retransmits = 2, in[0].accepted = true;
	in[1].f.no_socket_drops = 1, in[1].f.resets_sent = 1, in[1].f.client_resets_received = 1;
	in[1].f.rst_state = 2 /* SYN_SENT */, in[1].f.rst_server = 1;
	close(mkstemp(path));
	assert_int_equal(csv_write_fates(path, &r), 0);
	assert_int_equal(csv_read_fates(path, &out, &st), 2);
	unlink(path);
	assert_int_equal(st.rejected, 0);
	/* by first event: 40002 first */
	assert_int_equal(out[0].f.key.client_port, 40002);
	assert_int_equal(out[0].f.no_socket_drops, 1);
	assert_int_equal(out[0].f.resets_sent, 1);
	assert_int_equal(out[0].f.rst_state, 2);
	assert_int_equal(out[0].f.rst_server, 1);
	assert_false(out[0].accepted);
	assert_int_equal(out[1].f.syn_retransmits, 3);
	assert_int_equal(out[1].f.synack_retransmits, 2);
	assert_int_equal(out[1].f.first_ns, 5 * MS);
	assert_int_equal(out[1].f.last_ns, 7 * MS);
	assert_true(out[1].accepted);
	assert_int_equal(out[1].f.key.family, AF_INET);
	assert_memory_equal(out[1].f.key.client_addr, in[0].f.key.client_addr, 4);
	assert_string_equal(metrics_fate_reason(&out[1].f), "unanswered");
	assert_string_equal(metrics_fate_reason(&out[0].f), "NO_SOCKET");
	free(out);
}

/* Each failed request finds the fate with its port within its own time; others find none. */
static void failures_join_to_their_fates(void **state)
{
	struct trace_fate fates[] = {
		fate(40001, 100 * MS, 101 * MS),   /* refused: reset at once */
		fate(40002, 1000 * MS, 2000 * MS), /* connect_timeout: SYNs sent again */
		fate(40001, 9000 * MS, 9000 * MS), /* port 40001 reused, much later */
		fate(40009, 1 * MS, 1 * MS),	   /* a client that did not fail */
	};
	struct client_req reqs[] = {
		failed(40001, 100 * MS, 101 * MS, "refused"),
		failed(40002, 0, 2500 * MS, "connect_timeout"),
		failed(40001, 8999 * MS, 9001 * MS, "refused"),
		failed(40003, 100 * MS, 200 * MS, "refused"), /* no fate with its port */
		failed(40009, 1 * MS, 2 * MS, "ok"),	      /* not a failure */
		failed(40001, 5000 * MS, 5001 * MS, "reset"), /* its port's fates are too far */
	};
	ssize_t fmatch[6];
	size_t nfailed;

	assert_int_equal(join_failures(reqs, 6, fates, 4, fmatch, &nfailed), 3);
	assert_int_equal(nfailed, 5);
	assert_int_equal(fmatch[0], 0);
	assert_int_equal(fmatch[1], 1);
	assert_int_equal(fmatch[2], 2);
	assert_int_equal(fmatch[3], -1);
	assert_int_equal(fmatch[4], -1);
	assert_int_equal(fmatch[5], -1);

	json_t *root = json_object();
	assert_int_equal(fates_join_json(root, reqs, 6, fates, fmatch), 0);
	assert_int_equal(json_integer_value(jsonio_get_path(root, MK_JOIN_FAILED)), 5);
	assert_int_equal(json_integer_value(jsonio_get_path(root, MK_JOIN_FAILED_MATCHED)), 3);
	assert_int_equal(json_integer_value(jsonio_get_path(root, MK_JOIN_FAILED_UNMATCHED)), 2);
	assert_int_equal(json_integer_value(jsonio_get_path(
				 root, MK_DOT(MK_JOIN_FATES_BY_ERROR, "refused.requests"))),
			 3);
	assert_int_equal(json_integer_value(jsonio_get_path(
				 root, MK_DOT(MK_JOIN_FATES_BY_ERROR, "refused.matched"))),
			 2);
	json_decref(root);
}

static void a_fate_in_a_sentence(void **state)
{
	struct trace_fate f = fate(40002, 1000 * MS, 3000 * MS);
	struct client_req r = failed(40002, 0, 7000 * MS, "connect_timeout");
	char buf[512];

	f.f.syn_retransmits = 3;
	assert_string_equal(fates_sentence(&r, &f.f, buf, sizeof(buf)),
			    "connect_timeout: 3 SYNs sent again unanswered (dropped at a full "
			    "queue), connect timed out after 7 s");
	f = fate(40001, 0, 0), f.f.resets_sent = 1, f.f.no_socket_drops = 1;
	f.f.client_resets_received = 1, f.f.rst_state = 2;
	r = failed(40001, 0, 500000, "refused");
	assert_string_equal(fates_sentence(&r, &f.f, buf, sizeof(buf)),
			    "refused: 1 SYN dropped with nothing listening, 1 reset sent by the "
			    "server, 1 reset reached the client (the client's socket in SYN_SENT), "
			    "refused after 0.0005 s");
	assert_string_equal(fates_sentence(&r, NULL, buf, sizeof(buf)),
			    "refused: no kernel fate found, refused after 0.0005 s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_to_one),
		cmocka_unit_test(port_reuse_matches_by_time),
		cmocka_unit_test(a_record_is_used_once),
		cmocka_unit_test(too_far_apart_is_unmatched),
		cmocka_unit_test(equal_times_and_extra_records),
		cmocka_unit_test(kept_alive_requests_share_their_connection),
		cmocka_unit_test(reads_herdload_csv),
		cmocka_unit_test(parts_of_a_clean_request),
		cmocka_unit_test(parts_only_of_agreeing_timelines),
		cmocka_unit_test(join_json_names_both_server_times),
		cmocka_unit_test(connections_csv_round_trip),
		cmocka_unit_test(rejects_bad_numbers_and_counts_them),
		cmocka_unit_test(a_header_without_its_columns_is_refused),
		cmocka_unit_test(a_fifo_is_refused_not_waited_on),
		cmocka_unit_test(tasks_csv_round_trip),
		cmocka_unit_test(fates_csv_round_trip),
		cmocka_unit_test(failures_join_to_their_fates),
		cmocka_unit_test(a_fate_in_a_sentence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
