#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <getopt.h>
#include <inttypes.h>
#include <libutil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vis.h>

#include "cmds.h"
#include "json.h"
#include "opt.h"
#include "progress.h"
#include "run.h"
#include "../lib/check.h"
#include "../lib/err.h"
#include "../lib/sniff.h"

const char synopsis_check[] =
    "check [-q] [--json] [--shape | --deep] [--min-size size] "
    "[--progress | --no-progress] [path ...]";

/*
 * Blocks of 128 KiB stay in the cache between the kernel's copy and the
 * walk: with 1 MiB, copying a 256 MB trace in took 0.11 s of system time
 * against 0.03 s, and the walk ran at a fifth of cat(1)'s speed.
 */
#define CHECK_BUF	(128u << 10)
#define LINE_WIDTH	80
#define REASONS_MAX	32
#define STDIN_SHOWN	"(standard input)"
#define TEMP_PREFIX	".wprofck."	/* lib/outfile.c's temporary files */

struct copts {
	int quiet, json;
	int progress;		/* PROGRESS_OFF, _AUTO or _FORCED */
	enum check_mode mode;
	uint64_t min_size;
	FILE *fp;		/* where verdicts go */
};

struct reason {
	const char *name;	/* check_reason() */
	const char *hint;	/* wperr_hint(), or NULL */
	uint64_t n;
};

/* Something a directory walk did not check, said once at the end. */
struct note {
	char *path;
	const char *text;
	int have_size;
	uint64_t size;
};

/* The state of one run of check, across its operands. */
struct run {
	uint64_t passed, failed;
	uint64_t walked, packets;	/* traces that passed the walk */
	struct pbkind_count *kinds;	/* their packets by kind */
	size_t nkinds, kindcap;
	uint64_t refs_checked;
	int refs_capped;
	int status;
	int header;		/* the column header is out */
	struct reason reasons[REASONS_MAX];
	size_t nreasons;
	struct note *notes;
	size_t nnotes, notecap;
	struct progress *prog;	/* bytes and artifacts so far, or NULL */
	uint64_t bytes;
};

/* One artifact to check, a note, or a path found unreadable. */
struct art {
	char *path;		/* as opened */
	const char *shown;	/* as printed for people */
	int errnum;		/* the search failed on it already */
	const char *note;	/* not an artifact: why it is listed */
	int have_size;
	uint64_t size;		/* from the search's stat */
	int sidecar;
	struct sidecar sc;	/* test is the sort key even when !sidecar */
};

struct artlist {
	struct art *v;
	size_t n, cap;
};

/* The order of the reasons in the summary: the order of the checks. */
static const char *const reason_order[] = {
	"unreadable", "changed", "missing", "no_artifacts", "too_small",
	"bad_leading_byte", "not_a_trace", "truncated", "trailing_bytes",
	"malformed_packet", "bad_varint", "missing_interned", "missing_track",
};

static const char note_temp[] =
    "a temporary file left by a wprofck run that was killed; remove it";
static const char note_dir[] =
    "skipped: a directory, not a file (what is under it is checked)";
static const char note_link[] =
    "skipped: a link to something that is not a regular file";
static const char note_fifo[] = "skipped: a FIFO, not a regular file";
static const char note_chr[] =
    "skipped: a character device, not a regular file";
static const char note_blk[] = "skipped: a block device, not a regular file";
static const char note_sock[] = "skipped: a socket, not a regular file";
static const char note_other[] = "skipped: not a regular file";
static const char note_loop[] = "skipped: a directory loop";

