/*
 * Unit tests of the deep walk (lib/pbwalk.c, lib/pbref.c), printed as TAP.
 * Every input is walked in one piece by the fast path where it can, in one
 * piece by the slow path only, in pieces of 1, 2, 3, 7 and 64 bytes, and
 * on two threads with a run per packet, in one piece and in pieces of 64
 * bytes: all must agree, so the paths cannot drift apart. test_par holds
 * the two-thread walk to the one-thread walk on the real traces, whole
 * and with bytes changed, with the importer's rules on. Expected offsets are counted from the bytes the
 * test builds; the rules were checked with protoc on the same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/err.h"
#include "../lib/pbwalk.h"

#define TAP_NAME "pbwalk"
#include "tap.h"

#define BMAX	(1u << 21)

struct b {
	unsigned char *d;
	size_t n;
};

static struct b *
bnew(void)
{
	struct b *b;

	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->d = malloc(BMAX)) == NULL)
		abort();
	return b;
}

static void
bfree(struct b *b)
{
	free(b->d);
	free(b);
}

static void
braw(struct b *b, const void *p, size_t n)
{
	if (n > BMAX - b->n)
		abort();
	memcpy(b->d + b->n, p, n);
	b->n += n;
}

static void
bv(struct b *b, uint64_t v)
{
	unsigned char c;

	do {
		c = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v != 0)
			c |= 0x80;
		braw(b, &c, 1);
	} while (v != 0);
}

static void
btag(struct b *b, unsigned field, unsigned wt)
{
	bv(b, (uint64_t)field << 3 | wt);
}

static void
bvi(struct b *b, unsigned field, uint64_t v)
{
	btag(b, field, 0);
	bv(b, v);
}

/* Field field, wire type 2, holding sub; sub is emptied. */
static void
bsub(struct b *b, unsigned field, struct b *sub)
{
	btag(b, field, 2);
	bv(b, sub->n);
	braw(b, sub->d, sub->n);
	sub->n = 0;
}

static void
bstr(struct b *b, unsigned field, const void *s, size_t n)
{
	btag(b, field, 2);
	bv(b, n);
	braw(b, s, n);
}

/* A packet with body, then its sequence id (0: none) after the payload. */
static void
bpkt(struct b *t, struct b *body, uint64_t seq)
{
	if (seq != 0)
		bvi(body, PB_F_SEQ_ID, seq);
	bsub(t, 1, body);
}

/*
 * A packet that clears the incremental state of seq (sequence_flags 1):
 * interned data counts from there on, as in trace_processor.
 */
static void
bclear(struct b *t, uint64_t seq)
{
	struct b *p = bnew();

	bvi(p, 13, 1);
	bpkt(t, p, seq);
	bfree(p);
}

struct res {
	enum pbwalk_ev ev;
	struct wperr err;
	struct pbstats st;
	uint64_t good_end, good_packets;
	uint64_t fast;		/* packets the fast path took */
};

#define SLOW_ONLY	SIZE_MAX	/* a step: one piece, slow path only */

/*
 * Walks d in pieces of step bytes (0: one piece). par: on two threads,
 * from packets of par_run bytes on; rules: the importer's too.
 */
static void
walk_as(const unsigned char *d, size_t len, size_t step, int par,
    size_t par_run, int rules, struct res *r)
{
	struct pbwalk *w;
	unsigned char *buf;
	size_t have = 0, roff = 0, n, used, cap;
	enum pbwalk_ev ev;
	int eof;

	if ((w = malloc(sizeof(*w))) == NULL)
		abort();
	pbwalk_init(w, len);
	w->rules_off = !rules;
	if (par) {
		w->threads = 2;
		w->par_min = 0;
		w->par_run = par_run;
		/* Hand-made packets are tiny: two threads for any size. */
		w->par_packet[0] = 0;
		w->par_packet[1] = SIZE_MAX;
	}
	if (step == SLOW_ONLY) {
		w->slow_only = 1;
		step = 0;
	}
	cap = step == 0 ? len + 1 : step + PBWALK_TOKEN;
	if ((buf = malloc(cap)) == NULL)
		abort();
	for (;;) {
		n = cap - have < len - roff ? cap - have : len - roff;
		if (step != 0 && n > step)
			n = step;
		memcpy(buf + have, d + roff, n);
		roff += n;
		have += n;
		eof = roff == len;
		ev = pbwalk_feed(w, buf, have, eof, &used);
		if (ev != PBWALK_NEED || eof)
			break;
		have -= used;
		memmove(buf, buf + used, have);
	}
	r->ev = ev;
	r->err = w->err;
	r->st = w->st;
	r->good_end = w->good_end;
	r->good_packets = w->good_packets;
	r->fast = w->fast_packets;
	pbwalk_free(w);
	free(w);
	free(buf);
}

/* Hand-made packets: the grammar only, on one thread. */
static void
walk(const unsigned char *d, size_t len, size_t step, struct res *r)
{
	walk_as(d, len, step, 0, 0, 0, r);
}

