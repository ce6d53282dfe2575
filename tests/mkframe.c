/*
 * mkframe: writes one drain frame, its 16-byte header and then the payload
 * read from FILE or standard input, to standard output. The suites use it
 * to build dumps, and its options make headers that lie about the length,
 * the CRC or the pad.
 */
#include <err.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../lib/err.h"
#include "../lib/frame.h"
#include "../lib/tag.h"
#include "testsup.h"

/* Test payloads stay small; this only keeps a runaway input bounded. */
#define PAYLOAD_MAX	((size_t)1 << 30)

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: mkframe [-t tag] [-l len] [-c crc | -C] "
	    "[-p pad] [file]\n");
	exit(2);
}

static uint32_t
crc_of(const unsigned char *p, size_t len)
{
	uLong crc = crc32(0L, Z_NULL, 0);
	size_t n;

	while (len > 0) {
		n = len > UINT_MAX ? UINT_MAX : len;
		crc = crc32(crc, p, (uInt)n);
		p += n;
		len -= n;
	}
	return (uint32_t)crc;
}

int
main(int argc, char **argv)
{
	struct wperr e;
	unsigned char hdr[FRAME_HDR_SIZE], *payload;
	const char *name = "<stdin>";
	char ebuf[256];
	uint32_t type = TAG_WPRF, len = 0, crc = 0, pad = 0;
	int ch, fd = STDIN_FILENO, lflag = 0, cflag = 0, Cflag = 0;
	size_t plen;

	while ((ch = getopt(argc, argv, "c:Cl:p:t:")) != -1) {
		switch (ch) {
		case 'c':
			crc = (uint32_t)ts_optnum(ch, optarg, 0, UINT32_MAX);
			cflag = 1;
			break;
		case 'C':
			Cflag = 1;
			break;
		case 'l':
			len = (uint32_t)ts_optnum(ch, optarg, 0, UINT32_MAX);
			lflag = 1;
			break;
		case 'p':
			pad = (uint32_t)ts_optnum(ch, optarg, 0, UINT32_MAX);
			break;
		case 't':
			if (tag_parse(optarg, &type, &e) == -1)
				errx(2, "-t %s: %s", optarg,
				    wperr_str(&e, ebuf, sizeof(ebuf)));
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1 || (cflag && Cflag))
		usage();

	if (argc == 1 && strcmp(argv[0], "-") != 0) {
		name = argv[0];
		if ((fd = open(name, O_RDONLY)) == -1)
			err(2, "%s", name);
	}
	payload = ts_slurp(fd, name, PAYLOAD_MAX, &plen);
	if (fd != STDIN_FILENO)
		close(fd);
	if (!lflag) {
		if (plen > UINT32_MAX)
			errx(2, "%s: payload over 4 GiB; use -l", name);
		len = (uint32_t)plen;
	}
	if (!cflag)
		crc = crc_of(payload, plen) ^ (Cflag ? 1u : 0u);

	frame_encode(hdr, type, len, crc, pad);
	if (fwrite(hdr, 1, sizeof(hdr), stdout) != sizeof(hdr) ||
	    (plen > 0 && fwrite(payload, 1, plen, stdout) != plen) ||
	    fflush(stdout) == EOF)
		err(2, "write error on standard output");
	free(payload);
	return 0;
}
