#include <err.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "artfind.h"
#include "cmds.h"
#include "opt.h"
#include "progress.h"
#include "report.h"
#include "run.h"
#include "vis.h"

const char synopsis_check[] =
    "check [-0q] [--json] [--junit file] [--shape | --deep] "
    "[--min-size size] [--files-from file] [--no-recurse] "
    "[--progress | --no-progress] [path ...]";

/*
 * The paths of --files-from, one a line (or NUL-ended with -0), each
 * checked as it is read: the list is never held whole. Returns 0, or -1
 * when the list could not be read (said here).
 */
static int
files_from(struct report *rep, const char *list, int delim, int operands)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	uintmax_t lineno = 0;
	int rc = 0;

	if (strcmp(list, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(list, "re")) == NULL) {
		warn("--files-from=%s", msg_vis(list));
		return -1;
	}
	while ((n = getdelim(&line, &cap, delim, fp)) != -1) {
		lineno++;
		if (n > 0 && line[n - 1] == delim)
			line[--n] = '\0';
		/* A path cannot be empty, nor hold a NUL: trouble, not a skip. */
		if (n == 0 || strlen(line) != (size_t)n) {
			warnx("--files-from=%s: %s %ju: %s", msg_vis(list),
			    delim == '\0' ? "name" : "line", lineno, n == 0 ?
			    "an empty name" : "a name with a NUL byte (-0 "
			    "reads NUL-separated names)");
			rep->status = EXIT_TROUBLE;
			continue;
		}
		if (strcmp(line, "-") == 0 && fp == stdin) {
			warnx("--files-from=-: %s %ju: standard input is the "
			    "list itself", delim == '\0' ? "name" : "line",
			    lineno);
			rep->status = EXIT_TROUBLE;
			continue;
		}
		artfind_operand(rep, line, 0);
	}
	if (ferror(fp)) {
		warn("--files-from=%s", msg_vis(list));
		rc = -1;
	} else if (lineno == 0 && !operands) {
		/* Nothing to check is no success. */
		warnx("--files-from=%s: no names in it", msg_vis(list));
		if (rep->status < EXIT_BAD)
			rep->status = EXIT_BAD;
	}
	free(line);
	if (fp != stdin)
		(void)fclose(fp);
	return rc;
}

int
cmd_check(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_DEEP, OPT_SHAPE, OPT_MIN_SIZE, OPT_JUNIT,
		OPT_FILES_FROM, OPT_NO_RECURSE };
	static const struct option longopts[] = {
		{ "deep", no_argument, NULL, OPT_DEEP },
		{ "files-from", required_argument, NULL, OPT_FILES_FROM },
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "junit", required_argument, NULL, OPT_JUNIT },
		{ "min-size", required_argument, NULL, OPT_MIN_SIZE },
		{ "no-recurse", no_argument, NULL, OPT_NO_RECURSE },
		{ "null", no_argument, NULL, '0' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "shape", no_argument, NULL, OPT_SHAPE },
		{ "no-progress", no_argument, NULL, RUN_NO_PROGRESS },
		{ "progress", no_argument, NULL, RUN_PROGRESS },
		{ NULL, 0, NULL, 0 }
	};
	struct report_opts o;
	struct progress prog;
	struct report rep;
	struct stat sb;
	const char *list = NULL;
	char *env[1];
	int ch, i, progress = PROGRESS_AUTO, delim = '\n';

	memset(&o, 0, sizeof(o));
	o.mode = ARTIFACT_DEEP;
	o.min_size = ARTIFACT_MIN_SIZE;
	o.fp = stdout;
	o.suite = "wprofck check";
	while ((ch = opt_getopt(argc, argv, "0hq", longopts)) != -1) {
		switch (ch) {
		case '0':
			delim = '\0';
			break;
		case OPT_FILES_FROM:
			list = optarg;
			break;
		case OPT_NO_RECURSE:
			o.no_recurse = 1;
			break;
		case 'h':
			opt_help(synopsis_check);
		case 'q':
			o.quiet = 1;
			break;
		case OPT_DEEP:
			o.mode = ARTIFACT_DEEP;
			break;
		case OPT_SHAPE:
			o.mode = ARTIFACT_SHAPE;
			break;
		case OPT_JSON:
			o.json = 1;
			break;
		case OPT_JUNIT:
			o.junit = optarg;
			break;
		case OPT_MIN_SIZE:
			o.min_size = opt_size("--min-size", optarg, 0,
			    INT64_MAX);
			break;
		case RUN_PROGRESS:
			progress = PROGRESS_FORCED;
			break;
		case RUN_NO_PROGRESS:
			progress = PROGRESS_OFF;
			break;
		default:
			opt_usage(synopsis_check);
		}
	}
	argc -= optind;
	argv += optind;
	if (delim == '\0' && list == NULL) {
		warnx("-0 is for --files-from: the names it reads are "
		    "NUL-separated");
		opt_usage(synopsis_check);
	}
	for (i = 0; list != NULL && strcmp(list, "-") == 0 && i < argc; i++)
		if (strcmp(argv[i], "-") == 0) {
			warnx("--files-from=- and the operand - both read "
			    "standard input");
			opt_usage(synopsis_check);
		}
	/*
	 * --junit=- takes standard output; the human report moves to
	 * standard error, as reassemble --check's does. JSON has nowhere to
	 * go.
	 */
	if (o.junit != NULL && report_junit_stdout(o.junit)) {
		if (o.json) {
			warnx("--json and --junit=- both want standard output; "
			    "give --junit a file");
			opt_usage(synopsis_check);
		}
		o.fp = stderr;
	}
	if (argc == 0 && list == NULL) {
		if ((env[0] = getenv("KTSTR_SIDECAR_DIR")) == NULL ||
		    env[0][0] == '\0') {
			warnx("no path, and KTSTR_SIDECAR_DIR is not set");
			opt_usage(synopsis_check);
		}
		/* A sidecar directory that is not there is trouble. */
		if (stat(env[0], &sb) == -1) {
			warn("KTSTR_SIDECAR_DIR=%s", msg_vis(env[0]));
			return EXIT_TROUBLE;
		}
		if (!S_ISDIR(sb.st_mode)) {
			warnx("KTSTR_SIDECAR_DIR=%s: not a directory",
			    msg_vis(env[0]));
			return EXIT_TROUBLE;
		}
		argv = env;
		argc = 1;
	}
	/* Progress counts the artifacts checked and their bytes. */
	progress_init(&prog, argc > 1 || list != NULL ? "the operands" :
	    strcmp(argv[0], "-") == 0 ? STDIN_SHOWN : argv[0], 0, progress);
	prog.unit = "artifacts";
	report_init(&rep, &o, &prog);
	for (i = 0; i < argc; i++)
		artfind_operand(&rep, argv[i], argc == 1 && list == NULL);
	if (list != NULL && files_from(&rep, list, delim, argc > 0) == -1)
		rep.status = EXIT_TROUBLE;
	return report_finish(&rep);
}
