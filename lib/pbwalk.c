#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "pbwalk.h"
#include "worker.h"

#define PKT_TS		0x01
#define PKT_SEQ		0x02
#define PKT_TE		0x04
#define PKT_ID		0x08
#define PKT_TD		0x10

#define PF_MSG		0
#define PF_GROUP	1
#define PF_PACKED	2

/* What the walk did with one field: go on, or look at the stack again. */
enum { STEP_ON, STEP_STACK, STEP_FAIL };

static const char value_past[] = "the value runs past the end of the packet";
static const char value_past_msg[] =
    "the value runs past the end of its message";

/*
 * The messages sem wants, by schema index (enum sem_msg, SEM_M_NONE for
 * the rest): built once, so that a message costs the walk one lookup
 * when it begins, and the fields of the others nothing.
 */
static uint8_t sem_want[SCHEMA_NMSGS];
static uint64_t sem_mask[SEM_M_COUNT];	/* sem_fields() of each */
static pthread_once_t sem_want_once = PTHREAD_ONCE_INIT;

static int
by_msg_name(const void *key, const void *m)
{
	return strcmp(key, ((const struct schema_msg *)m)->name);
}

static void
sem_want_build(void)
{
	const struct schema_msg *m;
	const char *name;
	size_t i;

	/* schema_msgs is sorted by name (schemagen). */
	for (i = 0; i < SEM_M_COUNT; i++)
		if ((name = sem_msg_name((enum sem_msg)i)) != NULL &&
		    (m = bsearch(name, schema_msgs, SCHEMA_NMSGS,
		    sizeof(schema_msgs[0]), by_msg_name)) != NULL)
			sem_want[m - schema_msgs] = (uint8_t)i;
	sem_want[SCHEMA_TRACE_PACKET] = SEM_M_PACKET;
	for (i = 0; i < SEM_M_COUNT; i++)
		sem_mask[i] = sem_fields((enum sem_msg)i);
}

/* 1 when sem reads field of a message whose sem_fields() is mask. */
static inline int
sem_reads(uint64_t mask, uint32_t field)
{
	return field < 64 && (mask >> field & 1);
}

void
pbwalk_init(struct pbwalk *w, uint64_t size)
{
	memset(w, 0, sizeof(*w));
	w->size = size;
	w->par_min = PBWALK_PAR_MIN;
	w->par_run = PBWALK_PAR_RUN;
	w->par_packet[0] = PBWALK_PAR_PACKET_MIN;
	w->par_packet[1] = PBWALK_PAR_PACKET_MAX;
	pbref_init(&w->refs);
	sem_init(&w->sem);
	(void)pthread_once(&sem_want_once, sem_want_build);
}

static void par_free(struct pbpar *);

void
pbwalk_free(struct pbwalk *w)
{
	par_free(w->par);
	w->par = NULL;
	pbref_free(&w->refs);
	sem_free(&w->sem);
}

/*
 * Field number among the n sorted fields at f. Numbers are distinct, so
 * field n sits at index n - 1 or below; most messages number their first
 * fields without gaps.
 */
static inline const struct schema_field *
field_in(const struct schema_field *f, uint32_t n, uint32_t number)
{
	uint32_t lo = 0, hi, mid;

	hi = number < n ? number : n;
	if (hi > 0 && f[hi - 1].number == number)
		return &f[hi - 1];
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (f[mid].number == number)
			return &f[mid];
		if (f[mid].number < number)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const struct schema_field *
field_of(unsigned msg, uint32_t number)
{
	if (msg == PBWALK_NOMSG)
		return NULL;
	return field_in(&schema_fields[schema_msgs[msg].first],
	    schema_msgs[msg].nfields, number);
}

/* The field of message m, or the unknown one. */
static inline const struct schema_field *
field_lookup(const struct schema_msg *m, uint32_t number)
{
	const struct schema_field *f;

	if (number < m->ndense)
		return &schema_fields[schema_dense[m->dense + number]];
	f = field_in(&schema_fields[m->first], m->nfields, number);
	return f != NULL ? f : &schema_fields[SCHEMA_UNKNOWN];
}

/* Appends s to the path in buf, dropping what does not fit. */
static void
path_add(char *buf, size_t size, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n >= size)
		n = size - 1 - *len;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
}

static void
path_part(char *buf, size_t size, size_t *len, unsigned msg, uint32_t field)
{
	const struct schema_field *f = field_of(msg, field);
	const char *m = msg == PBWALK_NOMSG ? "group" : schema_msgs[msg].name;
	char part[160];

	if (field == 0)
		snprintf(part, sizeof(part), "%s", m);
	else if (f != NULL)
		snprintf(part, sizeof(part), "%s.%s(%u)", m,
		    schema_field_names[f - schema_fields], field);
	else
		snprintf(part, sizeof(part), "%s.%u", m, field);
	path_add(buf, size, len, part);
}

/*
 * The fields that lead to a failure: "TracePacket.track_event(11) >
 * TrackEvent.debug_annotations(4) > DebugAnnotation.name(10)". A path
 * too long for the error keeps its end.
 */
static void
make_path(const struct pbwalk *w, uint32_t field, char *out, size_t size)
{
	char buf[PBWALK_DEPTH * 96];
	size_t len = 0, i;
	const char *cut;

	buf[0] = '\0';
	for (i = 1; i < w->depth; i++) {
		path_part(buf, sizeof(buf), &len, w->stack[i - 1].msg,
		    w->stack[i].field);
		path_add(buf, sizeof(buf), &len, " > ");
	}
	if (w->depth > 0)
		path_part(buf, sizeof(buf), &len, w->stack[w->depth - 1].msg,
		    field);
	if (len < size) {
		memcpy(out, buf, len + 1);
		return;
	}
	cut = strstr(buf + len - (size - 8), " > ");
	snprintf(out, size, "...%s", cut != NULL ? cut : buf + len - (size - 4));
}

static enum pbwalk_ev
fail(struct pbwalk *w, enum wperr_code code, uint64_t off, const char *what)
{
	w->err.code = code;
	w->err.off = off;
	w->err.index = w->st.packets;
	w->err.what = what;
	return PBWALK_FAIL;
}

static enum pbwalk_ev
fail_field(struct pbwalk *w, enum wperr_code code, uint64_t off,
    uint64_t tag, const char *what)
{
	w->err.field = (unsigned)(tag >> 3 > PBWIRE_FIELD_MAX ? 0 : tag >> 3);
	w->err.wiretype = (unsigned)(tag & 7);
	return fail(w, code, off, what);
}

/* A failure inside a packet, with the path to the field. */
static int
fail_in(struct pbwalk *w, enum wperr_code code, uint64_t off, uint64_t tag,
    const char *what)
{
	make_path(w, (uint32_t)(tag >> 3 > PBWIRE_FIELD_MAX ? 0 : tag >> 3),
	    w->err.path, sizeof(w->err.path));
	fail_field(w, code, off, tag, what);
	return STEP_FAIL;
}

