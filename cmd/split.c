#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "../lib/wprofck.h"

const char synopsis_split[] =
    "split [-fq] [-o out] [--sync] [--cap size] [--trace-tag tag] "
    "[--chunk-tag tag] [--progress | --no-progress] [trace]";

#define READ_SIZE (1u << 20)

struct split_opts {
	uint32_t cap, trace_tag, chunk_tag;
};

static int
split(int in, const char *name, int out, const char *outname, void *arg)
{
	const struct split_opts *o = arg;
	struct splitter sp;
	struct hold h;
	struct wperr e;
	unsigned char *buf, hdr[FRAME_HDR_SIZE];
	size_t pos = 0, len = 0, n;
	ssize_t got;
	int eof = 0, status = EXIT_TROUBLE;

	if ((buf = hold_with_buffer(&h, READ_SIZE, outname)) == NULL)
		return EXIT_TROUBLE;
	split_init(&sp, o->cap, o->chunk_tag, o->trace_tag);
	/* A full slice waits for one more byte, or the end, to be named. */
	for (;;) {
		if (pos == len) {
			if ((got = read(in, buf, READ_SIZE)) == -1) {
				if (errno == EINTR)
					continue;
				warn("%s: read", name);
				goto out;
			}
			pos = 0;
			len = (size_t)got;
			eof = got == 0;
		}
		if (eof || split_full(&sp)) {
			split_header(&sp, eof, hdr);
			if (write_full(out, hdr, sizeof(hdr)) == -1) {
				warn("%s: write", outname);
				goto out;
			}
			if (hold_flush(&h, out, &e) == -1) {
				warn_wperr(outname, &e);
				goto out;
			}
			if (eof)
				break;
		}
		n = split_take(&sp, buf + pos, len - pos);
		if (hold_add(&h, buf + pos, n, &e) == -1) {
			warn_wperr(outname, &e);
			goto out;
		}
		pos += n;
	}
	status = EXIT_OK;
out:
	hold_free(&h);
	free(buf);
	return status;
}

int
cmd_split(int argc, char **argv)
{
	enum { OPT_CAP = 256, OPT_TRACE_TAG, OPT_CHUNK_TAG };
	static const struct option longopts[] = {
		{ "cap", required_argument, NULL, OPT_CAP },
		{ "chunk-tag", required_argument, NULL, OPT_CHUNK_TAG },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ "trace-tag", required_argument, NULL, OPT_TRACE_TAG },
		{ NULL, 0, NULL, 0 }
	};
	struct split_opts o;
	const char *out = NULL;
	int ch, force = 0;

	memset(&o, 0, sizeof(o));
	o.cap = FRAME_CAP_DEFAULT;
	o.trace_tag = TAG_WPRF;
	o.chunk_tag = TAG_WPRC;
	while ((ch = getopt_long(argc, argv, "fho:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			force = 1;
			break;
		case 'h':
			help(synopsis_split);
		case 'o':
			out = optarg;
			break;
		case OPT_CAP:
			o.cap = (uint32_t)opt_size("--cap", optarg, 1,
			    UINT32_MAX);
			break;
		case OPT_TRACE_TAG:
			o.trace_tag = opt_tag("--trace-tag", optarg);
			break;
		case OPT_CHUNK_TAG:
			o.chunk_tag = opt_tag("--chunk-tag", optarg);
			break;
		default:
			usage(synopsis_split);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1)
		usage(synopsis_split);
	opt_tags_differ(o.trace_tag, o.chunk_tag);
	if (out == NULL && !force && isatty(STDOUT_FILENO))
		errx(EXIT_TROUBLE, "refusing to write binary data to a "
		    "terminal; use -o or -f");

	return run_io(argc == 1 ? argv[0] : NULL, out, split, &o);
}
