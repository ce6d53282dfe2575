/*
 * The references of a trace, resolved as Perfetto's trace_processor
 * (v58.2) resolves them. Interned ids belong to a generation of their
 * trusted_packet_sequence_id: a packet that clears the incremental state
 * (sequence_flags bit 0, or the older field 41) starts one, and a use
 * resolves against the definitions of its own generation in any order.
 * Definitions before the first clear of a sequence, or after a packet
 * loss until the next clear, are ignored, and so are definitions in a
 * packet without a sequence id. Track uuids are one set over the file.
 *
 * Interned ids are dense small integers in practice (wprof numbers frames
 * and callstacks from 1, strings from a fixed base): they are kept as
 * bitmaps of PBREF_CHUNK ids, one pair (used, defined) per chunk, so that
 * memory follows the id range in use. A generation is resolved and freed
 * when the next one starts. Track uuids are hashes: a hash set, one entry
 * per uuid (threads and processes, a few thousand). Everything but the
 * packet's own pending references lies within PBREF_MEM_MAX; past it, or
 * past PBREF_PENDING_MAX references in one packet, the sets stop and
 * `capped` says the references were not all checked.
 */
#ifndef PBREF_H
#define PBREF_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define PBREF_MEM_MAX	(8u << 20)	/* chunks, logs, uuids, sequences */
#define PBREF_PENDING_MAX	(1u << 18)	/* references in one packet */
#define PBREF_LOG_MAX	(4u << 20)	/* of it, for first uses */
#define PBREF_KEEP	(2u << 20)	/* what pbref_reset keeps allocated */
#define PBREF_CHUNK_SHIFT	12
#define PBREF_CHUNK	(1u << PBREF_CHUNK_SHIFT)	/* ids per chunk */
#define PBREF_BLOCK	32		/* chunks allocated at once */
#define PBREF_RECENT	1024		/* track uuids used lately */

/* What the top-level varints of a packet say about its sequence. */
#define PBREF_P_SEQ	0x01	/* trusted_packet_sequence_id (10) present */
#define PBREF_P_CLEARED	0x02	/* sequence_flags (13) bit 0 */
#define PBREF_P_NEEDS	0x04	/* sequence_flags bit 1 */
#define PBREF_P_ISC	0x08	/* incremental_state_cleared (41) */
#define PBREF_P_LOST	0x10	/* previous_packet_dropped (42) */

/* One reference of the current packet; ref in the top 8 bits of off. */
struct pbref_pend {
	uint64_t id;
	uint64_t refoff;
};

/* The used and defined ids id_hi * PBREF_CHUNK.. of one kind and sequence. */
struct pbref_chunk {
	uint64_t hi;
	uint32_t seq;		/* index in seqs */
	uint32_t next;		/* the sequence's next chunk, or free list */
	uint8_t kind;		/* SR_USE_x */
	uint64_t used[PBREF_CHUNK / 64];
	uint64_t def[PBREF_CHUNK / 64];
};

/* The first use of an id not defined when its packet ended. */
struct pbref_log {
	uint64_t id;
	uint64_t kindoff;	/* kind in the top 8 bits */
	uint64_t pkt;
};

/* A sequence and its current generation. */
struct pbref_seq {
	uint32_t id;
	int valid;		/* cleared, and no loss since */
	uint32_t chunks;	/* its chunks, a list through next */
	struct pbref_log *log;
	size_t nlog, logcap;
	int logfull;		/* first uses were dropped from here on: */
	uint64_t full_off, full_pkt;
};

struct pbref_track {
	uint64_t uuid;
	uint64_t off;		/* the first use */
	uint64_t pkt;
	uint8_t flags;
};

/* The first missing use found so far, over closed generations. */
struct pbref_miss {
	int have;
	int inexact;		/* at or after off: the log was full */
	unsigned kind;
	uint64_t id, seq, off, pkt;
};

