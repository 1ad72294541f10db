/* SPDX-License-Identifier: MIT */
/*
 * doc.h - one document, three renderings: plain text, Markdown and HTML.
 *
 * The report and compare commands say what they have to say once, in calls
 * to this small writer (headings, paragraphs, tables, figures), and the writer
 * renders it for the terminal, for a Markdown file or as one self-contained
 * HTML page. Tables are held until they end, so that text columns line up.
 *
 *	struct doc *d = doc_open(stdout, DOC_TEXT, "herdlab report: prefork");
 *	doc_heading(d, "Accept wakeups");
 *	doc_table(d, "lr", "metric", "value");
 *	doc_cell(d, false, "herd factor");
 *	doc_cell(d, true, "%.2f", 7.96);     (true: mark it, the best of its column)
 *	doc_table_end(d);
 *	doc_figure(d, "run/plots/wakeups.svg", "plots/wakeups.svg", "Wakeups per connection");
 *	doc_close(d);
 */
#ifndef HERD_DOC_H
#define HERD_DOC_H

#include <stdbool.h>
#include <stdio.h>

enum doc_format {
	DOC_TEXT, /* aligned columns for a terminal */
	DOC_MD,	  /* GitHub-flavoured Markdown */
	DOC_HTML, /* one page, its figures inline */
};

/* "text", "md" or "html" into @fmt; -1 for anything else. */
int doc_format_parse(const char *name, enum doc_format *fmt);

struct doc;

/* Start a document on @f with its title; NULL when out of memory. */
struct doc *doc_open(FILE *f, enum doc_format fmt, const char *title);

/* End it (the HTML footer), free it; 0, or -1 if writing @f failed. */
int doc_close(struct doc *d);

void doc_heading(struct doc *d, const char *title);
void doc_para(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A table: @align has one letter per column, 'l' or 'r'; the column heads
 * follow, as many as letters. Then cells row by row (a row ends after as many
 * cells as columns), then doc_table_end() renders it.
 */
void doc_table(struct doc *d, const char *align, ...);
void doc_cell(struct doc *d, bool mark, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void doc_table_end(struct doc *d);

/*
 * A figure: the SVG at @file, captioned. Text shows the caption and @link;
 * Markdown links the image by @link (relative to the document); HTML puts the
 * SVG itself in the page, so the page stands alone.
 */
void doc_figure(struct doc *d, const char *file, const char *link, const char *caption);

#endif
