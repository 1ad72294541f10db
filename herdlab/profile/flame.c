/* SPDX-License-Identifier: MIT */
/*
 * flame.c - the flame graph (flame.h).
 *
 * The layout needs no tree: folded stacks sorted by their text put every
 * caller's callees next to each other, so one pass over the lines, keeping the
 * open frame at each depth, finds where each frame starts and ends. A frame at
 * depth d is open while consecutive lines share the first d + 1 frames; its
 * width is the sum of their counts.
 */
#include "profile/flame.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "vec.h"

#define WIDTH	   1200.0 /* the graph, in pixels */
#define ROW	   16	  /* one frame's height */
#define PAD_TOP	   36	  /* the title */
#define PAD_SIDE   10
#define MIN_WIDTH  0.1 /* narrower frames are left out, as flamegraph.pl does */
#define CHAR_WIDTH 6.6 /* of the 11 px sans-serif */
#define MAX_DEPTH  300 /* frames per stack followed (kernel + user + the root's) */

/* The frame at depth @d of @stack: its start and length, or NULL past the leaf. */
static const char *frame_at(const char *stack, int d, size_t *len)
{
	const char *p = stack;

	for (int i = 0; i < d; i++) {
		if (!(p = strchr(p, ';')))
			return NULL;
		p++;
	}
	const char *end = strchr(p, ';');
	*len = end ? (size_t)(end - p) : strlen(p);
	return p;
}

/* Whether the first @d + 1 frames of @a and @b are the same. */
static int same_prefix(const char *a, const char *b, int d)
{
	for (int seps = 0;; a++, b++) {
		int ea = !*a || *a == ';', eb = !*b || *b == ';';
		if (!ea && !eb) {
			if (*a != *b)
				return 0;
			continue;
		}
		if (!ea || !eb)
			return 0; /* one frame is longer */
		if (seps++ == d)
			return 1;
		if (!*a || !*b)
			return 0; /* a stack ended before d + 1 frames */
	}
}

ssize_t flame_layout(const struct folded *f, double width, struct flame_rect **out)
{
	struct vec v = VEC_INIT(struct flame_rect);
	double scale = f->total ? width / (double)f->total : 0, x = 0;
	size_t n = f->stacks.len;

	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct folded_stack *s = vec_at(&f->stacks, i);
		const struct folded_stack *prev = i ? vec_at(&f->stacks, i - 1) : NULL;
		for (int d = 0; d < MAX_DEPTH; d++) {
			size_t len;
			const char *name = frame_at(s->stack, d, &len);
			if (!name)
				break;
			if (prev && same_prefix(prev->stack, s->stack, d))
				continue; /* opened by an earlier line */
			uint64_t count = 0;
			for (size_t j = i; j < n; j++) {
				const struct folded_stack *t = vec_at(&f->stacks, j);
				if (j > i && !same_prefix(s->stack, t->stack, d))
					break;
				count += t->count;
			}
			struct flame_rect *r = vec_push(&v);
			if (!r) {
				vec_free(&v);
				return -ENOMEM;
			}
			/* a frame starts where the first of its lines starts */
			*r = (struct flame_rect){ name, len, d, x, (double)count * scale, count };
		}
		x += (double)s->count * scale;
	}
	size_t k;
	*out = vec_take(&v, &k);
	return (ssize_t)k;
}

/* ---- drawing ---------------------------------------------------------------------------- */

static uint32_t hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

static int is_kernel(const char *name, size_t len)
{
	return len >= 4 && !memcmp(name + len - 4, "_[k]", 4);
}

/* @len bytes of @s, XML-escaped, at most @max characters ("..": cut). */
static void put_text(FILE *out, const char *s, size_t len, size_t max)
{
	size_t n = len <= max ? len : max > 2 ? max - 2 : 0;

	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			fputc(s[i], out);
		}
	}
	if (n < len)
		fputs("..", out);
}

static int max_depth(const struct flame_rect *r, size_t n)
{
	int d = 0;

	for (size_t i = 0; i < n; i++)
		d = r[i].depth > d ? r[i].depth : d;
	return d;
}

int flame_svg(FILE *out, const struct folded *f, const char *title)
{
	struct flame_rect *r;
	ssize_t n = flame_layout(f, WIDTH, &r);

	if (n < 0)
		return -1;
	int rows = max_depth(r, (size_t)n) + 1;
	double height = PAD_TOP + rows * ROW + 24;
	fprintf(out,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"11\">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"#f8f8f8\"/>\n"
		"<text x=\"%.0f\" y=\"20\" text-anchor=\"middle\" font-size=\"15\">",
		WIDTH + 2 * PAD_SIDE, height, WIDTH + 2 * PAD_SIDE, height, WIDTH / 2 + PAD_SIDE);
	put_text(out, title, strlen(title), 200);
	fprintf(out,
		"</text>\n<text x=\"%d\" y=\"%.0f\" fill=\"#555\">%" PRIu64
		" samples; hover a frame for its share. Warm: user code; blue: kernel "
		"(_[k]).</text>\n",
		PAD_SIDE, height - 8, f->total);
	for (ssize_t i = 0; i < n; i++) {
		if (r[i].w < MIN_WIDTH)
			continue;
		uint32_t h = hash(r[i].name, r[i].name_len);
		int k = is_kernel(r[i].name, r[i].name_len);
		/* kernel: blues and teals; user: reds to yellows */
		int red = k ? 40 + (int)(h % 60) : 205 + (int)(h % 50);
		int green = k ? 120 + (int)((h >> 8) % 80) : 60 + (int)((h >> 8) % 150);
		int blue = k ? 190 + (int)((h >> 16) % 60) : 30 + (int)((h >> 16) % 40);
		double y = PAD_TOP + (rows - 1 - r[i].depth) * ROW;
		fputs("<g><title>", out);
		put_text(out, r[i].name, r[i].name_len, r[i].name_len);
		fprintf(out, " (%" PRIu64 " samples, %.2f%%)</title>", r[i].count,
			100.0 * (double)r[i].count / (double)f->total);
		fprintf(out,
			"<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%d\" "
			"fill=\"rgb(%d,%d,%d)\" rx=\"2\"/>",
			PAD_SIDE + r[i].x, y, r[i].w, ROW - 1, red, green, blue);
		size_t fit = r[i].w > 12 ? (size_t)((r[i].w - 6) / CHAR_WIDTH) : 0;
		if (fit >= 3) {
			fprintf(out, "<text x=\"%.1f\" y=\"%.0f\">", PAD_SIDE + r[i].x + 3,
				y + ROW - 4);
			put_text(out, r[i].name, r[i].name_len, fit);
			fputs("</text>", out);
		}
		fputs("</g>\n", out);
	}
	free(r);
	fputs("</svg>\n", out);
	return ferror(out) ? -1 : 0;
}
