#include <stddef.h>

#include "hint.h"
#include "../lib/err.h"

/*
 * What a verdict of check most likely means and what to do about it: said
 * once per reason under a list of artifacts, so it is not in wperr_str().
 * It is cmd/'s: it speaks of commands and exit statuses.
 */
const char *
hint_of(const struct wperr *e)
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
		    "writing, or the copy was cut short; the whole packets "
		    "before the cut can be kept with wprofck salvage";
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
