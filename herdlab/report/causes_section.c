/* SPDX-License-Identifier: MIT */
/*
 * causes_section.c - the report's section on why the slow requests were slow
 * (run.json causes.* and wake_order.*, written by herdlab run --causes).
 *
 * First the sentence that compares the slowest 1% with the median request
 * (causes_sentence: chosen and filled by the numbers), then the table it is
 * made from (each cause's median, p99, and mean over the slowest 1% and
 * around the median), the wake order per wait kind, and the timeline when the
 * run drew one. A run without --causes has no section.
 */
#include <math.h>
#include <stdio.h>

#include "causes/causes.h"
#include "metrics/keys.h"
#include "report/sections.h"

static double field(const json_t *o, const char *name)
{
	const json_t *v = json_object_get(o, name);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void causes_table(struct doc *d, const json_t *causes)
{
	const json_t *stats = json_object_get(causes, "stats");
	const json_t *slow = json_object_get(causes, "slowest");
	const json_t *med = json_object_get(causes, "median");

	doc_table(d, "lrrrr", "cause (us; counts as they are)", "p50", "p99", "slowest 1%",
		  "median");
	for (int c = 0; c < CAUSES; c++) {
		const json_t *s = json_object_get(stats, causes_name(c));
		doc_cell(d, false, "%s", causes_name(c));
		doc_cell(d, false, "%.1f", field(s, MK_HIST_P50));
		doc_cell(d, false, "%.1f", field(s, MK_HIST_P99));
		doc_cell(d, false, "%.1f", field(slow, causes_name(c)));
		doc_cell(d, false, "%.1f", field(med, causes_name(c)));
	}
	doc_table_end(d);
}

static void wake_table(struct doc *d, const json_t *wo)
{
	const char *kind;
	const json_t *o;

	if (!json_is_object(wo) || !json_object_size(wo))
		return;
	doc_para(d, "Which idle worker each arrival woke first: its rank among the idle "
		    "workers by when they fell asleep (1 = the longest asleep, FIFO) and by "
		    "when they were created (the order pool workers register their waits).");
	doc_table(d, "lrrrrrrl", "wait", "arrivals", "idle", "FIFO", "LIFO", "first created",
		  "last created", "ranks 1..9+");
	json_object_foreach((json_t *)wo, kind, o)
	{
		char ranks[128] = "";
		size_t i, n = 0;
		json_t *r;
		json_array_foreach(json_object_get(o, MK_WO_RANKS), i, r) n +=
			(size_t)snprintf(ranks + n, n < sizeof(ranks) ? sizeof(ranks) - n : 0,
					 "%s%lld", i ? " " : "", (long long)json_integer_value(r));
		doc_cell(d, false, "%s", kind);
		doc_cell(d, false, "%.0f", field(o, MK_WO_ARRIVALS));
		doc_cell(d, false, "%.1f", field(o, MK_WO_MEAN_IDLE));
		doc_cell(d, false, "%.0f%%", 100 * field(o, MK_WO_FIFO_SHARE));
		doc_cell(d, false, "%.0f%%", 100 * field(o, MK_WO_LIFO_SHARE));
		doc_cell(d, false, "%.0f%%", 100 * field(o, MK_WO_CREATED_FIRST_SHARE));
		doc_cell(d, false, "%.0f%%", 100 * field(o, MK_WO_CREATED_LAST_SHARE));
		doc_cell(d, false, "%s", ranks);
	}
	doc_table_end(d);
}

void section_causes(struct doc *d, const struct rundir *rd)
{
	const json_t *causes = rundir_get(rd, MK_CAUSES);
	char words[512], file[PATH_MAX + 16];

	if (!json_is_object(causes))
		return;
	doc_heading(d, "Why the slow requests were slow");
	if (causes_sentence(causes, words, sizeof(words)))
		doc_para(d, "%s", words);
	doc_para(d,
		 "%.0f requests cut into causes from %.0f scheduling records (%.0f lost); "
		 "the first woken worker accepted %.0f%% of the connections that woke one. "
		 "Each request's row is in " CAUSES_CSV ".",
		 rundir_num(rd, MK_CAUSES_REQUESTS), rundir_num(rd, MK_CAUSES_RECORDS),
		 rundir_num(rd, MK_CAUSES_LOST_EVENTS),
		 100 * rundir_num(rd, MK_CAUSES_FIRST_WOKEN_ACCEPTED_SHARE));
	causes_table(d, causes);
	wake_table(d, rundir_get(rd, MK_WAKE_ORDER));
	if (rundir_get(rd, MK_CAUSES_TIMELINE) &&
	    snprintf(file, sizeof(file), "%s/timeline.svg", rd->path) < (int)sizeof(file))
		doc_figure(d, file, "timeline.svg",
			   "The timeline: server tasks' states, connections and the tasks each "
			   "arrival woke (timeline.json opens in Perfetto)");
}