/* 1 when two walks agree on the verdict, the counts and the summary. */
static int
same_res(const struct res *o, const struct res *r)
{
	const struct sem_summary *a = &o->st.sum, *b = &r->st.sum;

	return o->ev == r->ev && o->err.code == r->err.code &&
	    o->err.off == r->err.off && o->err.index == r->err.index &&
	    o->err.field == r->err.field &&
	    o->err.wiretype == r->err.wiretype &&
	    o->err.refid == r->err.refid &&
	    o->err.refmissing == r->err.refmissing &&
	    o->err.rule == r->err.rule && o->err.rule_id == r->err.rule_id &&
	    o->err.rule_value == r->err.rule_value &&
	    o->err.rule_other == r->err.rule_other &&
	    o->err.rule_count == r->err.rule_count &&
	    strcmp(o->err.path, r->err.path) == 0 &&
	    o->st.packets == r->st.packets &&
	    o->st.track_event == r->st.track_event &&
	    o->st.interned_data == r->st.interned_data &&
	    o->st.track_descriptor == r->st.track_descriptor &&
	    o->st.nseq == r->st.nseq && o->st.have_ts == r->st.have_ts &&
	    o->st.ts_min == r->st.ts_min && o->st.ts_max == r->st.ts_max &&
	    memcmp(o->st.kind, r->st.kind, sizeof(o->st.kind)) == 0 &&
	    o->st.refs_checked == r->st.refs_checked &&
	    o->st.refs_capped == r->st.refs_capped &&
	    o->st.refs_redefined == r->st.refs_redefined &&
	    o->st.sem_notes == r->st.sem_notes &&
	    memcmp(a->te, b->te, sizeof(a->te)) == 0 &&
	    a->ftrace_events == b->ftrace_events &&
	    a->sched_switch == b->sched_switch &&
	    a->sched_waking == b->sched_waking &&
	    a->threads == b->threads && a->processes == b->processes &&
	    a->cpus == b->cpus && a->have_num_cpus == b->have_num_cpus &&
	    a->num_cpus == b->num_cpus && a->release == b->release &&
	    o->good_end == r->good_end && o->good_packets == r->good_packets;
}

/*
 * Walks in one piece, by both paths, in small ones, and on two threads;
 * 1 when all agree.
 */
static int
walk_all(const struct b *t, struct res *r)
{
	static const size_t steps[] = { SLOW_ONLY, 1, 2, 3, 7, 64 };
	struct res o;
	size_t i;
	int same = 1;

	walk(t->d, t->n, 0, r);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]) + 2; i++) {
		if (i < sizeof(steps) / sizeof(steps[0]))
			walk(t->d, t->n, steps[i], &o);
		else
			walk_as(t->d, t->n, i % 2 == 0 ? 0 : 64, 1, 1, 0, &o);
		same &= same_res(&o, r);
	}
	return same;
}

static void
expect_ok(struct b *t, const char *what)
{
	struct res r;
	char name[1024], msg[512];
	int same = walk_all(t, &r);

	snprintf(name, sizeof(name), "%s: passes%s", what,
	    r.ev == PBWALK_DONE ? "" : wperr_str(&r.err, msg, sizeof(msg)));
	ok(same && r.ev == PBWALK_DONE, name);
	t->n = 0;
}

static void
expect_fail(struct b *t, enum wperr_code code, uint64_t off,
    const char *what)
{
	struct res r;
	char name[1024], msg[512];
	int same = walk_all(t, &r);

	wperr_str(&r.err, msg, sizeof(msg));
	snprintf(name, sizeof(name), "%s: fails at %llu%s%s", what,
	    (unsigned long long)off, r.ev == PBWALK_FAIL &&
	    r.err.code == code && r.err.off == off ? "" : "; got: ",
	    r.ev == PBWALK_FAIL && r.err.code == code && r.err.off == off ?
	    "" : msg);
	ok(same && r.ev == PBWALK_FAIL && r.err.code == code &&
	    r.err.off == off, name);
	t->n = 0;
}

/* References */

enum { K_NAME, K_CAT, K_DA_NAME, K_DA_STR, K_CALLSTACK, K_FRAME,
	K_FUNC, K_MAPPING, K_TRACK, K_PARENT, K_N };

static const char *const kname[K_N] = {
	"TrackEvent.name_iid", "TrackEvent.category_iids",
	"DebugAnnotation.name_iid", "DebugAnnotation.string_value_iid",
	"TrackEvent.callstack_iid", "Callstack.frame_ids",
	"Frame.function_name_id", "Frame.mapping_id", "TrackEvent.track_uuid",
	"TrackDescriptor.parent_uuid",
};

/*
 * A packet that uses id; *useoff gets the offset of the using field's tag
 * (of the value, for a packed field) within the trace t.
 */
static void
use_packet(struct b *t, int k, uint64_t id, uint64_t seq, uint64_t *useoff)
{
	struct b *p = bnew(), *m = bnew(), *s = bnew();
	size_t hdr;

	switch (k) {
	case K_NAME:
	case K_CALLSTACK:
	case K_TRACK:
		bvi(m, k == K_NAME ? 10 : k == K_TRACK ? 11 : 56, id);
		/* packet tag, length, track_event tag, length */
		hdr = 4;
		bsub(p, 11, m);
		break;
	case K_CAT:
		btag(m, 3, 0);
		bv(m, id);
		hdr = 4;
		bsub(p, 11, m);
		break;
	case K_DA_NAME:
	case K_DA_STR:
		bvi(s, k == K_DA_NAME ? 1 : 17, id);
		bsub(m, 4, s);
		hdr = 6;
		bsub(p, 11, m);
		break;
	case K_FRAME:
		/* InternedData.callstacks { iid 99 frame_ids id } */
		bvi(s, 1, 99);
		bvi(s, 2, id);
		bsub(m, 7, s);
		hdr = 6 + 2;
		bsub(p, 12, m);
		break;
	case K_FUNC:
	case K_MAPPING:
		bvi(s, 1, 99);
		bvi(s, k == K_FUNC ? 2 : 3, id);
		bsub(m, 6, s);
		hdr = 6 + 2;
		bsub(p, 12, m);
		break;
	default:
		/* TrackDescriptor { uuid 5000 parent_uuid id } */
		bvi(m, 1, 5000);
		bvi(m, 5, id);
		hdr = 5 + 3;
		bsub(p, 60, m);
		break;
	}
	*useoff = t->n + hdr;
	bpkt(t, p, seq);
	bfree(p);
	bfree(m);
	bfree(s);
}