static unsigned char *
check_buf(void)
{
	static unsigned char *buf;

	if (buf == NULL && (buf = malloc(CHECK_BUF)) == NULL)
		err(EXIT_TROUBLE, NULL);
	return buf;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static void
art_name(struct art *a)
{
	const char *base = base_name(a->path);
	size_t n;

	if ((a->sidecar = sidecar_parse(base, &a->sc)))
		return;
	n = strlen(base);
	if (sidecar_match(base))
		n -= sizeof(SIDECAR_SUFFIX) - 1;
	if (n > SIDECAR_NAME_MAX)
		n = SIDECAR_NAME_MAX;
	memcpy(a->sc.test, base, n);
	a->sc.test[n] = '\0';
}

/* Within one directory: by test, then variant, the trace before its repro. */
static int
sidecar_cmp(const struct art *a, const struct art *b)
{
	int c;

	if ((c = strcmp(a->sc.test, b->sc.test)) != 0)
		return c;
	if ((c = strcmp(a->sc.variant, b->sc.variant)) != 0)
		return c;
	if (a->sc.repro != b->sc.repro)
		return a->sc.repro - b->sc.repro;
	return strcmp(base_name(a->shown), base_name(b->shown));
}

/*
 * Paths sort component by component, so that everything under a
 * subdirectory stays together; the files of one directory sort by
 * sidecar_cmp(), and a file sorts against a subdirectory by its test name.
 */
static int
art_cmp(const void *va, const void *vb)
{
	const struct art *a = va, *b = vb;
	const char *p = a->shown, *q = b->shown, *pe, *qe;
	size_t pn, qn;
	int c;

	for (;;) {
		pe = strchr(p, '/');
		qe = strchr(q, '/');
		if (pe == NULL && qe == NULL)
			return sidecar_cmp(a, b);
		if (pe == NULL || qe == NULL) {
			/* A file against a directory of the same level. */
			if (pe == NULL) {
				qn = (size_t)(qe - q);
				c = strncmp(a->sc.test, q, qn);
				if (c == 0 && a->sc.test[qn] != '\0')
					c = 1;
				return c != 0 ? c : -1;
			}
			pn = (size_t)(pe - p);
			c = strncmp(p, b->sc.test, pn);
			if (c == 0 && b->sc.test[pn] != '\0')
				c = -1;
			return c != 0 ? c : 1;
		}
		pn = (size_t)(pe - p);
		qn = (size_t)(qe - q);
		if ((c = memcmp(p, q, pn < qn ? pn : qn)) != 0)
			return c;
		if (pn != qn)
			return pn < qn ? -1 : 1;
		p = pe + 1;
		q = qe + 1;
	}
}

static void
human_size(char *buf, size_t len, int have_size, uint64_t size)
{
	if (!have_size)
		snprintf(buf, len, "-");
	else if (humanize_number(buf, len < 5 ? len : 5, (int64_t)size, "",
	    HN_AUTOSCALE, HN_B | HN_NOSPACE | HN_DECIMAL) == -1)
		snprintf(buf, len, "%" PRIu64, size);
}

/* A span in nanoseconds, to about three significant digits. */
static void
human_span(char *buf, size_t len, uint64_t ns)
{
	uint64_t s = ns / 1000000000;

	if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 " ns", ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 " us", ns / 1000,
		    ns / 100 % 10);
	else if (ns < 1000000000)
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 " ms", ns / 1000000,
		    ns / 100000 % 10);
	else if (s < 60)
		snprintf(buf, len, "%" PRIu64 ".%02" PRIu64 " s", s,
		    ns / 10000000 % 100);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60,
		    s % 60);
	else
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600,
		    s / 60 % 60);
}

static const char *
note_of(const struct check_result *r)
{
	if (!r->deep)
		return NULL;
	/* The opening holds one track event, the START instant. */
	if (r->st.track_event <= 1 && r->st.refs_capped)
		return "no track events after the opening; too many ids: "
		    "references not all checked";
	if (r->st.track_event <= 1)
		return "no track events after the opening";
	if (r->st.refs_capped)
		return "too many ids: references not all checked";
	return NULL;
}

/* The packet kinds of a trace, most first; free it. */
static struct pbkind_count *
kinds_of(const struct pbstats *st, size_t *n)
{
	struct pbkind_count *k;
	size_t max = SCHEMA_TRACE_PACKET_NFIELDS + 1;

	if ((k = reallocarray(NULL, max, sizeof(*k))) == NULL)
		err(EXIT_TROUBLE, NULL);
	*n = pbstats_kinds(st, k, max);
	return k;
}

/* Adds a trace that passed the walk to the run's counts by kind. */
static void
count_kinds(struct run *run, const struct pbstats *st)
{
	struct pbkind_count *k, *v;
	size_t n, i, j, cap;

	k = kinds_of(st, &n);
	for (i = 0; i < n; i++) {
		for (j = 0; j < run->nkinds; j++)
			if (strcmp(run->kinds[j].name, k[i].name) == 0)
				break;
		if (j == run->nkinds) {
			if (j == run->kindcap) {
				cap = run->kindcap == 0 ? 16 : run->kindcap * 2;
				if ((v = reallocarray(run->kinds, cap,
				    sizeof(*v))) == NULL)
					err(EXIT_TROUBLE, NULL);
				run->kinds = v;
				run->kindcap = cap;
			}
			run->kinds[j].name = k[i].name;
			run->kinds[j].n = 0;
			run->nkinds++;
		}
		run->kinds[j].n += k[i].n;
	}
	free(k);
	run->walked++;
	run->packets += st->packets;
	run->refs_checked += st->refs_checked;
	run->refs_capped |= st->refs_capped;
}

static int
kind_cmp(const void *va, const void *vb)
{
	const struct pbkind_count *a = va, *b = vb;

	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return strcmp(a->name, b->name);
}

