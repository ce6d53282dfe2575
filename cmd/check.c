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
#include "../lib/check.h"

const char synopsis_check[] =
    "check [-q] [--json] [--shape | --deep] [--min-size size] "
    "[--progress | --no-progress] [path ...]";

/* Large blocks keep the deep walk near the speed of cat(1). */
#define CHECK_BUF	(1u << 20)

static const char none_found[] = "no *.wprof.pb file under this directory";

struct copts {
	int quiet, json, deep;
	uint64_t min_size;
	FILE *fp;		/* where verdicts go */
};

struct tally {
	uint64_t passed, failed;
	int status;
};

/* One artifact to check, or found unreadable while looking for them. */
struct art {
	char *path;		/* as opened */
	const char *shown;	/* as printed by people */
	int nonblock;		/* found in a directory: never wait on open */
	int errnum;		/* the search failed on it already */
	int sidecar;
	struct sidecar sc;	/* test is the sort key even when !sidecar */
};

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

/* Sorted by test, then variant, the trace before its repro, then path. */
static int
art_cmp(const void *va, const void *vb)
{
	const struct art *a = va, *b = vb;
	int c;

	if ((c = strcmp(a->sc.test, b->sc.test)) != 0)
		return c;
	if ((c = strcmp(a->sc.variant, b->sc.variant)) != 0)
		return c;
	if (a->sc.repro != b->sc.repro)
		return a->sc.repro - b->sc.repro;
	return strcmp(a->shown, b->shown);
}

static void
human_size(char *buf, size_t len, const struct check_result *r)
{
	if (!r->have_size)
		snprintf(buf, len, "-");
	else if (humanize_number(buf, len < 5 ? len : 5, (int64_t)r->size, "",
	    HN_AUTOSCALE, HN_B | HN_NOSPACE | HN_DECIMAL) == -1)
		snprintf(buf, len, "%" PRIu64, r->size);
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
	/* The opening holds one track event, the START instant. */
	if (r->deep && r->st.track_event <= 1)
		return "no track events after the opening";
	return NULL;
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

static void
print_human(const struct copts *o, const struct art *a,
    const struct check_result *r, const char *msg)
{
	char size[16], pk[24], span[32], *vis;
	const char *note;
	size_t n = strlen(a->shown);

	if (n > (SIZE_MAX - 1) / 4 || (vis = malloc(4 * n + 1)) == NULL)
		err(EXIT_TROUBLE, NULL);
	strvis(vis, a->shown, VIS_CSTYLE | VIS_OCTAL | VIS_TAB | VIS_NL);
	human_size(size, sizeof(size), r);
	fprintf(o->fp, "%-4s  %5s  ", r->err.code == WPE_OK ? "ok" : "FAIL",
	    size);
	if (o->deep) {
		snprintf(pk, sizeof(pk), "-");
		snprintf(span, sizeof(span), "-");
		if (r->deep) {
			snprintf(pk, sizeof(pk), "%" PRIu64, r->st.packets);
			if (r->st.have_ts)
				human_span(span, sizeof(span),
				    r->st.ts_max - r->st.ts_min);
		}
		fprintf(o->fp, "%9s  %9s  ", pk, span);
	}
	if (r->err.code != WPE_OK)
		fprintf(o->fp, "%s: %s\n", vis, msg);
	else if ((note = note_of(r)) != NULL)
		fprintf(o->fp, "%s (%s)\n", vis, note);
	else
		fprintf(o->fp, "%s\n", vis);
	free(vis);
}

static void
print_json(const struct copts *o, const struct art *a,
    const struct check_result *r, const char *msg)
{
	const struct pbstats *st = &r->st;
	FILE *fp = o->fp;
	const char *note;

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
	} else if (deep_failure(&r->err))
		fprintf(fp, ",\"offset\":%" PRIu64 ",\"packet\":%" PRIu64,
		    r->err.off, r->err.index);
	fputs("}\n", fp);
}

static void
report(const struct copts *o, struct tally *t, const struct art *a,
    const struct check_result *r)
{
	char msg[512];
	int st;

	if (r->err.code == WPE_OK) {
		t->passed++;
		st = EXIT_OK;
	} else {
		t->failed++;
		st = check_trouble(&r->err) ? EXIT_TROUBLE : EXIT_BAD;
	}
	if (st > t->status)
		t->status = st;
	if (o->quiet && st == EXIT_OK)
		return;
	if (r->err.code == WPE_SYS)
		snprintf(msg, sizeof(msg), "unreadable: %s",
		    strerror(r->err.errnum));
	else
		wperr_str(&r->err, msg, sizeof(msg));
	if (o->json)
		print_json(o, a, r, msg);
	else
		print_human(o, a, r, msg);
}

