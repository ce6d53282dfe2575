#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "pbref.h"
#include "schema.h"

#define NONE	UINT32_MAX
#define TOMB	UINT32_MAX	/* in cidx: a chunk removed */
#define F_USED	0x01
#define F_DEF	0x02
#define WORDS	(PBREF_CHUNK / 64)
#define BLKPTR	sizeof(struct pbref_chunk *)	/* an entry of blk */

void
pbref_init(struct pbref *r)
{
	memset(r, 0, sizeof(*r));
	r->freechunk = NONE;
	r->lastseq = UINT64_MAX;
	r->pendmax = PBREF_PENDING_MAX;
}

static void
free_logs(struct pbref *r)
{
	size_t i;

	for (i = 0; i < r->nseq; i++) {
		free(r->seqs[i].log);
		r->seqs[i].log = NULL;
		r->seqs[i].logcap = 0;
	}
	r->mem -= r->logmem;
	r->logmem = 0;
}

void
pbref_free(struct pbref *r)
{
	size_t i;

	free_logs(r);
	for (i = 0; i < r->nblk; i++)
		free(r->blk[i]);
	free(r->blk);
	free(r->cidx);
	free(r->seqs);
	free(r->sidx);
	free(r->tracks);
	free(r->pend);
	pbref_init(r);
}

void
pbref_reset(struct pbref *r)
{
	if (r->mem - r->logmem + r->pendcap * sizeof(*r->pend) > PBREF_KEEP) {
		pbref_free(r);
		return;
	}
	free_logs(r);
	r->npend = 0;
	r->pflags = 0;
	r->nchunk = 0;
	r->freechunk = NONE;
	if (r->cslots > 0)
		memset(r->cidx, 0, r->cslots * sizeof(*r->cidx));
	r->cused = r->ctomb = 0;
	r->nseq = 0;
	if (r->sslots > 0)
		memset(r->sidx, 0, r->sslots * sizeof(*r->sidx));
	if (r->tslots > 0)
		memset(r->tracks, 0, r->tslots * sizeof(*r->tracks));
	r->ntrack = 0;
	memset(r->last, 0, sizeof(r->last));
	memset(r->recent, 0, sizeof(r->recent));
	r->lastseq = UINT64_MAX;
	memset(&r->miss, 0, sizeof(r->miss));
	memset(r->missing, 0, sizeof(r->missing));
	r->checked = r->redefined = r->inexact = 0;
	r->capped = 0;
}

void
pbref_move(struct pbref *dst, struct pbref *src)
{
	pbref_free(dst);
	*dst = *src;
	pbref_init(src);
	pbref_reset(dst);
}

/* Counts a change of allocation from old to new bytes: 0 past the cap. */
static int
charge(struct pbref *r, size_t old, size_t new)
{
	if (new > old && new - old > PBREF_MEM_MAX - r->mem)
		return 0;
	r->mem = r->mem - old + new;
	return 1;
}

static inline uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

static inline struct pbref_chunk *
chunk_at(const struct pbref *r, uint32_t i)
{
	return &r->blk[i / PBREF_BLOCK][i % PBREF_BLOCK];
}

static inline size_t
chunk_slot(uint32_t si, unsigned kind, uint64_t hi, size_t slots)
{
	return (size_t)mix(hi * 0x9e3779b97f4a7c15ull ^ ((uint64_t)si << 8 |
	    kind)) & (slots - 1);
}

/* The index over the live chunks, in a table of slots entries. */
static int
cidx_rehash(struct pbref *r, size_t slots)
{
	const struct pbref_chunk *c;
	uint32_t *t, v;
	size_t i, j;

	if (!charge(r, r->cslots * sizeof(*t), slots * sizeof(*t)))
		return 0;
	if ((t = calloc(slots, sizeof(*t))) == NULL) {
		r->mem -= slots * sizeof(*t) - r->cslots * sizeof(*t);
		return 0;
	}
	for (i = 0; i < r->cslots; i++) {
		v = r->cidx[i];
		if (v == 0 || v == TOMB)
			continue;
		c = chunk_at(r, v - 1);
		j = chunk_slot(c->seq, c->kind, c->hi, slots);
		while (t[j] != 0)
			j = (j + 1) & (slots - 1);
		t[j] = v;
	}
	free(r->cidx);
	r->cidx = t;
	r->cslots = slots;
	r->ctomb = 0;
	return 1;
}

