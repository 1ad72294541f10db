/* SPDX-License-Identifier: MIT */
#include "pattern.h"

static const char alphabet[] = PATTERN_ALPHABET;

_Static_assert(sizeof(alphabet) - 1 == PATTERN_PERIOD, "PATTERN_PERIOD matches the alphabet");

void pattern_fill(char *buf, size_t len, uint64_t offset)
{
	unsigned k = (unsigned)(offset % PATTERN_PERIOD);

	for (size_t i = 0; i < len; i++) {
		buf[i] = alphabet[k];
		if (++k == PATTERN_PERIOD)
			k = 0;
	}
}

bool pattern_check(const char *buf, size_t len, uint64_t offset)
{
	unsigned k = (unsigned)(offset % PATTERN_PERIOD);

	for (size_t i = 0; i < len; i++) {
		if (buf[i] != alphabet[k])
			return false;
		if (++k == PATTERN_PERIOD)
			k = 0;
	}
	return true;
}
