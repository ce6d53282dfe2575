/*
 * The formats wprofck knows: the framed drain dump, the reassembly of a
 * wprof trace from it and the Perfetto artifact (output files: pump.h).
 * Nothing here prints or exits; every failure is a struct wperr that
 * wperr_str() turns into a sentence.
 */
#ifndef WPROFCK_H
#define WPROFCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#define WPROFCK_VERSION	"1.0"

#define FRAME_HDR_SIZE	16
#define FRAME_CAP_DEFAULT	(16u << 20)
/* More empty frames than this in a row: not a drain (/dev/zero is one). */
#define FRAME_EMPTY_RUN_MAX	1000000u

#define TAG_WPRF	0x57505246u	/* WprofTrace, the terminal slice */
#define TAG_WPRC	0x57505243u	/* WprofTraceChunk */

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

enum frame_stop_why {
	FSTOP_NONE = 0,		/* the walk has not stopped */
	FSTOP_CLEAN,		/* input ended on a frame boundary */
	FSTOP_PARTIAL_HEADER,	/* input ended inside a header */
	FSTOP_OVERSIZED,	/* a header claimed more than the cap */
	FSTOP_TORN,		/* input ended inside a payload */
	FSTOP_EMPTY_RUN,	/* FRAME_EMPTY_RUN_MAX empty frames, and one more */
};

/* Why and where a frame walk stopped. */
struct frame_stop {
	enum frame_stop_why why;
	uint64_t off;		/* offset of the header concerned */
	uint64_t have;		/* header or payload bytes present */
	uint32_t len;		/* the length the header claimed */
	uint32_t cap;
	uint64_t frames;	/* complete frames before the stop */
	uint64_t bytes;		/* bytes in the complete frames */
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
/* The ktstr name of a type, else tag_vis() of it. */
#define FRAME_TYPE_NAME_MAX 17
const char *frame_type_name(uint32_t, char buf[FRAME_TYPE_NAME_MAX]);
/* Words a stop condition: "clean end", "partial header: ...". */
const char *frame_stop_str(const struct frame_stop *, char *buf, size_t len);

/* tag.c: message types and option values. */
const char *tag_name(uint32_t type);	/* ktstr name or NULL */
int tag_is_text(uint32_t type);		/* payloads a terminal may show */
/* The four characters the value spells, most significant byte first. */
void tag_chars(uint32_t type, char out[4]);
/* The same with vis(3) C-style escapes for unprintable bytes. */
void tag_vis(uint32_t type, char *out);
int tag_parse(const char *, uint32_t *, struct wperr *);
int tag_parse_name(const char *, uint32_t *, struct wperr *);
/* The i-th known type and its ktstr name; NULL when i is past the end. */
const char *tag_known(size_t i, uint32_t *type);
int size_parse(const char *, uint64_t min, uint64_t max, uint64_t *,
    struct wperr *);

/* frame.c: the frame walk over input handed in pieces. */
struct frame {
	uint64_t index;
	uint64_t off;		/* offset of the header */
	uint32_t type, len, crc, pad;
	uint32_t crc_calc;	/* valid at FRAME_END */
};

enum frame_ev {
	FRAME_NEED,	/* the piece is used up: frame_input() or frame_eof() */
	FRAME_HEADER,	/* a header within the cap: w->cur */
	FRAME_DATA,	/* payload bytes of w->cur: w->data, w->datalen */
	FRAME_END,	/* w->cur is complete; w->cur.crc_calc is set */
	FRAME_STOP,	/* oversized header or too many empty frames: w->stop */
};

struct frame_walk {
	uint32_t cap;
	const unsigned char *in;
	size_t inlen;
	uint64_t off;		/* stream offset of *in */
	unsigned char hbuf[FRAME_HDR_SIZE];
	unsigned hlen;
	int in_payload;
	uint32_t left;		/* payload bytes still to come */
	uint32_t crc;
	int skip_crc;		/* set after FRAME_HEADER to skip this CRC */
	uint32_t empty_run;	/* empty frames in a row just before */
	struct frame cur;
	uint64_t nframes;
	const unsigned char *data;
	size_t datalen;
	struct frame_stop stop;
};

void frame_init(struct frame_walk *, uint32_t cap);
void frame_input(struct frame_walk *, const void *, size_t);
enum frame_ev frame_next(struct frame_walk *);
/* The input has ended: fills w->stop and returns it. */
const struct frame_stop *frame_eof(struct frame_walk *);
/* Decodes a header from 16 bytes, little-endian field by field. */
void frame_decode(const unsigned char *, struct frame *);
void frame_encode(unsigned char *, uint32_t type, uint32_t len,
    uint32_t crc, uint32_t pad);

/* reasm.c: the rules of spec section 2 on top of the frame walk. */
enum reasm_ev {
	REASM_NEED,	/* feed more with reasm_input() or end with reasm_eof() */
	REASM_DATA,	/* append r->data, r->datalen to the trace */
	REASM_PAD,	/* r->fw.cur has a non-zero pad (warning only) */
	REASM_DONE,	/* the terminal frame is complete and good */
	REASM_FAIL,	/* no trace: r->err says why */
};

struct reasm {
	struct frame_walk fw;
	uint32_t chunk_tag, trace_tag;
	int copying;		/* the current frame belongs to the trace */
	int over;
	uint64_t chunks;
	uint64_t bytes;		/* trace bytes appended so far */
	const unsigned char *data;
	size_t datalen;
	struct wperr err;
};

void reasm_init(struct reasm *, uint32_t cap, uint32_t chunk_tag,
    uint32_t trace_tag);
void reasm_input(struct reasm *, const void *, size_t);
enum reasm_ev reasm_next(struct reasm *);
enum reasm_ev reasm_eof(struct reasm *);

/* split.c: a trace into frames, as the guest sends it. */
struct splitter {
	uint32_t cap, chunk_tag, trace_tag;
	uint32_t slice;		/* bytes in the current slice */
	uint32_t crc;
};

/* cap must be at least 1: split_take() takes nothing from a full slice. */
void split_init(struct splitter *, uint32_t cap, uint32_t chunk_tag,
    uint32_t trace_tag);
size_t split_take(struct splitter *, const void *, size_t);
int split_full(const struct splitter *);
void split_header(struct splitter *, int last, unsigned char *hdr);

#endif
