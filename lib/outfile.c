#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "io.h"
#include "outfile.h"
#include "writer.h"

/*
 * Output files by spec section 4. The bytes go into an unnamed O_TMPFILE
 * in OUT's directory, linked into place at commit, so a process killed in
 * any way before the commit leaves nothing behind. Replacing an existing
 * OUT needs a name for an instant: Linux cannot link an O_TMPFILE over a
 * name, so it is linked to a .wprofck.* name and renamed over OUT, two
 * system calls in a row. Only where the filesystem refuses O_TMPFILE is a
 * named temporary file used all along. Named temporary files are listed
 * for the program's fatal-signal handlers (outfile_unlink_all()). Output
 * written in place (standard output, a device, a FIFO) waits in an
 * unlinked spool file until the verdict.
 */

#define LINK_TRIES	16

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

static int
pending_add(int dirfd, const char *name, struct wperr *e)
{
	size_t i;

	for (i = 0; i < PENDING_MAX; i++) {
		if (pending_name[i] == NULL) {
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

/* The prefix and six random letters: short, whatever OUT's name is. */
static void
tmp_name(char *buf, size_t len)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	uint32_t r;
	size_t i;

	snprintf(buf, len, OUTFILE_TMP_PREFIX "XXXXXX");
	for (i = sizeof(OUTFILE_TMP_PREFIX) - 1; buf[i] != '\0'; i++) {
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
		if (snprintf(path, sizeof(path), "%s/" OUTFILE_TMP_PREFIX
		    "XXXXXX", dir) >= (int)sizeof(path))
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

/* /dev/fd/N, /proc/self/fd/N with N open: N, else -1. */
static int
own_fd(const char *path)
{
	static const char *const pfx[] = { "/dev/fd/", "/proc/self/fd/" };
	const char *errstr;
	size_t i, n;
	int fd;

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
 * The file a chain of dangling symbolic links ends at, which '>' would
 * create. Called only once stat(2) has failed with ENOENT: the kernel has
 * then followed every link of the chain under its own rules
 * (fs.protected_symlinks) and found the last one dangling.
 */
static char *
dangling_target(const char *path, struct wperr *e)
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

/*
 * The path the kernel opened fd by, from /proc; NULL with errno when
 * /proc does not say.
 */
static char *
fd_path(int fd)
{
	char proc[64], buf[PATH_MAX];
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if ((n = readlink(proc, buf, sizeof(buf) - 1)) == -1)
		return NULL;
	buf[n] = '\0';
	if (buf[0] != '/') {
		errno = ENOENT;
		return NULL;
	}
	return strdup(buf);
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
	if (of->dirfd == -1) {
		wperr_sys(e, "open the output directory");
		if (errno == ENOENT || errno == ENOTDIR) {
			e->code = WPE_NO_DIR;
			strlcpy(e->path, dir, sizeof(e->path));
		}
		free(dir);
		return -1;
	}
	free(dir);
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

/* Standard output or error, when st is the file one of them is open on. */
static int
std_stream(const struct stat *st)
{
	struct stat fdst;
	int fd;

	for (fd = STDOUT_FILENO; fd <= STDERR_FILENO; fd++)
		if (fstat(fd, &fdst) == 0 && same_file(st, &fdst))
			return fd;
	return -1;
}

/*
 * An existing OUT, opened as '>' opens it (O_CREAT, no O_TRUNC): the
 * kernel follows the links and applies fs.protected_symlinks,
 * protected_regular and protected_fifos, and write permission, so what the
 * shell refuses is refused here too. A FIFO or a device is then written
 * through this descriptor; a regular file is replaced at the path the
 * kernel resolved.
 */
static int
open_existing(struct outfile *of, const char *path, const struct stat *in,
    char **target, struct wperr *e)
{
	struct stat st;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_NOCTTY | O_CLOEXEC,
	    0666)) == -1)
		return wperr_sys(e, "open");
	if (fstat(fd, &st) == -1) {
		wperr_sys(e, "fstat");
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode))
		return hold_for(of, fd, 1, in, e);
	*target = fd_path(fd);
	close(fd);
	if (*target == NULL)
		return wperr_sys(e, "find the file the path names");
	of->replace = 1;
	return 0;
}

static int
open_tmpfile(struct outfile *of, const char *target, mode_t mode,
    struct wperr *e)
{
	if (open_dir(of, target, e) == -1)
		return -1;
	of->fd = openat(of->dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
	if (of->fd == -1 && (errno == EOPNOTSUPP || errno == EISDIR ||
	    errno == EINVAL))
		of->fd = tmp_create(of, mode, e);
	else if (of->fd == -1)
		wperr_sys(e, "create a temporary file");
	if (of->fd == -1)
		return -1;
	/* The umask applied at creation; an existing OUT keeps its mode. */
	if (of->replace && fchmod(of->fd, mode) == -1)
		return wperr_sys(e, "fchmod");
	return 0;
}

/* Every step that can fail leaves what it made in of, for one cleanup. */
static int
open_out(struct outfile *of, const char *path, const struct stat *in,
    char **target, struct wperr *e)
{
	struct stat st;
	int fd;

	if (path == NULL || strcmp(path, "-") == 0)
		return hold_for(of, STDOUT_FILENO, 0, in, e);
	if ((fd = own_fd(path)) != -1)
		return hold_for(of, fd, 0, in, e);
	if (stat(path, &st) == -1) {
		if (errno != ENOENT)
			return wperr_sys(e, "open");
		if ((*target = dangling_target(path, e)) == NULL)
			return -1;
		return open_tmpfile(of, *target, 0666, e);
	}
	if (in != NULL && same_file(&st, in)) {
		memset(e, 0, sizeof(*e));
		e->code = WPE_SAME_FILE;
		return -1;
	}
	/* /dev/stdout, //dev/stdout, /proc/PID/fd/1, a name of the file. */
	if ((fd = std_stream(&st)) != -1)
		return hold_for(of, fd, 0, in, e);
	if (open_existing(of, path, in, target, e) == -1)
		return -1;
	if (*target == NULL)
		return 0;
	return open_tmpfile(of, *target, st.st_mode & 07777, e);
}

int
outfile_open(struct outfile *of, const char *path, const struct stat *in,
    int sync, struct wperr *e)
{
	char *target = NULL;
	int rc;

	memset(of, 0, sizeof(*of));
	of->fd = of->dest = of->dirfd = -1;
	of->sync = sync;
	rc = open_out(of, path, in, &target, e);
	free(target);
	if (rc == 0 && (of->w = writer_new(of->fd, of->spool, 0, e)) == NULL)
		rc = -1;
	if (rc == -1)
		outfile_abort(of);
	return rc;
}

int
outfile_write(struct outfile *of, const void *buf, size_t len,
    struct wperr *e)
{
	return writer_write(of->w, buf, len, e);
}

int
outfile_copy(struct outfile *of, const void *buf, size_t len, int src,
    uint64_t srcoff, struct wperr *e)
{
	return writer_copy(of->w, buf, len, src, srcoff, e);
}

int
outfile_flush(struct outfile *of, struct wperr *e)
{
	return writer_flush(of->w, e);
}

int
outfile_reserve(struct outfile *of, size_t len, uint64_t *off,
    struct wperr *e)
{
	return writer_reserve(of->w, len, off, e);
}

int
outfile_patch(struct outfile *of, uint64_t off, const void *buf, size_t len,
    struct wperr *e)
{
	return writer_patch(of->w, off, buf, len, e);
}

void
outfile_mark(struct outfile *of)
{
	writer_mark(of->w);
}

void
outfile_rewind(struct outfile *of)
{
	writer_rewind(of->w);
}

void
outfile_rewind_to(struct outfile *of, uint64_t off)
{
	writer_rewind_to(of->w, off);
}

uint64_t
outfile_size(const struct outfile *of)
{
	return writer_size(of->w);
}

int
outfile_dup(struct outfile *of, struct wperr *e)
{
	int fd;

	if (writer_finish(of->w, e) == -1)
		return -1;
	if ((fd = fcntl(of->fd, F_DUPFD_CLOEXEC, 3)) == -1)
		return wperr_sys(e, "dup");
	return fd;
}

#define COPY_BUF	(1u << 20)

/* Copies len bytes of the spool, from offset 0, to dest at its position. */
static int
copy_spool(struct outfile *of, uint64_t left, struct wperr *e)
{
	unsigned char *buf;
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
	if (left == 0)
		return 0;
	if ((buf = malloc(COPY_BUF)) == NULL)
		return wperr_sys(e, "malloc");
	while (left > 0) {
		n = io_read(of->fd, buf, left < COPY_BUF ? (size_t)left :
		    COPY_BUF, (uint64_t)off, e);
		if (n == 0) {
			errno = EIO;
			n = wperr_sys(e, "the spool file shrank");
		}
		if (n == -1 || io_write(of->dest, buf, (size_t)n,
		    IO_AT_CURRENT, e) == -1) {
			free(buf);
			return -1;
		}
		off += n;
		left -= (uint64_t)n;
	}
	free(buf);
	return 0;
}

/*
 * Writes the spool to dest. A regular dest that the copy fails on is cut
 * back to the size it had and its offset put back, so a failed command
 * leaves no part of its output in it; the bytes it overwrote, if it was
 * opened without O_TRUNC or O_APPEND over earlier data, cannot come back.
 */
static int
write_in_place(struct outfile *of, struct wperr *e)
{
	struct stat st;
	off_t start = -1, size = 0;
	int append = 0, fl;

	if (fstat(of->dest, &st) == 0 && S_ISREG(st.st_mode)) {
		size = st.st_size;
		fl = fcntl(of->dest, F_GETFL);
		append = fl != -1 && (fl & O_APPEND);
		start = append ? size : lseek(of->dest, 0, SEEK_CUR);
	}
	if (copy_spool(of, writer_size(of->w), e) == 0)
		return 0;
	if (start != -1) {
		(void)ftruncate(of->dest, start > size ? start : size);
		if (!append)
			(void)lseek(of->dest, start, SEEK_SET);
	}
	return -1;
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

/*
 * A new OUT is one link. An existing one is replaced by a link to a
 * temporary name and a rename over OUT, nothing in between: a SIGKILL
 * between the two leaves the .wprofck.* name, which check reports.
 */
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

static int
commit(struct outfile *of, struct wperr *e)
{
	struct stat st;
	int rc;

	if (writer_finish(of->w, e) == -1)
		return -1;
	if (of->dest != -1) {
		if (write_in_place(of, e) == -1)
			return -1;
		if (of->sync && fstat(of->dest, &st) == 0 &&
		    S_ISREG(st.st_mode) && fsync(of->dest) == -1)
			return wperr_sys(e, "fsync");
		if (of->close_dest) {
			of->close_dest = 0;
			if (close(of->dest) == -1)
				return wperr_sys(e, "close");
		}
		return 0;
	}
	if (of->sync && fsync(of->fd) == -1)
		return wperr_sys(e, "fsync");
	if (commit_link(of, e) == -1)
		return -1;
	if (of->sync && fsync(of->dirfd) == -1)
		return wperr_sys(e, "fsync the directory");
	/* Some filesystems report a failed write only here. */
	rc = close(of->fd);
	of->fd = -1;
	if (rc == -1)
		return wperr_sys(e, "close");
	return 0;
}

int
outfile_commit(struct outfile *of, struct wperr *e)
{
	int rc = commit(of, e);

	outfile_abort(of);
	return rc;
}

void
outfile_abort(struct outfile *of)
{
	/* The thread first: it may still be writing to fd. */
	writer_free(of->w);
	of->w = NULL;
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
}
