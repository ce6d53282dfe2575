/*
 * The one table of commands: the dispatcher runs them from it, and
 * `wprofck help` and `wprofck CMD --help` print from it one line on what
 * each does and one line per option. The synopses stay with their
 * commands; tests/01-man.bats holds this text to the manual.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cmds.h"

#define HELP_FORCE	{ "-f, --force", \
	"write binary data to a terminal too" }
#define HELP_QUIET	{ "-q, --quiet", \
	"nothing on success; failures still reported" }
#define HELP_OUTPUT	{ "-o, --output=out", \
	"write to out atomically (- is standard output)" }
#define HELP_SYNC	{ "--sync", \
	"fsync the output, then its directory" }
#define HELP_MAX_FRAME	{ "--max-frame=size", \
	"the largest frame payload accepted (default 16M)" }
#define HELP_TRACE_TAG	{ "--trace-tag=tag", \
	"the type of the terminal frame (default WPRF)" }
#define HELP_CHUNK_TAG	{ "--chunk-tag=tag", \
	"the type of the chunk frames (default WPRC)" }
#define HELP_PROGRESS	{ "--progress", \
	"plain progress lines on standard error" }, \
	{ "--no-progress", "print no progress" }
#define HELP_END	{ NULL, NULL }

static const struct opthelp check_opts[] = {
	HELP_QUIET,
	{ "--json", "JSON Lines: each artifact, then a summary" },
	{ "--junit=file", "also a JUnit XML report, a testcase per artifact" },
	{ "--shape", "check only the size and the leading byte" },
	{ "--deep", "walk each artifact as a trace (the default)" },
	{ "--min-size=size", "the least size of an artifact (default 4096)" },
	{ "--files-from=file", "check the paths in file too, one a line (- stdin)" },
	{ "-0, --null", "the names in that list end with NUL, not newline" },
	{ "--no-recurse", "a directory: its own entries, not its subdirectories" },
	HELP_PROGRESS,
	HELP_END
};

static const struct opthelp extract_opts[] = {
	HELP_FORCE, HELP_QUIET, HELP_OUTPUT, HELP_SYNC, HELP_MAX_FRAME,
	HELP_PROGRESS,
	HELP_END
};

static const struct opthelp frames_opts[] = {
	HELP_QUIET,
	{ "--json", "JSON Lines: each frame, then a summary" },
	HELP_MAX_FRAME, HELP_TRACE_TAG, HELP_CHUNK_TAG, HELP_PROGRESS,
	HELP_END
};

static const struct opthelp reassemble_opts[] = {
	HELP_FORCE, HELP_QUIET, HELP_OUTPUT, HELP_SYNC, HELP_MAX_FRAME,
	HELP_TRACE_TAG, HELP_CHUNK_TAG,
	{ "--check[=shape|deep]",
	    "then check the output (deep by default)" },
	{ "--junit=file", "the check's JUnit XML report (needs the check)" },
	{ "--salvage", "keep the whole packets of the chunks before a tear" },
	HELP_PROGRESS,
	HELP_END
};

static const struct opthelp salvage_opts[] = {
	HELP_FORCE, HELP_QUIET, HELP_OUTPUT, HELP_SYNC, HELP_PROGRESS,
	HELP_END
};

static const struct opthelp split_opts[] = {
	HELP_FORCE, HELP_QUIET, HELP_OUTPUT, HELP_SYNC,
	{ "--cap=size", "the slice size (default 16M)" },
	HELP_TRACE_TAG, HELP_CHUNK_TAG, HELP_PROGRESS,
	HELP_END
};

/* Sorted by name; tests/01-man.bats reads the names from this table. */
static const struct command commands[] = {
	{ "check", cmd_check, synopsis_check,
	    "check wprof artifacts (*.wprof.pb) and report on each",
	    check_opts },
	{ "extract", cmd_extract, synopsis_extract,
	    "write the payloads of one message type in a drain dump",
	    extract_opts },
	{ "frames", cmd_frames, synopsis_frames,
	    "list the frames of a drain dump and say whether it is intact",
	    frames_opts },
	{ "reassemble", cmd_reassemble, synopsis_reassemble,
	    "rebuild the wprof trace from a drain dump",
	    reassemble_opts },
	{ "salvage", cmd_salvage, synopsis_salvage,
	    "save the whole packets at the start of a damaged trace",
	    salvage_opts },
	{ "split", cmd_split, synopsis_split,
	    "cut a trace into the frames a guest would send",
	    split_opts },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

const struct command *
cmds_find(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* The i-th command of the table; NULL past the end. */
const struct command *
cmds_at(size_t i)
{
	return i < NCOMMANDS ? &commands[i] : NULL;
}

/* git's way: each command with one line on what it does. */
void
cmds_list(FILE *fp)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "  %-13s  %s\n", commands[i].name,
		    commands[i].what);
}

/* Options too long for the column get a line of their own. */
static void
print_opt(FILE *fp, const char *opt, const char *what)
{
	if (strlen(opt) <= 22)
		fprintf(fp, "  %-22s  %s\n", opt, what);
	else
		fprintf(fp, "  %s\n  %-22s  %s\n", opt, "", what);
}

/* Synopsis, description, options and a pointer to the manual. */
void
cmds_help(FILE *fp, const char *synopsis)
{
	const struct command *c;
	const struct opthelp *o;
	size_t i;

	fprintf(fp, "usage: wprofck %s\n", synopsis);
	for (i = 0, c = NULL; i < NCOMMANDS && c == NULL; i++)
		if (commands[i].synopsis == synopsis)
			c = &commands[i];
	if (c == NULL)
		return;
	fprintf(fp, "\n%c%s.\n\nOptions:\n", toupper((unsigned char)c->what[0]),
	    c->what + 1);
	for (o = c->opts; o->opt != NULL; o++)
		print_opt(fp, o->opt, o->what);
	print_opt(fp, "-h, --help", "print this help and exit");
	fprintf(fp, "\nThe manual, wprofck(1), says more: man wprofck\n");
}
