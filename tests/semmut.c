/*
 * semmut: seeded semantic mutations of a good wprof trace (issue 16). Each
 * mutation keeps the protobuf valid and breaks, or on purpose does not
 * break, one rule of Perfetto's importer (trace_processor); the rules and
 * where they live are listed in the table below and in tests/semantic.sh.
 *
 * usage: semmut -l
 *        semmut base seed mutation out
 *
 * -l lists the mutations, one "name intent" line each (intent: what the
 * mutation aims at, lose or keep; trace_processor's own verdict is the
 * label, not this). The second form writes one mutated trace to out and
 * prints "mutation seed packet-index detail" on standard output. Exit 0
 * written, 3 the base has nothing this mutation applies to, 1 bad base,
 * 2 trouble.
 *
 * A packet to be edited is decoded into a tree of (field, wire type, value
 * or bytes) of our own, edited and encoded again, so that every enclosing
 * length is right. Packets left alone are copied byte for byte. The seed
 * picks the packet (and the element inside it) through splitmix64, so a
 * (base, seed, mutation) triple names the same bytes on every machine.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BASE_MAX	(256u << 20)	/* a base is read whole */
#define KIDS_MAX	(1u << 22)	/* fields in one decoded message */

/* TracePacket (perfetto_trace.proto) */
#define TP_FTRACE	1
#define TP_CLOCK	6
#define TP_TS		8
#define TP_SEQ		10
#define TP_TE		11
#define TP_INTERN	12
#define TP_FLAGS	13
#define TP_TD		60
#define FLAG_CLEARED	1u
#define FLAG_NEEDS	2u
/* TrackEvent */
#define TE_TYPE		9
#define TE_STACK	56
#define TYPE_BEGIN	1
#define TYPE_END	2
#define TYPE_INSTANT	3
/* TrackDescriptor, ThreadDescriptor */
#define TD_UUID		1
#define TD_THREAD	4
#define TD_PARENT	5
#define THR_TID		2
/* ClockSnapshot, Clock */
#define CS_CLOCKS	1
#define CLK_ID		1
#define CLK_TS		2
#define BOOTTIME	6
/* FtraceEventBundle, CompactSched */
#define FB_CPU		1
#define FB_LOST		3
#define FB_COMPACT	4
#define CS_SW_TS	1
#define CS_SW_STATE	2
#define CS_SW_PID	3
#define CS_SW_PRIO	4
#define CS_INTERN	5
#define CS_SW_COMM	6
/* InternedData, Callstack */
#define ID_CALLSTACKS	7
#define STK_FRAMES	2

struct node {
	uint32_t field;
	unsigned wt;
	uint64_t v;		/* varint, fixed32 or fixed64 value */
	const uint8_t *p;	/* wire type 2: the payload */
	size_t len;
	int parsed;		/* kids hold the payload, p is stale */
	struct node *kid;
	size_t nkid, kcap;	/* kcap: room in kid, grown by doubling */
};

static uint64_t rng;

/*
 * A one-shot generator: the decoded tree, and the nodes a mutation cuts
 * out of it, live until exit. Under AddressSanitizer (make SANITIZE=1)
 * that is not a leak to report; the library and the commands keep theirs.
 */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}

static uint64_t
next(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static size_t
pick(size_t n)
{
	return (size_t)(next() % n);
}

static int
getvarint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;
	uint64_t r = 0;
	unsigned s;

	for (s = 0; s < 64 && p < end; s += 7) {
		r |= (uint64_t)(*p & 0x7f) << s;
		if (!(*p++ & 0x80)) {
			*v = r;
			*pp = p;
			return 0;
		}
	}
	return -1;
}

static void *
xreallocarray(void *p, size_t n, size_t sz)
{
	void *q = reallocarray(p, n ? n : 1, sz);

	if (q == NULL)
		err(2, "reallocarray");
	return q;
}

static struct node *
add(struct node *m)
{
	if (m->nkid >= KIDS_MAX)
		errx(2, "too many fields in one message");
	/* Doubling: one slot at a time is quadratic where realloc always
	 * moves (AddressSanitizer), and a packet list has 10^5 slots. */
	if (m->nkid >= m->kcap) {
		m->kcap = m->nkid < 2 ? 4 : m->nkid * 2;
		m->kid = xreallocarray(m->kid, m->kcap, sizeof(*m->kid));
	}
	memset(&m->kid[m->nkid], 0, sizeof(*m->kid));
	return &m->kid[m->nkid++];
}

