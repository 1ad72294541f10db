/* SPDX-License-Identifier: MIT */
/*
 * client_stats.h - --stats FILE: requests and bytes per client address (seed 003).
 *
 * One table in shared memory, mapped before any worker is forked, so every
 * process and thread of a model adds to the same counters with atomic operations
 * and no lock; the process that started the server writes the CSV at shutdown.
 */
#ifndef HERD_CLIENT_STATS_H
#define HERD_CLIENT_STATS_H

#include <stdint.h>
#include <sys/socket.h>

struct client_stats;

/* Room for @capacity distinct client addresses; beyond that, counted as overflow. */
struct client_stats *client_stats_create(unsigned capacity);
void client_stats_destroy(struct client_stats *st);

void client_stats_add(struct client_stats *st, const struct sockaddr_storage *peer,
		      uint64_t requests, uint64_t bytes_in, uint64_t bytes_out);

/*
 * "address,requests,bytes_in,bytes_out" rows, through files.h's afile: a regular
 * file (or a new name) appears whole or not at all; a device or FIFO is written
 * into, never replaced. 0, or -1 with errno (ENOSPC from /dev/full).
 */
int client_stats_write_csv(const struct client_stats *st, const char *path);

/* Totals over all addresses (tests and the shutdown log line). */
void client_stats_totals(const struct client_stats *st, uint64_t *clients, uint64_t *requests);

#endif
