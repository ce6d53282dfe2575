/*
 * Unit tests for lib/, printed as TAP. Each check compares the library
 * with values worked out by hand or with a second, simpler computation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../lib/err.h"
#include "../lib/frame.h"
#include "../lib/tag.h"
#include "../lib/size.h"
#include "../lib/reasm.h"

#define TAP_NAME "unit"
#include "tap.h"

static size_t
put_frame(unsigned char *p, uint32_t type, const char *payload, size_t len,
    int bad_crc, uint32_t pad)
{
	uint32_t crc = (uint32_t)crc32(0, (const unsigned char *)payload,
	    (uInt)len);

	frame_encode(p, type, (uint32_t)len, bad_crc ? crc ^ 1 : crc, pad);
	memcpy(p + FRAME_HDR_SIZE, payload, len);
	return FRAME_HDR_SIZE + len;
}

/* Reassembles buf fed in pieces of step bytes; returns the verdict. */
static enum reasm_ev
reasm_pieces(const unsigned char *buf, size_t len, size_t step,
    uint32_t cap, unsigned char *out, size_t *outlen, struct wperr *err)
{
	struct reasm r;
	enum reasm_ev ev = REASM_NEED;
	size_t off = 0, n;

	*outlen = 0;
	reasm_init(&r, cap, TAG_WPRC, TAG_WPRF);
	while (ev == REASM_NEED) {
		if (off == len) {
			ev = reasm_eof(&r);
			break;
		}
		n = len - off < step ? len - off : step;
		reasm_input(&r, buf + off, n);
		off += n;
		while ((ev = reasm_next(&r)) == REASM_DATA || ev == REASM_PAD) {
			if (ev == REASM_DATA) {
				memcpy(out + *outlen, r.data, r.datalen);
				*outlen += r.datalen;
			}
		}
	}
	*err = r.err;
	return ev;
}

static void
test_header(void)
{
	static const unsigned char wprf[16] = {
		0x46, 0x52, 0x50, 0x57, 0x03, 0x00, 0x00, 0x01,
		0x78, 0x56, 0x34, 0x12, 0x00, 0x00, 0x00, 0x80 };
	unsigned char enc[16];
	struct frame f;

	frame_decode(wprf, &f);
	ok(f.type == TAG_WPRF, "header type is little-endian WPRF");
	ok(f.len == 0x01000003, "header length is little-endian");
	ok(f.crc == 0x12345678, "header crc is little-endian");
	ok(f.pad == 0x80000000, "header pad is little-endian");
	frame_encode(enc, f.type, f.len, f.crc, f.pad);
	ok(memcmp(enc, wprf, 16) == 0, "frame_encode inverts frame_decode");
}

static void
test_tags(void)
{
	struct wperr e;
	uint32_t t;
	uint64_t v;
	size_t i, n;
	char buf[512];

	ok(tag_parse("WPRF", &t, &e) == 0 && t == 0x57505246,
	    "tag WPRF spells 0x57505246");
	ok(tag_parse("0x57505243", &t, &e) == 0 && t == TAG_WPRC,
	    "tag as hex number");
	ok(tag_parse("1397708116", &t, &e) == 0 && t == 0x534F5554,
	    "tag as decimal number");
	ok(tag_parse("WPR", &t, &e) == -1, "three characters are refused");
	ok(tag_parse("WPRFX", &t, &e) == -1, "five characters are refused");
	ok(tag_parse("0x100000000", &t, &e) == -1, "tag over 32 bits refused");
	ok(tag_parse("0x12zz", &t, &e) == -1, "trailing garbage refused");
	ok(tag_parse_name("schedlog", &t, &e) == 0 && t == 0x53434C47,
	    "ktstr name in any case");
	ok(strcmp(tag_name(0x534F5554), "Stdout") == 0, "SOUT is Stdout");
	ok(tag_name(0x41414141) == NULL, "unknown tag has no name");
	ok(tag_parse("sout", &t, &e) == 0 && t == 0x534F5554,
	    "tag sout is SOUT");
	ok(tag_parse("Sout", &t, &e) == 0 && t == 0x534F5554,
	    "tag Sout is SOUT");
	ok(tag_parse("wprc", &t, &e) == 0 && t == TAG_WPRC,
	    "tag wprc is WPRC");
	ok(tag_parse("abcd", &t, &e) == 0 && t == 0x61626364,
	    "an unknown four-letter tag keeps its case");
	ok(tag_parse_name("stdout", &t, &e) == 0 && t == 0x534F5554,
	    "name stdout is SOUT");
	ok(tag_parse_name("STDOUT", &t, &e) == 0 && t == 0x534F5554,
	    "name STDOUT is SOUT");
	ok(tag_parse_name("sclg", &t, &e) == 0 && t == 0x53434C47,
	    "tag_parse_name: tag sclg is SCLG");
	ok(tag_parse_name("dMsG", &t, &e) == 0 && t == 0x444D5347,
	    "tag_parse_name: tag dMsG is DMSG");
	ok(tag_parse_name("stdot", &t, &e) == -1 &&
	    e.code == WPE_BAD_TAG_NAME, "an unknown name is WPE_BAD_TAG_NAME");
	wperr_str(&e, buf, sizeof(buf));
	ok(strcmp(buf, "unknown type; want a number, or one of WPRF WPRC "
	    "STIM STEN SCST SCPP SCRR SCEN EXIT TEST SCDX CRSH PMET RAWO PRAW "
	    "SNRQ SNRP SRDY SOUT SERR SCLG LIFE KADR EXCX DMSG PROB SCSW KORQ "
	    "KORP or its ktstr name (wprofck(1)), in any case") == 0,
	    "an unknown name lists the known types");
	ok(strlen(buf) < 256, "the list fits the 256 bytes callers give it");
	ok(tag_parse_name("0x1zz", &t, &e) == -1 && e.code == WPE_BAD_TAG,
	    "a bad number stays WPE_BAD_TAG");
	ok(tag_parse("stdout", &t, &e) == -1 && e.code == WPE_BAD_TAG,
	    "tag_parse takes no names");
	for (i = 0, n = 0; tag_known(i, &t) != NULL; i++)
		n += tag_name(t) != NULL;
	ok(i == 29 && n == 29, "tag_known lists the 29 known types");
	{
		char vis[TAG_NAME_MAX];

		ok(strcmp(tag_type_name(0x01410a5c, vis),
		    "\\001A\\n\\\\") == 0,
		    "unknown type named by its characters, escaped as vis(3)");
		ok(strcmp(tag_type_name(TAG_WPRC, vis),
		    "WprofTraceChunk") == 0, "known type named by ktstr");
	}
	ok(size_parse("4096", 0, UINT64_MAX, &v, &e) == 0 && v == 4096,
	    "plain size");
	ok(size_parse("16M", 0, UINT64_MAX, &v, &e) == 0 && v == 16777216,
	    "size with M");
	ok(size_parse("2k", 0, UINT64_MAX, &v, &e) == 0 && v == 2048,
	    "size with k");
	ok(size_parse("5G", 0, UINT32_MAX, &v, &e) == -1, "size over max");
	ok(size_parse("12Q", 0, UINT64_MAX, &v, &e) == -1, "size with Q");
	ok(size_parse("-1", 0, UINT64_MAX, &v, &e) == -1, "negative size");
	ok(size_parse("99999999999999999999", 0, UINT64_MAX, &v, &e) == -1,
	    "size overflowing 64 bits");
	ok(size_parse("17179869184G", 0, UINT64_MAX, &v, &e) == -1,
	    "size overflowing by its suffix");
}

