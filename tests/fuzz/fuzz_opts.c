/*
 * The option parsers on arbitrary text, against a naive reading of what
 * they accept: a tag is a whole number up to 2^32-1 or four printable
 * characters (tag_parse_name also takes a ktstr name in any case); a size
 * is a whole number with an optional K, M or G, within [min, max]; a
 * sidecar name is {test}-{16 hex digits}[.repro].wprof.pb, and what
 * sidecar_parse() takes from it puts the name back together.
 * Input: mode byte, min (8), max (8), then the text.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "../../lib/err.h"
#include "../../lib/sidecar.h"
#include "../../lib/size.h"
#include "../../lib/tag.h"

#define PREFIX	17

/* The names of spec section 1, typed in again from the table there. */
static const struct {
	uint32_t type;
	const char *name;
} names[] = {
	{ 0x57505246, "WprofTrace" }, { 0x57505243, "WprofTraceChunk" },
	{ 0x5354494D, "Stimulus" }, { 0x5354454E, "StepEnd" },
	{ 0x53435354, "ScenarioStart" }, { 0x53435050, "ScenarioPause" },
	{ 0x53435252, "ScenarioResume" }, { 0x5343454E, "ScenarioEnd" },
	{ 0x45584954, "Exit" }, { 0x54455354, "TestResult" },
	{ 0x53434458, "SchedExit" }, { 0x43525348, "Crash" },
	{ 0x504D4554, "PayloadMetrics" }, { 0x5241574F, "RawPayloadOutput" },
	{ 0x50524157, "Profraw" }, { 0x534E5251, "SnapshotRequest" },
	{ 0x534E5250, "SnapshotReply" }, { 0x53524459, "SysRdy" },
	{ 0x534F5554, "Stdout" }, { 0x53455252, "Stderr" },
	{ 0x53434C47, "SchedLog" }, { 0x4C494645, "Lifecycle" },
	{ 0x4B414452, "KernAddrs" }, { 0x45584358, "ExecExit" },
	{ 0x444D5347, "Dmesg" }, { 0x50524F42, "ProbeOutput" },
};

static uint64_t
u64_at(const uint8_t *in, size_t len, size_t off)
{
	return (uint64_t)fuzz_u32(in, len, off) |
	    (uint64_t)fuzz_u32(in, len, off + 4) << 32;
}

static int
digit(int c, unsigned base)
{
	int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return (unsigned)d < base ? d : -1;
}

/*
 * The longest number at the start of s, as C reads 0x hex, 0 octal and
 * decimal: -1 when s does not start with a digit or the number overflows.
 */
static int
naive_num(const char *s, uint64_t *v, size_t *used)
{
	unsigned base = 10;
	size_t i = 0;
	int d, over = 0;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    digit((unsigned char)s[2], 16) >= 0) {
		base = 16;
		i = 2;
	} else if (s[0] == '0')
		base = 8;
	*v = 0;
	for (; (d = digit((unsigned char)s[i], base)) >= 0; i++) {
		if (*v > (UINT64_MAX - (uint64_t)d) / base)
			over = 1;
		else
			*v = *v * base + (uint64_t)d;
	}
	*used = i;
	return over ? -1 : 0;
}

static int
naive_tag(const char *s, uint32_t *type)
{
	uint64_t v;
	size_t i, used;

	if (s[0] >= '0' && s[0] <= '9') {
		if (naive_num(s, &v, &used) == -1 || s[used] != '\0' ||
		    v > UINT32_MAX)
			return -1;
		*type = (uint32_t)v;
		return 0;
	}
	if (strlen(s) != 4)
		return -1;
	*type = 0;
	for (i = 0; i < 4; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return -1;
		*type = *type << 8 | (unsigned char)s[i];
	}
	/* The four letters of a known type match in any case. */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (((names[i].type >> 24 ^ (unsigned char)s[0]) & 0xdf) == 0 &&
		    ((names[i].type >> 16 ^ (unsigned char)s[1]) & 0xdf) == 0 &&
		    ((names[i].type >> 8 ^ (unsigned char)s[2]) & 0xdf) == 0 &&
		    ((names[i].type ^ (unsigned char)s[3]) & 0xdf) == 0) {
			*type = names[i].type;
			break;
		}
	}
	return 0;
}

