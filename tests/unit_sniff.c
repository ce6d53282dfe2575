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
	/* A packet of 5 bytes: field 8 (timestamp) as a varint, ... */
	static const unsigned char trace[] = { 0x0a, 0x05, 0x40, 0x01 };
	/* ... of 300 bytes (ac 02), first field 10 (0x50), wire type 0. */
	static const unsigned char trace2[] = { 0x0a, 0xac, 0x02, 0x50, 0x07 };
	/* 0a, length 3, then a key of wire type 7: no packet. */
	static const unsigned char odd[] = { 0x0a, 0x03, 0xff, 0x01, 0x02 };
	/* 0a, length 0: no packet is empty at the start of wprof's trace. */
	static const unsigned char zero[] = { 0x0a, 0x00, 0x08, 0x01 };
	/* An empty line, then "Hello": text, though 0a 48 65 parses. */
	static const char text[] = "\nHello, w\xc3\xb6rld!\n";
	/* A NUL after printable bytes: not text. */
	static const unsigned char nul[] = { 'a', 'b', 0, 'c' };
	/* 0xc3 then a byte that continues no sequence: not text. */
	static const unsigned char badutf[] = { 'a', 0xc3, 'b', 'c' };
	/* A sequence the look cuts: text still. */
	static const unsigned char cut[] = { 'a', 'b', 0xe2, 0x82 };
	struct sniff s;

	ok(kind_of(sout, 16, &s) == SNIFF_DRAIN && s.type == 0x534f5554 &&
	    s.len == 27, "a SOUT frame header is a drain, with its length");
	ok(kind_of(wprc, 16, &s) == SNIFF_DRAIN && s.type == TAG_WPRC &&
	    s.len == 65536, "a WPRC frame header is a drain");
	ok(kind_of(sout, 15, &s) == SNIFF_UNKNOWN,
	    "15 bytes of a header are not enough to call it a drain");
	ok(kind_of(unknown, 16, &s) == SNIFF_UNKNOWN,
	    "a header of an unknown type is not a drain: the caller walks it");
	ok(kind_of(gz, sizeof(gz), &s) == SNIFF_GZIP, "gzip: 1f 8b");
	ok(kind_of(gz, 2, &s) == SNIFF_GZIP, "gzip from two bytes");
	ok(kind_of(gz, 1, &s) == SNIFF_UNKNOWN, "one byte of gzip's magic "
	    "is not gzip");
	ok(kind_of(zst, sizeof(zst), &s) == SNIFF_ZSTD, "zstd: 28 b5 2f fd");
	ok(kind_of(zst, 3, &s) == SNIFF_UNKNOWN, "three bytes of zstd's "
	    "magic are not zstd");
	ok(kind_of(xz, sizeof(xz), &s) == SNIFF_XZ,
	    "xz: fd 37 7a 58 5a 00");
	ok(kind_of(trace, sizeof(trace), &s) == SNIFF_TRACE && s.packet == 5,
	    "0a 05 40: a trace, its first packet 5 bytes");
	ok(kind_of(trace2, sizeof(trace2), &s) == SNIFF_TRACE &&
	    s.packet == 300, "0a ac 02 50: a trace, a two-byte length");
	ok(kind_of(odd, sizeof(odd), &s) == SNIFF_UNKNOWN,
	    "0a 03 ff: wire type 7 is no packet's first key");
	ok(kind_of(zero, sizeof(zero), &s) == SNIFF_UNKNOWN,
	    "0a 00: an empty first packet is not a trace");
	ok(kind_of(trace, 2, &s) == SNIFF_UNKNOWN,
	    "0a 05 alone: no key to judge by");
	ok(kind_of(trace, 0, &s) == SNIFF_EMPTY, "no bytes: empty");
	ok(kind_of(text, sizeof(text) - 1, &s) == SNIFF_TEXT,
	    "an empty line, then UTF-8 text: text, not a trace");
	ok(kind_of(nul, sizeof(nul), &s) == SNIFF_UNKNOWN, "a NUL: not text");
	ok(kind_of(badutf, sizeof(badutf), &s) == SNIFF_UNKNOWN,
	    "a broken UTF-8 sequence: not text");
	ok(kind_of(cut, sizeof(cut), &s) == SNIFF_TEXT,
	    "a UTF-8 sequence cut by the end: text");
	ok(kind_of("WPRF", 4, &s) == SNIFF_TEXT,
	    "four printable bytes of a header: text");

	return tap_done();
}
