/*
 * The artifact check: the shape rules of spec section 3 and the deep walk
 * of a Perfetto Trace (pbwalk.h), and the reasons a verdict is given for.
 * Like the rest of lib/, nothing here prints or exits.
 */
#ifndef ARTIFACT_H
#define ARTIFACT_H

#include <stddef.h>
#include <stdint.h>

#include "pbwalk.h"
#include "err.h"

#define ARTIFACT_MIN_SIZE	4096	/* wprof's opening is about 5 KB */
#define ARTIFACT_BUF_MIN	4096	/* artifact_check_fd()'s smallest buffer */

enum artifact_mode { ARTIFACT_SHAPE, ARTIFACT_DEEP };

struct artifact_result {
	unsigned char head[16];	/* the input's first bytes, when read */
	size_t headlen;
	int have_size;
	uint64_t size;
	int deep;		/* the walk ran to its end: st is complete */
	struct pbstats st;
	struct wperr err;	/* WPE_OK when the artifact passed */
};

/*
 * Checks the artifact open on fd, from its offset 0 for a regular file or
 * from the current position of a stream, reading no further than the
 * verdict needs. Returns 0 with a verdict in r->err, or -1 when the file
 * could not be read (WPE_SYS) or changed while it was read (WPE_CHANGED,
 * found by the pump).
 */
int artifact_check_fd(int fd, enum artifact_mode mode, uint64_t min_size,
    unsigned char *buf, size_t buflen, struct artifact_result *r);
/*
 * The same with the reference sets of refs (pbref_init'ed once, freed by
 * the caller): checking many files one after another in bounded memory.
 */
int artifact_check_fd_refs(int fd, enum artifact_mode mode,
    uint64_t min_size, unsigned char *buf, size_t buflen, struct pbref *refs,
    struct artifact_result *r);
/* The same, calling progress(arg, bytes read, 0) as it reads (pump.h). */
int artifact_check_fd_progress(int fd, enum artifact_mode mode,
    uint64_t min_size, unsigned char *buf, size_t buflen, struct pbref *refs,
    struct artifact_result *r,
    void (*progress)(void *arg, uint64_t, uint64_t), void *arg);
/*
 * The deep walks after this use at most n threads, 1 or 2 (the default):
 * the verdict and every count are the same either way (pbwalk.h).
 */
void artifact_set_threads(int n);
/* 1 for a verdict that is trouble (exit 2), not bad data. */
int artifact_trouble(const struct wperr *);

/*
 * The reasons a verdict is given for, in the order of the checks, which is
 * the order a summary lists them in. To add one: a constant here, its
 * stable lower_snake name in artifact.c's table, and its case in
 * artifact_reason().
 */
enum artifact_reason {
	ARTIFACT_OK,
	ARTIFACT_UNREADABLE,
	ARTIFACT_CHANGED,
	ARTIFACT_MISSING,
	ARTIFACT_NO_ARTIFACTS,
	ARTIFACT_TOO_SMALL,
	ARTIFACT_BAD_LEADING_BYTE,
	ARTIFACT_NOT_A_TRACE,
	ARTIFACT_TRUNCATED,
	ARTIFACT_TRAILING_BYTES,
	ARTIFACT_MALFORMED_PACKET,
	ARTIFACT_BAD_VARINT,
	ARTIFACT_MISSING_INTERNED,
	ARTIFACT_MISSING_TRACK,
	/*
	 * The rules of Perfetto's importer (lib/sem.h), one each, in the
	 * order of enum sem_reason's failures and named by sem_reason_name().
	 */
	ARTIFACT_IMPORT_FIRST,
	ARTIFACT_TRACK_EVENT_NO_SEQUENCE = ARTIFACT_IMPORT_FIRST,
	ARTIFACT_TRACK_EVENT_NO_TIMESTAMP,
	ARTIFACT_INTERNED_NO_SEQUENCE,
	ARTIFACT_CLEARED_NO_SEQUENCE,
	ARTIFACT_TRACK_EVENT_NEGATIVE_TIMESTAMP,
	ARTIFACT_NEGATIVE_TIMESTAMP,
	ARTIFACT_TRACK_NO_UUID,
	ARTIFACT_THREAD_NO_PID_TID,
	ARTIFACT_PROCESS_NO_PID,
	ARTIFACT_TRACK_CONFLICT,
	ARTIFACT_TRACK_LOOP,
	ARTIFACT_TRACK_TOO_DEEP,
	ARTIFACT_TRACK_NO_PARENT,
	ARTIFACT_CLOCK_DUPLICATE,
	ARTIFACT_CLOCK_BACKWARDS,
	ARTIFACT_FTRACE_NO_CPU,
	ARTIFACT_FTRACE_CPU_RANGE,
	ARTIFACT_FTRACE_LOST_EVENTS,
	ARTIFACT_COMPACT_SCHED_LENGTH,
	ARTIFACT_COMPACT_SCHED_COMM,
	ARTIFACT_PREV_STATE_INVALID,
	ARTIFACT_SLICE_TOO_DEEP,
	ARTIFACT_NREASONS
};

enum artifact_reason artifact_reason(const struct wperr *);
/* The stable lower_snake name of a reason: "too_small", "unreadable". */
const char *artifact_reason_name(enum artifact_reason);

#endif
