/*
 * interleave: copies a drain from stdin to stdout and puts one Stdout frame
 * of -s bytes (default 4096) after every frame, for the benchmarks.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../lib/frame.h"
#include "../lib/tag.h"
#include "testsup.h"

#define TAG_SOUT 0x534F5554u

static void
copy(size_t len, unsigned char *buf)
{
	if (len > 0 && fread(buf, 1, len, stdin) != len)
		errx(2, "short drain");
	if (len > 0 && fwrite(buf, 1, len, stdout) != len)
		err(2, "write");
}

int
main(int argc, char **argv)
{
	unsigned char hdr[FRAME_HDR_SIZE], *buf, *text;
	struct frame f;
	size_t size = 4096, i;
	uint32_t crc;
	int ch;

	while ((ch = getopt(argc, argv, "s:")) != -1) {
		if (ch != 's')
			errx(2, "usage: interleave [-s size] <drain >drain");
		size = (size_t)ts_optnum(ch, optarg, 0, 1 << 20);
	}
	if ((buf = malloc(1u << 20)) == NULL || (text = malloc(size)) == NULL)
		err(2, NULL);
	for (i = 0; i < size; i++)
		text[i] = i % 64 == 63 ? '\n' : 'a' + i % 26;
	crc = (uint32_t)crc32(0, text, (uInt)size);
	while (fread(hdr, 1, sizeof(hdr), stdin) == sizeof(hdr)) {
		fwrite(hdr, 1, sizeof(hdr), stdout);
		frame_decode(hdr, &f);
		while (f.len > 0) {
			size_t n = f.len < (1u << 20) ? f.len : 1u << 20;

			copy(n, buf);
			f.len -= (uint32_t)n;
		}
		frame_encode(hdr, TAG_SOUT, (uint32_t)size, crc, 0);
		fwrite(hdr, 1, sizeof(hdr), stdout);
		fwrite(text, 1, size, stdout);
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		err(2, "write");
	return 0;
}
