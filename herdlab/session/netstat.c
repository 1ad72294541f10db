/* SPDX-License-Identifier: MIT */
/*
 * netstat.c - the kernel's TCP counters, read and subtracted (netstat.h).
 *
 * The parser takes the text, not the file, so that the unit tests give it a
 * real /proc/net/netstat of a known run. Lines are taken in pairs by their
 * prefix: a names line, then the values line with the same prefix; a pair whose
 * counts differ is taken as far as both go.
 */
#include "session/netstat.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "metrics/keys.h"
#include "path.h"

const char *const netstat_study[] = {
	MK_NS_LISTEN_OVERFLOWS,	     MK_NS_LISTEN_DROPS,      MK_NS_SYNCOOKIES_SENT,
	MK_NS_SYNCOOKIES_RECV,	     MK_NS_SYNCOOKIES_FAILED, MK_NS_TCP_REQ_Q_FULL_DROP,
	MK_NS_TCP_REQ_Q_FULL_COOKIE, MK_NS_TCP_SYN_RETRANS,   MK_NS_OUT_RSTS,
	MK_NS_TCP_ABORT_ON_CLOSE,    MK_NS_TCP_ABORT_ON_DATA, MK_NS_EMBRYONIC_RSTS,
	MK_NS_ATTEMPT_FAILS,	     MK_NS_ESTAB_RESETS,      MK_NS_RETRANS_SEGS,
};
const size_t netstat_nstudy = sizeof(netstat_study) / sizeof(netstat_study[0]);

/* Tcp's values that are not counters: a delta of them means nothing. */
static const char *const gauges[] = { "RtoAlgorithm", "RtoMin", "RtoMax", "MaxConn", "CurrEstab" };

static bool is_gauge(const char *name)
{
	for (size_t i = 0; i < sizeof(gauges) / sizeof(gauges[0]); i++)
		if (!strcmp(name, gauges[i]))
			return true;
	return false;
}

static const struct netstat_counter *find(const struct vec *v, const char *name)
{
	for (size_t i = 0; i < v->len; i++) {
		const struct netstat_counter *c = vec_at(v, i);
		if (!strcmp(c->name, name))
			return c;
	}
	return NULL;
}

/* The length of the prefix "Group:" of @line (0: none), and whether it is one of @groups. */
static size_t prefix(const char *line, const char *const *groups, bool *wanted)
{
	size_t n = strcspn(line, ": \n");

	*wanted = false;
	if (line[n] != ':')
		return 0;
	for (; groups && *groups; groups++)
		if (strlen(*groups) == n && !strncmp(line, *groups, n))
			*wanted = true;
	return n + 1;
}

/* One pair: the names after @np's prefix, the values after @vp's, into @out. */
static int take_pair(const char *group, size_t glen, char *names, char *values, struct vec *out)
{
	char *ns, *vs, *n = strtok_r(names, " \n", &ns), *v = strtok_r(values, " \n", &vs);

	for (; n && v; n = strtok_r(NULL, " \n", &ns), v = strtok_r(NULL, " \n", &vs)) {
		struct netstat_counter c = { .value = strtoull(v, NULL, 10) };
		if (is_gauge(n))
			continue;
		/* a name an earlier group has: this group's name in front ("TcpInCsumErrors") */
		if (snprintf(c.name, sizeof(c.name), "%s", n) >= (int)sizeof(c.name) ||
		    (find(out, c.name) && snprintf(c.name, sizeof(c.name), "%.*s%s", (int)glen,
						   group, n) >= (int)sizeof(c.name)))
			continue;
		struct netstat_counter *slot = vec_push(out);
		if (!slot)
			return -1;
		*slot = c;
	}
	return 0;
}

int netstat_parse(const char *text, const char *const *groups, struct vec *out)
{
	char *copy = strdup(text), *save, *line, *names = NULL;
	size_t names_len = 0;
	int rc = 0;

	if (!copy)
		return -1;
	for (line = strtok_r(copy, "\n", &save); line && !rc; line = strtok_r(NULL, "\n", &save)) {
		bool wanted;
		size_t n = prefix(line, groups, &wanted);
		if (!n || !wanted) {
			names = NULL;
			continue;
		}
		if (names && names_len == n && !strncmp(names, line, n)) { /* the values line */
			rc = take_pair(line, n - 1, names + n, line + n, out);
			names = NULL;
		} else {
			names = line, names_len = n;
		}
	}
	free(copy);
	return rc;
}

/* DIR/NAME's groups @groups into @out; a file the kernel does not have adds nothing. */
static int read_one(const char *dir, const char *name, const char *const *groups, struct vec *out)
{
	char path[PATH_MAX];
	char *text;
	int rc;

	if (path_join(path, sizeof(path), dir, name) < 0)
		return -1;
	if (!(text = files_read(path, NULL)))
		return -1;
	rc = netstat_parse(text, groups, out);
	free(text);
	return rc;
}

int netstat_read(const char *dir, struct vec *out)
{
	static const char *const ext[] = { "TcpExt", "IpExt", NULL }, *const tcp[] = { "Tcp",
										       NULL };

	return read_one(dir, "netstat", ext, out) < 0 || read_one(dir, "snmp", tcp, out) < 0 ? -1
											     : 0;
}

static bool in_study(const char *name)
{
	for (size_t i = 0; i < netstat_nstudy; i++)
		if (!strcmp(name, netstat_study[i]))
			return true;
	return false;
}

json_t *netstat_delta_json(const struct vec *before, const struct vec *after)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < after->len; i++) {
		const struct netstat_counter *a = vec_at(after, i), *b = find(before, a->name);
		if (!b)
			continue;
		/* a counter that went back (a gauge the kernel added) is not a count */
		uint64_t d = a->value >= b->value ? a->value - b->value : 0;
		if ((d || in_study(a->name)) &&
		    json_object_set_new(o, a->name, json_integer((json_int_t)d)) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}
