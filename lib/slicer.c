#include <string.h>
#include <zlib.h>

#include "frame.h"
#include "slicer.h"

/* The guest's side of spec section 2, one slice at a time. */
void
slicer_init(struct slicer *s, uint32_t cap, uint32_t chunk_tag,
    uint32_t trace_tag)
{
	memset(s, 0, sizeof(*s));
	s->cap = cap;
	s->chunk_tag = chunk_tag;
	s->trace_tag = trace_tag;
}

/* Adds up to len bytes to the current slice; returns how many fit. */
size_t
slicer_take(struct slicer *s, const void *buf, size_t len)
{
	if (len > s->cap - s->slice)
		len = s->cap - s->slice;
	s->crc = (uint32_t)crc32(s->crc, buf, (uInt)len);
	s->slice += (uint32_t)len;
	return len;
}

int
slicer_full(const struct slicer *s)
{
	return s->slice == s->cap;
}

/*
 * Ends the current slice: a chunk when more input follows it, else the
 * terminal (so a full last slice is a terminal of cap bytes).
 */
void
slicer_header(struct slicer *s, int last, unsigned char *hdr)
{
	frame_encode(hdr, last ? s->trace_tag : s->chunk_tag, s->slice,
	    s->crc, 0);
	s->slice = 0;
	s->crc = 0;
}
