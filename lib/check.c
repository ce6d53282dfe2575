#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "err.h"
#include "pump.h"

int
sidecar_match(const char *name)
{
	size_t n = strlen(name), s = sizeof(SIDECAR_SUFFIX) - 1;

	return n > s && strcmp(name + n - s, SIDECAR_SUFFIX) == 0;
}

int
sidecar_parse(const char *name, struct sidecar *sc)
{
	static const char repro[] = ".repro";
	size_t n, rn = sizeof(repro) - 1, i;
	const char *hex;

	memset(sc, 0, sizeof(*sc));
	if (!sidecar_match(name))
		return 0;
	n = strlen(name) - (sizeof(SIDECAR_SUFFIX) - 1);
	if (n > rn && memcmp(name + n - rn, repro, rn) == 0) {
		sc->repro = 1;
		n -= rn;
	}
	/* A test name of at least one byte, a dash, 16 hex digits. */
	if (n < 18 || n - 17 > SIDECAR_NAME_MAX || name[n - 17] != '-')
		return 0;
	hex = name + n - 16;
	for (i = 0; i < 16; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') ||
		    (hex[i] >= 'a' && hex[i] <= 'f')))
			return 0;
	memcpy(sc->test, name, n - 17);
	sc->test[n - 17] = '\0';
	memcpy(sc->variant, hex, 16);
	sc->variant[16] = '\0';
	return 1;
}

static int
sys(struct check_result *r, int errnum)
{
	r->err.code = WPE_SYS;
	r->err.errnum = errnum;
	return -1;
}

static void
bad(struct check_result *r, enum wperr_code code)
{
	r->err.code = code;
	r->err.size = r->size;
}

/* The size rule; 1 when it decided the verdict. */
static int
shape_size(struct check_result *r, uint64_t min_size)
{
	if (r->size < min_size) {
		bad(r, WPE_TOO_SMALL);
		r->err.want = min_size;
		return 1;
	}
	if (r->size == 0) {
		bad(r, WPE_BAD_LEADING_BYTE);
		r->err.what = "the file is empty";
		return 1;
	}
	return 0;
}

/* The leading byte rule; 1 when it decided the verdict. */
static int
shape_lead(struct check_result *r, unsigned char c)
{
	if (c == PB_TAG_PACKET)
		return 0;
	bad(r, WPE_BAD_LEADING_BYTE);
	r->err.got = c;
	return 1;
}

static void
walked(struct check_result *r, const struct pbwalk *w, enum pbwalk_ev ev)
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

struct check_state {
	enum check_mode mode;
	uint64_t min_size;
	struct check_result *r;
	struct pbwalk w;
};

/* The rules that need the whole size, once a stream has ended. */
static enum pump_verdict
stream_end(struct pump *p, struct check_state *c, enum pbwalk_ev ev)
{
	struct check_result *r = c->r;

	r->have_size = 1;
	r->size = p->done;
	if (shape_size(r, c->min_size))
		return PUMP_BAD;
	if (c->mode == CHECK_SHAPE)
		return PUMP_DONE;
	walked(r, &c->w, ev);
	if (r->err.code == WPE_TRAILING_BYTES)
		r->err.got = r->size - r->err.off;
	return r->err.code == WPE_OK ? PUMP_DONE : PUMP_BAD;
}

/*
 * Reads no further than the verdict needs: a leading byte that is not a
 * packet tag decides at once, whatever the input is; so does a walk that
 * failed, except that a stream's size rule comes first at its end.
 */
static enum pump_verdict
check_feed(struct pump *p, void *arg, const unsigned char *buf, size_t len,
    int eof, size_t *used)
{
	struct check_state *c = arg;
	struct check_result *r = c->r;
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
	if (c->mode == CHECK_SHAPE) {
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
check_fd(int fd, enum check_mode mode, uint64_t min_size,
    unsigned char *buf, size_t buflen, struct check_result *r)
{
	return check_fd_refs(fd, mode, min_size, buf, buflen, NULL, r);
}

int
check_fd_refs(int fd, enum check_mode mode, uint64_t min_size,
    unsigned char *buf, size_t buflen, struct pbref *refs,
    struct check_result *r)
{
	struct check_state c;
	struct pump p;
	enum pump_verdict v;

	memset(r, 0, sizeof(*r));
	if (buflen < CHECK_BUF_MIN)
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
	if (refs != NULL)
		pbref_move(&c.w.refs, refs);
	v = pump_run(&p, check_feed, &c);
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
check_trouble(const struct wperr *e)
{
	return e->code == WPE_SYS || e->code == WPE_CHANGED;
}

const char *
check_reason(const struct wperr *e)
{
	switch (e->code) {
	case WPE_OK:
		return "ok";
	case WPE_MISSING:
		return "missing";
	case WPE_TOO_SMALL:
		return "too_small";
	case WPE_BAD_LEADING_BYTE:
		return "bad_leading_byte";
	case WPE_TRUNCATED:
		return "truncated";
	case WPE_TRAILING_BYTES:
		return "trailing_bytes";
	case WPE_NOT_A_TRACE:
		return "not_a_trace";
	case WPE_MALFORMED_PACKET:
		return "malformed_packet";
	case WPE_BAD_VARINT:
		return "bad_varint";
	case WPE_NO_ARTIFACTS:
		return "no_artifacts";
	case WPE_CHANGED:
		return "changed";
	case WPE_MISSING_INTERNED:
		return "missing_interned";
	case WPE_MISSING_TRACK:
		return "missing_track";
	default:
		return "unreadable";
	}
}

