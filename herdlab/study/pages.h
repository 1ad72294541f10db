/* SPDX-License-Identifier: MIT */
/*
 * pages.h - one experiment's page as it is being written (pages.c, tables.c).
 *
 * A page is rendered twice, Markdown then HTML, from the same calls; the first
 * rendering also fills study.json's record of it (@results, @sentences), the
 * second leaves them NULL.
 */
#ifndef HERD_STUDY_PAGES_H
#define HERD_STUDY_PAGES_H

#include <jansson.h>

#include "report/doc.h"
#include "study/study.h"

struct page {
	const struct study *s;
	const struct study_experiment *e;
	struct doc *d;
	enum doc_format fmt;
	json_t *results;   /* the tables (an array), or NULL: not recorded */
	json_t *sentences; /* every sentence said, or NULL */
	json_t *pending;   /* the numbers quoted by the sentence being made */
	const char *section;
};

/* tables.c: study table @t (the @ti'th of its experiment): theirs, ours, the comparison. */
void page_table(struct page *p, const struct study_table *t, int ti);

#endif
