/*
 * mutate: seeded damage of a good trace, for the differential test of
 * check against protoc (tests/fidelity.sh, tests/35-fidelity.bats). The
 * seed alone picks the kind of damage and, with the base's structure, its
 * place, through a PRNG of our own (splitmix64), so that a (base, seed)
 * pair names the same bytes on every machine and with every libc.
 *
 * usage: mutate [-o out] base seed
 *        mutate -d dir name=base ... <list
 *
 * The first form writes one mutated file (standard output by default) and
 * its description line (standard error, or standard output with -o). The
 * second reads lines "name seed ..." (later columns, and lines that start
 * with #, are ignored, so a label file serves as the list), writes
 * dir/name-seed.wprof.pb for each and prints one description per file.
 * A description is tab-separated:
 *
 *     name seed kind offset depth detail hash
 *
 * offset is where the damage lies in the base, depth how many messages
 * enclose that byte (0: a top-level record's own tag and length; 1: a
 * field of a TracePacket; 2: a field of a message inside it, ...), detail
 * the damage in a word without blanks, hash the FNV-1a 64 of the output.
 */
#include <err.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testsup.h"

#define BASE_MAX	(256u << 20)	/* a base is read whole */
#define DEPTH_MAX	64		/* the structure scan goes no deeper */
#define NONE		SIZE_MAX
#define DETAIL_MAX	64

enum { F_OTHER, F_MSG, F_TEXT };

/* One field of the base, found by scan(); fields are kept in file order. */
struct fld {
	size_t tag_off;
	size_t val_off;		/* the value, or a length's first byte */
	size_t body_off;	/* wire type 2: the payload */
	size_t end;		/* just past the field */
	size_t parent;		/* index of the enclosing field, or NONE */
	unsigned depth;		/* 0 for a top-level record */
	unsigned wt;
	int kind;		/* F_MSG, F_TEXT or F_OTHER */
};

struct idx {
	size_t *v;
	size_t n, cap;
};

struct base {
	char *name;
	const char *path;
	unsigned char *p;
	size_t len;
	struct fld *f;
	size_t nf, capf;
	struct idx top;		/* top-level records */
	struct idx inner;	/* fields at depth 1 and deeper */
	struct idx ld;		/* wire type 2 fields, any depth */
	struct idx text;	/* printable payloads at depth 1 and deeper */
	struct idx msg;		/* records and message fields, any depth */
};

/* The mutated file being built. */
struct buf {
	unsigned char *p;
	size_t len, cap;
};

struct desc {
	const char *kind;
	size_t off;
	unsigned depth;		/* UINT_MAX: depth_at(off) */
	char detail[DETAIL_MAX];
};

static uint64_t rng;