static struct pbref_chunk *
chunk_find(const struct pbref *r, uint32_t si, unsigned kind, uint64_t hi)
{
	struct pbref_chunk *c;
	size_t j;
	uint32_t v;

	if (r->cslots == 0)
		return NULL;
	j = chunk_slot(si, kind, hi, r->cslots);
	while ((v = r->cidx[j]) != 0) {
		if (v != TOMB) {
			c = chunk_at(r, v - 1);
			if (c->hi == hi && c->seq == si && c->kind == kind)
				return c;
		}
		j = (j + 1) & (r->cslots - 1);
	}
	return NULL;
}

/* The chunk of (si, kind, hi), made when new; NULL past the cap. */
static struct pbref_chunk *
chunk_get(struct pbref *r, uint32_t si, unsigned kind, uint64_t hi)
{
	struct pbref_chunk *c, **b;
	size_t j, slots;
	uint32_t ci;

	c = r->last[kind];
	if (c != NULL && c->hi == hi && c->seq == si)
		return r->last[kind] = c;
	if ((c = chunk_find(r, si, kind, hi)) != NULL)
		return r->last[kind] = c;
	/* At most half full, tombstones included, so that probes end. */
	if ((r->cused + r->ctomb + 1) * 2 > r->cslots) {
		slots = r->cslots == 0 ? 64 : (r->cused + 1) * 4 > r->cslots ?
		    r->cslots * 2 : r->cslots;
		if (!cidx_rehash(r, slots))
			return NULL;
	}
	if (r->freechunk != NONE) {
		ci = r->freechunk;
		r->freechunk = chunk_at(r, ci)->next;
	} else {
		if (r->nchunk == r->nblk * PBREF_BLOCK) {
			if (r->nblk == r->blkcap) {
				slots = r->blkcap == 0 ? 16 : r->blkcap * 2;
				if (!charge(r, r->blkcap * BLKPTR,
				    slots * BLKPTR))
					return NULL;
				if ((b = reallocarray(r->blk, slots,
				    BLKPTR)) == NULL) {
					r->mem -= (slots - r->blkcap) * BLKPTR;
					return NULL;
				}
				r->blk = b;
				r->blkcap = slots;
			}
			if (!charge(r, 0, PBREF_BLOCK * sizeof(*c)))
				return NULL;
			if ((c = malloc(PBREF_BLOCK * sizeof(*c))) == NULL) {
				r->mem -= PBREF_BLOCK * sizeof(*c);
				return NULL;
			}
			r->blk[r->nblk++] = c;
		}
		ci = r->nchunk++;
	}
	c = chunk_at(r, ci);
	memset(c->used, 0, sizeof(c->used));
	memset(c->def, 0, sizeof(c->def));
	c->hi = hi;
	c->seq = si;
	c->kind = (uint8_t)kind;
	c->next = r->seqs[si].chunks;
	r->seqs[si].chunks = ci;
	j = chunk_slot(si, kind, hi, r->cslots);
	while (r->cidx[j] != 0 && r->cidx[j] != TOMB)
		j = (j + 1) & (r->cslots - 1);
	if (r->cidx[j] == TOMB)
		r->ctomb--;
	r->cidx[j] = ci + 1;
	r->cused++;
	return r->last[kind] = c;
}

static void
chunk_remove(struct pbref *r, uint32_t ci)
{
	const struct pbref_chunk *c = chunk_at(r, ci);
	size_t j;

	j = chunk_slot(c->seq, c->kind, c->hi, r->cslots);
	while (r->cidx[j] != ci + 1)
		j = (j + 1) & (r->cslots - 1);
	r->cidx[j] = TOMB;
	r->cused--;
	r->ctomb++;
}

