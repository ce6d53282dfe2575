#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <vis.h>

#include "cmds.h"
#include "junit.h"

#define RESERVE_STEP	64	/* outfile_reserve()'s largest piece */

uint64_t
junit_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

static void
grow(struct junit *j, size_t more)
{
	size_t cap;
	char *p;

	if (j->cap - j->len > more)
		return;
	cap = j->cap == 0 ? 1024 : j->cap;
	while (cap - j->len <= more) {
		if (cap > SIZE_MAX / 2)
			errx(EXIT_TROUBLE, "junit: element too large");
		cap *= 2;
	}
	if ((p = realloc(j->buf, cap)) == NULL)
		err(EXIT_TROUBLE, NULL);
	j->buf = p;
	j->cap = cap;
}

static void __attribute__((format(printf, 2, 3)))
put(struct junit *j, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		errx(EXIT_TROUBLE, "junit: vsnprintf failed");
	grow(j, (size_t)n + 1);
	va_start(ap, fmt);
	(void)vsnprintf(j->buf + j->len, j->cap - j->len, fmt, ap);
	va_end(ap);
	j->len += (size_t)n;
}

/*
 * s escaped twice: vis(3) first, which leaves printable ASCII only (a tab
 * and a newline kept in text, escaped in an attribute, where a parser
 * would turn them into spaces), then the five characters XML reserves.
 */
static void
put_escaped(struct junit *j, const char *s, int attr)
{
	const char *v;
	char *vis;
	size_t n = strlen(s);

	if (n > (SIZE_MAX - 1) / 4 || (vis = malloc(4 * n + 1)) == NULL)
		err(EXIT_TROUBLE, NULL);
	strvis(vis, s, VIS_CSTYLE | VIS_OCTAL |
	    (attr ? VIS_TAB | VIS_NL : 0));
	/* Each character grows to six bytes at most ("&quot;"). */
	grow(j, 6 * strlen(vis) + 1);
	for (v = vis; *v != '\0'; v++) {
		switch (*v) {
		case '&':
			memcpy(j->buf + j->len, "&amp;", 5);
			j->len += 5;
			break;
		case '<':
			memcpy(j->buf + j->len, "&lt;", 4);
			j->len += 4;
			break;
		case '>':
			memcpy(j->buf + j->len, "&gt;", 4);
			j->len += 4;
			break;
		case '"':
			memcpy(j->buf + j->len, "&quot;", 6);
			j->len += 6;
			break;
		case '\'':
			memcpy(j->buf + j->len, "&apos;", 6);
			j->len += 6;
			break;
		default:
			j->buf[j->len++] = *v;
			break;
		}
	}
	j->buf[j->len] = '\0';
	free(vis);
}

static void
put_attr(struct junit *j, const char *name, const char *value)
{
	put(j, " %s=\"", name);
	put_escaped(j, value, 1);
	put(j, "\"");
}

/* What is built goes out; after a failure nothing does. */
static void
flush(struct junit *j)
{
	if (!j->failed && j->len > 0 &&
	    outfile_write(&j->of, j->buf, j->len, &j->err) == -1)
		j->failed = 1;
	j->len = 0;
}

static void
seconds(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%" PRIu64 ".%06" PRIu64, ns / 1000000000,
	    ns / 1000 % 1000000);
}

/*
 * The two opening tags with their counts. The counts are padded out to
 * headlen with spaces before the last '>', where XML allows them, so that
 * the values themselves stay plain numbers.
 */
static void
put_header(struct junit *j, uint64_t tests, uint64_t failures,
    uint64_t errors, uint64_t ns)
{
	char t[48];

	seconds(t, sizeof(t), ns);
	put(j, "<testsuites name=\"wprofck\" tests=\"%" PRIu64 "\" "
	    "failures=\"%" PRIu64 "\" errors=\"%" PRIu64 "\" skipped=\"0\" "
	    "time=\"%s\">\n", tests, failures, errors, t);
	put(j, "<testsuite");
	put_attr(j, "name", j->suite);
	put(j, " id=\"0\" package=\"wprofck\" tests=\"%" PRIu64 "\" "
	    "failures=\"%" PRIu64 "\" errors=\"%" PRIu64 "\" skipped=\"0\" "
	    "time=\"%s\" timestamp=\"%s\" hostname=\"%s\"", tests, failures,
	    errors, t, j->timestamp, j->hostname);
}

