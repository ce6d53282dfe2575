#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pbwire.h"
#include "prune.h"
#include "schema.h"

#define NOMSG	UINT16_MAX
#define WORDS	(PRUNE_CHUNK / 64)

/* What prune_packet() does with the message it walks. */
enum mode { M_COLLECT, M_SIZE, M_EMIT };

/* pbref.h's view of a packet's top-level varints. */
#define P_SEQ		0x01
#define P_CLEARED	0x02
#define P_NEEDS		0x04
#define P_ISC		0x08
#define P_LOST		0x10

struct walk {
	struct prune *pr;
	enum mode mode;
	int bad;		/* the bytes were not whole fields */
	int fail;		/* put failed, or a set is full */
	const unsigned char *run;	/* M_EMIT: bytes kept as they are */
	const unsigned char *run_end;
};

void
prune_init(struct prune *pr)
{
	memset(pr, 0, sizeof(*pr));
}

void
prune_free(struct prune *pr)
{
	free(pr->seqs);
	free(pr->chunks);
	free(pr->cidx);
	free(pr->tracks);
	prune_init(pr);
}

void
prune_start(struct prune *pr, enum prune_pass pass)
{
	/* The same packets give the same sequence indexes every pass. */
	pr->pass = pass;
	pr->nseq = 0;
	/* The first pass starts from empty sets. */
	if (pass == PRUNE_TRACKS) {
		pr->nchunk = 0;
		if (pr->cslots > 0)
			memset(pr->cidx, 0, pr->cslots * sizeof(*pr->cidx));
		if (pr->tslots > 0)
			memset(pr->tracks, 0, pr->tslots * sizeof(*pr->tracks));
		pr->ntrack = 0;
		pr->track0 = 0;
	}
	if (pass == PRUNE_WRITE) {
		memset(pr->dropped, 0, sizeof(pr->dropped));
		pr->dropped_packets = pr->dropped_annotations = 0;
		pr->rewritten = 0;
	}
}

uint64_t
prune_removed(const struct prune *pr)
{
	uint64_t n = pr->dropped_packets + pr->dropped_annotations;
	size_t i;

	for (i = 0; i <= SR_KINDS; i++)
		n += pr->dropped[i];
	return n;
}

const char *
prune_strerror(enum prune_err e)
{
	switch (e) {
	case PRUNE_OK:
		return "no error";
	case PRUNE_FULL:
		return "more ids, track uuids or sequences than salvage "
		    "can hold to rewrite the trace";
	case PRUNE_NOMEM:
		return "out of memory";
	case PRUNE_BIG:
		return "a packet is larger than salvage can rewrite";
	case PRUNE_BAD:
		return "the kept packets are not whole";
	case PRUNE_READ:
		return "read";
	case PRUNE_PUT:
		return "write";
	}
	return "unknown error";
}

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

/* Counts new bytes of memory: 0 past the cap. */
static int
charge(struct prune *pr, size_t more)
{
	if (more > PRUNE_MEM_MAX - pr->mem)
		return 0;
	pr->mem += more;
	return 1;
}

static size_t
chunk_slot(uint32_t si, uint32_t gen, unsigned kind, uint64_t hi,
    size_t slots)
{
	return (size_t)mix(hi * 0x9e3779b97f4a7c15ull ^ ((uint64_t)gen << 40 |
	    (uint64_t)si << 8 | kind)) & (slots - 1);
}

static struct prune_chunk *
chunk_find(const struct prune *pr, unsigned kind, uint64_t hi)
{
	struct prune_chunk *c;
	size_t j;
	uint32_t v;

	if (pr->cslots == 0)
		return NULL;
	j = chunk_slot(pr->si, pr->gen, kind, hi, pr->cslots);
	while ((v = pr->cidx[j]) != 0) {
		c = &pr->chunks[v - 1];
		if (c->hi == hi && c->si == pr->si && c->gen == pr->gen &&
		    c->kind == kind)
			return c;
		j = (j + 1) & (pr->cslots - 1);
	}
	return NULL;
}

