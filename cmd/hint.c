#include <stdio.h>
#include <string.h>

#include "hint.h"
#include "../lib/err.h"
#include "../lib/sem.h"
#include "../lib/sniff.h"
#include "../lib/tag.h"

#define HINT_MAX	512

/* Bytes a shell takes as part of a word, unquoted. */
static const char shell_plain[] = "abcdefghijklmnopqrstuvwxyz"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-";

const char *
hint_quote(const char *path, char *buf, size_t len)
{
	const char *p;
	size_t n = 0;
	int r;

	for (p = path; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			return NULL;
	/* A path that starts with '-' would be read as an option. */
	r = snprintf(buf, len, "%s", path[0] == '-' ? "./" : "");
	n = (size_t)r;
	if (strspn(path, shell_plain) == strlen(path) && path[0] != '\0') {
		r = snprintf(buf + n, len - n, "%s", path);
		return r < 0 || (size_t)r >= len - n ? NULL : buf;
	}
	/* Inside '...' every byte is itself; a ' is written '\''. */
	if (n + 1 >= len)
		return NULL;
	buf[n++] = '\'';
	for (p = path; *p != '\0'; p++) {
		if (n + 5 >= len)
			return NULL;
		if (*p == '\'') {
			memcpy(buf + n, "'\\''", 4);
			n += 4;
		} else
			buf[n++] = *p;
	}
	buf[n++] = '\'';
	buf[n] = '\0';
	return buf;
}

/* The path as a word of a command line, or `placeholder` for none. */
static const char *
path_word(const char *path, const char *placeholder, char *buf, size_t len)
{
	const char *q;

	if (path == NULL || strcmp(path, "-") == 0)
		return placeholder;
	return (q = hint_quote(path, buf, len)) != NULL ? q : placeholder;
}

/*
 * A rule of Perfetto's importer broken (WPE_IMPORT): wprof writes none of
 * these, so what likely happened.
 */
static const char *
import_hint(unsigned rule)
{
	switch (rule) {
	case SEM_TE_NO_SEQUENCE:
	case SEM_INTERNED_NO_SEQUENCE:
	case SEM_CLEARED_NO_SEQUENCE:
	case SEM_TE_NO_TIMESTAMP:
	case SEM_TD_NO_UUID:
	case SEM_TD_THREAD_NO_IDS:
	case SEM_TD_PROCESS_NO_PID:
		return "wprof always writes this field: the packet was "
		    "rewritten after wprof wrote it, or a newer wprof writes "
		    "it differently; Perfetto drops what it describes";
	case SEM_TE_NEGATIVE_TS:
	case SEM_NEGATIVE_TS:
		return "an event before the session started: wprof subtracts "
		    "its start time without a check, so a clock problem on "
		    "the guest (a timestamp from another clock, a clock that "
		    "stepped back) wraps to a huge value; Perfetto drops it";
	case SEM_TD_CONFLICT:
		return "two threads or tracks got the same uuid: tids reused "
		    "while wprof ran, or two traces joined into one file; "
		    "Perfetto keeps the first description";
	case SEM_TRACK_LOOP:
	case SEM_TRACK_TOO_DEEP:
	case SEM_TRACK_NO_PARENT:
		return "the track tree is broken: a descriptor was lost (ring-"
		    "buffer drops, or wprof killed before it described the "
		    "parent) or rewritten; Perfetto drops every event on the "
		    "tracks below";
	case SEM_CLOCK_DUPLICATE:
	case SEM_CLOCK_BACKWARDS:
		return "a clock problem on the guest, or two traces joined "
		    "into one file: Perfetto rejects the clock snapshot and "
		    "may place events on the wrong time";
	case SEM_FTRACE_NO_CPU:
	case SEM_FTRACE_CPU_RANGE:
		return "an ftrace bundle names no cpu or one past 1023: the "
		    "bytes changed after wprof wrote them, or a newer wprof; "
		    "a cpu past 1023 makes trace_processor refuse the whole "
		    "trace";
	case SEM_FTRACE_LOST:
		return "the kernel dropped ftrace events (ring-buffer drops): "
		    "a larger buffer or fewer events keeps them";
	case SEM_COMPACT_LENGTH:
	case SEM_COMPACT_COMM:
		return "a compact_sched bundle is inconsistent (ring-buffer "
		    "drops mid-record, or rewritten bytes): Perfetto drops "
		    "its scheduling events";
	case SEM_PREV_STATE:
		return "a task state no kernel from 4.14 reports: a newer "
		    "kernel or wprof with states Perfetto v58.2 does not "
		    "know, or damaged bytes";
	case SEM_SLICE_TOO_DEEP:
		return "512 slices open at once on one track: ENDs lost "
		    "(ring-buffer drops, wprof killed mid-slice) or never "
		    "written; Perfetto drops the slices past that depth";
	default:
		return NULL;
	}
}

/*
 * What a verdict of check most likely means and what to do about it: said
 * once per reason under a list of artifacts, so it is not in wperr_str().
 * It is cmd/'s: it speaks of commands and exit statuses.
 */
static const char *
hint_text(const struct wperr *e)
{
	switch (e->code) {
	case WPE_MISSING:
		return "the file named, or the one a link points to, does not "
		    "exist";
	case WPE_NO_ARTIFACTS:
		return "nothing to check: is this the sidecar directory "
		    "(KTSTR_SIDECAR_DIR), and did the tests run with wprof on?";
	case WPE_TOO_SMALL:
		return "wprof stopped before writing its opening, or the "
		    "transfer cut the file short";
	case WPE_BAD_LEADING_BYTE:
	case WPE_EMPTY_FILE:
		return "a trace starts with 0x0a, field 1 (packet) with wire "
		    "type 2; this file holds something else";
	case WPE_NOT_A_TRACE:
		return "a trace holds only field 1 with wire type 2 at its top "
		    "level; the file is not a trace, or two files were joined";
	case WPE_TRUNCATED:
	case WPE_TRUNCATED_LENGTH:
		return "the file ends inside a packet: wprof was stopped while "
		    "writing, or the copy was cut short";
	case WPE_TRAILING_BYTES:
		return "bytes after the last whole packet are not a packet: "
		    "something was appended to the trace, or it was grown with "
		    "zeros";
	case WPE_MALFORMED_PACKET:
	case WPE_MALFORMED_LENGTH:
	case WPE_BAD_VARINT:
		return "the bytes inside a packet are damaged: they changed "
		    "after wprof wrote them (a bad copy, disk or memory)";
	case WPE_MISSING_INTERNED:
		return "an interned id is used but defined nowhere in its "
		    "sequence: Perfetto shows the events without the names, "
		    "frames or stacks it stands for";
	case WPE_MISSING_TRACK:
		return "a track uuid is used but no TrackDescriptor describes "
		    "it: Perfetto cannot place those events on a track";
	case WPE_IMPORT:
		return import_hint(e->rule);
	case WPE_CHANGED:
	case WPE_GREW:
	case WPE_REWRITTEN:
		return "the file was written to while it was read (exit status "
		    "2): something still writes it; check it again when that "
		    "is done";
	case WPE_SYS:
		return "the file could not be read (exit status 2): fix the "
		    "permissions or the path and check again";
	default:
		return NULL;
	}
}

/*
 * What salvage does for a reason, as the start of a clause ending in its
 * command line: the damage is cut off, keeping what comes before, or the
 * dangling references are rewritten away. NULL: salvage does not repair it.
 */
static const char *
salvage_repairs(enum wperr_code code)
{
	switch (code) {
	case WPE_TRUNCATED:
	case WPE_TRUNCATED_LENGTH:
	case WPE_TRAILING_BYTES:
	case WPE_NOT_A_TRACE:
	case WPE_MALFORMED_PACKET:
	case WPE_MALFORMED_LENGTH:
	case WPE_BAD_VARINT:
		return "the whole packets before the damage can be kept with";
	case WPE_MISSING_INTERNED:
	case WPE_MISSING_TRACK:
		return "a copy with the dangling uses removed is written by";
	default:
		return NULL;
	}
}

const char *
hint_of(const struct wperr *e, const char *path)
{
	static char bufs[WPE_NO_DIR + 1][HINT_MAX];
	char q[HINT_MAX / 2];
	const char *text = hint_text(e), *fix = salvage_repairs(e->code);
	char *buf;

	if (text == NULL || fix == NULL || (unsigned)e->code > WPE_NO_DIR)
		return text;
	buf = bufs[e->code];
	snprintf(buf, HINT_MAX, "%s; %s: wprofck salvage -o OUT %s", text,
	    fix, path_word(path, "FILE", q, sizeof(q)));
	return buf;
}

const char *
hint_input(const struct sniff *s, enum hint_reads reads, const char *path,
    const char *cmd, char *buf, size_t len)
{
	const char *packer, *p, *what = reads == HINT_READS_TRACE ?
	    "a trace" : "a drain";
	char tn[TAG_NAME_MAX], c[4], q[HINT_MAX / 2];

	p = path_word(path, reads == HINT_READS_TRACE ? "FILE" : "DUMP", q,
	    sizeof(q));
	switch (s->kind) {
	case SNIFF_EMPTY:
		/* A trace reader says "too small" or "nothing saved". */
		if (reads == HINT_READS_TRACE)
			return NULL;
		snprintf(buf, len, "this is empty, not %s", what);
		return buf;
	case SNIFF_TEXT:
		snprintf(buf, len, "this is text, not %s", what);
		return buf;
	case SNIFF_DRAIN:
		if (reads == HINT_READS_DRAIN)
			return NULL;
		tag_chars(s->type, c);
		snprintf(buf, len, "this is a drain, not a trace (first frame "
		    "%.4s, %s, %lu bytes); make the trace from it with: "
		    "wprofck reassemble -o OUT.wprof.pb %s", c,
		    tag_type_name(s->type, tn), (unsigned long)s->len, p);
		return buf;
	case SNIFF_TRACE:
		if (reads == HINT_READS_TRACE)
			return NULL;
		snprintf(buf, len, "this is a Perfetto trace, not a drain: "
		    "wprofck check %s", p);
		return buf;
	case SNIFF_GZIP:
		packer = "gzip";
		break;
	case SNIFF_ZSTD:
		packer = "zstd";
		break;
	case SNIFF_XZ:
		packer = "xz";
		break;
	default:
		return NULL;
	}
	/*
	 * Not gunzip FILE: it refuses a name without .gz ("unknown suffix"),
	 * and unzstd and unxz do the same. -dc reads any name.
	 */
	snprintf(buf, len, "this is %s data: %s -dc %s | wprofck %s", packer,
	    packer, p, cmd);
	return buf;
}
