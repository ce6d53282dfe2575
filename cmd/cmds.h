/*
 * To add a subcommand: write cmd/<name>.c exporting cmd_<name>() and its
 * synopsis, declare both here, add a row to the sorted table in
 * cmd/wprofck.c and its descriptions to cmd/help.c; then document it in
 * man/wprofck.1.
 */
#ifndef CMDS_H
#define CMDS_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "../lib/pump.h"

enum { EXIT_OK = 0, EXIT_BAD = 1, EXIT_TROUBLE = 2 };

int cmd_check(int, char **);
int cmd_extract(int, char **);
int cmd_frames(int, char **);
int cmd_reassemble(int, char **);
int cmd_salvage(int, char **);
int cmd_split(int, char **);

extern const char synopsis_check[];
extern const char synopsis_extract[];
extern const char synopsis_frames[];
extern const char synopsis_reassemble[];
extern const char synopsis_salvage[];
extern const char synopsis_split[];

/* help.c: the one-line description of a command, NULL if unknown. */
const char *help_what(const char *cmd);
/* Synopsis, description, options and a pointer to the manual. */
void help_print(FILE *, const char *synopsis);

/* util.c */
struct wperr;
void usage(const char *synopsis) __attribute__((noreturn));
void help(const char *synopsis) __attribute__((noreturn));
uint32_t opt_tag(const char *opt, const char *arg);
void opt_tags_differ(uint32_t trace_tag, uint32_t chunk_tag);
uint64_t opt_size(const char *opt, const char *arg, uint64_t min,
    uint64_t max);
void warn_wperr(const char *name, const struct wperr *);
const char *cap_for(uint64_t len, char *buf, size_t buflen);
const char *dump_arg(const char *name);
void operands(int argc, char **argv, int min, int max,
    const char *synopsis);

/* The options every command that reads a dump through the pump shares. */
struct io_opts {
	const char *in;		/* NULL or "-": standard input */
	const char *out;	/* NULL or "-": standard output */
	int writes;		/* the command writes output */
	int sync;		/* --sync */
	int keep_bad;		/* keep what was good on a bad-data verdict */
	int drain;		/* binary input: never read from a terminal */
	int quiet;		/* -q: nothing on success */
	int force;		/* -f: binary output to a terminal too */
	int progress;		/* -1 --no-progress, 0 auto, 1 --progress */
};
/* Long options io_opt() takes: --sync, --progress, --no-progress. */
enum { OPT_SYNC = 1000, OPT_PROGRESS, OPT_NO_PROGRESS };
#define IO_LONGOPTS \
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS }, \
	{ "progress", no_argument, NULL, OPT_PROGRESS }, \
	{ "sync", no_argument, NULL, OPT_SYNC }
int io_opt(struct io_opts *, int ch);
/* Exits when WHAT would go to standard output on a terminal without -f. */
void refuse_tty(const struct io_opts *, const char *what);
void clear_progress(const struct pump *);
void warn_pump(const struct pump *);
int run_pump(const struct io_opts *, struct pump *,
    enum pump_verdict (*)(struct pump *, void *, const unsigned char *,
    size_t, int, size_t *), void *);

#endif
