/*
 * shim.so: an LD_PRELOAD library that makes the system calls wprofck's
 * tests cannot provoke otherwise. Each is switched on by the environment:
 *   WPSHIM_WRITE0=1      write(2) and pwrite(2) to a descriptor above 2
 *                        return 0
 *   WPSHIM_FSYNC=FILE    every fsync(2) appends a line "fsync" to FILE
 *   WPSHIM_NO_TMPFILE=1  open and openat refuse O_TMPFILE (EOPNOTSUPP)
 *   WPSHIM_SHRINK=1      the first pread(2) of a regular file halves it
 *   WPSHIM_GROW=1        the first pread(2) of a regular file appends 1 KiB
 *                        (SHRINK and GROW act on the first mmap(2) of a
 *                        regular file instead when it comes first)
 *   WPSHIM_MAP_AT=N      ... or on the Nth mmap(2) of a regular file, and
 *                        never on a pread(2)
 *   WPSHIM_NO_MMAP=1     mmap(2) of a regular file fails (ENODEV)
 *   WPSHIM_NO_CFR=1      copy_file_range(2) fails (EXDEV)
 *   WPSHIM_FAIL=WHAT,... each named call fails with errno WPSHIM_ERRNO
 *                        (a number, default EIO): tmpfile (an open with
 *                        O_TMPFILE), excl (an open with O_CREAT|O_EXCL),
 *                        dir (an open with O_DIRECTORY), fchmod, thread
 *                        (pthread_create), link (linkat), rename (renameat)
 *   WPSHIM_STOP_MAP=1    the first mmap(2) of a regular file stops the
 *                        process (SIGSTOP) once the file is mapped
 *   WPSHIM_POKE=OFF      where SHRINK would act: 20 ms later (a new tick
 *                        of the file system's clock), zeroes the byte at
 *                        OFF in place, the size unchanged
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int
on(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

ssize_t
write(int fd, const void *buf, size_t len)
{
	if (fd > 2 && len > 0 && on("WPSHIM_WRITE0"))
		return 0;
	return syscall(SYS_write, fd, buf, len);
}

ssize_t
pwrite(int fd, const void *buf, size_t len, off_t off)
{
	if (fd > 2 && len > 0 && on("WPSHIM_WRITE0"))
		return 0;
	return syscall(SYS_pwrite64, fd, buf, len, off);
}

ssize_t pwrite64(int, const void *, size_t, off_t)
    __attribute__((alias("pwrite")));

static void
log_fsync(void)
{
	const char *path = getenv("WPSHIM_FSYNC");
	int fd;

	if (path == NULL || *path == '\0')
		return;
	fd = (int)syscall(SYS_openat, AT_FDCWD, path,
	    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd == -1)
		return;
	syscall(SYS_write, fd, "fsync\n", 6);
	syscall(SYS_close, fd);
}

int
fsync(int fd)
{
	log_fsync();
	return (int)syscall(SYS_fsync, fd);
}

int
fdatasync(int fd)
{
	log_fsync();
	return (int)syscall(SYS_fdatasync, fd);
}

/* Whether WPSHIM_FAIL names what; if so errno is set to fail with. */
static int
fails(const char *what)
{
	const char *v = getenv("WPSHIM_FAIL"), *p, *num;
	size_t n = strlen(what);

	for (p = v; p != NULL && *p != '\0'; p += strcspn(p, ",")) {
		p += *p == ',';
		if (strncmp(p, what, n) == 0 && (p[n] == ',' || p[n] == '\0')) {
			num = getenv("WPSHIM_ERRNO");
			errno = num != NULL && *num != '\0' ? atoi(num) : EIO;
			return 1;
		}
	}
	return 0;
}

static int
refuse(int flags)
{
	if ((flags & O_TMPFILE) == O_TMPFILE && on("WPSHIM_NO_TMPFILE")) {
		errno = EOPNOTSUPP;
		return 1;
	}
	if ((flags & O_TMPFILE) == O_TMPFILE && fails("tmpfile"))
		return 1;
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL) &&
	    fails("excl"))
		return 1;
	if ((flags & O_TMPFILE) != O_TMPFILE && (flags & O_DIRECTORY) &&
	    fails("dir"))
		return 1;
	return 0;
}

