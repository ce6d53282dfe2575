#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "pump.h"

/*
 * Output files by spec section 4. The bytes go into an unnamed O_TMPFILE
 * in OUT's directory, linked into place at commit, so a process killed in
 * any way leaves nothing behind. Only where the filesystem refuses
 * O_TMPFILE is a named temporary file used, and then every catchable fatal
 * signal removes it. Output written in place (standard output, a device, a
 * FIFO) waits in an unlinked spool file until the verdict.
 */

#define LINK_TRIES	16

static int writer_new(struct outfile *, struct wperr *);
static void writer_free(struct outfile *);

/* Named temporary files a signal handler must remove. */
#define PENDING_MAX 4
static volatile int pending_dir[PENDING_MAX] = { -1, -1, -1, -1 };
static const char *volatile pending_name[PENDING_MAX];

void
outfile_unlink_all(void)
{
	size_t i;

	for (i = 0; i < PENDING_MAX; i++)
		if (pending_name[i] != NULL)
			unlinkat(pending_dir[i], pending_name[i], 0);
}

static void
on_fatal_signal(int sig)
{
	outfile_unlink_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Every fatal signal that can be caught; one ignored at start stays so. */
static void
pending_signals(void)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGABRT,
	    SIGBUS, SIGFPE, SIGSEGV, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM,
	    SIGTERM, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGSYS, SIGTRAP,
	    SIGSTKFLT, SIGIO, SIGPWR };
	static int done;
	struct sigaction sa, old;
	size_t i;

	if (done)
		return;
	done = 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

static int
pending_add(int dirfd, const char *name, struct wperr *e)
{
	size_t i;

	for (i = 0; i < PENDING_MAX; i++) {
		if (pending_name[i] == NULL) {
			pending_signals();
			pending_dir[i] = dirfd;
			pending_name[i] = name;
			return 0;
		}
	}
	errno = EMFILE;
	return wperr_sys(e, "too many temporary files at once");
}

static void
pending_del(const char *name)
{
	size_t i;

	for (i = 0; i < PENDING_MAX; i++)
		if (pending_name[i] == name)
			pending_name[i] = NULL;
}

/* ".wprofck." and six random letters: short, whatever OUT's name is. */
static void
tmp_name(char *buf, size_t len)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	uint32_t r;
	size_t i;

	snprintf(buf, len, ".wprofck.XXXXXX");
	for (i = sizeof(".wprofck.") - 1; buf[i] != '\0'; i++) {
		r = arc4random_uniform(sizeof(set) - 1);
		buf[i] = set[r];
	}
}

/* A named temporary file in dirfd, registered for removal on a signal. */
static int
tmp_create(struct outfile *of, mode_t mode, struct wperr *e)
{
	int i, fd;

	for (i = 0; i < LINK_TRIES; i++) {
		tmp_name(of->tmp, sizeof(of->tmp));
		if (pending_add(of->dirfd, of->tmp, e) == -1)
			return -1;
		fd = openat(of->dirfd, of->tmp, O_RDWR | O_CREAT | O_EXCL |
		    O_CLOEXEC, mode);
		if (fd != -1)
			return fd;
		pending_del(of->tmp);
		if (errno != EEXIST)
			break;
	}
	of->tmp[0] = '\0';
	return wperr_sys(e, "create a temporary file");
}

/* An unlinked file for output that waits for the verdict. */
static int
spool_open(struct wperr *e)
{
	const char *dir = getenv("TMPDIR");
	char path[PATH_MAX];
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd == -1 && (errno == EOPNOTSUPP || errno == EISDIR ||
	    errno == EINVAL)) {
		if (snprintf(path, sizeof(path), "%s/.wprofck.XXXXXX", dir) >=
		    (int)sizeof(path))
			errno = ENAMETOOLONG;
		else if ((fd = mkostemp(path, O_CLOEXEC)) != -1)
			unlink(path);
	}
	if (fd == -1) {
		wperr_sys(e, "create a spool file");
		e->code = WPE_SPOOL;
	}
	return fd;
}