/* The chunk of (the current generation, kind, hi), made when new. */
static struct prune_chunk *
chunk_get(struct prune *pr, unsigned kind, uint64_t hi)
{
	struct prune_chunk *c;
	uint32_t *t;
	size_t i, j, slots, cap;

	if ((c = chunk_find(pr, kind, hi)) != NULL)
		return c;
	if ((pr->nchunk + 1) * 2 > pr->cslots) {
		slots = pr->cslots == 0 ? 64 : pr->cslots * 2;
		if (!charge(pr, (slots - pr->cslots) * sizeof(*t)))
			return NULL;
		if ((t = calloc(slots, sizeof(*t))) == NULL)
			return NULL;
		for (i = 0; i < pr->nchunk; i++) {
			c = &pr->chunks[i];
			j = chunk_slot(c->si, c->gen, c->kind, c->hi, slots);
			while (t[j] != 0)
				j = (j + 1) & (slots - 1);
			t[j] = (uint32_t)i + 1;
		}
		free(pr->cidx);
		pr->cidx = t;
		pr->cslots = slots;
	}
	if (pr->nchunk == pr->chunkcap) {
		cap = pr->chunkcap == 0 ? 16 : pr->chunkcap * 2;
		if (!charge(pr, (cap - pr->chunkcap) * sizeof(*c)))
			return NULL;
		if ((c = reallocarray(pr->chunks, cap, sizeof(*c))) == NULL)
			return NULL;
		pr->chunks = c;
		pr->chunkcap = cap;
	}
	c = &pr->chunks[pr->nchunk];
	memset(c, 0, sizeof(*c));
	c->hi = hi;
	c->si = pr->si;
	c->gen = pr->gen;
	c->kind = kind;
	j = chunk_slot(pr->si, pr->gen, kind, hi, pr->cslots);
	while (pr->cidx[j] != 0)
		j = (j + 1) & (pr->cslots - 1);
	pr->cidx[j] = (uint32_t)++pr->nchunk;
	return c;
}

static int
track_has(const struct prune *pr, uint64_t uuid)
{
	size_t j;

	if (uuid == 0)
		return pr->track0;
	if (pr->tslots == 0)
		return 0;
	j = (size_t)mix(uuid) & (pr->tslots - 1);
	while (pr->tracks[j] != 0) {
		if (pr->tracks[j] == uuid)
			return 1;
		j = (j + 1) & (pr->tslots - 1);
	}
	return 0;
}

static int
track_add(struct prune *pr, uint64_t uuid)
{
	uint64_t *t;
	size_t i, j, slots;

	if (uuid == 0) {
		pr->track0 = 1;
		return 1;
	}
	if (track_has(pr, uuid))
		return 1;
	if ((pr->ntrack + 1) * 2 > pr->tslots) {
		slots = pr->tslots == 0 ? 256 : pr->tslots * 2;
		if (!charge(pr, (slots - pr->tslots) * sizeof(*t)))
			return 0;
		if ((t = calloc(slots, sizeof(*t))) == NULL)
			return 0;
		for (i = 0; i < pr->tslots; i++) {
			if (pr->tracks[i] == 0)
				continue;
			j = (size_t)mix(pr->tracks[i]) & (slots - 1);
			while (t[j] != 0)
				j = (j + 1) & (slots - 1);
			t[j] = pr->tracks[i];
		}
		free(pr->tracks);
		pr->tracks = t;
		pr->tslots = slots;
	}
	j = (size_t)mix(uuid) & (pr->tslots - 1);
	while (pr->tracks[j] != 0)
		j = (j + 1) & (pr->tslots - 1);
	pr->tracks[j] = uuid;
	pr->ntrack++;
	return 1;
}

/* A definition (ref SR_DEF_x) in the current packet: 0 when full. */
static int
define(struct prune *pr, unsigned ref, uint64_t id)
{
	struct prune_chunk *c;
	unsigned kind = ref - SR_KINDS, b;

	if (kind == SR_USE_TRACK)
		return pr->pass != PRUNE_TRACKS || !pr->tdefs ||
		    track_add(pr, id);
	if (pr->pass != PRUNE_DEFS || !pr->defs)
		return 1;
	if ((c = chunk_get(pr, kind, id >> PRUNE_CHUNK_SHIFT)) == NULL)
		return 0;
	b = (unsigned)(id & (PRUNE_CHUNK - 1));
	c->def[b / 64] |= 1ull << (b % 64);
	return 1;
}

/* 1 when a use (ref SR_USE_x) of id has no definition to resolve to. */
static int
dangles(const struct prune *pr, unsigned ref, uint64_t id)
{
	const struct prune_chunk *c;
	unsigned b = (unsigned)(id & (PRUNE_CHUNK - 1));

	if (ref == SR_USE_TRACK)
		return !track_has(pr, id);
	c = chunk_find(pr, ref, id >> PRUNE_CHUNK_SHIFT);
	return c == NULL || !(c->def[b / 64] >> (b % 64) & 1);
}