static void
json_kinds(FILE *fp, const struct pbkind_count *k, size_t n)
{
	size_t i;

	fputs(",\"kinds\":{", fp);
	for (i = 0; i < n; i++) {
		fputs(i == 0 ? "" : ",", fp);
		json_string(fp, k[i].name);
		fprintf(fp, ":%" PRIu64, k[i].n);
	}
	putc('}', fp);
}

static int
deep_failure(const struct wperr *e)
{
	switch (e->code) {
	case WPE_TRUNCATED:
	case WPE_TRAILING_BYTES:
	case WPE_NOT_A_TRACE:
	case WPE_MALFORMED_PACKET:
	case WPE_BAD_VARINT:
		return 1;
	default:
		return 0;
	}
}

/* The path with unprintable bytes as C escapes; free it. */
static char *
vis_path(const char *path)
{
	size_t n = strlen(path);
	char *vis;

	if (n > (SIZE_MAX - 1) / 4 || (vis = malloc(4 * n + 1)) == NULL)
		err(EXIT_TROUBLE, NULL);
	strvis(vis, path, VIS_CSTYLE | VIS_OCTAL | VIS_TAB | VIS_NL);
	return vis;
}

/*
 * Text that does not fit in LINE_WIDTH columns goes on at the next space,
 * each further line indented by indent; with no first, the first line is
 * indented too. A tab is a space that never breaks.
 */
static void
print_wrapped(FILE *fp, const char *first, const char *text, int indent)
{
	size_t col, n, i;
	const char *sp;
	int space = first != NULL;

	if (first != NULL) {
		fputs(first, fp);
		col = strlen(first);
	} else {
		fprintf(fp, "%*s", indent, "");
		col = (size_t)indent;
	}
	while (*text != '\0') {
		sp = strchr(text, ' ');
		n = sp != NULL ? (size_t)(sp - text) : strlen(text);
		if (space && col + 1 + n > LINE_WIDTH) {
			fprintf(fp, "\n%*s", indent, "");
			col = (size_t)indent;
			space = 0;
		}
		if (space) {
			putc(' ', fp);
			col++;
		}
		for (i = 0; i < n; i++)
			putc(text[i] == '\t' ? ' ' : text[i], fp);
		col += n;
		space = 1;
		text += n;
		while (*text == ' ')
			text++;
	}
	putc('\n', fp);
}

static void
print_header(const struct copts *o, struct run *run)
{
	if (run->header)
		return;
	run->header = 1;
	if (o->mode == CHECK_DEEP)
		fprintf(o->fp, "%-6s %5s %7s %8s  %s\n", "RESULT", "SIZE",
		    "PACKETS", "SPAN", "PATH");
	else
		fprintf(o->fp, "%-6s %5s  %s\n", "RESULT", "SIZE", "PATH");
}

/*
 * One line per artifact: result, size, packets and span (deep), the path,
 * and a note in parentheses; a failure's detail goes on the line below.
 */
static void
print_human(const struct copts *o, const char *result, const char *path,
    int have_size, uint64_t size, const struct check_result *r,
    const char *detail, const char *note)
{
	char sz[16], pk[24], span[32], *vis;

	vis = vis_path(path);
	human_size(sz, sizeof(sz), have_size, size);
	fprintf(o->fp, "%-6s %5s", result, sz);
	if (o->mode == CHECK_DEEP) {
		snprintf(pk, sizeof(pk), "-");
		snprintf(span, sizeof(span), "-");
		if (r != NULL && r->deep) {
			snprintf(pk, sizeof(pk), "%" PRIu64, r->st.packets);
			if (r->st.have_ts)
				human_span(span, sizeof(span),
				    r->st.ts_max - r->st.ts_min);
		}
		fprintf(o->fp, " %7s %8s", pk, span);
	}
	fprintf(o->fp, "  %s", vis);
	if (note != NULL)
		fprintf(o->fp, " (%s)", note);
	putc('\n', o->fp);
	if (detail != NULL)
		print_wrapped(o->fp, NULL, detail, 4);
	free(vis);
}

