/*
 * Progress on standard error for long reads.
 *
 *	struct progress p;
 *
 *	progress_init(&p, name, st.st_size or 0, PROGRESS_AUTO);
 *	p.unit = "packets";			(default "frames")
 *	while (reading)
 *		progress_update(&p, bytes_so_far, items_so_far);
 *	progress_end(&p);
 *
 * PROGRESS_AUTO shows one updating line, rewritten in place with a
 * carriage return, when standard error is a terminal and the work has
 * taken over a second; progress_end() clears it. PROGRESS_FORCED
 * (--progress) prints a plain line every few seconds whatever standard
 * error is, and a last one at the end, for CI logs. PROGRESS_OFF
 * (--no-progress) prints nothing. A line gives the bytes done, the total
 * and the percentage when the total is known, the rate, the items and the
 * time left.
 *
 * progress_update() is cheap enough for every read: it reads a coarse
 * clock and formats nothing until a line is due. The counts are totals so
 * far, not increments. progress_hook() has the shape of the pump's
 * callback; its arg is the struct progress. Call progress_clear() before
 * printing a warning while a line may be on the screen; the next update
 * draws it again.
 *
 * A run over many files (check) names the one being read with
 * progress_file(): the line then gives that file's bytes, its size and
 * percentage and the time it has left, and the bytes of the whole run;
 * progress_file_hook() is its pump callback (bytes of the file so far),
 * and progress_file(p, NULL, 0) ends it.
 *
 * The name comes last, escaped; on a terminal it is shortened from its
 * start to fit the width, so the figures are never cut. A count of one
 * takes the singular ("1 artifact").
 */
#ifndef PROGRESS_H
#define PROGRESS_H

#include <stdint.h>

enum { PROGRESS_OFF = -1, PROGRESS_AUTO = 0, PROGRESS_FORCED = 1 };

struct progress {
	const char *what;	/* names the input in each line */
	const char *unit;	/* what items counts */
	uint64_t total;		/* bytes expected, 0 when unknown */
	uint64_t bytes, items;
	int style;		/* none, an updating line, plain lines */
	int fd;
	int shown;		/* an updating line is on the screen */
	const char *file;	/* the file being read, or NULL */
	uint64_t file_total;	/* its size, 0 when unknown */
	uint64_t file_base;	/* bytes of the run before it */
	uint64_t start, next;	/* ms on progress_clock() */
};

/* Milliseconds on a monotonic clock; tests put a fake clock here. */
extern uint64_t (*progress_clock)(void);

void progress_init(struct progress *, const char *what, uint64_t total,
    int mode);
void progress_update(struct progress *, uint64_t bytes, uint64_t items);
void progress_hook(void *arg, uint64_t bytes_done, uint64_t items);
void progress_file(struct progress *, const char *name, uint64_t total);
void progress_file_hook(void *arg, uint64_t file_bytes, uint64_t items);
void progress_clear(struct progress *);
void progress_end(struct progress *);

#endif