static uint64_t
next(void)
{
	uint64_t z;

	rng += 0x9e3779b97f4a7c15ull;
	z = rng;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A number below n (n > 0); the bias of the modulo does not matter here. */
static size_t
below(size_t n)
{
	return (size_t)(next() % n);
}

static void
push(struct idx *x, size_t v)
{
	size_t *nv;

	if (x->n == x->cap) {
		x->cap = x->cap == 0 ? 64 : x->cap * 2;
		if ((nv = reallocarray(x->v, x->cap, sizeof(*nv))) == NULL)
			err(2, NULL);
		x->v = nv;
	}
	x->v[x->n++] = v;
}

static size_t
pick(const struct idx *x)
{
	return x->v[below(x->n)];
}

static int
printable(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return 0;
	return len > 0;
}

/*
 * Scans the fields in [off, end) at depth. With record, it adds them (and,
 * for payloads that scan cleanly as messages, their fields) to b->f;
 * without, it only says whether the range is a sequence of whole fields.
 * Groups are not expected in a good base and count as damage.
 */
static int
scan(struct base *b, size_t off, size_t end, unsigned depth, size_t parent,
    int record)
{
	struct fld f, *nf;
	uint64_t tag, v;
	size_t n, i;

	while (off < end) {
		memset(&f, 0, sizeof(f));
		f.tag_off = off;
		if (ts_varint_dec(b->p, off, end, &tag, &n) == -1)
			return -1;
		off += n;
		if (tag >> 3 == 0 || tag >> 3 > 0x1fffffff)
			return -1;
		f.wt = tag & 7;
		f.val_off = off;
		switch (f.wt) {
		case 0:
			if (ts_varint_dec(b->p, off, end, &v, &n) == -1)
				return -1;
			off += n;
			break;
		case 1:
		case 5:
			n = f.wt == 1 ? 8 : 4;
			if (end - off < n)
				return -1;
			off += n;
			break;
		case 2:
			if (ts_varint_dec(b->p, off, end, &v, &n) == -1)
				return -1;
			off += n;
			if (v > end - off)
				return -1;
			f.body_off = off;
			off += (size_t)v;
			break;
		default:
			return -1;
		}
		f.end = off;
		if (!record)
			continue;
		f.parent = parent;
		f.depth = depth;
		if (f.wt == 2) {
			if (printable(b->p + f.body_off, f.end - f.body_off))
				f.kind = F_TEXT;
			else if (f.end > f.body_off && depth + 1 < DEPTH_MAX &&
			    scan(b, f.body_off, f.end, depth + 1, NONE, 0) == 0)
				f.kind = F_MSG;
		}
		if (b->nf == b->capf) {
			b->capf = b->capf == 0 ? 1024 : b->capf * 2;
			nf = reallocarray(b->f, b->capf, sizeof(*nf));
			if (nf == NULL)
				err(2, NULL);
			b->f = nf;
		}
		i = b->nf++;
		b->f[i] = f;
		if (depth == 0)
			push(&b->top, i);
		else
			push(&b->inner, i);
		if (f.wt == 2)
			push(&b->ld, i);
		if (f.kind == F_TEXT && depth > 0)
			push(&b->text, i);
		if (depth == 0 || f.kind == F_MSG)
			push(&b->msg, i);
		if (f.kind == F_MSG &&
		    scan(b, f.body_off, f.end, depth + 1, i, 1) == -1)
			errx(2, "%s: offset %zu: the scan changed its mind",
			    b->path, f.body_off);
	}
	return 0;
}

static void
load(struct base *b)
{
	int fd;

	if ((fd = open(b->path, O_RDONLY)) == -1)
		err(2, "%s", b->path);
	b->p = ts_slurp(fd, b->path, BASE_MAX, &b->len);
	close(fd);
	if (b->len == 0 || scan(b, 0, b->len, 0, NONE, 1) == -1)
		errx(2, "%s: not a clean protobuf; a base must be a good trace",
		    b->path);
}

/* How many messages enclose the byte at off (see the top of the file). */
static unsigned
depth_at(const struct base *b, size_t off)
{
	size_t lo = 0, hi = b->nf, mid, i;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (b->f[mid].tag_off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return 0;
	for (i = lo - 1; i != NONE; i = b->f[i].parent)
		if (off < b->f[i].end)
			return b->f[i].depth;
	return 0;
}

static void
reserve(struct buf *o, size_t more)
{
	unsigned char *np;

	if (more > SIZE_MAX - o->len)
		errx(2, "output too large");
	if (o->len + more <= o->cap)
		return;
	while (o->cap < o->len + more)
		o->cap = o->cap == 0 ? 4096 : o->cap * 2;
	if ((np = realloc(o->p, o->cap)) == NULL)
		err(2, NULL);
	o->p = np;
}

static void
edit(struct buf *o, size_t off, size_t del, const unsigned char *ins,
    size_t n)
{
	if (n > del)
		reserve(o, n - del);
	memmove(o->p + off + n, o->p + off + del, o->len - off - del);
	if (n > 0)
		memcpy(o->p + off, ins, n);
	o->len = o->len - del + n;
}

/*
 * The bytes between off and the end of field i grew by delta (which may be
 * below zero); rewrites the length of i and of every field around it,
 * innermost first. A rewrite above the change never moves the bytes of an
 * outer length, so the base's offsets stay good for them.
 */
static void
fix_lengths(struct buf *o, const struct base *b, size_t i, long long delta)
{
	unsigned char d[10];
	size_t old, n;
	uint64_t len;

	for (; i != NONE; i = b->f[i].parent) {
		const struct fld *f = &b->f[i];

		old = f->body_off - f->val_off;
		len = (uint64_t)((long long)(f->end - f->body_off) + delta);
		n = ts_varint_enc(d, len);
		edit(o, f->val_off, old, d, n);
		delta += (long long)n - (long long)old;
	}
}

static void
mut_replace(struct buf *o, const struct base *b, struct desc *d)
{
	unsigned char old;

	d->off = below(b->len);
	old = o->p[d->off];
	o->p[d->off] = (unsigned char)(old + 1 + below(255));
	snprintf(d->detail, sizeof(d->detail), "0x%02x>0x%02x", old,
	    o->p[d->off]);
}

static void
mut_flip(struct buf *o, const struct base *b, struct desc *d)
{
	unsigned bit = (unsigned)below(8);
	unsigned char old;

	d->off = below(b->len);
	old = o->p[d->off];
	o->p[d->off] ^= (unsigned char)(1u << bit);
	snprintf(d->detail, sizeof(d->detail), "bit%u:0x%02x>0x%02x", bit,
	    old, o->p[d->off]);
}

static void
mut_delete(struct buf *o, const struct base *b, struct desc *d)
{
	d->off = below(b->len);
	snprintf(d->detail, sizeof(d->detail), "0x%02x", o->p[d->off]);
	edit(o, d->off, 1, NULL, 0);
}

static void
mut_insert(struct buf *o, const struct base *b, struct desc *d)
{
	unsigned char c = (unsigned char)below(256);

	d->off = below(b->len + 1);
	snprintf(d->detail, sizeof(d->detail), "0x%02x", c);
	edit(o, d->off, 0, &c, 1);
}

static void
mut_cut(struct buf *o, const struct base *b, struct desc *d)
{
	d->off = below(b->len);
	o->len = d->off;
	snprintf(d->detail, sizeof(d->detail), "keep%zu/%zu", d->off, b->len);
}

/* A cut on a record boundary, half the time just before the last one. */
static void
mut_cut_packet(struct buf *o, const struct base *b, struct desc *d)
{
	size_t r;

	if (b->top.n < 2) {
		mut_cut(o, b, d);
		return;
	}
	r = below(2) == 0 ? b->top.n - 1 : 1 + below(b->top.n - 1);
	d->off = b->f[b->top.v[r]].tag_off;
	o->len = d->off;
	snprintf(d->detail, sizeof(d->detail), "before%zu/%zu", r, b->top.n);
}

static void
mut_drop_packet(struct buf *o, const struct base *b, struct desc *d)
{
	size_t r = below(b->top.n);
	const struct fld *f = &b->f[b->top.v[r]];

	d->off = f->tag_off;
	edit(o, f->tag_off, f->end - f->tag_off, NULL, 0);
	snprintf(d->detail, sizeof(d->detail), "packet%zu/%zu", r, b->top.n);
}

/* A length that no longer fits its payload; outer lengths stay. */
static void
mut_length(struct buf *o, const struct base *b, struct desc *d)
{
	const struct fld *f = &b->f[pick(&b->ld)];
	unsigned char enc[10];
	uint64_t old = f->end - f->body_off, len;

	switch (below(6)) {
	case 0:
		len = old + 1;
		break;
	case 1:
		len = old > 0 ? old - 1 : 1;
		break;
	case 2:
		len = old + 2 + below(16);
		break;
	case 3:
		len = old > 2 ? old - 2 - below(old - 2 < 16 ? old - 2 : 16) :
		    old + 2;
		break;
	case 4:
		len = old > 0 ? 0 : 3;
		break;
	default:
		len = old + 128;
		break;
	}
	d->off = f->val_off;
	edit(o, f->val_off, f->body_off - f->val_off, enc,
	    ts_varint_enc(enc, len));
	snprintf(d->detail, sizeof(d->detail), "len%llu>%llu",
	    (unsigned long long)old, (unsigned long long)len);
}

/* Another wire type in the tag of a field inside a packet. */
static void
mut_wiretype(struct buf *o, const struct base *b, struct desc *d)
{
	const struct fld *f = &b->f[pick(&b->inner)];
	unsigned wt = (f->wt + 1 + (unsigned)below(7)) & 7;
	uint64_t tag;
	size_t n;

	(void)ts_varint_dec(b->p, f->tag_off, b->len, &tag, &n);
	d->off = f->tag_off;
	o->p[d->off] = (unsigned char)((o->p[d->off] & ~7u) | wt);
	snprintf(d->detail, sizeof(d->detail), "f%llu:wt%u>%u",
	    (unsigned long long)(tag >> 3), f->wt, wt);
}

/* Bytes that are not UTF-8, written over part of a printable payload. */
static void
mut_utf8(struct buf *o, const struct base *b, struct desc *d)
{
	static const struct {
		const char *name;
		unsigned char s[5];
		size_t n;
	} bad[] = {
		{ "ff", { 0xff }, 1 },
		{ "cont", { 0x80 }, 1 },
		{ "overlong2", { 0xc0, 0x80 }, 2 },
		{ "overlong3", { 0xe0, 0x80, 0xaf }, 3 },
		{ "surrogate", { 0xed, 0xa0, 0x80 }, 3 },
		{ "short3", { 0xe2, 0x82 }, 2 },
		{ "above10ffff", { 0xf4, 0x90, 0x80, 0x80 }, 4 },
		{ "five", { 0xf8, 0x88, 0x80, 0x80, 0x80 }, 5 },
	};
	const struct fld *f;
	size_t len, k, at;

	if (b->text.n == 0) {
		mut_replace(o, b, d);
		return;
	}
	f = &b->f[pick(&b->text)];
	len = f->end - f->body_off;
	k = below(sizeof(bad) / sizeof(bad[0]));
	while (bad[k].n > len)
		k--;
	at = below(len - bad[k].n + 1);
	d->off = f->body_off + at;
	memcpy(o->p + d->off, bad[k].s, bad[k].n);
	snprintf(d->detail, sizeof(d->detail), "%s@%zu/%zu", bad[k].name, at,
	    len);
}

/* One byte more in a varint (protoc takes up to 10), lengths kept right. */
static void
mut_pad(struct buf *o, const struct base *b, struct desc *d)
{
	static const unsigned char zero = 0;
	size_t i = below(b->nf), at, n;
	const struct fld *f = &b->f[i];
	const char *what = "tag";
	uint64_t v;

	at = f->tag_off;
	if (f->wt == 0 || f->wt == 2) {
		if (below(2) == 0) {
			at = f->val_off;
			what = f->wt == 0 ? "value" : "len";
		}
	}
	if (ts_varint_dec(b->p, at, b->len, &v, &n) == -1 || n == 10) {
		at = f->tag_off;
		what = "tag";
		if (ts_varint_dec(b->p, at, b->len, &v, &n) == -1 || n == 10)
			errx(2, "%s: offset %zu: no varint to pad", b->path,
			    at);
	}
	d->off = at;
	o->p[at + n - 1] |= 0x80;
	edit(o, at + n, 0, &zero, 1);
	fix_lengths(o, b, f->parent, 1);
	snprintf(d->detail, sizeof(d->detail), "%s%zu>%zu", what, n, n + 1);
}

/* A field no message declares, between two fields of a message. */
static void
mut_unknown(struct buf *o, const struct base *b, struct desc *d)
{
	static const unsigned wts[] = { 0, 1, 2, 5 };
	size_t m = pick(&b->msg), i, nb = 0, at, n;
	const struct fld *f = &b->f[m];
	unsigned char field[32];
	unsigned field_no = 30000 + (unsigned)below(100000);
	unsigned wt = wts[below(4)];
	uint64_t v;

	for (i = m + 1; i < b->nf && b->f[i].tag_off < f->end; i++)
		if (b->f[i].parent == m)
			nb++;
	at = f->end;
	if (below(nb + 1) < nb) {
		nb = below(nb);
		for (i = m + 1; i < b->nf; i++)
			if (b->f[i].parent == m && nb-- == 0)
				break;
		at = b->f[i].tag_off;
	}
	n = ts_varint_enc(field, (uint64_t)field_no << 3 | wt);
	switch (wt) {
	case 0:
		v = next();
		n += ts_varint_enc(field + n, v >> below(64));
		break;
	case 1:
	case 5:
		for (i = 0; i < (wt == 1 ? 8u : 4u); i++)
			field[n++] = (unsigned char)below(256);
		break;
	default:
		i = below(9);
		field[n++] = (unsigned char)i;
		while (i-- > 0)
			field[n++] = (unsigned char)below(256);
		break;
	}
	d->off = at;
	d->depth = f->depth + 1;
	edit(o, at, 0, field, n);
	fix_lengths(o, b, m, (long long)n);
	snprintf(d->detail, sizeof(d->detail), "f%u:wt%u:%zub", field_no, wt,
	    n);
}

static const struct kind {
	const char *name;
	unsigned weight;
	void (*fn)(struct buf *, const struct base *, struct desc *);
} kinds[] = {
	{ "replace", 14, mut_replace },
	{ "flip", 14, mut_flip },
	{ "delete", 9, mut_delete },
	{ "insert", 9, mut_insert },
	{ "cut", 7, mut_cut },
	{ "cut_packet", 7, mut_cut_packet },
	{ "drop_packet", 4, mut_drop_packet },
	{ "length", 10, mut_length },
	{ "wiretype", 9, mut_wiretype },
	{ "utf8", 7, mut_utf8 },
	{ "pad", 5, mut_pad },
	{ "unknown", 5, mut_unknown },
};

/* Builds the mutation of b for seed in o and says what it is in d. */
static void
mutate(const struct base *b, uint64_t seed, struct buf *o, struct desc *d)
{
	unsigned total = 0, r;
	size_t k;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		total += kinds[k].weight;
	rng = seed;
	r = (unsigned)below(total);
	for (k = 0; r >= kinds[k].weight; k++)
		r -= kinds[k].weight;
	o->len = 0;
	reserve(o, b->len);
	memcpy(o->p, b->p, b->len);
	o->len = b->len;
	memset(d, 0, sizeof(*d));
	d->kind = kinds[k].name;
	d->depth = UINT_MAX;
	kinds[k].fn(o, b, d);
	if (d->depth == UINT_MAX)
		d->depth = depth_at(b, d->off);
}

static uint64_t
fnv(const unsigned char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static void
describe(FILE *fp, const char *name, uint64_t seed, const struct buf *o,
    const struct desc *d)
{
	fprintf(fp, "%s\t%llu\t%s\t%zu\t%u\t%s\t%016llx\n", name,
	    (unsigned long long)seed, d->kind, d->off, d->depth, d->detail,
	    (unsigned long long)fnv(o->p, o->len));
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: mutate [-o out] base seed\n"
	    "       mutate -d dir name=base ... <list\n");
	exit(2);
}

static void
base_free(struct base *b)
{
	free(b->p);
	free(b->f);
	free(b->top.v);
	free(b->inner.v);
	free(b->ld.v);
	free(b->text.v);
	free(b->msg.v);
}

static void
one(const char *path, const char *seedstr, const char *out)
{
	struct base b;
	struct buf o = { 0 };
	struct desc d;
	uint64_t seed = ts_number("seed", seedstr, 0, LLONG_MAX);
	int fd = STDOUT_FILENO;

	memset(&b, 0, sizeof(b));
	b.path = path;
	load(&b);
	mutate(&b, seed, &o, &d);
	if (out != NULL &&
	    (fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		err(2, "%s", out);
	ts_write_all(fd, out != NULL ? out : "stdout", o.p, o.len);
	if (out != NULL && close(fd) == -1)
		err(2, "%s", out);
	describe(out != NULL ? stdout : stderr, path, seed, &o, &d);
	base_free(&b);
	free(o.p);
}

static void
batch(const char *dir, int nbases, char **args)
{
	struct base *bases, *b;
	struct buf o = { 0 };
	struct desc d;
	char *line = NULL, *name, *seedstr, *eq, path[PATH_MAX];
	size_t cap = 0;
	ssize_t n;
	uint64_t seed;
	int i, fd;

	if ((bases = calloc((size_t)nbases, sizeof(*bases))) == NULL)
		err(2, NULL);
	for (i = 0; i < nbases; i++) {
		if ((eq = strchr(args[i], '=')) == NULL || eq == args[i])
			errx(2, "%s: want name=base", args[i]);
		*eq = '\0';
		bases[i].name = args[i];
		bases[i].path = eq + 1;
	}
	while ((n = getline(&line, &cap, stdin)) != -1) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		name = strtok(line, "\t \n");
		seedstr = strtok(NULL, "\t \n");
		if (name == NULL || seedstr == NULL)
			errx(2, "list: want lines \"name seed\"");
		seed = ts_number("seed", seedstr, 0, LLONG_MAX);
		for (b = NULL, i = 0; i < nbases && b == NULL; i++)
			if (strcmp(bases[i].name, name) == 0)
				b = &bases[i];
		if (b == NULL)
			errx(2, "list: base %s not named on the command line",
			    name);
		if (b->p == NULL)
			load(b);
		mutate(b, seed, &o, &d);
		if (snprintf(path, sizeof(path), "%s/%s-%llu.wprof.pb", dir,
		    name, (unsigned long long)seed) >= (int)sizeof(path))
			errx(2, "%s: path too long", dir);
		if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
			err(2, "%s", path);
		ts_write_all(fd, path, o.p, o.len);
		if (close(fd) == -1)
			err(2, "%s", path);
		describe(stdout, name, seed, &o, &d);
	}
	if (ferror(stdin))
		err(2, "stdin");
	if (fflush(stdout) == EOF || ferror(stdout))
		err(2, "stdout");
	for (i = 0; i < nbases; i++)
		base_free(&bases[i]);
	free(bases);
	free(line);
	free(o.p);
}

int
main(int argc, char **argv)
{
	const char *dir = NULL, *out = NULL;
	int ch;

	while ((ch = getopt(argc, argv, "d:o:")) != -1) {
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (dir != NULL) {
		if (out != NULL || argc == 0)
			usage();
		batch(dir, argc, argv);
	} else {
		if (argc != 2)
			usage();
		one(argv[0], argv[1], out);
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		err(2, "stdout");
	return 0;
}
