/*
 * slowcat: copies FILE to standard output in writes of a few bytes with a
 * pause after each, so that a reader on the other end of a pipe or FIFO
 * gets short reads. With -n it stops after that many bytes; with -k it then
 * dies by SIGKILL, as a crashing guest would, instead of exiting.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "testsup.h"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: slowcat [-k] [-b bytes] [-d usec] [-n count] "
	    "file\n");
	exit(2);
}

static void
pause_usec(long long usec)
{
	struct timespec ts;

	ts.tv_sec = usec / 1000000;
	ts.tv_nsec = (usec % 1000000) * 1000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

int
main(int argc, char **argv)
{
	char buf[4096];
	long long bs = 1, usec = 1000, count = -1, done = 0;
	ssize_t n, w;
	size_t want;
	int ch, fd, die = 0;

	while ((ch = getopt(argc, argv, "b:d:kn:")) != -1) {
		switch (ch) {
		case 'b':
			bs = (long long)ts_optnum(ch, optarg, 1, sizeof(buf));
			break;
		case 'd':
			usec = (long long)ts_optnum(ch, optarg, 0, 10000000);
			break;
		case 'k':
			die = 1;
			break;
		case 'n':
			count = (long long)ts_optnum(ch, optarg, 0, LLONG_MAX);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		usage();
	if ((fd = open(argv[0], O_RDONLY)) == -1)
		err(2, "%s", argv[0]);

	for (;;) {
		want = (size_t)bs;
		if (count >= 0 && count - done < bs)
			want = (size_t)(count - done);
		if (want == 0)
			break;
		if ((n = read(fd, buf, want)) == -1) {
			if (errno == EINTR)
				continue;
			err(2, "%s", argv[0]);
		}
		if (n == 0)
			break;
		/* Each piece goes out in one write, so the reader sees it whole. */
		while ((w = write(STDOUT_FILENO, buf, (size_t)n)) == -1 &&
		    errno == EINTR)
			continue;
		if (w == -1)
			err(2, "write");
		if (w != n)
			errx(2, "short write");
		done += n;
		if (usec > 0)
			pause_usec(usec);
	}
	if (die)
		kill(getpid(), SIGKILL);
	return 0;
}
