/* split.c: a trace into frames, as the guest sends it. */
#ifndef SPLIT_H
#define SPLIT_H

#include <stddef.h>
#include <stdint.h>

struct splitter {
	uint32_t cap, chunk_tag, trace_tag;
	uint32_t slice;		/* bytes in the current slice */
	uint32_t crc;
};

/* cap must be at least 1: split_take() takes nothing from a full slice. */
void split_init(struct splitter *, uint32_t cap, uint32_t chunk_tag,
    uint32_t trace_tag);
size_t split_take(struct splitter *, const void *, size_t);
int split_full(const struct splitter *);
void split_header(struct splitter *, int last, unsigned char *hdr);

#endif
