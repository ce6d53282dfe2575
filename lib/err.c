#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "frame.h"
#include "pbref.h"
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
		    "failed its CRC (want 0x%08llx, got 0x%08llx)",
		    tag_type_name(e->type, tn), (unsigned long long)e->index,
		    (unsigned long long)e->off, (unsigned long long)e->want,
		    (unsigned long long)e->got);
		break;
	case WPE_NO_TERMINAL:
		snprintf(buf, len, "no trace: no %s frame (%s; %llu complete "
		    "frame%s in %llu bytes, %llu chunk%s, %llu trace bytes)",
		    tag_type_name(e->type, tn),
		    frame_stop_str(&e->stop, stop, sizeof(stop)),
		    (unsigned long long)e->stop.frames,
		    e->stop.frames == 1 ? "" : "s",
		    (unsigned long long)e->stop.bytes,
		    (unsigned long long)e->index, e->index == 1 ? "" : "s",
		    (unsigned long long)e->size);
		break;
	case WPE_EMPTY:
		snprintf(buf, len, "no trace: empty trace (%s frame %llu at "
		    "offset %llu, no chunks)", tag_type_name(e->type, tn),
		    (unsigned long long)e->index, (unsigned long long)e->off);
		break;
	case WPE_MISSING:
		snprintf(buf, len, "missing: %s",
		    e->what ? e->what : "no such file");
		break;
	case WPE_NO_ARTIFACTS:
		snprintf(buf, len, "no artifacts: no *.wprof.pb file under this "
		    "directory");
		break;
	case WPE_TOO_SMALL:
		snprintf(buf, len, "too small: %llu bytes, the minimum is %llu",
		    (unsigned long long)e->size, (unsigned long long)e->want);
		break;
	case WPE_BAD_LEADING_BYTE:
		if (e->what)
			snprintf(buf, len, "bad leading byte: %s", e->what);
		else
			snprintf(buf, len, "bad leading byte 0x%02llx",
			    (unsigned long long)e->got);
		break;
	case WPE_TRUNCATED:
		if (e->what)
			snprintf(buf, len, "truncated: %s of packet %llu at "
			    "offset %llu", e->what, (unsigned long long)e->index,
			    (unsigned long long)e->off);
		else
			snprintf(buf, len, "truncated: packet %llu at offset "
			    "%llu claims %llu bytes, %llu are there, %llu "
			    "missing", (unsigned long long)e->index,
			    (unsigned long long)e->off,
			    (unsigned long long)e->want,
			    (unsigned long long)e->got,
			    (unsigned long long)(e->want - e->got));
		break;
	case WPE_TRAILING_BYTES:
		if (e->got > 0)
			snprintf(buf, len, "trailing bytes: %llu byte%s at "
			    "offset %llu, after %llu packet%s, %s not a packet: "
			    "%s", (unsigned long long)e->got,
			    e->got == 1 ? "" : "s", (unsigned long long)e->off,
			    (unsigned long long)e->index,
			    e->index == 1 ? "" : "s", e->got == 1 ? "is" : "are",
			    e->what);
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
		if (e->want > 0)
			snprintf(buf, len, "malformed packet %llu: field %u, "
			    "wire type %u, at offset %llu: %s (%llu bytes, "
			    "%llu left)", (unsigned long long)e->index,
			    e->field, e->wiretype, (unsigned long long)e->off,
			    e->what, (unsigned long long)e->want,
			    (unsigned long long)e->got);
		else if (e->field != 0)
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
	case WPE_BAD_TAG:
		snprintf(buf, len, "%s", e->what);
		break;
	case WPE_BAD_TAG_NAME:
		known_names(buf, len);
		break;
	case WPE_BAD_SIZE:
		if (e->what != NULL && strcmp(e->what, "out of range") == 0)
			snprintf(buf, len, "out of range (%llu to %llu bytes)",
			    (unsigned long long)e->want,
			    (unsigned long long)e->got);
		else
			snprintf(buf, len, "%s (bytes, or a number with K, M "
			    "or G)", e->what);
		break;
	case WPE_SYS:
		snprintf(buf, len, "%s%s%s", e->what ? e->what : "",
		    e->what ? ": " : "", strerror(e->errnum));
		break;
	case WPE_SAME_FILE:
		snprintf(buf, len, "is the input; refusing to overwrite it");
		break;
	case WPE_CHANGED:
		if (e->what != NULL)
			snprintf(buf, len, "the file changed while it was "
			    "read: %s", e->what);
		else if (e->got)
			snprintf(buf, len, "the file changed while it was "
			    "read: %llu bytes when opened, more followed",
			    (unsigned long long)e->size);
		else
			snprintf(buf, len, "the file changed while it was "
			    "read: %llu bytes when opened, it ended at offset "
			    "%llu", (unsigned long long)e->size,
			    (unsigned long long)e->off);
		break;
	case WPE_SPOOL: {
		const char *dir = getenv("TMPDIR");
		int set = dir != NULL && *dir != '\0';

		snprintf(buf, len, "cannot hold the output until the verdict "
		    "in %s%s: %s%s%s; write it to a file with -o instead",
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

/*
 * What a verdict of check most likely means and what to do about it: said
 * once per reason under a list of artifacts, so it is not in wperr_str().
 */
const char *
wperr_hint(const struct wperr *e)
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
		return "a trace starts with 0x0a, field 1 (packet) with wire "
		    "type 2; this file holds something else";
	case WPE_NOT_A_TRACE:
		return "a trace holds only field 1 with wire type 2 at its top "
		    "level; the file is not a trace, or two files were joined";
	case WPE_TRUNCATED:
		return "the file ends inside a packet: wprof was stopped while "
		    "writing, or the copy was cut short; the whole packets "
		    "before the cut can be kept with wprofck salvage";
	case WPE_TRAILING_BYTES:
		return "bytes after the last whole packet are not a packet: "
		    "something was appended to the trace, or it was grown with "
		    "zeros";
	case WPE_MALFORMED_PACKET:
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
	case WPE_CHANGED:
		return "the file shrank or grew while it was read (exit status "
		    "2): something still writes it; check it again when that "
		    "is done";
	case WPE_SYS:
		return "the file could not be read (exit status 2): fix the "
		    "permissions or the path and check again";
	default:
		return NULL;
	}
}
