#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmds.h"
#include "progress.h"
#include "run.h"
#include "vis.h"
#include "../lib/err.h"
#include "../lib/pump.h"

static void
warn_err(const char *name, const struct wperr *e)
{
	char buf[512];

	warnx("%s: %s", name, wperr_str(e, buf, sizeof(buf)));
}

/* A failure of the pump or the output, worded for a person. */
static void
warn_pump(const struct pump *p)
{
	const char *slash;
	char buf[512];

	if (p->err_input)
		warn_err(p->name, &p->err);
	else if (p->err.code == WPE_NO_DIR && p->err.path[0] != '\0')
		warnx("%s: the directory '%s' does not exist", p->outname,
		    msg_vis(p->err.path));
	else if (p->err.code == WPE_NO_DIR) {
		slash = strrchr(p->outname, '/');
		warnx("%s: the directory '%.*s' does not exist", p->outname,
		    slash == NULL ? 1 : slash == p->outname ? 1 :
		    (int)(slash - p->outname), slash == NULL ? "." :
		    p->outname);
	} else if (p->err.code == WPE_SPOOL)
		warnx("standard output: %s; write it to a file with -o instead",
		    wperr_str(&p->err, buf, sizeof(buf)));
	else
		warn_err(p->outname, &p->err);
}

/* One of the options in RUN_LONGOPTS, or -f or -q: 1 when it was one. */
int
run_opt(struct run_opts *o, int ch)
{
	switch (ch) {
	case 'f':
		o->force = 1;
		return 1;
	case 'q':
		o->quiet = 1;
		return 1;
	case RUN_SYNC:
		o->sync = 1;
		return 1;
	case RUN_PROGRESS:
		o->progress = 1;
		return 1;
	case RUN_NO_PROGRESS:
		o->progress = -1;
		return 1;
	}
	return 0;
}

/* Erases an updating progress line, so that a message never shares it. */
void
run_clear_progress(const struct pump *p)
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
run_refuse_tty(const struct run_opts *o, const char *what)
{
	if (!o->force && (o->out == NULL || strcmp(o->out, "-") == 0 ?
	    isatty(STDOUT_FILENO) : names_tty(o->out)))
		errx(EXIT_TROUBLE, "refusing to write %s to a terminal; use -o "
		    "or -f", what);
}

/*
 * Opens the input (NULL or "-": standard input) and the output, and runs
 * fn over the input through the pump. Returns the exit status; trouble is
 * reported here, bad data by fn.
 */
int
run_pump(const struct run_opts *o, struct pump *p,
    enum pump_verdict (*fn)(struct pump *, void *, const unsigned char *,
    size_t, int, size_t *), void *arg)
{
	struct outfile of;
	struct progress prog;
	struct stat st;
	struct wperr e;
	const char *name = "(standard input)", *raw = name;
	enum pump_verdict v;
	int in = STDIN_FILENO, status;

	if (o->writes && (o->out == NULL || strcmp(o->out, "-") == 0) &&
	    io_std_closed(STDOUT_FILENO)) {
		warnx("standard output is closed; give -o OUT or redirect it");
		return EXIT_TROUBLE;
	}
	if (o->in != NULL && strcmp(o->in, "-") != 0) {
		raw = o->in;
		name = msg_vis(o->in);
		if ((in = io_open(o->in, &e)) == -1) {
			warn_err(name, &e);
			return EXIT_TROUBLE;
		}
	} else if (o->drain && isatty(STDIN_FILENO)) {
		warnx("a drain is not read from a terminal; name the file or "
		    "redirect standard input");
		return EXIT_TROUBLE;
	}
	if (pump_init(p, in, NULL, 0, &e) == -1) {
		warn_err(name, &e);
		status = EXIT_TROUBLE;
		goto out;
	}
	p->name = name;
	p->outname = o->out == NULL || strcmp(o->out, "-") == 0 ?
	    "(standard output)" : msg_vis(o->out);
	p->keep_bad = o->keep_bad;
	p->no_map = o->no_map;
	/* The progress module escapes what it shows itself. */
	progress_init(&prog, raw, p->regular ? p->size : 0, o->progress);
	if (o->unit != NULL)
		prog.unit = o->unit;
	/* Both are cleared before return: the caller keeps p, not them. */
	p->progress = progress_hook;
	/* cppcheck-suppress autoVariables */
	p->progress_arg = &prog;
	if (o->writes) {
		if (fstat(in, &st) == -1 ||
		    outfile_open(&of, o->out, &st, o->sync, &p->err) == -1) {
			if (p->err.code == WPE_SAME_FILE)
				warn_err(p->outname, &p->err);
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
