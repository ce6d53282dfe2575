/*
 * The protobuf wire format, each rule written once: the varint, one field
 * (tag, wire type, value or length), UTF-8 for string fields, and the
 * first bytes of a Trace. The deep walk (pbwalk.c, its fast and its slow
 * path), sniff.c and the commands all decode with these, as Perfetto's
 * protozero has one ParseOneField for all its loops. Two readers that must
 * agree by comment once did not (packed one-byte ids read as 257).
 *
 * lib/gen/schemagen.c reads protoc's descriptor set with pbwire_varint()
 * too. Not here on purpose: the fuzz oracle (tests/fuzz/fuzz_pbwalk.c)
 * keeps its own naive reader, whose independence is the point of it.
 */
#ifndef PBWIRE_H
#define PBWIRE_H

#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PBWIRE_VARINT	0
#define PBWIRE_FIXED64	1
#define PBWIRE_LEN	2
#define PBWIRE_SGROUP	3
#define PBWIRE_EGROUP	4
#define PBWIRE_FIXED32	5

#define PBWIRE_FIELD_MAX	0x1fffffffu	/* 2^29 - 1 */
#define PBWIRE_TAG_PACKET	0x0a	/* Trace.packet: field 1, wire type 2 */

enum pbwire_err {
	PBWIRE_OK,
	PBWIRE_SHORT,		/* a varint: the bytes end first */
	PBWIRE_LONG,		/* a varint: more bytes than allowed */
	PBWIRE_TAG_SHORT,
	PBWIRE_TAG_LONG,	/* over 5 bytes */
	PBWIRE_FIELD_ZERO,
	PBWIRE_FIELD_BIG,	/* the number's bits are all above 2^32 */
	PBWIRE_VALUE_SHORT,
	PBWIRE_VALUE_LONG,	/* a varint value over 10 bytes */
	PBWIRE_LEN_SHORT,
	PBWIRE_LEN_LONG,	/* a length over 5 bytes */
	PBWIRE_PAST,		/* a value runs past the end of its message */
	PBWIRE_END_STRAY,	/* a group ends that never started */
	PBWIRE_END_OTHER,	/* a group ends inside another */
	PBWIRE_WT67,		/* wire types 6 and 7 */
	PBWIRE_TAG_OTHER,	/* a record of a Trace that is not a packet */
	PBWIRE_LEN_BIG,		/* a packet length above 64 bits */
};

#define PBWIRE_HIGH_BITS	0x8080808080808080ull
/* Damage is rare: its paths are laid out of the way of the good ones. */
#define PBWIRE_UNLIKELY(x)	__builtin_expect(!!(x), 0)

/*
 * A base-128 varint of at most max bytes from [*pp, lim), as protobuf
 * reads it: the bits past 64 of a tenth byte are dropped (a caller that
 * must refuse them looks at that byte). PBWIRE_SHORT when lim comes first,
 * PBWIRE_LONG when max bytes all carry on. Bytes up to bend (at or past
 * lim, the end of the buffer) may be loaded, never used.
 */
static inline enum pbwire_err
pbwire_varint(const unsigned char **pp, const unsigned char *lim,
    const unsigned char *bend, unsigned max, uint64_t *v)
{
	const unsigned char *p = *pp;
	uint64_t x, stop;
	unsigned i, n;

	/* Most are one or two bytes. */
	if (p < lim) {
		if (p[0] < 0x80) {
			*v = p[0];
			*pp = p + 1;
			return PBWIRE_OK;
		}
		if (lim - p >= 2 && max >= 2 && p[1] < 0x80) {
			*v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
			*pp = p + 2;
			return PBWIRE_OK;
		}
	}
	/* Eight bytes at once: the first with its high bit clear ends it. */
	if (bend - p >= 8) {
		memcpy(&x, p, 8);
		x = le64toh(x);
		stop = ~x & PBWIRE_HIGH_BITS;
		if (stop != 0) {
			n = (unsigned)__builtin_ctzll(stop) / 8 + 1;
			if (n > max || n > (size_t)(lim - p))
				return (size_t)(lim - p) < max ?
				    PBWIRE_SHORT : PBWIRE_LONG;
			*pp = p + n;
			/* The bytes up to the last, seven bits each. */
			x &= (stop ^ (stop - 1)) & ~PBWIRE_HIGH_BITS;
			x = (x & 0x007f007f007f007full) |
			    (x & 0x7f007f007f007f00ull) >> 1;
			x = (x & 0x00003fff00003fffull) |
			    (x & 0x3fff00003fff0000ull) >> 2;
			*v = (x & 0x000000000fffffffull) |
			    (x & 0x0fffffff00000000ull) >> 4;
			return PBWIRE_OK;
		}
	}
	x = 0;
	for (i = 0; i < max; i++) {
		if (p == lim)
			return PBWIRE_SHORT;
		x |= i < 10 ? (uint64_t)(*p & 0x7f) << (7 * i) : 0;
		if (*p++ < 0x80) {
			*v = x;
			*pp = p;
			return PBWIRE_OK;
		}
	}
	return PBWIRE_LONG;
}