static void
print_json(const struct copts *o, const struct art *a,
    const struct check_result *r, const char *msg)
{
	const struct pbstats *st = &r->st;
	struct pbkind_count *k;
	FILE *fp = o->fp;
	const char *note;
	size_t nk;

	fputs("{\"path\":", fp);
	json_string(fp, a->path);
	fprintf(fp, ",\"ok\":%s,\"size\":", r->err.code == WPE_OK ?
	    "true" : "false");
	if (r->have_size)
		fprintf(fp, "%" PRIu64, r->size);
	else
		fputs("null", fp);
	if (r->err.code == WPE_OK)
		fputs(",\"reason\":null,\"message\":null", fp);
	else {
		fprintf(fp, ",\"reason\":\"%s\",\"message\":",
		    check_reason(&r->err));
		json_string(fp, msg);
	}
	if (a->sidecar) {
		fputs(",\"test\":", fp);
		json_string(fp, a->sc.test);
		fprintf(fp, ",\"variant\":\"%s\",\"kind\":\"%s\"",
		    a->sc.variant, a->sc.repro ? "repro" : "trace");
	}
	if (r->deep) {
		fprintf(fp, ",\"packets\":%" PRIu64 ",\"sequences\":%u,"
		    "\"sequences_capped\":%s,\"track_event\":%" PRIu64
		    ",\"interned_data\":%" PRIu64 ",\"track_descriptor\":%"
		    PRIu64, st->packets, st->nseq,
		    st->seq_capped ? "true" : "false", st->track_event,
		    st->interned_data, st->track_descriptor);
		if (st->have_ts)
			fprintf(fp, ",\"ts_min\":%" PRIu64 ",\"ts_max\":%"
			    PRIu64 ",\"span_ns\":%" PRIu64, st->ts_min,
			    st->ts_max, st->ts_max - st->ts_min);
		else
			fputs(",\"ts_min\":null,\"ts_max\":null,"
			    "\"span_ns\":null", fp);
		fputs(",\"note\":", fp);
		if ((note = note_of(r)) != NULL)
			json_string(fp, note);
		else
			fputs("null", fp);
		k = kinds_of(st, &nk);
		json_kinds(fp, k, nk);
		free(k);
		fprintf(fp, ",\"refs_checked\":%" PRIu64 ",\"refs_capped\":%s",
		    st->refs_checked, st->refs_capped ? "true" : "false");
	} else if (deep_failure(&r->err))
		fprintf(fp, ",\"offset\":%" PRIu64 ",\"packet\":%" PRIu64,
		    r->err.off, r->err.index);
	fputs("}\n", fp);
}

static void
count_reason(struct run *run, const struct wperr *e)
{
	const char *name = check_reason(e);
	size_t i;

	for (i = 0; i < run->nreasons; i++)
		if (strcmp(run->reasons[i].name, name) == 0)
			break;
	if (i == run->nreasons) {
		/* There are fewer reason codes than REASONS_MAX. */
		if (i == REASONS_MAX)
			return;
		run->reasons[i].name = name;
		run->reasons[i].hint = wperr_hint(e);
		run->nreasons++;
	}
	run->reasons[i].n++;
}

/* The failure's detail, and what the input really is when it is known. */
static void
detail_of(const struct check_result *r, char *msg, size_t len)
{
	char what[256];
	struct sniff s;
	size_t n;

	if (r->err.code == WPE_SYS) {
		snprintf(msg, len, "unreadable: %s%s%s", r->err.what ?
		    r->err.what : "", r->err.what ? ": " : "",
		    strerror(r->err.errnum));
		return;
	}
	wperr_str(&r->err, msg, len);
	switch (r->err.code) {
	case WPE_TOO_SMALL:
	case WPE_BAD_LEADING_BYTE:
	case WPE_NOT_A_TRACE:
		sniff_head(r->head, r->headlen, &s);
		if (sniff_str(&s, what, sizeof(what)) == NULL)
			break;
		n = strlen(msg);
		snprintf(msg + n, len - n, "; %s", what);
		break;
	default:
		break;
	}
}

static void
report(const struct copts *o, struct run *run, const struct art *a,
    const struct check_result *r)
{
	char msg[768];
	int st;

	if (r->err.code == WPE_OK) {
		run->passed++;
		st = EXIT_OK;
		if (r->deep)
			count_kinds(run, &r->st);
	} else {
		run->failed++;
		st = check_trouble(&r->err) ? EXIT_TROUBLE : EXIT_BAD;
		count_reason(run, &r->err);
	}
	if (st > run->status)
		run->status = st;
	if (r->have_size)
		run->bytes += r->size;
	if (run->prog != NULL)
		progress_update(run->prog, run->bytes,
		    run->passed + run->failed);
	if (o->quiet && st == EXIT_OK)
		return;
	if (run->prog != NULL)
		progress_clear(run->prog);
	if (r->err.code != WPE_OK)
		detail_of(r, msg, sizeof(msg));
	if (o->json)
		print_json(o, a, r, msg);
	else {
		print_header(o, run);
		print_human(o, r->err.code == WPE_OK ? "ok" : "FAIL",
		    a->shown, r->have_size, r->size, r,
		    r->err.code == WPE_OK ? NULL : msg,
		    r->err.code == WPE_OK ? note_of(r) : NULL);
	}
	/*
	 * A line is out as soon as it is known, even into a pipe. A failure
	 * stays in ferror(), which the dispatcher checks at the end.
	 */
	(void)fflush(o->fp);
}