static void
seq_add(struct pbstats *st, uint64_t id)
{
	unsigned i, n;

	n = st->nseq < PBWALK_SEQS ? st->nseq : PBWALK_SEQS;
	for (i = 0; i < n; i++)
		if (st->seq[i] == id)
			return;
	if (st->nseq < PBWALK_SEQS)
		st->seq[st->nseq++] = id;
	else if (!st->seq_capped) {
		st->seq_capped = 1;
		st->nseq++;
	}
}

/*
 * The packet ended: its facts, to the counts and to sem. Its references
 * go to pbref apart (end_packet, or the other thread of a round).
 */
static void
end_packet_facts(struct pbwalk *w)
{
	struct pbstats *st = &w->st;

	if (w->pkt_flags & PKT_TE)
		st->track_event++;
	if (w->pkt_flags & PKT_ID)
		st->interned_data++;
	if (w->pkt_flags & PKT_TD)
		st->track_descriptor++;
	st->kind[w->pkt_kind]++;
	/*
	 * wprof stamps its START instant 0 whatever the clock says; counting
	 * it would make every span the time since boot.
	 */
	if (w->pkt_flags & PKT_TS && w->pkt_ts != 0) {
		if (!st->have_ts) {
			st->have_ts = 1;
			st->ts_min = st->ts_max = w->pkt_ts;
		} else if (w->pkt_ts < st->ts_min)
			st->ts_min = w->pkt_ts;
		else if (w->pkt_ts > st->ts_max)
			st->ts_max = w->pkt_ts;
	}
	if (w->pkt_flags & PKT_SEQ)
		seq_add(st, w->pkt_seq);
	sem_packet_facts(&w->sem, (w->pkt_flags & PKT_TS) != 0, w->pkt_ts,
	    (w->pkt_flags & PKT_SEQ) != 0);
	sem_packet_end(&w->sem);
	st->packets++;
	w->in_pkt = 0;
	w->depth = 0;
	w->good_end = w->pkt_end;
	w->good_packets = st->packets;
}

static void
end_packet(struct pbwalk *w)
{
	/* A packet without a sequence id is on sequence 0, which none has. */
	pbref_packet(&w->refs, w->pkt_flags & PKT_SEQ ? w->pkt_seq : 0,
	    w->st.packets);
	end_packet_facts(w);
}

static const char bad_utf8[] = "the string is not valid UTF-8";

static inline int
push(struct pbwalk *w, uint64_t off, uint64_t tag, uint64_t end,
    unsigned msg, unsigned kind, unsigned ref)
{
	struct pbframe *f;

	/* Protobuf's own parsers stop at this depth too. */
	if (kind != PF_PACKED && w->depth >= PBWALK_DEPTH)
		return fail_in(w, WPE_MALFORMED_PACKET, off, tag,
		    "messages and groups nest deeper than 100");
	f = &w->stack[w->depth++];
	f->end = end;
	f->field = (uint32_t)(tag >> 3);
	f->msg = (uint16_t)msg;
	f->kind = (uint8_t)kind;
	f->ref = (uint8_t)ref;
	f->tag_off = off;
	f->wt = (uint8_t)(tag & 7);
	if (kind == PF_PACKED)
		f->sem = f[-1].sem;
	else if (kind == PF_GROUP)
		f->sem = SEM_M_NONE;
	else if ((f->sem = sem_want[msg]) != SEM_M_NONE)
		sem_msg_begin(&w->sem, f->sem, f->field, off);
	return STEP_STACK;
}

/* A piece of the file: its bytes and the offset of the first. */
struct piece {
	const unsigned char *buf, *end;
	uint64_t base;
};

#define OFF(q)	(pc->base + (uint64_t)((q) - pc->buf))

/*
 * The field at t did not decode as f says: the failure, worded. Tag errors
 * carry no field; a value's errors name it.
 */
static int
fail_wire(struct pbwalk *w, const struct piece *pc, enum pbwire_err r,
    const unsigned char *t, const struct pbwire_field *f)
{
	int top = w->depth == 1;

	switch (r) {
	case PBWIRE_TAG_LONG:
		return fail_in(w, WPE_BAD_VARINT, OFF(t), 0,
		    "the field tag is longer than 5 bytes");
	case PBWIRE_TAG_SHORT:
		return fail_in(w, WPE_MALFORMED_PACKET, OFF(t), 0,
		    "a field tag runs past the end of the packet");
	case PBWIRE_FIELD_ZERO:
	case PBWIRE_FIELD_BIG:
		fail_in(w, WPE_MALFORMED_PACKET, OFF(t), 0,
		    r == PBWIRE_FIELD_BIG ?
		    "the field number is above 536870911" :
		    "field number 0 does not exist");
		w->err.wiretype = f->tag & 7;
		return STEP_FAIL;
	case PBWIRE_VALUE_LONG:
		return fail_in(w, WPE_BAD_VARINT, OFF(f->vs), f->tag,
		    "the value is longer than 10 bytes");
	case PBWIRE_VALUE_SHORT:
		return fail_in(w, WPE_MALFORMED_PACKET, OFF(t), f->tag,
		    top ? value_past : value_past_msg);
	case PBWIRE_LEN_LONG:
		return fail_in(w, WPE_BAD_VARINT, OFF(f->vs), f->tag,
		    "the length is longer than 5 bytes");
	case PBWIRE_LEN_SHORT:
		return fail_in(w, WPE_MALFORMED_PACKET, OFF(t), f->tag,
		    top ? "the length runs past the end of the packet" :
		    "the length runs past the end of its message");
	case PBWIRE_PAST:
		w->err.len = f->len;
		w->err.left = f->rest;
		return fail_in(w, WPE_MALFORMED_LENGTH, OFF(t), f->tag,
		    top ? value_past : value_past_msg);
	case PBWIRE_END_STRAY:
		return fail_in(w, WPE_MALFORMED_PACKET, OFF(t), f->tag,
		    "the group ends but never started");
	case PBWIRE_END_OTHER:
		return fail_in(w, WPE_MALFORMED_PACKET, OFF(t), f->tag,
		    "the group ends inside another group");
	default:
		return fail_in(w, WPE_MALFORMED_PACKET, OFF(t), f->tag,
		    "wire types 6 and 7 do not exist");
	}
}

/*
 * What a walk on two threads records of a run of whole packets, for
 * replay_sem and replay_refs to hand to sem and pbref in file order: per
 * packet its facts, its references (pbref's pending ones, as they were at
 * its end) and sem's events.
 */
enum { REC_FIELD, REC_BYTES, REC_BEGIN, REC_END };

struct rec_ev {
	uint64_t v;		/* value; REC_BYTES: offset << 24 | length;
				   REC_BEGIN: offset */
	uint32_t field;
	uint8_t op;		/* REC_x */
	uint8_t msg;		/* enum sem_msg */
};

struct rec_pkt {
	uint64_t off, body, len;	/* tag offset, body offset, length */
	uint64_t ts, seq;
	uint32_t npend, nev;
	uint16_t kind;
	uint8_t flags, pflags;		/* PKT_x, PBREF_P_x */
};

/*
 * A run's records are bounded: par_cut ends a run at REC_PKTS_MAX
 * packets, and a packet that would pass the other bounds stops the run
 * (the serial walk takes it). A round of PAR_RUNS runs holds at most
 * 6 MiB of records, whatever the trace; a run of 32 KiB of the real
 * traces holds about 700 packets, 5,000 references and 3,300 events.
 */
