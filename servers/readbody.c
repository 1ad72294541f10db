/* SPDX-License-Identifier: MIT */
/* readbody.c - --send read (see readbody.h). */
#include "readbody.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "conn.h"
#include "counters.h"
#include "pattern.h"

/* @len bytes of @fd from its start into @buf; a pattern wraps at PATTERN_BLOCK. 0 or -1. */
static int read_all(int fd, char *buf, uint64_t len, bool pattern)
{
	uint64_t done = 0;

	while (done < len) {
		uint64_t at = pattern ? done % PATTERN_BLOCK : done;
		uint64_t want = len - done;
		if (pattern && want > PATTERN_BLOCK - at)
			want = PATTERN_BLOCK - at;
		if (want > (1u << 30))
			want = 1u << 30;
		ssize_t n = pread(fd, buf + done, (size_t)want, (off_t)at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1; /* an error, or a file that shrank */
		done += (uint64_t)n;
	}
	return 0;
}

int readbody_into_memory(struct response *r)
{
	char *buf;

	if (r->fd < 0 || r->body_len == 0)
		return 0; /* nothing from a file: a HEAD, an empty body, a body in memory */
	buf = malloc(r->body_len);
	if (!buf || read_all(r->fd, buf, r->body_len, r->pattern) < 0) {
		free(buf);
		buf = NULL;
		COUNT(read_failures);
	}
	if (r->fd_owned)
		close(r->fd);
	r->fd = -1;
	r->fd_owned = false;
	r->pattern = false;
	r->mem = buf;
	r->mem_owned = buf;
	return buf ? 0 : -1;
}
