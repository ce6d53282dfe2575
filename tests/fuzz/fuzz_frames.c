/*
 * The frame walk over pieces against the naive one-shot walk: every
 * header, payload byte and CRC, and how and where the walk stopped.
 * Input: mode byte, cap (4), piece seed (2), CRC skip mask (1), the dump.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../../lib/frame.h"

#define PREFIX	8

static uint32_t
pick_cap(const uint8_t *in, size_t len)
{
	uint32_t raw = fuzz_u32(in, len, 1);

	switch (in[0] & 3) {
	case 0:
		return raw & 0xff;
	case 1:
		return raw & 0xffff;
	case 2:
		return raw;
	default:
		return FRAME_CAP_DEFAULT;
	}
}

static void
same_stop(const struct frame_stop *s, const struct frame_stop *n)
{
	CHECK(s->why == n->why);
	CHECK(s->off == n->off);
	CHECK(s->have == n->have);
	CHECK(s->len == n->len);
	CHECK(s->cap == n->cap);
	CHECK(s->frames == n->frames);
	CHECK(s->bytes == n->bytes);
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	const unsigned char *dump = in + PREFIX;
	const struct nframe *f = NULL;
	const struct frame_stop *s;
	unsigned char *piece = NULL;
	struct frame_walk fw;
	struct nwalk w;
	struct pieces ps;
	enum frame_ev ev = FRAME_NEED;
	uint32_t cap;
	size_t dlen, pos = 0, k, hdrs = 0, ends = 0, got = 0;
	unsigned skipmask;
	int skip = 0;
	char buf[128];

	if (len < PREFIX)
		return 0;
	dlen = len - PREFIX;
	cap = pick_cap(in, len);
	pieces_init(&ps, (uint32_t)in[5] | (uint32_t)in[6] << 8);
	skipmask = in[7];
	naive_walk(dump, dlen, cap, &w);

	frame_init(&fw, cap);
	/* Asking before any input is handed in must ask for input. */
	CHECK(frame_next(&fw) == FRAME_NEED);
	while (ev != FRAME_STOP && pos < dlen) {
		free(piece);
		k = pieces_next(&ps, dlen - pos);
		piece = pieces_copy(dump + pos, k);
		pos += k;
		frame_input(&fw, piece, k);
		while ((ev = frame_next(&fw)) != FRAME_NEED &&
		    ev != FRAME_STOP) {
			switch (ev) {
			case FRAME_HEADER:
				CHECK(hdrs < w.nhdr);
				f = &w.f[hdrs];
				CHECK(fw.cur.index == hdrs);
				CHECK(fw.cur.off == f->off);
				CHECK(fw.cur.type == f->type);
				CHECK(fw.cur.len == f->len);
				CHECK(fw.cur.crc == f->crc);
				CHECK(fw.cur.pad == f->pad);
				skip = (int)(skipmask >> (hdrs % 8) & 1);
				fw.skip_crc = skip;
				hdrs++;
				got = 0;
				break;
			case FRAME_DATA:
				CHECK(f != NULL);
				CHECK(fw.datalen > 0);
				CHECK(got + fw.datalen <= f->len);
				CHECK(memcmp(fw.data, dump + f->off +
				    FRAME_HDR_SIZE + got, fw.datalen) == 0);
				got += fw.datalen;
				break;
			case FRAME_END:
				CHECK(f != NULL && f->complete);
				CHECK(got == f->len);
				CHECK(fw.cur.index == ends);
				CHECK(skip || fw.cur.crc_calc == f->crc_calc);
				ends++;
				CHECK(fw.nframes == ends);
				break;
			default:
				break;
			}
		}
	}
	free(piece);

	if (ev == FRAME_STOP) {
		CHECK(w.stop.why == FSTOP_OVERSIZED);
		CHECK(frame_next(&fw) == FRAME_STOP);
	}
	s = frame_eof(&fw);
	CHECK(s == &fw.stop);
	CHECK(hdrs == w.nhdr);
	CHECK(ends == w.n);
	same_stop(s, &w.stop);
	CHECK(frame_eof(&fw) == s);
	same_stop(s, &w.stop);
	CHECK(frame_next(&fw) == FRAME_STOP);
	frame_stop_str(s, buf, sizeof(buf));
	CHECK(strstr(buf, "(null)") == NULL);

	naive_free(&w);
	return 0;
}
