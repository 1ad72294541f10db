/* SPDX-License-Identifier: MIT */
/*
 * report.h - herdload's outputs: the summary on stdout, --json and --csv, written from
 * a finished run's result. (The progress line during the run is run.c's.)
 *
 * The JSON is what herdlab reads back (client.* in run.json) and the CSV is what the
 * tracer's records are joined with, one row per measured request; both are written
 * through lib/files' afile, so a reader never sees half a file and a device named as
 * an output is written into, never replaced.
 */
#ifndef HERD_LOAD_REPORT_H
#define HERD_LOAD_REPORT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "load.h"

/* The header line of --csv (without its newline). */
#define REPORT_CSV_HEADER                                                                   \
	"scheduled_ns,connect_start_ns,connected_ns,first_byte_ns,last_byte_ns,local_addr," \
	"local_port,bytes_sent,bytes_received,status,error,path,conn_seq,req_in_conn,thread"

/* The human summary. */
void report_summary(FILE *f, const struct load_opts *o, const struct load_result *r);

/* The JSON document (a new reference), and writing it to @path. */
json_t *report_json(const struct load_opts *o, const struct load_result *r);
int report_write_json(const char *path, const struct load_opts *o, const struct load_result *r);

/* Write @path through @fill, via afile (see report.c's top); 0, or -1 with errno. */
int report_write_file(const char *path, int (*fill)(FILE *f, const void *arg), const void *arg);

/* One row per measured request, in scheduled order. */
int report_write_csv(const char *path, const struct load_opts *o, const struct load_result *r);

#endif
