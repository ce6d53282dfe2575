#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "opt.h"
#include "run.h"
#include "../lib/artifact.h"
#include "../lib/err.h"
#include "../lib/prune.h"
#include "../lib/pump.h"

const char synopsis_salvage[] =
    "salvage [-fq] [-o out] [--sync] [--progress | --no-progress] trace";

/* wprof's opening: clock snapshot, system info, uuid, attributes, START. */
#define OPENING_PACKETS	5

struct salvage_state {
	const struct run_opts *io;
	struct pbwalk w;
	enum pbwalk_ev ev;	/* PBWALK_NEED until the walk ends */
	uint64_t mark;		/* the output holds whole packets up to here */
	struct artifact_result saved;	/* the deep check of what was kept */
	int checked;		/* saved is set */
	uint64_t total;		/* the input's size, when known */
	int total_known;
	struct prune pr;	/* what the rewrite removed */
	int pruned;		/* the output was rewritten */
	enum prune_err perr;	/* the rewrite could not be done */
	uint64_t perr_at;
	int unfixed;		/* the rewrite still fails: saved.err */
};

/* The buffer the rewrite reads the kept packets into. */
#define SALVAGE_BUF	(1u << 20)

/*
 * Everything read goes to the output as it comes; the output is marked at
 * the end of each whole good packet, and taken back to that mark when the
 * walk fails, so a packet of any size costs no memory here.
 */
static int
keep(struct pump *p, struct salvage_state *s, const unsigned char *buf,
    uint64_t off, size_t used)
{
	uint64_t good = s->w.good_end;
	size_t n, bound = s->ev == PBWALK_FAIL ? (size_t)(p->done - off) : used;

	if (good > s->mark) {
		/* A packet ends where a piece ended, or inside this one. */
		if (good < off || good - off > bound) {
			errno = EINVAL;
			return wperr_sys(&p->err, "salvage: a packet ends "
			    "outside the piece that ended it");
		}
		n = (size_t)(good - off);
		if (outfile_write(p->out, buf, n, &p->err) == -1)
			return -1;
		outfile_mark(p->out);
		s->mark = good;
		buf += n;
		used = used > n ? used - n : 0;
	}
	/* After a failure nothing past the last good packet is kept. */
	if (s->ev == PBWALK_FAIL)
		return 0;
	return outfile_write(p->out, buf, used, &p->err);
}

/* The deep check of the output as it now stands, references and all. */
static int
check_saved(struct pump *p, struct salvage_state *s)
{
	const size_t buflen = (size_t)ARTIFACT_BUF_MIN * 16;
	unsigned char *buf;
	int fd, rc;

	if ((fd = outfile_dup(p->out, &p->err)) == -1)
		return -1;
	if ((buf = malloc(buflen)) == NULL) {
		close(fd);
		return wperr_sys(&p->err, "malloc");
	}
	/* The walk of the input is over: its reference sets serve again. */
	rc = artifact_check_fd_refs(fd, ARTIFACT_DEEP, ARTIFACT_MIN_SIZE, buf,
	    buflen, &s->w.refs, &s->saved);
	free(buf);
	close(fd);
	if (rc == -1) {
		p->err = s->saved.err;
		return -1;
	}
	s->checked = 1;
	return 0;
}

/* 1 when what was kept has references that dangle. */
static int
dangles(const struct salvage_state *s)
{
	return s->checked && (s->saved.err.code == WPE_MISSING_INTERNED ||
	    s->saved.err.code == WPE_MISSING_TRACK);
}

static int
put_out(void *arg, const void *buf, size_t len)
{
	struct pump *p = arg;

	return outfile_write(p->out, buf, len, &p->err);
}

/*
 * Rewrites what was kept so that no reference dangles (lib/prune.h): two
 * passes learn what is defined, the third writes the packets again from
 * offset 0 of the output over what it has read, never ahead of it, as
 * nothing is ever longer once pruned.
 */