/* A packet that defines id (and what the use packet itself needs). */
static void
def_packet(struct b *t, int k, uint64_t id, uint64_t seq)
{
	struct b *p = bnew(), *m = bnew(), *s = bnew();
	static const unsigned idfield[K_N] = { 2, 1, 3, 29, 7, 6, 5, 19 };

	if (k == K_TRACK || k == K_PARENT) {
		bvi(m, 1, id);
		bsub(p, 60, m);
		if (k == K_PARENT) {
			bpkt(t, p, seq);
			bvi(m, 1, 5000);
			bsub(p, 60, m);
		}
	} else {
		bvi(s, 1, id);
		bsub(m, idfield[k], s);
		/* The use packets of frames hold callstack 99 or frame 99. */
		if (k == K_FUNC || k == K_MAPPING) {
			bvi(s, 1, 99);
			bsub(m, 6, s);
		}
		bsub(p, 12, m);
	}
	bpkt(t, p, seq);
	bfree(p);
	bfree(m);
	bfree(s);
}

static void
test_refs(void)
{
	struct b *t = bnew();
	struct res r;
	uint64_t off, dummy;
	char what[160];
	enum wperr_code missing;
	int k;

	for (k = 0; k < K_N; k++) {
		missing = k == K_TRACK || k == K_PARENT ? WPE_MISSING_TRACK :
		    WPE_MISSING_INTERNED;

		use_packet(t, k, 42, 7, &off);
		snprintf(what, sizeof(what), "%s 42 defined nowhere", kname[k]);
		walk_all(t, &r);
		ok(r.ev == PBWALK_FAIL && r.err.code == missing &&
		    r.err.off == off && r.err.index == 0 &&
		    r.err.refid == 42 && r.err.refmissing == 1 &&
		    r.err.refseq == (missing == WPE_MISSING_TRACK ? 0 : 7),
		    what);
		t->n = 0;

		bclear(t, 7);
		def_packet(t, k, 42, 7);
		use_packet(t, k, 42, 7, &dummy);
		snprintf(what, sizeof(what), "%s defined before use", kname[k]);
		expect_ok(t, what);

		bclear(t, 7);
		use_packet(t, k, 42, 7, &dummy);
		def_packet(t, k, 42, 7);
		snprintf(what, sizeof(what), "%s defined after use", kname[k]);
		expect_ok(t, what);

		bclear(t, 7);
		def_packet(t, k, 42, 7);
		use_packet(t, k, 42, 7, &dummy);
		def_packet(t, k, 42, 7);
		snprintf(what, sizeof(what), "%s defined twice", kname[k]);
		expect_ok(t, what);

		bclear(t, 7);
		bclear(t, 8);
		def_packet(t, k, 42, 8);
		use_packet(t, k, 42, 7, &off);
		snprintf(what, sizeof(what), "%s defined in another sequence",
		    kname[k]);
		if (missing == WPE_MISSING_TRACK)
			expect_ok(t, what);
		else
			expect_fail(t, missing, off, what);
	}

	/* Two missing, the first used first; the count is of distinct ids. */
	use_packet(t, K_CALLSTACK, 5, 7, &dummy);
	use_packet(t, K_CALLSTACK, 4, 7, &off);
	use_packet(t, K_CALLSTACK, 5, 7, &dummy);
	off = 4;
	walk_all(t, &r);
	ok(r.ev == PBWALK_FAIL && r.err.code == WPE_MISSING_INTERNED &&
	    r.err.refid == 5 && r.err.refmissing == 2 && r.err.off == off &&
	    r.err.refkind == SR_USE_CALLSTACK,
	    "two callstacks missing: the first used is named, 2 counted");
	{
		char msg[512];

		wperr_str(&r.err, msg, sizeof(msg));
		ok(strstr(msg, "callstack iid 5 of sequence 7") != NULL &&
		    strstr(msg, "final stack packet") != NULL,
		    "missing stack data says wprof stopped before its final "
		    "stack packet");
	}
	t->n = 0;

	/* A packet without a sequence id is on none of the others. */
	bclear(t, 7);
	def_packet(t, K_NAME, 42, 7);
	use_packet(t, K_NAME, 42, 0, &off);
	expect_fail(t, WPE_MISSING_INTERNED, off,
	    "a use in a packet without a sequence id");

	/* A known field with another wire type is unknown: no reference. */
	{
		struct b *p = bnew(), *m = bnew();

		bstr(m, 11, "abc", 3);
		bsub(p, 11, m);
		bpkt(t, p, 7);
		expect_ok(t, "track_uuid as a length-delimited field is "
		    "unknown, not a use");
		bfree(p);
		bfree(m);
	}
	bfree(t);
}