/* The field number of message msg, or the schema's unknown field. */
static const struct schema_field *
lookup(unsigned msg, uint32_t number)
{
	const struct schema_msg *m;
	const struct schema_field *f;
	size_t lo, hi, mid;

	if (msg == NOMSG)
		return &schema_fields[SCHEMA_UNKNOWN];
	m = &schema_msgs[msg];
	if (number < m->ndense)
		return &schema_fields[schema_dense[m->dense + number]];
	f = &schema_fields[m->first];
	lo = 0;
	hi = m->nfields;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (f[mid].number < number)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->nfields && f[lo].number == number ? &f[lo] :
	    &schema_fields[SCHEMA_UNKNOWN];
}

/* The reference a varint is, as pbwalk.c's on_varint() reads it. */
static unsigned
varint_ref(const struct schema_field *f, uint32_t field, unsigned dref)
{
	return SF_REF(f) != SR_NONE && f->kind <= SK_ENUM ? SF_REF(f) :
	    field == 1 ? dref : SR_NONE;
}

/* The SR_DEF_x that field 1 of the message in field f defines. */
static unsigned
def_ref(const struct schema_field *f)
{
	return SF_REF(f) > SR_KINDS ? SF_REF(f) : SR_NONE;
}

static void
put(struct walk *w, const void *b, size_t n)
{
	if (n > 0 && !w->fail && w->pr->put(w->pr->arg, b, n) == -1)
		w->fail = PRUNE_PUT;
}

/* M_EMIT: the kept bytes so far go out. */
static void
flush_run(struct walk *w)
{
	if (w->run != NULL)
		put(w, w->run, (size_t)(w->run_end - w->run));
	w->run = NULL;
}

/* M_EMIT: [s, e) is kept as it is. */
static void
keep(struct walk *w, const unsigned char *s, const unsigned char *e)
{
	if (w->mode != M_EMIT)
		return;
	if (w->run != NULL && w->run_end == s) {
		w->run_end = e;
		return;
	}
	flush_run(w);
	w->run = s;
	w->run_end = e;
}

/*
 * Just past the end of the group whose start tag ended at p, or NULL.
 * The recursion stops at protobuf's depth of 100, as the walk does.
 */
static const unsigned char *	/* NOLINTNEXTLINE(misc-no-recursion) */
skip_group(const unsigned char *p, const unsigned char *e, uint32_t group,
    unsigned depth)
{
	struct pbwire_field pf;

	while (p < e) {
		if (pbwire_field(p, e, e, (uint64_t)(e - p), group, &pf) !=
		    PBWIRE_OK)
			return NULL;
		p = pf.p + pf.len;
		if ((pf.tag & 7) == PBWIRE_EGROUP)
			return p;
		if ((pf.tag & 7) == PBWIRE_SGROUP && (depth >= 100 ||
		    (p = skip_group(p, e, pf.field, depth + 1)) == NULL))
			return NULL;
	}
	return NULL;
}

/*
 * A debug annotation whose name iid is lost goes whole: an annotation
 * without a name cannot be shown. 1 for the message [p, e) of msg.
 */
static int
name_lost(const struct prune *pr, const unsigned char *p,
    const unsigned char *e, unsigned msg, unsigned dref)
{
	const struct schema_field *f;
	struct pbwire_field pf;

	while (p < e) {
		if (pbwire_field(p, e, e, (uint64_t)(e - p), 0, &pf) !=
		    PBWIRE_OK || (pf.tag & 7) == PBWIRE_SGROUP)
			return 0;
		if ((pf.tag & 7) == PBWIRE_VARINT) {
			f = lookup(msg, pf.field);
			if (varint_ref(f, pf.field, dref) ==
			    SR_USE_DEBUG_ANNOTATION_NAME &&
			    dangles(pr, SR_USE_DEBUG_ANNOTATION_NAME, pf.v))
				return 1;
		}
		p = pf.p + pf.len;
	}
	return 0;
}