/* Decodes a payload into fields; -1 when it is not a message. */
static int
decode(struct node *m)
{
	const uint8_t *p = m->p, *end = m->p + m->len;
	uint64_t key, v;

	if (m->parsed)
		return 0;
	m->kid = NULL;
	m->nkid = m->kcap = 0;
	while (p < end) {
		struct node *k;

		if (getvarint(&p, end, &key) == -1 || (key >> 3) == 0 ||
		    (key >> 3) > UINT32_MAX)
			goto bad;
		k = add(m);
		k->field = (uint32_t)(key >> 3);
		k->wt = key & 7;
		switch (k->wt) {
		case 0:
			if (getvarint(&p, end, &k->v) == -1)
				goto bad;
			break;
		case 1:
		case 5:
			v = k->wt == 1 ? 8 : 4;
			if ((size_t)(end - p) < v)
				goto bad;
			k->v = 0;
			memcpy(&k->v, p, v);	/* little-endian hosts only */
			p += v;
			break;
		case 2:
			if (getvarint(&p, end, &v) == -1 ||
			    v > (uint64_t)(end - p))
				goto bad;
			k->p = p;
			k->len = (size_t)v;
			p += v;
			break;
		default:
			goto bad;
		}
	}
	m->parsed = 1;
	return 0;
bad:
	free(m->kid);
	m->kid = NULL;
	m->nkid = m->kcap = 0;
	return -1;
}

struct buf {
	uint8_t *b;
	size_t n, cap;
};

