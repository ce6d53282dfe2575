#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "artifact.h"
#include "err.h"
#include "pump.h"
#include "sem.h"

static int
sys(struct artifact_result *r, int errnum)
{
	r->err.code = WPE_SYS;
	r->err.errnum = errnum;
	return -1;
}

static void
bad(struct artifact_result *r, enum wperr_code code)
{
	r->err.code = code;
	r->err.size = r->size;
}

/* The size rule; 1 when it decided the verdict. */
static int
shape_size(struct artifact_result *r, uint64_t min_size)
{
	if (r->size < min_size) {
		bad(r, WPE_TOO_SMALL);
		r->err.min = min_size;
		return 1;
	}
	if (r->size == 0) {
		bad(r, WPE_EMPTY_FILE);
		return 1;
	}
	return 0;
}

/* The leading byte rule; 1 when it decided the verdict. */
static int
shape_lead(struct artifact_result *r, unsigned char c)
{
	if (c == PB_TAG_PACKET)
		return 0;
	bad(r, WPE_BAD_LEADING_BYTE);
	r->err.byte = c;
	return 1;
}

static void
walked(struct artifact_result *r, const struct pbwalk *w, enum pbwalk_ev ev)
{
	if (ev == PBWALK_DONE) {
		r->deep = 1;
		r->st = w->st;
		r->err.code = WPE_OK;
	} else {
		r->err = w->err;
		r->err.size = r->size;
	}
}

_Static_assert(PBWALK_TOKEN < PUMP_AHEAD_KEEP,
    "the pump reads ahead only for a consumer that leaves a token");

/* How many threads a deep walk may use (artifact_set_threads). */
static int walk_threads = 2;

void
artifact_set_threads(int n)
{
	walk_threads = n < 1 ? 1 : n > 2 ? 2 : n;
}

struct artifact_state {
	enum artifact_mode mode;
	uint64_t min_size;
	struct artifact_result *r;
	struct pbwalk w;
};

/* The rules that need the whole size, once a stream has ended. */
static enum pump_verdict
stream_end(struct pump *p, struct artifact_state *c, enum pbwalk_ev ev)
{
	struct artifact_result *r = c->r;

	r->have_size = 1;
	r->size = p->done;
	if (shape_size(r, c->min_size))
		return PUMP_BAD;
	if (c->mode == ARTIFACT_SHAPE)
		return PUMP_DONE;
	walked(r, &c->w, ev);
	if (r->err.code == WPE_TRAILING_BYTES)
		r->err.trailing = r->size - r->err.off;
	return r->err.code == WPE_OK ? PUMP_DONE : PUMP_BAD;
}

/*
 * Reads no further than the verdict needs: a leading byte that is not a
 * packet tag decides at once, whatever the input is; so does a walk that
 * failed, except that a stream's size rule comes first at its end.
 */
static enum pump_verdict
artifact_feed(struct pump *p, void *arg, const unsigned char *buf, size_t len,
    int eof, size_t *used)
{
	struct artifact_state *c = arg;
	struct artifact_result *r = c->r;
	uint64_t off = p->done - len;	/* stream offset of buf[0] */
	enum pbwalk_ev ev = PBWALK_NEED;
	size_t i;

	for (i = 0; off + i < sizeof(r->head) && i < len; i++)
		r->head[off + i] = buf[i];
	if (off + i > r->headlen)
		r->headlen = (size_t)(off + i);
	if (p->regular && off == 0 && shape_size(r, c->min_size))
		return PUMP_BAD;
	if (off == 0 && len > 0 && shape_lead(r, buf[0]))
		return PUMP_BAD;
	if (c->mode == ARTIFACT_SHAPE) {
		*used = len;
		if (p->regular)
			return PUMP_DONE;
		return eof ? stream_end(p, c, ev) : PUMP_MORE;
	}
	p->items = c->w.st.packets;
	ev = pbwalk_feed(&c->w, buf, len, eof, used);
	if (!p->regular && eof)
		return stream_end(p, c, ev);
	if (ev == PBWALK_NEED)
		return PUMP_MORE;
	walked(r, &c->w, ev);
	return r->err.code == WPE_OK ? PUMP_DONE : PUMP_BAD;
}

int
artifact_check_fd(int fd, enum artifact_mode mode, uint64_t min_size,
    unsigned char *buf, size_t buflen, struct artifact_result *r)
{
	return artifact_check_fd_refs(fd, mode, min_size, buf, buflen, NULL,
	    r);
}

int
artifact_check_fd_refs(int fd, enum artifact_mode mode, uint64_t min_size,
    unsigned char *buf, size_t buflen, struct pbref *refs,
    struct artifact_result *r)
{
	return artifact_check_fd_progress(fd, mode, min_size, buf, buflen,
	    refs, r, NULL, NULL);
}

