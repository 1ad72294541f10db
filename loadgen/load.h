/* SPDX-License-Identifier: MIT */
/*
 * load.h - the types herdload's parts share: the options of a run, the record of one
 * request, and the merged result that the report is written from.
 *
 * A run goes: herdload.c parses the flags into struct load_opts; run.c starts one
 * client thread per --threads (client.c: an epoll loop each, owning its connections,
 * timers, histograms and records, sharing nothing on the hot path), waits for them while
 * printing progress, and merges what they measured into struct load_result; report.c
 * writes the summary, the JSON and the CSV from it. With --slow, one more thread
 * (slow.c) holds the slowloris connections beside the load, counted on their own and
 * never in the requests' counts or latencies; with --idle, another (idle.c) holds
 * connections open and silent beside the load, the watched descriptors of a study of
 * select, poll and epoll, counted apart as well.
 *
 * Every time is CLOCK_MONOTONIC nanoseconds, the clock the kernel tracer reads, and
 * every request carries its local address and port, so that each row of the CSV can be
 * joined with the kernel's record of the same connection.
 */
#ifndef HERD_LOAD_H
#define HERD_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "latency.h"
#include "workload.h"

enum load_mode {
	LOAD_CLOSED, /* each client sends its next request when the previous one ended */
	LOAD_OPEN,   /* requests start on a schedule (--rate), whatever the server does */
};

struct load_phases;

struct load_opts {
	struct load_target target;	  /* --url / --port */
	struct load_workload work;	  /* --path / --mix / --body: what to request */
	struct load_sources sources;	  /* --sources: local addresses to connect from */
	const char *url;		  /* the target as given, for the report */
	enum load_mode mode;		  /* open when --rate is given */
	unsigned clients;		  /* closed: clients; open: most requests in flight */
	unsigned threads;		  /* client threads (event loops) */
	double rate;			  /* open loop: requests/s over the whole run */
	bool poisson;			  /* open loop: exponential gaps, else constant */
	uint64_t requests;		  /* requests to measure (0: run for @duration_ns) */
	uint64_t duration_ns;		  /* measured time, after the warmup */
	uint64_t warmup_ns;		  /* time whose requests are not measured */
	unsigned keepalive;		  /* requests per connection (1: a new one each) */
	uint64_t hold_ns;		  /* pause between requests on one connection */
	uint64_t timeout_ns;		  /* a response must be complete this long after sending */
	uint64_t connect_timeout_ns;	  /* a connect must be done this long after starting */
	uint64_t max_time_ns;		  /* the global deadline from the start */
	uint64_t seed;			  /* for Poisson gaps, --mix and --body draws */
	const char *json_path;		  /* --json FILE, or NULL */
	const char *csv_path;		  /* --csv FILE, or NULL */
	const char *clients_csv_path;	  /* --clients-csv FILE, or NULL */
	bool keep_records;		  /* keep every request's record (--csv, --clients-csv) */
	bool quiet;			  /* no summary on stdout */
	bool verify;			  /* check /size and /echo bodies against the pattern */
	bool progress;			  /* a progress line on stderr each second */
	unsigned slow;			  /* --slow: connections trickling their request */
	uint64_t slow_interval_ns;	  /* --slow-interval: between two bytes of one */
	unsigned idle;			  /* --idle: connections held open and silent */
	uint64_t ramp_ns;		  /* --ramp: clients (or the rate) brought up over this */
	const struct load_phases *phases; /* --phases (phases.h), or NULL */
};

