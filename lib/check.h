/*
 * The artifact check: the shape rules of spec section 3, the deep walk of
 * a Perfetto Trace (pbwalk.c) and the sidecar file name convention.
 * Like the rest of lib/, nothing here prints or exits.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "wprofck.h"

#define CHECK_MIN_SIZE	4096	/* wprof's opening is about 5 KB */
#define CHECK_BUF_MIN	4096	/* the smallest buffer check_fd() takes */

#define PB_TAG_PACKET	0x0a	/* field 1, wire type 2: TracePacket */
#define PB_F_TIMESTAMP	8
#define PB_F_SEQ_ID	10	/* trusted_packet_sequence_id */
#define PB_F_TRACK_EVENT	11
#define PB_F_INTERNED_DATA	12
#define PB_F_TRACK_DESCRIPTOR	60

#define PBWALK_SEQS	64	/* distinct sequence ids counted exactly */
#define PBWALK_DEPTH	100	/* group nesting, protobuf's recursion limit */
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
};

/*
 * The walk takes the file in pieces, each starting where the previous one
 * stopped being used. A piece that ends in the middle of a tag or varint
 * leaves fewer than PBWALK_TOKEN bytes unused; hand them in again at the
 * start of the next piece.
 */
struct pbwalk {
	uint64_t size;		/* file size, or PBWALK_SIZE_UNKNOWN */
	uint64_t off;		/* stream offset of the next unused byte */
	uint64_t skip;		/* payload bytes to pass over first */
	int in_pkt;
	uint64_t pkt_off;	/* offset of the current packet's tag */
	uint64_t pkt_body;	/* offset of its first body byte */
	uint64_t pkt_len;	/* the length it claims */
	uint64_t pkt_end;	/* offset just past its last byte */
	unsigned depth;
	uint32_t groups[PBWALK_DEPTH];
	unsigned pkt_flags;
	uint64_t pkt_ts, pkt_seq;
	struct pbstats st;
	struct wperr err;
};

enum pbwalk_ev {
	PBWALK_NEED,	/* the piece is used up to *used: feed more */
	PBWALK_DONE,	/* end of input on a packet boundary */
	PBWALK_FAIL,	/* w->err says what and where */
};

void pbwalk_init(struct pbwalk *, uint64_t size);
enum pbwalk_ev pbwalk_feed(struct pbwalk *, const unsigned char *, size_t,
    int eof, size_t *used);
/* Marks the pending payload bytes as passed over; returns how many. */
uint64_t pbwalk_skip(struct pbwalk *);

/* {test}-{variant:016x}.wprof.pb and {test}-{variant:016x}.repro.wprof.pb */
#define SIDECAR_SUFFIX	".wprof.pb"
#define SIDECAR_NAME_MAX	255

struct sidecar {
	char test[SIDECAR_NAME_MAX + 1];
	char variant[17];
	int repro;
};

int sidecar_match(const char *name);	/* ends in .wprof.pb */
int sidecar_parse(const char *name, struct sidecar *);	/* 1 when it fits */

enum check_mode { CHECK_SHAPE, CHECK_DEEP };

struct check_result {
	unsigned char head[16];	/* the input's first bytes, when read */
	size_t headlen;
	int have_size;
	uint64_t size;
	int deep;		/* the walk ran to its end: st is complete */
	struct pbstats st;
	struct wperr err;	/* WPE_OK when the artifact passed */
};

/*
 * Checks the artifact open on fd, from its offset 0 for a regular file or
 * from the current position of a stream, reading no further than the
 * verdict needs. Returns 0 with a verdict in r->err, or -1 when the file
 * could not be read (WPE_SYS) or changed while it was read (WPE_CHANGED).
 */
int check_fd(int fd, enum check_mode mode, uint64_t min_size,
    unsigned char *buf, size_t buflen, struct check_result *r);
/* 1 for a verdict that is trouble (exit 2), not bad data. */
int check_trouble(const struct wperr *);

/* The stable lower_snake name of a verdict: "too_small", "unreadable". */
const char *check_reason(const struct wperr *);

#endif
