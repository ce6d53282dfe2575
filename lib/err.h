/*
 * err.c: every failure in lib/ is a struct wperr, facts without words;
 * wperr_str() turns one into a sentence. Nothing in lib/ prints or exits.
 */
#ifndef ERR_H
#define ERR_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"

/*
 * Each code names one case, worded by one message; the comment lists the
 * fields of struct wperr it sets besides code. "at" is off and index: the
 * offset and the frame or packet index the error refers to.
 */
enum wperr_code {
	WPE_OK = 0,
	/* reassembly verdicts (bad data) */
	WPE_TORN,		/* type, at, crc, crc_calc: a bad frame CRC */
	WPE_NO_TERMINAL,	/* type, stop, chunks, bytes: the walk stopped
				   before any terminal frame of type */
	WPE_EMPTY,		/* type, at: the terminal, and no trace bytes */
	/* artifact verdicts (bad data) */
	WPE_MISSING,		/* nothing: no such file */
	WPE_TOO_SMALL,		/* size, min */
	WPE_BAD_LEADING_BYTE,	/* byte */
	WPE_EMPTY_FILE,		/* nothing: no leading byte at all */
	WPE_TRUNCATED,		/* at, claimed, present: a packet runs past the
				   end of the file */
	WPE_TRUNCATED_LENGTH,	/* at: the file ends inside a packet's length */
	WPE_TRAILING_BYTES,	/* at, field, wiretype, what, trailing */
	WPE_NOT_A_TRACE,	/* at, field, wiretype */
	WPE_MALFORMED_PACKET,	/* at, field, wiretype, what, path */
	WPE_MALFORMED_LENGTH,	/* at, field, wiretype, what, path, len, left:
				   a value of len bytes, left in its message */
	WPE_BAD_VARINT,		/* at, field, what, path */
	WPE_NO_ARTIFACTS,	/* nothing: a directory without a *.wprof.pb */
	WPE_MISSING_INTERNED,	/* at (the first use), refkind, refid, refseq,
				   refmissing: an interned id defined nowhere
				   in its sequence */
	WPE_MISSING_TRACK,	/* the same: a track uuid no TrackDescriptor
				   describes */
	WPE_IMPORT,		/* at (the packet), rule, rule_id, rule_value,
				   rule_other, rule_count: a rule of
				   Perfetto's importer broken (lib/sem.h) */
	/* option values */
	WPE_BAD_TAG,		/* what */
	WPE_BAD_TAG_NAME,	/* nothing: not a tag, a number or a name */
	WPE_BAD_SIZE,		/* nothing: not a size */
	WPE_SIZE_RANGE,		/* min, max: a size out of range */
	/* trouble */
	WPE_SYS,		/* errnum, what: the call or step that failed */
	WPE_SAME_FILE,		/* nothing: the output is the input */
	WPE_CHANGED,		/* size, off: the input shrank to off bytes */
	WPE_GREW,		/* size: the input grew while it was read */
	WPE_REWRITTEN,		/* nothing: the same size, a new mtime */
	WPE_SPOOL,		/* errnum, what: the spool in $TMPDIR failed */
	WPE_NO_DIR,		/* errnum: the output directory is missing */
};

#define WPERR_PATH_MAX	192

/* Every field has one meaning; enum wperr_code says which are set. */
struct wperr {
	enum wperr_code code;
	uint64_t off;		/* byte offset the error refers to */
	uint64_t index;		/* frame or packet index */
	int errnum;
	const char *what;	/* static text: the rule, or the call */
	uint32_t type;		/* a frame type */
	uint32_t crc, crc_calc;	/* the frame's CRC and the one computed */
	struct frame_stop stop;	/* where the frame walk stopped */
	uint64_t chunks;	/* chunk frames before the stop */
	uint64_t bytes;		/* trace bytes in them */
	uint64_t size;		/* the file's size */
	uint64_t min, max;	/* the least and the greatest allowed */
	unsigned byte;		/* the first byte of the file */
	uint64_t claimed;	/* the length a packet claims */
	uint64_t present;	/* the bytes after its length */
	uint64_t len, left;	/* a value's length, the bytes left for it */
	uint64_t trailing;	/* bytes from off to the end, 0 if unknown */
	unsigned field;		/* a field number, 0 when no tag was read */
	unsigned wiretype;
	unsigned refkind;	/* enum schema_ref, an SR_USE_x */
	uint64_t refid, refseq;	/* the id and its sequence */
	uint64_t refmissing;	/* distinct ids of that kind missing */
	unsigned rule;		/* enum sem_reason, a failure */
	uint64_t rule_id;	/* the track uuid, clock id, cpu or field */
	uint64_t rule_value;	/* what was found there */
	uint64_t rule_other;	/* what it was held against */
	uint64_t rule_count;	/* importer rules broken in all */
	char path[WPERR_PATH_MAX];	/* deep walk: the fields around off */
};

int wperr_sys(struct wperr *, const char *what);
/* Words an error, without the file name. Returns buf. */
const char *wperr_str(const struct wperr *, char *buf, size_t len);
/* 1 for WPE_CHANGED, WPE_GREW and WPE_REWRITTEN: the input changed. */
int wperr_changed(const struct wperr *);

#endif
