#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <vis.h>

#include "progress.h"

enum { STYLE_NONE, STYLE_LINE, STYLE_PLAIN };

/* Quiet for the first second: short runs stay silent. */
#define FIRST_MS	1000
#define LINE_EVERY_MS	250
#define PLAIN_EVERY_MS	5000

static uint64_t
clock_ms(void)
{
	struct timespec ts;

	/* The coarse clock costs no system call; ticks of 4 ms will do. */
	if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) == -1 &&
	    clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return 0;
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t (*progress_clock)(void) = clock_ms;

void
progress_init(struct progress *p, const char *what, uint64_t total,
    int mode)
{
	memset(p, 0, sizeof(*p));
	p->what = what;
	p->unit = "frames";
	p->total = total;
	p->fd = STDERR_FILENO;
	if (mode == PROGRESS_FORCED)
		p->style = STYLE_PLAIN;
	else if (mode == PROGRESS_AUTO && isatty(p->fd))
		p->style = STYLE_LINE;
	else
		p->style = STYLE_NONE;
	p->start = progress_clock();
	p->next = p->start + FIRST_MS;
}

static void
put(struct progress *p, const char *s, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(p->fd, s, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;		/* nowhere to complain: stderr itself */
		s += n;
		len -= (size_t)n;
	}
}

static void
human(char *buf, size_t len, double v)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	size_t i;

	if (v < 1024) {
		snprintf(buf, len, "%.0f B", v);
		return;
	}
	for (i = 0, v /= 1024; v >= 1024 && i + 1 < 4; i++)
		v /= 1024;
	snprintf(buf, len, "%.1f %s", v, units[i]);
}

static void
duration(char *buf, size_t len, uint64_t s)
{
	if (s < 60)
		snprintf(buf, len, "%us", (unsigned)s);
	else if (s < 3600)
		snprintf(buf, len, "%um%02us", (unsigned)(s / 60),
		    (unsigned)(s % 60));
	else
		snprintf(buf, len, "%uh%02um", (unsigned)(s / 3600),
		    (unsigned)(s % 3600 / 60));
}

/* Appends s to what buf holds; a full buf stays full. */
static void
add(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);

	if (n + 1 < len)
		snprintf(buf + n, len - n, "%s", s);
}

/* "10 frames", "1 frame": a unit in the plural loses its s for one. */
static void
add_count(char *buf, size_t len, uint64_t n, const char *unit)
{
	char b[80];
	size_t u = strlen(unit);

	if (n == 1 && u > 1 && unit[u - 1] == 's')
		snprintf(b, sizeof(b), "%llu %.*s", (unsigned long long)n,
		    (int)(u - 1), unit);
	else
		snprintf(b, sizeof(b), "%llu %s", (unsigned long long)n, unit);
	add(buf, len, b);
}

/* "1.0 MiB of 4.0 MiB (25%)", or "1.0 MiB" with no total. */
static void
add_part(char *buf, size_t len, uint64_t bytes, uint64_t total)
{
	char a[32], b[80];

	human(a, sizeof(a), (double)bytes);
	add(buf, len, a);
	if (total == 0)
		return;
	human(a, sizeof(a), (double)total);
	snprintf(b, sizeof(b), " of %s (%u%%)", a, bytes >= total ? 100 :
	    (unsigned)((double)bytes * 100 / (double)total));
	add(buf, len, b);
}

/* The figures of the line, without the name. */
static void
figures(const struct progress *p, uint64_t t, int done, char *buf,
    size_t len)
{
	double secs = (double)(t - p->start) / 1000;
	double rate = secs > 0 ? (double)p->bytes / secs : 0;
	uint64_t cur = p->bytes, total = p->total;
	char a[32], b[80];

	buf[0] = '\0';
	if (!done && p->file != NULL) {
		cur = p->bytes - p->file_base;
		total = p->file_total;
	}
	add_part(buf, len, cur, done ? 0 : total);
	if (done) {
		snprintf(b, sizeof(b), " in %.1f s", secs);
		add(buf, len, b);
	}
	human(a, sizeof(a), rate);
	snprintf(b, sizeof(b), ", %s/s, ", a);
	add(buf, len, b);
	add_count(buf, len, p->items, p->unit);
	if (!done && total > cur && rate >= 1) {
		duration(a, sizeof(a), (uint64_t)((double)(total - cur) / rate));
		snprintf(b, sizeof(b), ", %s left", a);
		add(buf, len, b);
	}
	/* A file after others: the run's bytes too. */
	if (!done && p->file != NULL && p->file_base > 0) {
		human(a, sizeof(a), (double)p->bytes);
		snprintf(b, sizeof(b), "; %s in all", a);
		add(buf, len, b);
	}
}

