/*
 * What an input really is, from its first bytes: a Perfetto trace, a
 * wprofck drain, or data packed by gzip, zstd or xz. check says it when a
 * file fails, so the person reading learns what to run instead.
 */
#ifndef SNIFF_H
#define SNIFF_H

#include <stddef.h>
#include <stdint.h>

#define SNIFF_HEAD	16	/* the most bytes sniff_head() looks at */

enum sniff_kind {
	SNIFF_UNKNOWN,
	SNIFF_TRACE,	/* starts with 0x0a, a TracePacket */
	SNIFF_DRAIN,	/* a frame header with a known type */
	SNIFF_GZIP,
	SNIFF_ZSTD,
	SNIFF_XZ,
};

struct sniff {
	enum sniff_kind kind;
	uint32_t type, len;	/* SNIFF_DRAIN: the first frame's header */
};

/* Names what the len bytes at head are; returns s->kind. */
enum sniff_kind sniff_head(const unsigned char *head, size_t len,
    struct sniff *s);

/*
 * Words what the input is and what to run on it, or returns NULL for a
 * trace and for what is not recognised. Returns buf.
 */
const char *sniff_str(const struct sniff *, char *buf, size_t len);

#endif
