#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "pbwalk.h"

#define PKT_TS		0x01
#define PKT_SEQ		0x02
#define PKT_TE		0x04
#define PKT_ID		0x08
#define PKT_TD		0x10

#define PB_FIELD_MAX	0x1fffffffu	/* 2^29 - 1 */

#define WT_VARINT	0
#define WT_FIXED64	1
#define WT_LEN		2
#define WT_SGROUP	3
#define WT_EGROUP	4
#define WT_FIXED32	5

#define PF_MSG		0
#define PF_GROUP	1
#define PF_PACKED	2

enum { VI_BIG = -2, VI_LONG = -1, VI_SHORT = 0, VI_OK = 1 };

/* What the walk did with one field: go on, or look at the stack again. */
enum { STEP_ON, STEP_STACK, STEP_FAIL };

static const char value_past[] = "the value runs past the end of the packet";
static const char value_past_msg[] =
    "the value runs past the end of its message";

void
pbwalk_init(struct pbwalk *w, uint64_t size)
{
	memset(w, 0, sizeof(*w));
	w->size = size;
	pbref_init(&w->refs);
}

void
pbwalk_free(struct pbwalk *w)
{
	pbref_free(&w->refs);
}

/*
 * Decodes a base-128 varint from [*pp, lim) as the top level reads it:
 * VI_SHORT when lim comes first, VI_LONG when it runs past 10 bytes,
 * VI_BIG past 64 bits.
 */
static inline int
varint(const unsigned char **pp, const unsigned char *lim, uint64_t *v)
{
	const unsigned char *p = *pp;
	uint64_t x = 0;
	unsigned shift;
	unsigned char b;

	for (shift = 0; shift < 64; shift += 7) {
		if (p == lim)
			return VI_SHORT;
		b = *p++;
		/* The tenth byte holds bit 63 only. */
		if (shift == 63 && b > 1)
			return b & 0x80 ? VI_LONG : VI_BIG;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (b < 0x80) {
			*v = x;
			*pp = p;
			return VI_OK;
		}
	}
	return VI_LONG;
}

/*
 * A varint of at most max bytes inside a packet, as protobuf reads it: the
 * bits past 64 of a tenth byte are dropped, not an error.
 */
static inline int
varint_in(const unsigned char **pp, const unsigned char *lim, uint64_t *v,
    unsigned max)
{
	const unsigned char *p = *pp;
	uint64_t x = 0;
	unsigned i;
	unsigned char b;

	for (i = 0; i < max; i++) {
		if (p == lim)
			return VI_SHORT;
		b = *p++;
		x |= i < 10 ? (uint64_t)(b & 0x7f) << (7 * i) : 0;
		if (b < 0x80) {
			*v = x;
			*pp = p;
			return VI_OK;
		}
	}
	return VI_LONG;
}

/*
 * Field number among the n sorted fields at f. Numbers are distinct, so
 * field n sits at index n - 1 or below; most messages number their first
 * fields without gaps.
 */
static inline const struct schema_field *
field_in(const struct schema_field *f, uint32_t n, uint32_t number)
{
	uint32_t lo = 0, hi, mid;

	hi = number < n ? number : n;
	if (hi > 0 && f[hi - 1].number == number)
		return &f[hi - 1];
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (f[mid].number == number)
			return &f[mid];
		if (f[mid].number < number)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const struct schema_field *
field_of(unsigned msg, uint32_t number)
{
	if (msg == PBWALK_NOMSG)
		return NULL;
	return field_in(&schema_fields[schema_msgs[msg].first],
	    schema_msgs[msg].nfields, number);
}

/* Appends s to the path in buf, dropping what does not fit. */
static void
path_add(char *buf, size_t size, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n >= size)
		n = size - 1 - *len;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
}

static void
path_part(char *buf, size_t size, size_t *len, unsigned msg, uint32_t field)
{
	const struct schema_field *f = field_of(msg, field);
	const char *m = msg == PBWALK_NOMSG ? "group" : schema_msgs[msg].name;
	char part[160];

	if (field == 0)
		snprintf(part, sizeof(part), "%s", m);
	else if (f != NULL)
		snprintf(part, sizeof(part), "%s.%s(%u)", m,
		    schema_field_names[f - schema_fields], field);
	else
		snprintf(part, sizeof(part), "%s.%u", m, field);
	path_add(buf, size, len, part);
}

/*
 * The fields that lead to a failure: "TracePacket.track_event(11) >
 * TrackEvent.debug_annotations(4) > DebugAnnotation.name(10)". A path
 * too long for the error keeps its end.
 */
