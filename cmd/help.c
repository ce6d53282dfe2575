/*
 * What `wprofck help` and `wprofck CMD --help` say about each command:
 * one line on what it does and one line per option. The synopses stay
 * with their commands; tests/01-man.bats holds this text to the manual.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cmds.h"

struct opthelp {
	const char *opt;	/* as typed, with its argument */
	const char *what;
};

struct cmdhelp {
	const char *name;
	const char *what;	/* lowercase, no full stop */
	const struct opthelp *opts;
};

#define OPT_FORCE	{ "-f, --force", \
	"write binary data to a terminal too" }
#define OPT_QUIET	{ "-q, --quiet", \
	"nothing on success; failures still reported" }
#define OPT_OUTPUT	{ "-o, --output=out", \
	"write to out atomically (- is standard output)" }
#define OPT_SYNC	{ "--sync", \
	"fsync the output, then its directory" }
#define OPT_MAX_FRAME	{ "--max-frame=size", \
	"the largest frame payload accepted (default 16M)" }
#define OPT_TRACE_TAG	{ "--trace-tag=tag", \
	"the type of the terminal frame (default WPRF)" }
#define OPT_CHUNK_TAG	{ "--chunk-tag=tag", \
	"the type of the chunk frames (default WPRC)" }
#define OPT_PROGRESS	{ "--progress", \
	"plain progress lines on standard error" }, \
	{ "--no-progress", "print no progress" }
#define OPT_END		{ NULL, NULL }

static const struct opthelp check_opts[] = {
	OPT_QUIET,
	{ "--json", "JSON Lines: each artifact, then a summary" },
	{ "--shape", "check only the size and the leading byte" },
	{ "--deep", "walk each artifact as a trace (the default)" },
	{ "--min-size=size", "the least size of an artifact (default 4096)" },
	OPT_PROGRESS,
	OPT_END
};

static const struct opthelp extract_opts[] = {
	OPT_FORCE, OPT_QUIET, OPT_OUTPUT, OPT_SYNC, OPT_MAX_FRAME,
	OPT_PROGRESS,
	OPT_END
};

static const struct opthelp frames_opts[] = {
	OPT_QUIET,
	{ "--json", "JSON Lines: each frame, then a summary" },
	OPT_MAX_FRAME, OPT_TRACE_TAG, OPT_CHUNK_TAG, OPT_PROGRESS,
	OPT_END
};

static const struct opthelp reassemble_opts[] = {
	OPT_FORCE, OPT_QUIET, OPT_OUTPUT, OPT_SYNC, OPT_MAX_FRAME,
	OPT_TRACE_TAG, OPT_CHUNK_TAG,
	{ "--check[=shape|deep]",
	    "then check the output (deep by default)" },
	OPT_PROGRESS,
	OPT_END
};

static const struct opthelp salvage_opts[] = {
	OPT_FORCE, OPT_QUIET, OPT_OUTPUT, OPT_SYNC, OPT_PROGRESS,
	OPT_END
};

static const struct opthelp split_opts[] = {
	OPT_FORCE, OPT_QUIET, OPT_OUTPUT, OPT_SYNC,
	{ "--cap=size", "the slice size (default 16M)" },
	OPT_TRACE_TAG, OPT_CHUNK_TAG, OPT_PROGRESS,
	OPT_END
};

/* Sorted by name; tests/01-man.bats reads the names from this table. */
static const struct cmdhelp cmdhelp[] = {
	{ "check", "check wprof artifacts (*.wprof.pb) and report on each",
	    check_opts },
	{ "extract", "write the payloads of one message type in a drain dump",
	    extract_opts },
	{ "frames", "list the frames of a drain dump; is it intact?",
	    frames_opts },
	{ "reassemble", "rebuild the wprof trace from a drain dump",
	    reassemble_opts },
	{ "salvage", "save the whole packets at the start of a damaged trace",
	    salvage_opts },
	{ "split", "cut a trace into the frames a guest would send",
	    split_opts },
};

#define NCMDHELP (sizeof(cmdhelp) / sizeof(cmdhelp[0]))

static const struct cmdhelp *
lookup(const char *name, size_t namelen)
{
	size_t i;

	for (i = 0; i < NCMDHELP; i++)
		if (strlen(cmdhelp[i].name) == namelen &&
		    strncmp(cmdhelp[i].name, name, namelen) == 0)
			return &cmdhelp[i];
	return NULL;
}

const char *
help_what(const char *cmd)
{
	const struct cmdhelp *h;

	return (h = lookup(cmd, strlen(cmd))) == NULL ? NULL : h->what;
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

/* The command's name is the first word of its synopsis. */
void
help_print(FILE *fp, const char *synopsis)
{
	const struct cmdhelp *h;
	const struct opthelp *o;

	fprintf(fp, "usage: wprofck %s\n", synopsis);
	if ((h = lookup(synopsis, strcspn(synopsis, " "))) == NULL)
		return;
	fprintf(fp, "\n%c%s.\n\nOptions:\n", toupper((unsigned char)h->what[0]),
	    h->what + 1);
	for (o = h->opts; o->opt != NULL; o++)
		print_opt(fp, o->opt, o->what);
	print_opt(fp, "-h, --help", "print this help and exit");
	fprintf(fp, "\nThe manual, wprofck(1), says more: man wprofck\n");
}
