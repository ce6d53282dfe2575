/*
 * The references of a trace: interned ids per trusted_packet_sequence_id
 * and track uuids over the whole file, each used one defined somewhere,
 * in any order. Memory grows with the distinct ids, up to PBREF_MAX.
 */
#ifndef PBREF_H
#define PBREF_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define PBREF_SLOTS_MAX	(1u << 18)	/* 8 MiB of entries */
#define PBREF_MAX	(PBREF_SLOTS_MAX / 4 * 3)	/* distinct ids */
#define PBREF_PENDING_MAX	16384	/* uses in one packet before its end */
#define PBREF_RECENT	256

struct pbref_ent {
	uint64_t seq, id;
	uint64_t use_off;	/* the first use */
	uint32_t use_pkt;	/* its packet, at most UINT32_MAX */
	uint8_t kind;		/* enum schema_ref, the SR_USE_x of both */
	uint8_t flags;
};

struct pbref_pend {
	uint64_t id, off;
	uint8_t ref;		/* SR_USE_x or SR_DEF_x */
};

struct pbref {
	struct pbref_ent *tab;
	size_t slots, n;
	struct pbref_pend *pend;
	size_t npend, pendcap;
	uint64_t checked;
	int capped;
	/* Entries recently touched, by a hash of id and code: repeats. */
	struct pbref_recent {
		uint64_t seq, id;
		uint8_t ref;
	} recent[PBREF_RECENT];
};

void pbref_init(struct pbref *);
void pbref_free(struct pbref *);
/* Grows the pending uses, or caps the sets; 0 when it cannot grow. */
int pbref_grow(struct pbref *);

/* A use or definition in the current packet, whose sequence is not known. */
static inline void
pbref_add(struct pbref *r, unsigned ref, uint64_t id, uint64_t off)
{
	struct pbref_pend *p;

	if (r->npend == r->pendcap && !pbref_grow(r))
		return;
	p = &r->pend[r->npend++];
	p->id = id;
	p->off = off;
	p->ref = (uint8_t)ref;
}
/* The packet ended: its uses and definitions belong to sequence seq. */
void pbref_packet(struct pbref *, uint64_t seq, uint64_t pkt);
/*
 * After the last packet: 0 when every use is defined (or the sets were
 * capped), else -1 with e filled (WPE_MISSING_INTERNED, WPE_MISSING_TRACK).
 */
int pbref_resolve(struct pbref *, struct wperr *e);
/* "callstack iid", "track uuid": the name of an SR_USE_x. */
const char *pbref_kind_name(unsigned ref);
/* 1 when wprof writes that kind in its final stack packet. */
int pbref_kind_stack(unsigned ref);

#endif
