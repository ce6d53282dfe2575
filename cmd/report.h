/*
 * The report of a check: a line per artifact (human or JSON, the detail
 * of a failure below it), the notes about what a directory walk skipped,
 * and at the end the summary, what the traces hold and the hints. The
 * verdicts are tallied here, by enum artifact_reason.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "../lib/artifact.h"

struct progress;

/*
 * The "version" of check's JSON records, in the summary record: raised
 * when a key changes meaning or goes away, not when one is added.
 */
#define REPORT_JSON_VERSION	1

/* Standard input as people read it; "-" stays its path in JSON. */
#define STDIN_SHOWN	"(standard input)"

struct report_opts {
	int quiet, json;
	int one_line;		/* reassemble --check: no header, no summary */
	enum artifact_mode mode;
	uint64_t min_size;
	FILE *fp;		/* where verdicts go */
	const char *junit;	/* --junit=FILE, or NULL */
	const char *suite;	/* the JUnit testsuite's name */
	int no_recurse;		/* a directory: its own entries only */
};

/* Something a directory walk did not check, said once at the end. */
struct report_note {
	char *path;
	char *text;
	int have_size;
	uint64_t size;
};

/* The state of one run, across its operands. */
struct report {
	const struct report_opts *o;
	uint64_t passed, failed;
	uint64_t walked, packets;	/* traces that passed the walk */
	struct pbkind_count *kinds;	/* their packets by kind */
	size_t nkinds, kindcap;
	uint64_t refs_checked;
	int refs_capped;
	struct sem_summary sum;		/* what they hold, added up */
	int status;
	int header;		/* the column header is out */
	uint64_t reasons[ARTIFACT_NREASONS];	/* failures by reason */
	const char *hints[ARTIFACT_NREASONS];	/* wperr_hint() of the first */
	struct report_note *notes;
	size_t nnotes, notecap;
	struct progress *prog;	/* bytes and artifacts so far, or NULL */
	uint64_t bytes;
	struct junit *junit;	/* the JUnit report, or NULL */
	uint64_t case_start;	/* when the artifact's check began, or 0 */
};

void report_init(struct report *, const struct report_opts *,
    struct progress *);
/* 1 when --junit's file is standard output: "-" or the same file. */
int report_junit_stdout(const char *path);
/*
 * No artifact to check (reassemble --check found no trace): its testcase
 * in the JUnit report alone, as a failure of type, or an error.
 */
void report_unchecked(struct report *, const char *path, const char *type,
    const char *msg, int trouble);
/* The check of an artifact begins: its time in the JUnit report. */
void report_start(struct report *);
/* The verdict on one artifact: path as opened, shown as printed. */
void report_verdict(struct report *, const char *path, const char *shown,
    const struct artifact_result *);
void report_note(struct report *, const char *path, const char *shown,
    const char *text, int have_size, uint64_t size);
/* The end of the report; returns the exit status of the run. */
int report_finish(struct report *);

#endif