#define REC_PKTS_MAX	2048
#define REC_PENDS_MAX	8192
#define REC_EVS_MAX	8192
#define REC_BYTES_MAX	(1u << 24)	/* a string sem reads, recorded */

struct pbrec {
	const unsigned char *p, *lim;	/* the run: [p, lim) */
	const unsigned char *stop;	/* where the run stopped */
	int done;		/* walked: the rest may be read */
	struct rec_pkt *pkt;
	size_t npkt, pktcap;
	struct pbref_pend *pend;
	size_t npend, pendcap;
	struct rec_ev *ev;
	size_t nev, evcap;
	int over;		/* an event did not fit */
};

#define PAR_RUNS	16		/* runs in a round */
#define PAR_SKIP	(1u << 20)	/* no round after large packets */

/*
 * A round: the runs of a piece, each walked by the thread that claims it
 * (next), then replayed in order by both (par_stage). mu and cv guard
 * next, stopped and the runs' done; a run's records belong to the thread
 * that claimed it until done is set, and are read-only after. The rest is
 * set before the round starts and read-only during it, but for the walk
 * w: thread 0 alone touches its sem and counts, thread 1 its refs.
 */
struct pbpar {
	struct worker *k;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct pbwalk *walk[2];	/* each thread's own: pbref gathers there */
	struct pbwalk *w;	/* the walk of the round */
	uint64_t pkt;		/* packets before the round */
	struct piece pc;
	uint64_t size;		/* the file's, as the walk's */
	struct pbrec run[PAR_RUNS];
	size_t nrun, next;
	int stopped;		/* replay stopped: claim no more */
};

/* Room for n more of size sz at *a (*len used of *cap), up to max. */
static int
rec_room(void **a, size_t *cap, size_t len, size_t n, size_t sz, size_t max)
{
	size_t c = *cap == 0 ? 1024 : *cap;
	void *na;

	if (n > max - len)
		return 0;
	while (c < len + n)
		c *= 2;
	if (c > max)
		c = max;
	if (c == *cap)
		return 1;
	if ((na = reallocarray(*a, c, sz)) == NULL)
		return 0;
	*a = na;
	*cap = c;
	return 1;
}

static inline void
rec_ev(struct pbrec *rc, unsigned op, unsigned msg, uint32_t field,
    uint64_t v)
{
	struct rec_ev *e;

	if (PBWIRE_UNLIKELY(rc->nev == rc->evcap) && !rec_room(
	    (void **)&rc->ev, &rc->evcap, rc->nev, 1, sizeof(*e),
	    REC_EVS_MAX)) {
		rc->over = 1;
		return;
	}
	e = &rc->ev[rc->nev++];
	e->v = v;
	e->field = field;
	e->op = (uint8_t)op;
	e->msg = (uint8_t)msg;
}

/*
 * sem's events as a walk tells them: to sem, or, on a helper's walk
 * (rec, a constant where the walk is inlined), to the record.
 */
static inline __attribute__((always_inline)) void
tell_field(struct pbwalk *w, int rec, uint32_t field, uint64_t v)
{
	if (rec)
		rec_ev(w->rec, REC_FIELD, 0, field, v);
	else
		sem_field(&w->sem, field, v);
}

static inline __attribute__((always_inline)) void
tell_begin(struct pbwalk *w, int rec, unsigned m, uint32_t field,
    uint64_t off)
{
	if (rec)
		rec_ev(w->rec, REC_BEGIN, m, field, off);
	else
		sem_msg_begin(&w->sem, (enum sem_msg)m, field, off);
}

static inline __attribute__((always_inline)) void
tell_end(struct pbwalk *w, int rec, unsigned m)
{
	if (rec)
		rec_ev(w->rec, REC_END, m, 0, 0);
	else
		sem_msg_end(&w->sem, (enum sem_msg)m);
}

static inline __attribute__((always_inline)) void
tell_bytes(struct pbwalk *w, int rec, const struct piece *pc,
    uint32_t field, const unsigned char *p, size_t len)
{
	if (!rec)
		sem_bytes(&w->sem, field, p, len);
	else if (len >= REC_BYTES_MAX)
		w->rec->over = 1;
	else
		rec_ev(w->rec, REC_BYTES, 0, field,
		    (uint64_t)(p - pc->buf) << 24 | len);
}

/*
 * What both walks do with a field once it is decoded: the packet's facts
 * from its top-level fields, the id a varint defines or uses (dref: the
 * SR_DEF_x that field 1 of this message defines), packed values. Anything
 * else to be done per field belongs here too, so that the paths agree; a
 * message begins where each path pushes it and ends where it pops.
 */
static inline __attribute__((always_inline)) void
on_varint(struct pbwalk *w, int rec, const struct schema_field *f,
    uint32_t field, uint64_t v, unsigned dref, uint64_t smask, int top,
    uint64_t off)
{
	unsigned ref;

	if (sem_reads(smask, field))
		tell_field(w, rec, field, v);
	ref = SF_REF(f) != SR_NONE && f->kind <= SK_ENUM ? SF_REF(f) :
	    field == 1 ? dref : SR_NONE;
	if (ref != SR_NONE)
		pbref_add(&w->refs, ref, v, off);
	if (top) {
		pbref_top(&w->refs, field, v);
		if (field == PB_F_TIMESTAMP) {
			w->pkt_ts = v;
			w->pkt_flags |= PKT_TS;
		} else if (field == PB_F_SEQ_ID) {
			w->pkt_seq = v;
			w->pkt_flags |= PKT_SEQ;
		}
	}
}

static inline void
on_packet_len(struct pbwalk *w, const struct schema_field *f, uint32_t field)
{
	if (field == PB_F_TRACK_EVENT)
		w->pkt_flags |= PKT_TE;
	else if (field == PB_F_INTERNED_DATA)
		w->pkt_flags |= PKT_ID;
	else if (field == PB_F_TRACK_DESCRIPTOR)
		w->pkt_flags |= PKT_TD;
	if (f->flags & SF_PAYLOAD)
		w->pkt_kind = (unsigned)(f - &schema_fields[
		    schema_msgs[SCHEMA_TRACE_PACKET].first]);
}

/* The SR_DEF_x that field 1 of a message defines, when f is one. */
static inline unsigned
def_ref(const struct schema_field *f)
{
	return SF_REF(f) > SR_KINDS ? SF_REF(f) : SR_NONE;
}

/* Packed fixed-size values fill their field. */
static inline int
packed_fixed_bad(const struct schema_field *f, uint64_t len)
{
	return f->flags & SF_REPEATED && ((f->kind == SK_FIXED32 &&
	    len % 4 != 0) || (f->kind == SK_FIXED64 && len % 8 != 0));
}

/*
 * One packed varint at *pp in [*pp, lim): its id, if it is one, and to
 * sem when sem reads it (sm), as field number field.
 */