/* /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N: N, else -1. */
static int
own_stream(const char *path)
{
	static const char *const pfx[] = { "/dev/fd/", "/proc/self/fd/" };
	const char *errstr;
	size_t i, n;
	int fd;

	if (strcmp(path, "/dev/stdout") == 0)
		return STDOUT_FILENO;
	if (strcmp(path, "/dev/stderr") == 0)
		return STDERR_FILENO;
	for (i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++) {
		n = strlen(pfx[i]);
		if (strncmp(path, pfx[i], n) != 0)
			continue;
		fd = (int)strtonum(path + n, 0, INT_MAX, &errstr);
		if (errstr == NULL && fcntl(fd, F_GETFD) != -1)
			return fd;
	}
	return -1;
}

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * The file a chain of symbolic links ends at, existing or not, so that a
 * link is replaced through and a dangling one creates what it names.
 */
static char *
follow_links(const char *path, struct wperr *e)
{
	char *cur, *next, *slash, target[PATH_MAX];
	struct stat st;
	ssize_t n;
	int hops;

	if ((cur = strdup(path)) == NULL) {
		wperr_sys(e, "malloc");
		return NULL;
	}
	for (hops = 0; hops < 40; hops++) {
		if (lstat(cur, &st) == -1 || !S_ISLNK(st.st_mode))
			return cur;
		if ((n = readlink(cur, target, sizeof(target) - 1)) == -1)
			break;
		target[n] = '\0';
		slash = strrchr(cur, '/');
		if (target[0] == '/' || slash == NULL)
			next = strdup(target);
		else if (asprintf(&next, "%.*s/%s", (int)(slash - cur), cur,
		    target) == -1)
			next = NULL;
		if (next == NULL)
			break;
		free(cur);
		cur = next;
	}
	if (hops == 40)
		errno = ELOOP;
	wperr_sys(e, "follow the symbolic link");
	free(cur);
	return NULL;
}

/* Opens OUT's directory and keeps OUT's last component. */
static int
open_dir(struct outfile *of, const char *target, struct wperr *e)
{
	const char *slash = strrchr(target, '/');
	char *dir;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == target)
		dir = strdup("/");
	else
		dir = strndup(target, (size_t)(slash - target));
	if (dir == NULL || (of->base = strdup(slash ? slash + 1 : target)) ==
	    NULL) {
		free(dir);
		return wperr_sys(e, "malloc");
	}
	of->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (of->dirfd == -1) {
		wperr_sys(e, "open the output directory");
		if (errno == ENOENT || errno == ENOTDIR)
			e->code = WPE_NO_DIR;
		return -1;
	}
	if (*of->base == '\0') {
		errno = EISDIR;
		return wperr_sys(e, "open");
	}
	return 0;
}

/* The output goes to dest at commit, held in a spool until then. */
static int
hold_for(struct outfile *of, int dest, int close_dest,
    const struct stat *in, struct wperr *e)
{
	struct stat st;

	of->dest = dest;
	of->close_dest = close_dest;
	if (in != NULL && fstat(dest, &st) == 0 && same_file(&st, in) &&
	    S_ISREG(st.st_mode)) {
		memset(e, 0, sizeof(*e));
		e->code = WPE_SAME_FILE;
		return -1;
	}
	of->spool = 1;
	if ((of->fd = spool_open(e)) == -1)
		return -1;
	return 0;
}

