/*
 * The one I/O path: io_* (io.h) reads and writes, outfile_* (outfile.h)
 * writes an output file by the rules of spec section 4, and pump_* drives a
 * command: it reads the input in large blocks, hands each piece to the
 * command's consumer, and commits or aborts the output on the verdict.
 * Nothing here prints or exits.
 */
#ifndef PUMP_H
#define PUMP_H

#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "err.h"
#include "io.h"
#include "outfile.h"

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
	/*
	 * Read a regular file of more than PUMP_AHEAD_MIN bytes a block
	 * ahead, on a helper thread, while the consumer takes the block
	 * before; the consumer leaves fewer than PUMP_AHEAD_KEEP bytes of
	 * a piece unused (more is trouble: ENOBUFS).
	 */
	int read_ahead;
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
#define PUMP_AHEAD_KEEP	64
#define PUMP_AHEAD_MIN	((uint64_t)4 << 20)
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
/*
 * For the program's SIGBUS handler, async-signal-safe: a fault in the
 * window of the input mapped by pump_run() (the file was truncated under
 * it) jumps back into pump_run(), which reports the change; otherwise it
 * returns, and the handler goes on as for any other fatal signal.
 */
void pump_sigbus(const siginfo_t *);

#endif