/* The sets' limits are tested in unit_pbref.c; here, counting. */
static void
test_checked(void)
{
	struct b *t = bnew();
	struct res r;
	uint64_t off;
	unsigned i;

	bclear(t, 7);
	def_packet(t, K_NAME, 1, 7);
	for (i = 0; i < 10; i++)
		use_packet(t, K_NAME, 1, 7, &off);
	walk(t->d, t->n, 0, &r);
	ok(r.ev == PBWALK_DONE && !r.st.refs_capped &&
	    r.st.refs_checked == 10, "10 uses checked, not capped");
	bfree(t);
}

/*
 * Wraps body in messages so that it lies at depth d (1: the packet,
 * 2: TrackEvent, 3..: DebugAnnotation dict_entries); returns the offset of
 * body's first byte in t.
 */
static uint64_t
at_depth(struct b *t, const struct b *body, unsigned d)
{
	struct b *cur = bnew(), *outer = bnew();
	uint64_t off = 0;
	unsigned i, lvl;
	size_t before;

	braw(cur, body->d, body->n);
	for (lvl = d; lvl > 1; lvl--) {
		before = outer->n;
		/* DebugAnnotation.dict_entries(11), TrackEvent: 4 and 11 */
		btag(outer, lvl == 2 ? 11 : lvl == 3 ? 4 : 11, 2);
		bv(outer, cur->n);
		off += outer->n - before;
		braw(outer, cur->d, cur->n);
		cur->n = 0;
		braw(cur, outer->d, outer->n);
		outer->n = 0;
	}
	before = t->n;
	btag(t, 1, 2);
	bv(t, cur->n);
	off += t->n;
	braw(t, cur->d, cur->n);
	(void)i;
	bfree(cur);
	bfree(outer);
	return off;
}

static void
test_wire(void)
{
	static const unsigned depths[] = { 1, 2, 5 };
	struct b *t = bnew(), *body = bnew();
	unsigned i;
	uint64_t o;
	char what[160];

	for (i = 0; i < 3; i++) {
		unsigned d = depths[i];

#define CASE(code, at, text) do {					\
	o = at_depth(t, body, d);					\
	snprintf(what, sizeof(what), "depth %u: %s", d, text);		\
	expect_fail(t, code, o + (at), what);				\
	body->n = 0;							\
} while (0)
		btag(body, 999, 6);
		CASE(WPE_MALFORMED_PACKET, 0, "wire type 6");
		bvi(body, 999, 1);
		btag(body, 999, 7);
		CASE(WPE_MALFORMED_PACKET, 3, "wire type 7 after a field");
		btag(body, 999, 4);
		CASE(WPE_MALFORMED_PACKET, 0, "a group ends that never began");
		btag(body, 999, 3);
		btag(body, 998, 4);
		CASE(WPE_MALFORMED_PACKET, 2, "a group ends inside another");
		btag(body, 999, 3);
		CASE(WPE_MALFORMED_PACKET, 2, "a group still open at the end");
		btag(body, 999, 0);
		braw(body, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11);
		CASE(WPE_BAD_VARINT, 2, "an 11-byte varint");
		braw(body, "\x88\x80\x80\x80\x80\x00\x01", 7);
		CASE(WPE_BAD_VARINT, 0, "a 6-byte tag");
		btag(body, 999, 2);
		bv(body, 5);
		braw(body, "abcd", 4);
		CASE(WPE_MALFORMED_LENGTH, 0, "a length past the message end");
		btag(body, 999, 2);
		braw(body, "\x81\x80\x80\x80\x80\x00" "a", 7);
		CASE(WPE_BAD_VARINT, 2, "a 6-byte length");
		btag(body, 999, 1);
		braw(body, "1234", 4);
		CASE(WPE_MALFORMED_LENGTH, 0, "a fixed64 cut by the end");
		btag(body, 999, 0);
		braw(body, "\xff\xff", 2);
		CASE(WPE_MALFORMED_PACKET, 0, "a varint cut by the end");
		bvi(body, 0, 1);
		CASE(WPE_MALFORMED_PACKET, 0, "field number 0");

		/* Well-formed things that protoc accepts at every depth. */
		btag(body, 999, 0);
		braw(body, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 10);
		braw(body, "\xba\xbe\x80\x80\x00\x01z", 7);
		btag(body, 999, 3);
		bvi(body, 1, 1);
		bstr(body, 2, "\xff", 1);
		btag(body, 999, 4);
		btag(body, 999, 5);
		braw(body, "1234", 4);
		o = at_depth(t, body, d);
		snprintf(what, sizeof(what), "depth %u: unknown fields, a "
		    "10-byte varint, a padded 5-byte tag, a group", d);
		expect_ok(t, what);
		body->n = 0;
	}

	/* A path that names the fields down to the damage. */
	{
		struct res r;

		bstr(body, 10, "\xc0\x80", 2);
		at_depth(t, body, 3);
		walk_all(t, &r);
		ok(r.ev == PBWALK_FAIL && strcmp(r.err.path,
		    "TracePacket.track_event(11) > "
		    "TrackEvent.debug_annotations(4) > "
		    "DebugAnnotation.name(10)") == 0,
		    "the error names the path to the field");
		t->n = 0;
		body->n = 0;
	}
	bfree(t);
	bfree(body);
}

