/* hint.c: what a failed check means and what to do about it. */
#ifndef HINT_H
#define HINT_H

struct wperr;

/* A sentence of advice for the error's reason, or NULL. */
const char *hint_of(const struct wperr *);

#endif
