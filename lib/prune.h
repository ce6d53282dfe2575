/*
 * Pruning a trace so that no reference dangles: what salvage does to the
 * whole packets it kept when the definitions of some of their references
 * were in the part that was lost (wprof writes every callstack, frame and
 * function name in one packet at the very end).
 *
 * Three passes over the same packets, in order: PRUNE_TRACKS learns the
 * track uuids described, PRUNE_DEFS the interned ids defined in each
 * (sequence, generation) of the packets that will be kept, PRUNE_WRITE
 * hands each packet on, rewritten: a TrackEvent whose track_uuid is not
 * described is dropped whole (trace_processor would drop it), a debug
 * annotation whose name iid is lost is dropped whole, and any other use
 * whose definition is lost loses that field (or that packed value), with
 * the lengths of every message around it encoded again. Sequences,
 * generations and what counts as a definition follow lib/pbref.c, so that
 * what is written passes the check of references.
 *
 * The packets are taken as the deep walk passed them (pbwalk.h): nothing
 * here checks the grammar again. Memory follows the id range in use, up
 * to PRUNE_MEM_MAX; nothing here prints or exits.
 */
#ifndef PRUNE_H
#define PRUNE_H

#include <stddef.h>
#include <stdint.h>

#include "schema.h"

#define PRUNE_MEM_MAX	(4u << 20)	/* sets of ids, uuids, sequences */
#define PRUNE_SEQS	1024		/* distinct sequence ids */
#define PRUNE_CHUNK_SHIFT	12
#define PRUNE_CHUNK	(1u << PRUNE_CHUNK_SHIFT)	/* ids per bitmap */
#define PRUNE_PACKET_MAX	(8u << 20)	/* prune_fd()'s largest packet */

enum prune_pass { PRUNE_TRACKS, PRUNE_DEFS, PRUNE_WRITE };

enum prune_err {
	PRUNE_OK,
	PRUNE_FULL,	/* more ids, uuids or sequences than fit */
	PRUNE_NOMEM,
	PRUNE_BIG,	/* a packet over PRUNE_PACKET_MAX */
	PRUNE_BAD,	/* bytes that are no whole packets (see above) */
	PRUNE_READ,	/* prune_fd(): errno says why */
	PRUNE_PUT,	/* the put callback failed */
};

struct prune_seq {
	uint32_t id;
	uint32_t gen;		/* clears seen */
	int valid;		/* cleared, and no loss since */
};

/* The ids id_hi * PRUNE_CHUNK.. of one kind defined in one generation. */
struct prune_chunk {
	uint64_t hi;
	uint32_t si, gen;
	uint32_t kind;		/* SR_USE_x */
	uint64_t def[PRUNE_CHUNK / 64];
};

struct prune {
	enum prune_pass pass;
	struct prune_seq *seqs;
	size_t nseq;
	struct prune_chunk *chunks;
	size_t nchunk, chunkcap;
	uint32_t *cidx;		/* chunk index + 1 by (si, gen, kind, hi) */
	size_t cslots;
	uint64_t *tracks;	/* described uuids but 0, open addressing */
	size_t tslots, ntrack;
	int track0;		/* uuid 0 is described */
	size_t mem;
	/* The current packet's sequence. */
	uint32_t si, gen;
	int defs;		/* its interned data counts */
	int tdefs;		/* its track descriptor counts */
	/* What PRUNE_WRITE removed: fields or values per SR_USE_x. */
	uint64_t dropped[SR_KINDS + 1];
	uint64_t dropped_packets;	/* TrackEvents on undescribed tracks */
	uint64_t dropped_annotations;	/* debug annotations, name lost */
	uint64_t rewritten;	/* packets written with something removed */
	/* PRUNE_WRITE's output: 0, or -1 to stop. */
	int (*put)(void *, const void *, size_t);
	void *arg;
};

void prune_init(struct prune *);
void prune_free(struct prune *);
/* Starts a pass from the first packet; PRUNE_TRACKS empties the sets. */
void prune_start(struct prune *, enum prune_pass);
/*
 * One packet's body (len bytes after its tag and length), in the pass
 * begun by prune_start(). PRUNE_WRITE puts the packet, tag and length
 * included, or nothing when it is dropped.
 */
enum prune_err prune_packet(struct prune *, const unsigned char *body,
    size_t len);
/*
 * A pass over the size bytes of whole packets at offset 0 of fd, read
 * with pread into buf (buflen at least 64 bytes); a packet longer than
 * buflen is read into memory of its own, up to PRUNE_PACKET_MAX. *at is
 * the offset of the packet that failed.
 */
enum prune_err prune_fd(struct prune *, enum prune_pass, int fd,
    uint64_t size, unsigned char *buf, size_t buflen, uint64_t *at);
/* Fields, values, annotations and packets removed by PRUNE_WRITE. */
uint64_t prune_removed(const struct prune *);
const char *prune_strerror(enum prune_err);

#endif
