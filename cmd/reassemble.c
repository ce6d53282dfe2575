#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmds.h"
#include "../lib/wprofck.h"

const char synopsis_reassemble[] =
    "reassemble [-fq] [-o out] [--sync] [--max-frame size] "
    "[--trace-tag tag] [--chunk-tag tag] [--check[=shape|deep]] "
    "[--progress | --no-progress] [dump]";

#define READ_SIZE (1u << 20)
/*
 * Slices shorter than this are gathered and written READ_SIZE at a time,
 * so a drain of small frames costs no system call per frame.
 */
#define GATHER_MAX (64u << 10)

struct reassemble_opts {
	int force, quiet;
	const char *out;
	uint32_t cap, trace_tag, chunk_tag;
	const char *check;	/* NULL, "shape" or "deep" */
};

static int
fail_out(const char *path, const struct wperr *e)
{
	warn_wperr(path, e);
	return EXIT_TROUBLE;
}

static void
warn_pad(const char *name, const struct frame *f)
{
	char tn[FRAME_TYPE_NAME_MAX];

	warnx("%s: warning: frame %llu at offset %llu (%s) has pad 0x%08lx, "
	    "expected 0", name, (unsigned long long)f->index,
	    (unsigned long long)f->off, frame_type_name(f->type, tn),
	    (unsigned long)f->pad);
}

struct gather {
	unsigned char *buf;
	size_t len;
};

static int
gather_flush(struct gather *g, struct outfile *out, struct wperr *e)
{
	size_t len = g->len;

	g->len = 0;
	return outfile_write(out, g->buf, len, e);
}

static int
gather_write(struct gather *g, struct outfile *out, const void *p,
    size_t len, struct wperr *e)
{
	if (g->len + len > READ_SIZE && gather_flush(g, out, e) == -1)
		return -1;
	if (len >= GATHER_MAX) {
		if (g->len > 0 && gather_flush(g, out, e) == -1)
			return -1;
		return outfile_write(out, p, len, e);
	}
	memcpy(g->buf + g->len, p, len);
	g->len += len;
	return 0;
}

/*
 * Feeds the dump through the reassembler into out, stopping at the verdict.
 * Returns EXIT_OK with *bytes set, EXIT_BAD after a message, or
 * EXIT_TROUBLE after a message.
 */
static int
pump(int in, const char *name, struct outfile *out, const char *outname,
    const struct reassemble_opts *o, uint64_t *bytes)
{
	struct gather g = { NULL, 0 };
	struct wperr e;
	struct reasm r;
	unsigned char *buf;
	enum reasm_ev ev;
	ssize_t n;
	int status = EXIT_TROUBLE;
	char msg[512];

	if ((buf = malloc(READ_SIZE)) == NULL ||
	    (g.buf = malloc(READ_SIZE)) == NULL) {
		warn(NULL);
		free(buf);
		return EXIT_TROUBLE;
	}
	/*
	 * A pipe holds 64 KiB by default, so each read returns little and
	 * the writer and we take turns; a larger pipe halves the time.
	 */
	(void)fcntl(in, F_SETPIPE_SZ, READ_SIZE);
	reasm_init(&r, o->cap, o->chunk_tag, o->trace_tag);
	for (;;) {
		n = read(in, buf, READ_SIZE);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			warn("%s: read", name);
			goto out;
		}
		if (n == 0)
			ev = reasm_eof(&r);
		else {
			reasm_input(&r, buf, (size_t)n);
			ev = reasm_next(&r);
		}
		for (; ev != REASM_NEED; ev = reasm_next(&r)) {
			switch (ev) {
			case REASM_DATA:
				if (gather_write(&g, out, r.data, r.datalen,
				    &e) == -1) {
					warn_wperr(outname, &e);
					goto out;
				}
				break;
			case REASM_PAD:
				if (!o->quiet)
					warn_pad(name, &r.fw.cur);
				break;
			case REASM_DONE:
				if (gather_flush(&g, out, &e) == -1) {
					warn_wperr(outname, &e);
					goto out;
				}
				*bytes = r.bytes;
				status = EXIT_OK;
				goto out;
			case REASM_FAIL:
				warnx("%s: %s; no .pb written", name,
				    wperr_str(&r.err, msg, sizeof(msg)));
				status = EXIT_BAD;
				goto out;
			case REASM_NEED:
				break;
			}
		}
	}
out:
	free(g.buf);
	free(buf);
	return status;
}