static inline __attribute__((always_inline)) enum pbwire_err
packed_value(struct pbwalk *w, int rec, unsigned ref, int sm, uint32_t field,
    const unsigned char **pp, const unsigned char *lim,
    const struct piece *pc)
{
	const unsigned char *vs = *pp;
	enum pbwire_err r;
	uint64_t v;

	if ((r = pbwire_varint(pp, lim, pc->end, 10, &v)) != PBWIRE_OK)
		return r;
	if (ref != SR_NONE)
		pbref_add(&w->refs, ref, v, OFF(vs));
	if (sm)
		tell_field(w, rec, field, v);
	return r;
}

/*
 * The values of a packed repeated varint field in [*pp, lim). When hard,
 * lim is the end of the field.
 */
static int
packed(struct pbwalk *w, const struct piece *pc, const unsigned char **pp,
    const unsigned char *lim, int hard)
{
	struct pbframe *fr = &w->stack[w->depth - 1];
	const unsigned char *vs;
	uint32_t tag = fr->field << 3 | PBWIRE_LEN;
	enum pbwire_err r;

	while (*pp < lim) {
		if (!hard && lim - *pp < PBWALK_TOKEN)
			break;
		vs = *pp;
		if ((r = packed_value(w, 0, fr->ref, sem_reads(sem_mask[fr->sem],
		    fr->field), fr->field, pp, lim, pc)) == PBWIRE_LONG)
			return fail_in(w, WPE_BAD_VARINT, OFF(vs), tag,
			    "a packed value is longer than 10 bytes");
		if (r == PBWIRE_SHORT)
			return fail_in(w, WPE_MALFORMED_PACKET, OFF(vs), tag,
			    "a packed value runs past the end of its field");
	}
	return STEP_ON;
}

/* A value that goes on in the next piece: what to do with its rest. */
static int
spill(struct pbwalk *w, const struct piece *pc, const unsigned char *t,
    uint32_t tag, uint64_t left)
{
	w->left = left;
	w->leaf_off = OFF(t);
	w->leaf_tag = tag;
	return STEP_STACK;
}

/*
 * The fields of the innermost message or group in [*pp, lim). When hard,
 * lim is its end; otherwise it is the end of the piece and the walk stops
 * short before a token that might not fit. Returns STEP_STACK when the
 * stack changed or a value goes on in the next piece.
 */
static int
fields(struct pbwalk *w, const struct piece *pc, const unsigned char **pp,
    const unsigned char *lim, int hard)
{
	struct pbframe *fr = &w->stack[w->depth - 1];
	const struct schema_field *f;
	const unsigned char *p = *pp, *t, *end = pc->end;
	struct pbwire_field pf;
	enum pbwire_err r;
	uint64_t prest;
	size_t avail;
	int ret = STEP_ON;

	for (;;) {
	while (p < lim) {
		if (!hard && lim - p < PBWALK_TOKEN)
			break;
		t = p;
		r = pbwire_field(p, lim, end, fr->end - OFF(p),
		    fr->kind == PF_GROUP ? fr->field : 0, &pf);
		if (r != PBWIRE_OK) {
			ret = fail_wire(w, pc, r, t, &pf);
			goto out;
		}
		f = fr->msg == PBWALK_NOMSG ? &schema_fields[SCHEMA_UNKNOWN] :
		    field_lookup(&schema_msgs[fr->msg], pf.field);
		p = pf.p;
		switch (pf.tag & 7) {
		case PBWIRE_VARINT:
			on_varint(w, 0, f, pf.field, pf.v, fr->ref,
			    sem_mask[fr->sem], w->depth == 1, OFF(t));
			break;
		case PBWIRE_FIXED64:
		case PBWIRE_FIXED32:
			avail = (size_t)(lim - p);
			if (pf.len > avail) {
				w->utf8 = 0;
				p = lim;
				ret = spill(w, pc, t, pf.tag, pf.len - avail);
				goto out;
			}
			p += pf.len;
			break;
		case PBWIRE_LEN:
			if (w->depth == 1)
				on_packet_len(w, f, pf.field);
			if (f->kind == SK_MESSAGE) {
				ret = push(w, OFF(t), pf.tag, OFF(p) + pf.len,
				    f->msg, PF_MSG, def_ref(f));
				if (ret == STEP_FAIL ||
				    pf.len > (uint64_t)(end - p))
					goto out;
				/* All of it is here: walk it right away. */
				fr = &w->stack[w->depth - 1];
				lim = p + pf.len;
				hard = 1;
				continue;
			}
			if (f->kind <= SK_ENUM && f->flags & SF_REPEATED) {
				ret = push(w, OFF(t), pf.tag, OFF(p) + pf.len,
				    PBWALK_NOMSG, PF_PACKED, SF_REF(f));
				goto out;
			}
			if (packed_fixed_bad(f, pf.len)) {
				ret = fail_in(w, WPE_MALFORMED_PACKET, OFF(t),
				    pf.tag, "the packed values do not fill "
				    "their field");
				goto out;
			}
			avail = (size_t)(lim - p);
			w->utf8 = f->kind == SK_STRING;
			w->u8 = (struct pbwire_utf8){ 0, 0x80, 0xbf };
			if (pf.len <= avail) {
				if (w->utf8 && !pbwire_utf8_ok(p,
				    (size_t)pf.len)) {
					ret = fail_in(w, WPE_MALFORMED_PACKET,
					    OFF(t), pf.tag, bad_utf8);
					goto out;
				}
				if (sem_reads(sem_mask[fr->sem], pf.field))
					sem_bytes(&w->sem, pf.field, p,
					    (size_t)pf.len);
				w->utf8 = 0;
				p += pf.len;
				break;
			}
			/*
			 * sem gets what of a value that spans pieces is in
			 * this one: it counts strings, and reads only the
			 * kernel release, near the start of a packet that
			 * small that a piece cuts it practically never.
			 */
			if (sem_reads(sem_mask[fr->sem], pf.field))
				sem_bytes(&w->sem, pf.field, p, avail);
			if (w->utf8 && !pbwire_utf8(&w->u8, p, avail)) {
				ret = fail_in(w, WPE_MALFORMED_PACKET, OFF(t),
				    pf.tag, bad_utf8);
				goto out;
			}
			p = lim;
			ret = spill(w, pc, t, pf.tag, pf.len - avail);
			goto out;
		case PBWIRE_SGROUP:
			ret = push(w, OFF(t), pf.tag, fr->end,
			    f->kind == SK_GROUP ? f->msg : PBWALK_NOMSG,
			    PF_GROUP, SR_NONE);
			goto out;
		default:
			/* PBWIRE_EGROUP: it closes the innermost group. */
			w->depth--;
			ret = STEP_STACK;
			goto out;
		}
	}
	/* A message ends inside the piece: go on with its parent. */
	if (!hard || w->depth == 1 || fr->kind != PF_MSG ||
	    fr->end != OFF(p))
		break;
	if (fr->sem != SEM_M_NONE)
		sem_msg_end(&w->sem, fr->sem);
	w->depth--;
	fr = &w->stack[w->depth - 1];
	ret = STEP_STACK;
	prest = fr->end - OFF(p);
	if (prest == 0)
		break;
	hard = prest <= (uint64_t)(end - p);
	lim = hard ? p + prest : end;
	}
out:
	*pp = p;
	return ret;
}