static void
test_walk_stops(void)
{
	unsigned char buf[256];
	struct frame_walk w;
	const struct frame_stop *s;
	size_t n;

	n = put_frame(buf, TAG_WPRC, "abc", 3, 0, 0);
	frame_init(&w, 16);
	frame_input(&w, buf, n + 5);
	while (frame_next(&w) != FRAME_NEED)
		;
	s = frame_eof(&w);
	ok(s->why == FSTOP_PARTIAL_HEADER && s->have == 5 && s->off == 19,
	    "partial header: 5 bytes at offset 19");

	frame_encode(buf + n, TAG_WPRF, 17, 0, 0);
	frame_init(&w, 16);
	frame_input(&w, buf, n + 16);
	while (frame_next(&w) != FRAME_STOP)
		;
	ok(w.stop.why == FSTOP_OVERSIZED && w.stop.len == 17 &&
	    w.stop.off == 19 && w.stop.frames == 1,
	    "length 17 over a cap of 16 stops at offset 19");

	frame_encode(buf + n, TAG_WPRF, 16, 0, 0);
	frame_init(&w, 16);
	frame_input(&w, buf, n + 16 + 10);
	while (frame_next(&w) != FRAME_NEED)
		;
	s = frame_eof(&w);
	ok(s->why == FSTOP_TORN && s->len == 16 && s->have == 10,
	    "torn frame: needs 16 bytes, has 10");
}

static void
test_reasm(void)
{
	unsigned char buf[512], out[512];
	struct wperr e;
	size_t n = 0, outlen, step;
	enum reasm_ev ev;
	int all = 1;

	n += put_frame(buf + n, 0x534F5554, "out", 3, 1, 0);
	n += put_frame(buf + n, TAG_WPRC, "0123", 4, 0, 0);
	n += put_frame(buf + n, 0x534F5554, "x", 1, 0, 7);
	n += put_frame(buf + n, TAG_WPRC, "4567", 4, 0, 0);
	n += put_frame(buf + n, TAG_WPRF, "89", 2, 0, 0);
	n += put_frame(buf + n, TAG_WPRF, "zz", 2, 0, 0);
	for (step = 1; step <= n; step++) {
		ev = reasm_pieces(buf, n, step, 4, out, &outlen, &e);
		all &= ev == REASM_DONE && outlen == 10 &&
		    memcmp(out, "0123456789", 10) == 0;
	}
	ok(all, "same trace whatever the piece size");

	n = 0;
	n += put_frame(buf + n, TAG_WPRC, "0123", 4, 0, 0);
	n += put_frame(buf + n, TAG_WPRC, "4567", 4, 1, 0);
	n += put_frame(buf + n, TAG_WPRF, "89", 2, 0, 0);
	ev = reasm_pieces(buf, n, 7, 4, out, &outlen, &e);
	ok(ev == REASM_FAIL && e.code == WPE_TORN && e.index == 1 &&
	    e.off == 20, "torn chunk 1 at offset 20");

	n = put_frame(buf, TAG_WPRF, "", 0, 0, 0);
	ev = reasm_pieces(buf, n, 3, 4, out, &outlen, &e);
	ok(ev == REASM_FAIL && e.code == WPE_EMPTY, "empty terminal");

	n = put_frame(buf, TAG_WPRC, "0123", 4, 0, 0);
	ev = reasm_pieces(buf, n, 3, 4, out, &outlen, &e);
	ok(ev == REASM_FAIL && e.code == WPE_NO_TERMINAL &&
	    e.stop.why == FSTOP_CLEAN && e.chunks == 1, "no terminal");
}

int
main(void)
{
	test_header();
	test_tags();
	test_walk_stops();
	test_reasm();
	return tap_done();
}
