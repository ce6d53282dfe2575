#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

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

static ssize_t
pread_some(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n;

	do
		n = pread(fd, buf, len, (off_t)off);
	while (n == -1 && errno == EINTR);
	return n;
}

static ssize_t
read_some(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n == -1 && errno == EINTR);
	return n;
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

static int
check_regular(int fd, uint64_t min_size, int deep, unsigned char *buf,
    size_t buflen, struct check_result *r)
{
	struct pbwalk w;
	enum pbwalk_ev ev;
	uint64_t roff = 0;
	size_t have = 0, want, used;
	ssize_t n;
	int eof;

	if (shape_size(r, min_size))
		return 0;
	if (!deep) {
		if ((n = pread_some(fd, buf, 1, 0)) == -1)
			return sys(r, errno);
		if (n == 0) {
			bad(r, WPE_BAD_LEADING_BYTE);
			r->err.what = "the file is empty";
			return 0;
		}
		shape_lead(r, buf[0]);
		return 0;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	pbwalk_init(&w, r->size);
	for (;;) {
		want = buflen - have;
		if (want > r->size - roff)
			want = (size_t)(r->size - roff);
		n = want > 0 ? pread_some(fd, buf + have, want, roff) : 0;
		if (n == -1) {
			pbwalk_free(&w);
			return sys(r, errno);
		}
		if (roff == 0 && n > 0 && shape_lead(r, buf[0])) {
			pbwalk_free(&w);
			return 0;
		}
		roff += (uint64_t)n;
		have += (size_t)n;
		eof = n == 0 || roff == r->size;
		ev = pbwalk_feed(&w, buf, have, eof, &used);
		if (ev != PBWALK_NEED) {
			walked(r, &w, ev);
			pbwalk_free(&w);
			return 0;
		}
		/* The walk always ends at the end of the input. */
		if (eof) {
			pbwalk_free(&w);
			return sys(r, EIO);
		}
		have -= used;
		memmove(buf, buf + used, have);
	}
}

/* A pipe or a device: the size is known at its end only. */
static int
check_stream(int fd, uint64_t min_size, int deep, unsigned char *buf,
    size_t buflen, struct check_result *r)
{
	struct pbwalk w;
	enum pbwalk_ev ev = PBWALK_NEED;
	unsigned char lead = 0;
	size_t have = 0, used;
	ssize_t n;

	pbwalk_init(&w, PBWALK_SIZE_UNKNOWN);
	do {
		if ((n = read_some(fd, buf + have, buflen - have)) == -1) {
			pbwalk_free(&w);
			return sys(r, errno);
		}
		if (r->size == 0 && n > 0)
			lead = buf[0];
		r->size += (uint64_t)n;
		have += (size_t)n;
		if (deep && ev == PBWALK_NEED)
			ev = pbwalk_feed(&w, buf, have, n == 0, &used);
		if (ev == PBWALK_NEED && deep) {
			have -= used;
			memmove(buf, buf + used, have);
		} else
			have = 0;
	} while (n > 0);
	r->have_size = 1;
	pbwalk_free(&w);
	if (shape_size(r, min_size) || shape_lead(r, lead) || !deep)
		return 0;
	walked(r, &w, ev);
	if (r->err.code == WPE_TRAILING_BYTES)
		r->err.got = r->size - r->err.off;
	return 0;
}

int
check_fd(int fd, uint64_t min_size, int deep, unsigned char *buf,
    size_t buflen, struct check_result *r)
{
	struct stat sb;

	memset(r, 0, sizeof(*r));
	if (buflen < CHECK_BUF_MIN)
		return sys(r, EINVAL);
	if (fstat(fd, &sb) == -1)
		return sys(r, errno);
	if (S_ISDIR(sb.st_mode))
		return sys(r, EISDIR);
	if (!S_ISREG(sb.st_mode))
		return check_stream(fd, min_size, deep, buf, buflen, r);
	r->have_size = 1;
	r->size = (uint64_t)sb.st_size;
	return check_regular(fd, min_size, deep, buf, buflen, r);
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
	case WPE_MISSING_INTERNED:
		return "missing_interned";
	case WPE_MISSING_TRACK:
		return "missing_track";
	default:
		return "unreadable";
	}
}

