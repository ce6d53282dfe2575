/*
 * run.c: a command that reads a dump or a trace runs it through the pump
 * with run_pump(), which opens input and output, shows progress and words
 * the trouble.
 */
#ifndef RUN_H
#define RUN_H

#include "../lib/pump.h"

/* The options every command that reads through the pump shares. */
struct run_opts {
	const char *in;		/* NULL or "-": standard input */
	const char *out;	/* NULL or "-": standard output */
	int writes;		/* the command writes output */
	int sync;		/* --sync */
	int keep_bad;		/* keep what was good on a bad-data verdict */
	int no_map;		/* read a regular file, never map it */
	int drain;		/* binary input: never read from a terminal */
	int quiet;		/* -q: nothing on success */
	int force;		/* -f: binary output to a terminal too */
	int progress;		/* -1 --no-progress, 0 auto, 1 --progress */
	const char *unit;	/* what p->items counts, if not "frames" */
};
/* Long options run_opt() takes: --sync, --progress, --no-progress. */
enum { RUN_SYNC = 1000, RUN_PROGRESS, RUN_NO_PROGRESS };
#define RUN_LONGOPTS \
	{ "no-progress", no_argument, NULL, RUN_NO_PROGRESS }, \
	{ "progress", no_argument, NULL, RUN_PROGRESS }, \
	{ "sync", no_argument, NULL, RUN_SYNC }
/* One of the options in RUN_LONGOPTS, or -f or -q: 1 when it was one. */
int run_opt(struct run_opts *, int ch);
/* Exits when WHAT would go to standard output on a terminal without -f. */
void run_refuse_tty(const struct run_opts *, const char *what);
/* Erases an updating progress line, so that a message never shares it. */
void run_clear_progress(const struct pump *);
int run_pump(const struct run_opts *, struct pump *,
    enum pump_verdict (*)(struct pump *, void *, const unsigned char *,
    size_t, int, size_t *), void *);

#endif
