/* SPDX-License-Identifier: MIT */
/*
 * pngstat - is a screenshot blank? For the HTML report's browser test.
 *
 *	pngstat FILE.png   ->   "WIDTH HEIGHT INKED"
 *
 * INKED is the number of pixels that differ from the page's background (the
 * colour of the top-left pixel). Reads 8-bit RGB or RGBA, non-interlaced PNGs:
 * what headless Chromium writes. Exit 1 on anything else, with the reason.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static void fail(const char *why)
{
	fprintf(stderr, "pngstat: %s\n", why);
	exit(1);
}

static uint8_t paeth(uint8_t a, uint8_t b, uint8_t c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);

	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* Undo the per-row filters in place: @raw holds H rows of (1 filter byte + @stride). */
static void unfilter(uint8_t *raw, uint32_t h, size_t stride, int bpp)
{
	for (uint32_t y = 0; y < h; y++) {
		uint8_t *row = raw + y * (stride + 1), *cur = row + 1;
		uint8_t *prev = y ? raw + (y - 1) * (stride + 1) + 1 : NULL;
		for (size_t x = 0; x < stride; x++) {
			uint8_t a = x >= (size_t)bpp ? cur[x - bpp] : 0, b = prev ? prev[x] : 0;
			uint8_t c = prev && x >= (size_t)bpp ? prev[x - bpp] : 0;
			switch (row[0]) {
			case 0:
				break;
			case 1:
				cur[x] += a;
				break;
			case 2:
				cur[x] += b;
				break;
			case 3:
				cur[x] += (uint8_t)((a + b) / 2);
				break;
			case 4:
				cur[x] += paeth(a, b, c);
				break;
			default:
				fail("bad filter type");
			}
		}
	}
}

int main(int argc, char **argv)
{
	static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	uint8_t head[8], *idat = NULL;
	size_t nidat = 0;
	uint32_t w = 0, h = 0;
	int bpp = 0;
	FILE *f;

	if (argc != 2)
		fail("usage: pngstat FILE.png");
	if (!(f = fopen(argv[1], "rb")))
		fail("cannot open the file");
	if (fread(head, 1, 8, f) != 8 || memcmp(head, sig, 8))
		fail("not a PNG");
	for (;;) {
		uint32_t len;
		char type[5] = { 0 };
		if (fread(&len, 4, 1, f) != 1 || fread(type, 1, 4, f) != 4)
			fail("truncated");
		len = ntohl(len);
		uint8_t *data = malloc(len + 4);
		if (!data || fread(data, 1, len + 4, f) != len + 4) /* + CRC */
			fail("truncated chunk");
		if (!strcmp(type, "IHDR")) {
			w = ntohl(*(uint32_t *)data);
			h = ntohl(*(uint32_t *)(data + 4));
			if (data[8] != 8 || (data[9] != 2 && data[9] != 6) || data[12] != 0)
				fail("only 8-bit RGB/RGBA, non-interlaced");
			bpp = data[9] == 6 ? 4 : 3;
		} else if (!strcmp(type, "IDAT")) {
			idat = realloc(idat, nidat + len);
			if (!idat)
				fail("out of memory");
			memcpy(idat + nidat, data, len);
			nidat += len;
		} else if (!strcmp(type, "IEND")) {
			free(data);
			break;
		}
		free(data);
	}
	fclose(f);
	if (!w || !h || !bpp)
		fail("no image header");
	size_t stride = (size_t)w * (size_t)bpp;
	uLongf rawlen = (uLongf)((stride + 1) * h);
	uint8_t *raw = malloc(rawlen);
	if (!raw || uncompress(raw, &rawlen, idat, nidat) != Z_OK || rawlen != (stride + 1) * h)
		fail("bad image data");
	unfilter(raw, h, stride, bpp);
	const uint8_t *bg = raw + 1;
	unsigned long inked = 0;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			inked += memcmp(raw + y * (stride + 1) + 1 + (size_t)x * bpp, bg, 3) != 0;
	printf("%u %u %lu\n", w, h, inked);
	free(raw);
	free(idat);
	return 0;
}
