/*
 * The writer: the bytes of one output stream, gathered into large buffers
 * that a thread of its own writes to a descriptor at their offsets while
 * the caller goes on reading and checksumming. Bytes can also be copied
 * from a regular input file in the kernel, reserved and patched later,
 * and taken back to a mark. lib/writer.c states the invariant. Nothing
 * here prints or exits.
 */
#ifndef WRITER_H
#define WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define WRITER_CHUNK	(1u << 20)	/* the default buffer size */
#define WRITER_RESERVE_MAX	64	/* writer_reserve()'s largest */

struct writer;

/*
 * A writer of fd from offset 0; it does not own fd. spool: fd holds output
 * until the verdict, so its write errors are WPE_SPOOL. chunk: the buffer
 * size, 0 for WRITER_CHUNK (the unit test uses small ones).
 */
struct writer *writer_new(int fd, int spool, size_t chunk, struct wperr *);
int writer_write(struct writer *, const void *, size_t, struct wperr *);
/*
 * The same as writer_write(w, buf, len), where buf holds the bytes at
 * srcoff in the regular file src: the thread copies them in the kernel
 * (copy_file_range(2)), through user space if that is refused. src must
 * not change or close until writer_flush() or writer_finish().
 */
int writer_copy(struct writer *, const void *buf, size_t len, int src,
    uint64_t srcoff, struct wperr *);
/* Everything written so far is in the file, nothing is in flight. */
int writer_flush(struct writer *, struct wperr *);
/* Room for len (up to WRITER_RESERVE_MAX) zero bytes, patched later. */
int writer_reserve(struct writer *, size_t len, uint64_t *off,
    struct wperr *);
/* Overwrites bytes already written: off + len must not pass the end. */
int writer_patch(struct writer *, uint64_t off, const void *, size_t,
    struct wperr *);
/* Output after the mark can be taken back by writer_rewind(). */
void writer_mark(struct writer *);
void writer_rewind(struct writer *);
/*
 * Takes back the output from off on, if off is below writer_size(); the
 * mark moves to off.
 */
void writer_rewind_to(struct writer *, uint64_t off);
/* Bytes of output so far. */
uint64_t writer_size(const struct writer *);
/*
 * Flushes, and cuts the file at writer_size() (a rewind can leave bytes
 * past it). A failure of the thread, however long ago, is reported here.
 */
int writer_finish(struct writer *, struct wperr *);
/* Stops the thread (whatever is queued is dropped) and frees w. */
void writer_free(struct writer *);

#endif