static void
make_path(const struct pbwalk *w, uint32_t field, char *out, size_t size)
{
	char buf[PBWALK_DEPTH * 96];
	size_t len = 0, i;
	const char *cut;

	buf[0] = '\0';
	for (i = 1; i < w->depth; i++) {
		path_part(buf, sizeof(buf), &len, w->stack[i - 1].msg,
		    w->stack[i].field);
		path_add(buf, sizeof(buf), &len, " > ");
	}
	if (w->depth > 0)
		path_part(buf, sizeof(buf), &len, w->stack[w->depth - 1].msg,
		    field);
	if (len < size) {
		memcpy(out, buf, len + 1);
		return;
	}
	cut = strstr(buf + len - (size - 8), " > ");
	snprintf(out, size, "...%s", cut != NULL ? cut : buf + len - (size - 4));
}

static enum pbwalk_ev
fail(struct pbwalk *w, enum wperr_code code, uint64_t off, const char *what)
{
	w->err.code = code;
	w->err.off = off;
	w->err.index = w->st.packets;
	w->err.what = what;
	return PBWALK_FAIL;
}

static enum pbwalk_ev
fail_field(struct pbwalk *w, enum wperr_code code, uint64_t off,
    uint64_t tag, const char *what)
{
	w->err.field = (unsigned)(tag >> 3 > PB_FIELD_MAX ? 0 : tag >> 3);
	w->err.wiretype = (unsigned)(tag & 7);
	return fail(w, code, off, what);
}

/* A failure inside a packet, with the path to the field. */
static int
fail_in(struct pbwalk *w, enum wperr_code code, uint64_t off, uint64_t tag,
    const char *what)
{
	make_path(w, (uint32_t)(tag >> 3 > PB_FIELD_MAX ? 0 : tag >> 3),
	    w->err.path, sizeof(w->err.path));
	fail_field(w, code, off, tag, what);
	return STEP_FAIL;
}

static void
seq_add(struct pbstats *st, uint64_t id)
{
	unsigned i, n;

	n = st->nseq < PBWALK_SEQS ? st->nseq : PBWALK_SEQS;
	for (i = 0; i < n; i++)
		if (st->seq[i] == id)
			return;
	if (st->nseq < PBWALK_SEQS)
		st->seq[st->nseq++] = id;
	else if (!st->seq_capped) {
		st->seq_capped = 1;
		st->nseq++;
	}
}

static void
end_packet(struct pbwalk *w)
{
	struct pbstats *st = &w->st;

	if (w->pkt_flags & PKT_TE)
		st->track_event++;
	if (w->pkt_flags & PKT_ID)
		st->interned_data++;
	if (w->pkt_flags & PKT_TD)
		st->track_descriptor++;
	st->kind[w->pkt_kind]++;
	/*
	 * wprof stamps its START instant 0 whatever the clock says; counting
	 * it would make every span the time since boot.
	 */
	if (w->pkt_flags & PKT_TS && w->pkt_ts != 0) {
		if (!st->have_ts) {
			st->have_ts = 1;
			st->ts_min = st->ts_max = w->pkt_ts;
		} else if (w->pkt_ts < st->ts_min)
			st->ts_min = w->pkt_ts;
		else if (w->pkt_ts > st->ts_max)
			st->ts_max = w->pkt_ts;
	}
	if (w->pkt_flags & PKT_SEQ)
		seq_add(st, w->pkt_seq);
	/* A packet without a sequence id is on sequence 0, which none has. */
	pbref_packet(&w->refs, w->pkt_flags & PKT_SEQ ? w->pkt_seq : 0,
	    st->packets);
	st->packets++;
	w->in_pkt = 0;
	w->depth = 0;
	w->good_end = w->pkt_end;
	w->good_packets = st->packets;
}

#define HIGH_BITS	0x8080808080808080ull

/* How many bytes from s on are ASCII, in steps of 8: most strings are. */
static inline size_t
ascii_run(const unsigned char *s, size_t n)
{
	uint64_t a, b, c, d;
	size_t i = 0;

	while (n - i >= 32) {
		memcpy(&a, s + i, 8);
		memcpy(&b, s + i + 8, 8);
		memcpy(&c, s + i + 16, 8);
		memcpy(&d, s + i + 24, 8);
		if ((a | b | c | d) & HIGH_BITS)
			break;
		i += 32;
	}
	while (n - i >= 8) {
		memcpy(&a, s + i, 8);
		if (a & HIGH_BITS)
			break;
		i += 8;
	}
	return i;
}

/*
 * Checks n bytes of a string as UTF-8 (Unicode's table 3-7: no overlong
 * forms, no surrogates, nothing past U+10FFFF), carrying a sequence cut
 * by the end of the piece over in w. 0 at the first bad byte.
 */