static inline size_t
seq_slot(uint32_t id, size_t slots)
{
	return (size_t)mix(id) & (slots - 1);
}

/* The index of sequence id, made when new; NONE past the cap. */
static uint32_t
seq_get(struct pbref *r, uint32_t id)
{
	struct pbref_seq *s;
	uint32_t *t, v;
	size_t j, i, slots;

	if (r->lastseq == id)
		return r->lastsi;
	if (r->sslots > 0) {
		j = seq_slot(id, r->sslots);
		while ((v = r->sidx[j]) != 0) {
			if (r->seqs[v - 1].id == id) {
				r->lastseq = id;
				return r->lastsi = v - 1;
			}
			j = (j + 1) & (r->sslots - 1);
		}
	}
	if ((r->nseq + 1) * 2 > r->sslots) {
		slots = r->sslots == 0 ? 16 : r->sslots * 2;
		if (!charge(r, r->sslots * sizeof(*t), slots * sizeof(*t)))
			return NONE;
		if ((t = calloc(slots, sizeof(*t))) == NULL) {
			r->mem -= (slots - r->sslots) * sizeof(*t);
			return NONE;
		}
		for (i = 0; i < r->nseq; i++) {
			j = seq_slot(r->seqs[i].id, slots);
			while (t[j] != 0)
				j = (j + 1) & (slots - 1);
			t[j] = (uint32_t)i + 1;
		}
		free(r->sidx);
		r->sidx = t;
		r->sslots = slots;
	}
	if (r->nseq == r->seqcap) {
		slots = r->seqcap == 0 ? 4 : r->seqcap * 2;
		if (!charge(r, r->seqcap * sizeof(*s), slots * sizeof(*s)))
			return NONE;
		if ((s = reallocarray(r->seqs, slots, sizeof(*s))) == NULL) {
			r->mem -= (slots - r->seqcap) * sizeof(*s);
			return NONE;
		}
		r->seqs = s;
		r->seqcap = slots;
	}
	s = &r->seqs[r->nseq];
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->chunks = NONE;
	j = seq_slot(id, r->sslots);
	while (r->sidx[j] != 0)
		j = (j + 1) & (r->sslots - 1);
	r->sidx[j] = (uint32_t)r->nseq + 1;
	r->lastseq = id;
	return r->lastsi = (uint32_t)r->nseq++;
}

static int
is_def(const struct pbref *r, uint32_t si, unsigned kind, uint64_t id)
{
	const struct pbref_chunk *c;
	unsigned b = (unsigned)(id & (PBREF_CHUNK - 1));

	c = chunk_find(r, si, kind, id >> PBREF_CHUNK_SHIFT);
	return c != NULL && (c->def[b / 64] >> (b % 64) & 1);
}

static void
take_miss(struct pbref *r, unsigned kind, uint64_t id, uint64_t seq,
    uint64_t off, uint64_t pkt)
{
	if (r->miss.have && r->miss.off <= off)
		return;
	r->miss.have = 1;
	r->miss.inexact = 0;
	r->miss.kind = kind;
	r->miss.id = id;
	r->miss.seq = seq;
	r->miss.off = off;
	r->miss.pkt = pkt;
}

/*
 * The current generation of sequence si ends: every use must be defined
 * in it. The first missing use is the first one logged; when the log was
 * full, a missing id not in it was first used past where it filled.
 */
