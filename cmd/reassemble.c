#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "artcheck.h"
#include "cmds.h"
#include "opt.h"
#include "recognise.h"
#include "report.h"
#include "run.h"
#include "salvage.h"
#include "vis.h"
#include "../lib/artifact.h"
#include "../lib/err.h"
#include "../lib/frame.h"
#include "../lib/pbwalk.h"
#include "../lib/pump.h"
#include "../lib/reasm.h"
#include "../lib/tag.h"

const char synopsis_reassemble[] =
    "reassemble [-fq] [-o out] [--sync] [--max-frame size] "
    "[--trace-tag tag] [--chunk-tag tag] [--check[=shape|deep]] "
    "[--junit file] [--salvage] [--progress | --no-progress] [dump]";

struct reassemble_opts {
	struct run_opts io;
	uint32_t cap, trace_tag, chunk_tag;
	int check;		/* 0, or 1 + enum artifact_mode */
	int salvage;		/* --salvage */
	const char *junit;	/* --junit: the check's JUnit report */
};

struct reassemble_state {
	const struct reassemble_opts *o;
	struct reasm r;
	int checkfd;		/* the output, for --check */
	struct recognise rg;
	uint64_t marked;	/* chunks whose end the output is marked at */
	struct pbwalk w;	/* --salvage: the walk over those chunks */
	struct salvage_mend m;	/* --salvage: what was kept, mended */
};

/* The verdict, then where to look next. */
static void
warn_failed(const struct pump *p, const struct reassemble_state *s)
{
	const struct wperr *e = &s->r.err;
	const char *d = opt_dump_arg(p->name), *in = s->o->io.in, *dq;
	char msg[512], cap[24], q[256];

	/* The same dump, as a word of a command line to paste. */
	dq = in == NULL || strcmp(in, "-") == 0 ||
	    hint_quote(in, q, sizeof(q)) == NULL ? "DUMP" : q;
	run_clear_progress(p);
	warnx("%s: %s; no .pb written", p->name,
	    wperr_str(e, msg, sizeof(msg)));
	if (e->code == WPE_NO_TERMINAL && e->stop.why == FSTOP_OVERSIZED) {
		opt_cap_for(e->stop.len, cap, sizeof(cap));
		warnx("%s: if the guest wrote frames that large, --max-frame "
		    "%s admits this one; 'wprofck frames --max-frame %s %s' "
		    "lists the frames", p->name, cap, cap, d);
	} else if (e->code == WPE_TORN)
		warnx("see 'wprofck frames %s' for each frame and its CRC, "
		    "and 'wprofck extract SOUT %s' for what the guest printed",
		    d, d);
	else if (e->code == WPE_NO_TERMINAL)
		warnx("see 'wprofck frames %s' for the frames and where they "
		    "end, and 'wprofck extract SOUT %s' for what the guest "
		    "printed", d, d);
	else
		warnx("see 'wprofck extract SOUT %s' for what the guest "
		    "printed", d);
	if ((e->code == WPE_TORN || e->code == WPE_NO_TERMINAL) &&
	    s->r.chunks > 0)
		warnx("the whole packets of the %llu good chunk%s before it "
		    "can be kept with: wprofck reassemble --salvage -o "
		    "OUT.wprof.pb %s", (unsigned long long)s->r.chunks,
		    s->r.chunks == 1 ? "" : "s", dq);
}

static void
warn_pad(const struct pump *p, const struct frame *f)
{
	const char *name = p->name;
	char tn[TAG_NAME_MAX];

	run_clear_progress(p);
	warnx("%s: warning: frame %llu at offset %llu (%s) has pad 0x%08lx, "
	    "expected 0", name, (unsigned long long)f->index,
	    (unsigned long long)f->off, tag_type_name(f->type, tn),
	    (unsigned long)f->pad);
}

/*
 * --salvage: the output is taken back to the end of the last chunk whose
 * CRC was good, and then to the end of the last whole good packet in it,
 * found by salvage's walk; kept if it holds wprof's opening and, once the
 * references whose definitions were cut off are rewritten away, passes
 * check, as salvage keeps it.
 */
