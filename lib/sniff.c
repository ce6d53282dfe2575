#include <string.h>

#include "sniff.h"
#include "frame.h"
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
 * A trace starts with 0x0a (field 1, packet, wire type 2), the packet's
 * length as a varint of at most 10 bytes, not 0, and the packet's first
 * field key: a field number other than 0 and wire type 0, 1, 2 or 5 (3
 * and 4 are groups, which Perfetto never writes; 6 and 7 do not exist).
 */
static int
is_trace(const unsigned char *h, size_t n, uint64_t *len)
{
	size_t i;
	unsigned wt;

	if (n < 3 || h[0] != 0x0a)
		return 0;
	*len = 0;
	for (i = 1; i < n && i <= 10; i++) {
		*len |= (uint64_t)(h[i] & 0x7f) << (7 * (i - 1));
		if ((h[i] & 0x80) == 0)
			break;
	}
	if (i + 1 >= n || i > 10 || *len == 0)
		return 0;
	wt = h[i + 1] & 7;
	return (h[i + 1] >> 3 != 0 || (h[i + 1] & 0x80) != 0) &&
	    (wt == 0 || wt == 1 || wt == 2 || wt == 5);
}

/* The length of the UTF-8 sequence that c starts, or 0 if none. */
static size_t
utf8_len(unsigned char c)
{
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

/*
 * Text: printable ASCII, tab, line feed, carriage return, form feed and
 * well-formed UTF-8 sequences (one cut by the end of the look is taken
 * as whole). Any other control byte, a NUL above all, is not text.
 */
static int
is_text(const unsigned char *h, size_t n)
{
	size_t i = 0, k, m;

	while (i < n) {
		if ((h[i] >= 0x20 && h[i] < 0x7f) || h[i] == '\t' ||
		    h[i] == '\n' || h[i] == '\r' || h[i] == '\f') {
			i++;
			continue;
		}
		if ((m = utf8_len(h[i])) == 0)
			return 0;
		for (k = 1; k < m && i + k < n; k++)
			if ((h[i + k] & 0xc0) != 0x80)
				return 0;
		i += m;
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
	if (is_trace(head, len < SNIFF_HEAD ? len : SNIFF_HEAD, &s->packet))
		return s->kind = SNIFF_TRACE;
	return s->kind = SNIFF_UNKNOWN;
}
