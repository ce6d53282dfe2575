#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "pump.h"
#include "worker.h"

/* A FIFO that still has no writer after this reads as empty. */
#define FIFO_GRACE_MS	1000
/*
 * A regular file that is written somewhere is mapped a window at a time
 * and each window unmapped before the next, so that what the mapping adds
 * to the resident set stays small whatever the file's size.
 */
#define MAP_WINDOW	(8u << 20)

int
pump_init(struct pump *p, int in, unsigned char *buf, size_t buflen,
    struct wperr *e)
{
	struct stat st;
	off_t cur;

	memset(p, 0, sizeof(*p));
	p->in = in;
	if (fstat(in, &st) == -1)
		return wperr_sys(e, "fstat");
	p->st = st;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return wperr_sys(e, "read");
	}
	if (S_ISREG(st.st_mode)) {
		p->regular = 1;
		if ((cur = lseek(in, 0, SEEK_CUR)) == -1)
			cur = 0;
		p->start = (uint64_t)cur;
		p->size = (uint64_t)st.st_size > p->start ?
		    (uint64_t)st.st_size - p->start : 0;
		(void)posix_fadvise(in, cur, 0, POSIX_FADV_SEQUENTIAL);
	} else if (S_ISFIFO(st.st_mode)) {
		p->fifo_grace = (fcntl(in, F_GETFL) & O_NONBLOCK) != 0;
		/*
		 * A pipe holds 64 KiB by default, so each read returns
		 * little and the writer and we take turns.
		 */
		(void)fcntl(in, F_SETPIPE_SZ, PUMP_BUF);
	}
	if (buf == NULL) {
		if ((buf = malloc(PUMP_BUF)) == NULL)
			return wperr_sys(e, "malloc");
		buflen = PUMP_BUF;
		p->own_buf = 1;
	}
	p->buf = buf;
	p->buflen = buflen;
	return 0;
}

static enum pump_verdict
changed(struct pump *p, enum wperr_code code)
{
	memset(&p->err, 0, sizeof(p->err));
	p->err.code = code;
	p->err.size = p->size;
	p->err.off = p->done;
	p->err_input = 1;
	return PUMP_FAIL;
}

/*
 * The file is not as it was when opened, or not as long as it was while
 * it was mapped: WPE_CHANGED, WPE_GREW or WPE_REWRITTEN.
 */
static enum pump_verdict
changed_now(struct pump *p)
{
	struct stat st;
	uint64_t now;

	if (fstat(p->in, &st) == -1)
		return changed(p, WPE_CHANGED);
	now = (uint64_t)st.st_size > p->start ?
	    (uint64_t)st.st_size - p->start : 0;
	if (now > p->size)
		return changed(p, WPE_GREW);
	if (now == p->size)
		return changed(p, WPE_REWRITTEN);
	p->done = now;
	return changed(p, WPE_CHANGED);
}

/* Spec: a verdict is about the file as it stands (issue 14 item 1). */
static int
unchanged(struct pump *p)
{
	struct stat st;

	return fstat(p->in, &st) == 0 && io_same_file_state(&p->st, &st);
}

/* The output is past PUMP_OUT_MAX: trouble, not a verdict. */
static enum pump_verdict
over_bound(struct pump *p)
{
	errno = EFBIG;
	wperr_sys(&p->err, "the output would grow past wprofck's bound of "
	    "64 GiB");
	p->err_input = 0;
	return PUMP_FAIL;
}

/*
 * The consumer broke the pump's contract: it gave no verdict at the end
 * of the input (EPROTO), or kept more of a piece than it may (ENOBUFS).
 */
static enum pump_verdict
no_progress(struct pump *p, int errnum)
{
	errno = errnum;
	wperr_sys(&p->err, errnum == EPROTO ? "no verdict at the end" :
	    "read");
	return PUMP_FAIL;
}

/*
 * What one read of n bytes at p->done brought (-1: p->err says why), by
 * fill() or by run_ahead()'s helper. A regular file must be exactly as
 * long as fstat said: a short read is never its end, and one byte past it
 * is a change.
 */
