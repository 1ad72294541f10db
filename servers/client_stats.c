/* SPDX-License-Identifier: MIT */
/*
 * client_stats.c - the shared per-client table (see client_stats.h).
 *
 * Open addressing over a power-of-two array. A slot is claimed with a
 * compare-and-swap on its state (EMPTY -> CLAIMED), filled, then published
 * (-> READY); a reader that meets a CLAIMED slot waits the few instructions it
 * takes to become READY before comparing addresses. Slots are never freed.
 */
#include "client_stats.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "files.h"

enum { SLOT_EMPTY, SLOT_CLAIMED, SLOT_READY };

struct client_slot {
	_Atomic unsigned state;	    /* SLOT_* */
	struct in6_addr addr;	    /* IPv4 kept as ::ffff:a.b.c.d */
	_Atomic uint64_t requests;  /* responses completed */
	_Atomic uint64_t bytes_in;  /* bytes received from this client */
	_Atomic uint64_t bytes_out; /* bytes sent to it */
};

struct client_stats {
	size_t map_len;		   /* bytes mapped, for munmap */
	unsigned mask;		   /* slots - 1 */
	_Atomic uint64_t overflow; /* updates that found the table full */
	struct client_slot slot[];
};

struct client_stats *client_stats_create(unsigned capacity)
{
	unsigned n = 64;

	while (n < capacity * 2) /* keep the load factor under one half */
		n <<= 1;
	size_t len = sizeof(struct client_stats) + n * sizeof(struct client_slot);
	struct client_stats *st =
		mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED)
		return NULL;
	st->map_len = len;
	st->mask = n - 1;
	return st;
}

void client_stats_destroy(struct client_stats *st)
{
	if (st)
		munmap(st, st->map_len);
}

static struct in6_addr peer_key(const struct sockaddr_storage *peer)
{
	struct in6_addr a = IN6ADDR_ANY_INIT;

	if (peer->ss_family == AF_INET6) {
		a = ((const struct sockaddr_in6 *)peer)->sin6_addr;
	} else if (peer->ss_family == AF_INET) {
		a.s6_addr[10] = a.s6_addr[11] = 0xff;
		memcpy(&a.s6_addr[12], &((const struct sockaddr_in *)peer)->sin_addr, 4);
	}
	return a;
}

static unsigned hash_addr(const struct in6_addr *a)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (int i = 0; i < 16; i++)
		h = (h ^ a->s6_addr[i]) * 1099511628211ULL;
	return (unsigned)(h ^ (h >> 32));
}

static struct client_slot *find_or_claim(struct client_stats *st, const struct in6_addr *a)
{
	for (unsigned i = hash_addr(a), probes = 0; probes <= st->mask; i++, probes++) {
		struct client_slot *s = &st->slot[i & st->mask];
		unsigned state = atomic_load(&s->state);
		if (state == SLOT_EMPTY) {
			unsigned expect = SLOT_EMPTY;
			if (atomic_compare_exchange_strong(&s->state, &expect, SLOT_CLAIMED)) {
				s->addr = *a;
				atomic_store(&s->state, SLOT_READY);
				return s;
			}
			state = expect;
		}
		while (state == SLOT_CLAIMED) { /* another writer is filling it in */
			sched_yield();
			state = atomic_load(&s->state);
		}
		if (memcmp(&s->addr, a, sizeof(*a)) == 0)
			return s;
	}
	return NULL;
}

void client_stats_add(struct client_stats *st, const struct sockaddr_storage *peer,
		      uint64_t requests, uint64_t bytes_in, uint64_t bytes_out)
{
	struct in6_addr a = peer_key(peer);
	struct client_slot *s = find_or_claim(st, &a);

	if (!s) {
		atomic_fetch_add(&st->overflow, 1);
		return;
	}
	atomic_fetch_add(&s->requests, requests);
	atomic_fetch_add(&s->bytes_in, bytes_in);
	atomic_fetch_add(&s->bytes_out, bytes_out);
}

static void addr_text(const struct in6_addr *a, char *buf, size_t len)
{
	if (IN6_IS_ADDR_V4MAPPED(a))
		inet_ntop(AF_INET, &a->s6_addr[12], buf, (socklen_t)len);
	else
		inet_ntop(AF_INET6, a, buf, (socklen_t)len);
}

static int write_rows(FILE *f, const struct client_stats *st)
{
	char host[INET6_ADDRSTRLEN];

	fprintf(f, "address,requests,bytes_in,bytes_out\n");
	for (unsigned i = 0; i <= st->mask; i++) {
		const struct client_slot *s = &st->slot[i];
		if (atomic_load(&s->state) != SLOT_READY)
			continue;
		addr_text(&s->addr, host, sizeof(host));
		fprintf(f, "%s,%llu,%llu,%llu\n", host,
			(unsigned long long)atomic_load(&s->requests),
			(unsigned long long)atomic_load(&s->bytes_in),
			(unsigned long long)atomic_load(&s->bytes_out));
	}
	if (atomic_load(&st->overflow))
		fprintf(f, "overflow,%llu,0,0\n", (unsigned long long)atomic_load(&st->overflow));
	return ferror(f) ? -1 : 0;
}

int client_stats_write_csv(const struct client_stats *st, const char *path)
{
	struct afile a;

	if (afile_open(&a, path) < 0)
		return -1;
	return afile_close(&a, write_rows(a.f, st) == 0);
}

void client_stats_totals(const struct client_stats *st, uint64_t *clients, uint64_t *requests)
{
	*clients = *requests = 0;
	for (unsigned i = 0; i <= st->mask; i++) {
		if (atomic_load(&st->slot[i].state) != SLOT_READY)
			continue;
		(*clients)++;
		*requests += atomic_load(&st->slot[i].requests);
	}
}
