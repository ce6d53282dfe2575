/*
 * mkframe: writes one drain frame, its 16-byte header and then the payload
 * read from FILE or standard input, to standard output. The suites use it
 * to build dumps, and its options make headers that lie about the length,
 * the CRC or the pad.
 */
#include <err.h>
#include <errno.h>
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
parse_u32(int opt, const char *s)
{
	unsigned long long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		errx(2, "-%c %s: not a number", opt, s);
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v > UINT32_MAX)
		errx(2, "-%c %s: not a 32-bit number", opt, s);
	return (uint32_t)v;
}

static unsigned char *
slurp(int fd, const char *name, size_t *lenp)
{
	unsigned char *buf = NULL, *nbuf;
	size_t len = 0, size = 0;
	ssize_t n;

	for (;;) {
		if (len == size) {
			if (size == PAYLOAD_MAX)
				errx(2, "%s: payload over %zu bytes", name,
				    PAYLOAD_MAX);
			size = size == 0 ? 65536 : size * 2;
			if (size > PAYLOAD_MAX)
				size = PAYLOAD_MAX;
			if ((nbuf = realloc(buf, size)) == NULL)
				err(2, NULL);
			buf = nbuf;
		}
		n = read(fd, buf + len, size - len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			err(2, "%s", name);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*lenp = len;
	return buf;
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
			crc = parse_u32(ch, optarg);
			cflag = 1;
			break;
		case 'C':
			Cflag = 1;
			break;
		case 'l':
			len = parse_u32(ch, optarg);
			lflag = 1;
			break;
		case 'p':
			pad = parse_u32(ch, optarg);
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
	payload = slurp(fd, name, &plen);
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