/* One field as pbwire_field() found it. */
struct pbwire_field {
	uint32_t tag;		/* field << 3 | wire type, 32 bits as protobuf */
	uint32_t field;
	const unsigned char *vs;	/* just past the tag */
	const unsigned char *p;		/* the value's bytes; for a varint
					   or a group, just past the field */
	uint64_t v;		/* a varint's value */
	uint64_t len;		/* bytes at p: the length, 4 or 8, else 0 */
	uint64_t rest;		/* PBWIRE_PAST: bytes left in the message */
};

/*
 * Decodes the field at p, every wire rule at once: a tag of at most 5
 * bytes whose number is not 0, wire types 0 to 5, a varint value of at
 * most 10 bytes, a length of at most 5, a fixed or length-delimited value
 * inside its message, which has rest bytes from p on; a group end that
 * closes the innermost open group, whose field number is group (0 for
 * none). Tag and varints are read from [p, lim), which lies inside the
 * message; the value's bytes are not looked at. bend as for
 * pbwire_varint(). On an error, f holds what was decoded up to it.
 */
static inline __attribute__((always_inline)) enum pbwire_err
pbwire_field(const unsigned char *p, const unsigned char *lim,
    const unsigned char *bend, uint64_t rest, uint32_t group,
    struct pbwire_field *f)
{
	const unsigned char *q = p;
	uint64_t tag;
	enum pbwire_err r;

	/* Tags are 32 bits in at most 5 bytes; higher bits drop. */
	r = pbwire_varint(&q, lim, bend, 5, &tag);
	if (PBWIRE_UNLIKELY(r != PBWIRE_OK))
		return r == PBWIRE_SHORT ? PBWIRE_TAG_SHORT : PBWIRE_TAG_LONG;
	f->tag = (uint32_t)tag;
	f->field = f->tag >> 3;
	f->vs = q;
	f->v = 0;
	f->len = 0;
	if (PBWIRE_UNLIKELY(f->field == 0))
		return tag >> 32 != 0 ? PBWIRE_FIELD_BIG : PBWIRE_FIELD_ZERO;
	/* The commonest first; a switch here costs a second jump table. */
	if ((tag & 7) == PBWIRE_VARINT) {
		r = pbwire_varint(&q, lim, bend, 10, &f->v);
		if (PBWIRE_UNLIKELY(r != PBWIRE_OK))
			return r == PBWIRE_SHORT ? PBWIRE_VALUE_SHORT :
			    PBWIRE_VALUE_LONG;
		f->p = q;
		return PBWIRE_OK;
	}
	if ((tag & 7) == PBWIRE_LEN) {
		r = pbwire_varint(&q, lim, bend, 5, &f->len);
		if (PBWIRE_UNLIKELY(r != PBWIRE_OK))
			return r == PBWIRE_SHORT ? PBWIRE_LEN_SHORT :
			    PBWIRE_LEN_LONG;
	} else if ((tag & 7) == PBWIRE_FIXED64)
		f->len = 8;
	else if ((tag & 7) == PBWIRE_FIXED32)
		f->len = 4;
	else if ((tag & 7) == PBWIRE_EGROUP) {
		if (group == 0)
			return PBWIRE_END_STRAY;
		if (group != f->field)
			return PBWIRE_END_OTHER;
	} else if ((tag & 7) != PBWIRE_SGROUP)
		return PBWIRE_WT67;
	f->p = q;
	/* A fixed-size or length-delimited value lies inside its message. */
	if (PBWIRE_UNLIKELY(f->len > rest - (uint64_t)(q - p))) {
		f->rest = rest - (uint64_t)(q - p);
		return PBWIRE_PAST;
	}
	return PBWIRE_OK;
}

