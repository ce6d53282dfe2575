#include <string.h>

#include "frame.h"
#include "pbwire.h"
#include "sniff.h"
#include "tag.h"

static const struct magic {
	enum sniff_kind kind;
	unsigned char bytes[6];
	size_t len;
} magics[] = {
	{ SNIFF_GZIP, { 0x1f, 0x8b }, 2 },		/* RFC 1952 */
	{ SNIFF_ZSTD, { 0x28, 0xb5, 0x2f, 0xfd }, 4 },	/* RFC 8878 */
	{ SNIFF_XZ, { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6 },
};

/*
 * Text: printable ASCII, tab, line feed, carriage return, form feed and
 * well-formed UTF-8 (pbwire's rule; a sequence cut by the end of the look
 * is taken as whole). Any other control byte, a NUL above all, is not.
 */
static int
is_text(const unsigned char *h, size_t n)
{
	struct pbwire_utf8 u = { 0, 0x80, 0xbf };
	size_t i;

	for (i = 0; i < n; i++) {
		if (u.need == 0 && h[i] < 0x80) {
			if ((h[i] < 0x20 && h[i] != '\t' && h[i] != '\n' &&
			    h[i] != '\r' && h[i] != '\f') || h[i] == 0x7f)
				return 0;
		} else if (!pbwire_utf8_byte(&u, h[i]))
			return 0;
	}
	return 1;
}

enum sniff_kind
sniff_head(const unsigned char *head, size_t len, struct sniff *s)
{
	struct frame f;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (len == 0)
		return s->kind = SNIFF_EMPTY;
	for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (len >= magics[i].len &&
		    memcmp(head, magics[i].bytes, magics[i].len) == 0)
			return s->kind = magics[i].kind;
	/*
	 * A drain starts with a whole frame header (spec section 1) whose
	 * type is one ktstr defines; 0x0a is never the low byte of one, so
	 * a trace is not taken for a drain. A first frame of a type not
	 * known here is left unknown: the caller walks it as it would.
	 */
	if (len >= FRAME_HDR_SIZE) {
		frame_decode(head, &f);
		if (tag_name(f.type) != NULL) {
			s->type = f.type;
			s->len = f.len;
			return s->kind = SNIFF_DRAIN;
		}
	}
	/*
	 * Text before trace: a text that starts with an empty line looks
	 * like a packet's key and length; a trace's first 16 bytes are never
	 * all printable (its varints hold bytes below 0x20 or above 0x7f).
	 */
	if (is_text(head, len < SNIFF_HEAD ? len : SNIFF_HEAD))
		return s->kind = SNIFF_TEXT;
	/*
	 * 0x0a alone is not enough: a drain whose first frame is of a type
	 * not known here may start with it, and is walked as a drain.
	 */
	if (pbwire_trace_head(head, len < SNIFF_HEAD ? len : SNIFF_HEAD,
	    &s->packet) == PBWIRE_HEAD_TRACE)
		return s->kind = SNIFF_TRACE;
	return s->kind = SNIFF_UNKNOWN;
}
