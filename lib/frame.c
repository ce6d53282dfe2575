#include <sys/endian.h>

#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "frame.h"

void
frame_decode(const unsigned char *p, struct frame *f)
{
	f->type = le32dec(p);
	f->len = le32dec(p + 4);
	f->crc = le32dec(p + 8);
	f->pad = le32dec(p + 12);
}

void
frame_encode(unsigned char *p, uint32_t type, uint32_t len, uint32_t crc,
    uint32_t pad)
{
	le32enc(p, type);
	le32enc(p + 4, len);
	le32enc(p + 8, crc);
	le32enc(p + 12, pad);
}

void
frame_init(struct frame_walk *w, uint32_t cap)
{
	memset(w, 0, sizeof(*w));
	w->cap = cap;
}

void
frame_input(struct frame_walk *w, const void *buf, size_t len)
{
	w->in = buf;
	w->inlen = len;
}

static void
consume(struct frame_walk *w, size_t n)
{
	w->in += n;
	w->inlen -= n;
	w->off += n;
}

/*
 * Headers are decoded in place when the piece holds all 16 bytes and
 * gathered in hbuf when they straddle two pieces. Payload bytes are handed
 * out as slices of the caller's piece, never copied.
 */
enum frame_ev
frame_next(struct frame_walk *w)
{
	const unsigned char *hp;
	size_t n;

	if (w->stop.why != FSTOP_NONE)
		return FRAME_STOP;
	if (w->in_payload) {
		if (w->left == 0) {
			w->in_payload = 0;
			w->cur.crc_calc = w->crc;
			w->nframes++;
			return FRAME_END;
		}
		if (w->inlen == 0)
			return FRAME_NEED;
		n = w->inlen < w->left ? w->inlen : w->left;
		w->data = w->in;
		w->datalen = n;
		if (!w->skip_crc)
			w->crc = (uint32_t)crc32(w->crc, w->in, (uInt)n);
		consume(w, n);
		w->left -= (uint32_t)n;
		return FRAME_DATA;
	}
	if (w->inlen == 0)
		return FRAME_NEED;

	if (w->hlen == 0 && w->inlen >= FRAME_HDR_SIZE) {
		hp = w->in;
		consume(w, FRAME_HDR_SIZE);
	} else {
		n = FRAME_HDR_SIZE - w->hlen;
		if (n > w->inlen)
			n = w->inlen;
		memcpy(w->hbuf + w->hlen, w->in, n);
		w->hlen += (unsigned)n;
		consume(w, n);
		if (w->hlen < FRAME_HDR_SIZE)
			return FRAME_NEED;
		w->hlen = 0;
		hp = w->hbuf;
	}
	frame_decode(hp, &w->cur);
	w->cur.index = w->nframes;
	w->cur.off = w->off - FRAME_HDR_SIZE;
	w->cur.crc_calc = 0;

	/* A length over the cap cannot be used to skip: nothing after counts. */
	if (w->cur.len > w->cap) {
		w->stop.why = FSTOP_OVERSIZED;
		w->stop.off = w->cur.off;
		w->stop.len = w->cur.len;
		w->stop.cap = w->cap;
		w->stop.have = 0;
		w->stop.frames = w->nframes;
		w->stop.bytes = w->cur.off;
		return FRAME_STOP;
	}
	/*
	 * Zero bytes are empty frames of type 0 with a good CRC, so /dev/zero
	 * would be walked for ever: a long run of empty frames is no drain.
	 */
	if (w->cur.len == 0 && w->empty_run++ == FRAME_EMPTY_RUN_MAX) {
		w->stop.why = FSTOP_EMPTY_RUN;
		w->stop.off = w->cur.off;
		w->stop.cap = w->cap;
		w->stop.frames = w->nframes;
		w->stop.bytes = w->cur.off;
		return FRAME_STOP;
	}
	if (w->cur.len != 0)
		w->empty_run = 0;
	w->in_payload = 1;
	w->left = w->cur.len;
	w->crc = 0;
	w->skip_crc = 0;
	return FRAME_HEADER;
}

const struct frame_stop *
frame_eof(struct frame_walk *w)
{
	if (w->stop.why != FSTOP_NONE)
		return &w->stop;
	w->stop.frames = w->nframes;
	w->stop.cap = w->cap;
	if (w->in_payload && w->left > 0) {
		w->stop.why = FSTOP_TORN;
		w->stop.off = w->cur.off;
		w->stop.len = w->cur.len;
		w->stop.have = w->cur.len - w->left;
	} else if (w->hlen > 0) {
		w->stop.why = FSTOP_PARTIAL_HEADER;
		w->stop.off = w->off - w->hlen;
		w->stop.have = w->hlen;
	} else {
		w->stop.why = FSTOP_CLEAN;
		w->stop.off = w->off;
	}
	w->stop.bytes = w->stop.off;
	return &w->stop;
}

const char *
frame_stop_str(const struct frame_stop *s, char *buf, size_t len)
{
	switch (s->why) {
	case FSTOP_NONE:
		snprintf(buf, len, "walk not over");
		break;
	case FSTOP_CLEAN:
		snprintf(buf, len, "clean end");
		break;
	case FSTOP_PARTIAL_HEADER:
		snprintf(buf, len, "partial header: %llu bytes at offset %llu",
		    (unsigned long long)s->have, (unsigned long long)s->off);
		break;
	case FSTOP_OVERSIZED:
		snprintf(buf, len,
		    "oversized frame at offset %llu: length %lu over the cap %lu",
		    (unsigned long long)s->off, (unsigned long)s->len,
		    (unsigned long)s->cap);
		break;
	case FSTOP_TORN:
		snprintf(buf, len,
		    "torn frame at offset %llu: needs %lu bytes, has %llu",
		    (unsigned long long)s->off, (unsigned long)s->len,
		    (unsigned long long)s->have);
		break;
	case FSTOP_EMPTY_RUN:
		snprintf(buf, len, "not a drain: more than %u empty frames in "
		    "a row from offset %llu", FRAME_EMPTY_RUN_MAX,
		    (unsigned long long)(s->off - (uint64_t)FRAME_EMPTY_RUN_MAX *
		    FRAME_HDR_SIZE));
		break;
	}
	return buf;
}