static void
check_art(const struct copts *o, struct tally *t, const struct art *a)
{
	struct check_result r;
	int fd;

	memset(&r, 0, sizeof(r));
	if (a->errnum != 0) {
		r.err.code = WPE_SYS;
		r.err.errnum = a->errnum;
	} else if ((fd = open(a->path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			r.err.code = WPE_MISSING;
		else {
			r.err.code = WPE_SYS;
			r.err.errnum = errno;
		}
	} else {
		check_fd(fd, o->deep ? CHECK_DEEP : CHECK_SHAPE, o->min_size,
		    check_buf(), CHECK_BUF, &r);
		close(fd);
	}
	report(o, t, a, &r);
}

struct artlist {
	struct art *v;
	size_t n, cap;
};

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
	a->shown = a->path + skip;
	a->nonblock = 1;
	art_name(a);
	return a;
}

/* Whether a symbolic link found in a directory names an artifact. */
static int
link_is_art(const char *path, int *errnum)
{
	struct stat sb;

	if (stat(path, &sb) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 1;	/* dangling: reported missing */
		*errnum = errno;
		return 1;
	}
	return S_ISREG(sb.st_mode);
}

/*
 * Every *.wprof.pb under dir, not following symbolic links to directories
 * (so there is no loop to fall into), checked in the order of art_cmp.
 */
static void
check_dir(const struct copts *o, struct tally *t, const char *dir,
    int relative)
{
	struct artlist l = { NULL, 0, 0 };
	struct check_result r;
	struct art *a, top;
	char *roots[2];
	FTS *fts;
	FTSENT *e;
	size_t skip, i;
	int errnum, searched = 1;

	skip = strlen(dir);
	if (skip > 0 && dir[skip - 1] == '/')
		skip--;
	skip = relative ? skip + 1 : 0;
	roots[0] = (char *)dir;
	roots[1] = NULL;
	if ((fts = fts_open(roots, FTS_PHYSICAL | FTS_COMFOLLOW | FTS_NOCHDIR,
	    NULL)) == NULL)
		err(EXIT_TROUBLE, "%s", dir);
	while ((e = fts_read(fts)) != NULL) {
		errnum = 0;
		switch (e->fts_info) {
		case FTS_F:
			if (sidecar_match(e->fts_name))
				art_add(&l, e->fts_path, skip);
			break;
		case FTS_SL:
		case FTS_SLNONE:
			if (sidecar_match(e->fts_name) &&
			    link_is_art(e->fts_path, &errnum))
				art_add(&l, e->fts_path, skip)->errnum = errnum;
			break;
		case FTS_NS:
			if (!sidecar_match(e->fts_name))
				break;
			/* FALLTHROUGH */
		case FTS_DNR:
		case FTS_ERR:
			if (e->fts_level == 0)
				searched = 0;
			a = art_add(&l, e->fts_path,
			    e->fts_level == 0 ? 0 : skip);
			a->errnum = e->fts_errno;
			break;
		}
	}
	if (errno != 0)
		err(EXIT_TROUBLE, "%s", dir);
	fts_close(fts);

	if (l.n > 0)
		qsort(l.v, l.n, sizeof(*l.v), art_cmp);
	for (i = 0; i < l.n; i++) {
		check_art(o, t, &l.v[i]);
		free(l.v[i].path);
	}
	if (l.n == 0 && searched) {
		memset(&top, 0, sizeof(top));
		top.path = (char *)dir;
		top.shown = dir;
		memset(&r, 0, sizeof(r));
		r.err.code = WPE_MISSING;
		r.err.what = none_found;
		report(o, t, &top, &r);
	}
	free(l.v);
}

static void
check_path(const struct copts *o, struct tally *t, const char *path,
    int relative)
{
	struct stat sb;
	struct art a;

	memset(&a, 0, sizeof(a));
	a.path = (char *)path;
	a.shown = path;
	art_name(&a);
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		check_dir(o, t, path, relative);
	else
		check_art(o, t, &a);
}

int
check_written(int fd, const char *path, const char *how)
{
	struct copts o;
	struct tally t;
	struct check_result r;
	struct art a;

	memset(&o, 0, sizeof(o));
	memset(&t, 0, sizeof(t));
	memset(&a, 0, sizeof(a));
	o.deep = how != NULL && strcmp(how, "deep") == 0;
	o.min_size = CHECK_MIN_SIZE;
	o.fp = stderr;
	a.path = (char *)path;
	a.shown = path;
	check_fd(fd, o.deep ? CHECK_DEEP : CHECK_SHAPE, o.min_size,
	    check_buf(), CHECK_BUF, &r);
	report(&o, &t, &a, &r);
	return t.status;
}

int
cmd_check(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_DEEP, OPT_MIN_SIZE };
	static const struct option longopts[] = {
		{ "deep", no_argument, NULL, OPT_DEEP },
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "min-size", required_argument, NULL, OPT_MIN_SIZE },
		{ NULL, 0, NULL, 0 }
	};
	struct copts o;
	struct tally t;
	char *env[1];
	int ch, i;

	memset(&o, 0, sizeof(o));
	memset(&t, 0, sizeof(t));
	o.min_size = CHECK_MIN_SIZE;
	o.fp = stdout;
	while ((ch = getopt_long(argc, argv, "hq", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			help(synopsis_check);
		case 'q':
			o.quiet = 1;
			break;
		case OPT_DEEP:
			o.deep = 1;
			break;
		case OPT_JSON:
			o.json = 1;
			break;
		case OPT_MIN_SIZE:
			o.min_size = opt_size("--min-size", optarg, 0,
			    INT64_MAX);
			break;
		default:
			usage(synopsis_check);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		if ((env[0] = getenv("KTSTR_SIDECAR_DIR")) == NULL ||
		    env[0][0] == '\0') {
			warnx("no path, and KTSTR_SIDECAR_DIR is not "
			    "set");
			usage(synopsis_check);
		}
		argv = env;
		argc = 1;
	}
	for (i = 0; i < argc; i++)
		check_path(&o, &t, argv[i], argc == 1);
	if (!o.json && !o.quiet && t.passed + t.failed > 1)
		printf("%" PRIu64 " passed, %" PRIu64 " failed\n", t.passed,
		    t.failed);
	return t.status;
}
