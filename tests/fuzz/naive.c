/*
 * The fuzz targets' shared parts, and the oracle they hold lib/ against:
 * a deliberately naive one-shot walk and reassembly of a drain dump (spec
 * sections 1 and 2). The walk keeps its own little-endian reads and loops
 * on purpose, using none of lib/'s parsing code and none of the test
 * tools' shared helpers (tests/testsup.c): a differential oracle is worth
 * something only while it shares no code, and so no bug, with what it
 * checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz.h"
#include "../../lib/err.h"
#include "../../lib/frame.h"

const char *fuzz_input_name;

void
fuzz_fail(const char *file, int line, const char *what)
{
	if (fuzz_input_name != NULL)
		fprintf(stderr, "%s: ", fuzz_input_name);
	fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
	abort();
}

uint32_t
fuzz_u32(const uint8_t *p, size_t len, size_t off)
{
	uint32_t v = 0;
	size_t i;

	for (i = 0; i < 4; i++)
		if (off + i < len)
			v |= (uint32_t)p[off + i] << (8 * i);
	return v;
}

void
pieces_init(struct pieces *p, uint32_t seed)
{
	p->state = seed * 2654435761u + 0x9e3779b9u;
	if (p->state == 0)
		p->state = 1;
}

/* Mostly small pieces, to cut headers and payloads everywhere. */
size_t
pieces_next(struct pieces *p, size_t left)
{
	uint32_t x = p->state;
	size_t n;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	p->state = x;
	switch (x & 7) {
	case 0:
		n = 0;
		break;
	case 1:
	case 2:
	case 3:
		n = 1 + (x >> 3) % 17;
		break;
	case 4:
	case 5:
		n = 1 + (x >> 3) % 256;
		break;
	case 6:
		n = 1 + (x >> 3) % 8192;
		break;
	default:
		n = left;
		break;
	}
	return n < left ? n : left;
}

unsigned char *
pieces_copy(const unsigned char *p, size_t len)
{
	unsigned char *c;

	if ((c = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	if (len > 0)
		memcpy(c, p, len);
	return c;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* The host's one-shot walk of spec section 1, over the whole dump. */
void
naive_walk(const unsigned char *buf, size_t len, uint32_t cap,
    struct nwalk *w)
{
	struct nframe *f;
	size_t i = 0, left, empty = 0;

	memset(w, 0, sizeof(*w));
	if ((w->f = calloc(len / FRAME_HDR_SIZE + 1, sizeof(*w->f))) == NULL)
		abort();
	w->stop.cap = cap;
	for (;;) {
		left = len - i;
		if (left == 0) {
			w->stop.why = FSTOP_CLEAN;
			w->stop.off = len;
			w->stop.bytes = len;
			break;
		}
		if (left < FRAME_HDR_SIZE) {
			w->stop.why = FSTOP_PARTIAL_HEADER;
			w->stop.off = i;
			w->stop.have = left;
			w->stop.bytes = i;
			break;
		}
		f = &w->f[w->n];
		f->off = i;
		f->type = get32(buf + i);
		f->len = get32(buf + i + 4);
		f->crc = get32(buf + i + 8);
		f->pad = get32(buf + i + 12);
		if (f->len > cap) {
			w->stop.why = FSTOP_OVERSIZED;
			w->stop.off = i;
			w->stop.len = f->len;
			w->stop.bytes = i;
			memset(f, 0, sizeof(*f));
			break;
		}
		if (f->len == 0 && empty++ == FRAME_EMPTY_RUN_MAX) {
			w->stop.why = FSTOP_EMPTY_RUN;
			w->stop.off = i;
			w->stop.bytes = i;
			memset(f, 0, sizeof(*f));
			break;
		}
		if (f->len != 0)
			empty = 0;
		if (f->len > left - FRAME_HDR_SIZE) {
			w->stop.why = FSTOP_TORN;
			w->stop.off = i;
			w->stop.len = f->len;
			w->stop.have = left - FRAME_HDR_SIZE;
			w->stop.bytes = i;
			w->nhdr = w->n + 1;
			break;
		}
		f->crc_calc = (uint32_t)crc32(0, buf + i + FRAME_HDR_SIZE,
		    f->len);
		f->complete = 1;
		i += FRAME_HDR_SIZE + f->len;
		w->n++;
	}
	if (w->nhdr == 0)
		w->nhdr = w->n;
	w->stop.frames = w->n;
}

void
naive_free(struct nwalk *w)
{
	free(w->f);
	w->f = NULL;
}

/*
 * Spec section 2 over the walk: the terminal tag is looked at first, so
 * equal tags make every such frame a terminal.
 */
void
naive_reasm(const unsigned char *buf, const struct nwalk *w,
    uint32_t chunk_tag, uint32_t trace_tag, struct nreasm *r)
{
	const struct nframe *f;
	size_t i, have;
	int wprof;

	memset(r, 0, sizeof(*r));
	r->code = WPE_NO_TERMINAL;
	if ((r->data = malloc(w->stop.off + FRAME_HDR_SIZE + w->stop.have +
	    1)) == NULL ||
	    (r->pads = calloc(w->nhdr + 1, sizeof(*r->pads))) == NULL)
		abort();
	for (i = 0; i < w->nhdr; i++) {
		f = &w->f[i];
		wprof = f->type == trace_tag || f->type == chunk_tag;
		if (f->pad != 0)
			r->pads[r->npads++] = f->off;
		if (!wprof)
			continue;
		have = f->complete ? f->len : (size_t)w->stop.have;
		memcpy(r->data + r->datalen, buf + f->off + FRAME_HDR_SIZE,
		    have);
		r->datalen += have;
		if (!f->complete)
			break;
		if (f->crc != f->crc_calc) {
			r->code = WPE_TORN;
			r->frame = i;
			return;
		}
		r->bytes += f->len;
		if (f->type == trace_tag) {
			r->code = r->bytes == 0 ? WPE_EMPTY : WPE_OK;
			r->frame = i;
			return;
		}
		r->chunks++;
	}
}

void
naive_reasm_free(struct nreasm *r)
{
	free(r->data);
	free(r->pads);
	r->data = NULL;
	r->pads = NULL;
}

void
check_wording(const struct wperr *e)
{
	char big[1024], small[8];

	wperr_str(e, big, sizeof(big));
	CHECK(strlen(big) > 0);
	CHECK(strstr(big, "(null)") == NULL);
	wperr_str(e, small, sizeof(small));
	CHECK(strncmp(small, big, sizeof(small) - 1) == 0);
}
