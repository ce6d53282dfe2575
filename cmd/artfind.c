#include <err.h>
#include <errno.h>
#include <fts.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "artcheck.h"
#include "artfind.h"
#include "cmds.h"
#include "report.h"
#include "../lib/sidecar.h"

#define TEMP_PREFIX	".wprofck."	/* lib/outfile.c's temporary files */

/* One artifact to check, a note, or a path found unreadable. */
struct art {
	char *path;		/* as opened */
	const char *shown;	/* as printed for people */
	int errnum;		/* the search failed on it already */
	const char *note;	/* not an artifact: why it is listed */
	int have_size;
	uint64_t size;		/* from the search's stat */
	int sidecar;
	struct sidecar sc;	/* test is the sort key even when !sidecar */
};

struct artlist {
	struct art *v;
	size_t n, cap;
};

static const char note_temp[] =
    "a temporary file left by a wprofck run that was killed; remove it";
static const char note_dir[] =
    "skipped: a directory, not a file (what is under it is checked)";
static const char note_link[] =
    "skipped: a link to something that is not a regular file";
static const char note_fifo[] = "skipped: a FIFO, not a regular file";
static const char note_chr[] =
    "skipped: a character device, not a regular file";
static const char note_blk[] = "skipped: a block device, not a regular file";
static const char note_sock[] = "skipped: a socket, not a regular file";
static const char note_other[] = "skipped: not a regular file";
static const char note_loop[] = "skipped: a directory loop";

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static void
art_name(struct art *a)
{
	const char *base = base_name(a->path);
	size_t n;

	if ((a->sidecar = sidecar_parse(base, &a->sc)))
		return;
	n = strlen(base);
	if (sidecar_match(base))
		n -= sizeof(SIDECAR_SUFFIX) - 1;
	if (n > SIDECAR_NAME_MAX)
		n = SIDECAR_NAME_MAX;
	memcpy(a->sc.test, base, n);
	a->sc.test[n] = '\0';
}

/* Within one directory: by test, then variant, the trace before its repro. */
static int
sidecar_cmp(const struct art *a, const struct art *b)
{
	int c;

	if ((c = strcmp(a->sc.test, b->sc.test)) != 0)
		return c;
	if ((c = strcmp(a->sc.variant, b->sc.variant)) != 0)
		return c;
	if (a->sc.repro != b->sc.repro)
		return a->sc.repro - b->sc.repro;
	return strcmp(base_name(a->shown), base_name(b->shown));
}

/*
 * Paths sort component by component, so that everything under a
 * subdirectory stays together; the files of one directory sort by
 * sidecar_cmp(), and a file sorts against a subdirectory by its test name.
 */
static int
art_cmp(const void *va, const void *vb)
{
	const struct art *a = va, *b = vb;
	const char *p = a->shown, *q = b->shown, *pe, *qe;
	size_t pn, qn;
	int c;

	for (;;) {
		pe = strchr(p, '/');
		qe = strchr(q, '/');
		if (pe == NULL && qe == NULL)
			return sidecar_cmp(a, b);
		if (pe == NULL || qe == NULL) {
			/* A file against a directory of the same level. */
			if (pe == NULL) {
				qn = (size_t)(qe - q);
				c = strncmp(a->sc.test, q, qn);
				if (c == 0 && a->sc.test[qn] != '\0')
					c = 1;
				return c != 0 ? c : -1;
			}
			pn = (size_t)(pe - p);
			c = strncmp(p, b->sc.test, pn);
			if (c == 0 && b->sc.test[pn] != '\0')
				c = -1;
			return c != 0 ? c : 1;
		}
		pn = (size_t)(pe - p);
		qn = (size_t)(qe - q);
		if ((c = memcmp(p, q, pn < qn ? pn : qn)) != 0)
			return c;
		if (pn != qn)
			return pn < qn ? -1 : 1;
		p = pe + 1;
		q = qe + 1;
	}
}

static struct art *
art_add(struct artlist *l, const char *path, size_t skip)
{
	struct art *a;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap == 0 ? 64 : l->cap * 2;
		if ((a = reallocarray(l->v, cap, sizeof(*a))) == NULL)
			err(EXIT_TROUBLE, NULL);
		l->v = a;
		l->cap = cap;
	}
	a = &l->v[l->n++];
	memset(a, 0, sizeof(*a));
	if ((a->path = strdup(path)) == NULL)
		err(EXIT_TROUBLE, NULL);
	/* fts joins the root and the names with one slash, or none after one. */
	a->shown = a->path;
	if (skip > 0 && strlen(a->path) > skip) {
		a->shown += skip;
		while (*a->shown == '/')
			a->shown++;
	}
	art_name(a);
	return a;
}

static void
art_stat(struct art *a, const struct stat *sb)
{
	if (sb != NULL && S_ISREG(sb->st_mode)) {
		a->have_size = 1;
		a->size = (uint64_t)sb->st_size;
	}
}

