/* SPDX-License-Identifier: MIT */
/* pool_log.c - prefork-dynamic's pool over time (see pool_log.h). */
#include "pool_log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "counters.h"
#include "files.h"

/* One change of the pool. */
struct pool_row {
	uint64_t t_ns;	       /* when the parent saw it */
	int idle, busy, total; /* the children then */
};

void pool_log_init(struct pool_log *l, const char *path, uint64_t t0)
{
	l->path = path;
	l->rows = VEC_INIT(struct pool_row);
	l->t0 = t0;
	l->idle = l->busy = l->total = -1;
}

void pool_log_note(struct pool_log *l, uint64_t now, int idle, int busy, int total)
{
	struct pool_row *r;

	if ((uint64_t)total > srv_counters->pool_max_total)
		srv_counters->pool_max_total = (uint64_t)total;
	if (idle == l->idle && busy == l->busy && total == l->total)
		return;
	l->idle = idle, l->busy = busy, l->total = total;
	if (!l->path || l->rows.len >= POOL_LOG_MAX || !(r = vec_push(&l->rows)))
		return;
	*r = (struct pool_row){ now, idle, busy, total };
	srv_counters->pool_samples = l->rows.len;
}

int pool_log_write(struct pool_log *l)
{
	struct afile a;

	if (!l->path)
		return 0;
	if (afile_open(&a, l->path) < 0)
		return -1;
	fputs("t_ns,t_s,idle,busy,total\n", a.f);
	for (size_t i = 0; i < l->rows.len; i++) {
		const struct pool_row *r = vec_at(&l->rows, i);
		fprintf(a.f, "%" PRIu64 ",%.6f,%d,%d,%d\n", r->t_ns,
			(double)(r->t_ns - l->t0) / 1e9, r->idle, r->busy, r->total);
	}
	errno = 0;
	int ok = fflush(a.f) == 0 && !ferror(a.f);
	if (!ok && !errno)
		errno = EIO;
	return afile_close(&a, ok);
}

void pool_log_free(struct pool_log *l)
{
	vec_free(&l->rows);
}
