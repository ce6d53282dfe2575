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
#include "vis.h"
#include "../lib/err.h"
#include "../lib/frame.h"
#include "../lib/pump.h"
#include "../lib/tag.h"

const char synopsis_extract[] =
    "extract [-fq] [-o out] [--sync] [--max-frame size] "
    "[--progress | --no-progress] tag [dump]";

/*
 * Writes the payloads of every complete frame of the wanted type with a
 * good CRC; a frame's bytes are taken back when its CRC is bad or the dump
 * ends inside it.
 */
struct extract_state {
	uint32_t type;
	int quiet, bad;
	uint64_t found;		/* frames of the type, good or not */
	struct frame_walk w;
	struct recognise rg;
	char cmdline[300];
};

/* What a type is called in a message: SOUT (Stdout), or its escaped tag. */
static const char *
type_words(uint32_t type, char *buf, size_t len)
{
	char tv[TAG_NAME_MAX];
	const char *name;

	tag_vis(type, tv);
	if ((name = tag_name(type)) != NULL)
		snprintf(buf, len, "%s (%s)", tv, name);
	else
		snprintf(buf, len, "%s", tv);
	return buf;
}

static enum pump_verdict
extract_feed(struct pump *p, void *arg, const unsigned char *buf,
    size_t len, int eof, size_t *used)
{
	struct extract_state *s = arg;
	enum pump_verdict v;
	const struct frame *f = &s->w.cur;
	const struct frame_stop *stop;
	enum frame_ev ev = FRAME_NEED;
	char tn[TAG_NAME_MAX], msg[256];

	*used = len;
	if (!recognise(&s->rg, p, buf, len, eof, used, &v))
		return v;
	if (len > 0)
		frame_input(&s->w, buf, len);
	while (len > 0 && (ev = frame_next(&s->w)) != FRAME_NEED &&
	    ev != FRAME_STOP) {
		if (f->type != s->type) {
			/* Only the wanted type's CRCs matter here. */
			s->w.skip_crc = 1;
			continue;
		}
		if (ev == FRAME_HEADER)
			s->found++;
		if (ev == FRAME_DATA && outfile_write(p->out, s->w.data,
		    s->w.datalen, &p->err) == -1)
			return PUMP_FAIL;
		if (ev != FRAME_END)
			continue;
		if (f->crc == f->crc_calc) {
			outfile_mark(p->out);
			continue;
		}
		s->bad = 1;
		outfile_rewind(p->out);
		run_clear_progress(p);
		warnx("%s: skipped %s frame %llu at offset %llu: bad CRC "
		    "(stored 0x%08lx, computed 0x%08lx)", p->name,
		    tag_type_name(s->type, tn), (unsigned long long)f->index,
		    (unsigned long long)f->off, (unsigned long)f->crc,
		    (unsigned long)f->crc_calc);
	}
	p->items = s->w.nframes;
	if (ev != FRAME_STOP && !eof)
		return PUMP_MORE;
	outfile_rewind(p->out);
	run_clear_progress(p);
	stop = frame_eof(&s->w);
	if (stop->why != FSTOP_CLEAN) {
		s->bad = 1;
		warnx("%s: the walk ended early: %s", p->name,
		    frame_stop_str(stop, msg, sizeof(msg)));
		if (stop->why == FSTOP_OVERSIZED)
			warnx("%s: if the guest wrote frames that large, "
			    "--max-frame %s admits this one", p->name,
			    opt_cap_for(stop->len, tn, sizeof(tn)));
	}
	/* As grep(1) does when nothing matched. */
	if (s->found == 0) {
		s->bad = 1;
		warnx("%s: no %s frame in %s%llu frame%s; 'wprofck frames %s' "
		    "lists the types there are", p->name,
		    type_words(s->type, msg, sizeof(msg)),
		    stop->why == FSTOP_CLEAN ? "its " : "the ",
		    (unsigned long long)s->w.nframes,
		    s->w.nframes == 1 ? "" : "s", opt_dump_arg(p->name));
	}
	return s->bad ? PUMP_BAD : PUMP_DONE;
}

int
cmd_extract(int argc, char **argv)
{
	enum { OPT_MAX_FRAME = 256 };
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "max-frame", required_argument, NULL, OPT_MAX_FRAME },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		RUN_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct extract_state s;
	struct run_opts io;
	struct pump p;
	uint32_t cap = FRAME_CAP_DEFAULT;
	char msg[512], tn[256], q[256];
	int ch;

	memset(&s, 0, sizeof(s));
	memset(&io, 0, sizeof(io));
	io.writes = io.keep_bad = io.drain = 1;
	while ((ch = opt_getopt(argc, argv, "fho:q", longopts)) != -1) {
		if (run_opt(&io, ch))
			continue;
		switch (ch) {
		case 'h':
			opt_help(synopsis_extract);
		case 'o':
			io.out = optarg;
			break;
		case OPT_MAX_FRAME:
			cap = (uint32_t)opt_size("--max-frame", optarg, 0,
			    UINT32_MAX);
			break;
		default:
			opt_usage(synopsis_extract);
		}
	}
	argc -= optind;
	argv += optind;
	opt_operands(argc, argv, 1, 2, synopsis_extract);
	s.type = opt_tag_name("tag", argv[0]);
	/* Text types may go to a terminal; the rest are binary. */
	if (!tag_is_text(s.type)) {
		type_words(s.type, tn, sizeof(tn));
		snprintf(msg, sizeof(msg), "%s payloads, which are binary,", tn);
		run_refuse_tty(&io, msg);
	}
	s.quiet = io.quiet;
	frame_init(&s.w, cap);
	io.in = argc == 2 ? argv[1] : NULL;
	s.rg.reads = HINT_READS_DRAIN;
	s.rg.refuse = RECOGNISE_PACKED | RECOGNISE_KIND(SNIFF_TRACE) |
	    RECOGNISE_KIND(SNIFF_TEXT);
	s.rg.path = io.in;
	s.rg.cmd = s.cmdline;
	snprintf(s.cmdline, sizeof(s.cmdline), "extract %s -",
	    hint_quote(argv[0], q, sizeof(q)) != NULL ? q : "TAG");
	return run_pump(&io, &p, extract_feed, &s);
}
