/* SPDX-License-Identifier: MIT */
/* counters.c - the shared counters and their JSON (see counters.h). */
#include "counters.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>

#include "files.h"

static struct srv_counters private_block;
struct srv_counters *srv_counters = &private_block;

int counters_init(void)
{
	struct srv_counters *c =
		mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (c == MAP_FAILED)
		return -1;
	srv_counters = c; /* zeroed by mmap; nothing was counted before main() called us */
	return 0;
}

#define GET(field) ((unsigned long long)atomic_load(&c->field))

static void put_pool(FILE *f, const struct srv_counters *c)
{
	if (!c->pool) {
		fputs("  \"pool\": null\n", f);
		return;
	}
	fprintf(f,
		"  \"pool\": {\"start\": %llu, \"max_total\": %llu, \"forks\": %llu, "
		"\"recycled\": %llu, \"retired\": %llu, \"samples\": %llu}\n",
		(unsigned long long)c->pool_start, (unsigned long long)c->pool_max_total,
		(unsigned long long)c->pool_forks, (unsigned long long)c->pool_recycled,
		(unsigned long long)c->pool_retired, (unsigned long long)c->pool_samples);
}

int counters_write_json(const char *path, const char *send)
{
	const struct srv_counters *c = srv_counters;
	struct afile a;

	if (afile_open(&a, path) < 0)
		return -1;
	fprintf(a.f,
		"{\n  \"send\": \"%s\",\n  \"fd_setsize_refused\": %llu,\n  \"shed\": %llu,\n"
		"  \"shed_503\": %llu,\n  \"shed_emfile\": %llu,\n  \"fork_failures\": %llu,\n"
		"  \"thread_failures\": %llu,\n  \"workers_replaced\": %llu,\n"
		"  \"read_failures\": %llu,\n",
		send, GET(fd_setsize_refused), GET(shed_503) + GET(shed_emfile), GET(shed_503),
		GET(shed_emfile), GET(fork_failures), GET(thread_failures), GET(workers_replaced),
		GET(read_failures));
	put_pool(a.f, c);
	fputs("}\n", a.f);
	errno = 0;
	int ok = fflush(a.f) == 0 && !ferror(a.f);
	if (!ok && !errno)
		errno = EIO;
	return afile_close(&a, ok);
}
