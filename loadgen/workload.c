/* SPDX-License-Identifier: MIT */
/*
 * workload.c - the workload flags, parsed, and the requests built from them
 * (see workload.h).
 */
#include "workload.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "net.h"
#include "pattern.h"

#define MAX_WEIGHT 1000000u

/* ---- the target ------------------------------------------------------------------------ */

/* Can @p go into a request line as it is: "/" then visible ASCII. */
static bool valid_path(const char *p, size_t n)
{
	if (n == 0 || n >= LOAD_MAX_PATH || p[0] != '/')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
			return false;
	return true;
}

/* Resolve @name (an IP literal or a host name), preferring IPv4 as curl does for localhost. */
static int resolve(const char *name, uint16_t port, struct load_target *t)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai, *pick = NULL;

	if (net_parse_addr(name, port, &t->addr, &t->addr_len) == 0)
		return 0;
	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return -1;
	for (ai = res; ai; ai = ai->ai_next)
		if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
		    (!pick || (pick->ai_family != AF_INET && ai->ai_family == AF_INET)))
			pick = ai;
	if (pick) {
		memcpy(&t->addr, pick->ai_addr, pick->ai_addrlen);
		t->addr_len = pick->ai_addrlen;
		if (pick->ai_family == AF_INET)
			((struct sockaddr_in *)&t->addr)->sin_port = htons(port);
		else
			((struct sockaddr_in6 *)&t->addr)->sin6_port = htons(port);
	}
	freeaddrinfo(res);
	return pick ? 0 : -1;
}

