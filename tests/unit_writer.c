/*
 * A model-based test of lib/writer.c, printed as TAP: random sequences of
 * write, copy from a file, reserve and patch, mark, rewind and flush, run
 * through the writer and through a plain byte array side by side. After
 * every flush the file must hold the model's bytes, and after the finish
 * exactly them; some sequences end by freeing the writer with jobs still
 * queued (an abort), which must neither hang nor crash. Small buffer sizes
 * make every sequence cross many buffer boundaries, so the held-back
 * buffer, a full job queue and patches into written buffers all occur.
 * The model does not share code with the writer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/err.h"
#include "../lib/writer.h"

#define TAP_NAME "unit_writer"
#include "tap.h"

#define SEEDS	400
#define OPS	300
#define SRC_SIZE	(64u << 10)
#define RES_MAX	64

/* xorshift64*: the sequences depend on the seed alone. */
static uint64_t rng;

static uint64_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ull;
}

static size_t
below(size_t n)
{
	return n == 0 ? 0 : (size_t)(rnd() % n);
}

struct model {
	unsigned char *b;
	size_t len, cap, mark;
	uint64_t res[RES_MAX];	/* reservations not yet patched */
	size_t reslen[RES_MAX], nres;
};

static void
model_put(struct model *m, const unsigned char *p, size_t len)
{
	if (len == 0)
		return;
	if (m->len + len > m->cap) {
		m->cap = (m->len + len) * 2;
		if ((m->b = realloc(m->b, m->cap)) == NULL)
			abort();
	}
	memcpy(m->b + m->len, p, len);
	m->len += len;
}

static void
fill(unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)rnd();
}

static int
tmpfd(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/unit_writer.XXXXXX",
	    dir != NULL && *dir != '\0' ? dir : "/tmp");
	if ((fd = mkstemp(path)) == -1) {
		perror("mkstemp");
		exit(2);
	}
	unlink(path);
	return fd;
}

/* The file's first len bytes equal m's, and it has at least len. */
static int
file_has(int fd, const struct model *m, size_t len)
{
	unsigned char *got;
	ssize_t n;
	int same;

	if ((got = malloc(len + 1)) == NULL)
		abort();
	n = pread(fd, got, len + 1, 0);
	same = n >= (ssize_t)len && (len == 0 || memcmp(got, m->b, len) == 0);
	free(got);
	return same;
}

static off_t
file_size(int fd)
{
	return lseek(fd, 0, SEEK_END);
}

/*
 * One sequence. Returns 0 when the file matched the model all along;
 * otherwise says what differed on stderr (as a TAP comment).
 */
static int
run_seed(unsigned seed, int src, const unsigned char *srcbuf)
{
	static const size_t chunks[] = { 16, 48, 64, 100, 256, 1000, 4096 };
	unsigned char tmp[3 * 4096 + RES_MAX];
	struct model m = { 0 };
	struct writer *w;
	struct wperr e;
	size_t chunk, len, k;
	uint64_t off;
	int fd, op, abort_at, bad = 0;

	rng = 0x9e3779b97f4a7c15ull ^ ((uint64_t)seed << 17 | seed);
	(void)rnd();
	chunk = chunks[below(sizeof(chunks) / sizeof(chunks[0]))];
	fd = tmpfd();
	if ((w = writer_new(fd, 0, chunk, &e)) == NULL) {
		printf("# seed %u: writer_new failed\n", seed);
		close(fd);
		return -1;
	}
	abort_at = below(8) == 0 ? (int)below(OPS) : -1;
	for (op = 0; op < OPS && !bad; op++) {
		if (op == abort_at) {
			writer_free(w);
			close(fd);
			free(m.b);
			return 0;
		}
		switch (below(16)) {
		case 0: case 1: case 2: case 3:	/* write */
			len = below(3 * chunk + 1);
			fill(tmp, len);
			model_put(&m, tmp, len);
			bad = writer_write(w, tmp, len, &e) == -1;
			break;
		case 4: case 5: case 6:		/* copy from the file */
			len = below(3 * chunk + 1);
			off = below(SRC_SIZE - len);
			model_put(&m, srcbuf + off, len);
			bad = writer_copy(w, srcbuf + off, len, src, off,
			    &e) == -1;
			break;
		case 7: case 8:			/* reserve */
			if (m.nres == RES_MAX)
				break;
			len = 1 + below(WRITER_RESERVE_MAX);
			memset(tmp, 0, len);
			model_put(&m, tmp, len);
			bad = writer_reserve(w, len, &off, &e) == -1 ||
			    off != m.len - len;
			m.res[m.nres] = off;
			m.reslen[m.nres++] = len;
			break;
		case 9: case 10:		/* patch a reservation */
			if (m.nres == 0)
				break;
			k = below(m.nres);
			fill(tmp, m.reslen[k]);
			memcpy(m.b + m.res[k], tmp, m.reslen[k]);
			bad = writer_patch(w, m.res[k], tmp, m.reslen[k],
			    &e) == -1;
			m.res[k] = m.res[--m.nres];
			m.reslen[k] = m.reslen[m.nres];
			break;
		case 11:			/* patch anything written */
			if (m.len == 0)
				break;
			off = below(m.len);
			len = 1 + below(m.len - off < sizeof(tmp) ?
			    m.len - off : sizeof(tmp));
			fill(tmp, len);
			memcpy(m.b + off, tmp, len);
			bad = writer_patch(w, off, tmp, len, &e) == -1;
			break;
		case 12:
			m.mark = m.len;
			writer_mark(w);
			break;
		case 13:			/* rewind */
			m.len = m.mark;
			for (k = 0; k < m.nres; k++) {
				if (m.res[k] + m.reslen[k] > m.len) {
					m.res[k] = m.res[--m.nres];
					m.reslen[k] = m.reslen[m.nres];
					k--;
				}
			}
			writer_rewind(w);
			break;
		case 14:			/* flush */
			bad = writer_flush(w, &e) == -1;
			if (!bad && !file_has(fd, &m, m.len)) {
				printf("# seed %u op %d: after a flush the file "
				    "differs from the model\n", seed, op);
				bad = 1;
			}
			break;
		default:
			bad = writer_size(w) != m.len;
			break;
		}
		if (bad)
			printf("# seed %u (chunk %zu) op %d failed\n", seed,
			    chunk, op);
	}
	if (!bad && writer_finish(w, &e) == -1) {
		printf("# seed %u: writer_finish failed\n", seed);
		bad = 1;
	}
	if (!bad && (file_size(fd) != (off_t)m.len ||
	    !file_has(fd, &m, m.len))) {
		printf("# seed %u (chunk %zu): the file differs from the model "
		    "(%lld bytes, model %zu)\n", seed, chunk,
		    (long long)file_size(fd), m.len);
		bad = 1;
	}
	writer_free(w);
	close(fd);
	free(m.b);
	return bad ? -1 : 0;
}