int
artifact_check_fd_progress(int fd, enum artifact_mode mode,
    uint64_t min_size, unsigned char *buf, size_t buflen, struct pbref *refs,
    struct artifact_result *r,
    void (*progress)(void *arg, uint64_t, uint64_t), void *arg)
{
	struct artifact_state c;
	struct pump p;
	enum pump_verdict v;

	memset(r, 0, sizeof(*r));
	if (buflen < ARTIFACT_BUF_MIN)
		return sys(r, EINVAL);
	if (pump_init(&p, fd, buf, buflen, &r->err) == -1)
		return -1;
	memset(&c, 0, sizeof(c));
	c.mode = mode;
	c.min_size = min_size;
	c.r = r;
	if (p.regular) {
		/* A regular file is checked from its start. */
		p.size += p.start;
		p.start = 0;
		r->have_size = 1;
		r->size = p.size;
	}
	pbwalk_init(&c.w, p.regular ? p.size : PBWALK_SIZE_UNKNOWN);
	/*
	 * The walk may use a second thread: pieces are read into the
	 * buffer, never mapped, so reading them cannot fault.
	 */
	p.no_map = 1;
	c.w.threads = walk_threads;
	/* A thread to read ahead, too: pbwalk leaves less than a token. */
	p.read_ahead = walk_threads > 1;
	p.progress = progress;
	p.progress_arg = arg;
	if (refs != NULL)
		pbref_move(&c.w.refs, refs);
	v = pump_run(&p, artifact_feed, &c);
	if (refs != NULL)
		pbref_move(refs, &c.w.refs);
	pbwalk_free(&c.w);
	pump_free(&p);
	if (v == PUMP_FAIL) {
		memset(r, 0, sizeof(*r));
		r->err = p.err;
		if (p.regular) {
			r->have_size = 1;
			r->size = p.size;
		}
		return -1;
	}
	return 0;
}

int
artifact_trouble(const struct wperr *e)
{
	return e->code == WPE_SYS || wperr_changed(e);
}

static const char *const reason_names[ARTIFACT_NREASONS] = {
	[ARTIFACT_OK] = "ok",
	[ARTIFACT_UNREADABLE] = "unreadable",
	[ARTIFACT_CHANGED] = "changed",
	[ARTIFACT_MISSING] = "missing",
	[ARTIFACT_NO_ARTIFACTS] = "no_artifacts",
	[ARTIFACT_TOO_SMALL] = "too_small",
	[ARTIFACT_BAD_LEADING_BYTE] = "bad_leading_byte",
	[ARTIFACT_NOT_A_TRACE] = "not_a_trace",
	[ARTIFACT_TRUNCATED] = "truncated",
	[ARTIFACT_TRAILING_BYTES] = "trailing_bytes",
	[ARTIFACT_MALFORMED_PACKET] = "malformed_packet",
	[ARTIFACT_BAD_VARINT] = "bad_varint",
	[ARTIFACT_MISSING_INTERNED] = "missing_interned",
	[ARTIFACT_MISSING_TRACK] = "missing_track",
};

/* The importer's reasons follow sem's failures one for one. */
_Static_assert(ARTIFACT_NREASONS - ARTIFACT_IMPORT_FIRST ==
    SEM_NOTE_FIRST - SEM_TE_NO_SEQUENCE, "one reason per sem failure");
_Static_assert(ARTIFACT_SLICE_TOO_DEEP - ARTIFACT_IMPORT_FIRST ==
    SEM_SLICE_TOO_DEEP - SEM_TE_NO_SEQUENCE, "in sem's order");

const char *
artifact_reason_name(enum artifact_reason why)
{
	if (why >= ARTIFACT_IMPORT_FIRST && why < ARTIFACT_NREASONS)
		return sem_reason_name((enum sem_reason)(why -
		    ARTIFACT_IMPORT_FIRST + SEM_TE_NO_SEQUENCE));
	if ((unsigned)why >= ARTIFACT_NREASONS || reason_names[why] == NULL)
		return reason_names[ARTIFACT_UNREADABLE];
	return reason_names[why];
}

enum artifact_reason
artifact_reason(const struct wperr *e)
{
	switch (e->code) {
	case WPE_OK:
		return ARTIFACT_OK;
	case WPE_MISSING:
		return ARTIFACT_MISSING;
	case WPE_TOO_SMALL:
		return ARTIFACT_TOO_SMALL;
	case WPE_BAD_LEADING_BYTE:
	case WPE_EMPTY_FILE:
		return ARTIFACT_BAD_LEADING_BYTE;
	case WPE_TRUNCATED:
	case WPE_TRUNCATED_LENGTH:
		return ARTIFACT_TRUNCATED;
	case WPE_TRAILING_BYTES:
		return ARTIFACT_TRAILING_BYTES;
	case WPE_NOT_A_TRACE:
		return ARTIFACT_NOT_A_TRACE;
	case WPE_MALFORMED_PACKET:
	case WPE_MALFORMED_LENGTH:
		return ARTIFACT_MALFORMED_PACKET;
	case WPE_BAD_VARINT:
		return ARTIFACT_BAD_VARINT;
	case WPE_NO_ARTIFACTS:
		return ARTIFACT_NO_ARTIFACTS;
	case WPE_CHANGED:
	case WPE_GREW:
	case WPE_REWRITTEN:
		return ARTIFACT_CHANGED;
	case WPE_MISSING_INTERNED:
		return ARTIFACT_MISSING_INTERNED;
	case WPE_MISSING_TRACK:
		return ARTIFACT_MISSING_TRACK;
	case WPE_IMPORT:
		if (e->rule < SEM_TE_NO_SEQUENCE || e->rule >= SEM_NOTE_FIRST)
			return ARTIFACT_UNREADABLE;
		return (enum artifact_reason)(ARTIFACT_IMPORT_FIRST +
		    (e->rule - SEM_TE_NO_SEQUENCE));
	default:
		return ARTIFACT_UNREADABLE;
	}
}