/* ":PORT" at *@p, up to the path: 1..65535. */
static int parse_port(const char **p, uint16_t *port)
{
	const char *s = *p + 1;
	size_t n = strcspn(s, "/");
	unsigned long v = 0;

	if (n == 0 || n > 5 || strspn(s, "0123456789") != n)
		return -1;
	v = strtoul(s, NULL, 10);
	if (v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	*p = s + n;
	return 0;
}

int workload_parse_url(const char *url, struct load_target *t, const char **why)
{
	const char *p = url + 7, *host, *host_end;
	char name[256];
	uint16_t port = 80;
	bool bracket = *p == '[', has_port = false;

	memset(t, 0, sizeof(*t));
	*why = "expected http://HOST[:PORT][/path]";
	if (!strncasecmp(url, "https://", 8))
		*why = "https is not supported (herdload speaks plain HTTP/1.1)";
	if (strncasecmp(url, "http://", 7))
		return -1;
	host = bracket ? p + 1 : p;
	host_end = bracket ? strchr(host, ']') : host + strcspn(host, ":/");
	if (!host_end || host_end == host || (size_t)(host_end - host) >= sizeof(name))
		return -1;
	p = bracket ? host_end + 1 : host_end;
	if (*p == ':') {
		if (parse_port(&p, &port) < 0) {
			*why = "the port must be a number from 1 to 65535";
			return -1;
		}
		has_port = true;
	}
	if (*p && !valid_path(p, strlen(p))) {
		*why = "the path must start with / and hold visible ASCII only";
		return -1;
	}
	strcpy(t->path, p);
	memcpy(name, host, (size_t)(host_end - host));
	name[host_end - host] = '\0';
	if (resolve(name, port, t) < 0) {
		*why = "cannot resolve the host";
		return -1;
	}
	/* The Host header names the host as the URL wrote it, with the port if it had one. */
	if (has_port)
		snprintf(t->host, sizeof(t->host), "%s%s%s:%u", bracket ? "[" : "", name,
			 bracket ? "]" : "", port);
	else
		snprintf(t->host, sizeof(t->host), "%s%s%s", bracket ? "[" : "", name,
			 bracket ? "]" : "");
	return 0;
}

void workload_target_port(struct load_target *t, uint16_t port)
{
	memset(t, 0, sizeof(*t));
	net_parse_addr("127.0.0.1", port, &t->addr, &t->addr_len);
	snprintf(t->host, sizeof(t->host), "127.0.0.1:%u", port);
}

/* ---- paths ------------------------------------------------------------------------------- */

/* /size/N[?...]: N; anything else -1. */
static int64_t size_of(const char *path)
{
	uint64_t n;

	if (strncmp(path, "/size/", 6))
		return -1;
	if (http_parse_size(path + 6, strcspn(path + 6, "?"), UINT64_C(1) << 40, &n) < 0)
		return -1;
	return (int64_t)n;
}

int workload_add_path(struct load_workload *w, const char *path, size_t len, unsigned weight,
		      const char **why)
{
	struct load_path *lp;

	if (w->npaths == LOAD_MAX_PATHS) {
		*why = "too many paths (at most 64)";
		return -1;
	}
	if (!valid_path(path, len)) {
		*why = "a path must start with / and hold visible ASCII only";
		return -1;
	}
	if (weight == 0 || weight > MAX_WEIGHT) {
		*why = "a weight must be a whole number from 1 to 1000000";
		return -1;
	}
	lp = &w->paths[w->npaths];
	lp->path = strndup(path, len);
	if (!lp->path) {
		*why = "out of memory";
		return -1;
	}
	lp->weight = weight;
	lp->size = size_of(lp->path);
	w->total_weight += weight;
	lp->cum = w->total_weight;
	w->npaths++;
	return 0;
}

/* One "PATH[:WEIGHT]" item of a --mix: the weight is what follows the last ':'. */
static int parse_mix_item(struct load_workload *w, const char *s, size_t n, const char **why)
{
	const char *colon = memrchr(s, ':', n);
	unsigned long weight = 1;

	if (colon) {
		size_t wlen = n - (size_t)(colon - s) - 1;
		if (wlen == 0 || wlen > 7 || strspn(colon + 1, "0123456789") < wlen) {
			*why = "a weight must be a whole number from 1 to 1000000";
			return -1;
		}
		weight = strtoul(colon + 1, NULL, 10);
		n = (size_t)(colon - s);
	}
	return workload_add_path(w, s, n, (unsigned)weight, why);
}

int workload_parse_mix(struct load_workload *w, const char *list, const char **why)
{
	const char *s = list;

	for (;;) {
		size_t n = strcspn(s, ",");
		if (parse_mix_item(w, s, n, why) < 0)
			return -1;
		if (!s[n])
			return 0;
		s += n + 1;
	}
}

/* ---- bodies and sources --------------------------------------------------------------- */

static int parse_body_size(const char *s, size_t n, uint32_t *out)
{
	uint64_t v;

	if (http_parse_size(s, n, LOAD_MAX_BODY, &v) < 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int workload_parse_body(const char *s, uint32_t *min, uint32_t *max, const char **why)
{
	size_t n = strcspn(s, "-");

	*why = "expected MIN-MAX or N, bytes up to 64M (K and M suffixes allowed)";
	if (parse_body_size(s, n, min) < 0)
		return -1;
	if (!s[n]) {
		*max = *min;
		return 0;
	}
	if (parse_body_size(s + n + 1, strlen(s + n + 1), max) < 0)
		return -1;
	if (*min > *max) {
		*why = "MIN is above MAX";
		return -1;
	}
	return 0;
}

int workload_parse_sources(const char *s, struct load_sources *src, const char **why)
{
	const char *dash = strchr(s, '-');
	char a[64];
	struct in_addr lo, hi;

	memset(src, 0, sizeof(*src));
	*why = "expected A.B.C.D-A.B.C.E or one address";
	if (!dash) {
		if (net_parse_addr(s, 0, &src->first, &src->len) < 0)
			return -1;
		src->count = 1;
		return 0;
	}
	if ((size_t)(dash - s) >= sizeof(a))
		return -1;
	memcpy(a, s, (size_t)(dash - s));
	a[dash - s] = '\0';
	if (inet_pton(AF_INET, a, &lo) != 1 || inet_pton(AF_INET, dash + 1, &hi) != 1)
		return -1;
	if (ntohl(lo.s_addr) > ntohl(hi.s_addr)) {
		*why = "the first address is above the last";
		return -1;
	}
	if (ntohl(hi.s_addr) - ntohl(lo.s_addr) >= LOAD_MAX_SOURCES) {
		*why = "too many addresses (at most 65536)";
		return -1;
	}
	net_parse_addr(a, 0, &src->first, &src->len);
	src->count = ntohl(hi.s_addr) - ntohl(lo.s_addr) + 1;
	return 0;
}

void workload_source(const struct load_sources *src, uint32_t i, struct sockaddr_storage *out,
		     socklen_t *len)
{
	*out = src->first;
	*len = src->len;
	if (out->ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)out;
		in->sin_addr.s_addr = htonl(ntohl(in->sin_addr.s_addr) + i % src->count);
	}
}

/* ---- requests ---------------------------------------------------------------------------- */

static char *build_get(const char *path, const char *host, bool close, size_t *len)
{
	char *s;
	int n = asprintf(&s, "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", path, host,
			 close ? "Connection: close\r\n" : "");

	if (n < 0)
		return NULL;
	*len = (size_t)n;
	return s;
}

int workload_build(struct load_workload *w, const char *host)
{
	snprintf(w->host, sizeof(w->host), "%s", host);
	for (unsigned i = 0; i < w->npaths; i++) {
		struct load_path *lp = &w->paths[i];
		for (int close = 0; close < 2; close++) {
			lp->req[close] = build_get(lp->path, host, close, &lp->req_len[close]);
			if (!lp->req[close])
				return -1;
		}
	}
	if (w->post) {
		w->body = malloc(w->body_max ? w->body_max : 1);
		if (!w->body)
			return -1;
		pattern_fill(w->body, w->body_max, 0);
	}
	return 0;
}

void workload_free(struct load_workload *w)
{
	for (unsigned i = 0; i < w->npaths; i++) {
		free(w->paths[i].path);
		free(w->paths[i].req[0]);
		free(w->paths[i].req[1]);
	}
	free(w->body);
	memset(w, 0, sizeof(*w));
}

unsigned workload_pick(const struct load_workload *w, struct load_rng *rng)
{
	uint64_t r;
	unsigned i = 0;

	if (w->npaths <= 1)
		return 0;
	r = rng_below(rng, w->total_weight);
	while (w->paths[i].cum <= r)
		i++;
	return i;
}

uint32_t workload_body_len(const struct load_workload *w, struct load_rng *rng)
{
	return w->body_min + (uint32_t)rng_below(rng, (uint64_t)w->body_max - w->body_min + 1);
}

size_t workload_post_head(const struct load_workload *w, unsigned i, uint32_t body_len, bool close,
			  char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %u\r\n%s\r\n",
			 w->paths[i].path, w->host, body_len, close ? "Connection: close\r\n" : "");

	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}
