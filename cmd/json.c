#include <stdio.h>
#include <string.h>

#include "json.h"

/* The length of the well-formed UTF-8 sequence at p, or 0. */
static size_t
utf8_len(const unsigned char *p, size_t left)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else
		return 0;
	if (left < n || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

void
json_nstring(FILE *fp, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	putc('"', fp);
	while (i < len) {
		switch (p[i]) {
		case '"':
			fputs("\\\"", fp);
			break;
		case '\\':
			fputs("\\\\", fp);
			break;
		case '\b':
			fputs("\\b", fp);
			break;
		case '\f':
			fputs("\\f", fp);
			break;
		case '\n':
			fputs("\\n", fp);
			break;
		case '\r':
			fputs("\\r", fp);
			break;
		case '\t':
			fputs("\\t", fp);
			break;
		default:
			if (p[i] < 0x20 || p[i] == 0x7f)
				fprintf(fp, "\\u%04x", p[i]);
			else if ((n = utf8_len(p + i, len - i)) == 0)
				fprintf(fp, "\\udc%02x", p[i]);
			else {
				fwrite(p + i, 1, n, fp);
				i += n;
				continue;
			}
			break;
		}
		i++;
	}
	putc('"', fp);
}

void
json_string(FILE *fp, const char *s)
{
	json_nstring(fp, s, strlen(s));
}
