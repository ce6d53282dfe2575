#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <libutil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vis.h>
#include <sys/stat.h>

#include "cmds.h"
#include "hint.h"
#include "json.h"
#include "junit.h"
#include "progress.h"
#include "report.h"
#include "vis.h"
#include "../lib/sidecar.h"
#include "../lib/sniff.h"

#define LINE_WIDTH	80

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
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

/*
 * A count for the PACKETS column of 7: exact up to 9999999, then in
 * thousands to the power of its suffix ("69.6M"); JSON has it exact.
 */
static void
human_count(char *buf, size_t len, uint64_t n)
{
	static const char suffix[] = "KMGTPE";
	double v = (double)n;
	size_t i;

	if (n <= 9999999) {
		snprintf(buf, len, "%" PRIu64, n);
		return;
	}
	for (i = 0, v /= 1000; v >= 999.95 && i + 1 < sizeof(suffix) - 1; i++)
		v /= 1000;
	snprintf(buf, len, v < 99.95 ? "%.1f%c" : "%.0f%c", v, suffix[i]);
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
note_of(const struct artifact_result *r)
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
	/* incremental_state.cc: the first definition in a generation holds. */
	if (r->st.refs_redefined != 0)
		return "an interned id defined again in its generation: "
		    "trace_processor keeps the first definition";
	/* lib/sem.c's notes: the first, as Perfetto loads the trace. */
	if (r->st.sem_notes != 0)
		return sem_note_str((enum sem_reason)(SEM_NOTE_FIRST +
		    __builtin_ctz(r->st.sem_notes)));
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

/* Adds what a trace holds to the run's; cpus and release are the most. */
static void
sum_add(struct sem_summary *a, const struct sem_summary *b)
{
	size_t i;

	for (i = 0; i < SEM_TE_TYPES; i++)
		a->te[i] += b->te[i];
	a->ftrace_events += b->ftrace_events;
	a->sched_switch += b->sched_switch;
	a->sched_waking += b->sched_waking;
	a->threads += b->threads;
	a->processes += b->processes;
	if (b->cpus > a->cpus)
		a->cpus = b->cpus;
	if (b->have_num_cpus && (!a->have_num_cpus ||
	    b->num_cpus > a->num_cpus)) {
		a->have_num_cpus = 1;
		a->num_cpus = b->num_cpus;
	}
	if (b->release > a->release) {
		a->release = b->release;
		a->release_field = b->release_field;
	}
}

/* What a trace holds, for --json: the keys man/wprofck.1 lists. */
static void
json_sum(FILE *fp, const struct sem_summary *s)
{
	fprintf(fp, ",\"threads\":%" PRIu64 ",\"processes\":%" PRIu64
	    ",\"cpus\":%u,\"num_cpus\":", s->threads, s->processes, s->cpus);
	if (s->have_num_cpus)
		fprintf(fp, "%" PRIu64, s->num_cpus);
	else
		fputs("null", fp);
	fprintf(fp, ",\"slices_begun\":%" PRIu64 ",\"slices_ended\":%" PRIu64
	    ",\"events\":{\"instant\":%" PRIu64 ",\"counter\":%" PRIu64
	    ",\"unspecified\":%" PRIu64 ",\"other\":%" PRIu64
	    ",\"ftrace\":%" PRIu64 ",\"sched_switch\":%" PRIu64
	    ",\"sched_waking\":%" PRIu64 "},\"perfetto_min\":",
	    s->te[SEM_TE_BEGIN], s->te[SEM_TE_END], s->te[SEM_TE_INSTANT],
	    s->te[SEM_TE_COUNTER], s->te[SEM_TE_UNSPECIFIED],
	    s->te[SEM_TE_OTHER], s->ftrace_events, s->sched_switch,
	    s->sched_waking);
	if (s->release != 0) {
		fprintf(fp, "\"v%u\",\"perfetto_min_field\":", s->release);
		json_string(fp, s->release_field);
	} else
		fputs("null,\"perfetto_min_field\":null", fp);
}

/* Adds a trace that passed the walk to the run's counts by kind. */
static void
count_kinds(struct report *rep, const struct pbstats *st)
{
	struct pbkind_count *k, *v;
	size_t n, i, j, cap;

	k = kinds_of(st, &n);
	for (i = 0; i < n; i++) {
		for (j = 0; j < rep->nkinds; j++)
			if (strcmp(rep->kinds[j].name, k[i].name) == 0)
				break;
		if (j == rep->nkinds) {
			if (j == rep->kindcap) {
				cap = rep->kindcap == 0 ? 16 : rep->kindcap * 2;
				if ((v = reallocarray(rep->kinds, cap,
				    sizeof(*v))) == NULL)
					err(EXIT_TROUBLE, NULL);
				rep->kinds = v;
				rep->kindcap = cap;
			}
			rep->kinds[j].name = k[i].name;
			rep->kinds[j].n = 0;
			rep->nkinds++;
		}
		rep->kinds[j].n += k[i].n;
	}
	free(k);
	rep->walked++;
	rep->packets += st->packets;
	rep->refs_checked += st->refs_checked;
	rep->refs_capped |= st->refs_capped;
	sum_add(&rep->sum, &st->sum);
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
	case WPE_TRUNCATED_LENGTH:
	case WPE_TRAILING_BYTES:
	case WPE_NOT_A_TRACE:
	case WPE_MALFORMED_PACKET:
	case WPE_MALFORMED_LENGTH:
	case WPE_BAD_VARINT:
	case WPE_IMPORT:
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
print_header(struct report *rep)
{
	const struct report_opts *o = rep->o;

	if (rep->header || o->one_line)
		return;
	rep->header = 1;
	if (o->mode == ARTIFACT_DEEP)
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
print_human(const struct report_opts *o, const char *result, const char *path,
    int have_size, uint64_t size, const struct artifact_result *r,
    const char *detail, const char *note)
{
	char sz[16], pk[24], span[32], *vis;

	vis = vis_path(path);
	human_size(sz, sizeof(sz), have_size, size);
	/* reassemble --check: a message of the command, with its prefix. */
	if (o->one_line)
		fprintf(o->fp, "%s: ", program_invocation_short_name);
	fprintf(o->fp, "%-6s %5s", result, sz);
	if (o->mode == ARTIFACT_DEEP) {
		snprintf(pk, sizeof(pk), "-");
		snprintf(span, sizeof(span), "-");
		if (r != NULL && r->deep) {
			human_count(pk, sizeof(pk), r->st.packets);
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
print_json(const struct report_opts *o, const char *path,
    const struct artifact_result *r, const char *msg)
{
	const struct pbstats *st = &r->st;
	struct pbkind_count *k;
	struct sidecar sc;
	FILE *fp = o->fp;
	const char *note;
	size_t nk;

	fputs("{\"path\":", fp);
	json_string(fp, path);
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
		    artifact_reason_name(artifact_reason(&r->err)));
		json_string(fp, msg);
	}
	if (sidecar_parse(base_name(path), &sc)) {
		fputs(",\"test\":", fp);
		json_string(fp, sc.test);
		fprintf(fp, ",\"variant\":\"%s\",\"kind\":\"%s\"",
		    sc.variant, sc.repro ? "repro" : "trace");
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
		json_sum(fp, &st->sum);
	} else if (deep_failure(&r->err))
		fprintf(fp, ",\"offset\":%" PRIu64 ",\"packet\":%" PRIu64,
		    r->err.off, r->err.index);
	fputs("}\n", fp);
}

/* The failure's detail, and what the input really is when it is known. */
static void
detail_of(const struct artifact_result *r, const char *path, char *msg,
    size_t len)
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
		if (hint_input(&s, HINT_READS_TRACE, path, "check -", what,
		    sizeof(what)) == NULL)
			break;
		n = strlen(msg);
		snprintf(msg + n, len - n, "; %s", what);
		break;
	default:
		break;
	}
}

/* The artifact's testcase in the JUnit report. */
static void
junit_verdict(struct report *rep, const char *path, const char *shown,
    const struct artifact_result *r, const char *msg)
{
	struct junit_case c;
	struct sidecar sc;
	char out[512], span[32];
	const char *note;
	size_t n;

	memset(&c, 0, sizeof(c));
	/* People read the name: standard input as the human report says. */
	c.name = strcmp(path, "-") == 0 ? shown : path;
	c.classname = sidecar_parse(base_name(path), &sc) ? sc.test :
	    base_name(c.name);
	if (r->err.code != WPE_OK) {
		c.type = artifact_reason_name(artifact_reason(&r->err));
		c.error = artifact_trouble(&r->err);
		c.message = msg;
		c.hint = hint_of(&r->err, path);
	}
	out[0] = '\0';
	if (r->have_size)
		snprintf(out, sizeof(out), "size: %" PRIu64 " bytes\n",
		    r->size);
	if (r->deep) {
		n = strlen(out);
		snprintf(out + n, sizeof(out) - n, "packets: %" PRIu64 "\n",
		    r->st.packets);
		if (r->st.have_ts) {
			human_span(span, sizeof(span),
			    r->st.ts_max - r->st.ts_min);
			n = strlen(out);
			snprintf(out + n, sizeof(out) - n, "span: %s\n", span);
		}
	}
	if (r->err.code == WPE_OK && (note = note_of(r)) != NULL) {
		n = strlen(out);
		snprintf(out + n, sizeof(out) - n, "note: %s\n", note);
	}
	c.out = out[0] != '\0' ? out : NULL;
	if (rep->case_start != 0)
		c.ns = junit_now() - rep->case_start;
	rep->case_start = 0;
	junit_case(rep->junit, &c);
}

int
report_junit_stdout(const char *path)
{
	struct stat a, b;

	if (strcmp(path, "-") == 0)
		return 1;
	return stat(path, &a) == 0 && fstat(STDOUT_FILENO, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

void
report_unchecked(struct report *rep, const char *path, const char *type,
    const char *msg, int trouble)
{
	struct junit_case c;
	struct sidecar sc;

	if (rep->junit == NULL)
		return;
	memset(&c, 0, sizeof(c));
	c.name = path;
	c.classname = sidecar_parse(base_name(path), &sc) ? sc.test :
	    base_name(path);
	c.type = type;
	c.error = trouble;
	c.message = msg;
	junit_case(rep->junit, &c);
}

void
report_start(struct report *rep)
{
	if (rep->junit != NULL)
		rep->case_start = junit_now();
}

void
report_verdict(struct report *rep, const char *path, const char *shown,
    const struct artifact_result *r)
{
	const struct report_opts *o = rep->o;
	enum artifact_reason why;
	char msg[768];
	int st;

	if (r->err.code == WPE_OK) {
		rep->passed++;
		st = EXIT_OK;
		if (r->deep)
			count_kinds(rep, &r->st);
	} else {
		rep->failed++;
		st = artifact_trouble(&r->err) ? EXIT_TROUBLE : EXIT_BAD;
		rep->reasons[artifact_reason(&r->err)]++;
	}
	if (st > rep->status)
		rep->status = st;
	if (r->have_size)
		rep->bytes += r->size;
	if (rep->prog != NULL) {
		progress_file(rep->prog, NULL, 0);
		progress_update(rep->prog, rep->bytes,
		    rep->passed + rep->failed);
	}
	if (r->err.code != WPE_OK)
		detail_of(r, path, msg, sizeof(msg));
	if (rep->junit != NULL)
		junit_verdict(rep, path, shown, r, msg);
	/*
	 * The summary's hint names the path when one artifact failed so; it
	 * is set after the JUnit testcase, whose hint names its own path in
	 * the same buffer (hint_of()).
	 */
	if (r->err.code != WPE_OK) {
		why = artifact_reason(&r->err);
		rep->hints[why] = hint_of(&r->err, rep->reasons[why] == 1 ?
		    path : NULL);
	}
	if (o->quiet && st == EXIT_OK)
		return;
	if (rep->prog != NULL)
		progress_clear(rep->prog);
	if (o->json)
		print_json(o, path, r, msg);
	else {
		print_header(rep);
		print_human(o, r->err.code == WPE_OK ? "ok" : "FAIL",
		    shown, r->have_size, r->size, r,
		    r->err.code == WPE_OK ? NULL : msg,
		    r->err.code == WPE_OK ? note_of(r) : NULL);
	}
	/*
	 * A line is out as soon as it is known, even into a pipe. A failure
	 * stays in ferror(), which the dispatcher checks at the end.
	 */
	(void)fflush(o->fp);
}

static void
note_keep(struct report *rep, const char *path, const char *text,
    int have_size, uint64_t size)
{
	struct report_note *n;
	size_t cap;
	char *t;

	if (rep->nnotes == rep->notecap) {
		cap = rep->notecap == 0 ? 16 : rep->notecap * 2;
		if ((n = reallocarray(rep->notes, cap, sizeof(*n))) == NULL)
			err(EXIT_TROUBLE, NULL);
		rep->notes = n;
		rep->notecap = cap;
	}
	n = &rep->notes[rep->nnotes++];
	if ((n->path = strdup(path)) == NULL)
		err(EXIT_TROUBLE, NULL);
	/* A tab only keeps a command on one line of the human report. */
	if ((n->text = strdup(text)) == NULL)
		err(EXIT_TROUBLE, NULL);
	for (t = n->text; (t = strchr(t, '\t')) != NULL; t++)
		*t = ' ';
	n->have_size = have_size;
	n->size = size;
}

void
report_note(struct report *rep, const char *path, const char *shown,
    const char *text, int have_size, uint64_t size)
{
	const struct report_opts *o = rep->o;

	note_keep(rep, path, text, have_size, size);
	if (o->quiet || o->json)
		return;
	if (rep->prog != NULL)
		progress_clear(rep->prog);
	print_header(rep);
	/* The note goes where a failure's detail goes. */
	print_human(o, "note", shown, have_size, size, NULL, text, NULL);
	(void)fflush(o->fp);
}

/* Each reason's hint, once, below the lines it explains. */
static void
print_hints(FILE *fp, const struct report *rep)
{
	char first[128];
	size_t i;

	for (i = 0; i < ARTIFACT_NREASONS; i++) {
		if (rep->reasons[i] == 0 || rep->hints[i] == NULL)
			continue;
		snprintf(first, sizeof(first), "%s%s%s:", rep->o->one_line ?
		    program_invocation_short_name : "", rep->o->one_line ?
		    ": " : "", artifact_reason_name(i));
		print_wrapped(fp, first, rep->hints[i], 4);
	}
}

/* "N passed, M failed: 2 too_small, 1 truncated; 1 note" */
static void
print_summary(const struct report *rep)
{
	const char *sep = ": ";
	FILE *fp = rep->o->fp;
	size_t i;

	fprintf(fp, "%" PRIu64 " passed, %" PRIu64 " failed", rep->passed,
	    rep->failed);
	for (i = 0; i < ARTIFACT_NREASONS; i++) {
		if (rep->reasons[i] == 0)
			continue;
		fprintf(fp, "%s%" PRIu64 " %s", sep, rep->reasons[i],
		    artifact_reason_name(i));
		sep = ", ";
	}
	if (rep->nnotes > 0 && !rep->o->quiet)
		fprintf(fp, "; %zu note%s", rep->nnotes,
		    rep->nnotes == 1 ? "" : "s");
	putc('\n', fp);
}

/*
 * "content: 3 threads in 2 processes, 2 cpus; 40 slices begun, 38 ended,
 * 12 instants, ...; Perfetto v53 or newer (TrackEvent.callstack_iid)".
 */
static void
print_content(FILE *fp, const struct sem_summary *s)
{
	char *t, ncpu[48] = "", rel[96];

	if (s->have_num_cpus)
		snprintf(ncpu, sizeof(ncpu), " (%" PRIu64 " in system_info)",
		    s->num_cpus);
	if (s->release != 0)
		snprintf(rel, sizeof(rel), "needs Perfetto v%u or newer (%s)",
		    s->release, s->release_field);
	else
		snprintf(rel, sizeof(rel), "any Perfetto release reads it");
	if (asprintf(&t, "%" PRIu64 " thread%s in %" PRIu64 " process%s, "
	    "%u ftrace cpu%s%s; %" PRIu64 " slices begun, %" PRIu64 " ended, "
	    "%" PRIu64 " instants, %" PRIu64 " counters, %" PRIu64 " ftrace "
	    "events, %" PRIu64 " sched_switch, %" PRIu64 " sched_waking; %s",
	    s->threads, s->threads == 1 ? "" : "s", s->processes,
	    s->processes == 1 ? "" : "es", s->cpus, s->cpus == 1 ? "" : "s",
	    ncpu, s->te[SEM_TE_BEGIN], s->te[SEM_TE_END],
	    s->te[SEM_TE_INSTANT], s->te[SEM_TE_COUNTER], s->ftrace_events,
	    s->sched_switch, s->sched_waking, rel) == -1)
		err(EXIT_TROUBLE, NULL);
	print_wrapped(fp, "content:", t, 4);
	free(t);
}

/*
 * What the traces that passed the walk hold: "packets: 210 in 2 traces:
 * 202 track_event, ...; 840 references resolved".
 */
static void
print_kinds(FILE *fp, const struct report *rep)
{
	char *text, *t;
	size_t i;

	if (asprintf(&text, "%" PRIu64 " in %" PRIu64 " trace%s:",
	    rep->packets, rep->walked, rep->walked == 1 ? "" : "s") == -1)
		err(EXIT_TROUBLE, NULL);
	for (i = 0; i < rep->nkinds; i++) {
		if (asprintf(&t, "%s %" PRIu64 "\t%s%s", text, rep->kinds[i].n,
		    rep->kinds[i].name, i + 1 < rep->nkinds ? "," : ";") == -1)
			err(EXIT_TROUBLE, NULL);
		free(text);
		text = t;
	}
	if (asprintf(&t, "%s %" PRIu64 " reference%s resolved%s", text,
	    rep->refs_checked, rep->refs_checked == 1 ? "" : "s",
	    rep->refs_capped ? " (not all: too many ids)" : "") == -1)
		err(EXIT_TROUBLE, NULL);
	free(text);
	print_wrapped(fp, "packets:", t, 4);
	free(t);
	print_content(fp, &rep->sum);
}

/*
 * The last JSON record: counts, the reasons with their hints and the
 * notes. It has no "path", so select(.path) keeps the artifacts only.
 */
static void
print_json_summary(const struct report *rep)
{
	const struct report_opts *o = rep->o;
	const struct report_note *n;
	const char *sep = "";
	FILE *fp = o->fp;
	size_t i;

	fprintf(fp, "{\"summary\":true,\"version\":%d,\"mode\":\"%s\","
	    "\"passed\":%" PRIu64
	    ",\"failed\":%" PRIu64 ",\"reasons\":{", REPORT_JSON_VERSION,
	    o->mode == ARTIFACT_DEEP ? "deep" : "shape", rep->passed,
	    rep->failed);
	for (i = 0; i < ARTIFACT_NREASONS; i++) {
		if (rep->reasons[i] == 0)
			continue;
		fprintf(fp, "%s\"%s\":%" PRIu64, sep, artifact_reason_name(i),
		    rep->reasons[i]);
		sep = ",";
	}
	fputs("},\"hints\":{", fp);
	sep = "";
	for (i = 0; i < ARTIFACT_NREASONS; i++) {
		if (rep->reasons[i] == 0)
			continue;
		fprintf(fp, "%s\"%s\":", sep, artifact_reason_name(i));
		sep = ",";
		if (rep->hints[i] != NULL)
			json_string(fp, rep->hints[i]);
		else
			fputs("null", fp);
	}
	putc('}', fp);
	if (o->mode == ARTIFACT_DEEP) {
		fprintf(fp, ",\"walked\":%" PRIu64 ",\"packets\":%" PRIu64,
		    rep->walked, rep->packets);
		json_kinds(fp, rep->kinds, rep->nkinds);
		fprintf(fp, ",\"refs_checked\":%" PRIu64 ",\"refs_capped\":%s",
		    rep->refs_checked, rep->refs_capped ? "true" : "false");
	}
	fputs(",\"notes\":[", fp);
	for (i = 0; i < rep->nnotes; i++) {
		n = &rep->notes[i];
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

/* The walk's notes, then the counts: the report is committed. */
static void
finish_junit(struct report *rep)
{
	char msg[512];
	size_t i;

	for (i = 0; i < rep->nnotes; i++)
		junit_suite_out(rep->junit, rep->notes[i].path,
		    rep->notes[i].text);
	if (junit_close(rep->junit) == -1) {
		warnx("%s: %s", msg_vis(rep->o->junit),
		    wperr_str(&rep->junit->err, msg, sizeof(msg)));
		rep->status = EXIT_TROUBLE;
	}
	free(rep->junit);
	rep->junit = NULL;
}

int
report_finish(struct report *rep)
{
	const struct report_opts *o = rep->o;
	size_t i;

	if (rep->prog != NULL)
		progress_end(rep->prog);
	if (rep->junit != NULL)
		finish_junit(rep);
	if (rep->nkinds > 0)
		qsort(rep->kinds, rep->nkinds, sizeof(rep->kinds[0]),
		    kind_cmp);
	if (o->one_line)
		print_hints(o->fp, rep);
	else if (o->quiet && rep->failed == 0)
		;
	else if (o->json)
		print_json_summary(rep);
	else {
		if (rep->passed + rep->failed > 1 ||
		    (rep->nnotes > 0 && !o->quiet))
			print_summary(rep);
		if (rep->walked > 0 && !o->quiet)
			print_kinds(o->fp, rep);
		print_hints(o->fp, rep);
	}
	(void)fflush(o->fp);
	for (i = 0; i < rep->nnotes; i++) {
		free(rep->notes[i].path);
		free(rep->notes[i].text);
	}
	free(rep->notes);
	free(rep->kinds);
	return rep->status;
}

void
report_init(struct report *rep, const struct report_opts *o,
    struct progress *prog)
{
	static const char *mode[] = { "shape", "deep" };
	const char *props[] = { "mode", mode[o->mode == ARTIFACT_DEEP],
	    "min_size", NULL, NULL };
	struct wperr e;
	char msg[512], min[24];

	memset(rep, 0, sizeof(*rep));
	rep->o = o;
	rep->prog = prog;
	if (o->junit == NULL)
		return;
	snprintf(min, sizeof(min), "%" PRIu64, o->min_size);
	props[3] = min;
	if ((rep->junit = malloc(sizeof(*rep->junit))) == NULL)
		err(EXIT_TROUBLE, NULL);
	/* Before any artifact is read: a report that cannot be written. */
	if (junit_open(rep->junit, o->junit, o->suite, props, &e) == -1)
		errx(EXIT_TROUBLE, "%s: %s", msg_vis(o->junit),
		    wperr_str(&e, msg, sizeof(msg)));
}
