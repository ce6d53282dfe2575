/*
 * io_*: the one read loop and the one write loop, every result checked,
 * and the facts of a file that say whether it was written to. Nothing
 * here prints or exits.
 */
#ifndef IO_H
#define IO_H

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

struct wperr;

#define IO_AT_CURRENT	UINT64_MAX	/* io_read: read at the file offset */

/* Opens an input without blocking on a FIFO that has no writer yet. */
int io_open(const char *path, struct wperr *);
/* One read: -1 on error, 0 at the end; EINTR is retried. */
ssize_t io_read(int fd, void *, size_t, uint64_t off, struct wperr *);
/*
 * All of buf or an error; a write that returns 0 is EIO. A descriptor in
 * non-blocking mode (a pipe someone else set so) is waited on with
 * poll(2), never given up on.
 */
int io_write(int fd, const void *, size_t, uint64_t off, struct wperr *);
/* Waits until fd is ready for events (POLLIN, POLLOUT); EINTR retried. */
void io_wait(int fd, short events);
/*
 * Whether two fstat(2)s of one file show it untouched in between: the same
 * file, size, modification and change times. A write within one tick of
 * the file system's clock changes neither time and is not seen.
 */
int io_same_file_state(const struct stat *, const struct stat *);
/*
 * Opens each of 0, 1 and 2 that is closed on /dev/null, as OpenBSD's libc
 * and git do, so that no file the program opens later takes its number.
 * Returns -1 when one could not be opened. io_std_closed() says whether
 * fd was closed when the program started.
 */
int io_std_fds(void);
int io_std_closed(int fd);

#endif
