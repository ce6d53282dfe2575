/*
 * Shared by the fuzz targets: the libFuzzer entry point, a check that
 * aborts with a message, the piece sizes drawn from the input, and a
 * deliberately naive one-shot walk of a drain dump (spec sections 1 and 2)
 * that the targets compare the streaming library with.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "../../lib/err.h"
#include "../../lib/frame.h"
#include "../../lib/reasm.h"
#include "../../lib/size.h"
#include "../../lib/slicer.h"
#include "../../lib/tag.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(cond) do {						\
	if (!(cond))							\
		fuzz_fail(__FILE__, __LINE__, #cond);			\
} while (0)

void fuzz_fail(const char *, int, const char *) __attribute__((noreturn));
/* The replay driver names the input here, for the message of a failure. */
extern const char *fuzz_input_name;

/* Reads a little-endian u32 from the input, zero past its end. */
uint32_t fuzz_u32(const uint8_t *, size_t, size_t off);

/* Piece sizes: a small generator seeded from the input. */
struct pieces {
	uint32_t state;
};

void pieces_init(struct pieces *, uint32_t seed);
size_t pieces_next(struct pieces *, size_t left);
/* A copy of the piece in a buffer of its own, so ASan sees overreads. */
unsigned char *pieces_copy(const unsigned char *, size_t);

struct nframe {
	uint64_t off;
	uint32_t type, len, crc, pad;
	uint32_t crc_calc;
	int complete;		/* 0 for the header of a torn last frame */
};

struct nwalk {
	struct nframe *f;
	size_t n;		/* complete frames */
	size_t nhdr;		/* n, plus one for a torn last frame */
	struct frame_stop stop;
};

void naive_walk(const unsigned char *, size_t, uint32_t cap, struct nwalk *);
void naive_free(struct nwalk *);

struct nreasm {
	enum wperr_code code;
	size_t frame;		/* the frame that decided, but NO_TERMINAL */
	uint64_t chunks, bytes;
	unsigned char *data;	/* every wprof payload byte up to the verdict */
	size_t datalen;
	uint64_t *pads;		/* offsets of headers with a non-zero pad */
	size_t npads;
};

void naive_reasm(const unsigned char *, const struct nwalk *,
    uint32_t chunk_tag, uint32_t trace_tag, struct nreasm *);
void naive_reasm_free(struct nreasm *);

/* Words an error and checks that no "(null)" slipped into the text. */
void check_wording(const struct wperr *);

#endif