static void
gen_close(struct pbref *r, uint32_t si)
{
	struct pbref_seq *s = &r->seqs[si];
	struct pbref_chunk *c;
	const struct pbref_log *e;
	uint64_t m, id, miss = 0, anyid = 0;
	unsigned w, anykind = 0;
	uint32_t ci, next;
	size_t i;

	for (ci = s->chunks; ci != NONE; ci = c->next) {
		c = chunk_at(r, ci);
		for (w = 0; w < WORDS; w++) {
			if ((m = c->used[w] & ~c->def[w]) == 0)
				continue;
			id = c->hi << PBREF_CHUNK_SHIFT | (uint64_t)w * 64 |
			    (unsigned)__builtin_ctzll(m);
			if (miss == 0 || id < anyid ||
			    (id == anyid && c->kind < anykind)) {
				anyid = id;
				anykind = c->kind;
			}
			miss += (uint64_t)__builtin_popcountll(m);
			r->missing[c->kind] += (uint64_t)__builtin_popcountll(m);
		}
	}
	if (miss > 0) {
		/* The first use logged whose id is still undefined. */
		e = NULL;
		for (i = 0; i < s->nlog && e == NULL; i++)
			if (!is_def(r, si, (unsigned)(s->log[i].kindoff >> 56),
			    s->log[i].id))
				e = &s->log[i];
		if (e != NULL)
			take_miss(r, (unsigned)(e->kindoff >> 56), e->id, s->id,
			    e->kindoff & ((1ull << 56) - 1), e->pkt);
		else {
			/* The lowest missing id, first used there or later. */
			r->inexact++;
			take_miss(r, anykind, anyid, s->id, s->full_off,
			    s->full_pkt);
			r->miss.inexact = 1;
		}
	}
	for (ci = s->chunks; ci != NONE; ci = next) {
		c = chunk_at(r, ci);
		next = c->next;
		chunk_remove(r, ci);
		c->next = r->freechunk;
		r->freechunk = ci;
	}
	s->chunks = NONE;
	s->nlog = 0;
	s->logfull = 0;
	memset(r->last, 0, sizeof(r->last));
}

/* The first use of an id not defined when its packet ended. */
static void
log_use(struct pbref *r, struct pbref_seq *s, unsigned kind, uint64_t id,
    uint64_t off, uint64_t pkt)
{
	struct pbref_log *l;
	size_t cap;

	if (s->logfull)
		return;
	if (s->nlog == s->logcap) {
		cap = s->logcap == 0 ? 64 : s->logcap * 2;
		/* Logs take at most their share, and leave the sets theirs. */
		if ((cap - s->logcap) * sizeof(*l) > PBREF_LOG_MAX - r->logmem)
			cap = s->logcap + (PBREF_LOG_MAX - r->logmem) /
			    sizeof(*l);
		if (cap == s->logcap ||
		    !charge(r, s->logcap * sizeof(*l), cap * sizeof(*l)))
			l = NULL;
		else if ((l = reallocarray(s->log, cap, sizeof(*l))) == NULL)
			r->mem -= (cap - s->logcap) * sizeof(*l);
		else
			r->logmem += (cap - s->logcap) * sizeof(*l);
		if (l == NULL) {
			s->logfull = 1;
			s->full_off = off;
			s->full_pkt = pkt;
			return;
		}
		s->log = l;
		s->logcap = cap;
	}
	l = &s->log[s->nlog++];
	l->id = id;
	l->kindoff = (uint64_t)kind << 56 | off;
	l->pkt = pkt;
}

static inline size_t
track_slot(uint64_t uuid, size_t slots)
{
	return (size_t)mix(uuid) & (slots - 1);
}