static enum pump_verdict
took(struct pump *p, ssize_t n, size_t *have, int *eof)
{
	unsigned char probe;

	if (n == -1) {
		p->err_input = 1;
		return PUMP_FAIL;
	}
	if (p->regular) {
		if (n == 0 && p->done < p->size)
			return changed(p, WPE_CHANGED);
		if (p->done + (uint64_t)n > p->size)
			return changed(p, WPE_GREW);
		if (p->done + (uint64_t)n == p->size) {
			n = io_read(p->in, &probe, 1, p->start + p->size, &p->err);
			if (n != 0)
				return n == -1 ? PUMP_FAIL :
				    changed(p, WPE_GREW);
			/* Every byte is read: were they all of one file? */
			if (!unchanged(p))
				return changed_now(p);
			*eof = 1;
			n = (ssize_t)(p->size - p->done);
		}
	}
	if (n == 0)
		*eof = 1;
	p->done += (uint64_t)n;
	*have += (size_t)n;
	if (p->progress != NULL)
		p->progress(p->progress_arg, p->done, p->items);
	return PUMP_MORE;
}

/* One piece into buf, after the *have bytes kept there. */
static enum pump_verdict
fill(struct pump *p, size_t *have, int *eof)
{
	struct pollfd pfd = { p->in, POLLIN, 0 };
	int waited = 0;
	ssize_t n;

	for (;;) {
		n = io_read(p->in, p->buf + *have, p->buflen - *have,
		    p->regular ? p->start + p->done : IO_AT_CURRENT, &p->err);
		if (n == -1 && p->err.errnum == EAGAIN)
			(void)poll(&pfd, 1, -1);
		else if (n == 0 && p->fifo_grace && !waited) {
			/* A writer may be about to open the FIFO. */
			waited = 1;
			(void)poll(&pfd, 1, FIFO_GRACE_MS);
		} else
			break;
	}
	p->fifo_grace = 0;
	return took(p, n, have, eof);
}


/*
 * A file truncated while it is mapped raises SIGBUS where a page past its
 * new end is touched. The program's SIGBUS handler asks pump_sigbus()
 * whether the fault is ours: only a fault the kernel raised (BUS_ADRERR,
 * not a kill(2) or sigqueue(3)), in the thread that walks a window, at an
 * address inside that window. This is the one place that decides it.
 */
static __thread sigjmp_buf *bus_env;
static __thread const volatile unsigned char *bus_lo, *bus_hi;

void
pump_sigbus(const siginfo_t *si)
{
	const unsigned char *a = si->si_addr;

	if (si->si_code == BUS_ADRERR && bus_env != NULL &&
	    a >= (const unsigned char *)bus_lo &&
	    a < (const unsigned char *)bus_hi)
		siglongjmp(*bus_env, 1);
}

/*
 * The pieces are views of the file mapped a window at a time, so the
 * consumer reads the bytes where the page cache has them and can hand them
 * on with outfile_copy() (p->mapped, p->piece_off). *refused: the file
 * cannot be mapped; nothing has happened and it is to be read instead.
 */
