/* SPDX-License-Identifier: MIT */
/*
 * test_load_clients.c - --clients-csv (loadgen/clients.c) from records made by hand: one
 * row per client (one that ran nothing too), exact nearest-rank response times of its
 * successful requests, failures by kind, and columns that add up to the totals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clients.h"
#include "files.h"

static void test_rows_per_client(void **state)
{
	struct load_opts o = { .clients = 3, .threads = 2 };
	struct load_record recs[103] = { 0 };
	struct load_result r = { .records = recs, .nrecords = 103 };
	char path[] = "/tmp/test_load_clients.XXXXXX", *text = NULL;
	size_t len;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	/* client 2: 101 ok requests of 1..101 us (p50 51, p99 100, max 101), 10 bytes out,
	 * 100 in each; client 0: 2 failed (a refusal and a timeout); client 1: nothing */
	for (int i = 0; i < 101; i++)
		recs[i] =
			(struct load_record){ .client = 2,
					      .scheduled_ns = 1000000,
					      .last_byte_ns = 1000000 + (uint64_t)(101 - i) * 1000,
					      .bytes_sent = 10,
					      .bytes_received = 100 };
	recs[101] = (struct load_record){ .client = 0, .error = ERR_REFUSED, .bytes_sent = 0 };
	recs[102] = (struct load_record){ .client = 0, .error = ERR_TIMEOUT, .bytes_sent = 7 };
	assert_int_equal(clients_write_csv(path, &o, &r), 0);
	text = files_read(path, &len);
	assert_non_null(text);
	assert_non_null(strstr(text,
			       CLIENTS_CSV_HEADER ",refused,reset,connect_timeout,"
						  "timeout,short,http,addr,interrupted,other\n"
						  "0,0,2,0,2,7,0,,,,1,0,0,1,0,0,0,0,0\n"
						  "1,1,0,0,0,0,0,,,,0,0,0,0,0,0,0,0,0\n"
						  "2,0,101,101,0,1010,10100,51.0,100.0,101.0,"
						  "0,0,0,0,0,0,0,0,0\n"));
	free(text);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_per_client),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
