// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * herd/fates.bpf.h - the fates of connections (herd.bpf.c's kfree_skb,
 * tcp_retransmit_* and tcp_*_reset programs, each loaded only where its
 * tracepoint has the arguments it reads: herd.h's HERD_FATE_TPS).
 *
 * What happened to each client's connection on the rare paths: a SYN sent again
 * or dropped, a SYN-ACK sent again, a reset either way, a close with unread
 * data. None of these tracepoints fires on the path of a connection that goes
 * well, so none of this costs the hot programs anything; kfree_skb fires on
 * every freed packet of the machine, and looks at its reason (a constant
 * compare) before anything else. Counted by client address:port in the fates
 * map, for the ports of the ports map -- those a target listens on and those
 * the loader adds, with a listener or not, so that the resets of a port
 * nothing listens on are counted too.
 *
 * Kernel differences (drop reasons, the reset's reason argument) are
 * compat.bpf.h's.
 */
#ifndef HERD_PART_FATES_BPF_H
#define HERD_PART_FATES_BPF_H

#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "compat.bpf.h"
#include "herd.h"
#include "herd/helpers.bpf.h"
#include "herd/maps.bpf.h"
#include "herd/tcp.bpf.h"

#define TCPHDR_SYN 0x02 /* include/net/tcp.h: the flags byte of struct tcphdr */
#define TCPHDR_RST 0x04
#define TCPHDR_ACK 0x10
#define AF_INET6   10

/* @k's record, made if it is new; NULL (counted) when the map is full. */
static __always_inline struct herd_fate *fate_of(struct herd_fate_key *k)
{
	struct herd_fate *f = bpf_map_lookup_elem(&fates, k);
	__u64 now = bpf_ktime_get_ns();

	if (!f) {
		struct herd_fate fresh = { .key = *k, .first_ns = now };
		bpf_map_update_elem(&fates, k, &fresh, BPF_NOEXIST);
		if (!(f = bpf_map_lookup_elem(&fates, k))) {
			struct herd_totals *t = tot();
			if (t)
				t->fates_lost++;
			return NULL;
		}
	}
	f->last_ns = now;
	return f;
}

/*
 * The fate key of socket @sk (or a request sock: both begin with a struct
 * sock_common): @server, its local end is the server's; else it is a client's.
 */
static __always_inline void sock_key(struct sock *sk, bool server, struct herd_fate_key *k,
				     bool btf)
{
	__u16 local = RD(btf, sk, __sk_common.skc_num);
	__u16 remote = bpf_ntohs(RD(btf, sk, __sk_common.skc_dport));

	k->family = RD(btf, sk, __sk_common.skc_family);
	k->client_port = server ? remote : local;
	k->server_port = server ? local : remote;
	if (k->family == AF_INET) {
		__u32 a = server ? RD(btf, sk, __sk_common.skc_daddr)
				 : RD(btf, sk, __sk_common.skc_rcv_saddr);
		__builtin_memcpy(k->client_addr, &a, 4);
	} else if (server) {
		BPF_CORE_READ_INTO(&k->client_addr, sk, __sk_common.skc_v6_daddr);
	} else {
		BPF_CORE_READ_INTO(&k->client_addr, sk, __sk_common.skc_v6_rcv_saddr);
	}
}

/* A packet's TCP header and source, read from the skb (the headers need probe reads). */
struct pkt {
	struct herd_fate_key from; /* its source address and port (client_*); dport below */
	__u16 dport;		   /* its destination port */
	__u8 flags;		   /* TCPHDR_* */
};

static __always_inline bool skb_tcp(struct sk_buff *skb, struct pkt *p, bool btf)
{
	unsigned char *head = RD(btf, skb, head);
	__u16 nh = RD(btf, skb, network_header), th = RD(btf, skb, transport_header);
	__u8 version = 0, hdr[14];

	if (bpf_probe_read_kernel(&version, 1, head + nh))
		return false;
	if (version >> 4 == 4) {
		struct iphdr ip;
		if (bpf_probe_read_kernel(&ip, sizeof(ip), head + nh) || ip.protocol != IPPROTO_TCP)
			return false;
		p->from.family = AF_INET;
		__builtin_memcpy(p->from.client_addr, &ip.saddr, 4);
	} else if (version >> 4 == 6) {
		struct ipv6hdr ip6;
		if (bpf_probe_read_kernel(&ip6, sizeof(ip6), head + nh) ||
		    ip6.nexthdr != IPPROTO_TCP) /* extension headers: not a client of ours */
			return false;
		p->from.family = AF_INET6;
		__builtin_memcpy(p->from.client_addr, &ip6.saddr, 16);
	} else {
		return false;
	}
	if (bpf_probe_read_kernel(hdr, sizeof(hdr), head + th))
		return false;
	p->from.client_port = (__u16)(hdr[0] << 8 | hdr[1]); /* struct tcphdr's source */
	p->dport = (__u16)(hdr[2] << 8 | hdr[3]);
	p->flags = hdr[13];
	return true;
}

/* A packet dropped: at a full accept queue, or a SYN with nothing listening. */
static __always_inline int on_kfree_skb(struct sk_buff *skb, int reason, bool btf)
{
	int overflow = drop_reason_listen_overflow();
	struct pkt p = {};
	struct herd_fate *f;

	if (reason != overflow && reason != drop_reason_no_socket())
		return 0; /* nearly every call of the machine ends here */
	if (!skb_tcp(skb, &p, btf) || !our_port(p.dport))
		return 0;
	if (reason != overflow && (p.flags & (TCPHDR_SYN | TCPHDR_ACK)) != TCPHDR_SYN)
		return 0; /* only a SYN is a connection refused for want of a socket */
	p.from.server_port = p.dport;
	if (!(f = fate_of(&p.from)))
		return 0;
	if (reason == overflow)
		f->overflow_drops++;
	else
		f->no_socket_drops++;
	return 0;
}

/* The listener @sk sent its SYN-ACK to @req's client again. */
static __always_inline int on_retransmit_synack(struct sock *sk, struct request_sock *req, bool btf)
{
	struct herd_fate_key k = {};
	struct herd_fate *f;

	if (!our_port(RD(btf, sk, __sk_common.skc_num)))
		return 0;
	sock_key((struct sock *)req, true, &k, btf);
	if ((f = fate_of(&k)))
		f->synack_retransmits++;
	return 0;
}

/* A segment sent again: only a client's SYN (SYN_SENT) to a port of ours is a fate. */
static __always_inline int on_retransmit_skb(struct sock *sk, bool btf)
{
	struct herd_fate_key k = {};
	struct herd_fate *f;

	if (RD(btf, sk, __sk_common.skc_state) != TCP_SYN_SENT ||
	    !our_port(bpf_ntohs(RD(btf, sk, __sk_common.skc_dport))))
		return 0;
	sock_key(sk, false, &k, btf);
	if ((f = fate_of(&k)))
		f->syn_retransmits++;
	return 0;
}

/*
 * A reset sent. A passive one answers packet @skb (its source is whom it goes
 * to; @sk may be NULL: no socket); an active one (no packet) comes from full
 * socket @sk. Only the server side's count: the client's reach the server as
 * resets received.
 */
static __always_inline int on_send_reset(struct sock *sk, struct sk_buff *skb, int reason, bool btf)
{
	struct herd_fate_key k = {};
	struct herd_fate *f;
	int state = sk ? RD(btf, sk, __sk_common.skc_state) : 0;

	if (skb) {
		struct pkt p = {};
		if (!skb_tcp(skb, &p, btf) || !our_port(p.dport))
			return 0;
		k = p.from;
		k.server_port = p.dport;
	} else if (sk && our_port(RD(btf, sk, __sk_common.skc_num))) {
		sock_key(sk, true, &k, btf);
	} else {
		return 0;
	}
	if (!(f = fate_of(&k)))
		return 0;
	f->resets_sent++;
	f->rst_server = 1;
	if (state) { /* a reset to a closed port has no socket: its client's end says more */
		f->rst_state = (__u8)state;
		f->rst_state_server = 1;
	}
	if (sk && reset_closes_unread(reason, !skb, state))
		f->closed_unread++;
	return 0;
}

/* A reset received by socket @sk: a server's (from its client), or a client's (from us). */
static __always_inline int on_receive_reset(struct sock *sk, bool btf)
{
	struct herd_fate_key k = {};
	struct herd_fate *f;
	bool server = our_port(RD(btf, sk, __sk_common.skc_num));

	if (!server && !our_port(bpf_ntohs(RD(btf, sk, __sk_common.skc_dport))))
		return 0;
	sock_key(sk, server, &k, btf);
	if (!(f = fate_of(&k)))
		return 0;
	if (server)
		f->resets_received++;
	else
		f->client_resets_received++;
	f->rst_state = RD(btf, sk, __sk_common.skc_state);
	f->rst_state_server = server;
	f->rst_server = !server; /* who sent it: the other end */
	return 0;
}

#endif /* HERD_PART_FATES_BPF_H */