/* One request, as the CSV has it. Fixed size: kept in arrays of millions. */
struct load_record {
	uint64_t scheduled_ns;	   /* when it was due (closed loop: when it started) */
	uint64_t connect_start_ns; /* connect() issued; 0 on a reused connection */
	uint64_t connected_ns;	   /* the connection was seen established; 0 when reused */
	uint64_t first_byte_ns;	   /* the first byte of the response arrived; 0 if none */
	uint64_t last_byte_ns;	   /* the last byte arrived, or the request failed */
	uint64_t bytes_sent;	   /* request bytes sent */
	uint64_t bytes_received;   /* response bytes received, head included */
	uint8_t local_addr[16];	   /* local address (IPv4: the first 4 bytes) */
	uint16_t local_port;	   /* local port: with the address, the join key */
	bool local_v6;		   /* @local_addr is IPv6 */
	uint8_t error;		   /* enum err_kind */
	uint16_t status;	   /* HTTP status, 0 if no head arrived */
	uint16_t path;		   /* index in the workload's paths */
	uint16_t thread;	   /* client thread */
	uint32_t conn_seq;	   /* connection number within its thread, from 1 */
	uint32_t req_in_conn;	   /* request number within its connection, from 1 */
	uint32_t client;	   /* the client (slot) of the run: slot j of thread i is
				    * j * threads + i (fits the struct's padding) */
};

/* What a thread (and then the whole run) counts. Only measured requests count. */
struct load_counts {
	uint64_t ok;		    /* requests that succeeded */
	uint64_t failed;	    /* requests that failed, any kind */
	uint64_t errors[ERR_KINDS]; /* failed requests by kind */
	uint64_t unsent;	    /* due but never started: the run ended first */
	uint64_t retries;	    /* requests retried after a kept-alive connection closed */
	uint64_t fd_waits;	    /* requests that waited for a descriptor (EMFILE) */
	uint64_t connections;	    /* connections established */
	uint64_t bytes_sent;	    /* request bytes */
	uint64_t bytes_received;    /* response bytes */
	uint64_t warmup;	    /* requests done during the warmup (not measured) */
};

/*
 * The --slow connections, over the whole run (warmup included): every connection opened
 * ends up completed, failed or still held at the end, so opened = completed + failed +
 * held. Their latencies are not kept: what they measure is what they do to the others.
 */
struct load_slow_counts {
	uint64_t opened;	    /* connections begun (socket() and connect()) */
	uint64_t connected;	    /* of which established */
	uint64_t completed;	    /* sent the whole request and got a response below 400 */
	uint64_t failed;	    /* ended otherwise */
	uint64_t errors[ERR_KINDS]; /* @failed by kind (a 408 for the trickle is "http") */
	uint64_t held;		    /* still open when the run ended */
	uint64_t bytes_sent;	    /* request bytes trickled */
};

/*
 * The --idle connections, over the whole run: each one opened ends up held at the end,
 * failed, or (its connect still in progress when the run ended) pending, so opened =
 * held + failed + pending. None is a request; none has a latency.
 */
struct load_idle_counts {
	uint64_t opened;	    /* connections begun (socket() and connect()) */
	uint64_t connected;	    /* of which established (some may have failed later) */
	uint64_t held;		    /* established and still open when the run ended */
	uint64_t failed;	    /* refused, timed out, reset or closed by the server */
	uint64_t errors[ERR_KINDS]; /* @failed by kind (a close by the server is "short") */
	uint64_t pending;	    /* connect still in progress when the run ended */
	uint64_t bytes_received;    /* whatever the server sent them (nothing, normally) */
};

struct load_result {
	struct load_counts c;	      /* counts over every thread */
	struct load_latency lat;      /* latencies over every thread (latency.h) */
	struct load_slow_counts slow; /* --slow: the slowloris connections */
	struct load_idle_counts idle; /* --idle: the silent held connections */
	struct load_record *records;  /* --csv, --clients-csv: every measured request, by
				       * scheduled time */
	size_t nrecords;	      /* entries in @records */
	uint64_t start_ns;	      /* the run started */
	uint64_t measure_ns;	      /* the warmup ended: measuring from here */
	uint64_t end_ns;	      /* the last request ended */
	bool interrupted;	      /* stopped by SIGINT / SIGTERM */
	bool deadline;		      /* stopped by the global deadline */
	bool records_lost;	      /* --csv: some records could not be kept (ENOMEM) */
};

/* Run the load described by @o; fills @r (free it with load_result_free). 0, or -1 fatal. */
int load_run(const struct load_opts *o, struct load_result *r);
void load_result_free(struct load_result *r);

#endif