static inline int
utf8_scan(const unsigned char *s, size_t n, unsigned *needp,
    unsigned char *lop, unsigned char *hip)
{
	const unsigned char *e = s + n;
	unsigned need = *needp;
	unsigned char lo = *lop, hi = *hip, c;

	while (s < e) {
		if (need == 0 && e - s >= 8)
			s += ascii_run(s, (size_t)(e - s));
		if (s == e)
			break;
		c = *s++;
		if (need > 0) {
			if (c < lo || c > hi)
				return 0;
			need--;
			lo = 0x80;
			hi = 0xbf;
			continue;
		}
		if (c < 0x80)
			continue;
		lo = 0x80;
		hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf)
			need = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else
			return 0;
	}
	*needp = need;
	*lop = lo;
	*hip = hi;
	return 1;
}

static int
utf8_run(struct pbwalk *w, const unsigned char *s, size_t n)
{
	return utf8_scan(s, n, &w->u8need, &w->u8lo, &w->u8hi);
}

static const char bad_utf8[] = "the string is not valid UTF-8";

/* A whole string in one piece: 1 when it is UTF-8. */
static inline int
utf8_ok(const unsigned char *s, size_t n)
{
	unsigned need = 0;
	unsigned char lo = 0x80, hi = 0xbf;

	return utf8_scan(s, n, &need, &lo, &hi) && need == 0;
}

/* The same for fewer than 8 bytes, most of them ASCII. */
static inline int
utf8_short(const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] >= 0x80)
			return utf8_ok(s, n);
	return 1;
}

static inline int
push(struct pbwalk *w, uint64_t off, uint64_t tag, uint64_t end,
    unsigned msg, unsigned kind, unsigned ref)
{
	struct pbframe *f;

	/* Protobuf's own parsers stop at this depth too. */
	if (kind != PF_PACKED && w->depth >= PBWALK_DEPTH)
		return fail_in(w, WPE_MALFORMED_PACKET, off, tag,
		    "messages and groups nest deeper than 100");
	f = &w->stack[w->depth++];
	if (msg == PBWALK_NOMSG) {
		f->fields = NULL;
		f->nfields = 0;
	} else {
		f->fields = &schema_fields[schema_msgs[msg].first];
		f->nfields = schema_msgs[msg].nfields;
	}
	f->end = end;
	f->field = (uint32_t)(tag >> 3);
	f->msg = (uint16_t)msg;
	f->kind = (uint8_t)kind;
	f->ref = (uint8_t)ref;
	f->tag_off = off;
	f->wt = (uint8_t)(tag & 7);
	return STEP_STACK;
}

#define OFF(q)	(base + (uint64_t)((q) - buf))

/*
 * The values of a packed repeated varint field in [*pp, lim). When hard,
 * lim is the end of the field.
 */
static int
packed(struct pbwalk *w, const unsigned char **pp, const unsigned char *lim,
    int hard, uint64_t base, const unsigned char *buf)
{
	struct pbframe *fr = &w->stack[w->depth - 1];
	const unsigned char *p = *pp, *vs;
	uint64_t v, tag = (uint64_t)fr->field << 3 | WT_LEN;
	int r;

	while (p < lim) {
		if (!hard && lim - p < PBWALK_TOKEN)
			break;
		vs = p;
		if ((r = varint_in(&p, lim, &v, 10)) == VI_LONG) {
			*pp = p;
			return fail_in(w, WPE_BAD_VARINT, OFF(vs), tag,
			    "a packed value is longer than 10 bytes");
		}
		if (r == VI_SHORT) {
			*pp = p;
			return fail_in(w, WPE_MALFORMED_PACKET, OFF(vs), tag,
			    "a packed value runs past the end of its field");
		}
		if (fr->ref != SR_NONE)
			pbref_add(&w->refs, fr->ref, v, OFF(vs));
	}
	*pp = p;
	return STEP_ON;
}

/*
 * The fields of the innermost message or group in [*pp, lim). When hard,
 * lim is its end; otherwise it is the end of the piece and the walk stops
 * short before a token that might not fit. Returns STEP_STACK when the
 * stack changed or a value goes on in the next piece.
 */
