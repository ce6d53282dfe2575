#include <stdio.h>
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

enum sniff_kind
sniff_head(const unsigned char *head, size_t len, struct sniff *s)
{
	struct frame f;
	uint64_t plen;
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (len >= magics[i].len &&
		    memcmp(head, magics[i].bytes, magics[i].len) == 0)
			return s->kind = magics[i].kind;
	/* Its first byte is enough: no drain starts with it (below). */
	if (pbwire_trace_head(head, len, &plen) != PBWIRE_HEAD_NO)
		return s->kind = SNIFF_TRACE;
	/*
	 * A drain starts with a whole frame header (spec section 1) whose
	 * type is one ktstr defines; 0x0a is never the low byte of one, so
	 * a trace is not taken for a drain.
	 */
	if (len >= FRAME_HDR_SIZE) {
		frame_decode(head, &f);
		if (tag_name(f.type) != NULL) {
			s->type = f.type;
			s->len = f.len;
			return s->kind = SNIFF_DRAIN;
		}
	}
	return s->kind = SNIFF_UNKNOWN;
}

const char *
sniff_str(const struct sniff *s, char *buf, size_t len)
{
	char tn[TAG_NAME_MAX], c[4];

	switch (s->kind) {
	case SNIFF_DRAIN:
		tag_chars(s->type, c);
		snprintf(buf, len, "this is a drain, not a trace (first frame "
		    "%.4s, %s, %lu bytes): wprofck reassemble makes the trace "
		    "from it, wprofck frames lists its frames", c,
		    tag_type_name(s->type, tn), (unsigned long)s->len);
		break;
	case SNIFF_GZIP:
		snprintf(buf, len, "this is gzip data: unpack it with gunzip "
		    "(or zcat FILE | wprofck check -)");
		break;
	case SNIFF_ZSTD:
		snprintf(buf, len, "this is zstd data: unpack it with unzstd "
		    "(or zstdcat FILE | wprofck check -)");
		break;
	case SNIFF_XZ:
		snprintf(buf, len, "this is xz data: unpack it with unxz "
		    "(or xzcat FILE | wprofck check -)");
		break;
	default:
		return NULL;
	}
	return buf;
}
