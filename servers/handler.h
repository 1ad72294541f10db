/* SPDX-License-Identifier: MIT */
/*
 * handler.h - what a request is answered with (the protocol of DESIGN.md).
 *
 *	GET /size/N	N bytes of the pattern (K, M suffixes), by sendfile
 *	GET /files/NAME	a file beneath --docroot (403 if the name leaves it, 404 if absent)
 *	GET /cpu/USEC	burn USEC microseconds of CPU, then answer
 *	GET /sleep/MSEC	answer after MSEC milliseconds (without blocking an event loop)
 *	POST /echo	the request body back
 *	GET /		a short index
 * HEAD works wherever GET does. Any other method: 405.
 */
#ifndef HERD_HANDLER_H
#define HERD_HANDLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conn;
struct server;

#define HANDLER_MAX_SIZE  (1ULL << 30) /* GET /size/N: up to 1 GiB */
#define HANDLER_MAX_CPU	  10000000ULL  /* GET /cpu/USEC: up to 10 s */
#define HANDLER_MAX_SLEEP 600000ULL    /* GET /sleep/MSEC: up to 10 min */

/* The request in c->req (and its body) is complete: prepare c->resp, enter WRITE or SLEEP. */
void handle_request(struct conn *c);
/* Answer @status (400, 408, 413, ...) and close the connection afterwards. */
void handle_error(struct conn *c, int status);

#endif
