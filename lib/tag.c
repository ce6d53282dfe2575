#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <vis.h>

#include "err.h"
#include "size.h"
#include "tag.h"

/* text: the payloads are text a terminal may show. */
static const struct tag {
	const char *name;
	uint32_t type;
	int text;
} tags[] = {
	{ "WprofTrace", 0x57505246, 0 },
	{ "WprofTraceChunk", 0x57505243, 0 },
	{ "Stimulus", 0x5354494D, 0 },
	{ "StepEnd", 0x5354454E, 0 },
	{ "ScenarioStart", 0x53435354, 0 },
	{ "ScenarioPause", 0x53435050, 0 },
	{ "ScenarioResume", 0x53435252, 0 },
	{ "ScenarioEnd", 0x5343454E, 0 },
	{ "Exit", 0x45584954, 0 },
	{ "TestResult", 0x54455354, 0 },
	{ "SchedExit", 0x53434458, 0 },
	{ "Crash", 0x43525348, 1 },
	{ "PayloadMetrics", 0x504D4554, 0 },
	{ "RawPayloadOutput", 0x5241574F, 0 },
	{ "Profraw", 0x50524157, 0 },
	{ "SnapshotRequest", 0x534E5251, 0 },
	{ "SnapshotReply", 0x534E5250, 0 },
	{ "SysRdy", 0x53524459, 0 },
	{ "Stdout", 0x534F5554, 1 },
	{ "Stderr", 0x53455252, 1 },
	{ "SchedLog", 0x53434C47, 1 },
	{ "Lifecycle", 0x4C494645, 1 },
	{ "KernAddrs", 0x4B414452, 0 },
	{ "ExecExit", 0x45584358, 0 },
	{ "Dmesg", 0x444D5347, 1 },
	{ "ProbeOutput", 0x50524F42, 1 },
	{ "SchedSwapNotify", 0x53435357, 0 },
	{ "KernelOpRequest", 0x4B4F5251, 0 },
	{ "KernelOpReply", 0x4B4F5250, 0 },
};

#define NTAGS (sizeof(tags) / sizeof(tags[0]))

const char *
tag_name(uint32_t type)
{
	size_t i;

	for (i = 0; i < NTAGS; i++)
		if (tags[i].type == type)
			return tags[i].name;
	return NULL;
}

/* 1 for a known type whose payloads are text: output, logs, reports. */
int
tag_is_text(uint32_t type)
{
	size_t i;

	for (i = 0; i < NTAGS; i++)
		if (tags[i].type == type)
			return tags[i].text;
	return 0;
}

void
tag_chars(uint32_t type, char out[4])
{
	out[0] = (char)(type >> 24);
	out[1] = (char)(type >> 16);
	out[2] = (char)(type >> 8);
	out[3] = (char)type;
}

/* The four characters with vis(3) C-style escapes for unprintable bytes. */
void
tag_vis(uint32_t type, char *out)
{
	char c[4];

	tag_chars(type, c);
	strvisx(out, c, sizeof(c), VIS_CSTYLE | VIS_OCTAL | VIS_WHITE);
}

const char *
tag_type_name(uint32_t type, char buf[TAG_NAME_MAX])
{
	const char *name;

	if ((name = tag_name(type)) != NULL)
		return name;
	tag_vis(type, buf);
	return buf;
}

/* The known type whose four characters are s in any case, else 0. */
static uint32_t
tag_known_chars(const char *s)
{
	char c[4];
	size_t i;

	for (i = 0; i < NTAGS; i++) {
		tag_chars(tags[i].type, c);
		if (strncasecmp(s, c, 4) == 0)
			return tags[i].type;
	}
	return 0;
}

/*
 * A tag is a number when it starts with a digit, otherwise exactly four
 * printable ASCII characters, read as the hex value they spell. The
 * characters of a known type match in any case (sout is SOUT); others
 * are taken as they are, since a drain may carry any type.
 */
int
tag_parse(const char *s, uint32_t *type, struct wperr *e)
{
	uint64_t v;
	size_t i;
	int n;

	memset(e, 0, sizeof(*e));
	e->code = WPE_BAD_TAG;
	if (isdigit((unsigned char)s[0])) {
		n = size_number(s, &v);
		if (n < 0 || s[n] != '\0') {
			e->what = "not a number";
			return -1;
		}
		if (v > UINT32_MAX) {
			e->what = "over 0xffffffff";
			return -1;
		}
		*type = (uint32_t)v;
		return 0;
	}
	if (strlen(s) != 4) {
		e->what = "not four characters or a number";
		return -1;
	}
	for (i = 0; i < 4; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e) {
			e->what = "not printable ASCII";
			return -1;
		}
	}
	if ((*type = tag_known_chars(s)) != 0)
		return 0;
	*type = (uint32_t)(unsigned char)s[0] << 24 |
	    (uint32_t)(unsigned char)s[1] << 16 |
	    (uint32_t)(unsigned char)s[2] << 8 | (unsigned char)s[3];
	return 0;
}

/*
 * As tag_parse(), and also accepts a ktstr name in any case. What is
 * neither a number nor four characters is an unknown name.
 */
int
tag_parse_name(const char *s, uint32_t *type, struct wperr *e)
{
	size_t i;

	for (i = 0; i < NTAGS; i++) {
		if (strcasecmp(s, tags[i].name) == 0) {
			*type = tags[i].type;
			return 0;
		}
	}
	if (tag_parse(s, type, e) == -1) {
		if (!isdigit((unsigned char)s[0]))
			e->code = WPE_BAD_TAG_NAME;
		return -1;
	}
	return 0;
}

/* The i-th known type and its name, for listing them; NULL past the end. */
const char *
tag_known(size_t i, uint32_t *type)
{
	if (i >= NTAGS)
		return NULL;
	*type = tags[i].type;
	return tags[i].name;
}