/*
 * UTF-8 as Unicode's table 3-7 has it (no overlong forms, no surrogates,
 * nothing past U+10FFFF), a byte at a time so that a sequence may be cut
 * by the end of a piece: need is how many continuation bytes are still
 * due, the next in [lo, hi].
 */
struct pbwire_utf8 {
	unsigned need;
	unsigned char lo, hi;
};

/* Takes the byte c: 0 when it cannot come next. */
static inline int
pbwire_utf8_byte(struct pbwire_utf8 *u, unsigned char c)
{
	if (u->need > 0) {
		if (c < u->lo || c > u->hi)
			return 0;
		u->need--;
		u->lo = 0x80;
		u->hi = 0xbf;
		return 1;
	}
	if (c < 0x80)
		return 1;
	u->lo = 0x80;
	u->hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		u->need = 1;
	else if (c >= 0xe0 && c <= 0xef) {
		u->need = 2;
		if (c == 0xe0)
			u->lo = 0xa0;		/* overlong */
		else if (c == 0xed)
			u->hi = 0x9f;		/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		u->need = 3;
		if (c == 0xf0)
			u->lo = 0x90;		/* overlong */
		else if (c == 0xf4)
			u->hi = 0x8f;		/* above U+10FFFF */
	} else
		return 0;
	return 1;
}

/*
 * Bytes as vectors of two words (gcc and clang lower these to SSE2 on
 * x86-64 and to pairs of words elsewhere), eight at a time: payloads of
 * kilobytes are scanned at a fifth of an instruction a byte.
 */
typedef uint64_t pbwire_v2 __attribute__((vector_size(16)));

/* How many bytes from s on are ASCII, in steps of 8: most strings are. */
static inline size_t
pbwire_ascii(const unsigned char *s, size_t n)
{
	const unsigned char *p = s, *e = s + n;
	pbwire_v2 a, b, c, d, f, g, h, k;
	uint64_t x;

	while (e - p >= 128) {
		memcpy(&a, p, 16);
		memcpy(&b, p + 16, 16);
		memcpy(&c, p + 32, 16);
		memcpy(&d, p + 48, 16);
		memcpy(&f, p + 64, 16);
		memcpy(&g, p + 80, 16);
		memcpy(&h, p + 96, 16);
		memcpy(&k, p + 112, 16);
		a |= b | c | d | f | g | h | k;
		if ((a[0] | a[1]) & PBWIRE_HIGH_BITS)
			break;
		p += 128;
	}
	while (e - p >= 16) {
		memcpy(&a, p, 16);
		if ((a[0] | a[1]) & PBWIRE_HIGH_BITS)
			break;
		p += 16;
	}
	while (e - p >= 8) {
		memcpy(&x, p, 8);
		if (x & PBWIRE_HIGH_BITS)
			break;
		p += 8;
	}
	return (size_t)(p - s);
}

/* Takes n bytes of a string: 0 at the first that cannot come next. */
static inline int
pbwire_utf8(struct pbwire_utf8 *u, const unsigned char *s, size_t n)
{
	struct pbwire_utf8 v = *u;	/* in registers while it runs */
	const unsigned char *e = s + n;

	while (s < e) {
		if (v.need == 0 && e - s >= 8) {
			s += pbwire_ascii(s, (size_t)(e - s));
			if (s == e)
				break;
		}
		if (!pbwire_utf8_byte(&v, *s++))
			return 0;
	}
	*u = v;
	return 1;
}

