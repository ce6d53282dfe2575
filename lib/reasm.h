/* reasm.c: the rules of spec section 2 on top of the frame walk. */
#ifndef REASM_H
#define REASM_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "frame.h"

enum reasm_ev {
	REASM_NEED,	/* feed more with reasm_input() or end with reasm_eof() */
	REASM_DATA,	/* append r->data, r->datalen to the trace */
	REASM_PAD,	/* r->fw.cur has a non-zero pad (warning only) */
	REASM_DONE,	/* the terminal frame is complete and good */
	REASM_FAIL,	/* no trace: r->err says why */
};

struct reasm {
	struct frame_walk fw;
	uint32_t chunk_tag, trace_tag;
	int copying;		/* the current frame belongs to the trace */
	int over;
	uint64_t chunks;
	uint64_t bytes;		/* trace bytes appended so far */
	const unsigned char *data;
	size_t datalen;
	struct wperr err;
};

void reasm_init(struct reasm *, uint32_t cap, uint32_t chunk_tag,
    uint32_t trace_tag);
void reasm_input(struct reasm *, const void *, size_t);
enum reasm_ev reasm_next(struct reasm *);
enum reasm_ev reasm_eof(struct reasm *);

#endif
