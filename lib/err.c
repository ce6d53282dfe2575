#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "frame.h"
#include "pbref.h"
#include "sem.h"
#include "tag.h"

/* Records errno as a WPE_SYS error; returns -1 for the caller to pass on. */
int
wperr_sys(struct wperr *e, const char *what)
{
	int saved = errno;

	memset(e, 0, sizeof(*e));
	e->code = WPE_SYS;
	e->errnum = saved;
	e->what = what;
	return -1;
}

/* Appends to buf as far as it goes; snprintf() truncates safely. */
static void
append(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);

	if (n + 1 < len)
		snprintf(buf + n, len - n, "%s", s);
}

/* The four-letter tags, which fit in a line where the names would not. */
static void
known_names(char *buf, size_t len)
{
	uint32_t type;
	size_t i;
	char c[5];

	snprintf(buf, len, "unknown type; want a number, or one of");
	c[4] = '\0';
	for (i = 0; tag_known(i, &type) != NULL; i++) {
		tag_chars(type, c);
		append(buf, len, " ");
		append(buf, len, c);
	}
	append(buf, len, " or its ktstr name (wprofck(1)), in any case");
}

/* Appends "; in PATH" when the deep walk named the fields around. */
static void
in_path(const struct wperr *e, char *buf, size_t len)
{
	size_t n = strlen(buf);

	if (e->path[0] != '\0' && n < len)
		snprintf(buf + n, len - n, "; in %s", e->path);
}

#define ULL(x)	((unsigned long long)(x))