static int
fields(struct pbwalk *w, const unsigned char **pp, const unsigned char *lim,
    int hard, const unsigned char *end, uint64_t base,
    const unsigned char *buf)
{
	struct pbframe *fr = &w->stack[w->depth - 1];
	const struct schema_field *f;
	const unsigned char *p = *pp, *t, *vs;
	uint64_t tag, v, prest;
	uint32_t field;
	size_t n, avail;
	int r, top = w->depth == 1, ret = STEP_ON;
	unsigned k;

	for (;;) {
	while (p < lim) {
		if (!hard && lim - p < PBWALK_TOKEN)
			break;
		t = p;
		/* Tags are 32 bits in at most 5 bytes; higher bits drop. */
		if (*p < 0x80)
			tag = *p++;
		else if ((r = varint_in(&p, lim, &tag, 5)) == VI_LONG) {
			ret = fail_in(w, WPE_BAD_VARINT, OFF(t), 0,
			    "the field tag is longer than 5 bytes");
			goto out;
		} else if (r == VI_SHORT) {
			ret = fail_in(w, WPE_MALFORMED_PACKET, OFF(t), 0,
			    "a field tag runs past the end of the packet");
			goto out;
		}
		if ((uint32_t)tag >> 3 == 0) {
			ret = fail_in(w, WPE_MALFORMED_PACKET, OFF(t), 0,
			    tag >> 32 != 0 ?
			    "the field number is above 536870911" :
			    "field number 0 does not exist");
			w->err.wiretype = (unsigned)(tag & 7);
			goto out;
		}
		tag = (uint32_t)tag;
		field = (uint32_t)(tag >> 3);
		f = fr->fields != NULL ? field_in(fr->fields, fr->nfields,
		    field) : NULL;
		prest = fr->end - OFF(p);
		switch (tag & 7) {
		case WT_VARINT:
			vs = p;
			if (p < lim && *p < 0x80)
				v = *p++;
			else if ((r = varint_in(&p, lim, &v, 10)) ==
			    VI_LONG) {
				ret = fail_in(w, WPE_BAD_VARINT, OFF(vs), tag,
				    "the value is longer than 10 bytes");
				goto out;
			} else if (r == VI_SHORT) {
				ret = fail_in(w, WPE_MALFORMED_PACKET, OFF(t),
				    tag, top ? value_past : value_past_msg);
				goto out;
			}
			if (top) {
				pbref_top(&w->refs, field, v);
				if (field == PB_F_TIMESTAMP) {
					w->pkt_ts = v;
					w->pkt_flags |= PKT_TS;
				} else if (field == PB_F_SEQ_ID) {
					w->pkt_seq = v;
					w->pkt_flags |= PKT_SEQ;
				}
			}
			if (f != NULL && SF_REF(f) != SR_NONE &&
			    f->kind <= SK_ENUM)
				pbref_add(&w->refs, SF_REF(f), v, OFF(t));
			else if (fr->ref != SR_NONE && field == 1)
				pbref_add(&w->refs, fr->ref, v, OFF(t));
			break;
		case WT_FIXED64:
		case WT_FIXED32:
			n = (tag & 7) == WT_FIXED64 ? 8 : 4;
			/* A fixed-size value lies inside its message. */
			if (n > prest) {
				w->err.len = n;
				w->err.left = prest;
				ret = fail_in(w, WPE_MALFORMED_LENGTH, OFF(t),
				    tag, top ? value_past : value_past_msg);
				goto out;
			}
			if (n > (size_t)(lim - p)) {
				w->left = n - (size_t)(lim - p);
				w->utf8 = 0;
				w->leaf_off = OFF(t);
				w->leaf_tag = (uint32_t)tag;
				p = lim;
				ret = STEP_STACK;
				goto out;
			}
			p += n;
			break;
		case WT_LEN:
			vs = p;
			if (p < lim && *p < 0x80)
				v = *p++;
			else if ((r = varint_in(&p, lim, &v, 5)) == VI_LONG) {
				ret = fail_in(w, WPE_BAD_VARINT, OFF(vs), tag,
				    "the length is longer than 5 bytes");
				goto out;
			} else if (r == VI_SHORT) {
				ret = fail_in(w, WPE_MALFORMED_PACKET, OFF(t),
				    tag, top ? "the length runs past the end "
				    "of the packet" : "the length runs past the "
				    "end of its message");
				goto out;
			}
			prest = fr->end - OFF(p);
			/* A length-delimited value lies inside its message. */
			if (v > prest) {
				w->err.len = v;
				w->err.left = prest;
				ret = fail_in(w, WPE_MALFORMED_LENGTH, OFF(t),
				    tag, top ? value_past : value_past_msg);
				goto out;
			}
			if (top) {
				if (field == PB_F_TRACK_EVENT)
					w->pkt_flags |= PKT_TE;
				else if (field == PB_F_INTERNED_DATA)
					w->pkt_flags |= PKT_ID;
				else if (field == PB_F_TRACK_DESCRIPTOR)
					w->pkt_flags |= PKT_TD;
				if (f != NULL && f->flags & SF_PAYLOAD)
					w->pkt_kind = (unsigned)(f -
					    &schema_fields[schema_msgs[
					    SCHEMA_TRACE_PACKET].first]);
			}
			k = f == NULL ? SK_BYTES : f->kind;
			if (k == SK_MESSAGE) {
				ret = push(w, OFF(t), tag, OFF(p) + v, f->msg,
				    PF_MSG, SF_REF(f) > SR_KINDS ? SF_REF(f) : 0);
				if (ret == STEP_FAIL || v > (uint64_t)(end - p))
					goto out;
				/* All of it is here: walk it right away. */
				fr = &w->stack[w->depth - 1];
				lim = p + v;
				hard = 1;
				top = 0;
				continue;
			}
			if (k <= SK_ENUM && f->flags & SF_REPEATED) {
				ret = push(w, OFF(t), tag, OFF(p) + v,
				    PBWALK_NOMSG, PF_PACKED, SF_REF(f));
				goto out;
			}
			if ((k == SK_FIXED32 || k == SK_FIXED64) &&
			    f->flags & SF_REPEATED &&
			    v % (k == SK_FIXED32 ? 4 : 8) != 0) {
				ret = fail_in(w, WPE_MALFORMED_PACKET, OFF(t),
				    tag, "the packed values do not fill their "
				    "field");
				goto out;
			}
			avail = (size_t)(lim - p);
			w->utf8 = k == SK_STRING;
			w->u8need = 0;
			if (v <= avail) {
				if (w->utf8 && (!utf8_run(w, p, (size_t)v) ||
				    w->u8need != 0)) {
					ret = fail_in(w, WPE_MALFORMED_PACKET,
					    OFF(t), tag, bad_utf8);
					goto out;
				}
				w->utf8 = 0;
				p += v;
				break;
			}
			if (w->utf8 && !utf8_run(w, p, avail)) {
				ret = fail_in(w, WPE_MALFORMED_PACKET, OFF(t),
				    tag, bad_utf8);
				goto out;
			}
			w->left = v - avail;
			w->leaf_off = OFF(t);
			w->leaf_tag = (uint32_t)tag;
			p = lim;
			ret = STEP_STACK;
			goto out;
		case WT_SGROUP:
			ret = push(w, OFF(t), tag, fr->end,
			    f != NULL && f->kind == SK_GROUP ? f->msg :
			    PBWALK_NOMSG, PF_GROUP, 0);
			goto out;
		case WT_EGROUP:
			if (fr->kind != PF_GROUP) {
				ret = fail_in(w, WPE_MALFORMED_PACKET, OFF(t),
				    tag, "the group ends but never started");
				goto out;
			}
			if (fr->field != field) {
				ret = fail_in(w, WPE_MALFORMED_PACKET, OFF(t),
				    tag, "the group ends inside another group");
				goto out;
			}
			w->depth--;
			ret = STEP_STACK;
			goto out;
		default:
			ret = fail_in(w, WPE_MALFORMED_PACKET, OFF(t), tag,
			    "wire types 6 and 7 do not exist");
			goto out;
		}
	}
	/* A message ends inside the piece: go on with its parent. */
	if (!hard || w->depth == 1 || fr->kind != PF_MSG ||
	    fr->end != OFF(p))
		break;
	w->depth--;
	fr = &w->stack[w->depth - 1];
	top = w->depth == 1;
	ret = STEP_STACK;
	prest = fr->end - OFF(p);
	if (prest == 0)
		break;
	hard = prest <= (uint64_t)(end - p);
	lim = hard ? p + prest : end;
	}
out:
	*pp = p;
	return ret;
}