static void
test_utf8(void)
{
	static const struct {
		const char *s;
		size_t n;
		int good;
		const char *what;
	} cases[] = {
		{ "plain", 5, 1, "ASCII" },
		{ "h\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10, 1,
		    "two, three and four bytes" },
		{ "\xf4\x8f\xbf\xbf", 4, 1, "U+10FFFF" },
		{ "\xed\x9f\xbf\xee\x80\x80", 6, 1, "U+D7FF and U+E000" },
		{ "0123456789abcdef0123456789abcdef\xc3\xa9", 34, 1,
		    "32 ASCII bytes then two" },
		{ "\xc0\x80", 2, 0, "overlong NUL (c0 80)" },
		{ "\xc1\xbf", 2, 0, "overlong c1 bf" },
		{ "\xe0\x80\x80", 3, 0, "overlong in three bytes" },
		{ "\xe0\x9f\xbf", 3, 0, "overlong U+07FF in three bytes" },
		{ "\xf0\x80\x80\x80", 4, 0, "overlong in four bytes" },
		{ "\xf0\x8f\xbf\xbf", 4, 0, "overlong U+FFFF in four bytes" },
		{ "\xed\xa0\x80", 3, 0, "surrogate U+D800" },
		{ "\xed\xbf\xbf", 3, 0, "surrogate U+DFFF" },
		{ "\xf4\x90\x80\x80", 4, 0, "U+110000" },
		{ "\xf5\x80\x80\x80", 4, 0, "lead byte f5" },
		{ "\xff", 1, 0, "byte ff" },
		{ "\x80", 1, 0, "a lone continuation byte" },
		{ "\xe2\x82", 2, 0, "a sequence cut by the end" },
		{ "a\xc3", 2, 0, "a lead byte at the end" },
		{ "\xe2\x28\xa1", 3, 0, "a sequence broken by ASCII" },
		{ "0123456789abcdef0123456789abcdef\xf0\x9f\x98", 35, 0,
		    "32 ASCII bytes then a cut sequence" },
	};
	struct b *t = bnew(), *body = bnew();
	size_t i;
	uint64_t o;
	char what[160];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* TrackEvent.name(23), a string */
		bstr(body, 23, cases[i].s, cases[i].n);
		o = at_depth(t, body, 2);
		body->n = 0;
		snprintf(what, sizeof(what), "UTF-8: %s", cases[i].what);
		if (cases[i].good)
			expect_ok(t, what);
		else
			expect_fail(t, WPE_MALFORMED_PACKET, o, what);
	}
	/*
	 * The ASCII scan goes 64 bytes at a time: one bad byte or one good
	 * two-byte sequence at every position of strings of 1 to 200 bytes,
	 * at every alignment of the buffer, is found or passed as a byte
	 * loop would.
	 */
	{
		unsigned char sbuf[264];
		size_t len, at, al, bad = 0, tried = 0;

		for (al = 0; al < 8; al++)
			for (len = 1; len <= 200; len++)
				for (at = 0; at < len; at++) {
					memset(sbuf, 'a', sizeof(sbuf));
					sbuf[al + at] = 0xff;
					bad += pbwire_utf8_ok(sbuf + al, len) != 0;
					if (at + 1 < len) {
						sbuf[al + at] = 0xc3;
						sbuf[al + at + 1] = 0xa9;
						bad += pbwire_utf8_ok(sbuf + al,
						    len) != 1;
						bad += pbwire_utf8_ok(sbuf + al,
						    at + 1) != 0;
					}
					bad += pbwire_ascii(sbuf + al, len) >
					    at || pbwire_ascii(sbuf + al, len) %
					    8 != 0 || at - pbwire_ascii(
					    sbuf + al, len) >= 64 + 8;
					tried++;
				}
		ok(bad == 0 && tried == 8 * 200 * 201 / 2,
		    "UTF-8: a bad byte or a sequence anywhere in 200 bytes, "
		    "at any alignment, as a byte loop finds it");
	}
	/* InternedString.str is bytes: anything goes. */
	{
		struct b *s = bnew(), *m = bnew();

		bvi(s, 1, 1);
		bstr(s, 2, "\xff\xc0\x80", 3);
		bsub(m, 5, s);
		bsub(body, 12, m);
		bpkt(t, body, 7);
		expect_ok(t, "invalid UTF-8 in a bytes field");
		bfree(s);
		bfree(m);
	}
	bfree(t);
	bfree(body);
}