static void
put(struct buf *b, const void *p, size_t n)
{
	if (n > SIZE_MAX - b->n)
		errx(2, "output too large");
	if (b->n + n > b->cap) {
		b->cap = b->cap ? b->cap : 4096;
		while (b->cap < b->n + n)
			b->cap *= 2;
		b->b = xreallocarray(b->b, b->cap, 1);
	}
	if (n)
		memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void
putvarint(struct buf *b, uint64_t v)
{
	uint8_t t[10];
	size_t n = 0;

	do {
		t[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	put(b, t, n);
}

static void encode_field(struct buf *, const struct node *);

static void
encode_body(struct buf *b, const struct node *m)
{
	size_t i;

	if (!m->parsed) {
		put(b, m->p, m->len);
		return;
	}
	for (i = 0; i < m->nkid; i++)
		encode_field(b, &m->kid[i]);
}

static void
encode_field(struct buf *b, const struct node *f)
{
	struct buf t = { 0 };

	putvarint(b, ((uint64_t)f->field << 3) | f->wt);
	switch (f->wt) {
	case 0:
		putvarint(b, f->v);
		break;
	case 1:
	case 5:
		put(b, &f->v, f->wt == 1 ? 8 : 4);
		break;
	default:
		encode_body(&t, f);
		putvarint(b, t.n);
		put(b, t.b, t.n);
		free(t.b);
		break;
	}
}

/* The index of the nth field numbered field in m, or -1. */
static long
find(struct node *m, uint32_t field, size_t nth)
{
	size_t i;

	for (i = 0; i < m->nkid; i++)
		if (m->kid[i].field == field && nth-- == 0)
			return (long)i;
	return -1;
}

/* The submessage field of m, decoded, or NULL. */
static struct node *
sub(struct node *m, uint32_t field)
{
	long i = find(m, field, 0);

	if (i == -1 || m->kid[i].wt != 2 || decode(&m->kid[i]) == -1)
		return NULL;
	return &m->kid[i];
}

static int
has(struct node *m, uint32_t field)
{
	return find(m, field, 0) != -1;
}

static void
del(struct node *m, long i)
{
	memmove(&m->kid[i], &m->kid[i + 1],
	    (m->nkid - (size_t)i - 1) * sizeof(*m->kid));
	m->nkid--;
}

static void
setvar(struct node *m, uint32_t field, uint64_t v)
{
	long i = find(m, field, 0);
	struct node *k = i == -1 ? add(m) : &m->kid[i];

	k->field = field;
	k->wt = 0;
	k->v = v;
}

static struct node
clone(const struct node *m)
{
	struct node c = *m;
	size_t i;

	if (m->parsed) {
		c.kid = xreallocarray(NULL, m->nkid, sizeof(*c.kid));
		c.kcap = m->nkid;
		for (i = 0; i < m->nkid; i++)
			c.kid[i] = clone(&m->kid[i]);
	}
	return c;
}

/* Packed repeated varints: decoded into an array and written back. */
struct packed {
	uint64_t *v;
	size_t n;
};

static int
unpack(const struct node *f, struct packed *a)
{
	const uint8_t *p = f->p, *end = f->p + f->len;
	size_t cap = 0;

	a->v = NULL;
	a->n = 0;
	while (p < end) {
		if (a->n == cap) {
			cap = cap ? cap * 2 : 16;
			a->v = xreallocarray(a->v, cap, sizeof(*a->v));
		}
		if (getvarint(&p, end, &a->v[a->n]) == -1)
			return -1;
		a->n++;
	}
	return 0;
}

static void
repack(struct node *f, const struct packed *a)
{
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < a->n; i++)
		putvarint(&b, a->v[i]);
	f->p = b.b;	/* leaked on purpose: the tool lives one mutation */
	f->len = b.n;
	f->parsed = 0;
}

/* The trace: its packets, some decoded. */
static struct node trace;
static size_t target;		/* the packet mutated, for the report */
static char detail[128];

static struct node *
packet(size_t i)
{
	if (decode(&trace.kid[i]) == -1)
		return NULL;
	return &trace.kid[i];
}

static void
insert_packet(size_t at, const struct node *pk)
{
	add(&trace);
	memmove(&trace.kid[at + 1], &trace.kid[at],
	    (trace.nkid - at - 1) * sizeof(*trace.kid));
	trace.kid[at] = *pk;
}

/* n clones of pk at at, in one move of the packets after it. */
static void
insert_clones(size_t at, const struct node *pk, size_t n)
{
	size_t i, tail = trace.nkid - at;

	for (i = 0; i < n; i++)
		add(&trace);
	memmove(&trace.kid[at + n], &trace.kid[at], tail * sizeof(*trace.kid));
	for (i = 0; i < n; i++)
		trace.kid[at + i] = clone(pk);
}

typedef int (*pred_fn)(struct node *);

/*
 * Picks one packet that pred accepts, seeded; its index, or -1. Only the
 * packets' own fields are decoded to test them (and the ones pred opens).
 */
static long
choose(pred_fn pred)
{
	size_t i, n = 0, k;

	for (i = 0; i < trace.nkid; i++) {
		struct node *pk = packet(i);

		if (pk != NULL && pred(pk))
			n++;
	}
	if (n == 0)
		return -1;
	k = pick(n);
	for (i = 0; i < trace.nkid; i++) {
		struct node *pk = packet(i);

		if (pk != NULL && pred(pk) && k-- == 0) {
			target = i;
			return (long)i;
		}
	}
	return -1;
}

static int
is_te(struct node *pk)
{
	return has(pk, TP_TE) && has(pk, TP_TS);
}

static int
te_type(struct node *pk)
{
	struct node *te = sub(pk, TP_TE);
	long i;

	if (te == NULL || (i = find(te, TE_TYPE, 0)) == -1)
		return -1;
	return (int)te->kid[i].v;
}

static int
is_instant(struct node *pk)
{
	return is_te(pk) && te_type(pk) == TYPE_INSTANT &&
	    !has(pk, TP_FLAGS);
}

static int
is_end(struct node *pk)
{
	return is_te(pk) && te_type(pk) == TYPE_END;
}

static int
is_begin(struct node *pk)
{
	return is_te(pk) && te_type(pk) == TYPE_BEGIN;
}

static int
is_td(struct node *pk)
{
	struct node *td = sub(pk, TP_TD);

	return td != NULL && has(td, TD_UUID);
}

static int
is_thread_td(struct node *pk)
{
	struct node *td = sub(pk, TP_TD), *th;

	return td != NULL && has(td, TD_UUID) &&
	    (th = sub(td, TD_THREAD)) != NULL && has(th, THR_TID);
}

static int
is_child_td(struct node *pk)
{
	struct node *td = sub(pk, TP_TD);

	return td != NULL && has(td, TD_UUID) && has(td, TD_PARENT);
}

static int
is_clock(struct node *pk)
{
	struct node *cs = sub(pk, TP_CLOCK);
	size_t i;

	if (cs == NULL)
		return 0;
	for (i = 0; i < cs->nkid; i++) {
		struct node *c = &cs->kid[i];
		long j;

		if (c->field == CS_CLOCKS && decode(c) == 0 &&
		    (j = find(c, CLK_ID, 0)) != -1 && c->kid[j].v == BOOTTIME)
			return 1;
	}
	return 0;
}

static int
is_cleared(struct node *pk)
{
	long i = find(pk, TP_FLAGS, 0);

	return i != -1 && (pk->kid[i].v & FLAG_CLEARED);
}

static int
is_ftrace(struct node *pk)
{
	struct node *fb = sub(pk, TP_FTRACE);

	return fb != NULL && has(fb, FB_CPU);
}

static struct node *
compact(struct node *pk)
{
	struct node *fb = sub(pk, TP_FTRACE), *cs;
	struct packed a;
	long i;
	int ok;

	if (fb == NULL || (cs = sub(fb, FB_COMPACT)) == NULL ||
	    (i = find(cs, CS_SW_STATE, 0)) == -1 || cs->kid[i].wt != 2)
		return NULL;
	if (unpack(&cs->kid[i], &a) == -1)
		return NULL;
	ok = a.n >= 2;
	free(a.v);
	return ok ? cs : NULL;
}

static int
is_compact(struct node *pk)
{
	return compact(pk) != NULL;
}

static int
is_stack_te(struct node *pk)
{
	struct node *te;

	return is_te(pk) && (te = sub(pk, TP_TE)) != NULL &&
	    has(te, TE_STACK);
}

static int
is_callstacks(struct node *pk)
{
	struct node *id = sub(pk, TP_INTERN);

	return id != NULL && has(id, ID_CALLSTACKS);
}

static int
is_interned_later(struct node *pk)
{
	return has(pk, TP_INTERN) && !is_cleared(pk);
}

static int
is_seq_packet(struct node *pk)
{
	return has(pk, TP_SEQ) && !is_cleared(pk);
}

/* The mutations. Each returns 0 done, 3 nothing to mutate. */

static int
m_ts_underflow(void)
{
	long i = choose(is_te);
	struct node *pk;
	uint64_t d = 1 + next() % 1000000000u;

	if (i == -1)
		return 3;
	pk = packet((size_t)i);
	/* wprof's ts - session_start in u64 when ts came first: >= 2^63 */
	setvar(pk, TP_TS, (uint64_t)0 - d);
	snprintf(detail, sizeof(detail), "timestamp=-%llu",
	    (unsigned long long)d);
	return 0;
}

static int
is_other_ts(struct node *pk)
{
	return has(pk, TP_TS) && !has(pk, TP_TE);
}

static int
m_ts_underflow_other(void)
{
	long i = choose(is_other_ts);
	uint64_t d = 1 + next() % 1000000000u;

	if (i == -1)
		return 3;
	setvar(packet((size_t)i), TP_TS, (uint64_t)0 - d);
	snprintf(detail, sizeof(detail), "timestamp=-%llu",
	    (unsigned long long)d);
	return 0;
}

static int
m_drop_field(pred_fn pred, uint32_t field, const char *what)
{
	long i = choose(pred);
	struct node *pk;

	if (i == -1)
		return 3;
	pk = packet((size_t)i);
	del(pk, find(pk, field, 0));
	snprintf(detail, sizeof(detail), "%s", what);
	return 0;
}

static int
m_te_no_timestamp(void)
{
	return m_drop_field(is_te, TP_TS, "timestamp-removed");
}

static int
m_te_no_seqid(void)
{
	return m_drop_field(is_te, TP_SEQ, "sequence-id-removed");
}

static int
m_interned_no_seqid(void)
{
	return m_drop_field(is_interned_later, TP_SEQ, "sequence-id-removed");
}

static int
m_te_other_seqid(void)
{
	long i = choose(is_te);

	if (i == -1)
		return 3;
	setvar(packet((size_t)i), TP_SEQ, 8);
	snprintf(detail, sizeof(detail), "sequence-id=8");
	return 0;
}

static int
m_thread_tid_conflict(void)
{
	long i = choose(is_thread_td);
	struct node c, *th;
	long t;
	uint64_t d = 1 + next() % 1000;

	if (i == -1)
		return 3;
	c = clone(packet((size_t)i));
	th = sub(sub(&c, TP_TD), TD_THREAD);
	t = find(th, THR_TID, 0);
	th->kid[t].v += d;
	insert_packet((size_t)i + 1, &c);
	snprintf(detail, sizeof(detail), "described-again-tid+%llu",
	    (unsigned long long)d);
	return 0;
}

static int
m_thread_missing_tid(void)
{
	long i = choose(is_thread_td);
	struct node *th;

	if (i == -1)
		return 3;
	th = sub(sub(packet((size_t)i), TP_TD), TD_THREAD);
	del(th, find(th, THR_TID, 0));
	snprintf(detail, sizeof(detail), "tid-removed");
	return 0;
}

static int
m_uuid_missing(void)
{
	long i = choose(is_td);
	struct node *td;

	if (i == -1)
		return 3;
	td = sub(packet((size_t)i), TP_TD);
	del(td, find(td, TD_UUID, 0));
	snprintf(detail, sizeof(detail), "uuid-removed");
	return 0;
}

static uint64_t
field_v(struct node *m, uint32_t field)
{
	return m->kid[find(m, field, 0)].v;
}

static int
m_parent_loop_self(void)
{
	long i = choose(is_child_td);
	struct node *td;

	if (i == -1)
		return 3;
	td = sub(packet((size_t)i), TP_TD);
	setvar(td, TD_PARENT, field_v(td, TD_UUID));
	snprintf(detail, sizeof(detail), "parent=self");
	return 0;
}

static int
m_parent_loop_pair(void)
{
	long i = choose(is_child_td);
	struct node *td, *pt;
	uint64_t uuid, parent;
	size_t j;

	if (i == -1)
		return 3;
	td = sub(packet((size_t)i), TP_TD);
	uuid = field_v(td, TD_UUID);
	parent = field_v(td, TD_PARENT);
	for (j = 0; j < trace.nkid; j++) {
		struct node *pk = packet(j);

		if (pk == NULL || !is_td(pk))
			continue;
		pt = sub(pk, TP_TD);
		if (field_v(pt, TD_UUID) != parent)
			continue;
		setvar(pt, TD_PARENT, uuid);
		snprintf(detail, sizeof(detail), "loop-%llu-%llu",
		    (unsigned long long)uuid, (unsigned long long)parent);
		return 0;
	}
	return 3;
}

static int
m_track_parent_conflict(void)
{
	long i = choose(is_child_td);
	struct node c, *td;
	uint64_t d = 1 + next() % 1000;

	if (i == -1)
		return 3;
	c = clone(packet((size_t)i));
	td = sub(&c, TP_TD);
	setvar(td, TD_PARENT, field_v(td, TD_PARENT) + d);
	insert_packet((size_t)i + 1, &c);
	snprintf(detail, sizeof(detail), "described-again-parent+%llu",
	    (unsigned long long)d);
	return 0;
}

/* A chain of 100 new tracks hung above a described track: 101 deep. */
static int
m_track_chain_deep(void)
{
	long i = choose(is_child_td);
	uint64_t base = 0x7d00000000ULL + (next() % 1000) * 1000;
	struct node *td, pk, *t;
	size_t k;

	if (i == -1)
		return 3;
	td = sub(packet((size_t)i), TP_TD);
	setvar(td, TD_PARENT, base + 1);
	for (k = 1; k <= 100; k++) {
		memset(&pk, 0, sizeof(pk));
		pk.field = 1;
		pk.wt = 2;
		pk.parsed = 1;
		setvar(&pk, TP_SEQ, 7);
		t = add(&pk);
		t->field = TP_TD;
		t->wt = 2;
		t->parsed = 1;
		setvar(t, TD_UUID, base + k);
		if (k < 100)
			setvar(t, TD_PARENT, base + k + 1);
		insert_packet((size_t)i, &pk);
	}
	target = (size_t)i + 100;
	snprintf(detail, sizeof(detail), "chain-of-100-above");
	return 0;
}

static int
m_parent_missing(void)
{
	long i = choose(is_child_td);
	uint64_t u = 0x7e00000000ULL + next() % 1000000;

	if (i == -1)
		return 3;
	setvar(sub(packet((size_t)i), TP_TD), TD_PARENT, u);
	snprintf(detail, sizeof(detail), "parent=%llu", (unsigned long long)u);
	return 0;
}

static long
boottime_clock(struct node *cs)
{
	size_t i;

	for (i = 0; i < cs->nkid; i++) {
		struct node *c = &cs->kid[i];
		long j;

		if (c->field == CS_CLOCKS && decode(c) == 0 &&
		    (j = find(c, CLK_ID, 0)) != -1 && c->kid[j].v == BOOTTIME)
			return (long)i;
	}
	return -1;
}

static int
m_clock_dup_boottime(void)
{
	long i = choose(is_clock), j;
	struct node *cs, c;

	if (i == -1)
		return 3;
	cs = sub(packet((size_t)i), TP_CLOCK);
	j = boottime_clock(cs);
	c = clone(&cs->kid[j]);
	*add(cs) = c;
	snprintf(detail, sizeof(detail), "boottime-listed-twice");
	return 0;
}

/* A snapshot inserted before the first, every clock later by d. */
static int
clock_shifted(int backwards)
{
	long i = choose(is_clock);
	struct node c, *cs;
	uint64_t d = 1000000000u + next() % 1000000000u;
	size_t j;

	if (i == -1)
		return 3;
	c = clone(packet((size_t)i));
	cs = sub(&c, TP_CLOCK);
	for (j = 0; j < cs->nkid; j++) {
		struct node *k = &cs->kid[j];

		if (k->field == CS_CLOCKS && decode(k) == 0 && has(k, CLK_TS))
			k->kid[find(k, CLK_TS, 0)].v += d;
	}
	insert_packet(backwards ? (size_t)i : (size_t)i + 1, &c);
	snprintf(detail, sizeof(detail), "snapshot-%s+%llu",
	    backwards ? "before" : "after", (unsigned long long)d);
	return 0;
}

static int
m_clock_boottime_backwards(void)
{
	return clock_shifted(1);
}

static int
h_clock_forward(void)
{
	return clock_shifted(0);
}

static int
m_callstack_iid_missing(void)
{
	long i = choose(is_stack_te);
	struct node *te;
	uint64_t v = 0x7f000000ULL + next() % 1000000;

	if (i == -1)
		return 3;
	te = sub(packet((size_t)i), TP_TE);
	setvar(te, TE_STACK, v);
	snprintf(detail, sizeof(detail), "callstack_iid=%llu",
	    (unsigned long long)v);
	return 0;
}

static int
m_callstack_missing_frame(void)
{
	long i = choose(is_callstacks);
	struct node *id, *stk;
	struct packed a;
	size_t n, k;
	long j, f;
	uint64_t v = 0x7f000000ULL + next() % 1000000;

	if (i == -1)
		return 3;
	id = sub(packet((size_t)i), TP_INTERN);
	for (n = 0; find(id, ID_CALLSTACKS, n) != -1; n++)
		;
	if (n == 0)
		return 3;
	j = find(id, ID_CALLSTACKS, pick(n));
	stk = &id->kid[j];
	if (decode(stk) == -1 || (f = find(stk, STK_FRAMES, 0)) == -1)
		return 3;
	if (stk->kid[f].wt == 0) {
		stk->kid[f].v = v;
	} else {
		if (unpack(&stk->kid[f], &a) == -1 || a.n == 0)
			return 3;
		k = pick(a.n);
		a.v[k] = v;
		repack(&stk->kid[f], &a);
	}
	snprintf(detail, sizeof(detail), "callstack#%ld-frame=%llu", j,
	    (unsigned long long)v);
	return 0;
}

/* Edits one element (or the length) of a packed array of a compact_sched. */
static int
compact_edit(uint32_t field, int how)
{
	long i = choose(is_compact), f;
	struct node *cs;
	struct packed a;
	size_t k, nintern = 0;
	static const uint64_t badbits[] = { 0x200, 0x400, 0x800, 0x1000,
	    0x2000, 0x4000, 0x8000 };
	static const uint64_t okstates[] = { 0, 1, 2, 0x100 };

	if (i == -1)
		return 3;
	cs = compact(packet((size_t)i));
	if ((f = find(cs, field, 0)) == -1 || cs->kid[f].wt != 2 ||
	    unpack(&cs->kid[f], &a) == -1 || a.n == 0)
		return 3;
	while (find(cs, CS_INTERN, nintern) != -1)
		nintern++;
	k = pick(a.n);
	switch (how) {
	case 's':	/* one short */
		a.n--;
		snprintf(detail, sizeof(detail), "field%u-one-short", field);
		break;
	case 'c':	/* comm index past the table */
		a.v[k] = nintern;
		snprintf(detail, sizeof(detail), "comm[%zu]=%zu", k, nintern);
		break;
	case 'b':	/* prev_state bit no kernel >= 4.14 sets */
		a.v[k] |= badbits[pick(sizeof(badbits) / sizeof(*badbits))];
		snprintf(detail, sizeof(detail), "prev_state[%zu]=%#llx", k,
		    (unsigned long long)a.v[k]);
		break;
	case 'o':	/* a legal prev_state */
		a.v[k] = okstates[pick(sizeof(okstates) / sizeof(*okstates))];
		snprintf(detail, sizeof(detail), "prev_state[%zu]=%#llx", k,
		    (unsigned long long)a.v[k]);
		break;
	default:	/* a legal comm index */
		a.v[k] = 0;
		snprintf(detail, sizeof(detail), "comm[%zu]=0", k);
		break;
	}
	repack(&cs->kid[f], &a);
	return 0;
}

static int
m_compact_short(void)
{
	static const uint32_t arrays[] = { CS_SW_TS, CS_SW_STATE, CS_SW_PID,
	    CS_SW_PRIO, CS_SW_COMM };

	return compact_edit(arrays[pick(sizeof(arrays) / sizeof(*arrays))],
	    's');
}

static int
m_comm_index_past(void)
{
	return compact_edit(CS_SW_COMM, 'c');
}

static int
m_prev_state_bad(void)
{
	return compact_edit(CS_SW_STATE, 'b');
}

static int
h_prev_state_ok(void)
{
	return compact_edit(CS_SW_STATE, 'o');
}

static int
h_comm_index_ok(void)
{
	return compact_edit(CS_SW_COMM, 'z');
}

static int
m_ftrace_cpu_1024(void)
{
	long i = choose(is_ftrace);

	if (i == -1)
		return 3;
	setvar(sub(packet((size_t)i), TP_FTRACE), FB_CPU, 1024);
	snprintf(detail, sizeof(detail), "cpu=1024");
	return 0;
}

static int
m_ftrace_no_cpu(void)
{
	long i = choose(is_ftrace);
	struct node *fb;

	if (i == -1)
		return 3;
	fb = sub(packet((size_t)i), TP_FTRACE);
	del(fb, find(fb, FB_CPU, 0));
	snprintf(detail, sizeof(detail), "cpu-removed");
	return 0;
}

static int
m_ftrace_lost_events(void)
{
	long i = choose(is_ftrace);

	if (i == -1)
		return 3;
	setvar(sub(packet((size_t)i), TP_FTRACE), FB_LOST, 1);
	snprintf(detail, sizeof(detail), "lost_events=1");
	return 0;
}

static int
m_cleared_removed(void)
{
	long i = choose(is_cleared), f;
	struct node *pk;

	if (i == -1)
		return 3;
	pk = packet((size_t)i);
	f = find(pk, TP_FLAGS, 0);
	pk->kid[f].v &= ~(uint64_t)FLAG_CLEARED;
	if (pk->kid[f].v == 0)
		del(pk, f);
	snprintf(detail, sizeof(detail), "cleared-flag-removed");
	return 0;
}

static int
m_cleared_again(void)
{
	long i = choose(is_te);
	struct node *pk;
	long f;

	if (i == -1)
		return 3;
	pk = packet((size_t)i);
	f = find(pk, TP_FLAGS, 0);
	setvar(pk, TP_FLAGS, (f == -1 ? 0 : pk->kid[f].v) | FLAG_CLEARED);
	snprintf(detail, sizeof(detail), "cleared-flag-set");
	return 0;
}

static int
h_needs_state(void)
{
	long i = choose(is_te);
	struct node *pk;
	long f;

	if (i == -1 || is_cleared(packet((size_t)i)))
		return 3;
	pk = packet((size_t)i);
	f = find(pk, TP_FLAGS, 0);
	setvar(pk, TP_FLAGS, (f == -1 ? 0 : pk->kid[f].v) | FLAG_NEEDS);
	snprintf(detail, sizeof(detail), "needs-incremental-state-set");
	return 0;
}

/* The interned data of the CLEARED packet, moved into a packet before it. */
static int
m_interned_before_cleared(void)
{
	long i = choose(is_cleared), f;
	struct node *pk, c;

	if (i == -1)
		return 3;
	pk = packet((size_t)i);
	if ((f = find(pk, TP_INTERN, 0)) == -1)
		return 3;
	memset(&c, 0, sizeof(c));
	c.field = 1;
	c.wt = 2;
	c.parsed = 1;
	*add(&c) = pk->kid[f];
	setvar(&c, TP_SEQ, field_v(pk, TP_SEQ));
	del(pk, f);
	insert_packet((size_t)i, &c);
	snprintf(detail, sizeof(detail), "interned-moved-before-cleared");
	return 0;
}

/*
 * An END with nothing open, or closing its slice early, is silently
 * ignored or kept by slice_tracker.cc:186 (no stat): wprof's ENDs carry
 * no name, and a misplaced_end_event needs slices with a duration, which
 * wprof does not write.
 */
static int
h_slice_end_dup(void)
{
	long i = choose(is_end);
	struct node c;

	if (i == -1)
		return 3;
	c = clone(packet((size_t)i));
	insert_packet((size_t)i + 1, &c);
	snprintf(detail, sizeof(detail), "end-repeated");
	return 0;
}

static int
h_slice_end_early(void)
{
	long i = choose(is_end);
	struct node *pk;
	uint64_t ts;

	if (i == -1)
		return 3;
	pk = packet((size_t)i);
	ts = field_v(pk, TP_TS) / 2;
	setvar(pk, TP_TS, ts);
	snprintf(detail, sizeof(detail), "end-ts=%llu", (unsigned long long)ts);
	return 0;
}

/*
 * A BEGIN repeated on its track: slice_tracker.cc:138 drops a slice that
 * would open at depth 512 (kMaxDepth, slice_tracker.h:43) and logs
 * slice_max_depth_exceeded, an error. 512 copies take any BEGIN there;
 * 400 stay below it wherever wprof's own nesting is under 111.
 */
static int
slice_deeper(size_t copies)
{
	long i = choose(is_begin);

	if (i == -1)
		return 3;
	insert_clones((size_t)i + 1, packet((size_t)i), copies);
	snprintf(detail, sizeof(detail), "begin-repeated-%zu", copies);
	return 0;
}

static int
m_slice_too_deep(void)
{
	return slice_deeper(512);
}

static int
h_slice_deep(void)
{
	return slice_deeper(400);
}

static int
h_ts_plus1(void)
{
	long i = choose(is_instant);
	struct node *pk;

	if (i == -1)
		return 3;
	pk = packet((size_t)i);
	setvar(pk, TP_TS, field_v(pk, TP_TS) + 1);
	snprintf(detail, sizeof(detail), "instant-ts+1");
	return 0;
}

static int
h_drop_instant(void)
{
	long i = choose(is_instant);

	if (i == -1)
		return 3;
	del(&trace, i);
	snprintf(detail, sizeof(detail), "instant-removed");
	return 0;
}

static int
h_drop_end(void)
{
	long i = choose(is_end);

	if (i == -1)
		return 3;
	del(&trace, i);
	snprintf(detail, sizeof(detail), "end-removed");
	return 0;
}

static int
h_td_repeat(void)
{
	long i = choose(is_td);
	struct node c;

	if (i == -1)
		return 3;
	c = clone(packet((size_t)i));
	insert_packet((size_t)i + 1, &c);
	snprintf(detail, sizeof(detail), "described-again-same");
	return 0;
}

static int
h_iid_same(void)
{
	long i = choose(is_interned_later);
	struct node *id, c;

	if (i == -1)
		return 3;
	id = sub(packet((size_t)i), TP_INTERN);
	if (id == NULL || id->nkid == 0)
		return 3;
	c = clone(&id->kid[pick(id->nkid)]);
	*add(id) = c;
	snprintf(detail, sizeof(detail), "iid-redefined-same-field%u",
	    c.field);
	return 0;
}

static int
h_unknown_field(void)
{
	long i = choose(is_seq_packet);
	struct node *pk;

	if (i == -1)
		return 3;
	pk = packet((size_t)i);
	setvar(pk, 9999, next() % 1000);
	snprintf(detail, sizeof(detail), "field9999");
	return 0;
}

static const struct mutation {
	const char *name;
	const char *intent;
	int (*fn)(void);
} mutations[] = {
	{ "callstack_iid_missing", "lose", m_callstack_iid_missing },
	{ "callstack_missing_frame", "lose", m_callstack_missing_frame },
	{ "cleared_again", "lose", m_cleared_again },
	{ "cleared_removed", "lose", m_cleared_removed },
	{ "clock_boottime_backwards", "lose", m_clock_boottime_backwards },
	{ "clock_dup_boottime", "lose", m_clock_dup_boottime },
	{ "comm_index_past", "lose", m_comm_index_past },
	{ "compact_short", "lose", m_compact_short },
	{ "ftrace_cpu_1024", "lose", m_ftrace_cpu_1024 },
	{ "ftrace_lost_events", "lose", m_ftrace_lost_events },
	{ "ftrace_no_cpu", "lose", m_ftrace_no_cpu },
	{ "h_clock_forward", "keep", h_clock_forward },
	{ "h_comm_index_ok", "keep", h_comm_index_ok },
	{ "h_drop_end", "keep", h_drop_end },
	{ "h_drop_instant", "keep", h_drop_instant },
	{ "h_iid_same", "keep", h_iid_same },
	{ "h_needs_state", "keep", h_needs_state },
	{ "h_prev_state_ok", "keep", h_prev_state_ok },
	{ "h_slice_deep", "keep", h_slice_deep },
	{ "h_slice_end_dup", "keep", h_slice_end_dup },
	{ "h_slice_end_early", "keep", h_slice_end_early },
	{ "h_td_repeat", "keep", h_td_repeat },
	{ "h_ts_plus1", "keep", h_ts_plus1 },
	{ "h_unknown_field", "keep", h_unknown_field },
	{ "interned_before_cleared", "lose", m_interned_before_cleared },
	{ "interned_no_seqid", "lose", m_interned_no_seqid },
	{ "parent_loop_pair", "lose", m_parent_loop_pair },
	{ "parent_loop_self", "lose", m_parent_loop_self },
	{ "parent_missing", "lose", m_parent_missing },
	{ "prev_state_bad", "lose", m_prev_state_bad },
	{ "slice_too_deep", "lose", m_slice_too_deep },
	{ "te_no_seqid", "lose", m_te_no_seqid },
	{ "te_no_timestamp", "lose", m_te_no_timestamp },
	{ "te_other_seqid", "lose", m_te_other_seqid },
	{ "thread_missing_tid", "lose", m_thread_missing_tid },
	{ "thread_tid_conflict", "lose", m_thread_tid_conflict },
	{ "track_chain_deep", "lose", m_track_chain_deep },
	{ "track_parent_conflict", "lose", m_track_parent_conflict },
	{ "ts_underflow", "lose", m_ts_underflow },
	{ "ts_underflow_other", "lose", m_ts_underflow_other },
	{ "uuid_missing", "lose", m_uuid_missing },
};

static uint64_t
fnv(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ULL;
	return h;
}

static uint8_t *
slurp(const char *path, size_t *n)
{
	uint8_t *b = NULL;
	size_t cap = 0;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		err(2, "%s", path);
	*n = 0;
	for (;;) {
		if (*n == cap) {
			if (cap >= BASE_MAX)
				errx(1, "%s: larger than %u bytes", path,
				    BASE_MAX);
			cap = cap ? cap * 2 : 1 << 16;
			b = xreallocarray(b, cap, 1);
		}
		if ((r = read(fd, b + *n, cap - *n)) == -1) {
			if (errno == EINTR)
				continue;
			err(2, "%s", path);
		}
		if (r == 0)
			break;
		*n += (size_t)r;
	}
	close(fd);
	return b;
}

static void
usage(void)
{
	fprintf(stderr, "usage: semmut -l\n"
	    "       semmut base seed mutation out\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const struct mutation *m = NULL;
	const char *errstr;
	struct buf out = { 0 };
	uint64_t seed;
	size_t i, n;
	FILE *fp;
	int rc;

	if (argc == 2 && strcmp(argv[1], "-l") == 0) {
		for (i = 0; i < sizeof(mutations) / sizeof(*mutations); i++)
			printf("%s %s\n", mutations[i].name,
			    mutations[i].intent);
		return 0;
	}
	if (argc != 5)
		usage();
	seed = (uint64_t)strtonum(argv[2], 0, LLONG_MAX, &errstr);
	if (errstr != NULL)
		errx(2, "seed %s: %s", argv[2], errstr);
	for (i = 0; i < sizeof(mutations) / sizeof(*mutations); i++)
		if (strcmp(mutations[i].name, argv[3]) == 0)
			m = &mutations[i];
	if (m == NULL)
		errx(2, "%s: no such mutation (semmut -l lists them)", argv[3]);
	rng = seed ^ fnv(m->name);

	trace.p = slurp(argv[1], &n);
	trace.len = n;
	trace.wt = 2;
	if (decode(&trace) == -1)
		errx(1, "%s: not a protobuf message", argv[1]);
	for (i = 0; i < trace.nkid; i++)
		if (trace.kid[i].field != 1 || trace.kid[i].wt != 2)
			errx(1, "%s: field %zu is not a packet", argv[1], i);
	if ((rc = m->fn()) != 0)
		return rc;
	encode_body(&out, &trace);
	if ((fp = fopen(argv[4], "w")) == NULL)
		err(2, "%s", argv[4]);
	if (fwrite(out.b, 1, out.n, fp) != out.n || fclose(fp) == EOF)
		err(2, "%s", argv[4]);
	printf("%s %llu %zu %s\n", m->name, (unsigned long long)seed, target,
	    detail);
	free(out.b);
	return 0;
}
