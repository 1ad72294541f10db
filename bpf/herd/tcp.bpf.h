// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * herd/tcp.bpf.h - TCP: the ports targets listen on, each connection on them
 * from handshake to close (the conns map, and its EV_CONN record), and the
 * arrival window a handshake opens and sk_data_ready delimits
 * (herd.bpf.c's inet_sock_set_state and sk_data_ready programs).
 *
 * inet_sock_set_state fires ten times per connection of the machine, so
 * on_set_state decides on its arguments before it touches the socket, and on
 * two loads before it looks anything up.
 */
#ifndef HERD_PART_TCP_BPF_H
#define HERD_PART_TCP_BPF_H

#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "compat.bpf.h"
#include "herd.h"
#include "herd/helpers.bpf.h"
#include "herd/maps.bpf.h"

/* Whether a target listens on @port (or the loader added it). */
static __always_inline bool our_port(__u32 port)
{
	__u8 *ours = bpf_map_lookup_elem(&ports, &port);

	return ours && *ours;
}

/* A handshake completed on a port of ours: record it, open the arrival window. */
static __always_inline int conn_open(struct sock *sk, __u64 skaddr, __u32 sport, __u64 now,
				     bool btf)
{
	__u16 family = RD(btf, sk, __sk_common.skc_family);
	struct herd_conn c = {
		.sk = skaddr,
		.established_ns = now,
		.family = family,
		.client_port = bpf_ntohs(RD(btf, sk, __sk_common.skc_dport)),
		.server_port = (__u16)sport,
	};

	if (family == AF_INET) {
		__u32 daddr = RD(btf, sk, __sk_common.skc_daddr);
		__builtin_memcpy(c.client_addr, &daddr, 4);
	} else {
		BPF_CORE_READ_INTO(&c.client_addr, sk, __sk_common.skc_v6_daddr);
	}
	if (bpf_map_update_elem(&conns, &skaddr, &c, BPF_ANY))
		count_map_full();
	struct herd_totals *t = tot();
	if (t)
		t->established++;
	__u32 zero = 0;
	struct window *w = bpf_map_lookup_elem(&windows, &zero);
	if (w) {
		w->sk = skaddr;
		w->ts = now;
		w->ctx = bpf_get_current_pid_tgid();
		w->open = !have_data_ready;
	}
	return 0;
}

/* A connection of ours reached CLOSE: send its record to user space. */
static __always_inline void conn_close(__u64 skaddr)
{
	struct herd_conn *c = bpf_map_lookup_elem(&conns, &skaddr);

	if (!c)
		return;
	__u64 now = bpf_ktime_get_ns();
	struct herd_event *e = event_reserve_conn();
	if (e) {
		e->type = EV_CONN;
		e->pid = c->accept_tid;
		e->ts = now;
		e->by = 0;
		e->reaper = 0;
		__builtin_memcpy(&e->conn, c, sizeof(*c));
		e->conn.closed_ns = now;
		event_submit(e);
	}
	bpf_map_delete_elem(&conns, &skaddr);
}

static __always_inline void close_window(void)
{
	__u32 zero = 0;
	struct window *w = bpf_map_lookup_elem(&windows, &zero);

	if (w)
		w->open = 0;
}

/* A TCP state change: learn listening ports, open and close connections. */
static __always_inline int on_set_state(struct sock *sk, int oldstate, int newstate, bool btf)
{
	/* Ten state changes per connection on the machine (both ends); three matter.
	 * Decide on the arguments before touching the socket. */
	bool opened = oldstate == TCP_SYN_RECV && newstate == TCP_ESTABLISHED;
	/* An arrival's wakeups all happen inside the listener's sk_data_ready, before
	 * any other state change: one closes the window, so a task woken next by a
	 * connection's own change (a FIN waking a poll on it: apache's lingering
	 * close) is not taken for a woken acceptor. */
	if (!opened)
		close_window();
	if (!opened && newstate != TCP_CLOSE && newstate != TCP_LISTEN)
		return 0;
	if (RD(btf, sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	__u64 skaddr = (__u64)sk;
	/* By CLOSE the local port is already released (tcp_set_state ->
	 * inet_put_port zeroes it before the tracepoint): find the socket itself.
	 * Half the closes are the clients' ends, whose remote port is ours: those
	 * end here on two loads, without a lookup that misses. A connection of
	 * ours has a client's port there, which can be a port of ours only for a
	 * remote client's; and it has its listener's backlog (sk_clone_lock copies
	 * it), which a connect()ed socket has not. */
	if (newstate == TCP_CLOSE) {
		if (!RD(btf, sk, sk_max_ack_backlog) &&
		    our_port(bpf_ntohs(RD(btf, sk, __sk_common.skc_dport))))
			return 0;
		conn_close(skaddr);
		return 0;
	}
	__u32 sport = RD(btf, sk, __sk_common.skc_num); /* the local port, host order */
	__u8 *ours = bpf_map_lookup_elem(&ports, &sport);

	if (!ours)
		return 0;
	if (newstate == TCP_LISTEN) { /* a target starts listening: learn the port */
		if (current_target())
			*ours = 1;
		return 0;
	}
	if (!*ours) /* a client socket, or another server's: not ours */
		return 0;
	return opened ? conn_open(sk, skaddr, sport, bpf_ktime_get_ns(), btf) : 0;
}

/* A socket's data_ready: the listener's opens the arrival window, any other closes it. */
static __always_inline int on_data_ready(struct sock *sk, bool btf)
{
	__u32 zero = 0;
	struct window *w = bpf_map_lookup_elem(&windows, &zero);

	if (!w)
		return 0;
	if (RD(btf, sk, __sk_common.skc_state) == TCP_LISTEN)
		w->open = w->sk && w->ctx == bpf_get_current_pid_tgid();
	else
		w->open = 0;
	return 0;
}

#endif /* HERD_PART_TCP_BPF_H */
