/*
 * To add a command: write cmd/<name>.c exporting cmd_<name>() and its
 * synopsis, declare both here, add its row (what it does, its options) to
 * the sorted table in cmd/cmds.c, and document it in man/wprofck.1.
 */
#ifndef CMDS_H
#define CMDS_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

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

/* cmds.c: the one table of commands, for the dispatcher and help. */
struct opthelp {
	const char *opt;	/* as typed, with its argument */
	const char *what;
};

struct command {
	const char *name;
	int (*fn)(int, char **);
	const char *synopsis;
	const char *what;	/* lowercase, no final punctuation */
	const struct opthelp *opts;
};

const struct command *cmds_find(const char *name);
/* The i-th command of the table; NULL past the end. */
const struct command *cmds_at(size_t i);
/* Each command with one line on what it does. */
void cmds_list(FILE *);
/* Synopsis, description, options and a pointer to the manual. */
void cmds_help(FILE *, const char *synopsis);

#endif