int
outfile_open(struct outfile *of, const char *path, const struct stat *in,
    int sync, struct wperr *e)
{
	struct stat st, fdst;
	char *target = NULL;
	mode_t mode = 0666;
	int fd, exists;

	memset(of, 0, sizeof(*of));
	of->fd = of->dest = of->dirfd = -1;
	of->patch_from = UINT64_MAX;
	of->sync = sync;
	if (writer_new(of, e) == -1) {
		writer_free(of);
		return -1;
	}
	if (path == NULL || strcmp(path, "-") == 0)
		fd = STDOUT_FILENO;
	else
		fd = own_stream(path);
	if (fd != -1) {
		if (hold_for(of, fd, 0, in, e) == -1)
			goto fail;
		return 0;
	}
	if ((target = follow_links(path, e)) == NULL)
		goto fail;
	exists = stat(target, &st) == 0;
	if (!exists && errno != ENOENT) {
		wperr_sys(e, "stat");
		goto fail;
	}
	if (exists && in != NULL && same_file(&st, in)) {
		memset(e, 0, sizeof(*e));
		e->code = WPE_SAME_FILE;
		goto fail;
	}
	for (fd = STDOUT_FILENO; exists && fd <= STDERR_FILENO; fd++) {
		if (fstat(fd, &fdst) == 0 && same_file(&st, &fdst)) {
			free(target);
			if (hold_for(of, fd, 0, in, e) == -1)
				goto fail;
			return 0;
		}
	}
	if (exists && !S_ISREG(st.st_mode)) {
		if ((fd = open(target, O_WRONLY | O_CLOEXEC)) == -1) {
			wperr_sys(e, "open");
			goto fail;
		}
		free(target);
		if (hold_for(of, fd, 1, in, e) == -1)
			goto fail;
		return 0;
	}
	if (exists)
		mode = st.st_mode & 07777;
	of->replace = exists;
	if (open_dir(of, target, e) == -1)
		goto fail;
	of->fd = openat(of->dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
	if (of->fd == -1 && (errno == EOPNOTSUPP || errno == EISDIR ||
	    errno == EINVAL))
		of->fd = tmp_create(of, mode, e);
	else if (of->fd == -1)
		wperr_sys(e, "create a temporary file");
	if (of->fd == -1)
		goto fail;
	/* The umask applied at creation; an existing OUT keeps its mode. */
	if (exists && fchmod(of->fd, mode) == -1) {
		wperr_sys(e, "fchmod");
		goto fail;
	}
	free(target);
	return 0;
fail:
	free(target);
	outfile_abort(of);
	return -1;
}

/*
 * The bytes are gathered into CHUNK-sized buffers that a writer thread
 * writes while this one goes on reading and checksumming, so the CRC and
 * the copies overlap on two cores. The last full buffer is held back one
 * turn (prev), so a header reserved near its end can still be patched in
 * memory (split's case: one header reserved at a time).
 */
#define NBUF	4
#define CHUNK	(1u << 20)
#define WRITER_STACK	(256u << 10)
#define COPY_MIN	(64u << 10)	/* less is gathered, not copied */

struct job {
	int buf;		/* a buffer, or -1: copy from src */
	size_t len;
	uint64_t off;		/* where it goes in the file */
	uint64_t src;		/* where a copy comes from in src */
};

#define NJOB	16

struct outwriter {
	pthread_t thr;
	int started, stop, failed;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int fd, spool;
	int src;		/* the input copy jobs read, or -1 */
	int no_cfr;		/* copy_file_range(2) was refused */
	unsigned char *bounce;	/* copies without copy_file_range(2) */
	unsigned char *buf[NBUF];
	int busy[NBUF];		/* queued or being written */
	struct job job[NJOB];
	unsigned qhead, qn;	/* the queue of jobs, in order */
	struct wperr err;
	/* This thread's side. */
	unsigned cur;		/* the buffer being filled */
	int has_prev;		/* the one before cur is full, not queued */
	uint64_t prev_off;
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
copy_bounce(struct outwriter *w, uint64_t src, uint64_t off, size_t len,
    struct wperr *e)
{
	ssize_t n;

	if (w->bounce == NULL && (w->bounce = malloc(CHUNK)) == NULL)
		return wperr_sys(e, "malloc");
	while (len > 0) {
		n = io_read(w->src, w->bounce, len < CHUNK ? len : CHUNK, src,
		    e);
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
copy_job(struct outwriter *w, const struct job *j, struct wperr *e)
{
	loff_t in = (loff_t)j->src, out = (loff_t)j->off;
	size_t len = j->len;
	ssize_t n;

	while (len > 0 && !w->no_cfr) {
		n = copy_file_range(w->src, &in, w->fd, &out, len, 0);
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
	return copy_bounce(w, (uint64_t)in, (uint64_t)out, len, e);
}

static void *
writer_main(void *arg)
{
	struct outwriter *w = arg;
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
		if (rc == -1) {
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

static int
writer_new(struct outfile *of, struct wperr *e)
{
	struct outwriter *w;
	unsigned i;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return wperr_sys(e, "malloc");
	of->w = w;
	w->src = -1;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	for (i = 0; i < NBUF; i++)
		if ((w->buf[i] = malloc(CHUNK)) == NULL)
			return wperr_sys(e, "malloc");
	return 0;
}

static void
writer_free(struct outfile *of)
{
	struct outwriter *w = of->w;
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
	}
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	for (i = 0; i < NBUF; i++)
		free(w->buf[i]);
	free(w->bounce);
	free(w);
	of->w = NULL;
}

/*
 * Queues a job: buffer i (len bytes for offset off), or with i -1 a copy
 * of len bytes from src in the input.
 */
static int
enqueue_job(struct outfile *of, int i, size_t len, uint64_t off,
    uint64_t src, struct wperr *e)
{
	struct outwriter *w = of->w;
	pthread_attr_t attr;
	struct job *j;
	int rc;

	if (!w->started) {
		w->fd = of->fd;
		w->spool = of->spool;
		/* It needs little stack; the default 8 MiB would count. */
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, WRITER_STACK);
		rc = pthread_create(&w->thr, &attr, writer_main, w);
		pthread_attr_destroy(&attr);
		if (rc != 0) {
			errno = rc;
			return wperr_sys(e, "start the writer thread");
		}
		w->started = 1;
	}
	pthread_mutex_lock(&w->mu);
	while (w->qn == NJOB)
		pthread_cond_wait(&w->cv, &w->mu);
	j = &w->job[(w->qhead + w->qn) % NJOB];
	j->buf = i;
	j->len = len;
	j->off = off;
	j->src = src;
	if (i >= 0)
		w->busy[i] = 1;
	w->qn++;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return 0;
}

static int
enqueue(struct outfile *of, unsigned i, size_t len, uint64_t off,
    struct wperr *e)
{
	return enqueue_job(of, (int)i, len, off, 0, e);
}

/* Waits until buffer i is free, or every buffer when i is NBUF. */
static int
await(struct outfile *of, unsigned i, struct wperr *e)
{
	struct outwriter *w = of->w;
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

/* cur is full: it becomes prev, the old prev goes to the writer. */
static int
advance(struct outfile *of, struct wperr *e)
{
	struct outwriter *w = of->w;
	unsigned prev = (w->cur + NBUF - 1) % NBUF;

	if (w->has_prev && enqueue(of, prev, CHUNK, w->prev_off, e) == -1)
		return -1;
	/* Held back only while a reserved header in it awaits its patch. */
	w->has_prev = of->patch_from != UINT64_MAX &&
	    of->patch_from >= of->flushed;
	if (w->has_prev)
		w->prev_off = of->flushed;
	else if (enqueue(of, w->cur, of->glen, of->flushed, e) == -1)
		return -1;
	of->flushed += of->glen;
	of->glen = 0;
	w->cur = (w->cur + 1) % NBUF;
	return await(of, w->cur, e);
}

/* Everything to the file, and nothing in flight. */
static int
drain(struct outfile *of, struct wperr *e)
{
	struct outwriter *w = of->w;
	unsigned prev = (w->cur + NBUF - 1) % NBUF;

	if (w->has_prev && enqueue(of, prev, CHUNK, w->prev_off, e) == -1)
		return -1;
	w->has_prev = 0;
	if (of->glen > 0) {
		if (enqueue(of, w->cur, of->glen, of->flushed, e) == -1)
			return -1;
		of->flushed += of->glen;
		of->glen = 0;
		w->cur = (w->cur + 1) % NBUF;
	}
	return await(of, NBUF, e);
}

int
outfile_write(struct outfile *of, const void *buf, size_t len,
    struct wperr *e)
{
	const unsigned char *p = buf;
	size_t n;

	while (len > 0) {
		if (of->glen == CHUNK && advance(of, e) == -1)
			return -1;
		n = CHUNK - of->glen;
		if (n > len)
			n = len;
		memcpy(of->w->buf[of->w->cur] + of->glen, p, n);
		of->glen += n;
		of->pos += n;
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * The same bytes as outfile_write(of, buf, len), taken from src at offset
 * srcoff by the writer thread, in the kernel where it can.
 */
int
outfile_copy(struct outfile *of, const void *buf, size_t len, int src,
    uint64_t srcoff, struct wperr *e)
{
	struct outwriter *w = of->w;

	if (w->has_prev || of->patch_from != UINT64_MAX ||
	    (w->src != -1 && w->src != src) || len < COPY_MIN)
		return outfile_write(of, buf, len, e);
	w->src = src;
	if (of->glen > 0) {
		if (enqueue(of, w->cur, of->glen, of->flushed, e) == -1)
			return -1;
		of->flushed += of->glen;
		of->glen = 0;
		w->cur = (w->cur + 1) % NBUF;
		if (await(of, w->cur, e) == -1)
			return -1;
	}
	if (enqueue_job(of, -1, len, of->flushed, srcoff, e) == -1)
		return -1;
	of->flushed += len;
	of->pos += len;
	return 0;
}

int
outfile_flush(struct outfile *of, struct wperr *e)
{
	return drain(of, e);
}

int
outfile_reserve(struct outfile *of, size_t len, uint64_t *off,
    struct wperr *e)
{
	static const unsigned char zero[64];

	if (len > sizeof(zero)) {
		errno = EINVAL;
		return wperr_sys(e, "outfile_reserve");
	}
	*off = of->pos;
	if (of->patch_from == UINT64_MAX)
		of->patch_from = *off;
	return outfile_write(of, zero, len, e);
}

int
outfile_patch(struct outfile *of, uint64_t off, const void *buf, size_t len,
    struct wperr *e)
{
	struct outwriter *w = of->w;
	const unsigned char *p = buf;
	unsigned prev = (w->cur + NBUF - 1) % NBUF;
	size_t n;

	if (off == of->patch_from)
		of->patch_from = UINT64_MAX;
	/* In memory still (cur, or prev held back), else in the file. */
	if (off >= (w->has_prev ? w->prev_off : of->flushed)) {
		if (off < of->flushed) {
			n = (size_t)(of->flushed - off);
			if (n > len)
				n = len;
			memcpy(w->buf[prev] + (off - w->prev_off), p, n);
			p += n;
			off += n;
			len -= n;
		}
		if (len > 0)
			memcpy(w->buf[w->cur] + (off - of->flushed), p, len);
		return 0;
	}
	if (drain(of, e) == -1)
		return -1;
	return io_write(of->fd, buf, len, off, e);
}

void
outfile_mark(struct outfile *of)
{
	of->mark = of->pos;
}

/*
 * The file keeps the bytes past the mark until commit truncates them; a
 * failure to drain shows again at commit.
 */
void
outfile_rewind(struct outfile *of)
{
	struct wperr e;

	if (of->mark >= of->flushed)
		of->glen = (size_t)(of->mark - of->flushed);
	else {
		(void)drain(of, &e);
		of->flushed = of->mark;
	}
	of->pos = of->mark;
}

static int
finish_data(struct outfile *of, struct wperr *e)
{
	struct stat st;

	if (drain(of, e) == -1)
		return -1;
	if (fstat(of->fd, &st) == -1)
		return wperr_sys(e, "fstat");
	if ((uint64_t)st.st_size > of->pos &&
	    ftruncate(of->fd, (off_t)of->pos) == -1)
		return wperr_sys(e, "ftruncate");
	return 0;
}

int
outfile_dup(struct outfile *of, struct wperr *e)
{
	int fd;

	if (finish_data(of, e) == -1)
		return -1;
	if ((fd = fcntl(of->fd, F_DUPFD_CLOEXEC, 3)) == -1)
		return wperr_sys(e, "dup");
	return fd;
}

/* Copies the spool, from offset 0, to dest at its own position. */
static int
copy_spool(struct outfile *of, struct wperr *e)
{
	unsigned char *buf = of->w->buf[0];
	uint64_t left = of->pos;
	off_t off = 0;
	ssize_t n;

	while (left > 0) {
		n = sendfile(of->dest, of->fd, &off, left > (1u << 30) ?
		    1u << 30 : (size_t)left);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			io_wait(of->dest, POLLOUT);	/* a non-blocking pipe */
			continue;
		}
		if (n == -1 && (errno == EINVAL || errno == ENOSYS))
			break;
		if (n == -1)
			return wperr_sys(e, "write");
		if (n == 0) {
			errno = EIO;
			return wperr_sys(e, "write");
		}
		left -= (uint64_t)n;
	}
	while (left > 0) {
		n = io_read(of->fd, buf, left < CHUNK ? (size_t)left : CHUNK,
		    (uint64_t)off, e);
		if (n == -1)
			return -1;
		if (n == 0) {
			errno = EIO;
			return wperr_sys(e, "the spool file shrank");
		}
		if (io_write(of->dest, buf, (size_t)n, IO_AT_CURRENT, e) == -1)
			return -1;
		off += n;
		left -= (uint64_t)n;
	}
	return 0;
}

/* Links the finished file to a fresh name in OUT's directory. */
static int
link_tmpfile(struct outfile *of, const char *name)
{
	char proc[64];

	if (linkat(of->fd, "", of->dirfd, name, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOENT && errno != EPERM)
		return -1;
	/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc does not. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", of->fd);
	return linkat(AT_FDCWD, proc, of->dirfd, name, AT_SYMLINK_FOLLOW);
}

static int
commit_link(struct outfile *of, struct wperr *e)
{
	int i;

	if (of->tmp[0] == '\0') {
		if (!of->replace) {
			if (link_tmpfile(of, of->base) == 0)
				return 0;
			if (errno != EEXIST)
				return wperr_sys(e, "link the output file");
		}
		for (i = 0; i < LINK_TRIES; i++) {
			tmp_name(of->tmp, sizeof(of->tmp));
			if (pending_add(of->dirfd, of->tmp, e) == -1)
				return -1;
			if (link_tmpfile(of, of->tmp) == 0)
				break;
			pending_del(of->tmp);
			if (errno != EEXIST) {
				of->tmp[0] = '\0';
				return wperr_sys(e, "link the output file");
			}
		}
		if (i == LINK_TRIES) {
			of->tmp[0] = '\0';
			return wperr_sys(e, "link the output file");
		}
	}
	if (renameat(of->dirfd, of->tmp, of->dirfd, of->base) == -1)
		return wperr_sys(e, "rename");
	pending_del(of->tmp);
	of->tmp[0] = '\0';
	return 0;
}

int
outfile_commit(struct outfile *of, struct wperr *e)
{
	struct stat st;

	if (finish_data(of, e) == -1)
		goto fail;
	if (of->dest != -1) {
		if (copy_spool(of, e) == -1)
			goto fail;
		if (of->sync && fstat(of->dest, &st) == 0 &&
		    S_ISREG(st.st_mode) && fsync(of->dest) == -1) {
			wperr_sys(e, "fsync");
			goto fail;
		}
		if (of->close_dest) {
			of->close_dest = 0;
			if (close(of->dest) == -1) {
				wperr_sys(e, "close");
				goto fail;
			}
		}
		outfile_abort(of);
		return 0;
	}
	if (of->sync && fsync(of->fd) == -1) {
		wperr_sys(e, "fsync");
		goto fail;
	}
	if (commit_link(of, e) == -1)
		goto fail;
	if (of->sync && fsync(of->dirfd) == -1) {
		wperr_sys(e, "fsync the directory");
		goto fail;
	}
	if (close(of->fd) == -1) {
		of->fd = -1;
		wperr_sys(e, "close");
		goto fail;
	}
	of->fd = -1;
	outfile_abort(of);
	return 0;
fail:
	outfile_abort(of);
	return -1;
}

void
outfile_abort(struct outfile *of)
{
	if (of->fd != -1)
		close(of->fd);
	of->fd = -1;
	if (of->tmp[0] != '\0') {
		unlinkat(of->dirfd, of->tmp, 0);
		pending_del(of->tmp);
		of->tmp[0] = '\0';
	}
	if (of->close_dest)
		close(of->dest);
	of->close_dest = 0;
	of->dest = -1;
	if (of->dirfd != -1)
		close(of->dirfd);
	of->dirfd = -1;
	free(of->base);
	of->base = NULL;
	writer_free(of);
}
