#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "opt.h"
#include "recognise.h"
#include "run.h"
#include "salvage.h"
#include "../lib/artifact.h"
#include "../lib/err.h"
#include "../lib/io.h"
#include "../lib/prune.h"
#include "../lib/pump.h"

const char synopsis_salvage[] =
    "salvage [-fq] [-o out] [--sync] [--progress | --no-progress] trace";

struct salvage_state {
	const struct run_opts *io;
	struct pbwalk w;
	enum pbwalk_ev ev;	/* PBWALK_NEED until the walk ends */
	uint64_t mark;		/* the output holds whole packets up to here */
	uint64_t total;		/* the input's size, when known */
	int total_known;
	struct recognise rg;
	char cmdline[300];
	struct salvage_mend m;	/* the check of what was kept, and its rewrite */
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

int
salvage_enough(const struct pbwalk *w)
{
	return w->good_packets >= SALVAGE_OPENING_PACKETS &&
	    w->good_end >= ARTIFACT_MIN_SIZE;
}

int
salvage_walk_fd(int fd, uint64_t size, struct pbwalk *w, struct wperr *e)
{
	const size_t buflen = (size_t)ARTIFACT_BUF_MIN * 16;
	enum pbwalk_ev ev = PBWALK_NEED;
	unsigned char *buf;
	uint64_t off = 0;
	size_t have = 0, used;
	ssize_t n;

	pbwalk_init(w, size);
	/* The grammar only: salvage_mend() checks the references after. */
	w->refs.capped = 1;
	if ((buf = malloc(buflen)) == NULL)
		return wperr_sys(e, "malloc");
	while (ev == PBWALK_NEED) {
		n = io_read(fd, buf + have, buflen - have, off, e);
		if (n == -1) {
			free(buf);
			return -1;
		}
		off += (uint64_t)n;
		have += (size_t)n;
		used = 0;
		ev = pbwalk_feed(w, buf, have, off >= size || n == 0, &used);
		/*
		 * The walk leaves fewer than PBWALK_TOKEN bytes unused, so a
		 * buffer of 64 KiB always has room; an end with no verdict is
		 * a walk that broke its contract.
		 */
		if (ev == PBWALK_NEED && (off >= size || n == 0 ||
		    (used == 0 && have == buflen))) {
			free(buf);
			errno = EPROTO;
			return wperr_sys(e, "salvage: no verdict at the end");
		}
		have -= used;
		memmove(buf, buf + used, have);
	}
	free(buf);
	return 0;
}

/* The deep check of the output as it now stands, references and all. */
static int
check_saved(struct pump *p, struct pbref *refs, struct salvage_mend *m)
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
	    buflen, refs, &m->saved);
	free(buf);
	close(fd);
	if (rc == -1) {
		p->err = m->saved.err;
		return -1;
	}
	m->checked = 1;
	return 0;
}

/* 1 when what was kept has references that dangle. */
static int
dangles(const struct salvage_mend *m)
{
	return m->checked && (m->saved.err.code == WPE_MISSING_INTERNED ||
	    m->saved.err.code == WPE_MISSING_TRACK);
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
rewrite(struct pump *p, struct salvage_mend *m)
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
	m->pr.put = put_out;
	m->pr.arg = p;
	for (i = 0; i < sizeof(passes) / sizeof(passes[0]); i++) {
		if (passes[i] == PRUNE_WRITE)
			outfile_rewind_to(p->out, 0);
		r = prune_fd(&m->pr, passes[i], fd, size, buf, SALVAGE_BUF,
		    &m->perr_at);
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
		m->perr = r;
		return PUMP_BAD;
	}
	outfile_mark(p->out);
	m->pruned = 1;
	return PUMP_DONE;
}

void
salvage_mend_init(struct salvage_mend *m)
{
	memset(m, 0, sizeof(*m));
	prune_init(&m->pr);
}

void
salvage_mend_free(struct salvage_mend *m)
{
	prune_free(&m->pr);
}