/* The size of what path names when it is a regular file. */
static void
stat_size(const char *path, int fd, struct check_result *r)
{
	struct stat sb;

	if (r->have_size)
		return;
	if ((fd != -1 ? fstat(fd, &sb) : stat(path, &sb)) == 0 &&
	    S_ISREG(sb.st_mode)) {
		r->have_size = 1;
		r->size = (uint64_t)sb.st_size;
	}
}

static void
check_art(const struct copts *o, struct run *run, const struct art *a)
{
	struct check_result r;
	int fd, flags;

	memset(&r, 0, sizeof(r));
	if (a->errnum != 0) {
		r.err.code = WPE_SYS;
		r.err.errnum = a->errnum;
		r.have_size = a->have_size;
		r.size = a->size;
		report(o, run, a, &r);
		return;
	}
	/* Never wait for a writer on a FIFO: it may never come. */
	if ((fd = open(a->path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			r.err.code = WPE_MISSING;
		else {
			r.err.code = WPE_SYS;
			r.err.errnum = errno;
			stat_size(a->path, -1, &r);
		}
		report(o, run, a, &r);
		return;
	}
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1) {
		r.err.code = WPE_SYS;
		r.err.errnum = errno;
	} else if (check_fd(fd, o->mode, o->min_size, check_buf(), CHECK_BUF,
	    &r) == -1)
		stat_size(a->path, fd, &r);
	close(fd);
	report(o, run, a, &r);
}

static void
check_stdin(const struct copts *o, struct run *run)
{
	struct check_result r;
	struct art a;

	memset(&a, 0, sizeof(a));
	a.path = "-";
	a.shown = STDIN_SHOWN;
	memset(&r, 0, sizeof(r));
	if (isatty(STDIN_FILENO)) {
		warnx("standard input is a terminal: give a file, or pipe a "
		    "trace in");
		run->status = EXIT_TROUBLE;
		return;
	}
	if (check_fd(STDIN_FILENO, o->mode, o->min_size, check_buf(),
	    CHECK_BUF, &r) == -1)
		stat_size(NULL, STDIN_FILENO, &r);
	report(o, run, &a, &r);
}

static struct art *
art_add(struct artlist *l, const char *path, size_t skip)
{
	struct art *a;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap == 0 ? 64 : l->cap * 2;
		if ((a = reallocarray(l->v, cap, sizeof(*a))) == NULL)
			err(EXIT_TROUBLE, NULL);
		l->v = a;
		l->cap = cap;
	}
	a = &l->v[l->n++];
	memset(a, 0, sizeof(*a));
	if ((a->path = strdup(path)) == NULL)
		err(EXIT_TROUBLE, NULL);
	/* fts joins the root and the names with one slash, or none after one. */
	a->shown = a->path;
	if (skip > 0 && strlen(a->path) > skip) {
		a->shown += skip;
		while (*a->shown == '/')
			a->shown++;
	}
	art_name(a);
	return a;
}

static void
art_stat(struct art *a, const struct stat *sb)
{
	if (sb != NULL && S_ISREG(sb->st_mode)) {
		a->have_size = 1;
		a->size = (uint64_t)sb->st_size;
	}
}

static const char *
note_of_mode(mode_t m)
{
	if (S_ISFIFO(m))
		return note_fifo;
	if (S_ISCHR(m))
		return note_chr;
	if (S_ISBLK(m))
		return note_blk;
	if (S_ISSOCK(m))
		return note_sock;
	if (S_ISDIR(m))
		return note_dir;
	return note_other;
}

/* A symbolic link found in a directory and named like an artifact. */
static void
add_link(struct artlist *l, const FTSENT *e, size_t skip)
{
	struct stat sb;
	struct art *a;

	if (stat(e->fts_path, &sb) == -1) {
		a = art_add(l, e->fts_path, skip);
		/* Dangling: open() reports it missing. */
		if (errno != ENOENT && errno != ENOTDIR)
			a->errnum = errno;
		return;
	}
	a = art_add(l, e->fts_path, skip);
	art_stat(a, &sb);
	if (!S_ISREG(sb.st_mode))
		a->note = note_link;
}

static void
note_keep(struct run *run, const struct art *a)
{
	struct note *n;
	size_t cap;

	if (run->nnotes == run->notecap) {
		cap = run->notecap == 0 ? 16 : run->notecap * 2;
		if ((n = reallocarray(run->notes, cap, sizeof(*n))) == NULL)
			err(EXIT_TROUBLE, NULL);
		run->notes = n;
		run->notecap = cap;
	}
	n = &run->notes[run->nnotes++];
	if ((n->path = strdup(a->path)) == NULL)
		err(EXIT_TROUBLE, NULL);
	n->text = a->note;
	n->have_size = a->have_size;
	n->size = a->size;
}