/* A whole string: 1 when it is UTF-8. */
static inline int
pbwire_utf8_ok(const unsigned char *s, size_t n)
{
	struct pbwire_utf8 u = { 0, 0x80, 0xbf };
	size_t i;

	/* Short ones are mostly ASCII: a byte loop is quicker. */
	if (n < 8) {
		i = 0;
		while (i < n && s[i] < 0x80)
			i++;
		if (i == n)
			return 1;
	}
	return pbwire_utf8(&u, s, n) && u.need == 0;
}

/* The length of the well-formed UTF-8 sequence at s, or 0. */
static inline size_t
pbwire_utf8_len(const unsigned char *s, size_t n)
{
	struct pbwire_utf8 u = { 0, 0x80, 0xbf };
	size_t i = 0;

	do {
		if (i == n || !pbwire_utf8_byte(&u, s[i]))
			return 0;
		i++;
	} while (u.need > 0);
	return i;
}

/*
 * Between packets a varint is 64 bits, as in the first Trace decoders: a
 * tenth byte above 1 makes the one that ran from s to p too long.
 */
static inline int
pbwire_over64(const unsigned char *s, const unsigned char *p)
{
	return p - s == 10 && s[9] > 1;
}

/*
 * The head of a record of a Trace at *pp in [*pp, lim): a tag that is
 * Trace.packet (padded or not) and a length of 64 bits, which goes to *len.
 * PBWIRE_TAG_OTHER when the record is no packet or has no tag at all.
 */
static inline enum pbwire_err
pbwire_packet(const unsigned char **pp, const unsigned char *lim,
    uint64_t *len)
{
	const unsigned char *p = *pp, *s = p;
	uint64_t tag;
	enum pbwire_err r;

	if (PBWIRE_UNLIKELY(pbwire_varint(&p, lim, lim, 10, &tag) !=
	    PBWIRE_OK || pbwire_over64(s, p) || tag != PBWIRE_TAG_PACKET))
		return PBWIRE_TAG_OTHER;
	s = p;
	r = pbwire_varint(&p, lim, lim, 10, len);
	if (PBWIRE_UNLIKELY(r != PBWIRE_OK))
		return r == PBWIRE_SHORT ? PBWIRE_LEN_SHORT : PBWIRE_LEN_LONG;
	if (PBWIRE_UNLIKELY(pbwire_over64(s, p)))
		return PBWIRE_LEN_BIG;
	*pp = p;
	return PBWIRE_OK;
}

enum pbwire_head {
	PBWIRE_HEAD_NO,		/* the first byte is not 0x0a */
	PBWIRE_HEAD_TAG,	/* 0x0a, and no well-formed packet start */
	PBWIRE_HEAD_TRACE,	/* 0x0a, a length, a first field tag */
};

/*
 * How the n bytes at h begin, as a Trace: with 0x0a (a TracePacket, the
 * tag unpadded as every writer puts it), then a length of 1 to 10 bytes,
 * not 0, then the first byte of a tag with a field number and a wire type
 * of 0, 1, 2 or 5, what a packet can start with; *len is the length.
 */
static inline enum pbwire_head
pbwire_trace_head(const unsigned char *h, size_t n, uint64_t *len)
{
	const unsigned char *p = h + 1;
	unsigned wt;

	if (n < 1 || h[0] != PBWIRE_TAG_PACKET)
		return PBWIRE_HEAD_NO;
	if (pbwire_varint(&p, h + n, h + n, 10, len) != PBWIRE_OK ||
	    *len == 0 || p == h + n)
		return PBWIRE_HEAD_TAG;
	wt = *p & 7;
	if ((*p >> 3 == 0 && *p < 0x80) ||
	    (wt != PBWIRE_VARINT && wt != PBWIRE_FIXED64 &&
	    wt != PBWIRE_LEN && wt != PBWIRE_FIXED32))
		return PBWIRE_HEAD_TAG;
	return PBWIRE_HEAD_TRACE;
}

/*
 * Writing, for salvage's rewrite (prune.c): v as a varint of the fewest
 * bytes at b, which has room for 10; returns how many it took.
 */
static inline size_t
pbwire_put_varint(unsigned char *b, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		b[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	b[n++] = (unsigned char)v;
	return n;
}

/* How many bytes pbwire_put_varint() takes for v. */
static inline size_t
pbwire_varint_size(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

#endif