static const char *
note_of_mode(mode_t m)
{
	if (S_ISFIFO(m))
		return note_fifo;
	if (S_ISCHR(m))
		return note_chr;
	if (S_ISBLK(m))
		return note_blk;
	if (S_ISSOCK(m))
		return note_sock;
	if (S_ISDIR(m))
		return note_dir;
	return note_other;
}

/* A symbolic link found in a directory and named like an artifact. */
static void
add_link(struct artlist *l, const FTSENT *e, size_t skip)
{
	struct stat sb;
	struct art *a;

	if (stat(e->fts_path, &sb) == -1) {
		a = art_add(l, e->fts_path, skip);
		/* Dangling: open() reports it missing. */
		if (errno != ENOENT && errno != ENOTDIR)
			a->errnum = errno;
		return;
	}
	a = art_add(l, e->fts_path, skip);
	art_stat(a, &sb);
	if (!S_ISREG(sb.st_mode))
		a->note = note_link;
}

/*
 * What a directory walk found: artifacts, what cannot be examined (at any
 * level), and notes about what it skipped.
 */
static int
walk_entry(struct artlist *l, FTSENT *e, size_t skip)
{
	struct art *a;
	size_t s = e->fts_level == 0 ? 0 : skip;

	switch (e->fts_info) {
	case FTS_F:
		if (sidecar_match(e->fts_name))
			art_stat(art_add(l, e->fts_path, s), e->fts_statp);
		else if (strncmp(e->fts_name, TEMP_PREFIX,
		    sizeof(TEMP_PREFIX) - 1) == 0 &&
		    e->fts_name[sizeof(TEMP_PREFIX) - 1] != '\0') {
			a = art_add(l, e->fts_path, s);
			art_stat(a, e->fts_statp);
			a->note = note_temp;
		}
		break;
	case FTS_SL:
	case FTS_SLNONE:
		if (sidecar_match(e->fts_name))
			add_link(l, e, s);
		break;
	case FTS_D:
		if (e->fts_level > 0 && sidecar_match(e->fts_name))
			art_add(l, e->fts_path, s)->note = note_dir;
		break;
	case FTS_DC:
		art_add(l, e->fts_path, s)->note = note_loop;
		break;
	case FTS_DEFAULT:
		if (sidecar_match(e->fts_name))
			art_add(l, e->fts_path, s)->note =
			    note_of_mode(e->fts_statp->st_mode);
		break;
	case FTS_NS:
	case FTS_DNR:
	case FTS_ERR:
		a = art_add(l, e->fts_path, s);
		a->errnum = e->fts_errno != 0 ? e->fts_errno : EIO;
		if (e->fts_info == FTS_DNR)
			art_stat(a, e->fts_statp);
		return e->fts_level == 0 ? -1 : 0;
	default:
		break;
	}
	return 0;
}

/*
 * Every *.wprof.pb under dir, not following symbolic links to directories
 * (so there is no loop to fall into), checked in the order of art_cmp.
 */
static void
check_dir(struct report *rep, const char *dir, int relative)
{
	struct artlist l = { NULL, 0, 0 };
	struct artifact_result r;
	struct art *a;
	char *roots[2];
	FTS *fts;
	FTSENT *e;
	size_t skip, i, arts = 0;
	int searched = 1;

	skip = relative ? strlen(dir) : 0;
	roots[0] = (char *)dir;
	roots[1] = NULL;
	errno = 0;
	if ((fts = fts_open(roots, FTS_PHYSICAL | FTS_COMFOLLOW | FTS_NOCHDIR,
	    NULL)) == NULL) {
		art_add(&l, dir, 0)->errnum = errno;
		searched = 0;
	} else {
		while ((e = fts_read(fts)) != NULL)
			if (walk_entry(&l, e, skip) == -1)
				searched = 0;
		/* The walk itself failed: say so, with the directory. */
		if (errno != 0) {
			art_add(&l, dir, 0)->errnum = errno;
			searched = 0;
		}
		fts_close(fts);
	}

	if (l.n > 0)
		qsort(l.v, l.n, sizeof(*l.v), art_cmp);
	for (i = 0; i < l.n; i++) {
		a = &l.v[i];
		if (a->note != NULL)
			report_note(rep, a->path, a->shown, a->note,
			    a->have_size, a->size);
		else if (a->errnum != 0)
			artcheck_unreadable(rep, a->path, a->shown, a->errnum,
			    a->have_size, a->size);
		else
			artcheck_path(rep, a->path, a->shown);
		if (a->note == NULL)
			arts++;
		free(a->path);
	}
	if (arts == 0 && searched) {
		memset(&r, 0, sizeof(r));
		r.err.code = WPE_NO_ARTIFACTS;
		report_verdict(rep, dir, dir, &r);
	}
	free(l.v);
}

void
artfind_operand(struct report *rep, const char *path, int relative)
{
	struct stat sb;

	if (strcmp(path, "-") == 0)
		artcheck_stdin(rep);
	else if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		check_dir(rep, path, relative);
	else
		artcheck_path(rep, path, path);
}
