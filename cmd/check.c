#include <err.h>
#include <getopt.h>
#include <stdint.h>
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
    "check [-q] [--json] [--junit file] [--shape | --deep] "
    "[--min-size size] [--progress | --no-progress] [path ...]";

int
cmd_check(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_DEEP, OPT_SHAPE, OPT_MIN_SIZE, OPT_JUNIT };
	static const struct option longopts[] = {
		{ "deep", no_argument, NULL, OPT_DEEP },
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "junit", required_argument, NULL, OPT_JUNIT },
		{ "min-size", required_argument, NULL, OPT_MIN_SIZE },
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
	char *env[1];
	int ch, i, progress = PROGRESS_AUTO;

	memset(&o, 0, sizeof(o));
	o.mode = ARTIFACT_DEEP;
	o.min_size = ARTIFACT_MIN_SIZE;
	o.fp = stdout;
	o.suite = "wprofck check";
	while ((ch = getopt_long(argc, argv, "hq", longopts, NULL)) != -1) {
		switch (ch) {
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
	if (argc == 0) {
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
	progress_init(&prog, argc > 1 ? "the operands" :
	    strcmp(argv[0], "-") == 0 ? STDIN_SHOWN : argv[0], 0, progress);
	prog.unit = "artifacts";
	report_init(&rep, &o, &prog);
	for (i = 0; i < argc; i++)
		artfind_operand(&rep, argv[i], argc == 1);
	return report_finish(&rep);
}
