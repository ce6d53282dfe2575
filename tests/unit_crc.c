/*
 * Unit tests for lib/crc.c, printed as TAP: crc_update() gives zlib's
 * crc32() for every length from 0 to 4 KiB at 16 alignments, for long
 * buffers, from any starting value, and for a buffer fed in pieces.
 */
#include <stdlib.h>
#include <zlib.h>

#include "../lib/crc.h"

#define TAP_NAME "unit_crc"
#include "tap.h"

#define BUF	(1u << 20)

int
main(void)
{
	unsigned char *b;
	size_t i, len, off, bad = 0, cut;
	uint32_t seed = 0x12345678, c;

	if ((b = malloc(BUF + 16)) == NULL)
		return 2;
	for (i = 0; i < BUF + 16; i++) {
		seed = seed * 1103515245u + 12345u;
		b[i] = (unsigned char)(seed >> 16);
	}
	for (len = 0; len <= 4096; len++)
		for (off = 0; off < 16; off++)
			if (crc_update(0, b + off, len) !=
			    (uint32_t)crc32(0, b + off, (uInt)len))
				bad++;
	ok(bad == 0, "every length to 4 KiB at 16 alignments, as zlib");
	bad = 0;
	for (i = 0; i < 64; i++) {
		seed = seed * 1103515245u + 12345u;
		len = seed % BUF;
		if (crc_update(seed, b + i % 16, len) !=
		    (uint32_t)crc32(seed, b + i % 16, (uInt)len))
			bad++;
	}
	ok(bad == 0, "long buffers from any starting value, as zlib");
	bad = 0;
	for (cut = 0; cut < 200; cut += 7) {
		c = crc_update(0, b, cut);
		c = crc_update(c, b + cut, BUF - cut);
		if (c != (uint32_t)crc32(0, b, BUF))
			bad++;
	}
	ok(bad == 0, "a buffer fed in two pieces, as in one");
	free(b);
	return tap_done();
}