static void
test_packed(void)
{
	struct b *t = bnew(), *body = bnew(), *m = bnew();
	uint64_t o;

	/* category_iids(3) packed, unpacked, empty */
	bstr(body, 3, "\x01\xac\x02", 3);
	bvi(body, 3, 5);
	bstr(body, 3, "", 0);
	bvi(body, 10, 9);
	bsub(m, 2, body);
	bsub(body, 12, m);
	bvi(m, 1, 1);
	bsub(body, 1, m);
	bvi(m, 1, 300);
	bsub(body, 1, m);
	bvi(m, 1, 5);
	bsub(body, 1, m);
	bsub(m, 12, body);
	/* interned event_names { iid 9 }, event_categories 1, 300, 5 */
	{
		struct b *id = bnew();

		bvi(id, 1, 9);
		bsub(body, 2, id);
		bvi(id, 1, 1);
		bsub(body, 1, id);
		bvi(id, 1, 300);
		bsub(body, 1, id);
		bvi(id, 1, 5);
		bsub(body, 1, id);
		bsub(id, 12, body);
		bstr(body, 3, "\x01\xac\x02", 3);
		bvi(body, 3, 5);
		bstr(body, 3, "", 0);
		bvi(body, 10, 9);
		bsub(id, 11, body);
		/* It clears the state itself: its interned data counts. */
		bvi(id, 13, 1);
		bpkt(t, id, 7);
		bfree(id);
	}
	m->n = 0;
	body->n = 0;
	expect_ok(t, "category_iids packed, unpacked and empty, all defined");

	/* Packed one-byte values side by side: 1, 2, 3, never 257 or more. */
	{
		struct b *id = bnew();
		unsigned i;

		for (i = 1; i <= 3; i++) {
			bvi(id, 1, i);
			bsub(body, 1, id);
		}
		bsub(id, 12, body);
		bstr(body, 3, "\x01\x02\x03", 3);
		bsub(id, 11, body);
		bvi(id, 13, 1);
		bpkt(t, id, 7);
		bfree(id);
	}
	{
		struct res r;
		int same = walk_all(t, &r);

		/*
		 * The fast path took the packet whole and the slow path, byte
		 * by byte, agrees: the id uses resolve against 1, 2 and 3.
		 */
		ok(same && r.ev == PBWALK_DONE && r.fast == 1 &&
		    r.st.refs_checked == 3,
		    "packed category_iids 1, 2, 3 in one-byte values: both "
		    "paths pass them");
		t->n = 0;
	}
	/* The same ids undefined: 257 or 513 would not be named. */
	{
		struct b *id = bnew();
		struct res r;
		int same;

		bvi(id, 1, 2);
		bsub(body, 1, id);
		bsub(id, 12, body);
		bstr(body, 3, "\x01\x02\x03", 3);
		bsub(id, 11, body);
		bpkt(t, id, 7);
		bfree(id);
		same = walk_all(t, &r);
		ok(same && r.ev == PBWALK_FAIL &&
		    r.err.code == WPE_MISSING_INTERNED && r.err.refid == 1,
		    "packed category_iids 1, 2, 3 with only 2 defined: both "
		    "paths name id 1");
		t->n = 0;
	}

	bstr(body, 3, "\x01\x80", 2);
	o = at_depth(t, body, 2);
	expect_fail(t, WPE_MALFORMED_PACKET, o + 3,
	    "a packed varint cut by the end of its field");
	body->n = 0;

	bstr(body, 3, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11);
	o = at_depth(t, body, 2);
	expect_fail(t, WPE_BAD_VARINT, o + 2, "an 11-byte packed varint");
	body->n = 0;

	/* flow_ids(47) is fixed64, extra_double_counter_values(46) double */
	bstr(body, 47, "0123456789abcdef", 16);
	btag(body, 47, 1);
	braw(body, "01234567", 8);
	bstr(body, 46, "", 0);
	at_depth(t, body, 2);
	expect_ok(t, "fixed64 packed (16 bytes), unpacked and empty");
	body->n = 0;

	bstr(body, 47, "0123456789ab", 12);
	o = at_depth(t, body, 2);
	expect_fail(t, WPE_MALFORMED_PACKET, o,
	    "packed fixed64 of 12 bytes");
	body->n = 0;

	/* A packed use that is not defined: the value's offset. */
	{
		struct res r;

		bstr(body, 3, "\x07", 1);
		o = at_depth(t, body, 2);
		walk_all(t, &r);
		ok(r.ev == PBWALK_FAIL && r.err.code == WPE_MISSING_INTERNED &&
		    r.err.off == o + 2 && r.err.refid == 7,
		    "a packed category_iid defined nowhere");
		t->n = 0;
		body->n = 0;
	}
	bfree(t);
	bfree(body);
	bfree(m);
}

static void
test_depth(void)
{
	struct b *t = bnew(), *cur = bnew(), *next = bnew();
	struct res r;
	unsigned i, n;

	/* Packet > TrackEvent > n DebugAnnotations: 2 + n levels. */
	for (n = 98; n <= 99; n++) {
		bvi(cur, 1, 1);
		for (i = 1; i < n; i++) {
			bsub(next, 11, cur);
			braw(cur, next->d, next->n);
			next->n = 0;
		}
		bsub(next, 4, cur);
		bsub(cur, 11, next);
		bsub(t, 1, cur);
		walk_all(t, &r);
		if (n == 98)
			ok(r.ev == PBWALK_DONE || r.err.code ==
			    WPE_MISSING_INTERNED, "messages 100 deep pass");
		else
			ok(r.ev == PBWALK_FAIL &&
			    r.err.code == WPE_MALFORMED_PACKET &&
			    strstr(r.err.what, "deeper than 100") != NULL,
			    "messages 101 deep fail with their own message");
		t->n = 0;
		cur->n = 0;
	}
	/* Groups: packet > TrackEvent > 98 or 99 groups. */
	for (n = 98; n <= 99; n++) {
		for (i = 0; i < n; i++)
			btag(cur, 999, 3);
		for (i = 0; i < n; i++)
			btag(cur, 999, 4);
		at_depth(t, cur, 2);
		walk_all(t, &r);
		if (n == 98)
			ok(r.ev == PBWALK_DONE, "groups 100 deep pass");
		else
			ok(r.ev == PBWALK_FAIL &&
			    r.err.code == WPE_MALFORMED_PACKET &&
			    strstr(r.err.what, "deeper than 100") != NULL,
			    "groups 101 deep fail");
		t->n = 0;
		cur->n = 0;
	}
	bfree(t);
	bfree(cur);
	bfree(next);
}