/*
 * The quick walk: a packet whose body is all in the piece, walked without
 * offsets or frames. It only says yes (0) or no (-1). On no, or on what it
 * leaves to fields() (groups, tags past 2 bytes, deep nesting), the packet
 * is walked again from its start by fields(), which finds and words the
 * failure; so it must never say yes where fields() fails, and on yes it
 * leaves what fields() would: the packet's facts and its references.
 */
#define QUICK_DEPTH	64

/*
 * Steps over a varint that ends before e, as varint_in(..., 10) reads it:
 * 0, or -1 when it does not. Eight bytes at a time while the piece, which
 * ends at bend, holds them.
 */
/*
 * The eight bytes at p as one word, and the length of the varint that
 * starts there: the first byte with its high bit clear, or 0 when none of
 * the eight has it (then the slow path decides).
 */
static inline unsigned
varint_len8(const unsigned char *p, uint64_t *x, uint64_t *stop)
{
	memcpy(x, p, 8);
	*x = le64toh(*x);
	*stop = ~*x & HIGH_BITS;
	return *stop != 0 ? (unsigned)__builtin_ctzll(*stop) / 8 + 1 : 0;
}

static inline int
varint_skip(const unsigned char **pp, const unsigned char *e,
    const unsigned char *bend)
{
	const unsigned char *p = *pp;
	uint64_t x, stop;
	unsigned n;

	if (bend - p >= 8 && (n = varint_len8(p, &x, &stop)) != 0) {
		if (n > (size_t)(e - p))
			return -1;
		*pp = p + n;
		return 0;
	}
	return varint_in(pp, e, &x, 10) == VI_OK ? 0 : -1;
}

