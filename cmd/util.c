#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmds.h"
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

/* Opens DUMP, or standard input for NULL and "-"; -1 after a warning. */
int
input_open(const char *path, const char **name)
{
	int fd;

	if (path == NULL || strcmp(path, "-") == 0) {
		*name = "<stdin>";
		return STDIN_FILENO;
	}
	*name = path;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		warn("%s", path);
		return -1;
	}
	return fd;
}

int
write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Opens the dump (NULL or "-" for standard input) and the output (NULL for
 * standard output, else an atomic outfile), and runs fn between them. The
 * outfile is committed unless fn reports trouble: a verdict of bad data
 * still keeps what was good.
 */
int
run_io(const char *dump, const char *out,
    int (*fn)(int, const char *, int, const char *, void *), void *arg)
{
	struct outfile of;
	struct stat st;
	struct wperr e;
	const char *name;
	int in, status;

	if ((in = input_open(dump, &name)) == -1)
		return EXIT_TROUBLE;
	if (fstat(in, &st) == -1) {
		warn("%s", name);
		status = EXIT_TROUBLE;
	} else if (out == NULL)
		status = fn(in, name, STDOUT_FILENO, "<stdout>", arg);
	else if (outfile_open(&of, out, &st, &e) == -1) {
		warn_wperr(out, &e);
		status = EXIT_TROUBLE;
	} else {
		status = fn(in, name, of.fd, out, arg);
		if (status == EXIT_TROUBLE)
			outfile_abort(&of);
		else if (outfile_commit(&of, &e) == -1) {
			warn_wperr(out, &e);
			status = EXIT_TROUBLE;
		}
	}
	if (in != STDIN_FILENO)
		close(in);
	return status;
}

static void
on_signal(int sig)
{
	outfile_unlink_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

void
signals_cleanup_outfiles(void)
{
	struct sigaction sa, old;
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		/* A signal ignored by whoever started us stays ignored. */
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}