enum pump_verdict
salvage_mend(struct pump *p, struct pbref *refs, struct salvage_mend *m)
{
	enum pump_verdict v;

	if (check_saved(p, refs, m) == -1)
		return PUMP_FAIL;
	if (!dangles(m))
		return PUMP_DONE;
	if ((v = rewrite(p, m)) != PUMP_DONE)
		return v;
	if (check_saved(p, refs, m) == -1)
		return PUMP_FAIL;
	if (m->saved.err.code != WPE_OK) {
		m->unfixed = 1;
		return PUMP_BAD;
	}
	return PUMP_DONE;
}

static enum pump_verdict
salvage_feed(struct pump *p, void *arg, const unsigned char *buf, size_t len,
    int eof, size_t *used)
{
	struct salvage_state *s = arg;
	enum pump_verdict v;
	uint64_t off = p->done - len;	/* stream offset of buf[0] */

	if (!recognise(&s->rg, p, buf, len, eof, used, &v))
		return v;
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
	if (!salvage_enough(&s->w))
		return PUMP_BAD;
	/* What is written must pass check: references and all. */
	return salvage_mend(p, &s->w.refs, &s->m);
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
void
salvage_say_removed(const struct pump *p, const struct salvage_mend *m)
{
	const struct prune *pr = &m->pr;
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
	    pr->rewritten == 1 ? "" : "s", msg, m->saved.have_size ?
	    m->saved.size : 0);
}

int
salvage_say_unmended(const struct pump *p, const struct salvage_mend *m)
{
	char msg[512];

	if (m->perr != PRUNE_OK)
		warnx("%s: no output written: what was kept has references "
		    "whose definitions were dropped, and salvage cannot "
		    "rewrite it: %s (the packet at offset %" PRIu64 ")",
		    p->name, prune_strerror(m->perr), m->perr_at);
	else if (m->unfixed)
		warnx("%s: no output written: what was kept still fails "
		    "check once rewritten: %s", p->name,
		    wperr_str(&m->saved.err, msg, sizeof(msg)));
	else
		return 0;
	return 1;
}

static void
report(const struct pump *p, const struct salvage_state *s, int status)
{
	char msg[512];

	if (s->rg.wrong)
		return;
	if (status == EXIT_BAD && salvage_say_unmended(p, &s->m))
		return;
	if (status == EXIT_BAD) {
		if (s->ev == PBWALK_FAIL)
			wperr_str(&s->w.err, msg, sizeof(msg));
		else
			snprintf(msg, sizeof(msg), "the trace ends there");
		warnx("%s: nothing saved: %" PRIu64 " whole packet%s (%" PRIu64
		    " bytes) before the damage, short of wprof's opening (%d "
		    "packets, %d bytes); no output written: %s%s", p->name,
		    s->w.good_packets, s->w.good_packets == 1 ? "" : "s",
		    s->w.good_end, SALVAGE_OPENING_PACKETS, ARTIFACT_MIN_SIZE, msg,
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
	if (s->m.pruned)
		salvage_say_removed(p, &s->m);
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
	char msg[256];
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
	salvage_mend_init(&s.m);
	io.in = argv[0];
	s.rg.reads = HINT_READS_TRACE;
	s.rg.refuse = RECOGNISE_PACKED | RECOGNISE_KIND(SNIFF_DRAIN) |
	    RECOGNISE_KIND(SNIFF_TEXT);
	s.rg.path = io.in;
	s.rg.cmd = s.cmdline;
	snprintf(s.cmdline, sizeof(s.cmdline), "salvage -o %s -",
	    io.out == NULL || strcmp(io.out, "-") == 0 ? "OUT" :
	    hint_quote(io.out, msg, sizeof(msg)) != NULL ? msg : "OUT");
	status = run_pump(&io, &p, salvage_feed, &s);
	report(&p, &s, status);
	salvage_mend_free(&s.m);
	pbwalk_free(&s.w);
	return status;
}
