/*
 * Unit tests for lib/sniff.c, printed as TAP: what the first bytes of an
 * input say it is. The magic numbers are written here from their
 * specifications (RFC 1952, RFC 8878, the xz file format), not taken from
 * the code under test.
 */
#include <stdio.h>
#include <string.h>

#include "../lib/sniff.h"
#include "../lib/tag.h"

#define TAP_NAME "unit_sniff"
#include "tap.h"

static enum sniff_kind
kind_of(const void *p, size_t len, struct sniff *s)
{
	return sniff_head(p, len, s);
}

/* Whether the wording of s contains want. */
static int
says(const struct sniff *s, const char *want)
{
	char buf[512];

	return sniff_str(s, buf, sizeof(buf)) != NULL &&
	    strstr(buf, want) != NULL;
}

int
main(void)
{
	/* A frame header: type SOUT (0x534f5554), length 27, little-endian. */
	static const unsigned char sout[16] = { 0x54, 0x55, 0x4f, 0x53, 27, 0,
	    0, 0, 1, 2, 3, 4, 0, 0, 0, 0 };
	/* WPRC's low byte is 0x43, the "bad leading byte 0x43" of a drain. */
	static const unsigned char wprc[16] = { 0x43, 0x52, 0x50, 0x57, 0, 0,
	    1, 0 };
	static const unsigned char unknown[16] = { 'A', 'B', 'C', 'D', 1 };
	static const unsigned char gz[] = { 0x1f, 0x8b, 0x08, 0x00 };
	static const unsigned char zst[] = { 0x28, 0xb5, 0x2f, 0xfd, 0x24 };
	static const unsigned char xz[] = { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00,
	    0x00 };
	static const unsigned char trace[] = { 0x0a, 0x05, 0x40, 0x01 };
	struct sniff s;
	char buf[512];

	ok(kind_of(sout, 16, &s) == SNIFF_DRAIN && s.type == 0x534f5554 &&
	    s.len == 27, "a SOUT frame header is a drain, with its length");
	ok(says(&s, "drain") && says(&s, "SOUT") && says(&s, "Stdout") &&
	    says(&s, "27 bytes") && says(&s, "wprofck reassemble") &&
	    says(&s, "wprofck frames"), "a drain: its first frame and both "
	    "commands named");
	ok(kind_of(wprc, 16, &s) == SNIFF_DRAIN && s.type == TAG_WPRC &&
	    s.len == 65536, "a WPRC frame header is a drain");
	ok(kind_of(sout, 15, &s) == SNIFF_UNKNOWN,
	    "15 bytes of a header are not enough to call it a drain");
	ok(kind_of(unknown, 16, &s) == SNIFF_UNKNOWN && sniff_str(&s, buf,
	    sizeof(buf)) == NULL, "a header of an unknown type is not a "
	    "drain, and nothing is said");
	ok(kind_of(gz, sizeof(gz), &s) == SNIFF_GZIP && says(&s, "gzip") &&
	    says(&s, "gunzip") && says(&s, "zcat"), "gzip: 1f 8b, gunzip "
	    "and zcat named");
	ok(kind_of(gz, 2, &s) == SNIFF_GZIP, "gzip from two bytes");
	ok(kind_of(gz, 1, &s) == SNIFF_UNKNOWN, "one byte of gzip's magic "
	    "is not gzip");
	ok(kind_of(zst, sizeof(zst), &s) == SNIFF_ZSTD && says(&s, "zstd") &&
	    says(&s, "unzstd"), "zstd: 28 b5 2f fd, unzstd named");
	ok(kind_of(zst, 3, &s) == SNIFF_UNKNOWN, "three bytes of zstd's "
	    "magic are not zstd");
	ok(kind_of(xz, sizeof(xz), &s) == SNIFF_XZ && says(&s, "unxz"),
	    "xz: fd 37 7a 58 5a 00, unxz named");
	ok(kind_of(trace, sizeof(trace), &s) == SNIFF_TRACE &&
	    sniff_str(&s, buf, sizeof(buf)) == NULL,
	    "0x0a is a trace, and nothing is said");
	ok(kind_of(trace, 0, &s) == SNIFF_UNKNOWN, "no bytes: unknown");
	ok(sniff_head(sout, 16, &s) == SNIFF_DRAIN &&
	    sniff_str(&s, buf, 8) == buf && strlen(buf) == 7,
	    "the wording is cut to the buffer given");

	return tap_done();
}
