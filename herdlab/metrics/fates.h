/* SPDX-License-Identifier: MIT */
/*
 * fates.h - the fates of connections, made sense of: run.json's trace.fates,
 * the join's failures by error kind, and each failure's fate in a sentence.
 *
 * The tracer counts, by client address:port, what happened on the rare paths of
 * a connection (herd.h's struct herd_fate); herdload says which requests failed
 * and how (requests.csv's error). join_failures() (join.h) matches the two;
 * this file says what the match means, from counts only, so that the report,
 * run.json and a test read the same words.
 */
#ifndef HERD_METRICS_FATES_H
#define HERD_METRICS_FATES_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#include "metrics/csv.h"
#include "trace.h"

/* Mark each of @r's fates accepted when a connection of its client (conns) was accepted while
 * its events happened. */
void fates_mark_accepted(struct trace_result *r);

/* run.json's trace.fates (keys.h's MK_FATES_*): the counts over every client; NULL on ENOMEM. */
json_t *fates_json(const struct trace_result *r);

/*
 * Failed request @r's fate @f (NULL: none found) in a sentence from the counts, into
 * @buf: "connect_timeout: 3 SYNs sent again unanswered (dropped at a full queue),
 * connect timed out after 7 s". Returns @buf.
 */
const char *fates_sentence(const struct client_req *r, const struct herd_fate *f, char *buf,
			   size_t len);

/*
 * The join's failures into @root (run.json's full names, under "join"): join.failed,
 * join.failed_matched, join.failed_unmatched and, by error kind, join.fates_by_error.KIND
 * (requests, matched, the fates' counts summed, and one failure's sentence). @fmatch is
 * join_failures()'s. 0, or -1 on ENOMEM.
 */
int fates_join_json(json_t *root, const struct client_req *reqs, size_t n,
		    const struct trace_fate *fates, const ssize_t *fmatch);

#endif