/*
 * The fast path: a packet whose body is all in the piece, walked without
 * frames or wording. It says yes (0) or no (-1); on no, or on what it
 * leaves to the slow path (groups, nesting deeper than QUICK_DEPTH), the
 * packet is walked again from its start by fields(), which finds and words
 * the failure. Both decode with pbwire_field() and act on a field with the
 * same on_*() functions, so they cannot disagree on the wire; on yes the
 * packet's facts and references are what fields() would leave.
 */
#define QUICK_DEPTH	64

/* A message of the fast path: where it ends, what it is. */
struct qframe {
	const unsigned char *e;
	const struct schema_msg *m;
	unsigned dref;		/* SR_DEF_x of field 1, or SR_NONE */
	unsigned sm;		/* enum sem_msg */
	uint64_t smask;		/* its sem_fields() */
};

static inline __attribute__((always_inline)) int
quick_walk_t(struct pbwalk *w, const struct piece *piece,
    const unsigned char *p, const unsigned char *e, const int rec)
{
	/* A copy the stores through w cannot touch: no reloads. */
	const struct piece local = *piece, *pc = &local;
	struct qframe stack[QUICK_DEPTH];
	const struct schema_field *f;
	const unsigned char *t, *ve, *bend = pc->end;
	struct pbwire_field pf;
	const struct schema_msg *m = &schema_msgs[SCHEMA_TRACE_PACKET];
	unsigned sp = 0, dref = SR_NONE, sm = SEM_M_PACKET;
	uint64_t smask = sem_mask[SEM_M_PACKET];

	for (;;) {
		if (p >= e) {
			if (sp == 0)
				return 0;
			if (sm != SEM_M_NONE)
				tell_end(w, rec, sm);
			sp--;
			e = stack[sp].e;
			m = stack[sp].m;
			dref = stack[sp].dref;
			sm = stack[sp].sm;
			smask = stack[sp].smask;
			continue;
		}
		t = p;
		if (PBWIRE_UNLIKELY(pbwire_field(p, e, bend, (uint64_t)(e - p),
		    0, &pf) != PBWIRE_OK))
			return -1;
		f = field_lookup(m, pf.field);
		p = pf.p;
		/* Tested in pbwire_field()'s order, so the tests fold. */
		if ((pf.tag & 7) == PBWIRE_VARINT) {
			on_varint(w, rec, f, pf.field, pf.v, dref, smask,
			    sp == 0, OFF(t));
			continue;
		}
		if ((pf.tag & 7) != PBWIRE_LEN) {
			/* Groups are left to the slow path. */
			if (pf.len == 0)
				return -1;
			p += pf.len;
			continue;
		}
		ve = p + pf.len;
		if (sp == 0)
			on_packet_len(w, f, pf.field);
		if (f->kind == SK_MESSAGE) {
			/* Deep ones are left to fields() and its limit. */
			if (sp == QUICK_DEPTH)
				return -1;
			stack[sp].e = e;
			stack[sp].m = m;
			stack[sp].dref = dref;
			stack[sp].sm = sm;
			stack[sp].smask = smask;
			sp++;
			e = ve;
			m = &schema_msgs[f->msg];
			dref = def_ref(f);
			smask = 0;
			if ((sm = sem_want[f->msg]) != SEM_M_NONE) {
				smask = sem_mask[sm];
				tell_begin(w, rec, sm, pf.field, OFF(t));
			}
			continue;
		}
		if (f->kind == SK_STRING) {
			if (!pbwire_utf8_ok(p, (size_t)pf.len))
				return -1;
		} else if (f->kind <= SK_ENUM && f->flags & SF_REPEATED) {
			while (p < ve)
				if (packed_value(w, rec, SF_REF(f),
				    sem_reads(smask, pf.field), pf.field,
				    &p, ve, pc) != PBWIRE_OK)
					return -1;
			continue;
		} else if (packed_fixed_bad(f, pf.len))
			return -1;
		if (sem_reads(smask, pf.field))
			tell_bytes(w, rec, pc, pf.field, p, (size_t)pf.len);
		p = ve;
	}
}

static int
quick_walk(struct pbwalk *w, const struct piece *pc, const unsigned char *p,
    const unsigned char *e)
{
	return quick_walk_t(w, pc, p, e, 0);
}

static int
quick_walk_rec(struct pbwalk *w, const struct piece *pc,
    const unsigned char *p, const unsigned char *e)
{
	return quick_walk_t(w, pc, p, e, 1);
}

/* The body of a packet at [p, e): 0, or -1 with the packet's facts reset. */
static int
quick_packet(struct pbwalk *w, const struct piece *pc, const unsigned char *p,
    const unsigned char *e)
{
	if (quick_walk(w, pc, p, e) == 0)
		return 0;
	/*
	 * The slow path walks it again; sem starts the packet over, and
	 * has seen the messages that ended before the fast path gave up
	 * once more than Perfetto will: a repeat of the same message breaks
	 * none of its rules.
	 */
	sem_packet_begin(&w->sem, w->pkt_off, w->st.packets, w->pkt_len);
	w->pkt_flags = 0;
	w->pkt_kind = SCHEMA_TRACE_PACKET_NFIELDS;
	w->refs.npend = 0;
	return -1;
}

/*
 * Two threads. A round cuts the whole packets at the start of a piece
 * into runs of about par_run bytes (par_cut); each thread in turn claims
 * the next run not yet claimed and walks it with the fast path, recording
 * (rec_run). Each run is replayed in file order twice: by this thread to
 * sem and the counts (replay_sem), by the helper to pbref (replay_refs);
 * each thread walks a run whenever the next it replays is not walked yet
 * (par_stage). A run stops at the first packet it cannot take whole: it
 * runs past the run or the file, would pass a record's bound, or the fast
 * path gives up on it. Replay stops there too, the runs after it are
 * dropped, and the serial walk takes that packet (par_from) and goes on.
 */
static void
rec_run(struct pbrec *rc, struct pbwalk *sw, const struct piece *pc,
    uint64_t size)
{
	const unsigned char *p = rc->p, *t;
	struct rec_pkt *k;
	size_t ev0, n;
	uint64_t v;

	sw->rec = rc;
	rc->npkt = rc->npend = rc->nev = 0;
	while (p < rc->lim) {
		t = p;
		if (pbwire_packet(&p, rc->lim, &v) != PBWIRE_OK ||
		    v > (uint64_t)(rc->lim - p) ||
		    (size != PBWALK_SIZE_UNKNOWN && v > size - OFF(p)) ||
		    (rc->npkt == rc->pktcap && !rec_room((void **)&rc->pkt,
		    &rc->pktcap, rc->npkt, 1, sizeof(*k), REC_PKTS_MAX))) {
			p = t;
			break;
		}
		sw->pkt_flags = 0;
		sw->pkt_kind = SCHEMA_TRACE_PACKET_NFIELDS;
		sw->refs.npend = 0;
		sw->refs.pflags = 0;
		sw->refs.capped = 0;
		ev0 = rc->nev;
		rc->over = 0;
		if (quick_walk_rec(sw, pc, p, p + v) != 0 || rc->over ||
		    sw->refs.capped || (sw->refs.npend > rc->pendcap -
		    rc->npend && !rec_room((void **)&rc->pend, &rc->pendcap,
		    rc->npend, sw->refs.npend, sizeof(*rc->pend),
		    REC_PENDS_MAX))) {
			rc->nev = ev0;
			p = t;
			break;
		}
		n = sw->refs.npend;
		if (n > 0)
			memcpy(rc->pend + rc->npend, sw->refs.pend,
			    n * sizeof(*rc->pend));
		rc->npend += n;
		k = &rc->pkt[rc->npkt++];
		k->off = OFF(t);
		k->body = OFF(p);
		k->len = v;
		k->ts = sw->pkt_ts;
		k->seq = sw->pkt_seq;
		k->npend = (uint32_t)n;
		k->nev = (uint32_t)(rc->nev - ev0);
		k->kind = (uint16_t)sw->pkt_kind;
		k->flags = (uint8_t)sw->pkt_flags;
		k->pflags = (uint8_t)sw->refs.pflags;
		p += v;
	}
	rc->stop = p;
}