/* The values of a packed field of references in [p, e): their new size. */
static uint64_t
packed(struct walk *w, const unsigned char *p, const unsigned char *e,
    unsigned ref)
{
	const unsigned char *vs;
	uint64_t v, n = 0;

	while (p < e) {
		vs = p;
		if (pbwire_varint(&p, e, e, 10, &v) != PBWIRE_OK) {
			w->bad = 1;
			return 0;
		}
		if (ref > SR_KINDS) {
			if (w->mode == M_COLLECT && !define(w->pr, ref, v))
				w->fail = PRUNE_FULL;
			continue;
		}
		if (w->mode == M_COLLECT || !dangles(w->pr, ref, v)) {
			n += (uint64_t)(p - vs);
			keep(w, vs, p);
		} else if (w->mode == M_EMIT)
			w->pr->dropped[ref]++;
	}
	return n;
}

/*
 * The fields of message msg in [p, e) (dref: what its field 1 defines):
 * M_COLLECT takes their definitions, M_SIZE returns their size once
 * pruned, M_EMIT puts them pruned. The recursion stops at protobuf's
 * depth of 100 (the walk refused anything deeper): a message there is kept
 * as it is.
 */
static uint64_t	/* NOLINTNEXTLINE(misc-no-recursion) */
fields(struct walk *w, const unsigned char *p, const unsigned char *e,
    unsigned msg, unsigned dref, unsigned depth)
{
	const struct schema_field *f;
	const unsigned char *t, *ve;
	struct pbwire_field pf;
	struct walk sz = { w->pr, M_SIZE, 0, 0, NULL, NULL };
	unsigned char lb[10];
	unsigned ref, dr;
	uint64_t n = 0, m;
	int is_msg;

	while (p < e && !w->bad && !w->fail) {
		t = p;
		if (pbwire_field(p, e, e, (uint64_t)(e - p), 0, &pf) !=
		    PBWIRE_OK) {
			w->bad = 1;
			break;
		}
		f = lookup(msg, pf.field);
		p = pf.p;
		if ((pf.tag & 7) == PBWIRE_VARINT) {
			ref = varint_ref(f, pf.field, dref);
			if (ref > SR_KINDS && w->mode == M_COLLECT &&
			    !define(w->pr, ref, pf.v))
				w->fail = PRUNE_FULL;
			if (ref == SR_NONE || ref > SR_KINDS ||
			    w->mode == M_COLLECT || !dangles(w->pr, ref, pf.v)) {
				n += (uint64_t)(p - t);
				keep(w, t, p);
			} else if (w->mode == M_EMIT)
				w->pr->dropped[ref]++;
			continue;
		}
		if ((pf.tag & 7) == PBWIRE_SGROUP) {
			/* Nothing wprof or Perfetto writes: kept as it is. */
			if ((p = skip_group(p, e, pf.field, depth)) == NULL) {
				w->bad = 1;
				break;
			}
			n += (uint64_t)(p - t);
			keep(w, t, p);
			continue;
		}
		if ((pf.tag & 7) != PBWIRE_LEN) {
			p += pf.len;
			n += (uint64_t)(p - t);
			keep(w, t, p);
			continue;
		}
		ve = p + pf.len;
		p = ve;
		dr = def_ref(f);
		if (f->kind == SK_MESSAGE && depth < 100) {
			if (w->mode == M_COLLECT) {
				(void)fields(w, pf.p, ve, f->msg, dr, depth + 1);
				continue;
			}
			if (name_lost(w->pr, pf.p, ve, f->msg, dr)) {
				if (w->mode == M_EMIT)
					w->pr->dropped_annotations++;
				continue;
			}
			is_msg = 1;
			m = fields(&sz, pf.p, ve, f->msg, dr, depth + 1);
		} else if (f->kind <= SK_ENUM && f->flags & SF_REPEATED &&
		    SF_REF(f) != SR_NONE) {
			if (w->mode == M_COLLECT) {
				(void)packed(w, pf.p, ve, SF_REF(f));
				continue;
			}
			is_msg = 0;
			m = packed(&sz, pf.p, ve, SF_REF(f));
		} else {
			n += (uint64_t)(p - t);
			keep(w, t, p);
			continue;
		}
		if (sz.bad || sz.fail) {
			w->bad |= sz.bad;
			w->fail = w->fail ? w->fail : sz.fail;
			break;
		}
		if (m == pf.len) {
			n += (uint64_t)(p - t);
			keep(w, t, p);
			continue;
		}
		/* A packed field whose every value went goes too. */
		if (!is_msg && m == 0) {
			if (w->mode == M_EMIT)
				(void)packed(w, pf.p, ve, SF_REF(f));
			continue;
		}
		n += (uint64_t)(pf.vs - t) + pbwire_varint_size(m) + m;
		if (w->mode != M_EMIT)
			continue;
		/* The tag as it was, the length anew, the value pruned. */
		keep(w, t, pf.vs);
		flush_run(w);
		put(w, lb, pbwire_put_varint(lb, m));
		if (is_msg)
			(void)fields(w, pf.p, ve, f->msg, dr, depth + 1);
		else
			(void)packed(w, pf.p, ve, SF_REF(f));
	}
	return n;
}