/* A use or definition of a track uuid: 0 past the cap. */
static int
track_put(struct pbref *r, uint64_t uuid, unsigned flag, uint64_t off,
    uint64_t pkt)
{
	struct pbref_track *t, *e;
	size_t i, j, slots;

	if ((r->ntrack + 1) * 2 > r->tslots) {
		slots = r->tslots == 0 ? 256 : r->tslots * 2;
		if (!charge(r, r->tslots * sizeof(*t), slots * sizeof(*t)))
			return 0;
		if ((t = calloc(slots, sizeof(*t))) == NULL) {
			r->mem -= (slots - r->tslots) * sizeof(*t);
			return 0;
		}
		for (i = 0; i < r->tslots; i++) {
			if (r->tracks[i].flags == 0)
				continue;
			j = track_slot(r->tracks[i].uuid, slots);
			while (t[j].flags != 0)
				j = (j + 1) & (slots - 1);
			t[j] = r->tracks[i];
		}
		free(r->tracks);
		r->tracks = t;
		r->tslots = slots;
	}
	j = track_slot(uuid, r->tslots);
	for (;;) {
		e = &r->tracks[j];
		if (e->flags == 0) {
			e->uuid = uuid;
			r->ntrack++;
			break;
		}
		if (e->uuid == uuid)
			break;
		j = (j + 1) & (r->tslots - 1);
	}
	if (flag == F_USED && !(e->flags & F_USED)) {
		e->off = off;
		e->pkt = pkt;
	}
	e->flags |= (uint8_t)flag;
	return 1;
}

int
pbref_grow(struct pbref *r)
{
	struct pbref_pend *p;
	size_t cap;

	if (r->capped)
		return 0;
	cap = r->pendcap == 0 ? 256 : r->pendcap * 2;
	if (cap > r->pendmax ||
	    (p = reallocarray(r->pend, cap, sizeof(*p))) == NULL) {
		r->capped = 1;
		return 0;
	}
	r->pend = p;
	r->pendcap = cap;
	return 1;
}

/* Stops checking: what is left is not enough to tell. */
static void
stop(struct pbref *r)
{
	r->capped = 1;
	r->npend = 0;
}

void
pbref_packet(struct pbref *r, uint64_t seq, uint64_t pkt)
{
	unsigned f = r->pflags;

	r->pflags = 0;
	pbref_packet_refs(r, r->pend, r->npend, f, seq, pkt);
	r->npend = 0;
}

void
pbref_packet_refs(struct pbref *r, const struct pbref_pend *pend, size_t n,
    unsigned f, uint64_t seq, uint64_t pkt)
{
	const struct pbref_pend *p;
	struct pbref_chunk *c;
	size_t i;
	unsigned ref, kind, b;
	uint64_t id, bit, off, *h, checked = 0;
	uint32_t si;
	int defs, tracks = 1;

	/*
	 * Nothing to resolve; with only a sequence id, of the sequence
	 * last seen, nothing changes either (most packets of a trace).
	 */
	if (r->capped || (n == 0 && (!(f & PBREF_P_SEQ) ||
	    (f == PBREF_P_SEQ && (uint32_t)seq == r->lastseq))))
		return;
	/* trusted_packet_sequence_id is a uint32: higher bits drop. */
	if ((si = seq_get(r, (uint32_t)seq)) == NONE) {
		stop(r);
		return;
	}
	/*
	 * proto_trace_reader.cc ParsePacket: a clear needs a sequence id and
	 * starts a new generation; a loss without one makes the state
	 * invalid; interned data counts only on a valid sequence; a packet
	 * that needs the state while it is invalid is dropped whole.
	 */
	if (f & PBREF_P_SEQ) {
		if (f & (PBREF_P_CLEARED | PBREF_P_ISC)) {
			gen_close(r, si);
			r->seqs[si].valid = 1;
		} else if (f & PBREF_P_LOST)
			r->seqs[si].valid = 0;
	}
	defs = f & PBREF_P_SEQ && r->seqs[si].valid;
	if (f & PBREF_P_NEEDS && !r->seqs[si].valid)
		tracks = 0;
	/*
	 * Uses and definitions in one pass: a use logged because its
	 * definition comes later in the packet is found defined at the end.
	 */
	for (i = 0; i < n; i++) {
		p = &pend[i];
		ref = (unsigned)(p->refoff >> 56);
		id = p->id;
		if (ref > SR_KINDS) {
			kind = ref - SR_KINDS;
			if (kind == SR_USE_TRACK) {
				if (tracks && !track_put(r, id, F_DEF, 0, 0))
					goto full;
				continue;
			}
			if (!defs)
				continue;
			c = r->last[kind];
			if ((c == NULL || c->hi != id >> PBREF_CHUNK_SHIFT ||
			    c->seq != si) && (c = chunk_get(r, si, kind,
			    id >> PBREF_CHUNK_SHIFT)) == NULL)
				goto full;
			b = (unsigned)(id & (PBREF_CHUNK - 1));
			bit = 1ull << (b % 64);
			if (c->def[b / 64] & bit)
				r->redefined++;
			c->def[b / 64] |= bit;
			continue;
		}
		off = p->refoff & ((1ull << 56) - 1);
		checked++;
		if (ref == SR_USE_TRACK) {
			/* Events name a few tracks over and over. */
			h = &r->recent[(id ^ id >> 29) % PBREF_RECENT];
			if (*h == id && id != 0)
				continue;
			if (!track_put(r, id, F_USED, off, pkt))
				goto full;
			*h = id;
			continue;
		}
		c = r->last[ref];
		if ((c == NULL || c->hi != id >> PBREF_CHUNK_SHIFT ||
		    c->seq != si) && (c = chunk_get(r, si, ref,
		    id >> PBREF_CHUNK_SHIFT)) == NULL)
			goto full;
		b = (unsigned)(id & (PBREF_CHUNK - 1));
		bit = 1ull << (b % 64);
		if (c->used[b / 64] & bit)
			continue;
		c->used[b / 64] |= bit;
		if (!(c->def[b / 64] & bit))
			log_use(r, &r->seqs[si], ref, id, off, pkt);
	}
	r->checked += checked;
	return;
full:
	r->checked += checked;
	stop(r);
}

