#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "opt.h"
#include "signals.h"
#include "suggest.h"
#include "vis.h"
#include "../lib/artifact.h"
#include "../lib/io.h"

#define WPROFCK_VERSION	"1.0"

static const char usage_line[] =
    "usage: wprofck [-hV] command [argument ...]\n";

/* git's way: the usage, each command with one line on what it does. */
static void
print_help(void)
{
	printf("%s\nCommands:\n", usage_line);
	cmds_list(stdout);
	printf("\nOptions:\n"
	    "  %-13s  %s\n  %-13s  %s\n\n", "-h, --help",
	    "print this help and exit", "-V, --version",
	    "print the version and exit");
	printf("'wprofck help command' or 'wprofck command --help' describes "
	    "a command;\nthe manual, wprofck(1), says more: man wprofck\n");
}

static const char help_synopsis[] = "help [command]";

/* wprofck help help: the help command's own help. */
static void
print_help_help(void)
{
	printf("usage: wprofck %s\n\nList the commands with one line on "
	    "each, or describe one\ncommand as 'wprofck command --help' "
	    "does.\n\nThe manual, wprofck(1), says more: man wprofck\n",
	    help_synopsis);
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

static int
usage_error(void)
{
	fputs(usage_line, stderr);
	return EXIT_TROUBLE;
}

/* An unknown command: the commands nearest to it, then the usage line. */
static int
no_such_command(const char *who, const char *name)
{
	const struct command *c;
	struct suggest sg;
	char buf[256];
	size_t i;

	warnx("%sno such command: %s", who, msg_vis(name));
	suggest_init(&sg, name);
	for (i = 0; (c = cmds_at(i)) != NULL; i++)
		suggest_add(&sg, c->name);
	suggest_add(&sg, "help");
	if (suggest_words(&sg, "", buf, sizeof(buf)) != NULL)
		warnx("did you mean %s?", buf);
	return usage_error();
}

/*
 * Every message of a command, getopt's included, starts "wprofck: CMD: ":
 * err(3) prints program_invocation_short_name and getopt argv[0].
 */
static void
set_prefix(char **argv, const char *cmd)
{
	static char prefix[64];

	snprintf(prefix, sizeof(prefix), "wprofck%s%s", cmd ? ": " : "",
	    cmd ? cmd : "");
	program_invocation_short_name = prefix;
	argv[0] = prefix;
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
	const char *env;
	int ch;

	/* No file we open may become standard output or error by chance. */
	if (io_std_fds() == -1)
		return EXIT_TROUBLE;
	if (argc < 1)
		return usage_error();
	signals_init();
	set_prefix(argv, NULL);
	/* The deep walk on this thread alone (man page, ENVIRONMENT). */
	if ((env = getenv("WPROFCK_THREADS")) != NULL && strcmp(env, "1") == 0)
		artifact_set_threads(1);
	while ((ch = opt_getopt(argc, argv, "+hV", longopts)) != -1) {
		switch (ch) {
		case 'h':
			print_help();
			return flush_stdout(EXIT_OK);
		case 'V':
			printf("wprofck %s\n", WPROFCK_VERSION);
			return flush_stdout(EXIT_OK);
		default:
			return usage_error();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage_error();
		fprintf(stderr, "'wprofck help' lists the commands.\n");
		return EXIT_TROUBLE;
	}

	if (strcmp(argv[0], "help") == 0) {
		if (argc == 1) {
			print_help();
			return flush_stdout(EXIT_OK);
		}
		if (argc > 2) {
			warnx("help: extra operand '%s'", msg_vis(argv[2]));
			fprintf(stderr, "usage: wprofck %s\n", help_synopsis);
			return EXIT_TROUBLE;
		}
		if (strcmp(argv[1], "help") == 0) {
			print_help_help();
			return flush_stdout(EXIT_OK);
		}
		if ((c = cmds_find(argv[1])) == NULL)
			return no_such_command("help: ", argv[1]);
		opt_help(c->synopsis);
	}
	if ((c = cmds_find(argv[0])) == NULL)
		return no_such_command("", argv[0]);
	/* The name names the command for good, whatever the program was. */
	set_prefix(argv, c->name);
	opt_command(c->synopsis);
	optind = 0;	/* glibc: restart getopt for the subcommand */
	return flush_stdout(c->fn(argc, argv));
}
