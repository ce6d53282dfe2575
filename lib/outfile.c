#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wprofck.h"

/*
 * Temporary files that a signal handler must remove. Slots are set before
 * the file exists and cleared before the name is freed.
 */
#define OUTFILE_MAX 4
static char *volatile pending[OUTFILE_MAX];

static void
pending_set(const char *from, char *to)
{
	size_t i;

	for (i = 0; i < OUTFILE_MAX; i++) {
		if (pending[i] == from) {
			pending[i] = to;
			return;
		}
	}
}

void
outfile_unlink_all(void)
{
	size_t i;

	for (i = 0; i < OUTFILE_MAX; i++)
		if (pending[i] != NULL)
			unlink(pending[i]);
}

static mode_t
create_mode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

/*
 * Spec section 4: a new path or a regular file is replaced by rename from
 * a temporary file beside it; anything else that exists (a device, a FIFO)
 * is opened and written in place, never renamed over.
 */
int
outfile_open(struct outfile *of, const char *path, const struct stat *in,
    struct wperr *e)
{
	struct stat st;
	char *target = NULL, *dir = NULL, *copy = NULL;
	mode_t mode;
	int n;

	memset(of, 0, sizeof(*of));
	of->fd = -1;
	if (stat(path, &st) == 0) {
		if (in != NULL && st.st_dev == in->st_dev &&
		    st.st_ino == in->st_ino) {
			memset(e, 0, sizeof(*e));
			e->code = WPE_SAME_FILE;
			return -1;
		}
		if (!S_ISREG(st.st_mode)) {
			if ((of->fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
				return wperr_sys(e, "open");
			of->direct = 1;
			return 0;
		}
		mode = st.st_mode & 07777;
		/* Replace the file a symbolic link names, not the link. */
		if ((target = realpath(path, NULL)) == NULL)
			return wperr_sys(e, "realpath");
	} else if (errno == ENOENT) {
		mode = create_mode();
		if ((target = strdup(path)) == NULL)
			return wperr_sys(e, "strdup");
	} else
		return wperr_sys(e, "stat");

	if ((copy = strdup(target)) == NULL) {
		wperr_sys(e, "strdup");
		goto fail;
	}
	dir = dirname(copy);
	n = snprintf(NULL, 0, "%s/.wprofck.XXXXXX", dir);
	if (n < 0 || (of->tmp = malloc((size_t)n + 1)) == NULL) {
		wperr_sys(e, "malloc");
		goto fail;
	}
	snprintf(of->tmp, (size_t)n + 1, "%s/.wprofck.XXXXXX", dir);
	pending_set(NULL, of->tmp);
	if ((of->fd = mkostemp(of->tmp, O_CLOEXEC)) == -1) {
		wperr_sys(e, "create a temporary file");
		goto fail;
	}
	if (fchmod(of->fd, mode) == -1) {
		wperr_sys(e, "fchmod");
		goto fail;
	}
	of->path = target;
	free(copy);
	return 0;
fail:
	if (of->fd != -1)
		unlink(of->tmp);
	outfile_abort(of);
	free(target);
	free(copy);
	return -1;
}

static int
write_all(int fd, const void *buf, size_t len, struct wperr *e)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return wperr_sys(e, "write");
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Writeback of a temporary file is started every WRITEBEHIND bytes, so
 * the disk works while the input is still being read and the final fsync
 * waits only for the tail.
 */
#define WRITEBEHIND (8u << 20)

int
outfile_write(struct outfile *of, const void *buf, size_t len,
    struct wperr *e)
{
	if (write_all(of->fd, buf, len, e) == -1)
		return -1;
	if (of->direct)
		return 0;
	of->written += len;
	if (of->written - of->synced >= WRITEBEHIND) {
		/* Only a hint: fsync at commit is what guarantees. */
		(void)sync_file_range(of->fd, (off_t)of->synced,
		    (off_t)(of->written - of->synced), SYNC_FILE_RANGE_WRITE);
		of->synced = of->written;
	}
	return 0;
}

static void
sync_dir(const char *path)
{
	char *copy;
	int fd;

	if ((copy = strdup(path)) == NULL)
		return;
	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

int
outfile_commit(struct outfile *of, struct wperr *e)
{
	int fd = of->fd;

	of->fd = -1;
	if (of->direct) {
		if (close(fd) == -1)
			return wperr_sys(e, "close");
		return 0;
	}
	if (fsync(fd) == -1) {
		wperr_sys(e, "fsync");
		close(fd);
		goto fail;
	}
	if (close(fd) == -1) {
		wperr_sys(e, "close");
		goto fail;
	}
	if (rename(of->tmp, of->path) == -1) {
		wperr_sys(e, "rename");
		goto fail;
	}
	sync_dir(of->path);
	pending_set(of->tmp, NULL);
	free(of->tmp);
	of->tmp = NULL;
	free(of->path);
	of->path = NULL;
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
	if (of->tmp != NULL) {
		unlink(of->tmp);
		pending_set(of->tmp, NULL);
		free(of->tmp);
		of->tmp = NULL;
	}
	free(of->path);
	of->path = NULL;
}

/* An unlinked scratch file for output that must wait for a verdict. */
int
spool_open(struct wperr *e)
{
	const char *dir = getenv("TMPDIR");
	char path[PATH_MAX];
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	if ((fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) != -1)
		return fd;
	if (snprintf(path, sizeof(path), "%s/.wprofck.XXXXXX", dir) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return wperr_sys(e, "create a spool file in $TMPDIR");
	}
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1)
		return wperr_sys(e, "create a spool file in $TMPDIR");
	unlink(path);
	return fd;
}

/* Copies len bytes of from, starting at offset 0, to the end of to. */
int
fd_copy(int from, int to, uint64_t len, struct wperr *e)
{
	char buf[1 << 16];
	off_t off = 0;
	ssize_t n;

	while (len > 0) {
		n = sendfile(to, from, &off, len > (1u << 30) ? 1u << 30 :
		    (size_t)len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EINVAL || errno == ENOSYS))
			break;
		if (n == -1)
			return wperr_sys(e, "write");
		if (n == 0) {
			errno = EIO;
			return wperr_sys(e, "spool file shrank");
		}
		len -= (uint64_t)n;
	}
	while (len > 0) {
		n = pread(from, buf, len < sizeof(buf) ? (size_t)len :
		    sizeof(buf), off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return wperr_sys(e, "read spool file");
		if (n == 0) {
			errno = EIO;
			return wperr_sys(e, "spool file shrank");
		}
		if (write_all(to, buf, (size_t)n, e) == -1)
			return -1;
		off += n;
		len -= (uint64_t)n;
	}
	return 0;
}
