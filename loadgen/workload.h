/* SPDX-License-Identifier: MIT */
/*
 * workload.h - what herdload asks for, and where it asks: the flags that describe a
 * workload, parsed, and the requests built from them once, before the run.
 *
 *	--url http://HOST[:PORT][/path]	the target (HOST an IP literal, [IPv6], or a name)
 *	--mix /size/1K:9,/size/1M:1	paths with weights (a weight defaults to 1)
 *	--body 100-1000			POST bodies of 100..1000 bytes, uniformly drawn
 *	--sources 127.0.0.1-127.0.0.8	source addresses, used in turn for new connections
 *
 * Each GET is built once per path, in two versions (keep the connection, or close it),
 * so sending one is a single send() of bytes that already exist. A POST's head carries
 * its own Content-Length, so it is written per request into the connection's buffer,
 * and its body is a slice of one shared buffer of pattern bytes (lib/pattern), which the
 * echo server sends back and --verify can check. The parsers report what is wrong in
 * *@why (a static string), for herdload to print beside the flag's name.
 */
#ifndef HERD_LOAD_WORKLOAD_H
#define HERD_LOAD_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "schedule.h"

#define LOAD_MAX_PATHS	 64		       /* entries in --mix */
#define LOAD_MAX_PATH	 2048		       /* bytes in one path */
#define LOAD_MAX_BODY	 (64u << 20)	       /* largest --body */
#define LOAD_MAX_SOURCES 65536u		       /* addresses in --sources */
#define LOAD_POST_HEAD	 (LOAD_MAX_PATH + 400) /* room for a POST head */

struct load_target {
	struct sockaddr_storage addr; /* where to connect */
	socklen_t addr_len;	      /* its length */
	char host[300];		      /* the Host header's value: "127.0.0.1:8080" */
	char path[LOAD_MAX_PATH];     /* the URL's path, "" when it had none */
};

struct load_path {
	char *path;	   /* "/size/1K" */
	unsigned weight;   /* its share of the --mix */
	uint64_t cum;	   /* the weights up to and including this one */
	char *req[2];	   /* GET, built: [0] keeps the connection, [1] asks to close it */
	size_t req_len[2]; /* their lengths */
	int64_t size;	   /* /size/N: N (what --verify expects); -1 otherwise */
};

struct load_workload {
	struct load_path paths[LOAD_MAX_PATHS]; /* one for --path, several for --mix */
	unsigned npaths;			/* entries in @paths */
	uint64_t total_weight;			/* the sum of their weights */
	bool post;				/* POST bodies (--body) rather than GET */
	uint32_t body_min, body_max;		/* --body: the range of body sizes */
	char *body;				/* @body_max pattern bytes, for every POST */
	char host[300];				/* the Host header, copied from the target */
};

/* --url. Resolves a name with getaddrinfo(); -1 with *@why on error. */
int workload_parse_url(const char *url, struct load_target *t, const char **why);
/* --port: 127.0.0.1:@port. */
void workload_target_port(struct load_target *t, uint16_t port);

/* One path with @weight (--path is one path of weight 1). */
int workload_add_path(struct load_workload *w, const char *path, size_t len, unsigned weight,
		      const char **why);
/* --mix LIST: comma-separated PATH[:WEIGHT]. */
int workload_parse_mix(struct load_workload *w, const char *list, const char **why);
/* --body MIN-MAX or --body N (K and M suffixes allowed). */
int workload_parse_body(const char *s, uint32_t *min, uint32_t *max, const char **why);
/* --sources A-B (IPv4, A <= B) or a single address of either family. */
struct load_sources {
	struct sockaddr_storage first; /* the first address (port 0) */
	socklen_t len;		       /* its length */
	uint32_t count;		       /* addresses: first, first + 1, ... (0: no --sources) */
};
int workload_parse_sources(const char *s, struct load_sources *src, const char **why);
/* Source address @i (taken modulo the count). */
void workload_source(const struct load_sources *src, uint32_t i, struct sockaddr_storage *out,
		     socklen_t *len);

/* Build every path's requests for @host, and the POST body buffer. -1 on ENOMEM. */
int workload_build(struct load_workload *w, const char *host);
void workload_free(struct load_workload *w);

/* Draw a path index by weight. */
unsigned workload_pick(const struct load_workload *w, struct load_rng *rng);
/* Draw a POST body length. */
uint32_t workload_body_len(const struct load_workload *w, struct load_rng *rng);
/* Write the head of a POST of @body_len bytes to path @i; returns its length (0: no room). */
size_t workload_post_head(const struct load_workload *w, unsigned i, uint32_t body_len, bool close,
			  char *buf, size_t cap);

#endif