static void
test_stats(void)
{
	struct b *t = bnew(), *p = bnew(), *m = bnew();
	struct pbkind_count k[8];
	struct res r;
	size_t n, pkt1;

	def_packet(t, K_TRACK, 1, 7);
	for (n = 0; n < 3; n++) {
		bvi(m, 11, 1);
		bsub(p, 11, m);
		bpkt(t, p, 7);
	}
	bvi(p, 8, 5);
	bpkt(t, p, 7);
	pkt1 = t->n;
	walk(t->d, t->n, 0, &r);
	n = pbstats_kinds(&r.st, k, 8);
	ok(r.ev == PBWALK_DONE && n == 3 && strcmp(k[0].name, "track_event") ==
	    0 && k[0].n == 3 && strcmp(k[1].name, "none") == 0 &&
	    k[1].n == 1 && strcmp(k[2].name, "track_descriptor") == 0 &&
	    k[2].n == 1, "packets by kind, most first, ties by name");
	ok(pbstats_kinds(&r.st, k, 1) == 1, "pbstats_kinds stops at max");
	ok(r.good_end == t->n && r.good_packets == 5,
	    "good_end and good_packets at the end of a good trace");

	btag(p, 999, 7);
	bpkt(t, p, 7);
	walk(t->d, t->n, 0, &r);
	ok(r.ev == PBWALK_FAIL && r.good_end == pkt1 && r.good_packets == 5,
	    "good_end and good_packets stop before a damaged packet");
	bfree(t);
	bfree(p);
	bfree(m);
}

/*
 * The one varint reader against a byte loop written here from the rule:
 * every run of 0 to 11 continuation bytes and a last one, read with every
 * bound, with the buffer's end just past the bound and far past it (the
 * second lets the reader load eight bytes at once).
 */
static int
ref_varint(const unsigned char *p, size_t lim, unsigned max, uint64_t *v,
    size_t *n)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < max; i++) {
		if (i == lim)
			return PBWIRE_SHORT;
		if (i < 10)
			x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (p[i] < 0x80) {
			*v = x;
			*n = i + 1;
			return PBWIRE_OK;
		}
	}
	return PBWIRE_LONG;
}

static void
test_reader(void)
{
	static const unsigned maxes[] = { 5, 10 };
	static const unsigned char fill[] = { 0x80, 0xff, 0xa5 };
	unsigned char buf[32];
	const unsigned char *q;
	unsigned run, lim, far, mi, fi, bad = 0, tried = 0;
	uint64_t v = 0, rv = 0;
	size_t n = 0;
	int r, rr;

	for (fi = 0; fi < sizeof(fill); fi++)
	for (run = 0; run <= 11; run++)
	for (mi = 0; mi < 2; mi++)
	for (lim = 0; lim <= 13; lim++)
	for (far = 0; far <= 1; far++) {
		memset(buf, 0x55, sizeof(buf));
		memset(buf, fill[fi], run);
		buf[run] = (unsigned char)(0x7f - run);
		q = buf;
		r = pbwire_varint(&q, buf + lim, far ? buf + sizeof(buf) :
		    buf + lim, maxes[mi], &v);
		rr = ref_varint(buf, lim, maxes[mi], &rv, &n);
		tried++;
		if (r != rr || (r == PBWIRE_OK && (v != rv ||
		    (size_t)(q - buf) != n)) || (r != PBWIRE_OK && q != buf))
			bad++;
	}
	ok(bad == 0 && tried == 3 * 12 * 2 * 14 * 2,
	    "pbwire_varint agrees with a byte loop on every run, bound and "
	    "buffer end");

	{
		static const struct {
			const char *s;
			size_t n, want;
		} u[] = {
			{ "a", 1, 1 }, { "\xc3\xa9", 2, 2 },
			{ "\xe2\x82\xac", 3, 3 }, { "\xf0\x9f\x98\x80", 4, 4 },
			{ "\xe2\x82", 2, 0 }, { "\xc0\x80", 2, 0 },
			{ "\xed\xa0\x80", 3, 0 }, { "\xf4\x90\x80\x80", 4, 0 },
			{ "\x80", 1, 0 }, { "\xc3\xa9", 1, 0 },
		};
		size_t i;

		bad = 0;
		for (i = 0; i < sizeof(u) / sizeof(u[0]); i++)
			bad += pbwire_utf8_len((const unsigned char *)u[i].s,
			    u[i].n) != u[i].want;
		ok(bad == 0, "pbwire_utf8_len, which json.c uses, measures "
		    "good sequences and refuses bad and cut ones");
	}
	{
		static const struct {
			unsigned char h[4];
			size_t n;
			enum pbwire_head want;
			uint64_t len;
		} h[] = {
			{ { 0x0a, 0x05, 0x40, 0x01 }, 4, PBWIRE_HEAD_TRACE, 5 },
			{ { 0x0a, 0x96, 0x01, 0x80 }, 4, PBWIRE_HEAD_TRACE, 150 },
			{ { 0x0a, 0x05, 0x0d }, 3, PBWIRE_HEAD_TRACE, 5 },
			{ { 0x0a, 0x05, 0x40 }, 2, PBWIRE_HEAD_TAG, 0 },
			{ { 0x0a, 0x00, 0x08 }, 3, PBWIRE_HEAD_TAG, 0 },
			{ { 0x0a, 0x05, 0x07 }, 3, PBWIRE_HEAD_TAG, 0 },
			{ { 0x0a, 0x05, 0x0b }, 3, PBWIRE_HEAD_TAG, 0 },
			{ { 0x0a, 0x05, 0x0e }, 3, PBWIRE_HEAD_TAG, 0 },
			{ { 0x0a }, 1, PBWIRE_HEAD_TAG, 0 },
			{ { 0x0b, 0x05, 0x40 }, 3, PBWIRE_HEAD_NO, 0 },
			{ { 0 }, 0, PBWIRE_HEAD_NO, 0 },
		};
		size_t i;
		uint64_t len;

		bad = 0;
		for (i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
			len = 0;
			bad += pbwire_trace_head(h[i].h, h[i].n, &len) !=
			    h[i].want || (h[i].want == PBWIRE_HEAD_TRACE &&
			    len != h[i].len);
		}
		ok(bad == 0, "pbwire_trace_head: 0x0a, a length that is not "
		    "0, a first tag with a field and wire type 0, 1, 2 or 5");
	}
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *d = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (f == NULL)
		return NULL;
	for (;;) {
		if (*len == cap && (d = realloc(d, cap = cap * 2 + 65536)) ==
		    NULL)
			abort();
		if ((n = fread(d + *len, 1, cap - *len, f)) == 0)
			break;
		*len += n;
	}
	fclose(f);
	return d;
}

