/*
 * Replays fuzz inputs without libFuzzer, so that the targets run under
 * any compiler in the normal test run: every file named, and every file
 * in every directory named, goes through LLVMFuzzerTestOneInput once.
 * A failed check aborts; otherwise one TAP line per argument.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

/* Corpus files are small; a bigger one is a mistake, not an input. */
#define INPUT_MAX	(1u << 20)

static void
replay(int dirfd, const char *path, const char *name)
{
	struct stat sb;
	unsigned char *buf;
	ssize_t n;
	int fd;

	if ((fd = openat(dirfd, name, O_RDONLY)) == -1)
		err(2, "%s", path);
	if (fstat(fd, &sb) == -1)
		err(2, "%s", path);
	if (sb.st_size > INPUT_MAX)
		errx(2, "%s: over %u bytes", path, INPUT_MAX);
	/* An exact-size copy, so that ASan sees a read past the input. */
	if ((buf = malloc(sb.st_size > 0 ? (size_t)sb.st_size : 1)) == NULL)
		err(2, NULL);
	if ((n = read(fd, buf, (size_t)sb.st_size)) != sb.st_size)
		errx(2, "%s: short read", path);
	close(fd);
	fuzz_input_name = path;
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	fuzz_input_name = NULL;
	free(buf);
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/* Every regular file in the directory, in name order. */
static size_t
replay_dir(const char *dir)
{
	DIR *d;
	struct dirent *de;
	struct stat sb;
	char **names = NULL, **nn, path[4096];
	size_t n = 0, i;
	int dfd;

	if ((d = opendir(dir)) == NULL)
		err(2, "%s", dir);
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (fstatat(dfd, de->d_name, &sb, 0) == -1)
			err(2, "%s/%s", dir, de->d_name);
		if (!S_ISREG(sb.st_mode))
			continue;
		if ((nn = reallocarray(names, n + 1, sizeof(*names))) == NULL)
			err(2, NULL);
		names = nn;
		if ((names[n++] = strdup(de->d_name)) == NULL)
			err(2, NULL);
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), cmpstr);
	for (i = 0; i < n; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >=
		    (int)sizeof(path))
			errx(2, "%s/%s: path too long", dir, names[i]);
		replay(dfd, path, names[i]);
		free(names[i]);
	}
	free(names);
	closedir(d);
	return n;
}

int
main(int argc, char **argv)
{
	struct stat sb;
	const char *prog = getprogname();
	size_t n;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s corpus-dir-or-file ...\n", prog);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) == -1)
			err(2, "%s", argv[i]);
		if (S_ISDIR(sb.st_mode))
			n = replay_dir(argv[i]);
		else {
			replay(AT_FDCWD, argv[i], argv[i]);
			n = 1;
		}
		if (n == 0)
			errx(2, "%s: no inputs", argv[i]);
		printf("ok %d - %s replays %zu inputs from %s\n", i, prog, n,
		    argv[i]);
	}
	printf("1..%d\n", argc - 1);
	return fflush(stdout) == EOF ? 2 : 0;
}
