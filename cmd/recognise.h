/*
 * recognise.c: every command that reads through the pump looks at the
 * input's first bytes (lib/sniff.c) before anything else, and refuses a
 * kind it does not read with a message that names the command that does.
 */
#ifndef RECOGNISE_H
#define RECOGNISE_H

#include <stddef.h>

#include "hint.h"
#include "../lib/pump.h"
#include "../lib/sniff.h"

#define RECOGNISE_KIND(k)	(1u << (k))
/* Packed data: no command reads it as it is. */
#define RECOGNISE_PACKED	(RECOGNISE_KIND(SNIFF_GZIP) | \
	RECOGNISE_KIND(SNIFF_ZSTD) | RECOGNISE_KIND(SNIFF_XZ))

struct recognise {
	enum hint_reads reads;
	unsigned refuse;	/* RECOGNISE_KIND() of each kind refused */
	const char *path;	/* the operand; NULL or "-": standard input */
	const char *cmd;	/* reads it from standard input: "frames -" */
	int done;
	struct sniff s;
};

enum recognise_verdict {
	RECOGNISE_WAIT,		/* return PUMP_MORE, *used = 0 */
	RECOGNISE_GO,		/* a kind the command reads, or unknown */
	RECOGNISE_WRONG,	/* said what it is: return PUMP_BAD */
};

/*
 * The first thing a pump consumer does with each piece. The piece is
 * looked at once, when it holds SNIFF_HEAD bytes or the whole input; up
 * to then the consumer takes nothing and waits (the pump's contract lets
 * it: the bytes come back with more after them). A kind refused writes
 * no output, not even an empty one.
 */
enum recognise_verdict recognise(struct recognise *, struct pump *,
    const unsigned char *, size_t, int eof);

#endif
