/*
 * The one place an artifact is checked: artifact_check_fd() on it, then
 * its line in the report. check and reassemble --check both come here.
 */
#ifndef ARTCHECK_H
#define ARTCHECK_H

#include <stdint.h>

struct report;

/* The artifact open on fd. */
void artcheck_fd(struct report *, int fd, const char *path,
    const char *shown);
/* The artifact named path, opened without waiting on a FIFO. */
void artcheck_path(struct report *, const char *path, const char *shown);
/* Standard input, "-"; refused on a terminal. */
void artcheck_stdin(struct report *);
/* What the search for artifacts could not examine (errnum). */
void artcheck_unreadable(struct report *, const char *path,
    const char *shown, int errnum, int have_size, uint64_t size);

#endif