static void
report_note(const struct copts *o, struct run *run, const struct art *a)
{
	note_keep(run, a);
	if (o->quiet || o->json)
		return;
	if (run->prog != NULL)
		progress_clear(run->prog);
	print_header(o, run);
	/* The note goes where a failure's detail goes. */
	print_human(o, "note", a->shown, a->have_size, a->size, NULL,
	    a->note, NULL);
	(void)fflush(o->fp);
}

/*
 * What a directory walk found: artifacts, what cannot be examined (at any
 * level), and notes about what it skipped.
 */
static int
walk_entry(struct artlist *l, FTSENT *e, size_t skip)
{
	struct art *a;
	size_t s = e->fts_level == 0 ? 0 : skip;

	switch (e->fts_info) {
	case FTS_F:
		if (sidecar_match(e->fts_name))
			art_stat(art_add(l, e->fts_path, s), e->fts_statp);
		else if (strncmp(e->fts_name, TEMP_PREFIX,
		    sizeof(TEMP_PREFIX) - 1) == 0 &&
		    e->fts_name[sizeof(TEMP_PREFIX) - 1] != '\0') {
			a = art_add(l, e->fts_path, s);
			art_stat(a, e->fts_statp);
			a->note = note_temp;
		}
		break;
	case FTS_SL:
	case FTS_SLNONE:
		if (sidecar_match(e->fts_name))
			add_link(l, e, s);
		break;
	case FTS_D:
		if (e->fts_level > 0 && sidecar_match(e->fts_name))
			art_add(l, e->fts_path, s)->note = note_dir;
		break;
	case FTS_DC:
		art_add(l, e->fts_path, s)->note = note_loop;
		break;
	case FTS_DEFAULT:
		if (sidecar_match(e->fts_name))
			art_add(l, e->fts_path, s)->note =
			    note_of_mode(e->fts_statp->st_mode);
		break;
	case FTS_NS:
	case FTS_DNR:
	case FTS_ERR:
		a = art_add(l, e->fts_path, s);
		a->errnum = e->fts_errno != 0 ? e->fts_errno : EIO;
		if (e->fts_info == FTS_DNR)
			art_stat(a, e->fts_statp);
		return e->fts_level == 0 ? -1 : 0;
	default:
		break;
	}
	return 0;
}

/*
 * Every *.wprof.pb under dir, not following symbolic links to directories
 * (so there is no loop to fall into), checked in the order of art_cmp.
 */
static void
check_dir(const struct copts *o, struct run *run, const char *dir,
    int relative)
{
	struct artlist l = { NULL, 0, 0 };
	struct check_result r;
	struct art *a, top;
	char *roots[2];
	FTS *fts;
	FTSENT *e;
	size_t skip, i, arts = 0;
	int searched = 1;

	skip = relative ? strlen(dir) : 0;
	roots[0] = (char *)dir;
	roots[1] = NULL;
	errno = 0;
	if ((fts = fts_open(roots, FTS_PHYSICAL | FTS_COMFOLLOW | FTS_NOCHDIR,
	    NULL)) == NULL) {
		art_add(&l, dir, 0)->errnum = errno;
		searched = 0;
	} else {
		while ((e = fts_read(fts)) != NULL)
			if (walk_entry(&l, e, skip) == -1)
				searched = 0;
		/* The walk itself failed: say so, with the directory. */
		if (errno != 0) {
			art_add(&l, dir, 0)->errnum = errno;
			searched = 0;
		}
		fts_close(fts);
	}

	if (l.n > 0)
		qsort(l.v, l.n, sizeof(*l.v), art_cmp);
	for (i = 0; i < l.n; i++) {
		a = &l.v[i];
		if (a->note != NULL)
			report_note(o, run, a);
		else {
			check_art(o, run, a);
			arts++;
		}
		free(a->path);
	}
	if (arts == 0 && searched) {
		memset(&top, 0, sizeof(top));
		top.path = (char *)dir;
		top.shown = dir;
		memset(&r, 0, sizeof(r));
		r.err.code = WPE_NO_ARTIFACTS;
		report(o, run, &top, &r);
	}
	free(l.v);
}

static void
check_path(const struct copts *o, struct run *run, const char *path,
    int relative)
{
	struct stat sb;
	struct art a;

	if (strcmp(path, "-") == 0) {
		check_stdin(o, run);
		return;
	}
	memset(&a, 0, sizeof(a));
	a.path = (char *)path;
	a.shown = path;
	art_name(&a);
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		check_dir(o, run, path, relative);
	else
		check_art(o, run, &a);
}