static enum pump_verdict
rewrite(struct pump *p, struct salvage_state *s)
{
	static const enum prune_pass passes[] = {
		PRUNE_TRACKS, PRUNE_DEFS, PRUNE_WRITE
	};
	unsigned char *buf;
	uint64_t size = outfile_size(p->out);
	enum prune_err r = PRUNE_OK;
	size_t i;
	int fd;

	if ((fd = outfile_dup(p->out, &p->err)) == -1)
		return PUMP_FAIL;
	if ((buf = malloc(SALVAGE_BUF)) == NULL) {
		close(fd);
		wperr_sys(&p->err, "malloc");
		return PUMP_FAIL;
	}
	s->pr.put = put_out;
	s->pr.arg = p;
	for (i = 0; i < sizeof(passes) / sizeof(passes[0]); i++) {
		if (passes[i] == PRUNE_WRITE)
			outfile_rewind_to(p->out, 0);
		r = prune_fd(&s->pr, passes[i], fd, size, buf, SALVAGE_BUF,
		    &s->perr_at);
		if (r != PRUNE_OK)
			break;
	}
	free(buf);
	close(fd);
	if (r == PRUNE_READ) {
		wperr_sys(&p->err, "read the kept packets");
		return PUMP_FAIL;
	}
	if (r == PRUNE_PUT || r == PRUNE_NOMEM) {
		if (r == PRUNE_NOMEM)
			wperr_sys(&p->err, "malloc");
		return PUMP_FAIL;
	}
	if (r != PRUNE_OK) {
		s->perr = r;
		return PUMP_BAD;
	}
	outfile_mark(p->out);
	s->pruned = 1;
	return PUMP_DONE;
}

static enum pump_verdict
salvage_feed(struct pump *p, void *arg, const unsigned char *buf, size_t len,
    int eof, size_t *used)
{
	struct salvage_state *s = arg;
	uint64_t off = p->done - len;	/* stream offset of buf[0] */
	enum pump_verdict v;

	s->ev = pbwalk_feed(&s->w, buf, len, eof, used);
	p->items = s->w.good_packets;
	if (keep(p, s, buf, off, *used) == -1)
		return PUMP_FAIL;
	if (s->ev == PBWALK_FAIL) {
		outfile_rewind(p->out);
		*used = len;
	}
	if (s->ev == PBWALK_NEED && !eof)
		return PUMP_MORE;
	/*
	 * The verdict is in: what follows the damage is not read, so an
	 * endless input ends here too. A regular file's size is known.
	 */
	s->total_known = p->regular || eof;
	s->total = p->regular ? p->size : p->done;
	/* What was kept must hold the opening, or nothing is written. */
	if (s->w.good_packets < OPENING_PACKETS ||
	    s->w.good_end < ARTIFACT_MIN_SIZE)
		return PUMP_BAD;
	/* What is written must pass check: references and all. */
	if (check_saved(p, s) == -1)
		return PUMP_FAIL;
	if (!dangles(s))
		return PUMP_DONE;
	if ((v = rewrite(p, s)) != PUMP_DONE)
		return v;
	if (check_saved(p, s) == -1)
		return PUMP_FAIL;
	if (s->saved.err.code != WPE_OK) {
		s->unfixed = 1;
		return PUMP_BAD;
	}
	return PUMP_DONE;
}

static void
say_dropped(const struct pump *p, const struct salvage_state *s)
{
	char msg[512];

	wperr_str(&s->w.err, msg, sizeof(msg));
	if (s->total_known)
		warnx("%s: kept %" PRIu64 " packet%s (%" PRIu64 " bytes); "
		    "dropped %" PRIu64 " bytes from offset %" PRIu64 ": %s",
		    p->name, s->w.good_packets,
		    s->w.good_packets == 1 ? "" : "s", s->w.good_end,
		    s->total - s->w.good_end, s->w.good_end, msg);
	else
		warnx("%s: kept %" PRIu64 " packet%s (%" PRIu64 " bytes); "
		    "dropped everything from offset %" PRIu64 ", the rest was "
		    "not read: %s", p->name, s->w.good_packets,
		    s->w.good_packets == 1 ? "" : "s", s->w.good_end,
		    s->w.good_end, msg);
}