/*
 * Claims and walks runs (on the walk of thread me) until none is left or
 * replay stopped, or after one when once; 1 when it walked any. Called
 * and returns with pp->mu held.
 */
static int
par_claim(struct pbpar *pp, int me, int once)
{
	struct pbrec *rc;
	int walked = 0;

	while (!pp->stopped && pp->next < pp->nrun) {
		rc = &pp->run[pp->next++];
		pthread_mutex_unlock(&pp->mu);
		rec_run(rc, pp->walk[me], &pp->pc, pp->size);
		pthread_mutex_lock(&pp->mu);
		rc->done = 1;
		pthread_cond_broadcast(&pp->cv);
		walked = 1;
		if (once)
			break;
	}
	return walked;
}

/* What a run recorded for sem, and the facts of its packets. */
static void
replay_sem(struct pbwalk *w, const struct pbrec *rc, const unsigned char *buf)
{
	const struct rec_pkt *k = rc->pkt, *kend = k + rc->npkt;
	const struct rec_ev *e = rc->ev, *eend;

	for (; k < kend; k++) {
		sem_packet_begin(&w->sem, k->off, w->st.packets, k->len);
		for (eend = e + k->nev; e < eend; e++)
			switch (e->op) {
			case REC_FIELD:
				sem_field(&w->sem, e->field, e->v);
				break;
			case REC_BYTES:
				sem_bytes(&w->sem, e->field,
				    buf + (e->v >> 24),
				    (size_t)(e->v & (REC_BYTES_MAX - 1)));
				break;
			case REC_BEGIN:
				sem_msg_begin(&w->sem, (enum sem_msg)e->msg,
				    e->field, e->v);
				break;
			default:
				sem_msg_end(&w->sem, (enum sem_msg)e->msg);
			}
		w->pkt_off = k->off;
		w->pkt_body = k->body;
		w->pkt_len = k->len;
		w->pkt_end = k->body + k->len;
		w->pkt_flags = k->flags;
		w->pkt_kind = k->kind;
		w->pkt_ts = k->ts;
		w->pkt_seq = k->seq;
		w->fast_packets++;
		end_packet_facts(w);
	}
}

/* What a run recorded for pbref; *pkt numbers its packets. */
static void
replay_refs(struct pbref *r, const struct pbrec *rc, uint64_t *pkt)
{
	const struct rec_pkt *k = rc->pkt, *kend = k + rc->npkt;
	const struct pbref_pend *pend = rc->pend;

	for (; k < kend; k++) {
		pbref_packet_refs(r, pend, k->npend, k->pflags,
		    k->flags & PKT_SEQ ? k->seq : 0, (*pkt)++);
		pend += k->npend;
	}
}

/*
 * Both threads: replays the runs in order, thread 0 to sem and the
 * counts, thread 1 to pbref (the two share no state), walking a run
 * whenever the next is not walked yet; stops after a run that stopped.
 * Called and returns with pp->mu held.
 */
static void
par_stage(struct pbpar *pp, int me)
{
	uint64_t pkt = pp->pkt;
	struct pbrec *rc;
	size_t i;

	for (i = 0; i < pp->nrun; i++) {
		rc = &pp->run[i];
		while (!rc->done)
			if (!par_claim(pp, me, 1))
				pthread_cond_wait(&pp->cv, &pp->mu);
		pthread_mutex_unlock(&pp->mu);
		if (me == 0)
			replay_sem(pp->w, rc, pp->pc.buf);
		else
			replay_refs(&pp->w->refs, rc, &pkt);
		pthread_mutex_lock(&pp->mu);
		if (rc->stop != rc->lim) {
			pp->stopped = 1;
			break;
		}
	}
}

/* The helper's job: its stage. */
static void
par_job(void *arg)
{
	struct pbpar *pp = arg;

	pthread_mutex_lock(&pp->mu);
	par_stage(pp, 1);
	pthread_mutex_unlock(&pp->mu);
}

/*
 * One pbpar serves the walks of a process one after another: a check of
 * many files starts its helper thread once. pbwalk_free parks its own
 * here, the next walk that needs one takes it, and exit stops its thread
 * (par_atexit), so that no thread outlives the program's last word.
 */
static pthread_mutex_t par_spare_mu = PTHREAD_MUTEX_INITIALIZER;
static struct pbpar *par_spare;
static pthread_once_t par_atexit_once = PTHREAD_ONCE_INIT;

static void
par_destroy(struct pbpar *pp)
{
	size_t i;

	if (pp == NULL)
		return;
	if (pp->k != NULL)
		worker_free(pp->k);
	pthread_mutex_destroy(&pp->mu);
	pthread_cond_destroy(&pp->cv);
	for (i = 0; i < 2; i++) {
		if (pp->walk[i] != NULL)
			pbref_free(&pp->walk[i]->refs);
		free(pp->walk[i]);
	}
	for (i = 0; i < PAR_RUNS; i++) {
		free(pp->run[i].pkt);
		free(pp->run[i].pend);
		free(pp->run[i].ev);
	}
	free(pp);
}

/* The parked pbpar, or NULL; none is parked after. */
static struct pbpar *
par_take(void)
{
	struct pbpar *pp;

	pthread_mutex_lock(&par_spare_mu);
	pp = par_spare;
	par_spare = NULL;
	pthread_mutex_unlock(&par_spare_mu);
	return pp;
}

static void
par_free(struct pbpar *pp)
{
	if (pp == NULL)
		return;
	pthread_mutex_lock(&par_spare_mu);
	if (par_spare == NULL) {
		par_spare = pp;
		pp = NULL;
	}
	pthread_mutex_unlock(&par_spare_mu);
	par_destroy(pp);
}

static void
par_exit(void)
{
	par_destroy(par_take());
}

static void
par_atexit(void)
{
	(void)atexit(par_exit);
}

