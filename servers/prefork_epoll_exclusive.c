/* SPDX-License-Identifier: MIT */
/*
 * prefork-epoll-exclusive - prefork-epoll with EPOLLEXCLUSIVE on the listener.
 *
 * Same children, same epoll loop (prefork_epoll.c), one flag different: with
 * EPOLLEXCLUSIVE (Linux 4.5, commit df0108c5da56) each child's entry on the
 * listener's wait queue is exclusive, and a new connection wakes one of them
 * (or a few, when several wake-ups race), instead of all N. Seed 001's fix for
 * the thundering herd.
 */
#include "families.h"
#include "models.h"

int prefork_epoll_exclusive_run(struct server *srv)
{
	return prefork_epoll_pool(srv, true);
}
