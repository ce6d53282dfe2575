#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "size.h"

/* Parses a whole decimal, 0x-hex or 0-octal number, nothing else. */
int
size_number(const char *s, uint64_t *v)
{
	unsigned long long n;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno != 0 || end == s)
		return -1;
	*v = n;
	return (int)(end - s);
}

/* A size is a number of bytes with an optional K, M or G (1024-based). */
int
size_parse(const char *s, uint64_t min, uint64_t max, uint64_t *out,
    struct wperr *e)
{
	uint64_t v, mult = 1;
	int n;

	memset(e, 0, sizeof(*e));
	e->code = WPE_BAD_SIZE;
	if ((n = size_number(s, &v)) < 0) {
		return -1;
	}
	switch (s[n]) {
	case '\0':
		break;
	case 'k': case 'K':
		mult = 1ull << 10;
		break;
	case 'm': case 'M':
		mult = 1ull << 20;
		break;
	case 'g': case 'G':
		mult = 1ull << 30;
		break;
	default:
		return -1;
	}
	if (mult != 1 && s[n + 1] != '\0') {
		return -1;
	}
	if (v > UINT64_MAX / mult || v * mult < min || v * mult > max) {
		e->code = WPE_SIZE_RANGE;
		e->min = min;
		e->max = max;
		return -1;
	}
	*out = v * mult;
	return 0;
}
