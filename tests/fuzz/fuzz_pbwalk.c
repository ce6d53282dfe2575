/*
 * The deep walk of check. With bit 0 of the first byte clear, arbitrary
 * bytes; with it set, the rest of the input is a program that builds a
 * Trace of packets with well-formed wire encoding (the schema may still
 * refuse it). Either way the walk must give the verdict, the place and
 * the figures of a naive recursive walk over the whole buffer (naive_pb
 * below, written from the rules, not from lib/pbwalk.c), the same whether
 * the file comes in one piece or many (and through artifact_check_fd()
 * from a file or a pipe). Input: mode byte, buffer size (1), piece seed
 * (2), data.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "../../lib/artifact.h"
#include "../../lib/err.h"
#include "../../lib/pbwalk.h"
#include "../../lib/schema.h"

#define PREFIX		4
#define GEN_MAX		(1u << 14)	/* bytes a program may build */
#define GEN_MSG_DEPTH	4

struct src {
	const uint8_t *p;
	size_t len, pos;
};

struct buf {
	unsigned char *p;
	size_t len, size;
	int full;
};

static unsigned
take(struct src *s)
{
	return s->pos < s->len ? s->p[s->pos++] : 0;
}

static uint64_t
take64(struct src *s, unsigned n)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)take(s) << (8 * i);
	return v;
}

