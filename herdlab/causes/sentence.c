/* SPDX-License-Identifier: MIT */
/*
 * sentence.c - what made the slowest 1% slow, in words chosen by the numbers.
 *
 * The slowest 1% and the median requests' mean causes (run.json causes.slowest
 * and causes.median) are compared part by part: the part that grew most (the
 * accept queue or the server), then, within it, the cause that grew most,
 * each said with its phrase from the table below. Where the cause is a queue
 * behind other tasks, the count that explains it (wakeups, preemptions) follows.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "causes/causes.h"
#include "metrics/keys.h"

/* A part of the latency, and the causes it is cut into. */
static const struct part {
	enum cause whole;
	const char *where; /* "more in the accept queue" */
	enum cause sub[7];
	size_t nsub;
} parts[] = {
	{ CAUSE_QUEUE,
	  "in the accept queue",
	  { CAUSE_CAPACITY, CAUSE_WOKEN_RUNQ, CAUSE_HERD, CAUSE_QUEUE_REST },
	  4 },
	{ CAUSE_SERVER,
	  "in the server",
	  { CAUSE_ONCPU, CAUSE_RUNQ, CAUSE_SLEEP, CAUSE_LOCK, CAUSE_SOCKET, CAUSE_BLOCKED_OTHER,
	    CAUSE_SERVER_REST },
	  7 },
};

static const struct phrase {
	enum cause cause;
	const char *words;
	enum cause count; /* a count that explains it (CAUSES: none) */
	const char *count_words;
} phrases[] = {
	{ CAUSE_CAPACITY, "passed with no worker idle (a capacity wait)", CAUSES, NULL },
	{ CAUSE_WOKEN_RUNQ, "were the woken worker's run-queue wait", CAUSE_WAKEUPS,
	  "woken workers per arrival" },
	{ CAUSE_HERD, "were lost to other workers woken for the same connection (the herd)",
	  CAUSE_WAKEUPS, "woken workers per arrival" },
	{ CAUSE_QUEUE_REST, "are not explained by the scheduling record", CAUSES, NULL },
	{ CAUSE_ONCPU, "were the serving task's own time on a CPU", CAUSES, NULL },
	{ CAUSE_RUNQ, "were the serving task's run-queue wait", CAUSE_INVOLUNTARY,
	  "involuntary switches" },
	{ CAUSE_SLEEP, "were spent asleep on a timer", CAUSES, NULL },
	{ CAUSE_LOCK, "were spent waiting for a lock", CAUSES, NULL },
	{ CAUSE_SOCKET, "were spent waiting on a socket", CAUSES, NULL },
	{ CAUSE_BLOCKED_OTHER, "were spent blocked elsewhere", CAUSES, NULL },
	{ CAUSE_SERVER_REST, "are not explained by the scheduling record", CAUSES, NULL },
};

static double num(const json_t *o, enum cause c)
{
	const json_t *v = json_object_get(o, causes_name(c));

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *dur(double usec, char *buf, size_t len)
{
	if (fabs(usec) >= 10000)
		snprintf(buf, len, "%.1f ms", usec / 1000);
	else if (fabs(usec) >= 1000)
		snprintf(buf, len, "%.2f ms", usec / 1000);
	else
		snprintf(buf, len, "%.0f us", usec);
	return buf;
}

bool causes_sentence(const json_t *causes, char *buf, size_t len)
{
	const json_t *slow = json_object_get(causes, "slowest");
	const json_t *med = json_object_get(causes, "median");
	char a[32], b[32], c[32];

	buf[0] = 0;
	if (!json_is_object(slow) || !json_is_object(med) || isnan(num(slow, CAUSE_TOTAL)))
		return false;
	double total = num(slow, CAUSE_TOTAL) - num(med, CAUSE_TOTAL);
	const struct part *p = &parts[0];
	for (size_t i = 1; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (num(slow, parts[i].whole) - num(med, parts[i].whole) >
		    num(slow, p->whole) - num(med, p->whole))
			p = &parts[i];
	double grew = num(slow, p->whole) - num(med, p->whole);
	if (!(total > 0) || !(grew > 0)) {
		snprintf(buf, len,
			 "The slowest 1%% took %s more than the median, but no more in the "
			 "accept queue or the server.",
			 dur(total > 0 ? total : 0, a, sizeof(a)));
		return true;
	}
	enum cause best = p->sub[0];
	for (size_t i = 1; i < p->nsub; i++)
		if (num(slow, p->sub[i]) - num(med, p->sub[i]) > num(slow, best) - num(med, best))
			best = p->sub[i];
	const struct phrase *ph = phrases;
	while (ph->cause != best)
		ph++;
	int n = snprintf(buf, len,
			 "The slowest 1%% took %s more than the median; %s of it %s, "
			 "of which %s %s",
			 dur(total, a, sizeof(a)), dur(grew, b, sizeof(b)), p->where,
			 dur(num(slow, best) - num(med, best), c, sizeof(c)), ph->words);
	if (n > 0 && (size_t)n < len && ph->count != CAUSES)
		n += snprintf(buf + n, len - (size_t)n, " (%.1f %s against %.1f)",
			      num(slow, ph->count), ph->count_words, num(med, ph->count));
	if (n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ".");
	return true;
}
