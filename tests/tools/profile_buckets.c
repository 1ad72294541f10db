/* SPDX-License-Identifier: MIT */
/*
 * profile_buckets.c - folded stacks on stdin ("frame;frame count" lines) ->
 * the samples of each bucket, by herdlab's own rules (herdlab/profile/buckets.c,
 * compiled in): "KEY SAMPLES" per bucket, then "total SAMPLES". The profile test
 * classifies perf script's stacks with it, so that perf and herdlab are
 * compared bucket by bucket under the same table.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../herdlab/profile/buckets.c"

int main(void)
{
	uint64_t samples[NBUCKETS] = { 0 }, total = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	while ((len = getline(&line, &cap, stdin)) > 0) {
		char *sp = strrchr(line, ' ');
		if (!sp)
			continue;
		uint64_t n = strtoull(sp + 1, NULL, 10);
		samples[bucket_of_folded(line, (size_t)(sp - line))] += n;
		total += n;
	}
	free(line);
	for (int b = 0; b < NBUCKETS; b++)
		printf("%s %llu\n", bucket_key(b), (unsigned long long)samples[b]);
	printf("total %llu\n", (unsigned long long)total);
	return 0;
}
