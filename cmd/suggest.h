/*
 * suggest.c: "did you mean": the known words nearest to a mistyped one,
 * by their edit distance (Damerau-Levenshtein, adjacent transpositions
 * counted as one edit), in any case.
 */
#ifndef SUGGEST_H
#define SUGGEST_H

#include <stddef.h>

#define SUGGEST_MAX	4

struct suggest {
	const char *typed;
	const char *word[SUGGEST_MAX];	/* the nearest, in the order added */
	size_t n;
	size_t dist;			/* theirs */
};

/* The edit distance of a and b in any case; SIZE_MAX when too long. */
size_t suggest_distance(const char *a, const char *b);
/* The distance when known is near enough to suggest; else SIZE_MAX. */
size_t suggest_near(const char *typed, const char *known);
void suggest_init(struct suggest *, const char *typed);
/* Offers a known word: kept when close enough and among the nearest. */
void suggest_add(struct suggest *, const char *known);
/* "'a'", "'a' or 'b'", "'a', 'b' or 'c'", each after pre; NULL if none. */
const char *suggest_words(const struct suggest *, const char *pre,
    char *buf, size_t len);

#endif