static enum pump_verdict
salvage_chunks(struct pump *p, struct reassemble_state *s)
{
	const struct wperr *e = &s->r.err;
	struct pbwalk *w = &s->w;
	char msg[512], why[512];
	enum pump_verdict v;
	uint64_t size;
	int fd, rc;

	run_clear_progress(p);
	outfile_rewind(p->out);
	size = outfile_size(p->out);
	if ((fd = outfile_dup(p->out, &p->err)) == -1)
		return PUMP_FAIL;
	rc = salvage_walk_fd(fd, size, w, &p->err);
	close(fd);
	if (rc == -1)
		return PUMP_FAIL;
	outfile_rewind_to(p->out, w->good_end);
	warnx("%s: %s; salvaging the %llu good chunk%s before it (%llu trace "
	    "bytes)", p->name, wperr_str(e, msg, sizeof(msg)),
	    (unsigned long long)s->r.chunks, s->r.chunks == 1 ? "" : "s",
	    (unsigned long long)size);
	if (!salvage_enough(w)) {
		warnx("%s: nothing saved: %llu whole packet%s (%llu bytes), "
		    "short of wprof's opening (%d packets, %d bytes); no .pb "
		    "written", p->name, (unsigned long long)w->good_packets,
		    w->good_packets == 1 ? "" : "s",
		    (unsigned long long)w->good_end, SALVAGE_OPENING_PACKETS,
		    ARTIFACT_MIN_SIZE);
		return PUMP_BAD;
	}
	if (w->good_end < size)
		warnx("%s: kept %llu packet%s (%llu bytes); dropped %llu bytes "
		    "of those chunks from offset %llu: %s", p->name,
		    (unsigned long long)w->good_packets,
		    w->good_packets == 1 ? "" : "s",
		    (unsigned long long)w->good_end,
		    (unsigned long long)(size - w->good_end),
		    (unsigned long long)w->good_end,
		    wperr_str(&w->err, why, sizeof(why)));
	else
		warnx("%s: kept %llu packet%s (%llu bytes), all of those "
		    "chunks", p->name, (unsigned long long)w->good_packets,
		    w->good_packets == 1 ? "" : "s",
		    (unsigned long long)w->good_end);
	if ((v = salvage_mend(p, &w->refs, &s->m)) == PUMP_BAD)
		salvage_say_unmended(p, &s->m);
	if (v != PUMP_DONE)
		return v;
	if (s->m.pruned)
		salvage_say_removed(p, &s->m);
	if (s->o->check && (s->checkfd = outfile_dup(p->out, &p->err)) == -1)
		return PUMP_FAIL;
	return PUMP_DONE;
}

/* The consumer: the reassembler's slices are the output. */
static enum pump_verdict
reassemble_feed(struct pump *p, void *arg, const unsigned char *buf,
    size_t len, int eof, size_t *used)
{
	struct reassemble_state *s = arg;
	enum pump_verdict v;
	struct reasm *r = &s->r;
	enum reasm_ev ev = REASM_NEED;

	*used = len;
	if (!recognise(&s->rg, p, buf, len, eof, used, &v))
		return v;
	if (len > 0) {
		reasm_input(r, buf, len);
		ev = reasm_next(r);
	}
	for (;; ev = reasm_next(r)) {
		p->items = r->fw.nframes;
		/* Nothing is written between a chunk's end and this event. */
		if (s->o->salvage && r->chunks != s->marked) {
			outfile_mark(p->out);
			s->marked = r->chunks;
		}
		if (ev == REASM_NEED && !eof)
			return PUMP_MORE;
		if (ev == REASM_NEED)
			ev = reasm_eof(r);
		switch (ev) {
		case REASM_DATA:
			/* From a mapped file the kernel copies the slice. */
			if ((p->mapped ? outfile_copy(p->out, r->data,
			    r->datalen, p->in, p->piece_off +
			    (uint64_t)(r->data - buf), &p->err) :
			    outfile_write(p->out, r->data, r->datalen,
			    &p->err)) == -1)
				return PUMP_FAIL;
			break;
		case REASM_PAD:
			if (!s->o->io.quiet)
				warn_pad(p, &r->fw.cur);
			break;
		case REASM_DONE:
			if (s->o->check && (s->checkfd = outfile_dup(p->out,
			    &p->err)) == -1)
				return PUMP_FAIL;
			return PUMP_DONE;
		case REASM_FAIL:
			if (s->o->salvage && (r->err.code == WPE_TORN ||
			    r->err.code == WPE_NO_TERMINAL))
				return salvage_chunks(p, s);
			warn_failed(p, s);
			return PUMP_BAD;
		case REASM_NEED:
			break;
		}
	}
}

/* Why no trace was written, for the JUnit report. */
static const char *
bad_why(const struct reassemble_state *s, char *msg, size_t len)
{
	if (s->rg.wrong && hint_input(&s->rg.s, s->rg.reads, s->rg.path,
	    s->rg.cmd, msg, len) != NULL)
		return msg;
	return wperr_str(&s->r.err, msg, len);
}

