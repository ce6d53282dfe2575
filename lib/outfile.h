/*
 * Output files by spec section 4. Bytes go into an unnamed temporary file
 * beside OUT, linked into place at commit, or into an unlinked spool file
 * copied at commit to a descriptor written in place (standard output, a
 * device, a FIFO). A lib/writer.c thread writes them. OUT is opened by the
 * kernel's rules, as the shell's '>' opens it. Nothing here prints, exits
 * or installs a signal handler: the program removes what
 * outfile_unlink_all() names when a fatal signal arrives.
 */
#ifndef OUTFILE_H
#define OUTFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "err.h"

/* Every name a temporary file beside OUT gets starts so. */
#define OUTFILE_TMP_PREFIX	".wprofck."

struct outfile {
	int fd;			/* the temporary or spool file */
	int dest;		/* written in place at commit, or -1 */
	int close_dest;
	int dirfd;		/* OUT's directory, or -1 */
	char *base;		/* OUT's name in dirfd */
	char tmp[32];		/* a named temporary file in dirfd, or "" */
	int replace;		/* OUT exists: link beside it, rename over */
	int sync;
	int spool;		/* fd is a spool file in $TMPDIR */
	struct writer *w;	/* the writer thread and its buffers */
};

#define OUTFILE_STDOUT	NULL

/*
 * path NULL or "-" is standard output. in is the input's stat, so OUT is
 * never the input. sync: fsync before the link and the directory after.
 * On failure nothing is left open or created. A missing directory is
 * WPE_NO_DIR with the directory's name, as far as it fits, in e->path.
 */
int outfile_open(struct outfile *, const char *path, const struct stat *in,
    int sync, struct wperr *);
int outfile_write(struct outfile *, const void *, size_t, struct wperr *);
/*
 * The same as outfile_write(of, buf, len), where buf holds the bytes at
 * srcoff in the regular file src: the writer thread copies them from src
 * in the kernel (copy_file_range(2)), through user space if refused. The
 * input must not change until outfile_flush() or the commit.
 */
int outfile_copy(struct outfile *, const void *buf, size_t len, int src,
    uint64_t srcoff, struct wperr *);
/* Everything written so far is in the file. */
int outfile_flush(struct outfile *, struct wperr *);
/* Room for len bytes to be filled in later by outfile_patch(). */
int outfile_reserve(struct outfile *, size_t len, uint64_t *off,
    struct wperr *);
int outfile_patch(struct outfile *, uint64_t off, const void *, size_t,
    struct wperr *);
/* Output after the mark can be taken back by outfile_rewind(). */
void outfile_mark(struct outfile *);
void outfile_rewind(struct outfile *);
/*
 * Takes back the output from off on, if off is below outfile_size(): writes
 * go on from there, and may overwrite bytes a descriptor from outfile_dup()
 * has already read.
 */
void outfile_rewind_to(struct outfile *, uint64_t off);
/* Bytes of output so far. */
uint64_t outfile_size(const struct outfile *);
/* A descriptor reading the whole output from offset 0, or -1. */
int outfile_dup(struct outfile *, struct wperr *);
/*
 * Puts the output in place. A descriptor written in place that is a
 * regular file is cut back to where it started if the copy fails.
 */
int outfile_commit(struct outfile *, struct wperr *);
void outfile_abort(struct outfile *);
/*
 * Async-signal-safe: removes every named temporary file still open. A
 * handler of a fatal signal calls it before the process dies.
 */
void outfile_unlink_all(void);

#endif
