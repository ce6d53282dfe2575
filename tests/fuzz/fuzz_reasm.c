/*
 * Reassembly of arbitrary bytes, with a cap and tags taken from the input
 * and the dump handed over in pieces of sizes drawn from it, against the
 * naive one-shot walk. Input: mode byte, cap (4), chunk tag (4), trace
 * tag (4), piece seed (2), then the dump.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../../lib/err.h"
#include "../../lib/frame.h"
#include "../../lib/reasm.h"
#include "../../lib/tag.h"

#define PREFIX	15

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
pick_tags(const uint8_t *in, size_t len, uint32_t *chunk, uint32_t *trace)
{
	switch (in[0] >> 2 & 3) {
	case 0:
		*chunk = TAG_WPRC;
		*trace = TAG_WPRF;
		break;
	case 1:
		*chunk = fuzz_u32(in, len, 5);
		*trace = fuzz_u32(in, len, 9);
		break;
	case 2:
		*chunk = TAG_WPRF;
		*trace = TAG_WPRC;
		break;
	default:
		*chunk = *trace = fuzz_u32(in, len, 5);
		break;
	}
}

static void
compare(const struct reasm *r, enum reasm_ev ev, const struct nwalk *w,
    const struct nreasm *n, uint32_t trace_tag)
{
	const struct nframe *f = &w->f[n->frame];
	const struct frame_stop *s = &r->err.stop;

	CHECK(r->chunks == n->chunks);
	CHECK(r->err.code == n->code);
	CHECK(ev == (n->code == WPE_OK ? REASM_DONE : REASM_FAIL));
	switch (n->code) {
	case WPE_OK:
		CHECK(r->bytes == n->bytes);
		CHECK(r->bytes == n->datalen);
		break;
	case WPE_TORN:
		CHECK(r->err.index == n->frame);
		CHECK(r->err.off == f->off);
		CHECK(r->err.type == f->type);
		CHECK(r->err.crc == f->crc);
		CHECK(r->err.crc_calc == f->crc_calc);
		break;
	case WPE_EMPTY:
		CHECK(r->err.index == n->frame);
		CHECK(r->err.off == f->off);
		CHECK(r->err.type == trace_tag);
		break;
	case WPE_NO_TERMINAL:
		CHECK(r->err.type == trace_tag);
		CHECK(r->err.chunks == n->chunks);
		CHECK(r->err.bytes == n->bytes);
		CHECK(s->why == w->stop.why);
		CHECK(s->off == w->stop.off);
		CHECK(s->have == w->stop.have);
		CHECK(s->len == w->stop.len);
		CHECK(s->cap == w->stop.cap);
		CHECK(s->frames == w->stop.frames);
		CHECK(s->bytes == w->stop.bytes);
		break;
	default:
		CHECK(!"a verdict reassembly never gives");
	}
	if (n->code != WPE_OK)
		check_wording(&r->err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	const unsigned char *dump = in + PREFIX;
	unsigned char *piece = NULL, *out;
	struct nwalk w;
	struct nreasm n;
	struct reasm r;
	struct pieces ps;
	enum reasm_ev ev = REASM_NEED;
	uint32_t cap, chunk, trace;
	size_t dlen, pos = 0, k, outlen = 0, npads = 0;

	if (len < PREFIX)
		return 0;
	dlen = len - PREFIX;
	cap = pick_cap(in, len);
	pick_tags(in, len, &chunk, &trace);
	pieces_init(&ps, (uint32_t)in[13] | (uint32_t)in[14] << 8);
	naive_walk(dump, dlen, cap, &w);
	naive_reasm(dump, &w, chunk, trace, &n);
	if ((out = malloc(dlen + 1)) == NULL)
		abort();

	reasm_init(&r, cap, chunk, trace);
	while (ev == REASM_NEED) {
		free(piece);
		piece = NULL;
		if (pos == dlen) {
			ev = reasm_eof(&r);
			break;
		}
		k = pieces_next(&ps, dlen - pos);
		piece = pieces_copy(dump + pos, k);
		pos += k;
		reasm_input(&r, piece, k);
		for (;;) {
			ev = reasm_next(&r);
			if (ev == REASM_DATA) {
				CHECK(r.datalen > 0);
				CHECK(outlen + r.datalen <= n.datalen);
				CHECK(memcmp(r.data, n.data + outlen,
				    r.datalen) == 0);
				memcpy(out + outlen, r.data, r.datalen);
				outlen += r.datalen;
			} else if (ev == REASM_PAD) {
				CHECK(npads < n.npads);
				CHECK(r.fw.cur.pad != 0);
				CHECK(r.fw.cur.off == n.pads[npads]);
				npads++;
			} else
				break;
		}
	}
	free(piece);
	CHECK(outlen == n.datalen);
	CHECK(npads == n.npads);
	compare(&r, ev, &w, &n, trace);

	/* A verdict is final, whatever comes after it. */
	reasm_input(&r, dump, dlen);
	CHECK(reasm_next(&r) == ev);
	CHECK(reasm_eof(&r) == ev);

	free(out);
	naive_reasm_free(&n);
	naive_free(&w);
	return 0;
}
