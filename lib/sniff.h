/*
 * What an input is, from its first bytes: a Perfetto trace, a wprofck
 * drain, data packed by gzip, zstd or xz, text, or nothing at all. Every
 * command asks this one function before it reads on, so each can say
 * what it was given and what reads it instead; the words are cmd/'s.
 */
#ifndef SNIFF_H
#define SNIFF_H

#include <stddef.h>
#include <stdint.h>

/*
 * The bytes sniff_head() wants: fewer only when the input is shorter.
 * A frame header is 16 bytes, a trace's first key, length and field key
 * at most 12.
 */
#define SNIFF_HEAD	16

enum sniff_kind {
	SNIFF_UNKNOWN,
	SNIFF_EMPTY,	/* no bytes at all */
	SNIFF_TRACE,	/* 0x0a, a plausible length and a field key */
	SNIFF_DRAIN,	/* a frame header with a type ktstr defines */
	SNIFF_GZIP,
	SNIFF_ZSTD,
	SNIFF_XZ,
	SNIFF_TEXT,	/* printable UTF-8, tabs and line ends */
};

struct sniff {
	enum sniff_kind kind;
	uint32_t type, len;	/* SNIFF_DRAIN: the first frame's header */
	uint64_t packet;	/* SNIFF_TRACE: the first packet's length */
};

/*
 * Names what the len bytes at head are, the first of the input; len is
 * SNIFF_HEAD or more, or the whole input. Returns s->kind.
 */
enum sniff_kind sniff_head(const unsigned char *head, size_t len,
    struct sniff *s);

#endif
