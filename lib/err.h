/*
 * err.c: every failure in lib/ is a struct wperr, facts without words;
 * wperr_str() turns one into a sentence. Nothing in lib/ prints or exits.
 */
#ifndef ERR_H
#define ERR_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"

enum wperr_code {
	WPE_OK = 0,
	/* reassembly verdicts (bad data) */
	WPE_TORN,		/* a wprof frame failed its CRC */
	WPE_NO_TERMINAL,	/* the walk stopped before any terminal frame */
	WPE_EMPTY,		/* the terminal arrived but the trace is empty */
	/* artifact verdicts (bad data) */
	WPE_MISSING,
	WPE_TOO_SMALL,
	WPE_BAD_LEADING_BYTE,
	WPE_TRUNCATED,
	WPE_TRAILING_BYTES,
	WPE_NOT_A_TRACE,
	WPE_MALFORMED_PACKET,
	WPE_BAD_VARINT,
	WPE_NO_ARTIFACTS,	/* a directory without a *.wprof.pb file */
	WPE_MISSING_INTERNED,	/* an interned id defined nowhere in its sequence */
	WPE_MISSING_TRACK,	/* a track uuid no TrackDescriptor describes */
	/* option values */
	WPE_BAD_TAG,
	WPE_BAD_TAG_NAME,	/* neither a tag, a number nor a known name */
	WPE_BAD_SIZE,
	/* trouble */
	WPE_SYS,		/* a system call failed; errnum says why */
	WPE_SAME_FILE,		/* the output is the input */
	WPE_CHANGED,		/* the input shrank or grew while read */
	WPE_SPOOL,		/* the spool in $TMPDIR failed; errnum */
	WPE_NO_DIR,		/* the output directory is missing; errnum */
};

#define WPERR_PATH_MAX	192

struct wperr {
	enum wperr_code code;
	int errnum;		/* WPE_SYS */
	uint64_t off;		/* byte offset the error refers to */
	uint64_t index;		/* frame or packet index */
	uint32_t type;		/* frame type (WPE_TORN) */
	uint64_t want, got;	/* expected and found values */
	uint64_t size;
	unsigned field, wiretype;	/* protobuf details */
	const char *what;	/* static text naming the detail */
	struct frame_stop stop;	/* WPE_NO_TERMINAL, WPE_TORN */
	/* WPE_MISSING_INTERNED, WPE_MISSING_TRACK; off, index: the first use */
	unsigned refkind;	/* enum schema_ref, an SR_USE_x */
	uint64_t refid, refseq;	/* the id and its sequence */
	uint64_t refmissing;	/* distinct ids of that kind missing */
	char path[WPERR_PATH_MAX];	/* deep walk: the fields around off */
};

int wperr_sys(struct wperr *, const char *what);
/* Words an error, without the file name. Returns buf. */
const char *wperr_str(const struct wperr *, char *buf, size_t len);
/* What a check verdict most likely means and what to do, or NULL. */
const char *wperr_hint(const struct wperr *);

#endif