/* What the rewrite removed, on one line: "3 callstack iids, ...". */
static void
say_removed(const struct pump *p, const struct salvage_state *s)
{
	const struct prune *pr = &s->pr;
	char msg[1024];
	size_t len = 0;
	unsigned k;
	int n;

	msg[0] = '\0';
	for (k = 1; k <= SR_KINDS; k++) {
		if (pr->dropped[k] == 0)
			continue;
		n = snprintf(msg + len, sizeof(msg) - len, "%s%" PRIu64
		    " %s%s", len > 0 ? ", " : "", pr->dropped[k],
		    pbref_kind_name(k), pr->dropped[k] == 1 ? "" : "s");
		if (n < 0 || (size_t)n >= sizeof(msg) - len)
			break;
		len += (size_t)n;
	}
	if (pr->dropped_annotations > 0 && len < sizeof(msg)) {
		n = snprintf(msg + len, sizeof(msg) - len, "%s%" PRIu64
		    " debug annotation%s whose name was lost", len > 0 ?
		    ", " : "", pr->dropped_annotations,
		    pr->dropped_annotations == 1 ? "" : "s");
		if (n > 0 && (size_t)n < sizeof(msg) - len)
			len += (size_t)n;
	}
	if (pr->dropped_packets > 0 && len < sizeof(msg))
		(void)snprintf(msg + len, sizeof(msg) - len, "%s%" PRIu64
		    " track event%s on a track no descriptor kept describes",
		    len > 0 ? ", " : "", pr->dropped_packets,
		    pr->dropped_packets == 1 ? "" : "s");
	warnx("%s: rewrote %" PRIu64 " packet%s so that no reference dangles "
	    "(their definitions were in what was dropped); removed: %s; "
	    "%" PRIu64 " bytes written", p->outname, pr->rewritten,
	    pr->rewritten == 1 ? "" : "s", msg, s->saved.have_size ?
	    s->saved.size : 0);
}

static void
report(const struct pump *p, const struct salvage_state *s, int status)
{
	char msg[512];

	if (status == EXIT_BAD && s->perr != PRUNE_OK) {
		warnx("%s: no output written: what was kept has references "
		    "whose definitions were dropped, and salvage cannot "
		    "rewrite it: %s (the packet at offset %" PRIu64 ")",
		    p->name, prune_strerror(s->perr), s->perr_at);
		return;
	}
	if (status == EXIT_BAD && s->unfixed) {
		warnx("%s: no output written: what was kept still fails "
		    "check once rewritten: %s", p->name,
		    wperr_str(&s->saved.err, msg, sizeof(msg)));
		return;
	}
	if (status == EXIT_BAD) {
		if (s->ev == PBWALK_FAIL)
			wperr_str(&s->w.err, msg, sizeof(msg));
		else
			snprintf(msg, sizeof(msg), "the trace ends there");
		warnx("%s: nothing saved: %" PRIu64 " whole packet%s (%" PRIu64
		    " bytes) before the damage, short of wprof's opening (%d "
		    "packets, %d bytes); no output written: %s%s", p->name,
		    s->w.good_packets, s->w.good_packets == 1 ? "" : "s",
		    s->w.good_end, OPENING_PACKETS, ARTIFACT_MIN_SIZE, msg,
		    s->total_known ? "" : "; the rest was not read");
		return;
	}
	if (status != EXIT_OK || s->io->quiet)
		return;
	if (s->ev == PBWALK_FAIL && (!s->total_known ||
	    s->w.good_end < s->total))
		say_dropped(p, s);
	else
		warnx("%s: nothing to drop: %" PRIu64 " whole packet%s, %"
		    PRIu64 " bytes", p->name, s->w.good_packets,
		    s->w.good_packets == 1 ? "" : "s", s->w.good_end);
	if (s->pruned)
		say_removed(p, s);
}

int
cmd_salvage(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		RUN_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct salvage_state s;
	struct run_opts io;
	struct pump p;
	int ch, status;

	memset(&io, 0, sizeof(io));
	io.writes = 1;
	io.unit = "packets";
	/* Read, not mapped: the pages of a mapped window count as memory. */
	io.no_map = 1;
	while ((ch = opt_getopt(argc, argv, "fho:q", longopts)) != -1) {
		if (run_opt(&io, ch))
			continue;
		switch (ch) {
		case 'h':
			opt_help(synopsis_salvage);
		case 'o':
			io.out = optarg;
			break;
		default:
			opt_usage(synopsis_salvage);
		}
	}
	argc -= optind;
	argv += optind;
	opt_operands(argc, argv, 1, 1, synopsis_salvage);
	run_refuse_tty(&io, "binary data");
	memset(&s, 0, sizeof(s));
	s.io = &io;
	s.ev = PBWALK_NEED;
	pbwalk_init(&s.w, PBWALK_SIZE_UNKNOWN);
	/*
	 * The walk of the input checks the grammar only: the references are
	 * checked, and mended, on what is kept (check_saved, rewrite), and
	 * their sets are not held twice.
	 */
	s.w.refs.capped = 1;
	prune_init(&s.pr);
	io.in = argv[0];
	status = run_pump(&io, &p, salvage_feed, &s);
	report(&p, &s, status);
	prune_free(&s.pr);
	pbwalk_free(&s.w);
	return status;
}
