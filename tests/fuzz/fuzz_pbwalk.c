/*
 * The protobuf walk of check --deep. With bit 0 of the first byte clear,
 * arbitrary bytes: the walk ends in a verdict, the same one whether the
 * file comes in one piece or many (and through check_fd() from a file or
 * a pipe). With it set, the rest of the input is a program that builds a
 * well-formed Trace, and the walk must accept it with the figures the
 * builder counted. Input: mode byte, buffer size (1), piece seed (2), data.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../lib/check.h"
#include "fuzz.h"

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

static void
same_err(const struct wperr *a, const struct wperr *b)
{
	CHECK(a->code == b->code);
	CHECK(a->off == b->off);
	CHECK(a->index == b->index);
	CHECK(a->field == b->field);
	CHECK(a->wiretype == b->wiretype);
	CHECK(a->want == b->want);
	CHECK(a->got == b->got);
}

static void
worded(const struct wperr *e)
{
	check_wording(e);
	CHECK(strcmp(check_reason(e), "unreadable") != 0);
}

static enum pbwalk_ev
walk_once(const unsigned char *d, size_t len, struct pbwalk *w)
{
	enum pbwalk_ev ev;
	size_t used = 0;

	pbwalk_init(w, len);
	ev = pbwalk_feed(w, d, len, 1, &used);
	CHECK(ev != PBWALK_NEED);
	CHECK(ev != PBWALK_DONE || used == len);
	return ev;
}

/*
 * As check_fd() reads: a buffer of bsz bytes refilled behind what the walk
 * left, known size passing over payloads it skips, unknown size reading
 * short pieces until a read of nothing.
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
		if (known && have == 0 && w->skip > 0) {
			n = (size_t)pbwalk_skip(w);
			CHECK(n <= len - roff);
			roff += n;
		}
	}
	free(buf);
	return ev;
}

/* check_fd() from a memory file and from a pipe, against the walk. */
static void
through_fd(const unsigned char *d, size_t len, enum pbwalk_ev ev,
    const struct pbwalk *w)
{
	struct check_result r;
	unsigned char *buf;
	int fd, p[2];

	if ((buf = malloc(CHECK_BUF_MIN)) == NULL)
		abort();
	if ((fd = memfd_create("fuzz", 0)) == -1)
		abort();
	if (len > 0 && write(fd, d, len) != (ssize_t)len)
		abort();
	CHECK(check_fd(fd, CHECK_DEEP, 0, buf, CHECK_BUF_MIN, &r) == 0);
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
	CHECK(check_fd(p[0], CHECK_DEEP, 0, buf, CHECK_BUF_MIN, &r) == 0);
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
	struct pbwalk one, many, stream;
	struct pbstats want;
	struct src s;
	struct buf b;
	enum pbwalk_ev ev;
	const unsigned char *d;
	size_t dlen, bsz;
	uint32_t seed;

	if (len < PREFIX)
		return 0;
	bsz = in[1] == 0xff ? CHECK_BUF_MIN : PBWALK_TOKEN + in[1];
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

	ev = walk_once(d, dlen, &one);
	if (ev == PBWALK_FAIL)
		worded(&one.err);
	CHECK(walk_pieces(d, dlen, 1, bsz, seed, &many) == ev);
	same_err(&many.err, &one.err);
	CHECK(walk_pieces(d, dlen, 0, bsz, seed, &stream) == PBWALK_DONE ||
	    ev != PBWALK_DONE);
	if (stream.err.code != WPE_OK)
		worded(&stream.err);
	if (ev == PBWALK_DONE) {
		same_stats(&many.st, &one.st);
		same_stats(&stream.st, &one.st);
	} else
		CHECK(stream.err.code != WPE_OK);
	if (in[0] & 1) {
		CHECK(ev == PBWALK_DONE);
		same_stats(&one.st, &want);
	}
	if (in[0] & 2)
		through_fd(d, dlen, ev, &one);
	free(b.p);
	return 0;
}
