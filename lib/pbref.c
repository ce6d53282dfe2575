#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "pbref.h"
#include "schema.h"

#define F_USED	0x01
#define F_DEF	0x02

void
pbref_init(struct pbref *r)
{
	memset(r, 0, sizeof(*r));
}

void
pbref_free(struct pbref *r)
{
	free(r->tab);
	free(r->pend);
	pbref_init(r);
}

static size_t
slot_of(uint64_t seq, uint64_t id, unsigned kind, size_t mask)
{
	uint64_t x;

	x = id * 0x9e3779b97f4a7c15ull ^
	    (seq + (uint64_t)kind * 0x632be59bd9b4e019ull) *
	    0xc2b2ae3d27d4eb4full;
	x ^= x >> 31;
	return (size_t)x & mask;
}

/* Doubles the table; 0 when it cannot (the cap, or no memory). */
static int
grow(struct pbref *r)
{
	struct pbref_ent *old = r->tab, *t, *e;
	size_t oslots = r->slots, slots, i, j;

	slots = oslots == 0 ? 1024 : oslots * 2;
	if (slots > PBREF_SLOTS_MAX)
		return 0;
	if ((t = calloc(slots, sizeof(*t))) == NULL)
		return 0;
	for (i = 0; i < oslots; i++) {
		e = &old[i];
		if (e->flags == 0)
			continue;
		j = slot_of(e->seq, e->id, e->kind, slots - 1);
		while (t[j].flags != 0)
			j = (j + 1) & (slots - 1);
		t[j] = *e;
	}
	free(old);
	r->tab = t;
	r->slots = slots;
	return 1;
}

static inline size_t
recent_of(uint64_t id, unsigned ref)
{
	return (size_t)(((id + ref) * 0x9e3779b97f4a7c15ull) >> 56);
}

/* A use or definition not among the recent ones. */
static void
put(struct pbref *r, unsigned ref, uint64_t seq, uint64_t id, uint64_t off,
    uint64_t pkt)
{
	unsigned kind = ref > SR_KINDS ? ref - SR_KINDS : ref;
	unsigned flag = ref > SR_KINDS ? F_DEF : F_USED;
	struct pbref_recent *rc;
	struct pbref_ent *e;
	size_t j;

	rc = &r->recent[recent_of(id, ref)];
	/* At most 3/4 full, so that a probe always ends. */
	if ((r->n + 1) * 4 > r->slots * 3 && !grow(r)) {
		r->capped = 1;
		return;
	}
	j = slot_of(seq, id, kind, r->slots - 1);
	for (;;) {
		e = &r->tab[j];
		if (e->flags == 0) {
			e->seq = seq;
			e->id = id;
			e->kind = (uint8_t)kind;
			r->n++;
			break;
		}
		if (e->id == id && e->seq == seq && e->kind == kind)
			break;
		j = (j + 1) & (r->slots - 1);
	}
	if (flag == F_USED && !(e->flags & F_USED)) {
		e->use_off = off;
		e->use_pkt = pkt > UINT32_MAX ? UINT32_MAX : (uint32_t)pkt;
	}
	e->flags |= (uint8_t)flag;
	rc->ref = (uint8_t)ref;
	rc->id = id;
	rc->seq = seq;
}

int
pbref_grow(struct pbref *r)
{
	struct pbref_pend *p;
	size_t cap;

	if (r->capped)
		return 0;
	cap = r->pendcap == 0 ? 256 : r->pendcap * 2;
	if (cap > PBREF_PENDING_MAX ||
	    (p = reallocarray(r->pend, cap, sizeof(*p))) == NULL) {
		r->capped = 1;
		return 0;
	}
	r->pend = p;
	r->pendcap = cap;
	return 1;
}

void
pbref_packet(struct pbref *r, uint64_t seq, uint64_t pkt)
{
	const struct pbref_pend *p, *e;
	const struct pbref_recent *rc;
	uint64_t s, id, checked = r->checked;
	unsigned ref;

	if (r->npend == 0)
		return;
	e = r->pend + r->npend;
	r->npend = 0;
	if (r->capped)
		return;
	for (p = r->pend; p < e; p++) {
		ref = p->ref;
		id = p->id;
		/* Track uuids are global, interned ids per sequence. */
		s = ref == SR_USE_TRACK || ref == SR_DEF_TRACK ? 0 : seq;
		checked += ref <= SR_KINDS;
		rc = &r->recent[recent_of(id, ref)];
		if (rc->id == id && rc->seq == s && rc->ref == ref)
			continue;
		put(r, ref, s, id, p->off, pkt);
		if (r->capped)
			break;
	}
	r->checked = checked;
}

int
pbref_resolve(struct pbref *r, struct wperr *e)
{
	uint64_t missing[SR_KINDS + 1] = { 0 };
	const struct pbref_ent *t, *first = NULL;
	size_t i;

	if (r->capped)
		return 0;
	for (i = 0; i < r->slots; i++) {
		t = &r->tab[i];
		if (t->flags != F_USED)
			continue;
		missing[t->kind]++;
		if (first == NULL || t->use_off < first->use_off)
			first = t;
	}
	if (first == NULL)
		return 0;
	e->code = first->kind == SR_USE_TRACK ? WPE_MISSING_TRACK :
	    WPE_MISSING_INTERNED;
	e->off = first->use_off;
	e->index = first->use_pkt;
	e->refkind = first->kind;
	e->refid = first->id;
	e->refseq = first->seq;
	e->refmissing = missing[first->kind];
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
