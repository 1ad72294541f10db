/* SPDX-License-Identifier: MIT */
/*
 * netns.h - herdlab run --netns: the server and the load generator in network
 * namespaces of their own, made for one run and gone with it.
 *
 *	--netns, --netns=lo  one namespace, its own loopback: the path of a plain
 *	                     run (127.0.0.1, loopback's shortcuts), only isolated
 *	--netns=veth         two namespaces, the server's (198.18.0.1) and the
 *	                     client's (198.18.0.2), joined by a veth pair: packets
 *	                     cross a device with a real qdisc, GRO and GSO, where
 *	                     tc netem can delay and drop them (--delay, --loss)
 *	--sysctl KEY=VALUE   a net.* sysctl set in the server's namespace before the
 *	                     server starts, and read back into run.json
 *
 * Why: the kernel's TCP counters (ListenOverflows, TCPSynRetrans, OutRsts ...)
 * are per network namespace. In a namespace of its own a run's counters are
 * its alone, a delta from before the server starts to the end of the load,
 * whatever else the machine does (run.json tcp.netstat.*, netstat.h).
 *
 * The namespaces have no name: herdlab makes each with unshare(CLONE_NEWNET),
 * keeps a descriptor of it and goes home at once (setns). The server and the
 * load are started inside (lib/spawn.h's netns_fd: setns() in the child before
 * exec), and a namespace lives as long as that descriptor or a process in it.
 * So nothing is left by any end of herdlab: closing the descriptors after the
 * programs have ended frees the namespaces, and the veth pair, which lives in
 * them, goes with them; a SIGKILL'ed herdlab's descriptors are closed by the
 * kernel, and its programs die with it (PR_SET_PDEATHSIG). Only the veth pair
 * and netem need iproute2 (ip, tc); loopback and addresses are set from C.
 */
#ifndef HERD_NETNS_H
#define HERD_NETNS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "vec.h"

enum netns_mode {
	NETNS_OFF,  /* no --netns: the machine's namespace, as before */
	NETNS_LO,   /* one namespace, its own loopback */
	NETNS_VETH, /* the server's and the client's, a veth pair between */
};

/* herdlab run's --netns options, as parsed (runopts.c asks netns_take for each). */
struct netns_opts {
	enum netns_mode mode; /* --netns[=lo|veth] */
	struct vec sysctl;    /* const char *: --sysctl KEY=VALUE, as given, in order */
	bool delay;	      /* --delay given */
	double delay_ms;      /* --delay MS: netem's delay on each veth end (each way) */
	bool loss;	      /* --loss given */
	double loss_pct;      /* --loss PCT: netem's loss on each veth end (each way) */
};

/* The options herdlab run takes for this module (runopts.c's own_opts[] vals). */
enum netns_option { NETNS_OPT_NETNS, NETNS_OPT_SYSCTL, NETNS_OPT_DELAY, NETNS_OPT_LOSS };

/* One option's value into @o: NULL, or what is wrong with it (a sentence for the usage). */
const char *netns_take(struct netns_opts *o, enum netns_option which, const char *arg);

/* Once all are parsed: NULL, or why they do not go together (@server: herdsrv's options). */
const char *netns_check(const struct netns_opts *o, const struct vec *server);

/* The usage lines of these options. */
void netns_usage(FILE *f);

void netns_opts_free(struct netns_opts *o);

/* One run's namespaces. */
struct netns {
	enum netns_mode mode;
	int home_fd;			      /* herdlab's own namespace, come back to (-1) */
	int server_fd;			      /* the server's namespace (-1: none) */
	int client_fd;			      /* the client's: the server's own with lo (-1) */
	unsigned long server_ino, client_ino; /* their inode numbers, as lsns shows them */
	const struct netns_opts *opts;	      /* what was asked */
	json_t *sysctl;			      /* KEY: its value read back, once set */
	struct vec before[2], after[2];	      /* the counters (netstat.h), [0] the server's */
	bool counted[2];		      /* before, after were read */
};

/*
 * Make @o's namespaces (none without --netns), the veth pair and netem, and
 * set the sysctls. 0, or -1 with the reason logged, and nothing left.
 */
int netns_make(struct netns *ns, const struct netns_opts *o);

/* The descriptor lib/spawn.h's netns_fd takes for the server (or the client): 0 to stay. */
int netns_spawn_fd(const struct netns *ns, bool client);

/* The address the server listens on and the load goes to with veth; NULL: loopback's. */
const char *netns_server_addr(const struct netns *ns);

/* Read the counters: before the server starts (@end false), after the load ends (true). */
void netns_count(struct netns *ns, bool end);

/*
 * run.json's netns and tcp objects into @meta (returned, for chaining), and with
 * @trace (NULL: none) its listen overflows and drops set to the namespace's.
 */
json_t *netns_record(const struct netns *ns, json_t *meta, json_t *trace);

/* Close the namespaces (they go once their programs have ended), free. */
void netns_remove(struct netns *ns);

#endif
