/* SPDX-License-Identifier: MIT */
/*
 * doc.c - the document writer (doc.h).
 *
 * Markers: a marked cell is the best of its column; text appends " *",
 * Markdown makes it bold, HTML a <strong>. HTML escapes every string it is
 * given; Markdown escapes the table separator.
 */
#include "report/doc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"

#define MAX_COLS   24
#define TEXT_WIDTH 100 /* paragraphs wrap here in text */

struct doc {
	FILE *f;
	enum doc_format fmt;
	bool failed; /* out of memory somewhere: doc_close says so */
	/* the table being built */
	int ncols;
	char align[MAX_COLS]; /* 'l' or 'r' */
	char **cells;	      /* row-major, heads first */
	bool *marks;
	size_t ncells, cap;
};

int doc_format_parse(const char *name, enum doc_format *fmt)
{
	static const char *const names[] = { "text", "md", "html" };

	for (int i = 0; i < 3; i++)
		if (!strcmp(name, names[i])) {
			*fmt = (enum doc_format)i;
			return 0;
		}
	return -1;
}

/* @s with HTML's special characters escaped. */
static void put_html(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static const char css[] =
	"body{font:15px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;"
	"color:#1b1b1b}h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.8em;"
	"border-bottom:1px solid #ddd}table{border-collapse:collapse;margin:.8em 0}"
	"th,td{padding:.25em .7em;border-bottom:1px solid #e4e4e4}th{background:#f4f4f4}"
	"td.r,th.r{text-align:right;font-variant-numeric:tabular-nums}"
	"figure{margin:1.2em 0}figure svg{width:100%;max-width:760px;height:auto}"
	"figcaption{color:#555;font-size:.9em}strong{color:#0a5}";

struct doc *doc_open(FILE *f, enum doc_format fmt, const char *title)
{
	struct doc *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->f = f;
	d->fmt = fmt;
	switch (fmt) {
	case DOC_TEXT:
		fprintf(f, "%s\n", title);
		for (size_t i = strlen(title); i > 0; i--)
			fputc('=', f);
		fputc('\n', f);
		break;
	case DOC_MD:
		fprintf(f, "# %s\n", title);
		break;
	case DOC_HTML:
		fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>",
		      f);
		put_html(f, title);
		fprintf(f, "</title><style>%s</style></head>\n<body>\n<h1>", css);
		put_html(f, title);
		fputs("</h1>\n", f);
		break;
	}
	return d;
}

int doc_close(struct doc *d)
{
	int rc;

	if (d->ncells)
		doc_table_end(d);
	if (d->fmt == DOC_HTML)
		fputs("</body></html>\n", d->f);
	rc = d->failed || fflush(d->f) || ferror(d->f) ? -1 : 0;
	free(d);
	return rc;
}

void doc_heading(struct doc *d, const char *title)
{
	switch (d->fmt) {
	case DOC_TEXT:
		fprintf(d->f, "\n%s\n", title);
		for (size_t i = strlen(title); i > 0; i--)
			fputc('-', d->f);
		fputc('\n', d->f);
		break;
	case DOC_MD:
		fprintf(d->f, "\n## %s\n", title);
		break;
	case DOC_HTML:
		fputs("<h2>", d->f);
		put_html(d->f, title);
		fputs("</h2>\n", d->f);
		break;
	}
}

/* Words of @s on lines of at most @width columns (a longer word gets its own line). */
static void wrap(FILE *f, const char *s, int width)
{
	int col = 0;

	while (*s) {
		while (*s == ' ')
			s++;
		int len = (int)strcspn(s, " ");
		if (!len)
			break;
		if (col && col + 1 + len > width) {
			fputc('\n', f);
			col = 0;
		}
		fprintf(f, "%s%.*s", col ? " " : "", len, s);
		col += (col ? 1 : 0) + len;
		s += len;
	}
	fputc('\n', f);
}

void doc_para(struct doc *d, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		d->failed = true;
		va_end(ap);
		return;
	}
	va_end(ap);
	if (d->fmt == DOC_HTML) {
		fputs("<p>", d->f);
		put_html(d->f, s);
		fputs("</p>\n", d->f);
	} else if (d->fmt == DOC_MD) {
		fprintf(d->f, "\n%s\n", s);
	} else {
		fputc('\n', d->f);
		wrap(d->f, s, TEXT_WIDTH);
	}
	free(s);
}

/* ---- tables ------------------------------------------------------------------------ */

static void add_cell(struct doc *d, char *s, bool mark)
{
	if (!s) {
		d->failed = true;
		return;
	}
	if (d->ncells == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		char **c = realloc(d->cells, cap * sizeof(*c));
		bool *m = c ? realloc(d->marks, cap * sizeof(*m)) : NULL;
		if (c)
			d->cells = c;
		if (!m) {
			free(s);
			d->failed = true;
			return;
		}
		d->marks = m;
		d->cap = cap;
	}
	d->marks[d->ncells] = mark;
	d->cells[d->ncells++] = s;
}

void doc_table(struct doc *d, const char *align, ...)
{
	va_list ap;

	if (d->ncells)
		doc_table_end(d);
	d->ncols = (int)strlen(align);
	if (d->ncols > MAX_COLS)
		d->ncols = MAX_COLS;
	memcpy(d->align, align, (size_t)d->ncols);
	va_start(ap, align);
	for (int i = 0; i < d->ncols; i++)
		add_cell(d, strdup(va_arg(ap, const char *)), false);
	va_end(ap);
}

void doc_cell(struct doc *d, bool mark, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	add_cell(d, s, mark);
}

