#include <stdio.h>
#include <string.h>

#include "json.h"
#include "../lib/pbwire.h"

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
			else if ((n = pbwire_utf8_len(p + i, len - i)) == 0)
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