static int
reason_rank(const char *name)
{
	size_t i, n = sizeof(reason_order) / sizeof(reason_order[0]);

	for (i = 0; i < n; i++)
		if (strcmp(reason_order[i], name) == 0)
			return (int)i;
	return (int)n;
}

static int
reason_cmp(const void *va, const void *vb)
{
	const struct reason *a = va, *b = vb;
	int c;

	if ((c = reason_rank(a->name) - reason_rank(b->name)) != 0)
		return c;
	return strcmp(a->name, b->name);
}

/* Each reason's hint, once, below the lines it explains. */
static void
print_hints(FILE *fp, const struct run *run)
{
	char first[64];
	size_t i;

	for (i = 0; i < run->nreasons; i++) {
		if (run->reasons[i].hint == NULL)
			continue;
		snprintf(first, sizeof(first), "%s:", run->reasons[i].name);
		print_wrapped(fp, first, run->reasons[i].hint, 4);
	}
}

/* "N passed, M failed: 2 too_small, 1 truncated; 1 note" */
static void
print_summary(const struct copts *o, const struct run *run)
{
	FILE *fp = o->fp;
	size_t i;

	fprintf(fp, "%" PRIu64 " passed, %" PRIu64 " failed", run->passed,
	    run->failed);
	for (i = 0; i < run->nreasons; i++)
		fprintf(fp, "%s%" PRIu64 " %s", i == 0 ? ": " : ", ",
		    run->reasons[i].n, run->reasons[i].name);
	if (run->nnotes > 0 && !o->quiet)
		fprintf(fp, "; %zu note%s", run->nnotes,
		    run->nnotes == 1 ? "" : "s");
	putc('\n', fp);
}

/*
 * What the traces that passed the walk hold: "packets: 210 in 2 traces:
 * 202 track_event, ...; 840 references resolved".
 */
static void
print_kinds(FILE *fp, const struct run *run)
{
	char *text, *t;
	size_t i;

	if (asprintf(&text, "%" PRIu64 " in %" PRIu64 " trace%s:",
	    run->packets, run->walked, run->walked == 1 ? "" : "s") == -1)
		err(EXIT_TROUBLE, NULL);
	for (i = 0; i < run->nkinds; i++) {
		if (asprintf(&t, "%s %" PRIu64 "\t%s%s", text, run->kinds[i].n,
		    run->kinds[i].name, i + 1 < run->nkinds ? "," : ";") == -1)
			err(EXIT_TROUBLE, NULL);
		free(text);
		text = t;
	}
	if (asprintf(&t, "%s %" PRIu64 " reference%s resolved%s", text,
	    run->refs_checked, run->refs_checked == 1 ? "" : "s",
	    run->refs_capped ? " (not all: too many ids)" : "") == -1)
		err(EXIT_TROUBLE, NULL);
	free(text);
	print_wrapped(fp, "packets:", t, 4);
	free(t);
}

/*
 * The last JSON record: counts, the reasons with their hints and the
 * notes. It has no "path", so select(.path) keeps the artifacts only.
 */
static void
print_json_summary(const struct copts *o, const struct run *run)
{
	FILE *fp = o->fp;
	const struct note *n;
	size_t i;

	fprintf(fp, "{\"summary\":true,\"mode\":\"%s\",\"passed\":%" PRIu64
	    ",\"failed\":%" PRIu64 ",\"reasons\":{", o->mode == CHECK_DEEP ?
	    "deep" : "shape", run->passed, run->failed);
	for (i = 0; i < run->nreasons; i++)
		fprintf(fp, "%s\"%s\":%" PRIu64, i == 0 ? "" : ",",
		    run->reasons[i].name, run->reasons[i].n);
	fputs("},\"hints\":{", fp);
	for (i = 0; i < run->nreasons; i++) {
		fprintf(fp, "%s\"%s\":", i == 0 ? "" : ",",
		    run->reasons[i].name);
		if (run->reasons[i].hint != NULL)
			json_string(fp, run->reasons[i].hint);
		else
			fputs("null", fp);
	}
	putc('}', fp);
	if (o->mode == CHECK_DEEP) {
		fprintf(fp, ",\"walked\":%" PRIu64 ",\"packets\":%" PRIu64,
		    run->walked, run->packets);
		json_kinds(fp, run->kinds, run->nkinds);
		fprintf(fp, ",\"refs_checked\":%" PRIu64 ",\"refs_capped\":%s",
		    run->refs_checked, run->refs_capped ? "true" : "false");
	}
	fputs(",\"notes\":[", fp);
	for (i = 0; i < run->nnotes; i++) {
		n = &run->notes[i];
		fputs(i == 0 ? "{\"path\":" : ",{\"path\":", fp);
		json_string(fp, n->path);
		fputs(",\"size\":", fp);
		if (n->have_size)
			fprintf(fp, "%" PRIu64, n->size);
		else
			fputs("null", fp);
		fputs(",\"note\":", fp);
		json_string(fp, n->text);
		putc('}', fp);
	}
	fputs("]}\n", fp);
}