/* Display width of a UTF-8 string: its code points (our cells hold no wide characters). */
static int width(const char *s)
{
	int w = 0;

	for (; *s; s++)
		w += (*s & 0xc0) != 0x80;
	return w;
}

/* Text columns @c0 and @from..@to-1 (the first column repeated: it names the rows). */
static void render_text_cols(struct doc *d, size_t rows, const int *w, int from, int to)
{
	fputc('\n', d->f);
	for (size_t r = 0; r < rows; r++) {
		for (int c = 0; c < to; c = c ? c + 1 : from) {
			size_t i = r * (size_t)d->ncols + (size_t)c;
			char cell[512];
			snprintf(cell, sizeof(cell), "%s%s", d->cells[i], d->marks[i] ? " *" : "");
			int pad = w[c] - width(cell);
			if (d->align[c] == 'r')
				fprintf(d->f, "%*s%s", pad, "", cell);
			else
				fprintf(d->f, "%s%*s", cell, c + 1 < to ? pad : 0, "");
			fputs(c + 1 < to ? "  " : "\n", d->f);
		}
		if (r == 0) {
			for (int c = 0; c < to; c = c ? c + 1 : from) {
				for (int k = 0; k < w[c]; k++)
					fputc('-', d->f);
				fputs(c + 1 < to ? "  " : "\n", d->f);
			}
		}
	}
}

/*
 * Aligned columns; a table wider than TEXT_WIDTH is cut into tables of as many
 * columns as fit, each with the first column again, so that a terminal of 100
 * columns shows it without wrapping.
 */
static void render_text(struct doc *d, size_t rows)
{
	int w[MAX_COLS] = { 0 };

	for (size_t i = 0; i < rows * (size_t)d->ncols; i++) {
		int c = (int)(i % (size_t)d->ncols), cw = width(d->cells[i]) + 2 * d->marks[i];
		w[c] = cw > w[c] ? cw : w[c];
	}
	for (int from = 1; from < d->ncols || from == 1;) {
		int to = from, used = w[0];
		while (to < d->ncols && (to == from || used + 2 + w[to] <= TEXT_WIDTH))
			used += 2 + w[to++];
		render_text_cols(d, rows, w, from, to);
		if (to <= from)
			break;
		from = to;
	}
}

static void render_md(struct doc *d, size_t rows)
{
	fputc('\n', d->f);
	for (size_t r = 0; r < rows; r++) {
		fputc('|', d->f);
		for (int c = 0; c < d->ncols; c++) {
			size_t i = r * (size_t)d->ncols + (size_t)c;
			fputc(' ', d->f);
			if (d->marks[i])
				fputs("**", d->f);
			for (const char *s = d->cells[i]; *s; s++)
				fputs(*s == '|' ? "\\|" : (char[]){ *s, 0 }, d->f);
			if (d->marks[i])
				fputs("**", d->f);
			fputs(" |", d->f);
		}
		fputc('\n', d->f);
		if (r == 0) {
			fputc('|', d->f);
			for (int c = 0; c < d->ncols; c++)
				fputs(d->align[c] == 'r' ? "---:|" : "---|", d->f);
			fputc('\n', d->f);
		}
	}
}

static void render_html(struct doc *d, size_t rows)
{
	fputs("<table>\n", d->f);
	for (size_t r = 0; r < rows; r++) {
		fputs("<tr>", d->f);
		for (int c = 0; c < d->ncols; c++) {
			size_t i = r * (size_t)d->ncols + (size_t)c;
			const char *tag = r == 0 ? "th" : "td";
			fprintf(d->f, "<%s class=\"%c\">%s", tag, d->align[c],
				d->marks[i] ? "<strong>" : "");
			put_html(d->f, d->cells[i]);
			fprintf(d->f, "%s</%s>", d->marks[i] ? "</strong>" : "", tag);
		}
		fputs("</tr>\n", d->f);
	}
	fputs("</table>\n", d->f);
}

void doc_table_end(struct doc *d)
{
	size_t rows =
		d->ncols ? d->ncells / (size_t)d->ncols : 0; /* a last partial row is dropped */

	if (rows) {
		if (d->fmt == DOC_TEXT)
			render_text(d, rows);
		else if (d->fmt == DOC_MD)
			render_md(d, rows);
		else
			render_html(d, rows);
	}
	for (size_t i = 0; i < d->ncells; i++)
		free(d->cells[i]);
	free(d->cells);
	free(d->marks);
	d->cells = NULL;
	d->marks = NULL;
	d->ncells = d->cap = 0;
	d->ncols = 0;
}

/* ---- figures ----------------------------------------------------------------------- */

/* Copy the SVG at @file into the page, from its <svg> element on (no XML prolog). */
static int inline_svg(FILE *out, const char *file)
{
	char *buf = files_read(file, NULL), *svg = buf ? strstr(buf, "<svg") : NULL;

	if (svg)
		fputs(svg, out);
	free(buf);
	return svg ? 0 : -1;
}

void doc_figure(struct doc *d, const char *file, const char *link, const char *caption)
{
	switch (d->fmt) {
	case DOC_TEXT:
		fprintf(d->f, "\n[plot] %s: %s\n", caption, link);
		break;
	case DOC_MD:
		fprintf(d->f, "\n![%s](%s)\n", caption, link);
		break;
	case DOC_HTML:
		fputs("<figure>\n", d->f);
		if (inline_svg(d->f, file) < 0) {
			fputs("<p>(plot missing: ", d->f);
			put_html(d->f, link);
			fputs(")</p>", d->f);
		}
		fputs("<figcaption>", d->f);
		put_html(d->f, caption);
		fputs("</figcaption></figure>\n", d->f);
		break;
	}
}
