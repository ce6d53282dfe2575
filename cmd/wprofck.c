#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "../lib/wprofck.h"

static const struct command {
	const char *name;
	int (*fn)(int, char **);
	const char *synopsis;
} commands[] = {
	{ "check", cmd_check, synopsis_check },
	{ "extract", cmd_extract, synopsis_extract },
	{ "frames", cmd_frames, synopsis_frames },
	{ "reassemble", cmd_reassemble, synopsis_reassemble },
	{ "split", cmd_split, synopsis_split },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *
lookup(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void
print_usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: wprofck [-hV] command [argument ...]\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "       wprofck %s\n", commands[i].synopsis);
}

static int
flush_stdout(int status)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		warn("write error on standard output");
		return EXIT_TROUBLE;
	}
	return status;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const struct command *c;
	int ch;

	while ((ch = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			print_usage(stdout);
			return flush_stdout(EXIT_OK);
		case 'V':
			printf("wprofck %s\n", WPROFCK_VERSION);
			return flush_stdout(EXIT_OK);
		default:
			print_usage(stderr);
			return EXIT_TROUBLE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		print_usage(stderr);
		return EXIT_TROUBLE;
	}

	if (strcmp(argv[0], "help") == 0) {
		if (argc == 1) {
			print_usage(stdout);
			return flush_stdout(EXIT_OK);
		}
		if ((c = lookup(argv[1])) == NULL) {
			warnx("help: no such command: %s", argv[1]);
			return EXIT_TROUBLE;
		}
		help(c->synopsis);
	}
	if ((c = lookup(argv[0])) == NULL) {
		warnx("no such command: %s", argv[0]);
		print_usage(stderr);
		return EXIT_TROUBLE;
	}
	optind = 0;	/* glibc: restart getopt for the subcommand */
	return flush_stdout(c->fn(argc, argv));
}