/* --check: the spool when there is one, else the file just renamed. */
static int
check_result(int spool, const char *out, const char *outname,
    const char *how)
{
	int fd, status;

	if (spool != -1)
		return check_written(spool, outname, how);
	if ((fd = open(out, O_RDONLY | O_CLOEXEC)) == -1) {
		warn("%s", out);
		return EXIT_TROUBLE;
	}
	status = check_written(fd, outname, how);
	close(fd);
	return status;
}

static int
reassemble(int in, const char *name, const struct reassemble_opts *o)
{
	struct outfile of, spoolof, *sink = &of;
	struct stat st;
	struct wperr e;
	const char *outname = o->out ? o->out : "<stdout>";
	uint64_t bytes = 0;
	int status, spool = -1, dest = STDOUT_FILENO;

	if (fstat(in, &st) == -1) {
		warn("%s", name);
		return EXIT_TROUBLE;
	}
	memset(&of, 0, sizeof(of));
	of.fd = -1;
	if (o->out != NULL) {
		if (outfile_open(&of, o->out, &st, &e) == -1)
			return fail_out(o->out, &e);
		dest = of.fd;
	}
	/* Nothing reaches a device, a FIFO or stdout before the verdict. */
	if (o->out == NULL || of.direct) {
		if ((spool = spool_open(&e)) == -1) {
			outfile_abort(&of);
			return fail_out(outname, &e);
		}
		memset(&spoolof, 0, sizeof(spoolof));
		spoolof.fd = spool;
		spoolof.direct = 1;
		sink = &spoolof;
	}

	status = pump(in, name, sink, spool != -1 ? "spool file in $TMPDIR" :
	    outname, o, &bytes);
	if (status == EXIT_OK && spool != -1 &&
	    fd_copy(spool, dest, bytes, &e) == -1)
		status = fail_out(outname, &e);
	if (status != EXIT_OK)
		outfile_abort(&of);
	else if (o->out != NULL && outfile_commit(&of, &e) == -1)
		status = fail_out(o->out, &e);
	else if (o->check != NULL)
		status = check_result(spool, o->out, outname, o->check);
	if (spool != -1)
		close(spool);
	return status;
}

int
cmd_reassemble(int argc, char **argv)
{
	enum { OPT_MAX_FRAME = 256, OPT_TRACE_TAG, OPT_CHUNK_TAG, OPT_CHECK };
	static const struct option longopts[] = {
		{ "check", optional_argument, NULL, OPT_CHECK },
		{ "chunk-tag", required_argument, NULL, OPT_CHUNK_TAG },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "max-frame", required_argument, NULL, OPT_MAX_FRAME },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "trace-tag", required_argument, NULL, OPT_TRACE_TAG },
		{ NULL, 0, NULL, 0 }
	};
	struct reassemble_opts o;
	const char *name;
	int ch, in, status;

	memset(&o, 0, sizeof(o));
	o.cap = FRAME_CAP_DEFAULT;
	o.trace_tag = TAG_WPRF;
	o.chunk_tag = TAG_WPRC;
	while ((ch = getopt_long(argc, argv, "fho:q", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			o.force = 1;
			break;
		case 'h':
			help(synopsis_reassemble);
		case 'o':
			o.out = optarg;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case OPT_MAX_FRAME:
			o.cap = (uint32_t)opt_size("--max-frame", optarg, 0,
			    UINT32_MAX);
			break;
		case OPT_TRACE_TAG:
			o.trace_tag = opt_tag("--trace-tag", optarg);
			break;
		case OPT_CHUNK_TAG:
			o.chunk_tag = opt_tag("--chunk-tag", optarg);
			break;
		case OPT_CHECK:
			if (optarg == NULL || strcmp(optarg, "shape") == 0)
				o.check = "shape";
			else if (strcmp(optarg, "deep") == 0)
				o.check = "deep";
			else
				errx(EXIT_TROUBLE, "--check: '%s': want shape "
				    "or deep", optarg);
			break;
		default:
			usage(synopsis_reassemble);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1)
		usage(synopsis_reassemble);
	opt_tags_differ(o.trace_tag, o.chunk_tag);
	if (o.out == NULL && !o.force && isatty(STDOUT_FILENO))
		errx(EXIT_TROUBLE, "refusing to write binary data to a "
		    "terminal; use -o or -f");

	if ((in = input_open(argc == 1 ? argv[0] : NULL, &name)) == -1)
		return EXIT_TROUBLE;
	status = reassemble(in, name, &o);
	if (in != STDIN_FILENO)
		close(in);
	return status;
}