/* A write error in the thread shows at the next wait, and for good. */
static void
test_failure(int spool)
{
	unsigned char buf[1000];
	struct writer *w;
	struct wperr e;
	int fd, rc;

	fd = open("/dev/null", O_RDONLY);
	if ((w = writer_new(fd, spool, 64, &e)) == NULL) {
		ok(0, "writer_new on a read-only descriptor");
		return;
	}
	memset(buf, 'x', sizeof(buf));
	rc = writer_write(w, buf, sizeof(buf), &e);
	if (rc == 0)
		rc = writer_finish(w, &e);
	ok(rc == -1 && e.code == (spool ? WPE_SPOOL : WPE_SYS) &&
	    e.errnum == EBADF, spool ? "a failed write to a spool is "
	    "WPE_SPOOL with its errno" : "a failed write is WPE_SYS EBADF");
	ok(writer_flush(w, &e) == -1, "the failure sticks");
	writer_free(w);
	close(fd);
}

int
main(void)
{
	unsigned char *srcbuf, buf[16];
	struct writer *w;
	struct wperr e;
	unsigned seed, failed = 0;
	uint64_t off;
	int src, fd;

	if ((srcbuf = malloc(SRC_SIZE)) == NULL)
		return 2;
	rng = 42;
	fill(srcbuf, SRC_SIZE);
	src = tmpfd();
	if (pwrite(src, srcbuf, SRC_SIZE, 0) != (ssize_t)SRC_SIZE)
		return 2;
	for (seed = 1; seed <= SEEDS; seed++)
		if (run_seed(seed, src, srcbuf) == -1)
			failed++;
	printf("# %u of %d random sequences differed from the model\n", failed,
	    SEEDS);
	ok(failed == 0, "random sequences of write, copy, reserve, patch, "
	    "mark, rewind, flush, finish and abort match a byte array");

	fd = tmpfd();
	w = writer_new(fd, 0, 64, &e);
	ok(w != NULL && writer_write(w, "abc", 3, &e) == 0 &&
	    writer_patch(w, 2, "xy", 2, &e) == -1 && e.errnum == EINVAL,
	    "a patch past the end is refused");
	ok(w != NULL && writer_reserve(w, WRITER_RESERVE_MAX + 1, &off,
	    &e) == -1, "a reservation over WRITER_RESERVE_MAX is refused");
	memset(buf, 0, sizeof(buf));
	ok(w != NULL && writer_finish(w, &e) == 0 &&
	    pread(fd, buf, sizeof(buf), 0) == 3 &&
	    memcmp(buf, "abc", 3) == 0, "a refused patch changes nothing");
	writer_free(w);
	close(fd);
	test_failure(0);
	test_failure(1);
	close(src);
	free(srcbuf);
	return tap_done();
}