int
pbref_resolve(struct pbref *r, struct wperr *e)
{
	const struct pbref_track *t;
	size_t i;

	if (r->capped)
		return 0;
	for (i = 0; i < r->nseq; i++)
		gen_close(r, (uint32_t)i);
	for (i = 0; i < r->tslots; i++) {
		t = &r->tracks[i];
		if (t->flags != F_USED)
			continue;
		r->missing[SR_USE_TRACK]++;
		take_miss(r, SR_USE_TRACK, t->uuid, 0, t->off, t->pkt);
	}
	if (!r->miss.have)
		return 0;
	e->code = r->miss.kind == SR_USE_TRACK ? WPE_MISSING_TRACK :
	    WPE_MISSING_INTERNED;
	e->off = r->miss.off;
	e->index = r->miss.pkt;
	e->refkind = r->miss.kind;
	e->refid = r->miss.id;
	e->refseq = r->miss.seq;
	e->refmissing = r->missing[r->miss.kind];
	/* The log of first uses was full: off is where it filled. */
	e->what = r->miss.inexact ? "first used at or after" : NULL;
	return -1;
}

const char *
pbref_kind_name(unsigned ref)
{
	switch (ref > SR_KINDS ? ref - SR_KINDS : ref) {
	case SR_USE_EVENT_NAME:
		return "event name iid";
	case SR_USE_EVENT_CATEGORY:
		return "event category iid";
	case SR_USE_DEBUG_ANNOTATION_NAME:
		return "debug annotation name iid";
	case SR_USE_DEBUG_ANNOTATION_STRING:
		return "debug annotation string iid";
	case SR_USE_FUNCTION_NAME:
		return "function name iid";
	case SR_USE_MAPPING:
		return "mapping iid";
	case SR_USE_FRAME:
		return "frame iid";
	case SR_USE_CALLSTACK:
		return "callstack iid";
	case SR_USE_TRACK:
		return "track uuid";
	}
	return "reference";
}

int
pbref_kind_stack(unsigned ref)
{
	switch (ref > SR_KINDS ? ref - SR_KINDS : ref) {
	case SR_USE_FUNCTION_NAME:
	case SR_USE_MAPPING:
	case SR_USE_FRAME:
	case SR_USE_CALLSTACK:
		return 1;
	}
	return 0;
}