/* A small generator of its own, so that a failure can be replayed. */
static uint64_t
next_rand(uint64_t *x)
{
	*x = *x * 6364136223846793005ull + 1442695040888963407ull;
	return *x >> 33;
}

/*
 * The walk on two threads against the walk on one, rules on, on the real
 * traces (a run per packet, per 64 bytes and per 8 KiB; in one piece and
 * in pieces), then on the 488 KB trace with one to three bytes changed
 * at random places, so that runs stop at packets the fast path refuses,
 * that are cut, or that fail, and the serial walk takes over there.
 */
static void
test_par(void)
{
	static const char *const traces[] = {
		"tests/data/wprof-1s-pid1.wprof.pb",
		"tests/data/wprof-500ms-sha256sum.wprof.pb",
		"tests/data/wprof-2s-stacks-sched.wprof.pb",
	};
	static const size_t runs[] = { 1, 64, 8192 };
	static const size_t steps[] = { 0, 4096 + 17, 131072 };
	struct res one, two;
	unsigned char *d, *m;
	size_t len, i, j, k, pos, n, bad, fast;
	uint64_t x = 20261203;
	char name[160];

	for (i = 0; i < sizeof(traces) / sizeof(traces[0]); i++) {
		if ((d = slurp(traces[i], &len)) == NULL) {
			ok(0, traces[i]);
			continue;
		}
		bad = 0;
		fast = 0;
		for (j = 0; j < sizeof(steps) / sizeof(steps[0]); j++) {
			walk_as(d, len, steps[j], 0, 0, 1, &one);
			for (k = 0; k < sizeof(runs) / sizeof(runs[0]); k++) {
				walk_as(d, len, steps[j], 1, runs[k], 1, &two);
				bad += !same_res(&one, &two) ||
				    one.fast != two.fast;
				fast += two.fast;
			}
		}
		snprintf(name, sizeof(name), "%s: two threads and one agree "
		    "(%s, %zu packets)", traces[i], one.ev == PBWALK_DONE ?
		    "passes" : "fails", (size_t)one.st.packets);
		ok(bad == 0 && one.ev == PBWALK_DONE && fast > 0, name);
		free(d);
	}
	if ((d = slurp(traces[1], &len)) == NULL || (m = malloc(len)) == NULL) {
		ok(0, "the 488 KB trace");
		free(d);
		return;
	}
	bad = 0;
	for (i = 0; i < 60; i++) {
		memcpy(m, d, len);
		n = 1 + next_rand(&x) % 3;
		while (n-- > 0) {
			pos = (size_t)(next_rand(&x) % len);
			m[pos] = (unsigned char)next_rand(&x);
		}
		j = (size_t)(next_rand(&x) % (sizeof(steps) / sizeof(steps[0])));
		k = (size_t)(next_rand(&x) % (sizeof(runs) / sizeof(runs[0])));
		walk_as(m, len, steps[j], 0, 0, 1, &one);
		walk_as(m, len, steps[j], 1, runs[k], 1, &two);
		if (!same_res(&one, &two) || one.fast != two.fast) {
			bad++;
			printf("# mutation %zu (seed 20261203) differs\n", i);
		}
	}
	ok(bad == 0, "60 traces with bytes changed: two threads and one "
	    "agree");
	free(m);
	free(d);
}

/*
 * The ASCII scan in steps of 128, 16 and 8 bytes: a bad byte or a
 * sequence at every place in strings of up to 300 bytes.
 */
static void
test_ascii(void)
{
	unsigned char s[300];
	size_t n, k, bad = 0;

	for (n = 1; n <= sizeof(s); n++) {
		memset(s, 'a', n);
		bad += !pbwire_utf8_ok(s, n);
		for (k = 0; k < n; k++) {
			s[k] = 0xff;
			bad += pbwire_utf8_ok(s, n);
			s[k] = 0x80;
			bad += pbwire_utf8_ok(s, n);
			if (k + 1 < n) {
				s[k] = 0xc3;
				s[k + 1] = 0xa9;
				bad += !pbwire_utf8_ok(s, n);
				s[k + 1] = 'a';
			}
			s[k] = 'a';
		}
	}
	ok(bad == 0, "UTF-8 in strings of 1 to 300 bytes: a bad byte or a "
	    "two-byte sequence at every place");
}

int
main(void)
{
	test_reader();
	test_refs();
	test_checked();
	test_wire();
	test_utf8();
	test_packed();
	test_depth();
	test_stats();
	test_ascii();
	test_par();
	return tap_done();
}
