#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "../lib/wprofck.h"

const char synopsis_extract[] =
    "extract [-fq] [-o out] [--sync] [--max-frame size] "
    "[--progress | --no-progress] tag [dump]";

#define READ_SIZE (1u << 20)

/*
 * Writes the payloads of every complete frame of the wanted type with a
 * good CRC to out; a frame's bytes are held until its CRC is known.
 */
struct extract_opts {
	uint32_t type, cap;
};

static int
extract(int in, const char *name, int out, const char *outname, void *arg)
{
	const struct extract_opts *o = arg;
	const uint32_t type = o->type;
	struct frame_walk w;
	struct hold h;
	struct wperr e;
	const struct frame_stop *stop;
	const struct frame *f = &w.cur;
	unsigned char *buf;
	enum frame_ev ev = FRAME_NEED;
	char tn[FRAME_TYPE_NAME_MAX], msg[256];
	ssize_t n;
	int status = EXIT_TROUBLE, bad = 0;

	if ((buf = hold_with_buffer(&h, READ_SIZE, outname)) == NULL)
		return EXIT_TROUBLE;
	frame_init(&w, o->cap);
	while (ev != FRAME_STOP) {
		if ((n = read(in, buf, READ_SIZE)) == -1) {
			if (errno == EINTR)
				continue;
			warn("%s: read", name);
			goto out;
		}
		if (n == 0)
			break;
		frame_input(&w, buf, (size_t)n);
		while ((ev = frame_next(&w)) != FRAME_NEED && ev != FRAME_STOP) {
			if (f->type != type) {
				/* Only the wanted type's CRCs matter here. */
				w.skip_crc = 1;
				continue;
			}
			if (ev == FRAME_DATA &&
			    hold_add(&h, w.data, w.datalen, &e) == -1) {
				warn_wperr(outname, &e);
				goto out;
			}
			if (ev != FRAME_END)
				continue;
			if (f->crc == f->crc_calc) {
				if (hold_flush(&h, out, &e) == -1) {
					warn_wperr(outname, &e);
					goto out;
				}
				continue;
			}
			bad = 1;
			warnx("%s: skipped %s frame %llu at offset %llu: bad CRC "
			    "(want 0x%08lx, got 0x%08lx)", name,
			    frame_type_name(type, tn),
			    (unsigned long long)f->index,
			    (unsigned long long)f->off, (unsigned long)f->crc,
			    (unsigned long)f->crc_calc);
			if (hold_reset(&h, &e) == -1) {
				warn_wperr(outname, &e);
				goto out;
			}
		}
	}
	stop = frame_eof(&w);
	if (stop->why != FSTOP_CLEAN) {
		bad = 1;
		warnx("%s: the walk ended early: %s", name,
		    frame_stop_str(stop, msg, sizeof(msg)));
	}
	status = bad ? EXIT_BAD : EXIT_OK;
out:
	hold_free(&h);
	free(buf);
	return status;
}

int
cmd_extract(int argc, char **argv)
{
	enum { OPT_MAX_FRAME = 256 };
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "max-frame", required_argument, NULL, OPT_MAX_FRAME },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct extract_opts o = { 0, FRAME_CAP_DEFAULT };
	struct wperr e;
	const char *out = NULL;
	char msg[256];
	int ch;

	while ((ch = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			help(synopsis_extract);
		case 'o':
			out = optarg;
			break;
		case OPT_MAX_FRAME:
			o.cap = (uint32_t)opt_size("--max-frame", optarg, 0,
			    UINT32_MAX);
			break;
		default:
			usage(synopsis_extract);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > 2)
		usage(synopsis_extract);
	if (tag_parse_name(argv[0], &o.type, &e) == -1)
		errx(EXIT_TROUBLE, "tag: '%s': %s", argv[0],
		    wperr_str(&e, msg, sizeof(msg)));

	return run_io(argc == 2 ? argv[1] : NULL, out, extract, &o);
}