static int
reassemble(const struct reassemble_opts *o)
{
	struct reassemble_state s;
	struct report_opts ro;
	struct report rep;
	struct pump p;
	char msg[512];
	int status;

	memset(&s, 0, sizeof(s));
	s.o = o;
	s.checkfd = -1;
	s.rg.reads = HINT_READS_DRAIN;
	s.rg.refuse = RECOGNISE_PACKED | RECOGNISE_KIND(SNIFF_TRACE) |
	    RECOGNISE_KIND(SNIFF_TEXT);
	s.rg.path = o->io.in;
	s.rg.cmd = "reassemble -";
	salvage_mend_init(&s.m);
	reasm_init(&s.r, o->cap, o->chunk_tag, o->trace_tag);
	status = run_pump(&o->io, &p, reassemble_feed, &s);
	pbwalk_free(&s.w);
	salvage_mend_free(&s.m);
	memset(&ro, 0, sizeof(ro));
	ro.one_line = 1;
	ro.mode = (enum artifact_mode)(o->check - 1);
	ro.min_size = ARTIFACT_MIN_SIZE;
	ro.fp = stderr;
	ro.quiet = o->io.quiet;
	ro.junit = o->junit;
	ro.suite = "wprofck reassemble --check";
	/* --check reads what was committed, through its own descriptor. */
	if (status == EXIT_OK && s.checkfd != -1) {
		report_init(&rep, &ro, NULL);
		artcheck_fd(&rep, s.checkfd, p.outname, p.outname);
		status = report_finish(&rep);
	} else if (o->junit != NULL) {
		/* No trace to check: CI still gets a report that says so. */
		report_init(&rep, &ro, NULL);
		report_unchecked(&rep, o->io.out != NULL &&
		    strcmp(o->io.out, "-") != 0 ? o->io.out :
		    "(standard output)", status == EXIT_BAD ?
		    "not_reassembled" : "trouble", status == EXIT_BAD ?
		    bad_why(&s, msg, sizeof(msg)) :
		    "the trace could not be rebuilt: see the messages on "
		    "standard error", status != EXIT_BAD);
		if (report_finish(&rep) > status)
			status = EXIT_TROUBLE;
	}
	if (s.checkfd != -1)
		close(s.checkfd);
	return status;
}

int
cmd_reassemble(int argc, char **argv)
{
	enum { OPT_MAX_FRAME = 256, OPT_TRACE_TAG, OPT_CHUNK_TAG, OPT_CHECK,
	    OPT_JUNIT, OPT_SALVAGE };
	static const struct option longopts[] = {
		{ "check", optional_argument, NULL, OPT_CHECK },
		{ "chunk-tag", required_argument, NULL, OPT_CHUNK_TAG },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "junit", required_argument, NULL, OPT_JUNIT },
		{ "max-frame", required_argument, NULL, OPT_MAX_FRAME },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "salvage", no_argument, NULL, OPT_SALVAGE },
		{ "trace-tag", required_argument, NULL, OPT_TRACE_TAG },
		RUN_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct reassemble_opts o;
	struct stat st;
	int ch, bare_check = 0;

	memset(&o, 0, sizeof(o));
	o.io.writes = 1;
	o.io.drain = 1;
	o.cap = FRAME_CAP_DEFAULT;
	o.trace_tag = TAG_WPRF;
	o.chunk_tag = TAG_WPRC;
	while ((ch = opt_getopt(argc, argv, "fho:q", longopts)) != -1) {
		if (run_opt(&o.io, ch))
			continue;
		switch (ch) {
		case 'h':
			opt_help(synopsis_reassemble);
		case 'o':
			o.io.out = optarg;
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
		case OPT_SALVAGE:
			o.salvage = 1;
			break;
		case OPT_JUNIT:
			o.junit = optarg;
			break;
		case OPT_CHECK:
			bare_check = optarg == NULL;
			if (optarg == NULL || strcmp(optarg, "deep") == 0)
				o.check = 1 + ARTIFACT_DEEP;
			else if (strcmp(optarg, "shape") == 0)
				o.check = 1 + ARTIFACT_SHAPE;
			else
				opt_bad_choice("--check", optarg,
				    "shape or deep");
			break;
		default:
			opt_usage(synopsis_reassemble);
		}
	}
	argc -= optind;
	argv += optind;
	/* getopt took "--check deep" as --check and an operand "deep". */
	if (bare_check && argc >= 1 && (strcmp(argv[0], "shape") == 0 ||
	    strcmp(argv[0], "deep") == 0) && stat(argv[0], &st) == -1) {
		warnx("--check takes its value after '=': write --check=%s",
		    argv[0]);
		opt_usage(synopsis_reassemble);
	}
	opt_operands(argc, argv, 0, 1, synopsis_reassemble);
	if (o.junit != NULL && !o.check) {
		warnx("--junit reports the check: give --check too");
		opt_usage(synopsis_reassemble);
	}
	/* The trace itself goes to standard output without -o. */
	if (o.junit != NULL && report_junit_stdout(o.junit) &&
	    (o.io.out == NULL || strcmp(o.io.out, "-") == 0)) {
		warnx("the trace and --junit=- both want standard output; "
		    "give -o or a --junit file");
		opt_usage(synopsis_reassemble);
	}
	opt_tags_differ(o.trace_tag, o.chunk_tag);
	run_refuse_tty(&o.io, "binary data");
	o.io.in = argc == 1 ? argv[0] : NULL;
	return reassemble(&o);
}