static void
put(struct buf *b, const void *p, size_t n)
{
	size_t size;

	if (b->full || n > GEN_MAX - b->len) {
		b->full = 1;
		return;
	}
	if (b->len + n > b->size) {
		size = b->size == 0 ? 256 : b->size;
		while (size < b->len + n)
			size *= 2;
		if ((b->p = realloc(b->p, size)) == NULL)
			abort();
		b->size = size;
	}
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* A varint, padded with pad redundant bytes while it stays within 10. */
static void
put_varint(struct buf *b, uint64_t v, unsigned pad)
{
	unsigned char t[10];
	size_t n = 0;

	do {
		t[n++] = (unsigned char)(v & 0x7f) | 0x80;
		v >>= 7;
	} while (v != 0);
	while (pad-- > 0 && n < 10)
		t[n++] = 0x80;
	t[n - 1] &= 0x7f;
	put(b, t, n);
}

struct pkt {
	int ts, seq, te, id, td;
	uint64_t tsv, seqv;
};

static const uint32_t fieldnums[] = {
	PB_F_TIMESTAMP, PB_F_SEQ_ID, PB_F_TRACK_EVENT, PB_F_INTERNED_DATA,
	PB_F_TRACK_DESCRIPTOR, 1, 6, 45, 0x1fffffff,
};

/*
 * Fields of one message, as many as the program says. Top-level fields of
 * a packet (pk set, outside groups) are what the walk counts.
 */
static void
gen_fields(struct src *s, struct buf *b, unsigned gdepth, unsigned mdepth,
    struct pkt *pk)
{
	struct buf sub;
	unsigned n, i, op, pad, k, j;
	uint32_t field;
	uint64_t v;
	int top = pk != NULL && gdepth == 0;

	n = take(s) % 8;
	for (i = 0; i < n && s->pos < s->len && !b->full; i++) {
		op = take(s);
		field = op & 0x80 ? (uint32_t)take64(s, 4) % 0x1fffffff + 1 :
		    fieldnums[(op >> 3) % (sizeof(fieldnums) /
		    sizeof(fieldnums[0]))];
		pad = op & 0x40 ? take(s) % 10 : 0;
		switch (op & 7) {
		case 0:
			v = take64(s, take(s) % 9);
			put_varint(b, (uint64_t)field << 3, pad);
			put_varint(b, v, pad);
			if (top && field == PB_F_TIMESTAMP) {
				pk->ts = 1;
				pk->tsv = v;
			} else if (top && field == PB_F_SEQ_ID) {
				pk->seq = 1;
				pk->seqv = v;
			}
			break;
		case 1:
		case 5:
			k = (op & 7) == 1 ? 8 : 4;
			put_varint(b, (uint64_t)field << 3 | (op & 7), pad);
			for (j = 0; j < k; j++) {
				unsigned char c = (unsigned char)take(s);
				put(b, &c, 1);
			}
			break;
		case 2:
		case 6:
			memset(&sub, 0, sizeof(sub));
			if ((op & 7) == 6 && mdepth < GEN_MSG_DEPTH)
				gen_fields(s, &sub, 0, mdepth + 1, NULL);
			else {
				k = take(s) % 64;
				for (j = 0; j < k; j++) {
					unsigned char c = (unsigned char)take(s);
					put(&sub, &c, 1);
				}
			}
			put_varint(b, (uint64_t)field << 3 | 2, pad);
			put_varint(b, sub.len, pad);
			put(b, sub.p, sub.len);
			if (sub.full)
				b->full = 1;
			free(sub.p);
			if (top && field == PB_F_TRACK_EVENT)
				pk->te = 1;
			else if (top && field == PB_F_INTERNED_DATA)
				pk->id = 1;
			else if (top && field == PB_F_TRACK_DESCRIPTOR)
				pk->td = 1;
			break;
		case 3:
			if (gdepth == PBWALK_DEPTH)
				break;
			put_varint(b, (uint64_t)field << 3 | 3, pad);
			gen_fields(s, b, gdepth + 1, mdepth, pk);
			put_varint(b, (uint64_t)field << 3 | 4, pad);
			break;
		default:
			/* Groups nested as deep as the walk allows. */
			k = take(s) % (PBWALK_DEPTH - gdepth + 1);
			for (j = 0; j < k; j++)
				put_varint(b, (uint64_t)field << 3 | 3, 0);
			for (j = 0; j < k; j++)
				put_varint(b, (uint64_t)field << 3 | 4, 0);
			break;
		}
	}
}

static void
seq_count(struct pbstats *st, uint64_t id)
{
	unsigned i;

	for (i = 0; i < st->nseq && i < PBWALK_SEQS; i++)
		if (st->seq[i] == id)
			return;
	if (st->nseq < PBWALK_SEQS)
		st->seq[st->nseq++] = id;
	else if (!st->seq_capped) {
		st->seq_capped = 1;
		st->nseq++;
	}
}

/* A well-formed Trace, and what a walk over it must count. */
static void
gen_trace(struct src *s, struct buf *b, struct pbstats *st)
{
	struct buf body;
	struct pkt pk;
	size_t mark;
	unsigned op;

	memset(st, 0, sizeof(*st));
	while (s->pos < s->len && !b->full) {
		mark = b->len;
		op = take(s);
		memset(&pk, 0, sizeof(pk));
		memset(&body, 0, sizeof(body));
		gen_fields(s, &body, 0, 0, &pk);
		if (body.full) {
			free(body.p);
			b->full = 1;
			break;
		}
		/* Redundant varint bytes are legal, but not in the first tag. */
		put_varint(b, PB_TAG_PACKET, b->len > 0 ? op & 3 : 0);
		put_varint(b, body.len, op >> 2 & 7);
		put(b, body.p, body.len);
		free(body.p);
		if (b->full) {
			b->len = mark;
			break;
		}
		st->packets++;
		st->track_event += (uint64_t)pk.te;
		st->interned_data += (uint64_t)pk.id;
		st->track_descriptor += (uint64_t)pk.td;
		/* Timestamp 0 is wprof's START marker, left out of the span. */
		if (pk.ts && pk.tsv != 0) {
			if (!st->have_ts)
				st->ts_min = st->ts_max = pk.tsv;
			st->have_ts = 1;
			if (pk.tsv < st->ts_min)
				st->ts_min = pk.tsv;
			if (pk.tsv > st->ts_max)
				st->ts_max = pk.tsv;
		}
		if (pk.seq)
			seq_count(st, pk.seqv);
	}
}

/*
 * The naive walk: the whole Trace in one buffer, each message parsed by a
 * recursive call, every rule written out as protoc applies it.
 */
struct nref {
	unsigned kind;		/* SR_USE_x for both uses and definitions */
	int def;
	int dropped;		/* a definition trace_processor ignores */
	uint64_t seq, id, off, pkt;
	uint64_t gen;		/* generation of seq, for interned ids */
};

/*
 * A sequence's incremental state as proto_trace_reader.cc (v58.2) keeps
 * it: a generation per clear, valid from a clear to the next loss.
 */
struct nseq {
	uint32_t id;
	uint64_t gen;
	int valid;
};

struct npb {
	const unsigned char *d;
	size_t len;
	struct wperr err;
	struct pbstats st;
	struct nref *refs;
	size_t nrefs, refcap, pkt_first;	/* refs of this packet from */
	int have_seq, te, id, td;
	uint64_t seq, ts;
	/* This packet's sequence_flags, incremental_state_cleared, loss. */
	uint32_t seqflags;
	int isc, lost;
	struct nseq *seqs;
	size_t nseqs;
	int have_ts;
	unsigned kind;
};

static void
nref_add(struct npb *n, unsigned ref, uint64_t id, uint64_t off)
{
	struct nref *r;

	if (n->nrefs == n->refcap) {
		n->refcap = n->refcap ? n->refcap * 2 : 64;
		if ((n->refs = realloc(n->refs, n->refcap *
		    sizeof(*n->refs))) == NULL)
			abort();
	}
	r = &n->refs[n->nrefs++];
	r->def = ref > SR_KINDS;
	r->kind = r->def ? ref - SR_KINDS : ref;
	r->id = id;
	r->off = off;
	r->pkt = n->st.packets;
}

static int
nfail(struct npb *n, enum wperr_code code, size_t off)
{
	n->err.code = code;
	n->err.off = off;
	n->err.index = n->st.packets;
	return -1;
}

static const struct schema_field *
nfield(unsigned msg, uint32_t number)
{
	const struct schema_msg *m;
	uint32_t i;

	if (msg == PBWALK_NOMSG)
		return NULL;
	m = &schema_msgs[msg];
	for (i = 0; i < m->nfields; i++)
		if (schema_fields[m->first + i].number == number)
			return &schema_fields[m->first + i];
	return NULL;
}

/*
 * A varint of at most max bytes from [*p, end): 1, 0 when end comes
 * first, -1 when max bytes all carry on.
 */
static int
nvarint(const struct npb *n, size_t *p, size_t end, unsigned max,
    uint64_t *v)
{
	unsigned i;

	*v = 0;
	for (i = 0; i < max; i++) {
		if (*p >= end)
			return 0;
		if (i < 10)
			*v |= (uint64_t)(n->d[*p] & 0x7f) << (7 * i);
		if (n->d[(*p)++] < 0x80)
			return 1;
	}
	return -1;
}

/* Unicode's definition of UTF-8, one code point at a time. */
static int
nutf8(const unsigned char *s, size_t len)
{
	size_t i = 0, k, need;
	uint32_t cp, min;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			need = 1;
			cp = s[i] & 0x1f;
			min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			need = 2;
			cp = s[i] & 0x0f;
			min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			need = 3;
			cp = s[i] & 0x07;
			min = 0x10000;
		} else
			return 0;
		if (len - i - 1 < need)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

/*
 * The fields of message msg (PBWALK_NOMSG: unknown) in [p, end) at depth
 * (the packet is 1); group is the field of an open group, else 0. Sets
 * *out past the message or the group's end. defref: SR_DEF_x when field
 * 1 defines an id.
 */
static int
nmsg(struct npb *n, unsigned msg, size_t p, size_t end, unsigned depth,
    uint32_t group, unsigned defref, size_t *out)
{
	const struct schema_field *f;
	uint64_t tag, v, len;
	size_t t, vs, q, after;
	uint32_t field;
	int r;

	while (p < end) {
		t = p;
		if ((r = nvarint(n, &p, end, 5, &tag)) == -1)
			return nfail(n, WPE_BAD_VARINT, t);
		if (r == 0)
			return nfail(n, WPE_MALFORMED_PACKET, t);
		tag &= 0xffffffffu;
		field = (uint32_t)(tag >> 3);
		if (field == 0)
			return nfail(n, WPE_MALFORMED_PACKET, t);
		f = nfield(msg, field);
		switch (tag & 7) {
		case 0:
			vs = p;
			if ((r = nvarint(n, &p, end, 10, &v)) == -1)
				return nfail(n, WPE_BAD_VARINT, vs);
			if (r == 0)
				return nfail(n, WPE_MALFORMED_PACKET, t);
			if (depth == 1 && group == 0 && field == 8) {
				n->have_ts = 1;
				n->ts = v;
			}
			if (depth == 1 && group == 0 && field == 10) {
				n->have_seq = 1;
				n->seq = v;
			}
			if (depth == 1 && group == 0 && field == 13)
				n->seqflags = (uint32_t)v;
			if (depth == 1 && group == 0 && field == 41)
				n->isc = v != 0;
			if (depth == 1 && group == 0 && field == 42)
				n->lost = (uint32_t)v != 0;
			if (f != NULL && SF_REF(f) != SR_NONE &&
			    f->kind <= SK_ENUM)
				nref_add(n, SF_REF(f), v, t);
			else if (defref != SR_NONE && field == 1)
				nref_add(n, defref, v, t);
			break;
		case 1:
		case 5:
			len = (tag & 7) == 1 ? 8 : 4;
			if (len > end - p)
				return nfail(n, WPE_MALFORMED_LENGTH, t);
			p += len;
			break;
		case 2:
			vs = p;
			if ((r = nvarint(n, &p, end, 5, &len)) == -1)
				return nfail(n, WPE_BAD_VARINT, vs);
			if (r == 0)
				return nfail(n, WPE_MALFORMED_PACKET, t);
			if (len > end - p)
				return nfail(n, WPE_MALFORMED_LENGTH, t);
			after = p + len;
			if (depth == 1 && group == 0) {
				n->te |= field == 11;
				n->id |= field == 12;
				n->td |= field == 60;
				if (f != NULL && f->flags & SF_PAYLOAD)
					n->kind = (unsigned)(f - &schema_fields[
					    schema_msgs[SCHEMA_TRACE_PACKET].first]);
			}
			if (f == NULL)
				;
			else if (f->kind == SK_MESSAGE) {
				if (depth + 1 > PBWALK_DEPTH)
					return nfail(n, WPE_MALFORMED_PACKET, t);
				if (nmsg(n, f->msg, p, after, depth + 1, 0,
				    SF_REF(f) > SR_KINDS ? SF_REF(f) : SR_NONE,
				    &q) == -1)
					return -1;
			} else if (f->kind <= SK_ENUM &&
			    f->flags & SF_REPEATED) {
				q = p;
				while (q < after) {
					vs = q;
					if ((r = nvarint(n, &q, after, 10,
					    &v)) == -1)
						return nfail(n, WPE_BAD_VARINT,
						    vs);
					if (r == 0)
						return nfail(n,
						    WPE_MALFORMED_PACKET, vs);
					if (SF_REF(f) != SR_NONE)
						nref_add(n, SF_REF(f), v, vs);
				}
			} else if ((f->kind == SK_FIXED32 ||
			    f->kind == SK_FIXED64) && f->flags & SF_REPEATED) {
				if (len % (f->kind == SK_FIXED32 ? 4 : 8) != 0)
					return nfail(n, WPE_MALFORMED_PACKET, t);
			} else if (f->kind == SK_STRING) {
				if (!nutf8(n->d + p, (size_t)len))
					return nfail(n, WPE_MALFORMED_PACKET, t);
			}
			p = after;
			break;
		case 3:
			if (depth + 1 > PBWALK_DEPTH)
				return nfail(n, WPE_MALFORMED_PACKET, t);
			if (nmsg(n, f != NULL && f->kind == SK_GROUP ? f->msg :
			    PBWALK_NOMSG, p, end, depth + 1, field, SR_NONE,
			    &p) == -1)
				return -1;
			break;
		case 4:
			if (group == 0 || field != group)
				return nfail(n, WPE_MALFORMED_PACKET, t);
			*out = p;
			return 0;
		default:
			return nfail(n, WPE_MALFORMED_PACKET, t);
		}
	}
	if (group != 0)
		return nfail(n, WPE_MALFORMED_PACKET, end);
	*out = p;
	return 0;
}

/* The top level, as it always was: strict 64-bit varints. */
static int
ntop_varint(const struct npb *n, size_t *p, uint64_t *v)
{
	uint64_t x = 0;
	unsigned i;
	unsigned char b;

	for (i = 0; i < 10; i++) {
		if (*p >= n->len)
			return 0;
		b = n->d[(*p)++];
		if (i == 9 && b > 1)
			return -1;
		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if (b < 0x80) {
			*v = x;
			return 1;
		}
	}
	return -1;
}

static int
nrefs_resolve(struct npb *n)
{
	const struct nref *u, *first = NULL;
	size_t i, j, k;
	uint64_t missing = 0;
	int found, dup;

	for (i = 0; i < n->nrefs; i++) {
		u = &n->refs[i];
		if (u->def)
			continue;
		found = 0;
		for (j = 0; j < n->nrefs && !found; j++)
			found = n->refs[j].def && !n->refs[j].dropped &&
			    n->refs[j].kind == u->kind &&
			    n->refs[j].id == u->id &&
			    (u->kind == SR_USE_TRACK ||
			    (n->refs[j].seq == u->seq &&
			    n->refs[j].gen == u->gen));
		if (!found && (first == NULL || u->off < first->off))
			first = u;
	}
	if (first == NULL)
		return 0;
	/* Distinct missing ids of the first one's kind. */
	for (i = 0; i < n->nrefs; i++) {
		u = &n->refs[i];
		if (u->def || u->kind != first->kind)
			continue;
		found = dup = 0;
		for (j = 0; j < n->nrefs && !found; j++)
			found = n->refs[j].def && !n->refs[j].dropped &&
			    n->refs[j].kind == u->kind &&
			    n->refs[j].id == u->id &&
			    (u->kind == SR_USE_TRACK ||
			    (n->refs[j].seq == u->seq &&
			    n->refs[j].gen == u->gen));
		for (k = 0; k < i && !dup; k++)
			dup = !n->refs[k].def && n->refs[k].kind == u->kind &&
			    n->refs[k].id == u->id && n->refs[k].seq == u->seq &&
			    n->refs[k].gen == u->gen;
		if (!found && !dup)
			missing++;
	}
	n->err.code = first->kind == SR_USE_TRACK ? WPE_MISSING_TRACK :
	    WPE_MISSING_INTERNED;
	n->err.off = first->off;
	n->err.index = first->pkt;
	n->err.refkind = first->kind;
	n->err.refid = first->id;
	n->err.refseq = first->seq;
	n->err.refmissing = missing;
	return -1;
}

/*
 * The packet's references take their sequence (a uint32; none is 0) and
 * generation. ParsePacket's order: a clear with a sequence id starts a
 * generation, a loss without a clear makes the state invalid, interned
 * data counts only with a sequence id on a valid state, and a packet that
 * needs the state while it is invalid is dropped (its descriptors too).
 */
static void
nseq_packet(struct npb *n)
{
	struct nseq *q = NULL;
	uint32_t seq = n->have_seq ? (uint32_t)n->seq : 0;
	size_t i;
	struct nref *r;

	for (i = 0; i < n->nseqs; i++)
		if (n->seqs[i].id == seq)
			q = &n->seqs[i];
	if (q == NULL) {
		if ((n->seqs = realloc(n->seqs, (n->nseqs + 1) *
		    sizeof(*n->seqs))) == NULL)
			abort();
		q = &n->seqs[n->nseqs++];
		q->id = seq;
		q->gen = 0;
		q->valid = 0;
	}
	if (n->have_seq && (n->isc || n->seqflags & 1)) {
		q->gen++;
		q->valid = 1;
	} else if (n->have_seq && n->lost)
		q->valid = 0;
	for (i = n->pkt_first; i < n->nrefs; i++) {
		r = &n->refs[i];
		r->seq = r->kind == SR_USE_TRACK ? 0 : seq;
		r->gen = q->gen;
		if (r->kind == SR_USE_TRACK)
			r->dropped = n->seqflags & 2 && !q->valid;
		else
			r->dropped = !n->have_seq || !q->valid;
	}
}

static enum pbwalk_ev
naive_pb(const unsigned char *d, size_t len, struct npb *n)
{
	struct pbstats *st = &n->st;
	size_t p = 0, t, body, q, i;
	uint64_t tag, v;
	int r;

	memset(n, 0, sizeof(*n));
	n->d = d;
	n->len = len;
	while (p < len) {
		t = p;
		r = ntop_varint(n, &p, &tag);
		if (r != 1 || tag != PB_TAG_PACKET) {
			/* What else the bytes are: not_packet()'s rules. */
			if (r != 1 || tag >> 3 == 0 || tag >> 3 > 0x1fffffff ||
			    (tag & 7) == 4 || (tag & 7) >= 6)
				nfail(n, WPE_TRAILING_BYTES, t);
			else
				nfail(n, WPE_NOT_A_TRACE, t);
			return PBWALK_FAIL;
		}
		if ((r = ntop_varint(n, &p, &v)) == -1) {
			nfail(n, WPE_BAD_VARINT, t);
			return PBWALK_FAIL;
		}
		if (r == 0 || v > len - p) {
			nfail(n, r == 0 ? WPE_TRUNCATED_LENGTH : WPE_TRUNCATED,
			    t);
			return PBWALK_FAIL;
		}
		body = p;
		n->have_seq = n->have_ts = n->te = n->id = n->td = 0;
		n->seqflags = 0;
		n->isc = n->lost = 0;
		n->kind = SCHEMA_TRACE_PACKET_NFIELDS;
		n->pkt_first = n->nrefs;
		if (nmsg(n, SCHEMA_TRACE_PACKET, body, body + (size_t)v, 1, 0,
		    SR_NONE, &q) == -1)
			return PBWALK_FAIL;
		nseq_packet(n);
		p = body + (size_t)v;
		st->track_event += (uint64_t)n->te;
		st->interned_data += (uint64_t)n->id;
		st->track_descriptor += (uint64_t)n->td;
		st->kind[n->kind]++;
		if (n->have_ts && n->ts != 0) {
			if (!st->have_ts)
				st->ts_min = st->ts_max = n->ts;
			st->have_ts = 1;
			if (n->ts < st->ts_min)
				st->ts_min = n->ts;
			if (n->ts > st->ts_max)
				st->ts_max = n->ts;
		}
		if (n->have_seq)
			seq_count(st, n->seq);
		st->packets++;
	}
	if (nrefs_resolve(n) == -1)
		return PBWALK_FAIL;
	for (i = 0; i < n->nrefs; i++)
		st->refs_checked += (uint64_t)!n->refs[i].def;
	return PBWALK_DONE;
}

static void
same_stats(const struct pbstats *a, const struct pbstats *b)
{
	unsigned i;

	CHECK(a->packets == b->packets);
	CHECK(a->track_event == b->track_event);
	CHECK(a->interned_data == b->interned_data);
	CHECK(a->track_descriptor == b->track_descriptor);
	CHECK(a->nseq == b->nseq);
	CHECK(a->seq_capped == b->seq_capped);
	for (i = 0; i < a->nseq && i < PBWALK_SEQS; i++)
		CHECK(a->seq[i] == b->seq[i]);
	CHECK(a->have_ts == b->have_ts);
	CHECK(!a->have_ts || (a->ts_min == b->ts_min &&
	    a->ts_max == b->ts_max));
}

/* What the naive walk knows too: kinds and references. */
static void
same_more(const struct pbstats *a, const struct pbstats *b)
{
	unsigned i;

	for (i = 0; i <= SCHEMA_TRACE_PACKET_NFIELDS; i++)
		CHECK(a->kind[i] == b->kind[i]);
	CHECK(a->refs_checked == b->refs_checked);
	CHECK(!a->refs_capped && !b->refs_capped);
}

static void
same_err(const struct wperr *a, const struct wperr *b)
{
	CHECK(a->code == b->code);
	CHECK(a->off == b->off);
	CHECK(a->index == b->index);
	CHECK(a->field == b->field);
	CHECK(a->wiretype == b->wiretype);
	CHECK(a->len == b->len);
	CHECK(a->left == b->left);
	CHECK(a->claimed == b->claimed);
	CHECK(a->present == b->present);
	CHECK(a->trailing == b->trailing);
	CHECK(a->refkind == b->refkind);
	CHECK(a->refid == b->refid);
	CHECK(a->refseq == b->refseq);
	CHECK(a->refmissing == b->refmissing);
	CHECK(strcmp(a->path, b->path) == 0);
}

/* The naive walk knows the code, the place and the references. */
static void
naive_err(const struct wperr *a, const struct wperr *n)
{
	CHECK(a->code == n->code);
	CHECK(a->off == n->off);
	CHECK(a->index == n->index);
	if (n->code == WPE_MISSING_INTERNED || n->code == WPE_MISSING_TRACK) {
		CHECK(a->refkind == n->refkind);
		CHECK(a->refid == n->refid);
		CHECK(a->refseq == n->refseq);
		CHECK(a->refmissing == n->refmissing);
	}
}

static void
worded(const struct wperr *e)
{
	check_wording(e);
	CHECK(artifact_reason(e) != ARTIFACT_UNREADABLE);
}

/* The whole buffer in one piece; slow: by the slow path only. */
static enum pbwalk_ev
walk_once(const unsigned char *d, size_t len, int slow, struct pbwalk *w)
{
	enum pbwalk_ev ev;
	size_t used = 0;

	pbwalk_init(w, len);
	w->slow_only = slow;
	ev = pbwalk_feed(w, d, len, 1, &used);
	pbwalk_free(w);
	CHECK(ev != PBWALK_NEED);
	CHECK(ev != PBWALK_DONE || used == len);
	return ev;
}

/*
 * As artifact_check_fd() reads: a buffer of bsz bytes refilled behind
 * what the walk left, known size in full reads, unknown size reading short
 * pieces until a read of nothing.
 */
static enum pbwalk_ev
walk_pieces(const unsigned char *d, size_t len, int known, size_t bsz,
    uint32_t seed, struct pbwalk *w)
{
	struct pieces ps;
	enum pbwalk_ev ev;
	unsigned char *buf;
	size_t have = 0, roff = 0, n, used;
	int eof;

	if ((buf = malloc(bsz)) == NULL)
		abort();
	pieces_init(&ps, seed);
	pbwalk_init(w, known ? len : PBWALK_SIZE_UNKNOWN);
	for (;;) {
		n = bsz - have < len - roff ? bsz - have : len - roff;
		if (!known && n > 0) {
			n = pieces_next(&ps, n);
			if (n == 0)
				n = 1;
		}
		memcpy(buf + have, d + roff, n);
		roff += n;
		have += n;
		eof = roff == len && (known || n == 0);
		used = 0;
		ev = pbwalk_feed(w, buf, have, eof, &used);
		if (ev != PBWALK_NEED)
			break;
			/* The walk always ends at the end of the input. */
		CHECK(!eof);
		CHECK(used <= have);
		CHECK(have - used < PBWALK_TOKEN);
		have -= used;
		memmove(buf, buf + used, have);
	}
	pbwalk_free(w);
	free(buf);
	return ev;
}

/* artifact_check_fd() from a memory file and from a pipe, against the walk. */
static void
through_fd(const unsigned char *d, size_t len, enum pbwalk_ev ev,
    const struct pbwalk *w)
{
	struct artifact_result r;
	unsigned char *buf;
	int fd, p[2];

	if ((buf = malloc(ARTIFACT_BUF_MIN)) == NULL)
		abort();
	if ((fd = memfd_create("fuzz", 0)) == -1)
		abort();
	if (len > 0 && write(fd, d, len) != (ssize_t)len)
		abort();
	CHECK(artifact_check_fd(fd, ARTIFACT_DEEP, 0, buf, ARTIFACT_BUF_MIN,
	    &r) == 0);
	close(fd);
	if (len == 0 || d[0] != PB_TAG_PACKET)
		CHECK(r.err.code == WPE_BAD_LEADING_BYTE);
	else {
		same_err(&r.err, &w->err);
		CHECK(r.deep == (ev == PBWALK_DONE));
		if (ev == PBWALK_DONE)
			same_stats(&r.st, &w->st);
	}

	/* A pipe holds 64 KiB: write it all before reading. */
	if (len > GEN_MAX) {
		free(buf);
		return;
	}
	if (pipe(p) == -1)
		abort();
	if (len > 0 && write(p[1], d, len) != (ssize_t)len)
		abort();
	close(p[1]);
	CHECK(artifact_check_fd(p[0], ARTIFACT_DEEP, 0, buf,
	    ARTIFACT_BUF_MIN, &r) == 0);
	close(p[0]);
	/* A stream's size is known only when the verdict needed its end. */
	CHECK(!r.have_size || r.size == len);
	if (len == 0 || d[0] != PB_TAG_PACKET)
		CHECK(r.err.code == WPE_BAD_LEADING_BYTE);
	else {
		CHECK((r.err.code == WPE_OK) == (ev == PBWALK_DONE));
		if (ev == PBWALK_DONE)
			same_stats(&r.st, &w->st);
	}
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	struct pbwalk one, slow, many, stream;
	struct pbstats want;
	struct npb nv;
	struct src s;
	struct buf b;
	enum pbwalk_ev ev;
	const unsigned char *d;
	size_t dlen, bsz;
	uint32_t seed;

	if (len < PREFIX)
		return 0;
	bsz = in[1] == 0xff ? ARTIFACT_BUF_MIN : PBWALK_TOKEN + in[1];
	seed = (uint32_t)in[2] | (uint32_t)in[3] << 8;
	memset(&b, 0, sizeof(b));
	if (in[0] & 1) {
		s.p = in + PREFIX;
		s.len = len - PREFIX;
		s.pos = 0;
		gen_trace(&s, &b, &want);
		d = b.p != NULL ? b.p : in;
		dlen = b.len;
	} else {
		d = in + PREFIX;
		dlen = len - PREFIX;
	}

	ev = walk_once(d, dlen, 0, &one);
	CHECK(naive_pb(d, dlen, &nv) == ev);
	/* The fast path and the slow path agree on everything. */
	CHECK(walk_once(d, dlen, 1, &slow) == ev);
	CHECK(slow.fast_packets == 0);
	same_err(&slow.err, &one.err);
	if (ev == PBWALK_FAIL) {
		worded(&one.err);
		naive_err(&one.err, &nv.err);
	} else {
		same_stats(&one.st, &nv.st);
		same_more(&one.st, &nv.st);
	}
	free(nv.refs);
	free(nv.seqs);
	CHECK(walk_pieces(d, dlen, 1, bsz, seed, &many) == ev);
	same_err(&many.err, &one.err);
	CHECK(walk_pieces(d, dlen, 0, bsz, seed, &stream) == PBWALK_DONE ||
	    ev != PBWALK_DONE);
	if (stream.err.code != WPE_OK)
		worded(&stream.err);
	if (ev == PBWALK_DONE) {
		same_stats(&slow.st, &one.st);
		same_more(&slow.st, &one.st);
		same_stats(&many.st, &one.st);
		same_more(&many.st, &one.st);
		same_stats(&stream.st, &one.st);
		same_more(&stream.st, &one.st);
		CHECK(one.good_end == dlen);
		CHECK(one.good_packets == one.st.packets);
	} else
		CHECK(stream.err.code != WPE_OK);
	/*
	 * A built trace has whole packets; inside them the schema, padded
	 * tags and lengths (protobuf reads 5 bytes of those) may refuse it.
	 */
	if (in[0] & 1 && ev == PBWALK_DONE)
		same_stats(&one.st, &want);
	if (in[0] & 1)
		CHECK(ev == PBWALK_DONE || one.err.code == WPE_MALFORMED_PACKET ||
		    one.err.code == WPE_MALFORMED_LENGTH ||
		    one.err.code == WPE_BAD_VARINT ||
		    one.err.code == WPE_MISSING_INTERNED ||
		    one.err.code == WPE_MISSING_TRACK);
	if (in[0] & 2)
		through_fd(d, dlen, ev, &one);
	free(b.p);
	return 0;
}
