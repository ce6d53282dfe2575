/*
 * The one I/O path: io_* (io.h) reads and writes, outfile_* writes an
 * output file by the rules of spec section 4, and pump_* drives a
 * command: it reads the input in large blocks, hands each piece to the
 * command's consumer, and commits or aborts the output on the verdict.
 * Nothing here prints or exits.
 */
#ifndef PUMP_H
#define PUMP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "err.h"
#include "io.h"

/*
 * The output. Bytes go into an unnamed temporary file beside OUT, linked
 * into place at commit, or into an unlinked spool file copied at commit to
 * a descriptor written in place (standard output, a device, a FIFO).
 */
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
	struct outwriter *w;	/* the writer thread and its buffers */
	size_t glen;		/* bytes in the buffer being filled */
	uint64_t pos;		/* bytes of output so far */
	uint64_t flushed;	/* offset of the buffer being filled */
	uint64_t mark;
	uint64_t patch_from;	/* a reserved header not yet patched */
};

#define OUTFILE_STDOUT	NULL

/*
 * path NULL or "-" is standard output. in is the input's stat, so OUT is
 * never the input. sync: fsync before the link and the directory after.
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
/* A descriptor reading the whole output from offset 0, or -1. */
int outfile_dup(struct outfile *, struct wperr *);
int outfile_commit(struct outfile *, struct wperr *);
void outfile_abort(struct outfile *);
/* Async-signal-safe: removes every named temporary file still open. */
void outfile_unlink_all(void);

enum pump_verdict {
	PUMP_MORE,	/* give me the next piece */
	PUMP_DONE,	/* decided: good */
	PUMP_BAD,	/* decided: bad data (p->err) */
	PUMP_FAIL,	/* trouble (p->err) */
};

struct pump {
	int in;
	const char *name, *outname;	/* for the consumer's messages */
	int err_input;		/* p->err is about the input */
	int regular;		/* size is known and must hold */
	uint64_t start, size;	/* where reading starts; bytes from there */
	unsigned char *buf;
	size_t buflen;
	int own_buf;
	int fifo_grace;		/* no writer yet: wait a moment for one */
	int no_map;		/* read a regular file, never map it */
	int mapped;		/* the piece is a view of the file at piece_off */
	uint64_t piece_off;
	struct stat st;		/* the input's, when the pump began */
	uint64_t done;		/* bytes read so far */
	uint64_t items;		/* frames or packets, for progress */
	struct outfile *out;	/* or NULL */
	int keep_bad;		/* commit the output on PUMP_BAD too */
	void (*progress)(void *arg, uint64_t bytes_done, uint64_t items);
	void *progress_arg;
	struct wperr err;
};

#define PUMP_BUF	(1u << 20)
/*
 * No output grows past this, spool or file: an endless input fails here
 * (WPE_SYS, EFBIG) instead of filling the disk.
 */
#define PUMP_OUT_MAX	((uint64_t)64 << 30)

/* buf NULL: the pump allocates PUMP_BUF bytes. */
int pump_init(struct pump *, int in, unsigned char *buf, size_t buflen,
    struct wperr *);
/*
 * Runs fn to its verdict, then commits or aborts p->out. fn takes a piece
 * and says how much of it it used (*used); the rest comes back at the
 * start of the next piece. eof: nothing follows; fn must decide.
 */
enum pump_verdict pump_run(struct pump *, enum pump_verdict (*fn)(
    struct pump *, void *, const unsigned char *, size_t, int, size_t *),
    void *arg);
void pump_free(struct pump *);

#endif
