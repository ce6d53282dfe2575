#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "opt.h"
#include "recognise.h"
#include "run.h"
#include "../lib/frame.h"
#include "../lib/pump.h"
#include "../lib/slicer.h"
#include "../lib/tag.h"

const char synopsis_split[] =
    "split [-fq] [-o out] [--sync] [--cap size] [--trace-tag tag] "
    "[--chunk-tag tag] [--progress | --no-progress] [trace]";

/*
 * A zero byte begins no packet, and a run this long inside one is no
 * trace anyone splits: /dev/zero ends here instead of at the size bound.
 */
#define SPLIT_ZERO_RUN_MAX	((uint64_t)64 << 20)

struct split_state {
	struct slicer sp;
	int open;		/* a slice has begun */
	uint64_t hoff;		/* where its header goes */
	uint64_t zeros;		/* zero bytes in a row up to here */
	struct recognise rg;
	char cmdline[300];
};

/* Counts the zero bytes in a row that end buf. */
static void
count_zeros(struct split_state *s, const unsigned char *buf, size_t len)
{
	size_t i = len;

	while (i > 0 && buf[i - 1] == 0)
		i--;
	s->zeros = i > 0 ? len - i : s->zeros + len;
}

static int
slice_begin(struct pump *p, struct split_state *s)
{
	s->open = 1;
	return outfile_reserve(p->out, FRAME_HDR_SIZE, &s->hoff, &p->err);
}

static int
slice_end(struct pump *p, struct split_state *s, int last)
{
	unsigned char hdr[FRAME_HDR_SIZE];

	s->open = 0;
	p->items++;
	slicer_header(&s->sp, last, hdr);
	return outfile_patch(p->out, s->hoff, hdr, sizeof(hdr), &p->err);
}

/*
 * Each slice's header is written once its length and CRC are known; a
 * full slice waits for one more byte, or the end, to be named.
 */
static enum pump_verdict
split_feed(struct pump *p, void *arg, const unsigned char *buf, size_t len,
    int eof, size_t *used)
{
	struct split_state *s = arg;
	enum pump_verdict v;
	uint64_t off = p->done - len;	/* stream offset of buf[0] */
	size_t n;

	*used = len;
	if (!recognise(&s->rg, p, buf, len, eof, used, &v))
		return v;
	/* A file's output size is known at once: its bytes and the headers. */
	if (p->regular && (p->size > PUMP_OUT_MAX || p->size +
	    (p->size / s->sp.cap + 1) * FRAME_HDR_SIZE > PUMP_OUT_MAX)) {
		errno = EFBIG;
		wperr_sys(&p->err, "the output would grow past wprofck's "
		    "bound of 64 GiB");
		return PUMP_FAIL;
	}
	count_zeros(s, buf, len);
	if (s->zeros > SPLIT_ZERO_RUN_MAX) {
		run_clear_progress(p);
		warnx("%s: not a trace: more than %llu MiB of zero bytes in a "
		    "row from offset %llu; nothing written", p->name,
		    (unsigned long long)(SPLIT_ZERO_RUN_MAX >> 20),
		    (unsigned long long)(off + len - s->zeros));
		return PUMP_BAD;
	}
	while (len > 0) {
		if (s->open && slicer_full(&s->sp) &&
		    slice_end(p, s, 0) == -1)
			return PUMP_FAIL;
		if (!s->open && slice_begin(p, s) == -1)
			return PUMP_FAIL;
		n = slicer_take(&s->sp, buf, len);
		if (outfile_write(p->out, buf, n, &p->err) == -1)
			return PUMP_FAIL;
		buf += n;
		len -= n;
	}
	if (!eof)
		return PUMP_MORE;
	if (!s->open && slice_begin(p, s) == -1)
		return PUMP_FAIL;
	return slice_end(p, s, 1) == -1 ? PUMP_FAIL : PUMP_DONE;
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
		{ "quiet", no_argument, NULL, 'q' },
		{ "trace-tag", required_argument, NULL, OPT_TRACE_TAG },
		RUN_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct split_state s;
	struct run_opts io;
	struct pump p;
	uint32_t cap = FRAME_CAP_DEFAULT, trace_tag = TAG_WPRF;
	uint32_t chunk_tag = TAG_WPRC;
	char capword[24], q[256];
	int ch;

	memset(&io, 0, sizeof(io));
	io.writes = 1;
	while ((ch = opt_getopt(argc, argv, "fho:q", longopts)) != -1) {
		if (run_opt(&io, ch))
			continue;
		switch (ch) {
		case 'h':
			opt_help(synopsis_split);
		case 'o':
			io.out = optarg;
			break;
		case OPT_CAP:
			cap = (uint32_t)opt_size("--cap", optarg, 1,
			    UINT32_MAX);
			break;
		case OPT_TRACE_TAG:
			trace_tag = opt_tag("--trace-tag", optarg);
			break;
		case OPT_CHUNK_TAG:
			chunk_tag = opt_tag("--chunk-tag", optarg);
			break;
		default:
			opt_usage(synopsis_split);
		}
	}
	argc -= optind;
	argv += optind;
	opt_operands(argc, argv, 0, 1, synopsis_split);
	opt_tags_differ(trace_tag, chunk_tag);
	if (cap > FRAME_CAP_DEFAULT && !io.quiet)
		warnx("warning: --cap %s makes frames larger than the %uM "
		    "reassemble accepts by default; reassemble them with "
		    "--max-frame %s",
		    opt_cap_for(cap, capword, sizeof(capword)),
		    FRAME_CAP_DEFAULT >> 20, capword);
	run_refuse_tty(&io, "binary data");
	memset(&s, 0, sizeof(s));
	slicer_init(&s.sp, cap, chunk_tag, trace_tag);
	io.in = argc == 1 ? argv[0] : NULL;
	/* Text may be a trace's bytes too; split takes any bytes. */
	s.rg.reads = HINT_READS_TRACE;
	s.rg.refuse = RECOGNISE_PACKED | RECOGNISE_KIND(SNIFF_DRAIN);
	s.rg.path = io.in;
	s.rg.cmd = s.cmdline;
	snprintf(s.cmdline, sizeof(s.cmdline), "split -o %s -",
	    io.out == NULL || strcmp(io.out, "-") == 0 ? "OUT" :
	    hint_quote(io.out, q, sizeof(q)) != NULL ? q :
	    "OUT");
	return run_pump(&io, &p, split_feed, &s);
}
