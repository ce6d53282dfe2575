/*
 * split and reassembly are inverses: a trace of B bytes split at a cap
 * from the input becomes max(1, ceil(B/cap)) frames, chunks of exactly
 * cap bytes and a terminal, and reassembling those frames in pieces gives
 * the trace back. Input: mode byte, cap (4), chunk tag (4), trace tag (4),
 * piece seed (2), then the trace.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../../lib/err.h"
#include "../../lib/frame.h"
#include "../../lib/reasm.h"
#include "../../lib/slicer.h"
#include "../../lib/tag.h"

#define PREFIX	15

static uint32_t
pick_cap(const uint8_t *in, size_t len)
{
	uint32_t raw = fuzz_u32(in, len, 1);

	switch (in[0] & 3) {
	case 0:
		return 1 + (raw & 0xff);
	case 1:
		return 1 + (raw & 0xffff);
	case 2:
		return raw == 0 ? 1 : raw;
	default:
		return FRAME_CAP_DEFAULT;
	}
}

/* The command refuses equal tags, so they always differ here. */
static void
pick_tags(const uint8_t *in, size_t len, uint32_t *chunk, uint32_t *trace)
{
	switch (in[0] >> 2 & 3) {
	case 1:
		*chunk = fuzz_u32(in, len, 5);
		*trace = fuzz_u32(in, len, 9);
		if (*chunk == *trace)
			*trace ^= 1;
		break;
	case 2:
		*chunk = TAG_WPRF;
		*trace = TAG_WPRC;
		break;
	default:
		*chunk = TAG_WPRC;
		*trace = TAG_WPRF;
		break;
	}
}

/* The loop of cmd/split.c, reading the trace in pieces. */
static size_t
split_all(const unsigned char *t, size_t tlen, uint32_t cap, uint32_t chunk,
    uint32_t trace, struct pieces *ps, unsigned char *out, size_t size)
{
	struct slicer sp;
	unsigned char *piece = NULL;
	size_t tpos = 0, plen = 0, ppos = 0, olen, hat, n;
	int eof = 0;

	slicer_init(&sp, cap, chunk, trace);
	hat = 0;
	olen = FRAME_HDR_SIZE;
	for (;;) {
		if (ppos == plen) {
			free(piece);
			piece = NULL;
			ppos = plen = 0;
			if (tpos == tlen)
				eof = 1;
			else {
				plen = pieces_next(ps, tlen - tpos);
				if (plen == 0)
					continue;
				piece = pieces_copy(t + tpos, plen);
				tpos += plen;
			}
		}
		if (eof || slicer_full(&sp)) {
			slicer_header(&sp, eof, out + hat);
			if (eof)
				break;
			CHECK(size - olen >= FRAME_HDR_SIZE);
			hat = olen;
			olen += FRAME_HDR_SIZE;
		}
		n = slicer_take(&sp, piece + ppos, plen - ppos);
		CHECK(n <= plen - ppos);
		CHECK(size - olen >= n);
		memcpy(out + olen, piece + ppos, n);
		olen += n;
		ppos += n;
	}
	free(piece);
	return olen;
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	const unsigned char *t = in + PREFIX;
	unsigned char *out, *back, *piece = NULL;
	struct nwalk w;
	struct reasm r;
	struct pieces ps;
	enum reasm_ev ev = REASM_NEED;
	uint64_t nframes, want;
	uint32_t cap, chunk, trace;
	size_t tlen, olen, i, pos = 0, k, blen = 0;

	if (len < PREFIX)
		return 0;
	tlen = len - PREFIX;
	cap = pick_cap(in, len);
	pick_tags(in, len, &chunk, &trace);
	pieces_init(&ps, (uint32_t)in[13] | (uint32_t)in[14] << 8);
	nframes = tlen == 0 ? 1 : (tlen - 1) / cap + 1;
	if ((out = malloc(tlen + FRAME_HDR_SIZE * nframes)) == NULL ||
	    (back = malloc(tlen + 1)) == NULL)
		abort();

	olen = split_all(t, tlen, cap, chunk, trace, &ps, out,
	    tlen + FRAME_HDR_SIZE * nframes);
	CHECK(olen == tlen + FRAME_HDR_SIZE * nframes);
	naive_walk(out, olen, cap, &w);
	CHECK(w.stop.why == FSTOP_CLEAN);
	CHECK(w.n == nframes);
	for (i = 0; i < w.n; i++) {
		want = i + 1 < w.n ? cap : tlen - (uint64_t)cap * i;
		CHECK(w.f[i].type == (i + 1 < w.n ? chunk : trace));
		CHECK(w.f[i].len == want);
		CHECK(w.f[i].pad == 0);
		CHECK(w.f[i].crc == w.f[i].crc_calc);
		CHECK(memcmp(out + w.f[i].off + FRAME_HDR_SIZE,
		    t + (uint64_t)cap * i, (size_t)want) == 0);
	}

	reasm_init(&r, cap, chunk, trace);
	while (ev == REASM_NEED) {
		free(piece);
		piece = NULL;
		if (pos == olen) {
			ev = reasm_eof(&r);
			break;
		}
		k = pieces_next(&ps, olen - pos);
		piece = pieces_copy(out + pos, k);
		pos += k;
		reasm_input(&r, piece, k);
		while ((ev = reasm_next(&r)) == REASM_DATA || ev == REASM_PAD) {
			CHECK(ev == REASM_DATA);
			CHECK(blen + r.datalen <= tlen);
			memcpy(back + blen, r.data, r.datalen);
			blen += r.datalen;
		}
	}
	free(piece);
	if (tlen == 0) {
		CHECK(ev == REASM_FAIL);
		CHECK(r.err.code == WPE_EMPTY);
	} else {
		CHECK(ev == REASM_DONE);
		CHECK(pos == olen);
		CHECK(blen == tlen);
		CHECK(memcmp(back, t, tlen) == 0);
	}

	naive_free(&w);
	free(back);
	free(out);
	return 0;
}
