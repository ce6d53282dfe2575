#include <string.h>

#include "check.h"

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

enum { VI_BIG = -2, VI_LONG = -1, VI_SHORT = 0, VI_OK = 1 };

static const char value_past[] = "the value runs past the end of the packet";

void
pbwalk_init(struct pbwalk *w, uint64_t size)
{
	memset(w, 0, sizeof(*w));
	w->size = size;
}

uint64_t
pbwalk_skip(struct pbwalk *w)
{
	uint64_t n = w->skip;

	w->off += n;
	w->skip = 0;
	return n;
}

/*
 * Decodes a base-128 varint from [*pp, lim): VI_SHORT when lim comes
 * first, VI_LONG when it runs past 10 bytes, VI_BIG past 64 bits.
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

static enum pbwalk_ev
end_packet(struct pbwalk *w)
{
	struct pbstats *st = &w->st;

	if (w->depth > 0)
		return fail_field(w, WPE_MALFORMED_PACKET, w->pkt_end,
		    (uint64_t)w->groups[w->depth - 1] << 3 | WT_SGROUP,
		    "the group is not closed at the end of the packet");
	if (w->pkt_flags & PKT_TE)
		st->track_event++;
	if (w->pkt_flags & PKT_ID)
		st->interned_data++;
	if (w->pkt_flags & PKT_TD)
		st->track_descriptor++;
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
	st->packets++;
	w->in_pkt = 0;
	return PBWALK_NEED;
}

/*
 * Walks the fields of the current packet in [*pp, lim). When hard, lim is
 * the end of the packet; otherwise it is the end of the piece and the walk
 * stops short (PBWALK_NEED) before a token that might not fit.
 */