/* The same, with the value. */
static inline int
varint_value(const unsigned char **pp, const unsigned char *e,
    const unsigned char *bend, uint64_t *v)
{
	const unsigned char *p = *pp;
	uint64_t x, stop;
	unsigned n;

	if (p < e && p[0] < 0x80) {
		*v = p[0];
		*pp = p + 1;
		return 0;
	}
	if (e - p >= 2 && p[1] < 0x80) {
		*v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
		*pp = p + 2;
		return 0;
	}
	if (bend - p >= 8 && (n = varint_len8(p, &x, &stop)) != 0) {
		if (n > (size_t)(e - p))
			return -1;
		*pp = p + n;
		/* The bytes up to the last, seven bits each. */
		x &= (stop ^ (stop - 1)) & ~HIGH_BITS;
		x = (x & 0x007f007f007f007full) |
		    (x & 0x7f007f007f007f00ull) >> 1;
		x = (x & 0x00003fff00003fffull) |
		    (x & 0x3fff00003fff0000ull) >> 2;
		*v = (x & 0x000000000fffffffull) |
		    (x & 0x0fffffff00000000ull) >> 4;
		return 0;
	}
	return varint_in(pp, e, v, 10) == VI_OK ? 0 : -1;
}

/* A message of the quick walk: where it ends, what it is. */
struct qframe {
	const unsigned char *e;
	uint32_t msg;
	uint32_t dref;		/* SR_DEF_x of field 1, or SR_NONE */
};

#define QOFF(q)	(base + (uint64_t)((q) - buf))

/*
 * The body of a packet at [p, e), in a piece that ends at bend and whose
 * first byte buf is at offset base: 0 when it is good, as fields() finds.
 */
static int
quick_walk(struct pbwalk *w, const unsigned char *p, const unsigned char *e,
    const unsigned char *bend, uint64_t base, const unsigned char *buf)
{
	struct qframe stack[QUICK_DEPTH];
	const struct schema_field *f, *fs;
	const struct schema_msg *m;
	const unsigned char *t, *vs, *ve;
	const uint16_t *dense;
	uint32_t tag, field, nd, msg = SCHEMA_TRACE_PACKET;
	uint64_t v;
	unsigned k, sp = 0, ref, dref = SR_NONE;

	for (;;) {
enter:
	m = &schema_msgs[msg];
	fs = &schema_fields[m->first];
	dense = &schema_dense[m->dense];
	nd = m->ndense;
	while (p < e) {
		t = p;
		tag = *p++;
		if (tag >= 0x80) {
			if (p == e || *p >= 0x80)
				return -1;
			tag = (tag & 0x7f) | (uint32_t)*p++ << 7;
		}
		field = tag >> 3;
		if (field == 0)
			return -1;
		if (field < nd)
			f = &schema_fields[dense[field]];
		else if ((f = field_in(fs, m->nfields, field)) == NULL)
			f = &schema_fields[SCHEMA_UNKNOWN];
		switch (tag & 7) {
		case WT_VARINT:
			ref = SF_REF(f) != SR_NONE && f->kind <= SK_ENUM ?
			    SF_REF(f) : field == 1 ? dref : SR_NONE;
			if (p < e && *p < 0x80)
				v = *p++;
			else if (ref == SR_NONE && sp > 0) {
				if (varint_skip(&p, e, bend) != 0)
					return -1;
				break;
			} else if (varint_value(&p, e, bend, &v) != 0)
				return -1;
			if (ref != SR_NONE)
				pbref_add(&w->refs, ref, v, QOFF(t));
			if (sp == 0) {
				pbref_top(&w->refs, field, v);
				if (field == PB_F_TIMESTAMP) {
					w->pkt_ts = v;
					w->pkt_flags |= PKT_TS;
				} else if (field == PB_F_SEQ_ID) {
					w->pkt_seq = v;
					w->pkt_flags |= PKT_SEQ;
				}
			}
			break;
		case WT_FIXED64:
			if (e - p < 8)
				return -1;
			p += 8;
			break;
		case WT_FIXED32:
			if (e - p < 4)
				return -1;
			p += 4;
			break;
		case WT_LEN:
			if (p < e && *p < 0x80)
				v = *p++;
			else if (varint_in(&p, e, &v, 5) != VI_OK)
				return -1;
			if (v > (uint64_t)(e - p))
				return -1;
			ve = p + v;
			if (sp == 0) {
				if (field == PB_F_TRACK_EVENT)
					w->pkt_flags |= PKT_TE;
				else if (field == PB_F_INTERNED_DATA)
					w->pkt_flags |= PKT_ID;
				else if (field == PB_F_TRACK_DESCRIPTOR)
					w->pkt_flags |= PKT_TD;
				if (f->flags & SF_PAYLOAD)
					w->pkt_kind = (unsigned)(f - fs);
			}
			k = f->kind;
			if (k == SK_MESSAGE) {
				/* Deep ones are left to fields() and its limit. */
				if (sp == QUICK_DEPTH)
					return -1;
				stack[sp].e = e;
				stack[sp].msg = msg;
				stack[sp].dref = dref;
				sp++;
				e = ve;
				msg = f->msg;
				dref = SF_REF(f) > SR_KINDS ? SF_REF(f) : SR_NONE;
				goto enter;
			}
			if (k == SK_STRING) {
				if (v >= 8 ? !utf8_ok(p, (size_t)v) :
				    !utf8_short(p, (size_t)v))
					return -1;
			} else if (f->flags & SF_REPEATED) {
				if (k <= SK_ENUM) {
					while (p < ve) {
						vs = p;
						if (varint_value(&p, ve, bend,
						    &v) != 0)
							return -1;
						if (SF_REF(f) != SR_NONE)
							pbref_add(&w->refs,
							    SF_REF(f), v,
							    QOFF(vs));
					}
				} else if ((k == SK_FIXED32 && v % 4 != 0) ||
				    (k == SK_FIXED64 && v % 8 != 0))
					return -1;
			}
			p = ve;
			break;
		default:
			return -1;
		}
	}
	if (sp == 0)
		return 0;
	sp--;
	e = stack[sp].e;
	msg = stack[sp].msg;
	dref = stack[sp].dref;
	}
}
#undef QOFF

