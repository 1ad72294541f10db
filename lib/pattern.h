/* SPDX-License-Identifier: MIT */
/*
 * pattern.h - the bytes of GET /size/N.
 *
 * Byte i of every /size response is PATTERN_ALPHABET[i % PATTERN_PERIOD]: easy to
 * check from a shell (`yes ALPHABET | tr -d '\n' | head -c N`) and by herdload,
 * and cheap to serve: the server keeps PATTERN_BLOCK bytes of it in one memfd
 * (a whole number of periods) and sends any length from there with sendfile.
 */
#ifndef HERD_PATTERN_H
#define HERD_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PATTERN_ALPHABET "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#define PATTERN_PERIOD	 62u
#define PATTERN_BLOCK	 (PATTERN_PERIOD * 16384u) /* 1,015,808 bytes */

/* Fill @buf with the pattern bytes at stream offsets [@offset, @offset + @len). */
void pattern_fill(char *buf, size_t len, uint64_t offset);
/* Whether @buf equals the pattern at @offset. */
bool pattern_check(const char *buf, size_t len, uint64_t offset);

#endif