/* The index of sequence id, made when new; 0 past PRUNE_SEQS. */
static int
seq_get(struct prune *pr, uint32_t id, uint32_t *si)
{
	size_t i;

	if (pr->si < pr->nseq && pr->seqs[pr->si].id == id) {
		*si = pr->si;
		return 1;
	}
	for (i = 0; i < pr->nseq; i++)
		if (pr->seqs[i].id == id) {
			*si = (uint32_t)i;
			return 1;
		}
	if (pr->seqs == NULL) {
		if (!charge(pr, PRUNE_SEQS * sizeof(*pr->seqs)) ||
		    (pr->seqs = calloc(PRUNE_SEQS, sizeof(*pr->seqs))) == NULL)
			return 0;
	}
	if (pr->nseq == PRUNE_SEQS)
		return 0;
	pr->seqs[pr->nseq].id = id;
	pr->seqs[pr->nseq].gen = 0;
	pr->seqs[pr->nseq].valid = 0;
	*si = (uint32_t)pr->nseq++;
	return 1;
}

/*
 * The packet's sequence and generation, from its top-level varints read
 * as pbref_top() reads them, and pbref_packet()'s rules: a clear with a
 * sequence id starts a generation, a loss makes the state invalid,
 * interned data counts on a valid sequence, and a track descriptor
 * unless the packet needs the state while it is invalid. *te: the
 * TrackEvent, if any.
 */
static int
packet_seq(struct prune *pr, const unsigned char *p, const unsigned char *e,
    unsigned *flags, const unsigned char **te, const unsigned char **tee)
{
	struct pbwire_field pf;
	struct prune_seq *s;
	uint64_t seq = 0;
	unsigned f = 0;
	uint32_t si;

	*te = *tee = NULL;
	while (p < e) {
		if (pbwire_field(p, e, e, (uint64_t)(e - p), 0, &pf) !=
		    PBWIRE_OK)
			return -1;
		p = pf.p + pf.len;
		if ((pf.tag & 7) == PBWIRE_SGROUP &&
		    (p = skip_group(p, e, pf.field, 1)) == NULL)
			return -1;
		if ((pf.tag & 7) == PBWIRE_LEN && pf.field == 11) {
			*te = pf.p;
			*tee = p;
		}
		if ((pf.tag & 7) != PBWIRE_VARINT)
			continue;
		switch (pf.field) {
		case 10:
			f |= P_SEQ;
			seq = pf.v;
			break;
		case 13:
			f &= ~(unsigned)(P_CLEARED | P_NEEDS);
			f |= (pf.v & 1 ? P_CLEARED : 0) | (pf.v & 2 ? P_NEEDS : 0);
			break;
		case 41:
			f = pf.v != 0 ? f | P_ISC : f & ~(unsigned)P_ISC;
			break;
		case 42:
			f = (uint32_t)pf.v != 0 ? f | P_LOST : f & ~(unsigned)P_LOST;
			break;
		}
	}
	*flags = f;
	/* trusted_packet_sequence_id is a uint32; none counts as 0. */
	if (!seq_get(pr, f & P_SEQ ? (uint32_t)seq : 0, &si))
		return 0;
	s = &pr->seqs[si];
	if (f & P_SEQ) {
		if (f & (P_CLEARED | P_ISC)) {
			s->gen++;
			s->valid = 1;
		} else if (f & P_LOST)
			s->valid = 0;
	}
	pr->si = si;
	pr->gen = s->gen;
	pr->defs = f & P_SEQ && s->valid;
	pr->tdefs = !(f & P_NEEDS && !s->valid);
	return 1;
}

/*
 * A TrackEvent on a track no descriptor describes goes whole, as
 * trace_processor drops it; not in a packet that changes its sequence's
 * state, whose loss would change the generations.
 */
