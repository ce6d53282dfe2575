#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "suggest.h"

/* Longer words are no typing slip of a known one. */
#define SUGGEST_LEN	64

/*
 * The optimal string alignment distance: insertions, deletions,
 * substitutions and swaps of two neighbours, each one edit, letters
 * compared in lowercase. Three rows of the table are enough.
 */
size_t
suggest_distance(const char *a, const char *b)
{
	size_t row[3][SUGGEST_LEN + 1], *pp, *p, *c, i, j, la, lb, v;

	la = strlen(a);
	lb = strlen(b);
	/* The rows hold lb + 1 cells. */
	if (la > SUGGEST_LEN || lb > SUGGEST_LEN)
		return SIZE_MAX;
	pp = row[0];
	p = row[1];
	c = row[2];
	for (j = 0; j <= lb; j++)
		p[j] = j;
	for (i = 1; i <= la; i++) {
		c[0] = i;
		for (j = 1; j <= lb; j++) {
			int ai = tolower((unsigned char)a[i - 1]);
			int bj = tolower((unsigned char)b[j - 1]);

			v = p[j - 1] + (ai != bj);
			if (p[j] + 1 < v)
				v = p[j] + 1;
			if (c[j - 1] + 1 < v)
				v = c[j - 1] + 1;
			if (i > 1 && j > 1 && pp[j - 2] + 1 < v &&
			    ai == tolower((unsigned char)b[j - 2]) &&
			    bj == tolower((unsigned char)a[i - 2]))
				v = pp[j - 2] + 1;
			c[j] = v;
		}
		{
			size_t *t = pp;

			pp = p;
			p = c;
			c = t;
		}
	}
	return p[lb];
}

void
suggest_init(struct suggest *s, const char *typed)
{
	memset(s, 0, sizeof(*s));
	s->typed = typed;
	s->dist = SIZE_MAX;
}

/*
 * Close enough: at most two edits, and fewer than half the letters of
 * the known word, so that a four-letter word takes one edit and no
 * short word is "near" everything.
 */
size_t
suggest_near(const char *typed, const char *known)
{
	size_t d = suggest_distance(typed, known);

	return d > 2 || 2 * d >= strlen(known) ? SIZE_MAX : d;
}

void
suggest_add(struct suggest *s, const char *known)
{
	size_t d = suggest_near(s->typed, known);

	if (d == SIZE_MAX || d > s->dist)
		return;
	if (d < s->dist) {
		s->dist = d;
		s->n = 0;
	}
	if (s->n < SUGGEST_MAX)
		s->word[s->n++] = known;
}

const char *
suggest_words(const struct suggest *s, const char *pre, char *buf,
    size_t len)
{
	size_t i, n = 0;
	int w;

	if (s->n == 0 || len == 0)
		return NULL;
	buf[0] = '\0';
	for (i = 0; i < s->n; i++) {
		w = snprintf(buf + n, len - n, "%s'%s%s'",
		    i == 0 ? "" : i + 1 == s->n ? " or " : ", ", pre,
		    s->word[i]);
		/* A long list is cut, never overrun. */
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
	}
	return buf;
}
