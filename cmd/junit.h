/*
 * The JUnit XML report of a check (--junit=FILE): one testsuite for the
 * run inside a testsuites element, a testcase per artifact written as soon
 * as its verdict is known, the notes of the walk as the suite's
 * system-out. The counts belong in the opening tags, which come first:
 * their room is reserved at junit_open() and filled in by junit_close(),
 * so memory holds one testcase at a time whatever the number of
 * artifacts. The file is written by the rules of every output (spec
 * section 4): it appears whole at junit_close(), or not at all.
 *
 * Every attribute and text is first escaped as the human report escapes
 * paths (vis(3): C escapes, octal for other bytes, so any byte, invalid
 * UTF-8 included, becomes printable ASCII), then for XML.
 */
#ifndef JUNIT_H
#define JUNIT_H

#include <stdint.h>

#include "../lib/pump.h"

struct junit {
	struct outfile of;
	struct wperr err;	/* the first failure; nothing more is written */
	int failed;
	uint64_t header;	/* the reserved opening tags */
	size_t headlen;
	char timestamp[32];
	char hostname[1600];	/* escaped: 64 bytes, each up to 24 */
	const char *suite;
	uint64_t tests, failures, errors;
	uint64_t start_ns;
	int in_out;		/* the suite's <system-out> is open */
	char *buf;		/* one element, built before it is written */
	size_t len, cap;
};

/* One testcase: type NULL for one that passed. */
struct junit_case {
	const char *name, *classname;
	const char *type;	/* the reason */
	int error;		/* trouble: an <error>, not a <failure> */
	const char *message, *hint;
	const char *out;	/* sizes and the note: its <system-out> */
	uint64_t ns;
};

/* Nanoseconds on the monotonic clock. */
uint64_t junit_now(void);
/* path "-": standard output. props: name/value pairs, NULL-ended. */
int junit_open(struct junit *, const char *path, const char *suite,
    const char *const *props, struct wperr *);
void junit_case(struct junit *, const struct junit_case *);
/* A line of the suite's system-out, after the last testcase. */
void junit_suite_out(struct junit *, const char *path, const char *text);
/* Fills in the counts and commits; -1 with j->err on failure. */
int junit_close(struct junit *);

#endif
