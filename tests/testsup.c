/*
 * The test tools' shared helpers; see testsup.h. They build and take
 * apart test data, so they are written for plainness, not speed, and
 * never from lib/'s code: a test tool that shared lib/'s varint reader
 * would agree with it by construction.
 */
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "testsup.h"

/* Writes v as a varint of the fewest bytes at d; returns how many. */
size_t
ts_varint_enc(unsigned char *d, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		d[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	d[n++] = (unsigned char)v;
	return n;
}

size_t
ts_varint_len(uint64_t v)
{
	unsigned char d[TS_VARINT_MAX];

	return ts_varint_enc(d, v);
}

/*
 * Reads a varint of at most 10 bytes at p[off], before p[end], into *v
 * and its length into *n; -1 when there is none.
 */
int
ts_varint_dec(const unsigned char *p, size_t off, size_t end, uint64_t *v,
    size_t *n)
{
	size_t i;

	*v = 0;
	for (i = 0; i < TS_VARINT_MAX && off + i < end; i++) {
		*v |= (uint64_t)(p[off + i] & 0x7f) << (7 * i);
		if ((p[off + i] & 0x80) == 0) {
			*n = i + 1;
			return 0;
		}
	}
	return -1;
}

/*
 * A number from min to max, in decimal or in hex after 0x, named by what
 * in the message: no sign, no blank, no trailing text, no octal.
 */
uint64_t
ts_number(const char *what, const char *s, uint64_t min, uint64_t max)
{
	unsigned long long v;
	char *end;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	/* strtoull would take a sign or leading blanks. */
	if (!(base == 16 ? isxdigit((unsigned char)s[0]) :
	    isdigit((unsigned char)s[0])))
		goto bad;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		goto bad;
	return v;
bad:
	errx(2, "%s %s%s: not a number from %llu to %llu", what,
	    base == 16 ? "0x" : "", s, (unsigned long long)min,
	    (unsigned long long)max);
}

/* ts_number for the argument of option -opt. */
uint64_t
ts_optnum(int opt, const char *s, uint64_t min, uint64_t max)
{
	char what[3] = { '-', (char)opt, '\0' };

	return ts_number(what, s, min, max);
}

/* Reads fd to its end, at most max bytes; name is for the messages. */
unsigned char *
ts_slurp(int fd, const char *name, size_t max, size_t *lenp)
{
	unsigned char *buf = NULL, *nbuf;
	size_t len = 0, size = 0;
	ssize_t n;

	for (;;) {
		if (len == size) {
			if (size == max)
				errx(2, "%s: over %zu bytes", name, max);
			size = size == 0 ? 65536 : size * 2;
			if (size > max)
				size = max;
			if ((nbuf = realloc(buf, size)) == NULL)
				err(2, NULL);
			buf = nbuf;
		}
		n = read(fd, buf + len, size - len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			err(2, "%s", name);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*lenp = len;
	return buf;
}

/* Writes all of p to fd; name is for the messages. */
void
ts_write_all(int fd, const char *name, const void *p, size_t len)
{
	const unsigned char *s = p;
	ssize_t n;

	while (len > 0) {
		n = write(fd, s, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			err(2, "%s", name);
		}
		s += n;
		len -= (size_t)n;
	}
}