static int
event_lost(const struct prune *pr, unsigned flags, const unsigned char *p,
    const unsigned char *e)
{
	struct pbwire_field pf;
	const struct schema_field *f;

	if (p == NULL || flags & (P_CLEARED | P_ISC | P_LOST))
		return 0;
	while (p < e) {
		if (pbwire_field(p, e, e, (uint64_t)(e - p), 0, &pf) !=
		    PBWIRE_OK || (pf.tag & 7) == PBWIRE_SGROUP)
			return 0;
		if ((pf.tag & 7) == PBWIRE_VARINT) {
			f = lookup(SCHEMA_TRACK_EVENT, pf.field);
			if (varint_ref(f, pf.field, SR_NONE) == SR_USE_TRACK &&
			    !(f->flags & SF_REPEATED) &&
			    dangles(pr, SR_USE_TRACK, pf.v))
				return 1;
		}
		p = pf.p + pf.len;
	}
	return 0;
}

enum prune_err
prune_packet(struct prune *pr, const unsigned char *body, size_t len)
{
	struct walk w = { pr, M_COLLECT, 0, 0, NULL, NULL };
	const unsigned char *te, *tee, *e = body + len;
	unsigned char hd[11];
	unsigned flags;
	uint64_t n;
	int r;

	if ((r = packet_seq(pr, body, e, &flags, &te, &tee)) != 1)
		return r == 0 ? PRUNE_FULL : PRUNE_BAD;
	if (pr->pass != PRUNE_TRACKS && event_lost(pr, flags, te, tee)) {
		if (pr->pass == PRUNE_WRITE)
			pr->dropped_packets++;
		return PRUNE_OK;
	}
	if (pr->pass != PRUNE_WRITE) {
		(void)fields(&w, body, e, SCHEMA_TRACE_PACKET, SR_NONE, 1);
		return w.bad ? PRUNE_BAD : (enum prune_err)w.fail;
	}
	w.mode = M_SIZE;
	n = fields(&w, body, e, SCHEMA_TRACE_PACKET, SR_NONE, 1);
	if (w.bad)
		return PRUNE_BAD;
	hd[0] = PBWIRE_TAG_PACKET;
	put(&w, hd, 1 + pbwire_put_varint(hd + 1, n));
	if (n == len)
		put(&w, body, len);
	else {
		pr->rewritten++;
		w.mode = M_EMIT;
		(void)fields(&w, body, e, SCHEMA_TRACE_PACKET, SR_NONE, 1);
		flush_run(&w);
	}
	return w.bad ? PRUNE_BAD : (enum prune_err)w.fail;
}

/* n bytes at off of fd, all of them. */
static int
read_at(int fd, unsigned char *b, size_t n, uint64_t off)
{
	ssize_t r;

	while (n > 0) {
		r = pread(fd, b, n, (off_t)off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0) {
			errno = EIO;	/* the file is shorter than it was */
			return -1;
		}
		b += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

enum prune_err
prune_fd(struct prune *pr, enum prune_pass pass, int fd, uint64_t size,
    unsigned char *buf, size_t buflen, uint64_t *at)
{
	const unsigned char *p, *body;
	unsigned char *big;
	uint64_t off = 0, boff = 0, have = 0, len, hdr;
	enum prune_err r;

	prune_start(pr, pass);
	while (off < size) {
		*at = off;
		/* A packet's head, tag and length, is at most 11 bytes. */
		if (off + 11 > boff + have && boff + have < size) {
			have = size - off < buflen ? size - off : buflen;
			boff = off;
			if (read_at(fd, buf, (size_t)have, boff) == -1)
				return PRUNE_READ;
		}
		p = buf + (off - boff);
		if (pbwire_packet(&p, buf + have, &len) != PBWIRE_OK)
			return PRUNE_BAD;
		hdr = (uint64_t)(p - (buf + (off - boff)));
		/* What the walk passed: a packet inside the kept bytes. */
		if (len > size - off - hdr)
			return PRUNE_BAD;
		if (off + hdr + len <= boff + have)
			r = prune_packet(pr, p, (size_t)len);
		else if (hdr + len <= buflen) {
			have = 0;	/* read again from the packet on */
			continue;
		} else if (len > PRUNE_PACKET_MAX)
			return PRUNE_BIG;
		else {
			if ((big = malloc((size_t)len)) == NULL)
				return PRUNE_NOMEM;
			if (read_at(fd, big, (size_t)len, off + hdr) == -1) {
				free(big);
				return PRUNE_READ;
			}
			body = big;
			r = prune_packet(pr, body, (size_t)len);
			free(big);
		}
		if (r != PRUNE_OK)
			return r;
		off += hdr + len;
	}
	return PRUNE_OK;
}