static enum pbwalk_ev
fields(struct pbwalk *w, const unsigned char **pp, const unsigned char *lim,
    int hard, uint64_t base, const unsigned char *buf)
{
	const unsigned char *p = *pp, *t, *vs;
	uint64_t tag, v, prest;
	unsigned field;
	size_t n;
	int r;

#define OFF(q)	(base + (uint64_t)((q) - buf))
	while (p < lim) {
		if (!hard && lim - p < PBWALK_TOKEN)
			break;
		t = p;
		if (*p < 0x80)
			tag = *p++;
		else if ((r = varint(&p, lim, &tag)) < 0)
			return fail(w, WPE_BAD_VARINT, OFF(t), r == VI_LONG ?
			    "the field tag is longer than 10 bytes" :
			    "the field tag is above 64 bits");
		else if (r == VI_SHORT)
			return fail(w, WPE_MALFORMED_PACKET, OFF(t),
			    "a field tag runs past the end of the packet");
		field = (unsigned)(tag >> 3 > PB_FIELD_MAX ? 0 : tag >> 3);
		if (tag >> 3 == 0)
			return fail_field(w, WPE_MALFORMED_PACKET, OFF(t), tag,
			    "field number 0 does not exist");
		if (tag >> 3 > PB_FIELD_MAX)
			return fail_field(w, WPE_MALFORMED_PACKET, OFF(t), tag,
			    "the field number is above 536870911");
		/* prest: the rest of the packet after p, maybe past lim. */
		switch (tag & 7) {
		case WT_VARINT:
			vs = p;
			if (p < lim && *p < 0x80)
				v = *p++;
			else if ((r = varint(&p, lim, &v)) < 0)
				return fail_field(w, WPE_BAD_VARINT, OFF(vs),
				    tag, r == VI_LONG ?
				    "the value is longer than 10 bytes" :
				    "the value is above 64 bits");
			else if (r == VI_SHORT)
				return fail_field(w, WPE_MALFORMED_PACKET,
				    OFF(t), tag, value_past);
			if (w->depth == 0) {
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
		case WT_FIXED32:
			n = (tag & 7) == WT_FIXED64 ? 8 : 4;
			prest = hard ? (uint64_t)(lim - p) :
			    w->pkt_end - OFF(p);
			/* A fixed-size value lies inside its packet. */
			if (n > prest) {
				w->err.want = n;
				w->err.got = prest;
				return fail_field(w, WPE_MALFORMED_PACKET,
				    OFF(t), tag, value_past);
			}
			if (n > (size_t)(lim - p)) {
				w->skip = n - (size_t)(lim - p);
				p = lim;
				goto out;
			}
			p += n;
			break;
		case WT_LEN:
			vs = p;
			if (p < lim && *p < 0x80)
				v = *p++;
			else if ((r = varint(&p, lim, &v)) < 0)
				return fail_field(w, WPE_BAD_VARINT, OFF(vs),
				    tag, r == VI_LONG ?
				    "the length is longer than 10 bytes" :
				    "the length is above 64 bits");
			else if (r == VI_SHORT)
				return fail_field(w, WPE_MALFORMED_PACKET,
				    OFF(t), tag, "the length runs past the end "
				    "of the packet");
			prest = hard ? (uint64_t)(lim - p) :
			    w->pkt_end - OFF(p);
			/* A length-delimited value lies inside its packet. */
			if (v > prest) {
				w->err.want = v;
				w->err.got = prest;
				return fail_field(w, WPE_MALFORMED_PACKET,
				    OFF(t), tag, value_past);
			}
			if (w->depth == 0) {
				if (field == PB_F_TRACK_EVENT)
					w->pkt_flags |= PKT_TE;
				else if (field == PB_F_INTERNED_DATA)
					w->pkt_flags |= PKT_ID;
				else if (field == PB_F_TRACK_DESCRIPTOR)
					w->pkt_flags |= PKT_TD;
			}
			if (v > (uint64_t)(lim - p)) {
				w->skip = v - (uint64_t)(lim - p);
				p = lim;
				goto out;
			}
			p += v;
			break;
		case WT_SGROUP:
			/* Protobuf's own parsers stop at this depth too. */
			if (w->depth == PBWALK_DEPTH)
				return fail_field(w, WPE_MALFORMED_PACKET,
				    OFF(t), tag,
				    "groups nest deeper than 100");
			w->groups[w->depth++] = field;
			break;
		case WT_EGROUP:
			if (w->depth == 0)
				return fail_field(w, WPE_MALFORMED_PACKET,
				    OFF(t), tag,
				    "the group ends but never started");
			if (w->groups[w->depth - 1] != field)
				return fail_field(w, WPE_MALFORMED_PACKET,
				    OFF(t), tag,
				    "the group ends inside another group");
			w->depth--;
			break;
		default:
			return fail_field(w, WPE_MALFORMED_PACKET, OFF(t), tag,
			    "wire types 6 and 7 do not exist");
		}
	}
out:
	*pp = p;
	return p < lim ? PBWALK_NEED : PBWALK_DONE;
#undef OFF
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
	w->err.got = w->size == PBWALK_SIZE_UNKNOWN ? 0 : w->size - off;
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

enum pbwalk_ev
pbwalk_feed(struct pbwalk *w, const unsigned char *buf, size_t len, int eof,
    size_t *used)
{
	const unsigned char *p = buf, *end = buf + len, *t, *lim;
	uint64_t base = w->off, v, body, left, rest;
	enum pbwalk_ev ev;
	int r, hard;

	*used = 0;
#define OFF(q)	(base + (uint64_t)((q) - buf))
	for (;;) {
		if (w->skip > 0) {
			if (w->skip > (uint64_t)(end - p)) {
				w->skip -= (uint64_t)(end - p);
				p = end;
				if (eof)
					goto truncated;
				break;
			}
			p += w->skip;
			w->skip = 0;
		}
		if (!w->in_pkt) {
			if (p == end) {
				if (eof) {
					*used = len;
					w->off = OFF(p);
					return PBWALK_DONE;
				}
				break;
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
				w->err.want = w->err.got = 0;
				return fail(w, WPE_TRUNCATED, OFF(t),
				    "the file ends inside the length");
			}
			body = OFF(p);
			/* The packet lies inside the file. */
			if (w->size != PBWALK_SIZE_UNKNOWN &&
			    v > (left = w->size - body)) {
				w->err.want = v;
				w->err.got = left;
				return fail(w, WPE_TRUNCATED, OFF(t), NULL);
			}
			w->in_pkt = 1;
			w->pkt_off = OFF(t);
			w->pkt_body = body;
			w->pkt_len = v;
			/* A stream cannot hold more; it ends first. */
			w->pkt_end = v > UINT64_MAX - body ? UINT64_MAX :
			    body + v;
			w->depth = 0;
			w->pkt_flags = 0;
			continue;
		}
		rest = w->pkt_end - OFF(p);
		if (rest == 0) {
			if ((ev = end_packet(w)) == PBWALK_FAIL)
				return ev;
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
		ev = fields(w, &p, lim, hard, base, buf);
		if (ev == PBWALK_FAIL)
			return ev;
		if (ev == PBWALK_NEED)
			break;
	}
	*used = (size_t)(p - buf);
	w->off = OFF(p);
	return PBWALK_NEED;

truncated:
	w->err.want = w->pkt_len;
	w->err.got = OFF(end) - w->pkt_body;
	return fail(w, WPE_TRUNCATED, w->pkt_off, NULL);
#undef OFF
}
