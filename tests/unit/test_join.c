/* SPDX-License-Identifier: MIT */
/*
 * test_join.c - the client/kernel join: port reuse, unmatched records on either
 * side, equal timestamps, kept-alive connections, and herdload's CSV.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "metrics/join.h"

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
