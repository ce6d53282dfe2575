/*
 * The deep walk of a Perfetto Trace: every field of every packet checked
 * against the schema table (schema.c), recursively, as protoc would parse
 * it, and the interned ids and track uuids it uses resolved (pbref.c).
 * Like the rest of lib/, nothing here prints or exits.
 */
#ifndef PBWALK_H
#define PBWALK_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "pbref.h"
#include "pbwire.h"
#include "schema.h"
#include "sem.h"

#define PB_TAG_PACKET	PBWIRE_TAG_PACKET
#define PB_F_TIMESTAMP	8
#define PB_F_SEQ_ID	10	/* trusted_packet_sequence_id */
#define PB_F_TRACK_EVENT	11
#define PB_F_INTERNED_DATA	12
#define PB_F_TRACK_DESCRIPTOR	60

#define PBWALK_SEQS	64	/* distinct sequence ids counted exactly */
/* Messages and groups nested in a packet, the packet included: protobuf's. */
#define PBWALK_DEPTH	100
#define PBWALK_TOKEN	20	/* the longest tag plus varint */
#define PBWALK_SIZE_UNKNOWN	UINT64_MAX

/* What a deep walk found. */
struct pbstats {
	uint64_t packets;
	uint64_t track_event;		/* packets with field 11 */
	uint64_t interned_data;		/* packets with field 12 */
	uint64_t track_descriptor;	/* packets with field 60 */
	unsigned nseq;			/* distinct field 10 values */
	int seq_capped;			/* over PBWALK_SEQS: nseq is a floor */
	uint64_t seq[PBWALK_SEQS];
	int have_ts;
	uint64_t ts_min, ts_max;	/* earliest and latest non-zero field 8 */
	/* Packets by their payload, TracePacket's oneof data; [n] for none. */
	uint64_t kind[SCHEMA_TRACE_PACKET_NFIELDS + 1];
	uint64_t refs_checked;		/* uses of ids and uuids resolved */
	int refs_capped;		/* too many ids: not all were checked */
	uint64_t refs_redefined;	/* interned ids defined again */
	/* lib/sem.c: what the trace holds, and its notes (SEM_NOTE_x) */
	struct sem_summary sum;
	unsigned sem_notes;		/* bit r - SEM_NOTE_FIRST per note */
};

struct pbkind_count {
	const char *name;	/* the payload field, "none" for no payload */
	uint64_t n;
};

/* The packet kinds seen, most first; returns how many were stored. */
size_t pbstats_kinds(const struct pbstats *, struct pbkind_count *,
    size_t max);

/* A message, group or packed field being walked. */
struct pbframe {
	uint64_t end;		/* offset just past the enclosing length */
	uint32_t field;		/* the field that opened it; 1 for a packet */
	uint16_t msg;		/* schema index, or PBWALK_NOMSG */
	uint8_t kind;		/* PF_MSG, PF_GROUP, PF_PACKED */
	uint8_t ref;		/* SR_DEF_x of its iid, or SR_USE_x (packed) */
	uint64_t tag_off;	/* where its tag starts */
	uint8_t wt;		/* PF_PACKED: wire type of the values */
	uint8_t sem;		/* enum sem_msg: a message sem wants; for
				   PF_PACKED, its message's */
};

#define PBWALK_NOMSG	UINT16_MAX

struct pbpar;
struct pbrec;

/*
 * The walk takes the file in pieces, each starting where the previous one
 * stopped being used. A piece that ends in the middle of a tag or varint
 * leaves fewer than PBWALK_TOKEN bytes unused; hand them in again at the
 * start of the next piece. Every byte is looked at.
 */
struct pbwalk {
	uint64_t size;		/* file size, or PBWALK_SIZE_UNKNOWN */
	uint64_t off;		/* stream offset of the next unused byte */
	int in_pkt;
	uint64_t pkt_off;	/* offset of the current packet's tag */
	uint64_t pkt_body;	/* offset of its first body byte */
	uint64_t pkt_len;	/* the length it claims */
	uint64_t pkt_end;	/* offset just past its last byte */
	unsigned pkt_flags;
	unsigned pkt_kind;	/* its payload field's index in TracePacket */
	uint64_t pkt_ts, pkt_seq;
	/* A value that spans pieces: bytes left, and UTF-8 state if a string. */
	uint64_t left;
	int utf8;
	struct pbwire_utf8 u8;
	uint64_t leaf_off;	/* tag offset of that value */
	uint32_t leaf_tag;
	unsigned depth;
	struct pbframe stack[PBWALK_DEPTH];
	struct pbref refs;
	struct sem sem;		/* the importer's rules (sem.h) */
	uint64_t good_end;	/* offset just past the last whole good packet */
	uint64_t good_packets;	/* packets before good_end */
	struct pbstats st;
	/*
	 * Tests compare the two paths: with slow_only set, every packet goes
	 * through the slow one; fast_packets counts those the fast one took.
	 */
	int slow_only;
	uint64_t fast_packets;
	/*
	 * Tests of the grammar and the references alone, on hand-made
	 * packets that break the importer's rules (no timestamps, tracks
	 * with no parent), set rules_off; check never does.
	 */
	int rules_off;
	/*
	 * Two threads (lib/artifact.c sets threads to 2): whole packets of a
	 * piece of par_min bytes or more are walked on this thread and a
	 * helper at once. Each walk records what it would tell sem and
	 * pbref (struct pbrec), and this thread hands it to them in file
	 * order, so that the verdict is the one-thread walk's. No round
	 * starts before the offset par_from (a round stopped at a packet the
	 * fast path will not take, or found the packets too large to be
	 * worth it). A piece that can fault when read (a mapped window,
	 * pump.h) must not be walked on two threads.
	 */
	int threads;
	size_t par_min;
	size_t par_run;		/* bytes of packets a thread takes at once */
	size_t par_packet[2];	/* the mean packet size worth it: least, most */
	uint64_t par_from;
	struct pbpar *par;
	struct pbrec *rec;	/* a helper's walk: sem's events recorded */
	struct wperr err;
};

#define PBWALK_PAR_MIN	(64u << 10)
#define PBWALK_PAR_RUN	(32u << 10)
#define PBWALK_PAR_PACKET_MIN	16
#define PBWALK_PAR_PACKET_MAX	256

enum pbwalk_ev {
	PBWALK_NEED,	/* the piece is used up to *used: feed more */
	PBWALK_DONE,	/* end of input on a packet boundary, references good */
	PBWALK_FAIL,	/* w->err says what and where */
};

void pbwalk_init(struct pbwalk *, uint64_t size);
enum pbwalk_ev pbwalk_feed(struct pbwalk *, const unsigned char *, size_t,
    int eof, size_t *used);
/* Frees the reference sets; the walk may be initialised again after. */
void pbwalk_free(struct pbwalk *);

#endif
