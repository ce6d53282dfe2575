#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "artcheck.h"
#include "artfind.h"
#include "cmds.h"
#include "report.h"
#include "../lib/sidecar.h"

#define TEMP_PREFIX	".wprofck."	/* lib/outfile.c's temporary files */

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
static const char note_linkdir[] =
    "skipped: a link to a directory (give it as an operand to check it)";

/* Artifacts compressed where they lie: the command that checks each. */
static const struct {
	const char *suffix, *tool;
} compressed[] = {
	{ SIDECAR_SUFFIX ".gz", "gzip" },
	{ SIDECAR_SUFFIX ".xz", "xz" },
	{ SIDECAR_SUFFIX ".zst", "zstd" },
};

/*
 * A directory is walked one at a time: its names are read, sorted and
 * taken in order, a subdirectory walked where it sorts, so that memory
 * holds the names of the directories on the way down and nothing of what
 * was checked before. An entry holds only offsets into the names.
 */
enum entry_kind {
	ENT_FILE,	/* a name to examine: an artifact, a link, a note */
	ENT_DIRNOTE,	/* a directory named like an artifact: a note */
	ENT_DIR,	/* a directory to walk */
	ENT_LOOP,	/* a directory that is one of its own ancestors */
	ENT_ERR,	/* what could not be examined: errnum */
	ENT_LINKDIR,	/* a symbolic link to a directory: a note */
	ENT_PACKED,	/* a compressed artifact: a note */
};

struct entry {
	size_t name;		/* offset of the name in the listing */
	uint16_t testlen;	/* the sort key: the test name, a prefix */
	uint16_t variant;	/* offset of 16 hex digits in the name, or 0 */
	uint8_t repro;
	uint8_t kind;		/* enum entry_kind */
	int errnum;
};

struct listing {
	char *names;
	size_t nlen, ncap;
	struct entry *v;
	size_t n, cap;
};

/* The directories above the one walked, to tell a loop. */
struct ancestor {
	dev_t dev;
	ino_t ino;
	const struct ancestor *up;
};

struct walk {
	struct report *rep;
	int recurse;		/* subdirectories too (not --no-recurse) */
	size_t skip;		/* bytes of the root not shown */
	uint64_t arts;		/* artifacts found, checked or not */
	char *path;
	size_t cap;
};

static void
list_add(struct listing *l, const char *name, enum entry_kind kind,
    int errnum)
{
	struct sidecar sc;
	struct entry *e;
	size_t n = strlen(name), cap;
	char *p;

	if (l->n == l->cap) {
		cap = l->cap == 0 ? 64 : l->cap * 2;
		if ((e = reallocarray(l->v, cap, sizeof(*e))) == NULL)
			err(EXIT_TROUBLE, NULL);
		l->v = e;
		l->cap = cap;
	}
	if (l->ncap - l->nlen < n + 1) {
		cap = l->ncap == 0 ? 4096 : l->ncap;
		while (cap - l->nlen < n + 1)
			cap *= 2;
		if ((p = realloc(l->names, cap)) == NULL)
			err(EXIT_TROUBLE, NULL);
		l->names = p;
		l->ncap = cap;
	}
	e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	e->name = l->nlen;
	e->kind = (uint8_t)kind;
	e->errnum = errnum;
	memcpy(l->names + l->nlen, name, n + 1);
	l->nlen += n + 1;
	/* The test name is the sort key even of a name that is no sidecar. */
	if (sidecar_parse(name, &sc)) {
		e->testlen = (uint16_t)strlen(sc.test);
		e->variant = (uint16_t)(e->testlen + 1);
		e->repro = (uint8_t)sc.repro;
		return;
	}
	if (sidecar_match(name))
		n -= sizeof(SIDECAR_SUFFIX) - 1;
	e->testlen = (uint16_t)(n > SIDECAR_NAME_MAX ? SIDECAR_NAME_MAX : n);
}

static int
keycmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c;

	if ((c = memcmp(a, b, an < bn ? an : bn)) != 0)
		return c;
	return an == bn ? 0 : an < bn ? -1 : 1;
}

/*
 * Paths sort component by component, so that everything under a
 * subdirectory stays together. The files of one directory sort by test,
 * variant, the trace before its repro, then name; a file sorts against a
 * subdirectory by its test name, before one of the same name.
 */
