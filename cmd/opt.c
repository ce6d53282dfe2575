#include <ctype.h>
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "opt.h"
#include "suggest.h"
#include "vis.h"
#include "../lib/err.h"
#include "../lib/size.h"
#include "../lib/tag.h"

/* The running command's synopsis, for the usage line of a bad value. */
static const char *opt_synopsis;

void
opt_command(const char *synopsis)
{
	opt_synopsis = synopsis;
}

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

/*
 * getopt_long(), and after its "unrecognized option" the options nearest
 * to the one typed. An abbreviation of several is "ambiguous" instead,
 * and getopt lists them itself.
 */
int
opt_getopt(int argc, char **argv, const char *optstring,
    const struct option *longopts)
{
	const struct option *o;
	struct suggest sg;
	char name[64], buf[256];
	const char *arg;
	size_t n;
	int ch;

	ch = getopt_long(argc, argv, optstring, longopts, NULL);
	if (ch != '?' || optopt != 0 || optind < 1 || optind > argc)
		return ch;
	arg = argv[optind - 1];
	if (strncmp(arg, "--", 2) != 0)
		return ch;
	n = strcspn(arg + 2, "=");
	if (n == 0 || n >= sizeof(name))
		return ch;
	memcpy(name, arg + 2, n);
	name[n] = '\0';
	for (o = longopts; o->name != NULL; o++)
		if (strncmp(o->name, name, n) == 0)
			return ch;
	suggest_init(&sg, name);
	for (o = longopts; o->name != NULL; o++)
		suggest_add(&sg, o->name);
	if (suggest_words(&sg, "--", buf, sizeof(buf)) != NULL)
		warnx("did you mean %s?", buf);
	return ch;
}

/* After a bad option value: the running command's usage line. */
static void __attribute__((noreturn))
usage_again(void)
{
	if (opt_synopsis != NULL)
		opt_usage(opt_synopsis);
	exit(EXIT_TROUBLE);
}

/*
 * The known types nearest to s, by their four characters or their name,
 * each as 'SOUT' (Stdout); NULL when none is near.
 */
static const char *
near_types(const char *s, char *buf, size_t len)
{
	const char *name;
	uint32_t type, near[SUGGEST_MAX];
	size_t i, d, dc, best = SIZE_MAX, n = 0, used;
	char c[5];

	c[4] = '\0';
	for (i = 0; (name = tag_known(i, &type)) != NULL; i++) {
		tag_chars(type, c);
		d = suggest_near(s, name);
		if ((dc = suggest_near(s, c)) < d)
			d = dc;
		if (d == SIZE_MAX || d > best)
			continue;
		if (d < best) {
			best = d;
			n = 0;
		}
		if (n < SUGGEST_MAX)
			near[n++] = type;
	}
	if (n == 0)
		return NULL;
	buf[0] = '\0';
	for (i = 0, used = 0; i < n && used < len; i++) {
		tag_chars(near[i], c);
		snprintf(buf + used, len - used, "%s'%s' (%s)",
		    i == 0 ? "" : i + 1 == n ? " or " : ", ", c,
		    tag_name(near[i]));
		used = strlen(buf);
	}
	return buf;
}

/*
 * A type on the command line. Four characters that are no known type
 * but one edit from one (sotu, SOTU for SOUT) are taken for a typing slip:
 * a usage error that names the type meant. Any other four characters are
 * the type they spell, since a drain may carry any type; a number is
 * always taken as it is.
 */
static uint32_t
opt_type(const char *opt, const char *arg, int names)
{
	struct wperr e;
	uint32_t type;
	char buf[512];

	if ((names ? tag_parse_name(arg, &type, &e) :
	    tag_parse(arg, &type, &e)) == 0) {
		if (isdigit((unsigned char)arg[0]) || tag_name(type) != NULL ||
		    strlen(arg) != 4 ||
		    near_types(arg, buf, sizeof(buf)) == NULL)
			return type;
		warnx("%s: '%s': unknown type; did you mean %s?", opt,
		    msg_vis(arg), buf);
		warnx("%s: to mean the unknown type '%s' itself, give its "
		    "number: 0x%08X", opt, msg_vis(arg), type);
	} else {
		warnx("%s: '%s': %s", opt, msg_vis(arg), wperr_str(&e, buf,
		    sizeof(buf)));
		if (e.code == WPE_BAD_TAG_NAME &&
		    near_types(arg, buf, sizeof(buf)) != NULL)
			warnx("%s: did you mean %s?", opt, buf);
	}
	usage_again();
}

uint32_t
opt_tag(const char *opt, const char *arg)
{
	return opt_type(opt, arg, 0);
}

uint32_t
opt_tag_name(const char *opt, const char *arg)
{
	return opt_type(opt, arg, 1);
}

uint64_t
opt_size(const char *opt, const char *arg, uint64_t min, uint64_t max)
{
	struct wperr e;
	uint64_t v;
	char buf[256];

	if (size_parse(arg, min, max, &v, &e) == -1) {
		warnx("%s: '%s': %s", opt, msg_vis(arg), wperr_str(&e, buf,
		    sizeof(buf)));
		usage_again();
	}
	return v;
}

/* A value outside a short list: the message and the usage line. */
void
opt_bad_choice(const char *opt, const char *arg, const char *want)
{
	warnx("%s: '%s': want %s", opt, msg_vis(arg), want);
	usage_again();
}

/* Chunks and the terminal are told apart by type alone. */
void
opt_tags_differ(uint32_t trace_tag, uint32_t chunk_tag)
{
	if (trace_tag != chunk_tag)
		return;
	warnx("--trace-tag and --chunk-tag must differ");
	usage_again();
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
