/* slicer.c: a trace into frames, as the guest sends it. */
#ifndef SLICER_H
#define SLICER_H

#include <stddef.h>
#include <stdint.h>

struct slicer {
	uint32_t cap, chunk_tag, trace_tag;
	uint32_t slice;		/* bytes in the current slice */
	uint32_t crc;
};

/* cap must be at least 1: slicer_take() takes nothing from a full slice. */
void slicer_init(struct slicer *, uint32_t cap, uint32_t chunk_tag,
    uint32_t trace_tag);
size_t slicer_take(struct slicer *, const void *, size_t);
int slicer_full(const struct slicer *);
void slicer_header(struct slicer *, int last, unsigned char *hdr);

#endif
