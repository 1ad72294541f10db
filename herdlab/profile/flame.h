/* SPDX-License-Identifier: MIT */
/*
 * flame.h - a flame graph of folded stacks, drawn as one static SVG.
 *
 * Every frame is a rectangle as wide as its share of the samples, stacked on
 * its caller (the root at the bottom, as flamegraph.pl draws it), with the
 * function's name written in it where it fits and its samples and share in a
 * <title>, which a browser shows on hover. Kernel frames ("_[k]") are drawn in
 * blues, user frames in warm colours, each name's shade fixed by a hash of the
 * name so that two graphs colour a function alike. No script, no font or
 * style sheet from elsewhere: the file reads the same offline.
 *
 *	flame_layout()  the rectangles, in the order drawn (what the tests check)
 *	flame_svg()     the whole document
 */
#ifndef HERD_PROFILE_FLAME_H
#define HERD_PROFILE_FLAME_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "profile/folded.h"

/* One frame on the graph. */
struct flame_rect {
	const char *name; /* the frame (points into the folded stacks) */
	size_t name_len;  /* its length */
	int depth;	  /* 0: the root's row */
	double x, w;	  /* from the left, and wide, in pixels */
	uint64_t count;	  /* samples in it and its callees */
};

/* The rectangles of @f (finished: sorted) on a graph @width pixels wide; how many, or -ENOMEM. */
ssize_t flame_layout(const struct folded *f, double width, struct flame_rect **out);

/* The flame graph of @f, titled @title, onto @out; 0, or -1 when writing failed. */
int flame_svg(FILE *out, const struct folded *f, const char *title);

#endif
