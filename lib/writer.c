#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "io.h"
#include "writer.h"

/*
 * The writer's invariant. Two threads share a struct writer: the caller's
 * (main) and the writer thread. The output is a sequence of bytes [0, pos);
 * the bytes below flushed are in the file or in a job queued for it, the
 * bytes from flushed on are in memory.
 *
 * Buffers. There are NBUF buffers of chunk bytes; each is in one of
 * three states, and only its owner touches its bytes:
 *   cur      main's: being filled, glen bytes, for file offset flushed.
 *            Never busy: main waits for busy[cur] to clear before it
 *            writes into a buffer that becomes cur.
 *   prev     (only while has_prev) main's: the buffer before cur, full,
 *            for offset prev_off == flushed - chunk, held back one turn
 *            because a reserved header in it awaits its patch.
 *   busy     the thread's: queued or being written (busy[i] set under mu
 *            when queued, cleared under mu when written). Main reads it
 *            again only after it has seen busy[i] == 0 under mu.
 * Jobs. job[] is a ring of NJOB jobs, qhead..qhead+qn, written in order:
 * a buffer, or a copy of len bytes at src's offset from the file src (the
 * descriptor travels in the job, so the thread reads nothing main writes
 * outside mu). Main appends, the thread removes; both under mu.
 * Fields. Under mu: busy, job, qhead, qn, stop, failed, err. Set before
 * the thread starts and never changed: fd, spool, chunk, copy_min and the
 * buf pointers. The thread's alone: no_cfr, bounce. Everything else is
 * main's alone (cur, glen, has_prev, prev_off, pos, flushed, mark,
 * patch_from).
 * Failure. The thread's first failure sets failed and err and makes it
 * skip every later job; main learns of it at its next wait for a buffer
 * (writer_write, writer_flush, writer_finish) and it never clears.
 * Patches. A patch may change any bytes in [0, pos). Bytes in cur or the
 * held prev change in memory. Bytes below that are in jobs: main first
 * waits for the queue to empty (no job left that could write them after
 * the patch), then writes them itself with the thread idle.
 * Rewind. Back to a mark in cur shortens cur. A mark below flushed drains
 * the queue, then writes go on from the mark; the stale bytes past pos
 * that stay in the file are cut by writer_finish().
 */

#define NBUF	4
#define NJOB	16
#define WRITER_STACK	(256u << 10)

struct job {
	int buf;		/* a buffer, or -1: a copy from src */
	int src;		/* the file a copy reads */
	size_t len;
	uint64_t off;		/* where it goes in the file */
	uint64_t srcoff;	/* where a copy comes from in src */
};

struct writer {
	pthread_t thr;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* Under mu. */
	int stop, failed;
	int busy[NBUF];
	struct job job[NJOB];
	unsigned qhead, qn;
	struct wperr err;
	/* Fixed before the thread starts. */
	int fd, spool;
	size_t chunk;
	size_t copy_min;	/* less is gathered, not copied */
	unsigned char *buf[NBUF];
	/* The thread's. */
	int no_cfr;		/* copy_file_range(2) was refused */
	unsigned char *bounce;	/* copies without copy_file_range(2) */
	/* Main's. */
	int started;
	unsigned cur;
	size_t glen;
	int has_prev;
	uint64_t prev_off;
	uint64_t pos, flushed, mark;
	uint64_t patch_from;	/* a reserved header not yet patched */
};

/* The input ended before the bytes it had when it was checked. */
static int
copy_short(struct wperr *e)
{
	memset(e, 0, sizeof(*e));
	e->code = WPE_CHANGED;
	return -1;
}

