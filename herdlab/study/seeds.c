/* SPDX-License-Identifier: MIT */
/*
 * seeds.c - the five source documents and their tables, transcribed once
 * (study.h). Nothing here is ours: every number is the document's own, in its
 * unit, with STUDY_NA where the document gives none. Where the document's text
 * is damaged (000's PDF text layer scrambles the preforked rows), only values
 * whose row and column are certain are transcribed, and `where` says so.
 *
 * Rows and columns are labelled so that our tables (experiments.c) can name
 * the cell each of their numbers stands beside: the file server's row
 * "prefork-5-1M" and column "15" are our cell "prefork-5-1M-c15".
 */
#include <string.h>

#include "study/study.h"

#define NA STUDY_NA

const struct seed_doc seed_docs[] = {
	{ "000_537e4ca49a8665a3.txt",
	  "Coursework report (PUC-Rio INF2545, 2010, Lua): a file server, monoprocess, fork on "
	  "demand and preforked pools of 5 and 10 processes",
	  "VirtualBox Ubuntu 64 (2 GB RAM) on an Intel Core 2 Duo P8700 at 2.53 GHz (8 GB), and "
	  "Kubuntu on an Intel Core 2 Duo T8100 at 2.10 GHz (2 GB RAM); Lua with LuaSocket and "
	  "LuaPosix; clients and server on one machine (localhost); each client process fetches "
	  "20 files in 5 steps; each table cell is the average of 3 runs (the report does not "
	  "say which of the two machines its tables are from)" },
	{ "001_79b3ace64c956034.txt",
	  "Assignment report (BITS IS F462, C): a preforked web server whose parent keeps the "
	  "pool between idle bounds, children on epoll with EPOLLEXCLUSIVE",
	  "Linux >= 4.5 (for EPOLLEXCLUSIVE); no machine, load or numbers are given" },
	{ "002_c8f3f335279a5725.txt",
	  "Lecture notes on network programming (UNP ch. 26 and 30, TLPI ch. 63): server "
	  "designs, the thundering herd, select/poll/epoll",
	  "UNP's process-control CPU table: at most 10 simultaneous connections, process and "
	  "thread pools of 15 (the machine is UNP's, not given in the notes); TLPI's table of "
	  "select/poll/epoll CPU time by descriptors monitored (the machine is TLPI's)" },
	{ "003_e5b99c82eb6a8161.txt",
	  "Assignment report (BCIT COMP8005, Python 2.7): multi-threaded, select "
	  "(level-triggered) and epoll (edge-triggered) echo servers",
	  "Linux; 1000 to 5000 connections each sending \"This is the payload\" 20 times, the "
	  "client built from processes of threads; results are charts only (not in the text)" },
	{ "004_2e1c34f9249b6fea.txt",
	  "Coursework README (C): a fork-per-client server against a thread pool with a "
	  "circular queue, stress-tested from 100 to 100,000 clients",
	  "fork: Dell Inspiron 3501, 12 GB RAM, Ubuntu 22.04.4 LTS; thread pool: Dell Inspiron "
	  "3501, 20 GB RAM, Intel i5-1135G7 (8 threads), Ubuntu 24.04.2, Linux 6.8.0-87; "
	  "stress_test.sh starts N clients in the background (&) and waits for them, timed "
	  "with `time`" },
};
const size_t nseed_docs = sizeof(seed_docs) / sizeof(seed_docs[0]);

#define FS_ALL_ROWS                                                                             \
	{                                                                                       \
		"iterative-10K", "iterative-100K", "iterative-1M", "iterative-10M",             \
			"iterative-100M", "fork-10K", "fork-100K", "fork-1M", "fork-10M",       \
			"fork-100M", "prefork-5-10K", "prefork-5-100K", "prefork-5-1M",         \
			"prefork-5-10M", "prefork-5-100M", "prefork-10-10K", "prefork-10-100K", \
			"prefork-10-1M", "prefork-10-10M", "prefork-10-100M"                    \
	}
#define FS_COLS                      \
	{                            \
		"1", "5", "10", "15" \
	}

