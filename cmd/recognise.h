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
	int wrong;		/* refused: said what it is, nothing more */
	struct sniff s;
};

/*
 * The first thing a pump consumer does with each piece:
 *
 *	if (!recognise(&s->rg, p, buf, len, eof, used, &v))
 *		return v;
 *
 * The piece is looked at once, when it holds SNIFF_HEAD bytes or the
 * whole input; up to then the consumer takes nothing and waits (*used 0,
 * PUMP_MORE: the pump's contract gives the bytes back with more after
 * them). A kind refused is said on standard error, g->wrong is set and *v
 * is PUMP_BAD; no output is written, not even an empty one. 1: go on.
 */
int recognise(struct recognise *g, struct pump *p, const unsigned char *buf,
    size_t len, int eof, size_t *used, enum pump_verdict *v);

#endif
