/*
 * mkpb: writes a Perfetto-shaped trace like the ones wprof writes, for the
 * check suites: an opening of five packets (clock snapshot, system info,
 * trace uuid, trace attributes, and the START track event at timestamp 0
 * with an interned_data table of 280 strings), then body packets of exactly
 * -s bytes each carrying a timestamp, a trusted_packet_sequence_id and a
 * track_event or track_descriptor. Options damage it in named ways.
 *
 * Every packet carries trusted_packet_sequence_id 7 unless -S spreads the
 * body over more ids. With -m, each top-level record is listed as
 * "index offset length what" so a suite can find where damage lies.
 */
#include <err.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testsup.h"

#define OPEN_STRINGS	280
#define PKT_MAX		(1u << 20)
#define NFLIPS		16

static int outfd = STDOUT_FILENO;
static unsigned char obuf[1 << 16];
static size_t olen;
static uint64_t ooff;		/* bytes produced, before the cut */
static uint64_t cut = UINT64_MAX;
static struct flip {
	uint64_t off;
	unsigned bit;
} flips[NFLIPS];
static size_t nflips;
static FILE *map;
static uint64_t nrec;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: mkpb [-ORT] [-a hex] [-c size] [-D every] "
	    "[-d step] [-f offset:bit] [-H total]\n"
	    "            [-m map] [-n packets] [-o file] [-p index] "
	    "[-S seqs] [-s size]\n"
	    "            [-t first] [-X damage]\n");
	exit(2);
}

static void
flush_out(void)
{
	ts_write_all(outfd, "write", obuf, olen);
	olen = 0;
}

/* Every output byte passes here: flips apply, the cut drops the rest. */
static void
out(const void *p, size_t len)
{
	const unsigned char *s = p;
	size_t i, j, n;

	for (j = 0; j < nflips; j++)
		if (flips[j].off >= ooff && flips[j].off - ooff < len)
			break;
	if (j == nflips && (cut == UINT64_MAX || cut - ooff >= len)) {
		while (len > 0) {
			if (olen == sizeof(obuf))
				flush_out();
			n = sizeof(obuf) - olen;
			if (n > len)
				n = len;
			memcpy(obuf + olen, s, n);
			olen += n;
			s += n;
			len -= n;
			ooff += n;
		}
		return;
	}
	for (i = 0; i < len; i++, ooff++) {
		unsigned char c = s[i];

		if (ooff >= cut)
			return;
		for (j = 0; j < nflips; j++)
			if (flips[j].off == ooff)
				c ^= (unsigned char)(1u << flips[j].bit);
		if (olen == sizeof(obuf))
			flush_out();
		obuf[olen++] = c;
	}
}

/* A growable byte string for building one packet. */
struct pb {
	unsigned char *p;
	size_t len, cap;
};

static void
put(struct pb *b, const void *p, size_t len)
{
	if (len > PKT_MAX - b->len)
		errx(2, "packet over %u bytes", PKT_MAX);
	if (b->len + len > b->cap) {
		b->cap = b->cap == 0 ? 256 : b->cap;
		while (b->cap < b->len + len)
			b->cap *= 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			err(2, NULL);
	}
	memcpy(b->p + b->len, p, len);
	b->len += len;
}

static void
put_byte(struct pb *b, unsigned c)
{
	unsigned char ch = (unsigned char)c;

	put(b, &ch, 1);
}

static void
put_varint(struct pb *b, uint64_t v)
{
	unsigned char d[TS_VARINT_MAX];

	put(b, d, ts_varint_enc(d, v));
}

static void
put_tag(struct pb *b, unsigned field, unsigned wt)
{
	put_varint(b, (uint64_t)field << 3 | wt);
}

static void
put_bytes(struct pb *b, unsigned field, const void *p, size_t len)
{
	put_tag(b, field, 2);
	put_varint(b, len);
	put(b, p, len);
}

static void
put_sub(struct pb *b, unsigned field, const struct pb *sub)
{
	put_bytes(b, field, sub->p, sub->len);
}

static void
put_uint(struct pb *b, unsigned field, uint64_t v)
{
	put_tag(b, field, 0);
	put_varint(b, v);
}

