/* SPDX-License-Identifier: MIT */
/*
 * netns_section.c - the report's "Network namespace" section: where the run's TCP ran
 * (run.json netns.*: herdlab run --netns, session/netns.h) and what it did to
 * the kernel's counters there (tcp.netstat.*, tcp.client_netstat.*).
 *
 * The counters table has the study's counters first, in a fixed order and
 * whatever their value (a 0 ListenOverflows is a finding too), then every other
 * counter the run moved, by the kernel's name, so that its documentation (and
 * `nstat`) explains each. With veth a second column holds the client's side:
 * its resets and retransmissions are counted in its own namespace. A run
 * without --netns has no section: the TCP section says its counters are the
 * machine's.
 */
#include <stdio.h>
#include <string.h>

#include "metrics/keys.h"
#include "report/sections.h"
#include "session/netstat.h"

/* One counter's row: the server's value, and the client's with @client. */
static void counter_row(struct doc *d, const char *name, json_t *server, json_t *client, bool veth)
{
	json_t *s = json_object_get(server, name), *c = json_object_get(client, name);

	doc_cell(d, false, "%s", name);
	if (s)
		doc_cell(d, false, "%lld", (long long)json_integer_value(s));
	else
		doc_cell(d, false, "-");
	if (veth && c)
		doc_cell(d, false, "%lld", (long long)json_integer_value(c));
	else if (veth)
		doc_cell(d, false, "-");
}

static bool in_study(const char *name)
{
	for (size_t i = 0; i < netstat_nstudy; i++)
		if (!strcmp(name, netstat_study[i]))
			return true;
	return false;
}

/* The study's counters, then the others either side moved (the server's first). */
static void counters(struct doc *d, json_t *server, json_t *client, bool veth)
{
	const char *name;
	json_t *v;

	if (veth)
		doc_table(d, "lrr", "counter", "server", "client");
	else
		doc_table(d, "lr", "counter", "value");
	for (size_t i = 0; i < netstat_nstudy; i++)
		counter_row(d, netstat_study[i], server, client, veth);
	json_object_foreach(server, name, v) if (!in_study(name))
		counter_row(d, name, server, client, veth);
	json_object_foreach(client, name, v) if (!in_study(name) && !json_object_get(server, name))
		counter_row(d, name, server, client, veth);
	doc_table_end(d);
}

void section_netns(struct doc *d, const struct rundir *rd)
{
	const char *mode = rundir_str(rd, MK_NETNS_MODE, NULL);
	json_t *sysctl = rundir_get(rd, MK_NETNS_SYSCTL), *v;
	json_t *server = rundir_get(rd, MK_TCP_NETSTAT),
	       *client = rundir_get(rd, MK_TCP_CLIENT_NETSTAT);
	bool veth = mode && !strcmp(mode, MV_NETNS_MODE_VETH);
	const char *key;
	char shaped[128] = "";

	if (!mode)
		return;
	doc_heading(d, "Network namespace");
	if (veth) {
		double delay = rundir_num(rd, MK_NETNS_DELAY_MS),
		       loss = rundir_num(rd, MK_NETNS_LOSS_PCT);
		if (delay == delay || loss == loss) /* not NAN: netem was asked for */
			snprintf(shaped, sizeof(shaped),
				 "; netem on both ends: %.4g ms delay, %.4g%% loss each way",
				 delay == delay ? delay : 0, loss == loss ? loss : 0);
		doc_para(
			d,
			"The server (%s) and the load generator (%s) ran in two network namespaces "
			"of their own, joined by a veth pair%s.",
			rundir_str(rd, MK_NETNS_SERVER_ADDR, "?"),
			rundir_str(rd, MK_NETNS_CLIENT_ADDR, "?"), shaped);
	} else {
		doc_para(d, "The server and the load generator ran in a network namespace of their "
			    "own, on its own loopback.");
	}
	if (json_object_size(sysctl)) {
		doc_table(d, "lr", "sysctl (server's namespace)", "value read back");
		json_object_foreach(sysctl, key, v)
		{
			doc_cell(d, false, "%s", key);
			if (json_is_integer(v))
				doc_cell(d, false, "%lld", (long long)json_integer_value(v));
			else
				doc_cell(d, false, "%s",
					 json_is_string(v) ? json_string_value(v) : "?");
		}
		doc_table_end(d);
	}
	if (!json_is_object(server)) {
		doc_para(d,
			 "The namespace's TCP counters were not read (the server never started).");
		return;
	}
	counters(d, server, client, veth);
	doc_para(d,
		 "The kernel's counters (/proc/net/netstat TcpExt and IpExt, /proc/net/snmp Tcp) "
		 "of the run's own namespace%s, from before the server started to the end of the "
		 "load: this run's alone. The first %zu are always shown, the rest where they "
		 "moved.",
		 veth ? "s" : "", netstat_nstudy);
}