/* What a broken rule of Perfetto's importer is about (WPE_IMPORT). */
static void
import_what(const struct wperr *e, char *buf, size_t len)
{
	switch (e->rule) {
	case SEM_TE_NO_SEQUENCE:
		snprintf(buf, len, "a TrackEvent without "
		    "trusted_packet_sequence_id is dropped");
		break;
	case SEM_TE_NO_TIMESTAMP:
		snprintf(buf, len, "a TrackEvent without a timestamp is "
		    "dropped");
		break;
	case SEM_INTERNED_NO_SEQUENCE:
		snprintf(buf, len, "interned_data without "
		    "trusted_packet_sequence_id is ignored");
		break;
	case SEM_CLEARED_NO_SEQUENCE:
		snprintf(buf, len, "SEQ_INCREMENTAL_STATE_CLEARED without "
		    "trusted_packet_sequence_id applies to no sequence");
		break;
	case SEM_TE_NEGATIVE_TS:
		snprintf(buf, len, "a TrackEvent at timestamp %llu, negative "
		    "as int64, is dropped", ULL(e->rule_value));
		break;
	case SEM_NEGATIVE_TS:
		snprintf(buf, len, "timestamp %llu, negative as int64: the "
		    "packet is dropped", ULL(e->rule_value));
		break;
	case SEM_TD_NO_UUID:
		snprintf(buf, len, "a TrackDescriptor without uuid is "
		    "dropped");
		break;
	case SEM_TD_THREAD_NO_IDS:
		snprintf(buf, len, "track uuid %llu describes a thread "
		    "without pid or tid: the track is dropped",
		    ULL(e->rule_id));
		break;
	case SEM_TD_PROCESS_NO_PID:
		snprintf(buf, len, "track uuid %llu describes a process "
		    "without pid: the track is dropped", ULL(e->rule_id));
		break;
	case SEM_TD_CONFLICT:
		snprintf(buf, len, "track uuid %llu is described again with "
		    "another parent, kind, pid or tid (%llu, first %llu)",
		    ULL(e->rule_id), ULL(e->rule_value), ULL(e->rule_other));
		break;
	case SEM_TRACK_LOOP:
		snprintf(buf, len, "the parent chain of track uuid %llu comes "
		    "back to uuid %llu: its events are dropped",
		    ULL(e->rule_id), ULL(e->rule_value));
		break;
	case SEM_TRACK_TOO_DEEP:
		snprintf(buf, len, "the parent chain of track uuid %llu is "
		    "100 tracks deep or more: its events are dropped",
		    ULL(e->rule_id));
		break;
	case SEM_TRACK_NO_PARENT:
		snprintf(buf, len, "track uuid %llu has ancestor uuid %llu, "
		    "which no TrackDescriptor describes: its events are "
		    "dropped", ULL(e->rule_id), ULL(e->rule_value));
		break;
	case SEM_CLOCK_DUPLICATE:
		snprintf(buf, len, "clock %llu is listed twice in one "
		    "ClockSnapshot (%llu and %llu): the snapshot is rejected",
		    ULL(e->rule_id), ULL(e->rule_other), ULL(e->rule_value));
		break;
	case SEM_CLOCK_BACKWARDS:
		snprintf(buf, len, "the trace clock %llu goes backwards from "
		    "%llu to %llu between snapshots: the snapshot is rejected",
		    ULL(e->rule_id), ULL(e->rule_other), ULL(e->rule_value));
		break;
	case SEM_FTRACE_NO_CPU:
		snprintf(buf, len, "an ftrace event bundle without cpu is "
		    "dropped");
		break;
	case SEM_FTRACE_CPU_RANGE:
		snprintf(buf, len, "an ftrace event bundle of cpu %llu (1023 "
		    "at most): the whole load fails", ULL(e->rule_id));
		break;
	case SEM_FTRACE_LOST:
		snprintf(buf, len, "the ftrace event bundle of cpu %llu says "
		    "the kernel lost events", ULL(e->rule_id));
		break;
	case SEM_COMPACT_LENGTH:
		snprintf(buf, len, "compact_sched field %llu holds %llu "
		    "values where its first array holds %llu: the bundle's "
		    "scheduling events are dropped", ULL(e->rule_id),
		    ULL(e->rule_value), ULL(e->rule_other));
		break;
	case SEM_COMPACT_COMM:
		snprintf(buf, len, "compact_sched comm index %llu is past its "
		    "intern table of %llu", ULL(e->rule_value),
		    ULL(e->rule_other));
		break;
	case SEM_PREV_STATE:
		snprintf(buf, len, "compact_sched prev_state 0x%llx has a bit "
		    "of 0xfe00, which no kernel from 4.14 sets",
		    ULL(e->rule_value));
		break;
	case SEM_SLICE_TOO_DEEP:
		snprintf(buf, len, "a slice or instant on track %llu with %llu "
		    "slices open there: Perfetto drops what opens %llu deep",
		    ULL(e->rule_id), ULL(e->rule_value), ULL(e->rule_other));
		break;
	default:
		snprintf(buf, len, "rule %u", e->rule);
		break;
	}
}