static void
finish(const struct copts *o, struct run *run)
{
	size_t i;

	if (run->prog != NULL)
		progress_end(run->prog);
	if (run->nreasons > 0)
		qsort(run->reasons, run->nreasons, sizeof(run->reasons[0]),
		    reason_cmp);
	if (run->nkinds > 0)
		qsort(run->kinds, run->nkinds, sizeof(run->kinds[0]),
		    kind_cmp);
	if (o->quiet && run->failed == 0)
		;
	else if (o->json)
		print_json_summary(o, run);
	else {
		if (run->passed + run->failed > 1 ||
		    (run->nnotes > 0 && !o->quiet))
			print_summary(o, run);
		if (run->walked > 0 && !o->quiet)
			print_kinds(o->fp, run);
		print_hints(o->fp, run);
	}
	(void)fflush(o->fp);
	for (i = 0; i < run->nnotes; i++)
		free(run->notes[i].path);
	free(run->notes);
	free(run->kinds);
}

int
check_written(int fd, const char *path, enum check_mode mode)
{
	struct copts o;
	struct run run;
	struct check_result r;
	struct art a;

	memset(&o, 0, sizeof(o));
	memset(&run, 0, sizeof(run));
	memset(&a, 0, sizeof(a));
	o.mode = mode;
	o.min_size = CHECK_MIN_SIZE;
	o.fp = stderr;
	run.header = 1;		/* one line on stderr needs no header */
	a.path = (char *)path;
	a.shown = path;
	check_fd(fd, o.mode, o.min_size, check_buf(), CHECK_BUF, &r);
	report(&o, &run, &a, &r);
	print_hints(o.fp, &run);
	free(run.kinds);
	return run.status;
}

int
cmd_check(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_DEEP, OPT_SHAPE, OPT_MIN_SIZE };
	static const struct option longopts[] = {
		{ "deep", no_argument, NULL, OPT_DEEP },
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "min-size", required_argument, NULL, OPT_MIN_SIZE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "shape", no_argument, NULL, OPT_SHAPE },
		{ "no-progress", no_argument, NULL, RUN_NO_PROGRESS },
		{ "progress", no_argument, NULL, RUN_PROGRESS },
		{ NULL, 0, NULL, 0 }
	};
	struct progress prog;
	struct copts o;
	struct run run;
	struct stat sb;
	char *env[1];
	int ch, i;

	memset(&o, 0, sizeof(o));
	memset(&run, 0, sizeof(run));
	o.mode = CHECK_DEEP;
	o.min_size = CHECK_MIN_SIZE;
	o.fp = stdout;
	while ((ch = opt_getopt(argc, argv, "hq", longopts)) != -1) {
		switch (ch) {
		case 'h':
			opt_help(synopsis_check);
		case 'q':
			o.quiet = 1;
			break;
		case OPT_DEEP:
			o.mode = CHECK_DEEP;
			break;
		case OPT_SHAPE:
			o.mode = CHECK_SHAPE;
			break;
		case OPT_JSON:
			o.json = 1;
			break;
		case OPT_MIN_SIZE:
			o.min_size = opt_size("--min-size", optarg, 0,
			    INT64_MAX);
			break;
		case RUN_PROGRESS:
			o.progress = PROGRESS_FORCED;
			break;
		case RUN_NO_PROGRESS:
			o.progress = PROGRESS_OFF;
			break;
		default:
			opt_usage(synopsis_check);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		if ((env[0] = getenv("KTSTR_SIDECAR_DIR")) == NULL ||
		    env[0][0] == '\0') {
			warnx("no path, and KTSTR_SIDECAR_DIR is not set");
			opt_usage(synopsis_check);
		}
		/* A sidecar directory that is not there is trouble. */
		if (stat(env[0], &sb) == -1) {
			warn("KTSTR_SIDECAR_DIR=%s", env[0]);
			return EXIT_TROUBLE;
		}
		if (!S_ISDIR(sb.st_mode)) {
			warnx("KTSTR_SIDECAR_DIR=%s: not a directory", env[0]);
			return EXIT_TROUBLE;
		}
		argv = env;
		argc = 1;
	}
	/* Progress counts the artifacts checked and their bytes. */
	progress_init(&prog, argc == 1 ? argv[0] : "the operands", 0,
	    o.progress);
	prog.unit = "artifacts";
	run.prog = &prog;
	for (i = 0; i < argc; i++)
		check_path(&o, &run, argv[i], argc == 1);
	finish(&o, &run);
	return run.status;
}
