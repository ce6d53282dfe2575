/* size.c: numbers and sizes typed on a command line. */
#ifndef SIZE_H
#define SIZE_H

#include <stdint.h>

struct wperr;

/*
 * A whole decimal, 0x-hex or 0-octal number at the start of s: returns
 * the characters it took, or -1.
 */
int size_number(const char *s, uint64_t *);
/* Bytes, or a number with K, M or G (1024-based), from min to max. */
int size_parse(const char *, uint64_t min, uint64_t max, uint64_t *,
    struct wperr *);

#endif