const struct seed_table seed_tables[] = {
	{ .id = "fs_mean",
	  .doc = "000_537e4ca49a8665a3.txt",
	  .where = "\"Tempos de transferência médios\", the Average columns; the preforked rows "
		   "only where the text layer keeps row and column (each agrees with the total "
		   "table's value over 20 files)",
	  .caption = "mean transfer time of one file, seconds",
	  .unit = "s",
	  .prec = 4,
	  .rows = FS_ALL_ROWS,
	  .cols = FS_COLS,
	  .v = {
		  { 0.00169, 0.01019, 0.01132, 0.01737 },
		  { 0.00529, 0.02503, 0.05002, 0.07733 },
		  { 0.08616, 0.40554, 0.80457, 1.18260 },
		  { 0.52490, 2.30963, 4.61524, 7.26702 },
		  { 8.88426, 39.49345, NA, NA },
		  { 0.01076, 0.04752, 0.09672, 0.14002 },
		  { 0.01999, 0.08089, 0.14485, 0.21019 },
		  { 0.10197, 0.41876, 0.74731, 1.31107 },
		  { 0.76762, 3.36363, 6.40795, 9.96190 },
		  { 9.83764, 45.53755, NA, NA },
		  { 0.00470, 0.00602, 0.01436, 0.01972 },
		  { NA, 0.02673, NA, 0.07748 },
		  { NA, 0.26696, NA, NA },
		  { NA, 2.31935, NA, 6.84601 },
		  { NA, 44.89899, NA, NA },
		  { NA, 0.00613, 0.01222, 0.01835 },
		  { NA, NA, NA, 0.07591 },
		  { NA, NA, NA, 0.79610 },
		  { NA, 2.28305, NA, 7.00601 },
		  { NA, 44.77110, NA, NA },
	  } },
	{ .id = "fs_total",
	  .doc = "000_537e4ca49a8665a3.txt",
	  .where = "\"Tempos de transferência totais\", the Average columns (one client's 20 "
		   "files); the preforked rows only where the text layer keeps row and column",
	  .caption = "total transfer time of one client's 20 files, seconds",
	  .unit = "s",
	  .prec = 3,
	  .rows = FS_ALL_ROWS,
	  .cols = FS_COLS,
	  .v = {
		  { 0.03389, 0.20374, 0.22649, 0.34732 },
		  { 0.10580, 0.50054, 1.00046, 1.54656 },
		  { 1.72321, 8.11077, 16.09139, 23.65192 },
		  { 10.49794, 46.19260, 92.30478, 145.34042 },
		  { 177.68514, 789.86907, NA, NA },
		  { 0.21517, 0.95035, 1.93433, 2.80034 },
		  { 0.39987, 1.61786, 2.89703, 4.20382 },
		  { 2.03939, 8.37525, 14.94623, 26.22146 },
		  { 15.35237, 67.27253, 128.15898, 199.23809 },
		  { 196.75272, 910.75101, NA, NA },
		  { NA, 0.12045, 0.28729, 0.39437 },
		  { NA, 0.53469, NA, 1.54963 },
		  { NA, 5.33911, NA, 15.94532 },
		  { NA, 46.38691, NA, 136.92019 },
		  { NA, 897.97978, NA, NA },
		  { NA, 0.12258, 0.24431, 0.36701 },
		  { NA, 0.57090, 1.12927, 1.51813 },
		  { NA, 5.93020, 11.41061, 15.92205 },
		  { NA, 45.66094, 92.20053, 140.12018 },
		  { NA, 895.42207, NA, NA },
	  } },
	{ .id = "pe_herd",
	  .doc = "001_79b3ace64c956034.txt",
	  .where = "\"Thundering Herd Problem\": all the processes in the pool are woken "
		   "without EPOLLEXCLUSIVE, one with it (in words, no numbers)",
	  .caption = "tasks woken per accepted connection",
	  .unit = "",
	  .prec = 2,
	  .rows = { "4", "15", "32" },
	  .cols = { "prefork-epoll", "prefork-epoll-exclusive" },
	  .v = { { NA, NA }, { NA, NA }, { NA, NA } } },
	{ .id = "unp_cpu",
	  .doc = "002_c8f3f335279a5725.txt",
	  .where = "\"Comparing Multi Process/Multi Thread Designs\" (UNP Figure 30.1): process "
		   "control CPU time, the server's CPU less the iterative server's",
	  .caption = "process control CPU time, seconds",
	  .unit = "s",
	  .prec = 2,
	  .rows = { "iterative", "fork", "prefork", "prefork-mutex", "prefork-passfd", "thread",
		    "prethread-mutex", "prethread-queue" },
	  .cols = { "CPU" },
	  .v = { { 0 }, { 20.90 }, { 1.80 }, { 1.75 }, { 2.58 }, { 0.99 }, { 1.93 }, { 2.05 } } },
	{ .id = "tlpi_wait",
	  .doc = "002_c8f3f335279a5725.txt",
	  .where = "the select/poll/epoll table (TLPI Table 63-9): CPU time by the number of "
		   "descriptors monitored",
	  .caption = "CPU time of the monitoring calls, seconds",
	  .unit = "s",
	  .prec = 2,
	  .rows = { "10", "100", "1000", "10000" },
	  .cols = { "poll", "select", "epoll" },
	  .v = { { 0.61, 0.73, 0.41 }, { 2.9, 3.0, 0.42 }, { 35, 35, 0.53 }, { 990, 930, 0.66 } } },
	{ .id = "echo",
	  .doc = "003_e5b99c82eb6a8161.txt",
	  .where = "Test Cases 1-5 (1000 to 5000 connections, 20 messages each) and 6 (select "
		   "alone at 1023 and 2000); their results are charts whose numbers the text "
		   "does not hold",
	  .caption = "requests per second",
	  .unit = "",
	  .prec = 0,
	  .rows = { "1000", "2000", "3000", "4000", "5000" },
	  .cols = { "thread", "select", "epoll-edge" },
	  .v = { { NA, NA, NA }, { NA, NA, NA }, { NA, NA, NA }, { NA, NA, NA }, { NA, NA, NA } } },
	{ .id = "forkpool",
	  .doc = "004_2e1c34f9249b6fea.txt",
	  .where = "\"Resultados do Teste de Stress\": the fork table and the thread-pool table "
		   "(errors seen by the clients, total duration `real`)",
	  .caption = "client errors and total duration (s)",
	  .unit = "",
	  .prec = 3,
	  .rows = { "100", "500", "1000", "2000", "4000", "8000", "12000", "50000", "100000" },
	  .cols = { "fork resets", "fork s", "pool errors", "pool s" },
	  .v = {
		  { 0, 1.069, 0, 0.020 },
		  { 0, 1.170, 0, 0.101 },
		  { 240, 120.428, 0, 0.184 },
		  { 88, 122.848, 0, 0.431 },
		  { 0, 3.000, 0, 0.905 },
		  { 0, 4.558, 0, 2.222 },
		  { 0, 8.331, 0, 4.912 },
		  { 0, 124.123, 0, 94.053 },
		  { 0, 397.757, 0, 446.969 },
	  } },
};
const size_t nseed_tables = sizeof(seed_tables) / sizeof(seed_tables[0]);

const struct seed_doc *seed_doc_find(const char *file)
{
	for (size_t i = 0; file && i < nseed_docs; i++)
		if (!strcmp(seed_docs[i].file, file))
			return &seed_docs[i];
	return NULL;
}

const struct seed_table *seed_table_find(const char *id)
{
	for (size_t i = 0; id && i < nseed_tables; i++)
		if (!strcmp(seed_tables[i].id, id))
			return &seed_tables[i];
	return NULL;
}

/* The index of @label in the NULL-terminated @labels (of at most @max), or -1. */
static int label_index(const char *const *labels, int max, const char *label)
{
	for (int i = 0; label && i < max && labels[i]; i++)
		if (!strcmp(labels[i], label))
			return i;
	return -1;
}

double seed_value(const struct seed_table *t, const char *row, const char *col)
{
	int r = t ? label_index(t->rows, STUDY_MAX_ROWS, row) : -1;
	int c = t ? label_index(t->cols, STUDY_MAX_COLS, col) : -1;

	return r < 0 || c < 0 ? NAN : t->v[r][c];
}
