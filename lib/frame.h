/*
 * frame.c: the framed drain dump of spec section 1, walked over input
 * handed in pieces. Nothing here prints; a stop is data frame_stop_str()
 * words.
 */
#ifndef FRAME_H
#define FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_HDR_SIZE	16
#define FRAME_CAP_DEFAULT	(16u << 20)
/* More empty frames than this in a row: not a drain (/dev/zero is one). */
#define FRAME_EMPTY_RUN_MAX	1000000u

enum frame_stop_why {
	FSTOP_NONE = 0,		/* the walk has not stopped */
	FSTOP_CLEAN,		/* input ended on a frame boundary */
	FSTOP_PARTIAL_HEADER,	/* input ended inside a header */
	FSTOP_OVERSIZED,	/* a header claimed more than the cap */
	FSTOP_TORN,		/* input ended inside a payload */
	FSTOP_EMPTY_RUN,	/* FRAME_EMPTY_RUN_MAX empty frames, and one more */
};

/* Why and where a frame walk stopped. */
struct frame_stop {
	enum frame_stop_why why;
	uint64_t off;		/* offset of the header concerned */
	uint64_t have;		/* header or payload bytes present */
	uint32_t len;		/* the length the header claimed */
	uint32_t cap;
	uint64_t frames;	/* complete frames before the stop */
	uint64_t bytes;		/* bytes in the complete frames */
};

struct frame {
	uint64_t index;
	uint64_t off;		/* offset of the header */
	uint32_t type, len, crc, pad;
	uint32_t crc_calc;	/* valid at FRAME_END */
};

enum frame_ev {
	FRAME_NEED,	/* the piece is used up: frame_input() or frame_eof() */
	FRAME_HEADER,	/* a header within the cap: w->cur */
	FRAME_DATA,	/* payload bytes of w->cur: w->data, w->datalen */
	FRAME_END,	/* w->cur is complete; w->cur.crc_calc is set */
	FRAME_STOP,	/* oversized header or too many empty frames: w->stop */
};

struct frame_walk {
	uint32_t cap;
	const unsigned char *in;
	size_t inlen;
	uint64_t off;		/* stream offset of *in */
	unsigned char hbuf[FRAME_HDR_SIZE];
	unsigned hlen;
	int in_payload;
	uint32_t left;		/* payload bytes still to come */
	uint32_t crc;
	int skip_crc;		/* set after FRAME_HEADER to skip this CRC */
	uint32_t empty_run;	/* empty frames in a row just before */
	struct frame cur;
	uint64_t nframes;
	const unsigned char *data;
	size_t datalen;
	struct frame_stop stop;
};

void frame_init(struct frame_walk *, uint32_t cap);
void frame_input(struct frame_walk *, const void *, size_t);
enum frame_ev frame_next(struct frame_walk *);
/* The input has ended: fills w->stop and returns it. */
const struct frame_stop *frame_eof(struct frame_walk *);
/* Decodes a header from 16 bytes, little-endian field by field. */
void frame_decode(const unsigned char *, struct frame *);
void frame_encode(unsigned char *, uint32_t type, uint32_t len,
    uint32_t crc, uint32_t pad);
/* Words a stop condition: "clean end", "partial header: ...". */
const char *frame_stop_str(const struct frame_stop *, char *buf, size_t len);

#endif