/* The body of a packet at [p, e): 0, or -1 with the packet's facts reset. */
static int
quick_packet(struct pbwalk *w, const unsigned char *p, const unsigned char *e,
    const unsigned char *bend, uint64_t base, const unsigned char *buf)
{
	if (quick_walk(w, p, e, bend, base, buf) == 0)
		return 0;
	w->pkt_flags = 0;
	w->pkt_kind = SCHEMA_TRACE_PACKET_NFIELDS;
	w->refs.npend = 0;
	return -1;
}

/*
 * At a record boundary, a byte other than 0x0a either starts a well-formed
 * record of another field (not a trace) or cannot start a record at all
 * (trailing bytes).
 */
static enum pbwalk_ev
not_packet(struct pbwalk *w, const unsigned char *p, const unsigned char *end,
    uint64_t off)
{
	uint64_t tag;
	int r;

	r = varint(&p, end, &tag);
	w->err.trailing = w->size == PBWALK_SIZE_UNKNOWN ? 0 : w->size - off;
	if (r != VI_OK)
		return fail(w, WPE_TRAILING_BYTES, off,
		    "no field tag starts there");
	if (tag >> 3 == 0)
		return fail_field(w, WPE_TRAILING_BYTES, off, tag,
		    "field number 0 does not exist");
	if (tag >> 3 > PB_FIELD_MAX)
		return fail_field(w, WPE_TRAILING_BYTES, off, tag,
		    "the field number is above 536870911");
	switch (tag & 7) {
	case WT_EGROUP:
		return fail_field(w, WPE_TRAILING_BYTES, off, tag,
		    "a group ends that never started");
	case 6:
	case 7:
		return fail_field(w, WPE_TRAILING_BYTES, off, tag,
		    "wire types 6 and 7 do not exist");
	}
	return fail_field(w, WPE_NOT_A_TRACE, off, tag, NULL);
}

/* The end of a message, group or packed field: 0, or STEP_FAIL. */
static int
pop(struct pbwalk *w)
{
	struct pbframe *fr = &w->stack[w->depth - 1];

	if (fr->kind == PF_GROUP) {
		w->depth--;
		w->err.index = w->st.packets;
		fail_in(w, WPE_MALFORMED_PACKET, fr->end,
		    (uint64_t)fr->field << 3 | WT_SGROUP,
		    fr->end == w->pkt_end ? "the group is not closed at the "
		    "end of the packet" : "the group is not closed at the end "
		    "of its message");
		return STEP_FAIL;
	}
	if (w->depth == 1)
		end_packet(w);
	else
		w->depth--;
	return 0;
}

