/* SPDX-License-Identifier: MIT */
/*
 * netstat.h - the kernel's TCP counters of one network namespace, read twice
 * and subtracted: what a run did to them.
 *
 * /proc/net/netstat (groups TcpExt, IpExt) and /proc/net/snmp (group Tcp) are
 * pairs of lines, a line of names and a line of values under one prefix:
 *
 *	TcpExt: SyncookiesSent SyncookiesRecv ... ListenOverflows ListenDrops ...
 *	TcpExt: 0 0 ... 1941 9423 ...
 *
 * Each counter keeps the kernel's name (ListenOverflows, OutRsts), so that the
 * kernel's documentation and `nstat` explain it. Tcp's gauges and constants
 * (CurrEstab, MaxConn, RtoMin ...) are not counters and are left out. A name
 * that a later group repeats (IpExt and Tcp both have InCsumErrors) takes its
 * group's name in front the second time (TcpInCsumErrors).
 *
 * The files are those of the namespace of whoever opens them (/proc/net is
 * /proc/self/net): netns.c opens them from inside the run's namespace.
 */
#ifndef HERD_NETSTAT_H
#define HERD_NETSTAT_H

#include <jansson.h>
#include <stdint.h>

#include "vec.h"

/* The longest counter name kept (the kernel's are under 40). */
#define NETSTAT_NAME_MAX 64

struct netstat_counter {
	char name[NETSTAT_NAME_MAX]; /* the kernel's name (with its group's in front if repeated) */
	uint64_t value;		     /* its value when read */
};

/* The study's counters: written whatever their value, so that a 0 is seen as a 0. */
extern const char *const netstat_study[];
extern const size_t netstat_nstudy;

/*
 * The counters of @text (the contents of /proc/net/netstat or /proc/net/snmp)
 * in the groups @groups (NULL-terminated: "TcpExt", "IpExt"), appended to
 * @out (struct netstat_counter). 0, or -1 when out of memory.
 */
int netstat_parse(const char *text, const char *const *groups, struct vec *out);

/* TcpExt and IpExt of DIR/netstat, Tcp of DIR/snmp (DIR: "/proc/thread-self/net"); 0 or -1. */
int netstat_read(const char *dir, struct vec *out);

/*
 * {NAME: after - before}: every counter that changed, and the study's always.
 * A counter missing from either reading is left out (a kernel without it). NULL
 * when out of memory.
 */
json_t *netstat_delta_json(const struct vec *before, const struct vec *after);

#endif
