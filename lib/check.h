/*
 * The artifact check: the shape rules of spec section 3, the deep walk of
 * a Perfetto Trace (pbwalk.h) and the sidecar file name convention.
 * Like the rest of lib/, nothing here prints or exits.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "pbwalk.h"
#include "err.h"

#define CHECK_MIN_SIZE	4096	/* wprof's opening is about 5 KB */
#define CHECK_BUF_MIN	4096	/* the smallest buffer check_fd() takes */

/* {test}-{variant:016x}.wprof.pb and {test}-{variant:016x}.repro.wprof.pb */
#define SIDECAR_SUFFIX	".wprof.pb"
#define SIDECAR_NAME_MAX	255

struct sidecar {
	char test[SIDECAR_NAME_MAX + 1];
	char variant[17];
	int repro;
};

int sidecar_match(const char *name);	/* ends in .wprof.pb */
int sidecar_parse(const char *name, struct sidecar *);	/* 1 when it fits */

enum check_mode { CHECK_SHAPE, CHECK_DEEP };

struct check_result {
	unsigned char head[16];	/* the input's first bytes, when read */
	size_t headlen;
	int have_size;
	uint64_t size;
	int deep;		/* the walk ran to its end: st is complete */
	struct pbstats st;
	struct wperr err;	/* WPE_OK when the artifact passed */
};

/*
 * Checks the artifact open on fd, from its offset 0 for a regular file or
 * from the current position of a stream, reading no further than the
 * verdict needs. Returns 0 with a verdict in r->err, or -1 when the file
 * could not be read (WPE_SYS) or changed while it was read (WPE_CHANGED).
 */
int check_fd(int fd, enum check_mode mode, uint64_t min_size,
    unsigned char *buf, size_t buflen, struct check_result *r);
/*
 * The same with the reference sets of refs (pbref_init'ed once, freed by
 * the caller): checking many files one after another in bounded memory.
 */
int check_fd_refs(int fd, enum check_mode mode, uint64_t min_size,
    unsigned char *buf, size_t buflen, struct pbref *refs,
    struct check_result *r);
/* 1 for a verdict that is trouble (exit 2), not bad data. */
int check_trouble(const struct wperr *);

/* The stable lower_snake name of a verdict: "too_small", "unreadable". */
const char *check_reason(const struct wperr *);

#endif