enum pbwalk_ev
pbwalk_feed(struct pbwalk *w, const unsigned char *buf, size_t len, int eof,
    size_t *used)
{
	const unsigned char *p = buf, *end = buf + len, *t, *lim;
	uint64_t base = w->off, v, body, left, rest, n;
	struct pbframe *fr;
	int r, hard;

	*used = 0;
	for (;;) {
		if (w->left > 0) {
			n = w->left < (uint64_t)(end - p) ? w->left :
			    (uint64_t)(end - p);
			if (w->utf8 && !utf8_run(w, p, (size_t)n))
				goto bad_utf8;
			p += n;
			w->left -= n;
			if (w->left > 0) {
				if (eof)
					goto truncated;
				break;
			}
			if (w->utf8 && w->u8need != 0)
				goto bad_utf8;
			w->utf8 = 0;
		}
		if (!w->in_pkt) {
			if (p == end) {
				if (!eof)
					break;
				*used = len;
				w->off = OFF(p);
				if (pbref_resolve(&w->refs, &w->err) == -1)
					return PBWALK_FAIL;
				w->st.refs_checked = w->refs.checked;
				w->st.refs_capped = w->refs.capped;
				return PBWALK_DONE;
			}
			if (end - p < PBWALK_TOKEN && !eof)
				break;
			t = p;
			if (*p == PB_TAG_PACKET)
				p++;
			else if (varint(&p, end, &v) != VI_OK ||
			    v != PB_TAG_PACKET)
				return not_packet(w, t, end, OFF(t));
			if ((r = varint(&p, end, &v)) < 0)
				return fail(w, WPE_BAD_VARINT, OFF(t),
				    r == VI_LONG ? "the packet length is "
				    "longer than 10 bytes" :
				    "the packet length is above 64 bits");
			if (r == VI_SHORT) {
				return fail(w, WPE_TRUNCATED_LENGTH, OFF(t),
				    NULL);
			}
			body = OFF(p);
			/* The packet lies inside the file. */
			if (w->size != PBWALK_SIZE_UNKNOWN &&
			    v > (left = w->size - body)) {
				w->err.claimed = v;
				w->err.present = left;
				return fail(w, WPE_TRUNCATED, OFF(t), NULL);
			}
			w->in_pkt = 1;
			w->pkt_off = OFF(t);
			w->pkt_body = body;
			w->pkt_len = v;
			/* A stream cannot hold more; it ends first. */
			w->pkt_end = v > UINT64_MAX - body ? UINT64_MAX :
			    body + v;
			w->pkt_flags = 0;
			w->pkt_kind = SCHEMA_TRACE_PACKET_NFIELDS;
			if (v <= (uint64_t)(end - p) &&
			    quick_packet(w, p, p + v, end, base, buf) == 0) {
				p += v;
				end_packet(w);
				continue;
			}
			w->depth = 1;
			fr = &w->stack[0];
			fr->end = w->pkt_end;
			fr->field = 1;
			fr->msg = SCHEMA_TRACE_PACKET;
			fr->fields = &schema_fields[schema_msgs[
			    SCHEMA_TRACE_PACKET].first];
			fr->nfields = SCHEMA_TRACE_PACKET_NFIELDS;
			fr->kind = PF_MSG;
			fr->ref = SR_NONE;
			fr->tag_off = w->pkt_off;
			continue;
		}
		fr = &w->stack[w->depth - 1];
		rest = fr->end - OFF(p);
		if (rest == 0) {
			if (pop(w) == STEP_FAIL)
				return PBWALK_FAIL;
			continue;
		}
		hard = rest <= (uint64_t)(end - p);
		if (hard)
			lim = p + rest;
		else if (eof)
			goto truncated;
		else if (end - p < PBWALK_TOKEN)
			break;
		else
			lim = end;
		if (fr->kind == PF_PACKED)
			r = packed(w, &p, lim, hard, base, buf);
		else
			r = fields(w, &p, lim, hard, end, base, buf);
		if (r == STEP_FAIL)
			return PBWALK_FAIL;
		if (r == STEP_ON && !hard)
			break;
	}
	*used = (size_t)(p - buf);
	w->off = OFF(p);
	return PBWALK_NEED;

truncated:
	w->err.claimed = w->pkt_len;
	w->err.present = OFF(end) - w->pkt_body;
	return fail(w, WPE_TRUNCATED, w->pkt_off, NULL);

bad_utf8:
	fail_in(w, WPE_MALFORMED_PACKET, w->leaf_off, w->leaf_tag, bad_utf8);
	return PBWALK_FAIL;
}
#undef OFF

static int
by_count(const void *a, const void *b)
{
	const struct pbkind_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

size_t
pbstats_kinds(const struct pbstats *st, struct pbkind_count *out, size_t max)
{
	struct pbkind_count all[SCHEMA_TRACE_PACKET_NFIELDS + 1];
	const struct schema_field *f;
	size_t i, n = 0;

	f = &schema_fields[schema_msgs[SCHEMA_TRACE_PACKET].first];
	for (i = 0; i <= SCHEMA_TRACE_PACKET_NFIELDS; i++) {
		if (st->kind[i] == 0)
			continue;
		all[n].name = i < SCHEMA_TRACE_PACKET_NFIELDS ?
		    schema_field_names[f + i - schema_fields] : "none";
		all[n].n = st->kind[i];
		n++;
	}
	qsort(all, n, sizeof(all[0]), by_count);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(all[0]));
	return n;
}
