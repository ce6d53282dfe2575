#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "io.h"
#include "err.h"

/*
 * Opened with O_NONBLOCK so that a FIFO with no writer does not hang the
 * open. A FIFO keeps it: the pump waits for data with poll(2), and a FIFO
 * that still has no writer after a grace period reads as empty.
 */
int
io_open(const char *path, struct wperr *e)
{
	struct stat st;
	int fd, fl;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return wperr_sys(e, NULL);
	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		return fd;
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1) {
		wperr_sys(e, "fcntl");
		close(fd);
		return -1;
	}
	return fd;
}

ssize_t
io_read(int fd, void *buf, size_t len, uint64_t off, struct wperr *e)
{
	ssize_t n;

	do {
		if (off == IO_AT_CURRENT)
			n = read(fd, buf, len);
		else
			n = pread(fd, buf, len, (off_t)off);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return wperr_sys(e, "read");
	return n;
}

void
io_wait(int fd, short events)
{
	struct pollfd pfd = { fd, events, 0 };

	while (poll(&pfd, 1, -1) == -1 && errno == EINTR)
		;
}

int
io_write(int fd, const void *buf, size_t len, uint64_t off, struct wperr *e)
{
	const unsigned char *p = buf;
	ssize_t n;

	while (len > 0) {
		if (off == IO_AT_CURRENT)
			n = write(fd, p, len);
		else
			n = pwrite(fd, p, len, (off_t)off);
		if (n == -1 && errno == EINTR)
			continue;
		/* O_NONBLOCK is the open file's, shared with whoever set it. */
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			io_wait(fd, POLLOUT);
			continue;
		}
		if (n == 0)
			errno = EIO;
		if (n <= 0)
			return wperr_sys(e, "write");
		p += n;
		len -= (size_t)n;
		if (off != IO_AT_CURRENT)
			off += (uint64_t)n;
	}
	return 0;
}

int
io_same_file_state(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static int std_closed;	/* bit fd: fd was closed at startup */

int
io_std_fds(void)
{
	int fd, rc = 0;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		/* open(2) takes the lowest free number: this one. */
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			rc = -1;
		std_closed |= 1 << fd;
	}
	return rc;
}

int
io_std_closed(int fd)
{
	return fd >= 0 && fd <= 2 && (std_closed & 1 << fd) != 0;
}