static struct pbpar *
par_new(void)
{
	struct pbpar *pp;
	size_t i;

	(void)pthread_once(&par_atexit_once, par_atexit);
	if ((pp = par_take()) != NULL)
		return pp;
	if ((pp = calloc(1, sizeof(*pp))) == NULL)
		return NULL;
	pthread_mutex_init(&pp->mu, NULL);
	pthread_cond_init(&pp->cv, NULL);
	/* Walks of their own, for the fast path's stores; no sem. */
	for (i = 0; i < 2; i++) {
		if ((pp->walk[i] = calloc(1, sizeof(*pp->walk[i]))) == NULL) {
			par_destroy(pp);
			return NULL;
		}
		pbref_init(&pp->walk[i]->refs);
		pp->walk[i]->refs.pendmax = REC_PENDS_MAX;
	}
	if ((pp->k = worker_new()) == NULL) {
		par_destroy(pp);
		return NULL;
	}
	return pp;
}

/*
 * Packets worth a second thread, by their mean size (pbwalk.h): large
 * ones are mostly bytes the walk steps over, and the tiniest cost more to
 * record and replay (56 bytes of record for an empty packet) than to walk.
 */
static int
par_size_ok(const struct pbwalk *w, const unsigned char *p,
    const unsigned char *e, size_t packets)
{
	size_t mean = (size_t)(e - p) / packets;

	return mean >= w->par_packet[0] && mean <= w->par_packet[1];
}

/*
 * Cuts the whole packets at p in [p, end) into at most PAR_RUNS runs of
 * about w->par_run bytes and at most REC_PKTS_MAX packets, each ending on
 * a packet boundary: run i is [b[i], b[i + 1]). Returns how many. 0 says
 * a round is not worth it, and the walk may look again *skip bytes past
 * b[0]: there are fewer than two runs, or the packets are not worth it
 * (par_size_ok); packets of one size tend to follow each other.
 */
static size_t
par_cut(const struct pbwalk *w, const unsigned char **b,
    const unsigned char *p, const unsigned char *end, uint64_t *skip)
{
	const unsigned char *q, *first = p;
	size_t n = 0, packets = 0, in_run = 0;
	uint64_t v;

	b[0] = p;
	*skip = 0;
	while (n < PAR_RUNS) {
		q = p;
		if (q == end || pbwire_packet(&q, end, &v) != PBWIRE_OK ||
		    v > (uint64_t)(end - q))
			break;
		packets++;
		p = q + v;
		if ((size_t)(p - b[n]) < w->par_run && ++in_run < REC_PKTS_MAX)
			continue;
		in_run = 0;
		b[++n] = p;
		/* Two runs tell the size. */
		if (n == 2 && !par_size_ok(w, first, p, packets)) {
			*skip = PAR_SKIP;
			break;
		}
	}
	if (*skip == 0 && p > b[n] && n < PAR_RUNS)
		b[++n] = p;
	if (p == first)
		*skip = 1;
	if (n < 2 || *skip != 0 || !par_size_ok(w, first, p, packets)) {
		b[0] = p;
		return 0;
	}
	return n;
}

/*
 * A round at p, a packet boundary, in [p, end): where the serial walk
 * goes on, or NULL to walk on here; either way, w->par_from says where
 * the next round may start.
 */
static const unsigned char *
par_round(struct pbwalk *w, const struct piece *pc, const unsigned char *p,
    const unsigned char *end)
{
	const unsigned char *b[PAR_RUNS + 1], *stop = p;
	struct pbpar *pp = w->par;
	uint64_t skip;
	size_t i, n;

	if ((n = par_cut(w, b, p, end, &skip)) == 0) {
		/* Walk them here: not a round per packet. */
		w->par_from = OFF(b[0]) + skip;
		return NULL;
	}
	if (pp == NULL && (pp = w->par = par_new()) == NULL) {
		/* No thread to be had: one will do. */
		w->threads = 1;
		return NULL;
	}
	pp->w = w;
	pp->pkt = w->st.packets;
	pp->pc = *pc;
	pp->size = w->size;
	pp->nrun = n;
	pp->next = 0;
	pp->stopped = 0;
	for (i = 0; i < n; i++) {
		pp->run[i].p = b[i];
		pp->run[i].lim = b[i + 1];
		pp->run[i].done = 0;
	}
	worker_run(pp->k, par_job, pp);
	pthread_mutex_lock(&pp->mu);
	par_stage(pp, 0);
	pthread_mutex_unlock(&pp->mu);
	worker_wait(pp->k);
	for (i = 0; i < n; i++) {
		stop = pp->run[i].stop;
		if (stop != pp->run[i].lim)
			break;
	}
	/*
	 * The packet there is walked here: it stopped a run. A run that
	 * stopped short leaves the rest of the cut to this thread too, so
	 * that packets that stop runs cost one cut each, not one a packet.
	 */
	w->par_from = i < n ? OFF(b[n]) : OFF(stop) + 1;
	return stop;
}

/*
 * At a record boundary, a byte other than 0x0a either starts a well-formed
 * record of another field (not a trace) or cannot start a record at all
 * (trailing bytes).
 */
static enum pbwalk_ev
not_packet(struct pbwalk *w, const unsigned char *p, const unsigned char *end,
    uint64_t off)
{
	const unsigned char *s = p;
	uint64_t tag;

	w->err.trailing = w->size == PBWALK_SIZE_UNKNOWN ? 0 : w->size - off;
	if (pbwire_varint(&p, end, end, 10, &tag) != PBWIRE_OK ||
	    pbwire_over64(s, p))
		return fail(w, WPE_TRAILING_BYTES, off,
		    "no field tag starts there");
	if (tag >> 3 == 0)
		return fail_field(w, WPE_TRAILING_BYTES, off, tag,
		    "field number 0 does not exist");
	if (tag >> 3 > PBWIRE_FIELD_MAX)
		return fail_field(w, WPE_TRAILING_BYTES, off, tag,
		    "the field number is above 536870911");
	switch (tag & 7) {
	case PBWIRE_EGROUP:
		return fail_field(w, WPE_TRAILING_BYTES, off, tag,
		    "a group ends that never started");
	case 6:
	case 7:
		return fail_field(w, WPE_TRAILING_BYTES, off, tag,
		    "wire types 6 and 7 do not exist");
	}
	return fail_field(w, WPE_NOT_A_TRACE, off, tag, NULL);
}

/* The end of a message, group or packed field: 0, or STEP_FAIL. */
static int
pop(struct pbwalk *w)
{
	struct pbframe *fr = &w->stack[w->depth - 1];

	if (fr->kind == PF_GROUP) {
		w->depth--;
		w->err.index = w->st.packets;
		fail_in(w, WPE_MALFORMED_PACKET, fr->end,
		    (uint64_t)fr->field << 3 | PBWIRE_SGROUP,
		    fr->end == w->pkt_end ? "the group is not closed at the "
		    "end of the packet" : "the group is not closed at the end "
		    "of its message");
		return STEP_FAIL;
	}
	if (w->depth == 1)
		end_packet(w);
	else {
		if (fr->kind == PF_MSG && fr->sem != SEM_M_NONE)
			sem_msg_end(&w->sem, fr->sem);
		w->depth--;
	}
	return 0;
}