static enum pump_verdict
run_mapped(struct pump *p, enum pump_verdict (*fn)(struct pump *, void *,
    const unsigned char *, size_t, int, size_t *), void *arg, int *refused)
{
	sigjmp_buf env;
	enum pump_verdict v = PUMP_MORE;
	unsigned char *volatile map = NULL;
	volatile size_t maplen = 0;
	uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE);
	volatile uint64_t pos = 0;
	uint64_t off, base, end;
	unsigned char probe;
	size_t skip, len, used;
	ssize_t n;
	volatile int eof = 0;

	while (v == PUMP_MORE) {
		off = p->start + pos;
		base = off - off % pg;
		skip = (size_t)(off - base);
		end = p->start + p->size;
		if (end - base > MAP_WINDOW)
			end = base + MAP_WINDOW;
		maplen = (size_t)(end - base);
		map = mmap(NULL, maplen, PROT_READ, MAP_PRIVATE,
		    p->in, (off_t)base);
		if (map == MAP_FAILED) {
			map = NULL;
			if (pos == 0) {
				*refused = 1;
				v = PUMP_FAIL;
				break;
			}
			wperr_sys(&p->err, "mmap");
			p->err_input = 1;
			v = PUMP_FAIL;
			break;
		}
		(void)madvise(map, maplen, MADV_SEQUENTIAL);
		len = maplen - skip;
		if (end == p->start + p->size) {
			/* One byte past the end is a change. */
			n = io_read(p->in, &probe, 1, end, &p->err);
			if (n != 0) {
				v = n == -1 ? PUMP_FAIL : changed(p, WPE_GREW);
				p->err_input = 1;
				break;
			}
			eof = 1;
		}
		p->done = end - p->start;
		if (p->progress != NULL)
			p->progress(p->progress_arg, p->done, p->items);
		p->mapped = 1;
		p->piece_off = off;
		bus_lo = map;
		bus_hi = map + maplen;
		if (sigsetjmp(env, 1) != 0) {
			bus_env = NULL;
			v = changed_now(p);
			break;
		}
		bus_env = &env;
		used = 0;
		v = fn(p, arg, map + skip, len, eof, &used);
		bus_env = NULL;
		if (v == PUMP_MORE && p->out != NULL &&
		    outfile_size(p->out) > PUMP_OUT_MAX)
			v = over_bound(p);
		p->mapped = 0;
		munmap(map, maplen);
		map = NULL;
		if (v == PUMP_FAIL && wperr_changed(&p->err))
			v = changed_now(p);
		if (v != PUMP_MORE)
			break;
		if (eof) {
			v = no_progress(p, EPROTO);
			break;
		}
		if (used == 0 && len == MAP_WINDOW - skip) {
			/* The consumer must use some of a full window. */
			v = no_progress(p, ENOBUFS);
			break;
		}
		pos += used;
	}
	bus_env = NULL;
	p->mapped = 0;
	if (map != NULL)
		munmap(map, maplen);
	if (*refused)
		return PUMP_FAIL;
	/* The copies read the file: it must still be what was checked. */
	if (v == PUMP_DONE || (v == PUMP_BAD && p->keep_bad)) {
		if (p->out != NULL && outfile_flush(p->out, &p->err) == -1) {
			if (wperr_changed(&p->err))
				v = changed_now(p);
			else
				v = PUMP_FAIL;
		} else if (!unchanged(p))
			v = changed_now(p);
	} else if (v == PUMP_BAD && !unchanged(p))
		v = changed_now(p);
	return v;
}

/*
 * The consumer's verdict v on a piece read (not mapped), eof when it was
 * the last: PUMP_MORE to go on, else what the pump returns.
 */
static enum pump_verdict
settle(struct pump *p, enum pump_verdict v, int eof)
{
	/* A verdict before the end, too, is about the file as read. */
	if ((v == PUMP_DONE || v == PUMP_BAD) && p->regular && !unchanged(p))
		return changed_now(p);
	if (v != PUMP_MORE)
		return v;
	if (p->out != NULL && outfile_size(p->out) > PUMP_OUT_MAX)
		return over_bound(p);
	return eof ? no_progress(p, EPROTO) : PUMP_MORE;
}

static enum pump_verdict
run_read(struct pump *p, enum pump_verdict (*fn)(struct pump *, void *,
    const unsigned char *, size_t, int, size_t *), void *arg)
{
	enum pump_verdict v;
	size_t have = 0, used;
	int eof = 0;

	for (;;) {
		/* The consumer must use some of a full buffer. */
		if (have == p->buflen)
			return no_progress(p, ENOBUFS);
		if ((v = fill(p, &have, &eof)) != PUMP_MORE)
			return v;
		used = 0;
		v = fn(p, arg, p->buf, have, eof, &used);
		if ((v = settle(p, v, eof)) != PUMP_MORE)
			return v;
		have -= used;
		memmove(p->buf, p->buf + used, have);
	}
}