struct pbref {
	/* The current packet. */
	struct pbref_pend *pend;
	size_t npend, pendcap;
	unsigned pflags;
	/* Chunks, in blocks, and their index by (seq, kind, hi). */
	struct pbref_chunk **blk;
	size_t nblk, blkcap;
	uint32_t nchunk, freechunk;
	uint32_t *cidx;
	size_t cslots, cused, ctomb;
	/* Sequences and their index by id. */
	struct pbref_seq *seqs;
	size_t nseq, seqcap;
	uint32_t *sidx;
	size_t sslots;
	struct pbref_track *tracks;
	size_t tslots, ntrack;
	size_t mem;		/* counted against PBREF_MEM_MAX */
	size_t logmem;		/* of it, logs */
	/* The chunk last used per kind, the sequence last used. */
	struct pbref_chunk *last[10];
	uint64_t lastseq;	/* UINT64_MAX: none */
	uint64_t recent[PBREF_RECENT];	/* uuids used, by a hash; 0 none */
	uint32_t lastsi;
	struct pbref_miss miss;
	uint64_t missing[10];	/* distinct missing ids per SR_USE_x */
	uint64_t checked;	/* uses */
	uint64_t redefined;	/* interned ids defined again in a generation */
	uint64_t inexact;	/* missing ids whose first use was not logged */
	int capped;
	size_t pendmax;		/* pending references at most: pbref_init sets
				   PBREF_PENDING_MAX; a walk may set fewer */
};

void pbref_init(struct pbref *);
void pbref_free(struct pbref *);
/*
 * Empties the sets for another trace; keeps up to PBREF_KEEP bytes of
 * allocations for it and frees the rest.
 */
void pbref_reset(struct pbref *);
/*
 * Moves src's sets into dst, reset (see pbref_reset), and leaves src
 * empty; dst's own are freed first. For a caller that checks many traces
 * with the sets of one.
 */
void pbref_move(struct pbref *dst, struct pbref *src);
/* Grows the pending references, or caps the sets; 0 when it cannot grow. */
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
	/* Offsets stay below 2^56: no file or stream holds 64 PiB. */
	p->refoff = (uint64_t)ref << 56 | off;
}

/*
 * A top-level varint of the current packet: the fields that decide its
 * sequence and generation, read as protozero does (the last one counts,
 * uint32 fields truncated, bool any non-zero value).
 */
static inline void
pbref_top(struct pbref *r, uint32_t field, uint64_t v)
{
	unsigned f;

	/* Most top-level varints are timestamps: one test for them. */
	if (field >= 64 || !(1ull << field & (1ull << 10 | 1ull << 13 |
	    1ull << 41 | 1ull << 42)))
		return;
	f = r->pflags;
	switch (field) {
	case 10:
		f |= PBREF_P_SEQ;
		break;
	case 13:
		f &= ~(unsigned)(PBREF_P_CLEARED | PBREF_P_NEEDS);
		f |= (v & 1 ? PBREF_P_CLEARED : 0) | (v & 2 ? PBREF_P_NEEDS : 0);
		break;
	case 41:
		f = v != 0 ? f | PBREF_P_ISC : f & ~(unsigned)PBREF_P_ISC;
		break;
	case 42:
		f = (uint32_t)v != 0 ? f | PBREF_P_LOST :
		    f & ~(unsigned)PBREF_P_LOST;
		break;
	}
	r->pflags = f;
}

/*
 * The packet ended: its references belong to sequence seq (0 without
 * one), packet number pkt.
 */
void pbref_packet(struct pbref *, uint64_t seq, uint64_t pkt);
/*
 * The same for references gathered elsewhere, n of them at pend, with
 * the packet's PBREF_P_x flags f; r's own pending ones are left alone.
 */
void pbref_packet_refs(struct pbref *, const struct pbref_pend *pend,
    size_t n, unsigned f, uint64_t seq, uint64_t pkt);
/*
 * After the last packet: 0 when every use is defined (or the sets were
 * capped), else -1 with e filled (WPE_MISSING_INTERNED, WPE_MISSING_TRACK):
 * the first use of a missing id, or, when more ids were used before their
 * definition than PBREF_LOG_MAX holds, the lowest missing id and where
 * the log filled (e->what "first used at or after", else NULL).
 */
int pbref_resolve(struct pbref *, struct wperr *e);
/* "callstack iid", "track uuid": the name of an SR_USE_x. */
const char *pbref_kind_name(unsigned ref);
/* 1 when wprof writes that kind in its final stack packet. */
int pbref_kind_stack(unsigned ref);

#endif