const char *
wperr_str(const struct wperr *e, char *buf, size_t len)
{
	char stop[128], tn[TAG_NAME_MAX];

	switch (e->code) {
	case WPE_OK:
		snprintf(buf, len, "no error");
		break;
	case WPE_TORN:
		snprintf(buf, len, "torn trace: %s frame %llu at offset %llu "
		    "failed its CRC (stored 0x%08llx, computed 0x%08llx)",
		    tag_type_name(e->type, tn), (unsigned long long)e->index,
		    (unsigned long long)e->off, (unsigned long long)e->crc,
		    (unsigned long long)e->crc_calc);
		break;
	case WPE_NO_TERMINAL:
		snprintf(buf, len, "no trace: no %s frame (%s; %llu complete "
		    "frame%s in %llu bytes, %llu chunk%s, %llu trace bytes)",
		    tag_type_name(e->type, tn),
		    frame_stop_str(&e->stop, stop, sizeof(stop)),
		    (unsigned long long)e->stop.frames,
		    e->stop.frames == 1 ? "" : "s",
		    (unsigned long long)e->stop.bytes,
		    (unsigned long long)e->chunks, e->chunks == 1 ? "" : "s",
		    (unsigned long long)e->bytes);
		break;
	case WPE_EMPTY:
		snprintf(buf, len, "no trace: empty trace (%s frame %llu at "
		    "offset %llu, no chunks)", tag_type_name(e->type, tn),
		    (unsigned long long)e->index, (unsigned long long)e->off);
		break;
	case WPE_MISSING:
		snprintf(buf, len, "missing: no such file");
		break;
	case WPE_NO_ARTIFACTS:
		snprintf(buf, len, "no artifacts: no *.wprof.pb file under this "
		    "directory");
		break;
	case WPE_TOO_SMALL:
		snprintf(buf, len, "too small: %llu bytes, the minimum is %llu",
		    (unsigned long long)e->size, (unsigned long long)e->min);
		break;
	case WPE_BAD_LEADING_BYTE:
		snprintf(buf, len, "bad leading byte 0x%02x", e->byte);
		break;
	case WPE_EMPTY_FILE:
		snprintf(buf, len, "bad leading byte: the file is empty");
		break;
	case WPE_TRUNCATED:
		snprintf(buf, len, "truncated: packet %llu at offset %llu "
		    "claims %llu bytes, %llu are there, %llu missing",
		    (unsigned long long)e->index, (unsigned long long)e->off,
		    (unsigned long long)e->claimed,
		    (unsigned long long)e->present,
		    (unsigned long long)(e->claimed - e->present));
		break;
	case WPE_TRUNCATED_LENGTH:
		snprintf(buf, len, "truncated: the file ends inside the length "
		    "of packet %llu at offset %llu",
		    (unsigned long long)e->index, (unsigned long long)e->off);
		break;
	case WPE_TRAILING_BYTES:
		if (e->trailing > 0)
			snprintf(buf, len, "trailing bytes: %llu byte%s at "
			    "offset %llu, after %llu packet%s, %s not a packet: "
			    "%s", (unsigned long long)e->trailing,
			    e->trailing == 1 ? "" : "s",
			    (unsigned long long)e->off,
			    (unsigned long long)e->index,
			    e->index == 1 ? "" : "s",
			    e->trailing == 1 ? "is" : "are", e->what);
		else
			snprintf(buf, len, "trailing bytes at offset %llu, "
			    "after %llu packet%s, are not a packet: %s",
			    (unsigned long long)e->off,
			    (unsigned long long)e->index,
			    e->index == 1 ? "" : "s", e->what);
		break;
	case WPE_NOT_A_TRACE:
		snprintf(buf, len, "not a trace: top-level field %u, wire type "
		    "%u, at offset %llu where packet %llu should start", e->field,
		    e->wiretype, (unsigned long long)e->off,
		    (unsigned long long)e->index);
		break;
	case WPE_MALFORMED_PACKET:
		if (e->field != 0)
			snprintf(buf, len, "malformed packet %llu: field %u, "
			    "wire type %u, at offset %llu: %s",
			    (unsigned long long)e->index, e->field,
			    e->wiretype, (unsigned long long)e->off, e->what);
		else
			snprintf(buf, len, "malformed packet %llu: at offset "
			    "%llu: %s", (unsigned long long)e->index,
			    (unsigned long long)e->off, e->what);
		in_path(e, buf, len);
		break;
	case WPE_MALFORMED_LENGTH:
		snprintf(buf, len, "malformed packet %llu: field %u, wire type "
		    "%u, at offset %llu: %s (%llu bytes, %llu left)",
		    (unsigned long long)e->index, e->field, e->wiretype,
		    (unsigned long long)e->off, e->what,
		    (unsigned long long)e->len, (unsigned long long)e->left);
		in_path(e, buf, len);
		break;
	case WPE_BAD_VARINT:
		if (e->field != 0)
			snprintf(buf, len, "bad varint: field %u of packet %llu "
			    "at offset %llu: %s", e->field,
			    (unsigned long long)e->index,
			    (unsigned long long)e->off, e->what);
		else
			snprintf(buf, len, "bad varint: packet %llu at offset "
			    "%llu: %s", (unsigned long long)e->index,
			    (unsigned long long)e->off, e->what);
		in_path(e, buf, len);
		break;
	case WPE_MISSING_INTERNED:
		snprintf(buf, len, "missing interned data: %s %llu of sequence "
		    "%llu, %s packet %llu at offset %llu, is defined "
		    "in no interned_data of that sequence (%llu id%s missing "
		    "in all); %s", pbref_kind_name(e->refkind),
		    (unsigned long long)e->refid, (unsigned long long)e->refseq,
		    e->what != NULL ? e->what : "first used by",
		    (unsigned long long)e->index, (unsigned long long)e->off,
		    (unsigned long long)e->refmissing,
		    e->refmissing == 1 ? "" : "s",
		    pbref_kind_stack(e->refkind) ? "wprof most likely stopped "
		    "before it wrote its final stack packet, or the file was "
		    "cut at a packet boundary" : "the packet that defines it "
		    "was lost: the file was cut at a packet boundary or "
		    "packets were dropped");
		break;
	case WPE_MISSING_TRACK:
		snprintf(buf, len, "missing track: track uuid %llu, first used "
		    "by packet %llu at offset %llu, is described by no "
		    "TrackDescriptor (%llu uuid%s missing in all); the packet "
		    "that describes it was lost: the file was cut at a packet "
		    "boundary or packets were dropped",
		    (unsigned long long)e->refid, (unsigned long long)e->index,
		    (unsigned long long)e->off,
		    (unsigned long long)e->refmissing,
		    e->refmissing == 1 ? "" : "s");
		break;
	case WPE_IMPORT: {
		char what[256], more[64] = "";

		import_what(e, what, sizeof(what));
		if (e->rule_count > 1)
			snprintf(more, sizeof(more), "; %llu importer rules "
			    "broken in all", ULL(e->rule_count));
		snprintf(buf, len, "perfetto import: packet %llu at offset "
		    "%llu: %s (trace_processor v58.2: %s)%s",
		    ULL(e->index), ULL(e->off), what,
		    sem_reason_stat((enum sem_reason)e->rule), more);
		break;
	}
	case WPE_BAD_TAG:
		snprintf(buf, len, "%s", e->what);
		break;
	case WPE_BAD_TAG_NAME:
		known_names(buf, len);
		break;
	case WPE_BAD_SIZE:
		snprintf(buf, len, "not a size (bytes, or a number with K, M "
		    "or G)");
		break;
	case WPE_SIZE_RANGE:
		snprintf(buf, len, "out of range (%llu to %llu bytes)",
		    (unsigned long long)e->min, (unsigned long long)e->max);
		break;
	case WPE_SYS:
		snprintf(buf, len, "%s%s%s", e->what ? e->what : "",
		    e->what ? ": " : "", strerror(e->errnum));
		break;
	case WPE_SAME_FILE:
		snprintf(buf, len, "is the input; refusing to overwrite it");
		break;
	case WPE_CHANGED:
		snprintf(buf, len, "the file changed while it was read: %llu "
		    "bytes when opened, it ended at offset %llu",
		    (unsigned long long)e->size, (unsigned long long)e->off);
		break;
	case WPE_GREW:
		snprintf(buf, len, "the file changed while it was read: %llu "
		    "bytes when opened, more followed",
		    (unsigned long long)e->size);
		break;
	case WPE_REWRITTEN:
		snprintf(buf, len, "the file changed while it was read: it was "
		    "written to while it was read: the same size, a new "
		    "modification or change time");
		break;
	case WPE_SPOOL: {
		const char *dir = getenv("TMPDIR");
		int set = dir != NULL && *dir != '\0';

		snprintf(buf, len, "cannot hold the output until the verdict "
		    "in %s%s: %s%s%s",
		    set ? "TMPDIR=" : "", set ? dir : "/tmp (TMPDIR is unset)",
		    e->what ? e->what : "", e->what ? ": " : "",
		    strerror(e->errnum));
		break;
	}
	case WPE_NO_DIR:
		snprintf(buf, len, "the output directory does not exist "
		    "(%s)", strerror(e->errnum));
		break;
	}
	return buf;
}

int
wperr_changed(const struct wperr *e)
{
	return e->code == WPE_CHANGED || e->code == WPE_GREW ||
	    e->code == WPE_REWRITTEN;
}