int
fchmod(int fd, mode_t mode)
{
	if (fails("fchmod"))
		return -1;
	return (int)syscall(SYS_fchmod, fd, mode);
}

int
linkat(int olddir, const char *old, int newdir, const char *new, int flags)
{
	if (fails("link"))
		return -1;
	return (int)syscall(SYS_linkat, olddir, old, newdir, new, flags);
}

int
renameat(int olddir, const char *old, int newdir, const char *new)
{
	if (fails("rename"))
		return -1;
	return (int)syscall(SYS_renameat, olddir, old, newdir, new);
}

int
pthread_create(pthread_t *t, const pthread_attr_t *attr,
    void *(*fn)(void *), void *arg)
{
	int (*real)(pthread_t *, const pthread_attr_t *, void *(*)(void *),
	    void *);

	if (fails("thread"))
		return errno;
	*(void **)&real = dlsym(RTLD_NEXT, "pthread_create");
	return real(t, attr, fn, arg);
}

int
open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	if (refuse(flags))
		return -1;
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	if (refuse(flags))
		return -1;
	return (int)syscall(SYS_openat, dirfd, path, flags, mode);
}

/* Changes the file behind fd once, through its name in /proc. */
static void
change(int fd)
{
	static int done;
	char link[64], path[4096];
	struct stat st;
	ssize_t n;
	int w;

	if (done || fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		return;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof(path) - 1)) == -1)
		return;
	path[n] = '\0';
	if (getenv("WPSHIM_POKE") != NULL) {
		static const struct timespec tick = { 0, 20000000 };

		done = 1;
		nanosleep(&tick, NULL);
		w = (int)syscall(SYS_openat, AT_FDCWD, path,
		    O_WRONLY | O_CLOEXEC, 0);
		if (w != -1) {
			syscall(SYS_pwrite64, w, "", 1,
			    (off_t)atoll(getenv("WPSHIM_POKE")));
			syscall(SYS_close, w);
		}
		return;
	}
	if (on("WPSHIM_SHRINK")) {
		done = 1;
		(void)truncate(path, st.st_size / 2);
	} else if (on("WPSHIM_GROW")) {
		static const char more[1024];

		done = 1;
		w = (int)syscall(SYS_openat, AT_FDCWD, path,
		    O_WRONLY | O_APPEND | O_CLOEXEC, 0);
		if (w != -1) {
			syscall(SYS_write, w, more, sizeof(more));
			syscall(SYS_close, w);
		}
	}
}

ssize_t
pread(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n = syscall(SYS_pread64, fd, buf, len, off);

	if (getenv("WPSHIM_MAP_AT") == NULL)
		change(fd);
	return n;
}

ssize_t pread64(int, void *, size_t, off_t) __attribute__((alias("pread")));

static int
regular(int fd)
{
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	static int maps, stopped;
	const char *at = getenv("WPSHIM_MAP_AT");
	void *p;

	if (!(flags & MAP_ANONYMOUS) && regular(fd) && on("WPSHIM_NO_MMAP")) {
		errno = ENODEV;
		return MAP_FAILED;
	}
	p = (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
	if (p != MAP_FAILED && !(flags & MAP_ANONYMOUS) && regular(fd) &&
	    on("WPSHIM_STOP_MAP") && !stopped) {
		stopped = 1;
		raise(SIGSTOP);
	}
	if (p != MAP_FAILED && !(flags & MAP_ANONYMOUS) && regular(fd) &&
	    ++maps >= (at != NULL ? atoi(at) : 1))
		change(fd);
	return p;
}

void *mmap64(void *, size_t, int, int, int, off_t)
    __attribute__((alias("mmap")));

ssize_t
copy_file_range(int in, off_t *inoff, int out, off_t *outoff, size_t len,
    unsigned flags)
{
	if (on("WPSHIM_NO_CFR")) {
		errno = EXDEV;
		return -1;
	}
	return syscall(SYS_copy_file_range, in, inoff, out, outoff, len,
	    flags);
}