int
junit_open(struct junit *j, const char *path, const char *suite,
    const char *const *props, struct wperr *e)
{
	struct tm tm;
	time_t now;
	char host[65];	/* HOST_NAME_MAX and its NUL */
	size_t i, n;
	uint64_t off;

	memset(j, 0, sizeof(*j));
	j->suite = suite;
	j->start_ns = junit_now();
	now = time(NULL);
	/* The schema's timestamp has no zone: UTC, said in the README. */
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(j->timestamp, sizeof(j->timestamp), "%Y-%m-%dT%H:%M:%S",
	    &tm) == 0)
		snprintf(j->timestamp, sizeof(j->timestamp),
		    "1970-01-01T00:00:00");
	/* The format's documentation: localhost when it is not known. */
	if (gethostname(host, sizeof(host)) == -1 || host[0] == '\0')
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	put_escaped(j, host, 1);
	snprintf(j->hostname, sizeof(j->hostname), "%s", j->buf);
	j->len = 0;
	if (outfile_open(&j->of, path, NULL, 0, e) == -1)
		return -1;
	put(j, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	flush(j);
	/* The room the largest counts take, whole reserved pieces. */
	put_header(j, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX);
	n = j->len + 2;
	j->len = 0;
	j->headlen = (n + RESERVE_STEP - 1) / RESERVE_STEP * RESERVE_STEP;
	for (i = 0; i < j->headlen && !j->failed; i += RESERVE_STEP) {
		if (outfile_reserve(&j->of, RESERVE_STEP, &off, &j->err) == -1)
			j->failed = 1;
		else if (i == 0)
			j->header = off;
	}
	put(j, "<properties>\n");
	for (i = 0; props != NULL && props[i] != NULL; i += 2) {
		put(j, "<property");
		put_attr(j, "name", props[i]);
		put_attr(j, "value", props[i + 1]);
		put(j, "/>\n");
	}
	put(j, "</properties>\n");
	flush(j);
	if (j->failed) {
		*e = j->err;
		outfile_abort(&j->of);
		free(j->buf);
		return -1;
	}
	return 0;
}

void
junit_case(struct junit *j, const struct junit_case *c)
{
	char t[48];

	j->tests++;
	seconds(t, sizeof(t), c->ns);
	put(j, "<testcase");
	put_attr(j, "name", c->name);
	put_attr(j, "classname", c->classname);
	put(j, " time=\"%s\"", t);
	if (c->type == NULL && c->out == NULL) {
		put(j, "/>\n");
		flush(j);
		return;
	}
	put(j, ">\n");
	if (c->type != NULL) {
		if (c->error)
			j->errors++;
		else
			j->failures++;
		put(j, "<%s", c->error ? "error" : "failure");
		put_attr(j, "type", c->type);
		put_attr(j, "message", c->message);
		put(j, ">");
		put_escaped(j, c->message, 0);
		if (c->hint != NULL) {
			put(j, "\nhint: ");
			put_escaped(j, c->hint, 0);
		}
		put(j, "</%s>\n", c->error ? "error" : "failure");
	}
	if (c->out != NULL) {
		put(j, "<system-out>");
		put_escaped(j, c->out, 0);
		put(j, "</system-out>\n");
	}
	put(j, "</testcase>\n");
	flush(j);
}

void
junit_suite_out(struct junit *j, const char *path, const char *text)
{
	if (!j->in_out)
		put(j, "<system-out>");
	j->in_out = 1;
	put_escaped(j, path, 1);
	put(j, ": ");
	put_escaped(j, text, 0);
	put(j, "\n");
	flush(j);
}

int
junit_close(struct junit *j)
{
	if (j->in_out)
		put(j, "</system-out>\n");
	put(j, "</testsuite>\n</testsuites>\n");
	flush(j);
	put_header(j, j->tests, j->failures, j->errors,
	    junit_now() - j->start_ns);
	/* Spaces up to the reserved length, then the '>' and a newline. */
	while (j->len + 2 < j->headlen)
		put(j, " ");
	put(j, ">\n");
	if (!j->failed && outfile_patch(&j->of, j->header, j->buf, j->len,
	    &j->err) == -1)
		j->failed = 1;
	j->len = 0;
	free(j->buf);
	j->buf = NULL;
	if (j->failed) {
		outfile_abort(&j->of);
		return -1;
	}
	return outfile_commit(&j->of, &j->err);
}