/* One read of a block ahead, on the helper. */
struct ahead {
	int fd;
	unsigned char *dst;
	size_t want;
	uint64_t off;
	ssize_t n;
	struct wperr err;
};

static void
ahead_job(void *arg)
{
	struct ahead *a = arg;

	a->n = io_read(a->fd, a->dst, a->want, a->off, &a->err);
}

/*
 * run_read() with the next block read while the consumer takes this one
 * (p->read_ahead): two buffers, each PUMP_AHEAD_KEEP bytes for what the
 * consumer left of the last piece, then a block. The helper writes only
 * the other buffer and its struct ahead, and is waited for before either
 * is read; the rules of each read (took) are applied here, in order.
 */
static enum pump_verdict
run_ahead(struct pump *p, enum pump_verdict (*fn)(struct pump *, void *,
    const unsigned char *, size_t, int, size_t *), void *arg)
{
	struct worker *k;
	struct ahead a;
	unsigned char *mem, *b[2], *piece;
	size_t have = 0, used, tail, blk = p->buflen;
	enum pump_verdict v;
	int cur = 0, eof = 0, posted;

	if ((mem = malloc(2 * (PUMP_AHEAD_KEEP + blk))) == NULL)
		return run_read(p, fn, arg);
	if ((k = worker_new()) == NULL) {
		free(mem);
		return run_read(p, fn, arg);
	}
	/* Read only after a read was posted, which settle() assures. */
	memset(&a, 0, sizeof(a));
	b[0] = mem + PUMP_AHEAD_KEEP;
	b[1] = b[0] + blk + PUMP_AHEAD_KEEP;
	piece = b[0];
	v = took(p, io_read(p->in, piece, blk, p->start + p->done, &p->err),
	    &have, &eof);
	while (v == PUMP_MORE) {
		if ((posted = !eof)) {
			memset(&a, 0, sizeof(a));
			a.fd = p->in;
			a.dst = b[!cur];
			a.want = blk;
			a.off = p->start + p->done;
			worker_run(k, ahead_job, &a);
		}
		used = 0;
		v = fn(p, arg, piece, have, eof, &used);
		if (posted)
			worker_wait(k);
		if ((v = settle(p, v, eof)) != PUMP_MORE)
			break;
		if ((tail = have - used) >= PUMP_AHEAD_KEEP) {
			/* The consumer must use all but a token of a piece. */
			v = no_progress(p, ENOBUFS);
			break;
		}
		memcpy(b[!cur] - tail, piece + used, tail);
		cur = !cur;
		piece = b[cur] - tail;
		have = tail;
		if (a.n == -1)
			p->err = a.err;
		v = took(p, a.n, &have, &eof);
	}
	worker_free(k);
	free(mem);
	return v;
}

enum pump_verdict
pump_run(struct pump *p, enum pump_verdict (*fn)(struct pump *, void *,
    const unsigned char *, size_t, int, size_t *), void *arg)
{
	enum pump_verdict v;
	struct wperr e;
	int refused = 0;

	/* Mapped where the bytes go on to an output, read otherwise. */
	if (p->regular && p->size > 0 && p->out != NULL && !p->no_map) {
		v = run_mapped(p, fn, arg, &refused);
		if (refused) {
			memset(&p->err, 0, sizeof(p->err));
			p->done = 0;
			v = run_read(p, fn, arg);
		}
	} else if (p->read_ahead && p->regular && p->out == NULL &&
	    p->size > PUMP_AHEAD_MIN)
		v = run_ahead(p, fn, arg);
	else
		v = run_read(p, fn, arg);
	if (p->out == NULL)
		return v;
	if (v == PUMP_DONE || (v == PUMP_BAD && p->keep_bad)) {
		if (outfile_commit(p->out, &e) == -1) {
			p->err = e;
			p->err_input = 0;
			v = PUMP_FAIL;
		}
	} else
		outfile_abort(p->out);
	return v;
}

void
pump_free(struct pump *p)
{
	if (p->own_buf)
		free(p->buf);
	p->buf = NULL;
}