/* Through user space: where the kernel will not copy between the files. */
static int
copy_bounce(struct writer *w, const struct job *j, uint64_t src,
    uint64_t off, size_t len, struct wperr *e)
{
	ssize_t n;

	if (w->bounce == NULL && (w->bounce = malloc(w->chunk)) == NULL)
		return wperr_sys(e, "malloc");
	while (len > 0) {
		n = io_read(j->src, w->bounce, len < w->chunk ? len : w->chunk,
		    src, e);
		if (n == -1)
			return -1;
		if (n == 0)
			return copy_short(e);
		if (io_write(w->fd, w->bounce, (size_t)n, off, e) == -1)
			return -1;
		src += (uint64_t)n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/* A copy job: in the kernel, with no pass through user space. */
static int
copy_job(struct writer *w, const struct job *j, struct wperr *e)
{
	loff_t in = (loff_t)j->srcoff, out = (loff_t)j->off;
	size_t len = j->len;
	ssize_t n;

	while (len > 0 && !w->no_cfr) {
		n = copy_file_range(j->src, &in, w->fd, &out, len, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EXDEV || errno == EINVAL ||
		    errno == ENOSYS || errno == EOPNOTSUPP ||
		    errno == EBADF)) {
			w->no_cfr = 1;
			break;
		}
		if (n == -1)
			return wperr_sys(e, "copy_file_range");
		if (n == 0)
			return copy_short(e);
		len -= (size_t)n;
	}
	if (len == 0)
		return 0;
	return copy_bounce(w, j, (uint64_t)in, (uint64_t)out, len, e);
}

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	struct wperr e;
	struct job j;
	int failed, rc;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->qn == 0 && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->qn == 0)
			break;
		j = w->job[w->qhead];
		failed = w->failed;
		pthread_mutex_unlock(&w->mu);
		rc = 0;
		if (!failed && j.buf >= 0)
			rc = io_write(w->fd, w->buf[j.buf], j.len, j.off, &e);
		else if (!failed)
			rc = copy_job(w, &j, &e);
		if (rc == -1 && w->spool && !wperr_changed(&e))
			e.code = WPE_SPOOL;
		pthread_mutex_lock(&w->mu);
		if (rc == -1 && !w->failed) {
			w->failed = 1;
			w->err = e;
		}
		if (j.buf >= 0)
			w->busy[j.buf] = 0;
		w->qhead = (w->qhead + 1) % NJOB;
		w->qn--;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct writer *
writer_new(int fd, int spool, size_t chunk, struct wperr *e)
{
	pthread_attr_t attr;
	struct writer *w;
	unsigned i;
	int rc;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		wperr_sys(e, "malloc");
		return NULL;
	}
	w->fd = fd;
	w->spool = spool;
	w->chunk = chunk != 0 ? chunk : WRITER_CHUNK;
	/* 64 KiB for 1 MiB buffers: a smaller copy costs more than it saves. */
	w->copy_min = w->chunk / 16;
	w->patch_from = UINT64_MAX;
	for (i = 0; i < NBUF; i++) {
		if ((w->buf[i] = malloc(w->chunk)) == NULL) {
			wperr_sys(e, "malloc");
			writer_free(w);
			return NULL;
		}
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	/* It needs little stack; the default 8 MiB would count. */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, WRITER_STACK);
	rc = pthread_create(&w->thr, &attr, writer_main, w);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		errno = rc;
		wperr_sys(e, "start the writer thread");
		writer_free(w);
		return NULL;
	}
	w->started = 1;
	return w;
}

void
writer_free(struct writer *w)
{
	unsigned i;

	if (w == NULL)
		return;
	if (w->started) {
		pthread_mutex_lock(&w->mu);
		/* Whatever is still queued is not wanted any more. */
		w->stop = w->failed = 1;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thr, NULL);
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
	}
	for (i = 0; i < NBUF; i++)
		free(w->buf[i]);
	free(w->bounce);
	free(w);
}