static int
entry_cmp(const void *va, const void *vb, void *names)
{
	const struct entry *a = va, *b = vb;
	const char *an = (const char *)names + a->name;
	const char *bn = (const char *)names + b->name;
	int c;

	if (a->kind == ENT_DIR && b->kind == ENT_DIR)
		return strcmp(an, bn);
	if (a->kind == ENT_DIR || b->kind == ENT_DIR) {
		if (b->kind == ENT_DIR)
			c = keycmp(an, a->testlen, bn, strlen(bn));
		else
			c = -keycmp(bn, b->testlen, an, strlen(an));
		return c != 0 ? c : b->kind == ENT_DIR ? -1 : 1;
	}
	if ((c = keycmp(an, a->testlen, bn, b->testlen)) != 0)
		return c;
	if ((c = keycmp(an + a->variant, a->variant ? 16 : 0,
	    bn + b->variant, b->variant ? 16 : 0)) != 0)
		return c;
	if (a->repro != b->repro)
		return a->repro - b->repro;
	return strcmp(an, bn);
}

static int
is_temp(const char *name)
{
	return strncmp(name, TEMP_PREFIX, sizeof(TEMP_PREFIX) - 1) == 0 &&
	    name[sizeof(TEMP_PREFIX) - 1] != '\0';
}

static int
is_ancestor(const struct ancestor *a, const struct stat *sb)
{
	for (; a != NULL; a = a->up)
		if (a->dev == sb->st_dev && a->ino == sb->st_ino)
			return 1;
	return 0;
}