/*
 * "PROGRAM: CMD: figures: name". With width, the line holds at most width
 * columns: the name loses its start to "...", and only when even the
 * figures do not fit is the line cut at the end.
 */
static void
format(const struct progress *p, uint64_t t, int done, char *buf,
    size_t len, size_t width)
{
	const char *name = p->file != NULL && !done ? p->file : p->what;
	char fig[256], what[1024];
	size_t n, room, wn;

	figures(p, t, done, fig, sizeof(fig));
	/* A name from outside never reaches the terminal raw. */
	(void)strnvis(what, name, sizeof(what),
	    VIS_CSTYLE | VIS_OCTAL | VIS_TAB | VIS_NL);
	snprintf(buf, len, "%s: %s: ", program_invocation_short_name, fig);
	n = strlen(buf);
	wn = strlen(what);
	if (width == 0 || n + wn <= width) {
		add(buf, len, what);
		return;
	}
	if (n + 4 > width) {
		/* Not even the figures: cut them, drop the name. */
		buf[n - 2] = '\0';
		return;
	}
	room = width - n;
	add(buf, len, "...");
	add(buf, len, what + wn - (room - 3));
}

/* An updating line must not wrap, or \r would return to its last row. */
static size_t
columns(int fd)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) == -1 || ws.ws_col < 20)
		return 80;
	return ws.ws_col;
}

static void
draw(struct progress *p, uint64_t t)
{
	char line[1536];
	size_t n, width;

	if (p->style == STYLE_PLAIN) {
		format(p, t, 0, line, sizeof(line) - 1, 0);
		n = strlen(line);
		line[n] = '\n';
		put(p, line, n + 1);
		return;
	}
	width = columns(p->fd) - 1;
	format(p, t, 0, line + 1, sizeof(line) - 8, width);
	n = strlen(line + 1);
	if (n > width)
		n = width;
	line[0] = '\r';
	/* Erase what is left of a longer line before. */
	snprintf(line + 1 + n, sizeof(line) - 1 - n, "\033[K");
	put(p, line, n + 4);
	p->shown = 1;
}

void
progress_update(struct progress *p, uint64_t bytes, uint64_t items)
{
	uint64_t t;

	p->bytes = bytes;
	p->items = items;
	if (p->style == STYLE_NONE || (t = progress_clock()) < p->next)
		return;
	draw(p, t);
	p->next = t + (p->style == STYLE_LINE ? LINE_EVERY_MS :
	    PLAIN_EVERY_MS);
}

void
progress_hook(void *arg, uint64_t bytes_done, uint64_t items)
{
	progress_update(arg, bytes_done, items);
}

void
progress_file(struct progress *p, const char *name, uint64_t total)
{
	p->file = name;
	p->file_total = total;
	p->file_base = p->bytes;
}

void
progress_file_hook(void *arg, uint64_t file_bytes, uint64_t items)
{
	struct progress *p = arg;

	(void)items;
	progress_update(p, p->file_base + file_bytes, p->items);
}

void
progress_clear(struct progress *p)
{
	if (!p->shown)
		return;
	put(p, "\r\033[K", 4);
	p->shown = 0;
	p->next = 0;	/* draw again at the next update */
}

/* Forced lines end with one that says how the whole run went. */
void
progress_end(struct progress *p)
{
	char line[1536];
	size_t n;

	if (p->style == STYLE_LINE)
		progress_clear(p);
	else if (p->style == STYLE_PLAIN) {
		format(p, progress_clock(), 1, line, sizeof(line) - 1, 0);
		n = strlen(line);
		line[n] = '\n';
		put(p, line, n + 1);
	}
	p->style = STYLE_NONE;
}