/* Writes one top-level record: field 1, wire type 2, and the body. */
static void
record(const struct pb *body, const char *what)
{
	unsigned char d[10];
	size_t n = ts_varint_enc(d, body->len);

	if (map != NULL)
		fprintf(map, "%llu %llu %llu %s\n", (unsigned long long)nrec,
		    (unsigned long long)ooff,
		    (unsigned long long)(1 + n + body->len), what);
	nrec++;
	out("\n", 1);
	out(d, n);
	out(body->p, body->len);
}

static void
raw(const void *p, size_t len, const char *what)
{
	if (map != NULL)
		fprintf(map, "%llu %llu %llu %s\n", (unsigned long long)nrec,
		    (unsigned long long)ooff, (unsigned long long)len, what);
	nrec++;
	out(p, len);
}

static void
opening(void)
{
	struct pb pkt = { 0 }, sub = { 0 }, ent = { 0 };
	char name[32];
	unsigned i;

	/* ClockSnapshot: six clocks at plausible boot-time values. */
	for (i = 1; i <= 6; i++) {
		ent.len = 0;
		put_uint(&ent, 1, i);
		put_uint(&ent, 2, 1000000000ull * i + 12345);
		put_sub(&sub, 1, &ent);
	}
	put_uint(&sub, 2, 6);
	put_sub(&pkt, 6, &sub);
	put_uint(&pkt, 10, 7);
	record(&pkt, "clock_snapshot");

	pkt.len = sub.len = 0;
	ent.len = 0;
	put_bytes(&ent, 1, "Linux", 5);
	put_bytes(&ent, 3, "6.6.0-ktstr", 11);
	put_bytes(&ent, 5, "x86_64", 6);
	put_sub(&sub, 1, &ent);
	put_uint(&sub, 5, 4096);
	put_uint(&sub, 8, 4);
	put_sub(&pkt, 45, &sub);
	put_uint(&pkt, 10, 7);
	record(&pkt, "system_info");

	pkt.len = sub.len = 0;
	put_uint(&sub, 1, 0x0123456789abcdefull);
	put_uint(&sub, 2, 0x7edcba9876543210ull);
	put_sub(&pkt, 89, &sub);
	put_uint(&pkt, 10, 7);
	record(&pkt, "trace_uuid");

	/* TraceAttributes: one attribute, key "tool", string_value "wprof". */
	pkt.len = sub.len = 0;
	ent.len = 0;
	put_bytes(&ent, 1, "tool", 4);
	put_bytes(&ent, 3, "wprof", 5);
	put_sub(&sub, 1, &ent);
	put_sub(&pkt, 126, &sub);
	put_uint(&pkt, 10, 7);
	record(&pkt, "trace_attributes");

	pkt.len = sub.len = 0;
	put_uint(&pkt, 8, 0);
	put_uint(&pkt, 10, 7);
	put_uint(&pkt, 13, 1);
	for (i = 1; i <= OPEN_STRINGS; i++) {
		ent.len = 0;
		put_uint(&ent, 1, i);
		snprintf(name, sizeof(name), "wprof_%04u", i);
		put_bytes(&ent, 2, name, strlen(name));
		put_sub(&sub, 2, &ent);
	}
	put_sub(&pkt, 12, &sub);
	sub.len = 0;
	put_uint(&sub, 9, 3);
	put_uint(&sub, 10, 1);
	put_sub(&pkt, 11, &sub);
	record(&pkt, "start");
	free(pkt.p);
	free(sub.p);
	free(ent.p);
}

/*
 * The damage -X names, placed in body packet -p after its ordinary fields
 * (or, for field2, as a record before it).
 */
static const char *const damages[] = {
	"bigfield", "bigts", "deepgroups", "emptypkt", "field0", "field2",
	"fieldlen", "fixed", "fixedok", "groups", "longlen", "longtag",
	"longts", "nonminimal", "opengroup", "strayend", "tagend", "varend",
	"wt6", "badgroup", NULL,
};

static int
is(const char *damage, const char *name)
{
	return damage != NULL && strcmp(damage, name) == 0;
}

