/* SPDX-License-Identifier: MIT */
/*
 * fates_section.c - the report's "Fates of connections": what the kernel did to
 * the connections that went wrong (drops, retransmitted handshakes, resets),
 * and, for each kind of client error, how many were found and one of them in a
 * sentence.
 *
 * Everything comes from run.json (trace.fates.*, join.fates_by_error.*), which
 * metrics/fates.c wrote from fates.csv's counts and the join of the failures, so
 * the report says exactly what run.json says, in every format (doc.h).
 */
#include <jansson.h>

#include "metrics/keys.h"
#include "report/sections.h"

#define T(key) MK_DOT(MK_TRACE, key)
#define N(a)   (sizeof(a) / sizeof((a)[0]))

static const struct report_row fate_rows[] = {
	{ "handshake segments dropped", T(MK_FATES_SYN_DROPS), 0 },
	{ "... SYNs sent again, unanswered", T(MK_DOT(MK_FATES_SYN_DROPS_BY_REASON, "unanswered")),
	  0 },
	{ "... SYNs dropped, nothing listening",
	  T(MK_DOT(MK_FATES_SYN_DROPS_BY_REASON, "NO_SOCKET")), 0 },
	{ "... ACKs dropped at a full accept queue",
	  T(MK_DOT(MK_FATES_SYN_DROPS_BY_REASON, "LISTEN_OVERFLOW")), 0 },
	{ "SYN-ACKs sent again", T(MK_FATES_SYNACK_RETRANSMITS), 0 },
	{ "resets sent by the server side", T(MK_FATES_RESETS_SENT), 0 },
	{ "resets received from clients", T(MK_FATES_RESETS_RECEIVED), 0 },
	{ "closes with the request unread", T(MK_FATES_CLOSED_UNREAD), 0 },
	{ "clients with a fate", T(MK_FATES_CONNECTIONS), 0 },
	{ "... of them accepted all the same", T(MK_FATES_ACCEPTED), 0 },
	{ "failed requests", MK_JOIN_FAILED, 0 },
	{ "... joined to their fate", MK_JOIN_FAILED_MATCHED, 0 },
};

void section_fates(struct doc *d, const struct rundir *rd)
{
	json_t *by = rundir_get(rd, MK_JOIN_FATES_BY_ERROR), *absent;
	const char *kind;
	json_t *k;

	if (!rundir_get(rd, T(MK_FATES)))
		return; /* a run from before the fates were counted */
	doc_heading(d, "Fates of connections");
	doc_table(d, "lr", "metric", "value");
	report_rows(d, rd, fate_rows, N(fate_rows));
	doc_table_end(d);
	json_object_foreach(by, kind, k)
	{
		doc_para(d, "%s: %lld requests, %lld joined to their fate. For example, %s.", kind,
			 (long long)json_integer_value(json_object_get(k, MK_FE_REQUESTS)),
			 (long long)json_integer_value(json_object_get(k, MK_FE_MATCHED)),
			 json_string_value(json_object_get(k, MK_FE_EXAMPLE))
				 ? json_string_value(json_object_get(k, MK_FE_EXAMPLE))
				 : "none was found");
	}
	absent = rundir_get(rd, T(MK_FATES_ABSENT));
	if (json_array_size(absent))
		doc_para(d,
			 "This kernel lacks %zu of the fates' tracepoints (the first: %s): "
			 "what they count is not seen.",
			 json_array_size(absent), json_string_value(json_array_get(absent, 0)));
	doc_para(d, "A SYN dropped at a full accept or SYN queue has no drop reason on any kernel: "
		    "it shows as the client's SYN sent again. Syncookies sent and validated are "
		    "not seen by any tracepoint: the network namespace's counters have them.");
}
