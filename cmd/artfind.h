/*
 * Finding the artifacts an operand names: a file, standard input, or
 * every *.wprof.pb under a directory, each checked as it is found, in the
 * order of their paths compared component by component.
 */
#ifndef ARTFIND_H
#define ARTFIND_H

struct report;

/* relative: paths under a directory are shown relative to it. */
void artfind_operand(struct report *, const char *path, int relative);

#endif