/* Appends the damage bytes that live inside the packet body. */
static void
damage_body(struct pb *b, const char *d)
{
	static const unsigned char longts[] = { 0x40, 0x81, 0x80, 0x80, 0x80,
	    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 };
	static const unsigned char bigts[] = { 0x40, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0x02 };
	static const unsigned char longtag[] = { 0xc0, 0x80, 0x80, 0x80, 0x80,
	    0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x00 };
	/* Field 2^29, wire type 0: the tag is 2^32. */
	static const unsigned char bigfield[] = { 0x80, 0x80, 0x80, 0x80,
	    0x10, 0x00 };
	unsigned i;

	if (is(d, "longts"))
		put(b, longts, sizeof(longts));
	else if (is(d, "bigts"))
		put(b, bigts, sizeof(bigts));
	else if (is(d, "longtag"))
		put(b, longtag, sizeof(longtag));
	else if (is(d, "bigfield"))
		put(b, bigfield, sizeof(bigfield));
	else if (is(d, "groups")) {
		/* A timestamp inside a group is not the packet's. */
		put_tag(b, 100, 3);
		put_tag(b, 101, 3);
		put_uint(b, 8, 0xffffffffffull);
		put_tag(b, 101, 4);
		put_uint(b, 102, 1);
		put_tag(b, 100, 4);
	} else if (is(d, "badgroup")) {
		put_tag(b, 100, 3);
		put_tag(b, 101, 3);
		put_tag(b, 100, 4);
	} else if (is(d, "opengroup")) {
		put_tag(b, 100, 3);
		put_uint(b, 102, 1);
	} else if (is(d, "strayend"))
		put_tag(b, 100, 4);
	else if (is(d, "deepgroups")) {
		for (i = 0; i < 101; i++)
			put_tag(b, 100, 3);
		for (i = 0; i < 101; i++)
			put_tag(b, 100, 4);
	} else if (is(d, "wt6"))
		put_tag(b, 100, 6);
	else if (is(d, "field0"))
		put_byte(b, 0x00);
	else if (is(d, "fieldlen")) {
		/* Claims one byte more than the packet holds after it. */
		put_tag(b, 100, 2);
		put_varint(b, 5);
		put(b, "abcd", 4);
	} else if (is(d, "fixedok")) {
		put_tag(b, 100, 1);
		put(b, "12345678", 8);
		put_tag(b, 101, 5);
		put(b, "1234", 4);
	} else if (is(d, "fixed")) {
		put_tag(b, 100, 1);
		put(b, "1234", 4);
	} else if (is(d, "tagend"))
		put_byte(b, 0xa1);
	else if (is(d, "varend")) {
		put_byte(b, 0x40);
		put_byte(b, 0x80);
	}
}

struct opts {
	uint64_t n, size, seqs, t0, step, every, at;
	int reverse, opening, tail;
	const char *damage;
};