/* A subdirectory: a note when named like an artifact, then its walk. */
static void
list_dir(struct listing *l, int dfd, const char *name, const struct stat *sb,
    const struct ancestor *up)
{
	int fd;

	if (is_ancestor(up, sb)) {
		list_add(l, name, ENT_LOOP, 0);
		return;
	}
	if (sidecar_match(name))
		list_add(l, name, ENT_DIRNOTE, 0);
	/* One that cannot be read is listed where a file of its name goes. */
	if ((fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		list_add(l, name, ENT_ERR, errno);
	else {
		close(fd);
		list_add(l, name, ENT_DIR, 0);
	}
}

/*
 * The names of one directory that matter: subdirectories, *.wprof.pb of
 * any type and our temporary files; me is the directory, up what is above
 * it. Returns 0, or an errno when the directory could not be read to its
 * end.
 */
/* The tool that unpacks a compressed artifact's name, or NULL. */
static const char *
packed_tool(const char *name)
{
	size_t n = strlen(name), i, k;

	for (i = 0; i < sizeof(compressed) / sizeof(compressed[0]); i++) {
		k = strlen(compressed[i].suffix);
		if (n > k && strcmp(name + n - k, compressed[i].suffix) == 0)
			return compressed[i].tool;
	}
	return NULL;
}

/* A name that is not an artifact's but deserves a note. */
static void
list_other(struct listing *l, int dfd, const char *name,
    const struct stat *lsb)
{
	struct stat sb;

	if (S_ISREG(lsb->st_mode) && packed_tool(name) != NULL)
		list_add(l, name, ENT_PACKED, 0);
	/* A run directory linked into the tree is not walked: say so. */
	else if (S_ISLNK(lsb->st_mode) && fstatat(dfd, name, &sb, 0) == 0 &&
	    S_ISDIR(sb.st_mode))
		list_add(l, name, ENT_LINKDIR, 0);
}

static int
list_read(struct listing *l, const char *path, struct ancestor *me,
    int recurse)
{
	struct dirent *d;
	struct stat sb;
	DIR *dir;
	int dfd, e, search;

	if ((dir = opendir(path)) == NULL)
		return errno;
	dfd = dirfd(dir);
	if (fstat(dfd, &sb) == -1) {
		e = errno;
		closedir(dir);
		return e;
	}
	me->dev = sb.st_dev;
	me->ino = sb.st_ino;
	/* Without search permission no name can be examined: each says so. */
	search = faccessat(dfd, ".", X_OK, AT_EACCESS) == 0;
	for (;;) {
		errno = 0;
		/* One thread; readdir_r(3) is deprecated. */
		/* cppcheck-suppress readdirCalled */
		if ((d = readdir(dir)) == NULL)
			break;
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		if (!search || d->d_type == DT_DIR ||
		    d->d_type == DT_UNKNOWN || (d->d_type == DT_LNK &&
		    !sidecar_match(d->d_name)) || (d->d_type == DT_REG &&
		    packed_tool(d->d_name) != NULL)) {
			if (fstatat(dfd, d->d_name, &sb,
			    AT_SYMLINK_NOFOLLOW) == -1)
				list_add(l, d->d_name, ENT_ERR, errno);
			else if (S_ISDIR(sb.st_mode) && recurse)
				list_dir(l, dfd, d->d_name, &sb, me);
			else if (S_ISDIR(sb.st_mode)) {
				/* --no-recurse: only what is named so. */
				if (sidecar_match(d->d_name))
					list_add(l, d->d_name, ENT_DIRNOTE, 0);
			} else if (sidecar_match(d->d_name) ||
			    (S_ISREG(sb.st_mode) && is_temp(d->d_name)))
				list_add(l, d->d_name, ENT_FILE, 0);
			else
				list_other(l, dfd, d->d_name, &sb);
		} else if (sidecar_match(d->d_name) ||
		    (d->d_type == DT_REG && is_temp(d->d_name)))
			list_add(l, d->d_name, ENT_FILE, 0);
	}
	e = errno;
	closedir(dir);
	return e;
}

static void
set_path(struct walk *w, size_t at, const char *name)
{
	size_t n = strlen(name), cap;
	char *p;

	if (w->cap < at + n + 2) {
		cap = w->cap == 0 ? 256 : w->cap;
		while (cap < at + n + 2)
			cap *= 2;
		if ((p = realloc(w->path, cap)) == NULL)
			err(EXIT_TROUBLE, NULL);
		w->path = p;
		w->cap = cap;
	}
	/* A slash between, one only after a root that ends in one. */
	if (at > 0 && w->path[at - 1] != '/')
		w->path[at++] = '/';
	memcpy(w->path + at, name, n + 1);
}

static const char *
shown(const struct walk *w)
{
	const char *s = w->path;

	if (w->skip > 0 && strlen(s) > w->skip) {
		s += w->skip;
		while (*s == '/')
			s++;
	}
	return s;
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

static void
size_of(const struct stat *sb, int *have_size, uint64_t *size)
{
	*have_size = S_ISREG(sb->st_mode);
	*size = *have_size ? (uint64_t)sb->st_size : 0;
}

static void
unreadable(struct walk *w, int errnum, int have_size, uint64_t size)
{
	artcheck_unreadable(w->rep, w->path, shown(w), errnum, have_size,
	    size);
	w->arts++;
}

/*
 * The command that checks a compressed artifact, with its path quoted for
 * the shell when it must be, so that it can be pasted as it is. Its spaces
 * are tabs, which the human report never breaks a line at.
 */
static void
note_packed(struct walk *w, const char *name)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-+:,=@%";
	struct stat sb;
	const char *p;
	char *q, *text;
	size_t n = 0;
	int quote;

	for (p = w->path; *p != '\0'; p++)
		n += *p == '\'' ? 4 : 1;
	if ((q = malloc(n + 3)) == NULL)
		err(EXIT_TROUBLE, NULL);
	quote = w->path[strspn(w->path, safe)] != '\0' || w->path[0] == '\0';
	n = 0;
	if (quote)
		q[n++] = '\'';
	for (p = w->path; *p != '\0'; p++) {
		if (*p == '\'') {
			memcpy(q + n, "'\\''", 4);
			n += 4;
		} else if (*p == ' ')
			q[n++] = '\t';
		else
			q[n++] = *p;
	}
	if (quote)
		q[n++] = '\'';
	q[n] = '\0';
	if (asprintf(&text, "compressed artifact: %s\t-dc\t%s\t|\twprofck\t"
	    "check\t-", packed_tool(name), q) == -1)
		err(EXIT_TROUBLE, NULL);
	free(q);
	if (lstat(w->path, &sb) == -1)
		sb.st_size = -1;
	report_note(w->rep, w->path, shown(w), text, sb.st_size >= 0,
	    sb.st_size >= 0 ? (uint64_t)sb.st_size : 0);
	free(text);
}

/* A symbolic link named like an artifact: what it points to. */
static void
visit_link(struct walk *w)
{
	struct stat sb;
	int have_size;
	uint64_t size;

	if (stat(w->path, &sb) == -1) {
		/* Dangling: the check reports it missing. */
		if (errno != ENOENT && errno != ENOTDIR)
			unreadable(w, errno, 0, 0);
		else {
			artcheck_path(w->rep, w->path, shown(w));
			w->arts++;
		}
		return;
	}
	size_of(&sb, &have_size, &size);
	if (S_ISDIR(sb.st_mode))
		report_note(w->rep, w->path, shown(w), note_linkdir, 0, 0);
	else if (!S_ISREG(sb.st_mode))
		report_note(w->rep, w->path, shown(w), note_link, have_size,
		    size);
	else {
		artcheck_path(w->rep, w->path, shown(w));
		w->arts++;
	}
}

static void
visit_file(struct walk *w, const char *name)
{
	struct stat sb;
	int have_size;
	uint64_t size;

	if (lstat(w->path, &sb) == -1) {
		unreadable(w, errno, 0, 0);
		return;
	}
	size_of(&sb, &have_size, &size);
	if (S_ISREG(sb.st_mode) && sidecar_match(name)) {
		artcheck_path(w->rep, w->path, shown(w));
		w->arts++;
	} else if (S_ISREG(sb.st_mode))
		report_note(w->rep, w->path, shown(w), note_temp, have_size,
		    size);
	else if (S_ISLNK(sb.st_mode))
		visit_link(w);
	else
		report_note(w->rep, w->path, shown(w),
		    note_of_mode(sb.st_mode), 0, 0);
}

/*
 * Every *.wprof.pb under the directory w->path, not following symbolic
 * links to directories (so there is no loop to fall into but a mount).
 * Returns an errno when the directory itself could not be read. The
 * recursion is as deep as the path is long, which PATH_MAX bounds: a
 * deeper directory cannot be opened by its path.
 */
static int	/* NOLINTNEXTLINE(misc-no-recursion) */
walk_dir(struct walk *w, const struct ancestor *up)
{
	struct ancestor me = { 0, 0, up };
	struct listing l;
	struct entry *e;
	size_t at = strlen(w->path), i;
	const char *name;
	int errnum, suberr;

	memset(&l, 0, sizeof(l));
	errnum = list_read(&l, w->path, &me, w->recurse);
	if (l.n > 0)
		qsort_r(l.v, l.n, sizeof(*l.v), entry_cmp, l.names);
	for (i = 0; i < l.n; i++) {
		e = &l.v[i];
		name = l.names + e->name;
		set_path(w, at, name);
		switch (e->kind) {
		case ENT_FILE:
			visit_file(w, name);
			break;
		case ENT_DIRNOTE:
			report_note(w->rep, w->path, shown(w), note_dir, 0, 0);
			break;
		case ENT_LOOP:
			report_note(w->rep, w->path, shown(w), note_loop, 0, 0);
			break;
		case ENT_ERR:
			unreadable(w, e->errnum, 0, 0);
			break;
		case ENT_LINKDIR:
			report_note(w->rep, w->path, shown(w), note_linkdir, 0,
			    0);
			break;
		case ENT_PACKED:
			note_packed(w, name);
			break;
		default:
			if ((suberr = walk_dir(w, &me)) != 0)
				unreadable(w, suberr, 0, 0);
			break;
		}
	}
	w->path[at] = '\0';
	free(l.names);
	free(l.v);
	return errnum;
}

void
artfind_operand(struct report *rep, const char *path, int relative)
{
	struct artifact_result r;
	struct stat sb;
	struct walk w;
	int errnum;

	if (strcmp(path, "-") == 0) {
		artcheck_stdin(rep);
		return;
	}
	if (stat(path, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		artcheck_path(rep, path, path);
		return;
	}
	memset(&w, 0, sizeof(w));
	w.rep = rep;
	w.recurse = !rep->o->no_recurse;
	w.skip = relative ? strlen(path) : 0;
	set_path(&w, 0, path);
	if ((errnum = walk_dir(&w, NULL)) != 0) {
		/* The directory named: what could be examined is reported. */
		artcheck_unreadable(rep, path, path, errnum, 0, 0);
	} else if (w.arts == 0) {
		memset(&r, 0, sizeof(r));
		r.err.code = WPE_NO_ARTIFACTS;
		report_verdict(rep, path, path, &r);
	}
	free(w.path);
}
