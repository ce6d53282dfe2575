#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmds.h"
#include "progress.h"
#include "../lib/wprofck.h"

void
usage(const char *synopsis)
{
	fprintf(stderr, "usage: wprofck %s\n", synopsis);
	exit(EXIT_TROUBLE);
}

void
help(const char *synopsis)
{
	help_print(stdout, synopsis);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EXIT_TROUBLE, "write error on standard output");
	exit(EXIT_OK);
}

uint32_t
opt_tag(const char *opt, const char *arg)
{
	struct wperr e;
	uint32_t tag;
	char buf[256];

	if (tag_parse(arg, &tag, &e) == -1)
		errx(EXIT_TROUBLE, "%s: '%s': %s", opt, arg,
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
		errx(EXIT_TROUBLE, "%s: '%s': %s", opt, arg,
		    wperr_str(&e, buf, sizeof(buf)));
	return v;
}

/*
 * The --max-frame value, in the units a person types, that admits a frame
 * of len bytes: whole K below 1 MiB, else whole M, else the bytes.
 */
const char *
cap_for(uint64_t len, char *buf, size_t buflen)
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
dump_arg(const char *name)
{
	return strcmp(name, "<stdin>") == 0 ? "DUMP" : name;
}

/* Chunks and the terminal are told apart by type alone. */
void
opt_tags_differ(uint32_t trace_tag, uint32_t chunk_tag)
{
	if (trace_tag == chunk_tag)
		errx(EXIT_TROUBLE, "--trace-tag and --chunk-tag must differ");
}

void
warn_wperr(const char *name, const struct wperr *e)
{
	char buf[512];

	warnx("%s: %s", name, wperr_str(e, buf, sizeof(buf)));
}

/* One of the options in IO_LONGOPTS, or -q: 1 when it was one. */
int
io_opt(struct io_opts *o, int ch)
{
	switch (ch) {
	case 'f':
		o->force = 1;
		return 1;
	case 'q':
		o->quiet = 1;
		return 1;
	case OPT_SYNC:
		o->sync = 1;
		return 1;
	case OPT_PROGRESS:
		o->progress = 1;
		return 1;
	case OPT_NO_PROGRESS:
		o->progress = -1;
		return 1;
	}
	return 0;
}

/* Operand counts: GNU's wording, then the usage line. */
void
operands(int argc, char **argv, int min, int max, const char *synopsis)
{
	if (argc < min) {
		warnx("missing operand");
		usage(synopsis);
	}
	if (argc > max) {
		warnx("extra operand '%s'", argv[max]);
		usage(synopsis);
	}
}

/* A failure of the pump or the output, worded for a person. */
void
warn_pump(const struct pump *p)
{
	const char *slash;

	if (p->err_input)
		warn_wperr(p->name, &p->err);
	else if (p->err.code == WPE_NO_DIR && p->err.path[0] != '\0')
		warnx("%s: the directory '%s' does not exist", p->outname,
		    p->err.path);
	else if (p->err.code == WPE_NO_DIR) {
		slash = strrchr(p->outname, '/');
		warnx("%s: the directory '%.*s' does not exist", p->outname,
		    slash == NULL ? 1 : slash == p->outname ? 1 :
		    (int)(slash - p->outname), slash == NULL ? "." :
		    p->outname);
	} else if (p->err.code == WPE_SPOOL)
		warn_wperr("standard output", &p->err);
	else
		warn_wperr(p->outname, &p->err);
}

/*
 * Opens the input (NULL or "-": standard input) and the output, and runs
 * fn over the input through the pump. Returns the exit status; trouble is
 * reported here, bad data by fn.
 */
/* Erases an updating progress line, so that a message never shares it. */
void
clear_progress(const struct pump *p)
{
	if (p->progress == progress_hook)
		progress_clear(p->progress_arg);
}

/* -o /dev/stdout, /dev/tty, /dev/pts/N: a character device that is one. */
static int
names_tty(const char *path)
{
	struct stat st;
	int fd, tty;

	if (stat(path, &st) == -1 || !S_ISCHR(st.st_mode) ||
	    (fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) ==
	    -1)
		return 0;
	tty = isatty(fd);
	close(fd);
	return tty;
}

void
refuse_tty(const struct io_opts *o, const char *what)
{
	if (!o->force && (o->out == NULL || strcmp(o->out, "-") == 0 ?
	    isatty(STDOUT_FILENO) : names_tty(o->out)))
		errx(EXIT_TROUBLE, "refusing to write %s to a terminal; use -o "
		    "or -f", what);
}

int
run_pump(const struct io_opts *o, struct pump *p,
    enum pump_verdict (*fn)(struct pump *, void *, const unsigned char *,
    size_t, int, size_t *), void *arg)
{
	struct outfile of;
	struct progress prog;
	struct stat st;
	struct wperr e;
	const char *name = "<stdin>";
	enum pump_verdict v;
	int in = STDIN_FILENO, status;

	if (o->in != NULL && strcmp(o->in, "-") != 0) {
		name = o->in;
		if ((in = io_open(o->in, &e)) == -1) {
			warn_wperr(name, &e);
			return EXIT_TROUBLE;
		}
	} else if (o->drain && isatty(STDIN_FILENO)) {
		warnx("a drain is not read from a terminal; name the file or "
		    "redirect standard input");
		return EXIT_TROUBLE;
	}
	if (pump_init(p, in, NULL, 0, &e) == -1) {
		warn_wperr(name, &e);
		status = EXIT_TROUBLE;
		goto out;
	}
	p->name = name;
	p->outname = o->out == NULL || strcmp(o->out, "-") == 0 ?
	    "<stdout>" : o->out;
	p->keep_bad = o->keep_bad;
	progress_init(&prog, name, p->regular ? p->size : 0, o->progress);
	/* Both are cleared before return: the caller keeps p, not them. */
	p->progress = progress_hook;
	/* cppcheck-suppress autoVariables */
	p->progress_arg = &prog;
	if (o->writes) {
		if (fstat(in, &st) == -1 ||
		    outfile_open(&of, o->out, &st, o->sync, &p->err) == -1) {
			if (p->err.code == WPE_SAME_FILE)
				warn_wperr(p->outname, &p->err);
			else
				warn_pump(p);
			status = EXIT_TROUBLE;
			goto out;
		}
		/* cppcheck-suppress autoVariables */
		p->out = &of;
	}
	v = pump_run(p, fn, arg);
	/* The consumer counts its items after the hook has seen the read. */
	prog.bytes = p->done;
	prog.items = p->items;
	progress_end(&prog);
	status = v == PUMP_DONE ? EXIT_OK : v == PUMP_BAD ? EXIT_BAD :
	    EXIT_TROUBLE;
	if (v == PUMP_FAIL)
		warn_pump(p);
out:
	p->progress = NULL;
	p->progress_arg = NULL;
	p->out = NULL;
	pump_free(p);
	if (in != STDIN_FILENO)
		close(in);
	return status;
}
