/*
 * hint.c: what a failed check means and what to do about it, and what an
 * input is when a command was given the wrong kind. A command in a hint
 * is written out with the user's path, so that it works as printed.
 */
#ifndef HINT_H
#define HINT_H

#include <stddef.h>

struct sniff;
struct wperr;

/*
 * A sentence of advice for the error's reason, or NULL. path is the one
 * file that failed so, or NULL for several; the text lives until the next
 * call for the same code.
 */
const char *hint_of(const struct wperr *, const char *path);

/* What a command reads. */
enum hint_reads {
	HINT_READS_TRACE,
	HINT_READS_DRAIN,
};

/*
 * What the input is, when it is not what a command that reads `reads`
 * takes, and the command line that takes it; NULL when it fits or nothing
 * better is known. path is the operand, NULL or "-" for standard input;
 * cmd is the command line that would read it from standard input after a
 * decompressor ("check -"). Returns buf.
 */
const char *hint_input(const struct sniff *, enum hint_reads reads,
    const char *path, const char *cmd, char *buf, size_t len);

/*
 * path as one shell word, quoted when needed, or NULL when it holds a
 * byte a terminal would not show as itself (then no command is given).
 */
const char *hint_quote(const char *path, char *buf, size_t len);

#endif
