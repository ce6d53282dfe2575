#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "opt.h"
#include "vis.h"
#include "../lib/err.h"
#include "../lib/size.h"
#include "../lib/tag.h"

void
opt_usage(const char *synopsis)
{
	fprintf(stderr, "usage: wprofck %s\n", synopsis);
	exit(EXIT_TROUBLE);
}

void
opt_help(const char *synopsis)
{
	cmds_help(stdout, synopsis);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EXIT_TROUBLE, "write error on standard output");
	exit(EXIT_OK);
}

/* Operand counts: GNU's wording, then the usage line. */
void
opt_operands(int argc, char **argv, int min, int max, const char *synopsis)
{
	if (argc < min) {
		warnx("missing operand");
		opt_usage(synopsis);
	}
	if (argc > max) {
		warnx("extra operand '%s'", msg_vis(argv[max]));
		opt_usage(synopsis);
	}
}

uint32_t
opt_tag(const char *opt, const char *arg)
{
	struct wperr e;
	uint32_t tag;
	char buf[256];

	if (tag_parse(arg, &tag, &e) == -1)
		errx(EXIT_TROUBLE, "%s: '%s': %s", opt, msg_vis(arg),
		    wperr_str(&e, buf, sizeof(buf)));
	return tag;
}

uint64_t
opt_size(const char *opt, const char *arg, uint64_t min, uint64_t max)
{
	struct wperr e;
	uint64_t v;
	char buf[256];

	if (size_parse(arg, min, max, &v, &e) == -1)
		errx(EXIT_TROUBLE, "%s: '%s': %s", opt, msg_vis(arg),
		    wperr_str(&e, buf, sizeof(buf)));
	return v;
}

/* Chunks and the terminal are told apart by type alone. */
void
opt_tags_differ(uint32_t trace_tag, uint32_t chunk_tag)
{
	if (trace_tag == chunk_tag)
		errx(EXIT_TROUBLE, "--trace-tag and --chunk-tag must differ");
}

/*
 * The --max-frame value, in the units a person types, that admits a frame
 * of len bytes: whole K below 1 MiB, else whole M, else the bytes.
 */
const char *
opt_cap_for(uint64_t len, char *buf, size_t buflen)
{
	uint64_t k = (len + 1023) >> 10, m = (len + (1u << 20) - 1) >> 20;

	if (len <= 1u << 20)
		snprintf(buf, buflen, "%lluK", (unsigned long long)k);
	else if (m << 20 <= UINT32_MAX)
		snprintf(buf, buflen, "%lluM", (unsigned long long)m);
	else
		snprintf(buf, buflen, "%llu", (unsigned long long)len);
	return buf;
}

/* Names a dump in a command line to copy; standard input has no name. */
const char *
opt_dump_arg(const char *name)
{
	return strcmp(name, "(standard input)") == 0 ? "DUMP" : name;
}