/* Queues a job; the queue has room once the thread has taken one. */
static void
enqueue(struct writer *w, const struct job *j)
{
	pthread_mutex_lock(&w->mu);
	while (w->qn == NJOB)
		pthread_cond_wait(&w->cv, &w->mu);
	w->job[(w->qhead + w->qn) % NJOB] = *j;
	if (j->buf >= 0)
		w->busy[j->buf] = 1;
	w->qn++;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void
enqueue_buf(struct writer *w, unsigned i, size_t len, uint64_t off)
{
	struct job j = { .buf = (int)i, .src = -1, .len = len, .off = off };

	enqueue(w, &j);
}

/* Waits until buffer i is free, or every job is done when i is NBUF. */
static int
await(struct writer *w, unsigned i, struct wperr *e)
{
	int failed;

	pthread_mutex_lock(&w->mu);
	while (i < NBUF ? w->busy[i] != 0 : w->qn > 0)
		pthread_cond_wait(&w->cv, &w->mu);
	failed = w->failed;
	if (failed)
		*e = w->err;
	pthread_mutex_unlock(&w->mu);
	return failed ? -1 : 0;
}

static unsigned
prev_of(const struct writer *w)
{
	return (w->cur + NBUF - 1) % NBUF;
}

/* cur goes to the thread (or is held back as prev); the next is cur. */
static int
next_buf(struct writer *w, struct wperr *e)
{
	w->flushed += w->glen;
	w->glen = 0;
	w->cur = (w->cur + 1) % NBUF;
	return await(w, w->cur, e);
}

/* cur is full: it becomes prev, the old prev goes to the thread. */
static int
advance(struct writer *w, struct wperr *e)
{
	if (w->has_prev)
		enqueue_buf(w, prev_of(w), w->chunk, w->prev_off);
	/* Held back only while a reserved header in it awaits its patch. */
	w->has_prev = w->patch_from != UINT64_MAX &&
	    w->patch_from >= w->flushed;
	if (w->has_prev)
		w->prev_off = w->flushed;
	else
		enqueue_buf(w, w->cur, w->glen, w->flushed);
	return next_buf(w, e);
}

/* Everything to the file, and nothing in flight. */
static int
drain(struct writer *w, struct wperr *e)
{
	if (w->has_prev)
		enqueue_buf(w, prev_of(w), w->chunk, w->prev_off);
	w->has_prev = 0;
	if (w->glen > 0) {
		enqueue_buf(w, w->cur, w->glen, w->flushed);
		w->flushed += w->glen;
		w->glen = 0;
		w->cur = (w->cur + 1) % NBUF;
	}
	return await(w, NBUF, e);
}

int
writer_write(struct writer *w, const void *buf, size_t len, struct wperr *e)
{
	const unsigned char *p = buf;
	size_t n;

	while (len > 0) {
		if (w->glen == w->chunk && advance(w, e) == -1)
			return -1;
		n = w->chunk - w->glen;
		if (n > len)
			n = len;
		memcpy(w->buf[w->cur] + w->glen, p, n);
		w->glen += n;
		w->pos += n;
		p += n;
		len -= n;
	}
	return 0;
}

int
writer_copy(struct writer *w, const void *buf, size_t len, int src,
    uint64_t srcoff, struct wperr *e)
{
	struct job j = { .buf = -1, .src = src, .len = len,
	    .srcoff = srcoff };

	/* A pending patch needs its bytes in memory. */
	if (w->has_prev || w->patch_from != UINT64_MAX || len < w->copy_min)
		return writer_write(w, buf, len, e);
	if (w->glen > 0) {
		enqueue_buf(w, w->cur, w->glen, w->flushed);
		if (next_buf(w, e) == -1)
			return -1;
	}
	j.off = w->flushed;
	enqueue(w, &j);
	w->flushed += len;
	w->pos += len;
	return 0;
}

int
writer_flush(struct writer *w, struct wperr *e)
{
	return drain(w, e);
}

int
writer_reserve(struct writer *w, size_t len, uint64_t *off,
    struct wperr *e)
{
	static const unsigned char zero[WRITER_RESERVE_MAX];

	if (len > sizeof(zero)) {
		errno = EINVAL;
		return wperr_sys(e, "writer_reserve");
	}
	*off = w->pos;
	if (w->patch_from == UINT64_MAX)
		w->patch_from = *off;
	return writer_write(w, zero, len, e);
}

int
writer_patch(struct writer *w, uint64_t off, const void *buf, size_t len,
    struct wperr *e)
{
	const unsigned char *p = buf;
	size_t n;

	if (off > w->pos || len > w->pos - off) {
		errno = EINVAL;
		return wperr_sys(e, "writer_patch");
	}
	if (off == w->patch_from)
		w->patch_from = UINT64_MAX;
	/* In memory still (cur, or prev held back), else in the file. */
	if (off >= (w->has_prev ? w->prev_off : w->flushed)) {
		if (off < w->flushed) {
			n = (size_t)(w->flushed - off);
			if (n > len)
				n = len;
			memcpy(w->buf[prev_of(w)] + (off - w->prev_off), p, n);
			p += n;
			off += n;
			len -= n;
		}
		if (len > 0)
			memcpy(w->buf[w->cur] + (off - w->flushed), p, len);
		return 0;
	}
	if (drain(w, e) == -1)
		return -1;
	return io_write(w->fd, buf, len, off, e);
}

void
writer_mark(struct writer *w)
{
	w->mark = w->pos;
}

/* A failure to drain is the thread's, and shows again at the finish. */
void
writer_rewind(struct writer *w)
{
	struct wperr e;

	if (w->mark >= w->flushed)
		w->glen = (size_t)(w->mark - w->flushed);
	else {
		(void)drain(w, &e);
		w->flushed = w->mark;
	}
	w->pos = w->mark;
	/* A reservation taken back is not waited for any more. */
	if (w->patch_from != UINT64_MAX && w->patch_from >= w->pos)
		w->patch_from = UINT64_MAX;
}

void
writer_rewind_to(struct writer *w, uint64_t off)
{
	if (off < w->pos) {
		w->mark = off;
		writer_rewind(w);
	}
}

uint64_t
writer_size(const struct writer *w)
{
	return w->pos;
}

int
writer_finish(struct writer *w, struct wperr *e)
{
	struct stat st;

	if (drain(w, e) == -1)
		return -1;
	if (fstat(w->fd, &st) == -1)
		return wperr_sys(e, "fstat");
	if ((uint64_t)st.st_size > w->pos &&
	    ftruncate(w->fd, (off_t)w->pos) == -1)
		return wperr_sys(e, "ftruncate");
	return 0;
}
