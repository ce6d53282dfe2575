#include <string.h>

#include "err.h"
#include "frame.h"
#include "reasm.h"

void
reasm_init(struct reasm *r, uint32_t cap, uint32_t chunk_tag,
    uint32_t trace_tag)
{
	memset(r, 0, sizeof(*r));
	frame_init(&r->fw, cap);
	r->chunk_tag = chunk_tag;
	r->trace_tag = trace_tag;
}

void
reasm_input(struct reasm *r, const void *buf, size_t len)
{
	frame_input(&r->fw, buf, len);
}

static enum reasm_ev
finish(struct reasm *r, enum wperr_code code)
{
	const struct frame *f = &r->fw.cur;

	r->over = 1;
	r->err.code = code;
	r->err.type = code == WPE_TORN ? f->type : r->trace_tag;
	r->err.index = f->index;
	r->err.off = f->off;
	switch (code) {
	case WPE_TORN:
		r->err.crc = f->crc;
		r->err.crc_calc = f->crc_calc;
		break;
	case WPE_NO_TERMINAL:
		r->err.stop = r->fw.stop;
		r->err.chunks = r->chunks;
		r->err.bytes = r->bytes;
		break;
	default:
		break;
	}
	return code == WPE_OK ? REASM_DONE : REASM_FAIL;
}

/*
 * Spec section 2: chunks are appended, the first terminal ends the trace,
 * a bad CRC on either tears it, other types are skipped unchecked.
 */
enum reasm_ev
reasm_next(struct reasm *r)
{
	const struct frame *f = &r->fw.cur;

	if (r->over)
		return r->err.code == WPE_OK ? REASM_DONE : REASM_FAIL;
	for (;;) {
		switch (frame_next(&r->fw)) {
		case FRAME_NEED:
			return REASM_NEED;
		case FRAME_HEADER:
			r->copying = f->type == r->trace_tag ||
			    f->type == r->chunk_tag;
			r->fw.skip_crc = !r->copying;
			if (f->pad != 0)
				return REASM_PAD;
			break;
		case FRAME_DATA:
			if (r->copying) {
				r->data = r->fw.data;
				r->datalen = r->fw.datalen;
				return REASM_DATA;
			}
			break;
		case FRAME_END:
			if (!r->copying)
				break;
			if (f->crc_calc != f->crc)
				return finish(r, WPE_TORN);
			r->bytes += f->len;
			if (f->type != r->trace_tag) {
				r->chunks++;
				break;
			}
			return finish(r, r->bytes == 0 ? WPE_EMPTY : WPE_OK);
		case FRAME_STOP:
			return finish(r, WPE_NO_TERMINAL);
		}
	}
}

enum reasm_ev
reasm_eof(struct reasm *r)
{
	if (r->over)
		return r->err.code == WPE_OK ? REASM_DONE : REASM_FAIL;
	frame_eof(&r->fw);
	return finish(r, WPE_NO_TERMINAL);
}