/* The body of body packet i, with k filler bytes in its payload. */
static void
body(struct pb *b, const struct opts *o, uint64_t i, size_t k, int desc)
{
	static const char fill[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	static char pat[4096 + sizeof(fill)];
	static struct pb sub;
	uint64_t ts;
	size_t j, n;

	if (pat[0] == '\0')
		for (j = 0; j < sizeof(pat); j++)
			pat[j] = fill[j % (sizeof(fill) - 1)];
	sub.len = 0;
	b->len = 0;
	ts = o->t0 + (o->reverse ? o->n - 1 - i : i) * o->step;
	put_uint(b, 8, ts);
	put_uint(b, 10, 7 + i % o->seqs);
	if (desc) {
		put_uint(&sub, 1, 1000 + i);
		put_tag(&sub, 2, 2);
	} else {
		put_uint(&sub, 9, 3);
		put_tag(&sub, 23, 2);
	}
	put_varint(&sub, k);
	for (j = 0; j < k; j += n) {
		n = k - j < 4096 ? k - j : 4096;
		put(&sub, pat + (i + j) % (sizeof(fill) - 1), n);
	}
	put_sub(b, desc ? 60 : 11, &sub);
}

static size_t
packet_size(const struct pb *b)
{
	return 1 + ts_varint_len(b->len) + b->len;
}

static void
body_packet(struct pb *b, const struct opts *o, uint64_t i)
{
	static size_t last[2];
	int desc = o->every > 0 && i % o->every == o->every - 1;
	size_t k, base;

	if (last[desc] > 0) {
		body(b, o, i, last[desc], desc);
		if (packet_size(b) == o->size)
			return;
	}

	/*
	 * The filler grows until the packet is exactly -s bytes; the three
	 * varints that depend on it add at most 6 bytes, so start there.
	 */
	body(b, o, i, 0, desc);
	base = packet_size(b);
	k = o->size > base + 6 ? o->size - base - 6 : 0;
	for (;; k++) {
		body(b, o, i, k, desc);
		if (packet_size(b) == o->size) {
			last[desc] = k;
			return;
		}
		if (packet_size(b) > o->size)
			errx(2, "-s %llu: packet %llu cannot be exactly that "
			    "size; try one more or less",
			    (unsigned long long)o->size, (unsigned long long)i);
	}
}

static void
emit_body(const struct opts *o)
{
	static const unsigned char field2[] = { 0x12, 0x02, 'h', 'i' };
	struct pb b = { 0 }, rec = { 0 };
	size_t j;
	uint64_t i;

	for (i = 0; i <= o->n; i++) {
		if (i == o->at && is(o->damage, "field2"))
			raw(field2, sizeof(field2), "field2");
		if (i == o->n)
			break;
		if (i == o->at && is(o->damage, "emptypkt")) {
			b.len = 0;
			record(&b, "empty");
			continue;
		}
		body_packet(&b, o, i);
		if (i != o->at || o->damage == NULL) {
			record(&b, "body");
			continue;
		}
		damage_body(&b, o->damage);
		if (is(o->damage, "longlen")) {
			/* The length in 11 bytes: one too many. */
			rec.len = 0;
			put_byte(&rec, 0x0a);
			put_byte(&rec, (b.len & 0x7f) | 0x80);
			for (j = 1; j < 10; j++)
				put_byte(&rec, 0x80);
			put_byte(&rec, 0x00);
			put(&rec, b.p, b.len);
			raw(rec.p, rec.len, "longlen");
		} else if (is(o->damage, "nonminimal")) {
			rec.len = 0;
			put_byte(&rec, 0x8a);
			put_byte(&rec, 0x00);
			put_varint(&rec, b.len);
			put(&rec, b.p, b.len);
			raw(rec.p, rec.len, "nonminimal");
		} else
			record(&b, o->damage);
	}
	free(b.p);
	free(rec.p);
}

static void
emit_tail(void)
{
	struct pb pkt = { 0 }, sub = { 0 }, ent = { 0 };

	put_uint(&ent, 1, OPEN_STRINGS + 1);
	put_bytes(&ent, 2, "late_string", 11);
	put_sub(&sub, 2, &ent);
	put_uint(&pkt, 10, 7);
	put_sub(&pkt, 12, &sub);
	record(&pkt, "interned_data");
	free(pkt.p);
	free(sub.p);
	free(ent.p);
}

/*
 * A packet that ends exactly at byte total, of which only the headers are
 * written; truncate(1) makes the rest, zeros, so the file can be sparse.
 */
static void
emit_huge(uint64_t total)
{
	unsigned char d[32];
	uint64_t start = ooff, body_len, inner;
	size_t n, hn, tn;

	for (hn = 1; hn <= 10; hn++) {
		if (total < start + 1 + hn)
			break;
		body_len = total - start - 1 - hn;
		if (ts_varint_len(body_len) != hn)
			continue;
		for (tn = 1; tn <= 10; tn++) {
			if (body_len < 2 + tn)
				break;
			inner = body_len - 2 - tn;
			if (ts_varint_len(inner) != tn)
				continue;
			n = 0;
			d[n++] = 0x0a;
			n += ts_varint_enc(d + n, body_len);
			/* Field 2047, wire type 2: TracePacket has none. */
			d[n++] = 0xfa;
			d[n++] = 0x7f;
			n += ts_varint_enc(d + n, inner);
			raw(d, n, "huge");
			return;
		}
	}
	errx(2, "-H %llu: no packet ends there", (unsigned long long)total);
}

static size_t
parse_hex(const char *s, unsigned char *d, size_t cap)
{
	size_t n = 0;
	unsigned v;

	while (s[0] != '\0') {
		if (n == cap || sscanf(s, "%2x", &v) != 1 || s[1] == '\0')
			errx(2, "-a %s: want pairs of hex digits", s);
		d[n++] = (unsigned char)v;
		s += 2;
	}
	return n;
}

int
main(int argc, char *argv[])
{
	static unsigned char tail[4096];
	struct opts o;
	const char *const *dn;
	size_t ntail = 0;
	uint64_t huge = 0;
	char *colon;
	int ch;

	memset(&o, 0, sizeof(o));
	o.n = 100;
	o.size = 64;
	o.seqs = 1;
	o.t0 = 1000000000;
	o.step = 1000;
	o.opening = 1;
	o.at = UINT64_MAX;
	while ((ch = getopt(argc, argv, "a:c:D:d:f:H:m:n:Oo:p:RS:s:Tt:X:")) !=
	    -1) {
		switch (ch) {
		case 'a':
			ntail = parse_hex(optarg, tail, sizeof(tail));
			break;
		case 'c':
			cut = ts_optnum(ch, optarg, 0, UINT64_MAX);
			break;
		case 'D':
			o.every = ts_optnum(ch, optarg, 0, UINT64_MAX);
			break;
		case 'd':
			o.step = ts_optnum(ch, optarg, 0, UINT64_MAX);
			break;
		case 'f':
			if (nflips == NFLIPS)
				errx(2, "-f: at most %d flips", NFLIPS);
			if ((colon = strchr(optarg, ':')) == NULL)
				errx(2, "-f %s: want offset:bit", optarg);
			*colon = '\0';
			flips[nflips].off = ts_optnum(ch, optarg, 0, UINT64_MAX);
			flips[nflips].bit = (unsigned)ts_optnum(ch, colon + 1,
			    0, 7);
			nflips++;
			break;
		case 'H':
			huge = ts_optnum(ch, optarg, 0, UINT64_MAX);
			break;
		case 'm':
			if ((map = fopen(optarg, "w")) == NULL)
				err(2, "%s", optarg);
			break;
		case 'n':
			o.n = ts_optnum(ch, optarg, 0, UINT64_MAX);
			break;
		case 'O':
			o.opening = 0;
			break;
		case 'o':
			if ((outfd = open(optarg, O_WRONLY | O_CREAT | O_TRUNC,
			    0644)) == -1)
				err(2, "%s", optarg);
			break;
		case 'p':
			o.at = ts_optnum(ch, optarg, 0, UINT64_MAX);
			break;
		case 'R':
			o.reverse = 1;
			break;
		case 'S':
			o.seqs = ts_optnum(ch, optarg, 1, UINT64_MAX);
			break;
		case 's':
			o.size = ts_optnum(ch, optarg, 0, UINT64_MAX);
			break;
		case 'T':
			o.tail = 1;
			break;
		case 't':
			o.t0 = ts_optnum(ch, optarg, 0, UINT64_MAX);
			break;
		case 'X':
			for (dn = damages; *dn != NULL; dn++)
				if (strcmp(*dn, optarg) == 0)
					break;
			if (*dn == NULL)
				errx(2, "-X %s: unknown damage", optarg);
			o.damage = *dn;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (o.damage != NULL && o.at == UINT64_MAX)
		o.at = o.n / 2;

	if (o.opening)
		opening();
	emit_body(&o);
	if (o.tail)
		emit_tail();
	if (huge > 0)
		emit_huge(huge);
	cut = UINT64_MAX;
	out(tail, ntail);
	flush_out();
	if (outfd != STDOUT_FILENO && close(outfd) == -1)
		err(2, "close");
	if (map != NULL && fclose(map) == EOF)
		err(2, "map");
	return 0;
}