/* A record head at t that pbwire_packet() refused with r. */
static enum pbwalk_ev
bad_head(struct pbwalk *w, enum pbwire_err r, const unsigned char *t,
    const unsigned char *end, uint64_t off)
{
	if (r == PBWIRE_TAG_OTHER)
		return not_packet(w, t, end, off);
	if (r == PBWIRE_LEN_SHORT)
		return fail(w, WPE_TRUNCATED_LENGTH, off, NULL);
	return fail(w, WPE_BAD_VARINT, off, r == PBWIRE_LEN_LONG ?
	    "the packet length is longer than 10 bytes" :
	    "the packet length is above 64 bits");
}

/*
 * The end of the input on a packet boundary: the importer's rules first
 * (a rule names what went wrong, where a missing reference would only
 * say what is missing), then the references.
 */
static enum pbwalk_ev
walk_done(struct pbwalk *w)
{
	struct sem *s = &w->sem;
	const struct sem_finding *f = NULL;
	uint64_t failures = 0;
	size_t i;

	sem_finish(s);
	w->st.sum = s->sum;
	for (i = 0; i < s->nfound; i++) {
		if (sem_is_note(s->found[i].reason))
			w->st.sem_notes |= 1u << (s->found[i].reason -
			    SEM_NOTE_FIRST);
		else if (f == NULL)
			f = &s->found[i];
	}
	for (i = 0; i < SEM_NOTE_FIRST; i++)
		failures += s->count[i];
	if (f != NULL && !w->rules_off) {
		w->err.code = WPE_IMPORT;
		w->err.off = f->off;
		w->err.index = f->packet;
		w->err.rule = f->reason;
		w->err.rule_id = f->id;
		w->err.rule_value = f->value;
		w->err.rule_other = f->other;
		w->err.rule_count = failures;
		return PBWALK_FAIL;
	}
	if (pbref_resolve(&w->refs, &w->err) == -1)
		return PBWALK_FAIL;
	w->st.refs_checked = w->refs.checked;
	w->st.refs_capped = w->refs.capped;
	w->st.refs_redefined = w->refs.redefined;
	return PBWALK_DONE;
}

enum pbwalk_ev
pbwalk_feed(struct pbwalk *w, const unsigned char *buf, size_t len, int eof,
    size_t *used)
{
	const struct piece piece = { buf, buf + len, w->off }, *pc = &piece;
	const unsigned char *p = buf, *end = buf + len, *t, *lim;
	uint64_t v, body, left, rest, n;
	struct pbframe *fr;
	enum pbwire_err r;
	int step, hard;

	*used = 0;
	for (;;) {
		if (w->left > 0) {
			n = w->left < (uint64_t)(end - p) ? w->left :
			    (uint64_t)(end - p);
			if (w->utf8 && !pbwire_utf8(&w->u8, p, (size_t)n))
				goto bad_utf8;
			p += n;
			w->left -= n;
			if (w->left > 0) {
				if (eof)
					goto truncated;
				break;
			}
			if (w->utf8 && w->u8.need != 0)
				goto bad_utf8;
			w->utf8 = 0;
		}
		if (!w->in_pkt) {
			if (p == end) {
				if (!eof)
					break;
				*used = len;
				w->off = OFF(p);
				return walk_done(w);
			}
			if (end - p < PBWALK_TOKEN && !eof)
				break;
			if (w->threads > 1 && !w->slow_only &&
			    OFF(p) >= w->par_from &&
			    (size_t)(end - p) >= w->par_min &&
			    (t = par_round(w, pc, p, end)) != NULL) {
				p = t;
				continue;
			}
			t = p;
			r = pbwire_packet(&p, end, &v);
			if (PBWIRE_UNLIKELY(r != PBWIRE_OK))
				return bad_head(w, r, t, end, OFF(t));
			body = OFF(p);
			/* The packet lies inside the file. */
			if (w->size != PBWALK_SIZE_UNKNOWN &&
			    v > (left = w->size - body)) {
				w->err.claimed = v;
				w->err.present = left;
				return fail(w, WPE_TRUNCATED, OFF(t), NULL);
			}
			w->in_pkt = 1;
			w->pkt_off = OFF(t);
			w->pkt_body = body;
			w->pkt_len = v;
			/* A stream cannot hold more; it ends first. */
			w->pkt_end = v > UINT64_MAX - body ? UINT64_MAX :
			    body + v;
			w->pkt_flags = 0;
			w->pkt_kind = SCHEMA_TRACE_PACKET_NFIELDS;
			sem_packet_begin(&w->sem, w->pkt_off, w->st.packets, v);
			if (v <= (uint64_t)(end - p) && !w->slow_only &&
			    quick_packet(w, pc, p, p + v) == 0) {
				w->fast_packets++;
				p += v;
				end_packet(w);
				continue;
			}
			w->depth = 1;
			fr = &w->stack[0];
			fr->end = w->pkt_end;
			fr->field = 1;
			fr->msg = SCHEMA_TRACE_PACKET;
			fr->kind = PF_MSG;
			fr->ref = SR_NONE;
			fr->tag_off = w->pkt_off;
			fr->sem = SEM_M_PACKET;
			continue;
		}
		fr = &w->stack[w->depth - 1];
		rest = fr->end - OFF(p);
		if (rest == 0) {
			if (pop(w) == STEP_FAIL)
				return PBWALK_FAIL;
			continue;
		}
		hard = rest <= (uint64_t)(end - p);
		if (hard)
			lim = p + rest;
		else if (eof)
			goto truncated;
		else if (end - p < PBWALK_TOKEN)
			break;
		else
			lim = end;
		if (fr->kind == PF_PACKED)
			step = packed(w, pc, &p, lim, hard);
		else
			step = fields(w, pc, &p, lim, hard);
		if (step == STEP_FAIL)
			return PBWALK_FAIL;
		if (step == STEP_ON && !hard)
			break;
	}
	*used = (size_t)(p - buf);
	w->off = OFF(p);
	return PBWALK_NEED;

truncated:
	w->err.claimed = w->pkt_len;
	w->err.present = OFF(end) - w->pkt_body;
	return fail(w, WPE_TRUNCATED, w->pkt_off, NULL);

bad_utf8:
	fail_in(w, WPE_MALFORMED_PACKET, w->leaf_off, w->leaf_tag, bad_utf8);
	return PBWALK_FAIL;
}
#undef OFF

static int
by_count(const void *a, const void *b)
{
	const struct pbkind_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

size_t
pbstats_kinds(const struct pbstats *st, struct pbkind_count *out, size_t max)
{
	struct pbkind_count all[SCHEMA_TRACE_PACKET_NFIELDS + 1];
	const struct schema_field *f;
	size_t i, n = 0;

	f = &schema_fields[schema_msgs[SCHEMA_TRACE_PACKET].first];
	for (i = 0; i <= SCHEMA_TRACE_PACKET_NFIELDS; i++) {
		if (st->kind[i] == 0)
			continue;
		all[n].name = i < SCHEMA_TRACE_PACKET_NFIELDS ?
		    schema_field_names[f + i - schema_fields] : "none";
		all[n].n = st->kind[i];
		n++;
	}
	qsort(all, n, sizeof(all[0]), by_count);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(all[0]));
	return n;
}