static int
naive_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v, mult;
	size_t used;

	if (naive_num(s, &v, &used) == -1)
		return -1;
	switch (s[used]) {
	case '\0':
		mult = 1;
		break;
	case 'k':
	case 'K':
		mult = 1024;
		break;
	case 'm':
	case 'M':
		mult = (uint64_t)1 << 20;
		break;
	case 'g':
	case 'G':
		mult = (uint64_t)1 << 30;
		break;
	default:
		return -1;
	}
	if (mult != 1 && s[used + 1] != '\0')
		return -1;
	if (v != 0 && UINT64_MAX / v < mult)
		return -1;
	v *= mult;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
naive_sidecar(const char *s)
{
	static const char suffix[] = ".wprof.pb", repro[] = ".repro";
	size_t n = strlen(s), i;

	if (n <= strlen(suffix) || strcmp(s + n - strlen(suffix), suffix) != 0)
		return 0;
	n -= strlen(suffix);
	if (n >= strlen(repro) && memcmp(s + n - strlen(repro), repro,
	    strlen(repro)) == 0)
		n -= strlen(repro);
	/* test, a dash and 16 lowercase hex digits */
	if (n < 18 || n - 17 > SIDECAR_NAME_MAX || s[n - 17] != '-')
		return 0;
	for (i = n - 16; i < n; i++)
		if (strchr("0123456789abcdef", s[i]) == NULL)
			return 0;
	return 1;
}

static void
sidecar(const char *s)
{
	struct sidecar sc;
	size_t n = strlen(s);
	char *back;
	int ok;

	CHECK(sidecar_match(s) == (n > 9 && strcmp(s + n - 9,
	    ".wprof.pb") == 0));
	ok = sidecar_parse(s, &sc);
	CHECK(ok == naive_sidecar(s));
	if (!ok)
		return;
	CHECK(sc.test[0] != '\0');
	CHECK(strlen(sc.variant) == 16);
	if ((back = malloc(n + 1)) == NULL)
		abort();
	CHECK(snprintf(back, n + 1, "%s-%s%s.wprof.pb", sc.test, sc.variant,
	    sc.repro ? ".repro" : "") == (int)n);
	CHECK(strcmp(back, s) == 0);
	free(back);
}

static void
failed(const struct wperr *e, enum wperr_code code)
{
	CHECK(e->code == code);
	CHECK(code != WPE_BAD_TAG || e->what != NULL);
	check_wording(e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	struct wperr e;
	uint64_t min, max, v, nv;
	uint32_t t, nt;
	size_t i;
	char *s, c[4];
	int ok, nok;

	if (len < PREFIX)
		return 0;
	switch (in[0] & 3) {
	case 0:
		min = 0;
		max = UINT64_MAX;
		break;
	case 1:
		min = 1;
		max = UINT32_MAX;
		break;
	case 2:
		min = u64_at(in, len, 1);
		max = u64_at(in, len, 9);
		break;
	default:
		min = u64_at(in, len, 1) & 0xffffffff;
		max = UINT64_MAX;
		break;
	}
	if ((s = malloc(len - PREFIX + 1)) == NULL)
		abort();
	memcpy(s, in + PREFIX, len - PREFIX);
	s[len - PREFIX] = '\0';

	ok = tag_parse(s, &t, &e) == 0;
	nok = naive_tag(s, &nt) == 0;
	CHECK(ok == nok);
	if (ok) {
		CHECK(t == nt);
		if (!isdigit((unsigned char)s[0])) {
			tag_chars(t, c);
			CHECK(strncasecmp(c, s, 4) == 0);
		}
	} else
		failed(&e, WPE_BAD_TAG);

	nok = -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(s, names[i].name) == 0) {
			nok = 0;
			nt = names[i].type;
			break;
		}
	}
	if (nok == -1)
		nok = naive_tag(s, &nt);
	ok = tag_parse_name(s, &t, &e) == 0;
	CHECK(ok == (nok == 0));
	if (ok) {
		CHECK(t == nt);
		CHECK(tag_name(t) == NULL || i == sizeof(names) /
		    sizeof(names[0]) || strcmp(tag_name(t), names[i].name) == 0);
	} else if (isdigit((unsigned char)s[0]))
		failed(&e, WPE_BAD_TAG);
	else
		failed(&e, WPE_BAD_TAG_NAME);

	ok = size_parse(s, min, max, &v, &e) == 0;
	nok = naive_size(s, min, max, &nv) == 0;
	CHECK(ok == nok);
	if (ok) {
		CHECK(v == nv);
		CHECK(v >= min && v <= max);
	} else
		failed(&e, e.code == WPE_SIZE_RANGE ? WPE_SIZE_RANGE :
		    WPE_BAD_SIZE);

	sidecar(s);
	free(s);
	return 0;
}
