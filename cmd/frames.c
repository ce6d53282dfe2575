#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "json.h"
#include "opt.h"
#include "recognise.h"
#include "run.h"
#include "../lib/err.h"
#include "../lib/frame.h"
#include "../lib/pump.h"
#include "../lib/reasm.h"
#include "../lib/tag.h"

const char synopsis_frames[] =
    "frames [-q] [--json] [--max-frame size] [--trace-tag tag] "
    "[--chunk-tag tag] [--progress | --no-progress] [dump]";

#define READ_SIZE (1u << 20)
#define MAX_TYPES 64	/* distinct types counted; later ones go to "other" */

struct type_count {
	uint32_t type;
	uint64_t frames, bytes;
};

struct frames_state {
	int json, started, quiet;
	uint32_t cap, trace_tag, chunk_tag;
	struct frame_walk fw;
	struct reasm r;
	enum reasm_ev verdict;
	struct type_count types[MAX_TYPES];
	size_t ntypes;
	struct type_count other;
	uint64_t bad_crc, bad_pad;
	struct recognise rg;
};

static void
count_type(struct frames_state *s, const struct frame *f)
{
	struct type_count *t = NULL;
	size_t i;

	for (i = 0; i < s->ntypes; i++)
		if (s->types[i].type == f->type)
			t = &s->types[i];
	if (t == NULL && s->ntypes < MAX_TYPES) {
		t = &s->types[s->ntypes++];
		t->type = f->type;
	}
	if (t == NULL)
		t = &s->other;
	t->frames++;
	t->bytes += f->len;
}

static void
print_frame(const struct frames_state *s, const struct frame *f)
{
	const char *name = tag_name(f->type);
	char tag[TAG_NAME_MAX];
	int ok = f->crc == f->crc_calc;

	tag_vis(f->type, tag);
	if (s->json) {
		printf("{\"index\":%llu,\"offset\":%llu,\"tag\":",
		    (unsigned long long)f->index, (unsigned long long)f->off);
		json_string(stdout, tag);
		printf(",\"type\":%lu,\"name\":", (unsigned long)f->type);
		json_string(stdout, name ? name : "unknown");
		printf(",\"length\":%lu,\"crc_ok\":%s,\"crc\":\"0x%08lx\","
		    "\"crc_computed\":\"0x%08lx\",\"pad\":%lu}\n",
		    (unsigned long)f->len, ok ? "true" : "false",
		    (unsigned long)f->crc, (unsigned long)f->crc_calc,
		    (unsigned long)f->pad);
		return;
	}
	printf("%7llu %12llu  %-16s %-17s %9lu  ", (unsigned long long)f->index,
	    (unsigned long long)f->off, tag, name ? name : "unknown",
	    (unsigned long)f->len);
	if (ok)
		printf("ok");
	else
		printf("BAD (stored 0x%08lx, computed 0x%08lx)",
		    (unsigned long)f->crc, (unsigned long)f->crc_calc);
	if (f->pad != 0)
		printf("  pad 0x%08lx", (unsigned long)f->pad);
	putchar('\n');
}

static const char *
stop_code(enum frame_stop_why why)
{
	switch (why) {
	case FSTOP_CLEAN:
		return "clean";
	case FSTOP_PARTIAL_HEADER:
		return "partial_header";
	case FSTOP_OVERSIZED:
		return "oversized_frame";
	case FSTOP_TORN:
		return "torn_frame";
	case FSTOP_EMPTY_RUN:
		return "not_a_drain";
	case FSTOP_NONE:
		break;
	}
	return "none";
}

static const char *
verdict_code(const struct reasm *r)
{
	switch (r->err.code) {
	case WPE_OK:
		return "ok";
	case WPE_TORN:
		return "torn";
	case WPE_EMPTY:
		return "empty";
	default:
		return "no_terminal";
	}
}

static void
print_types_json(const struct frames_state *s)
{
	char tag[TAG_NAME_MAX];
	const char *name;
	size_t i;

	printf("\"types\":[");
	for (i = 0; i < s->ntypes; i++) {
		tag_vis(s->types[i].type, tag);
		name = tag_name(s->types[i].type);
		printf("%s{\"tag\":", i ? "," : "");
		json_string(stdout, tag);
		printf(",\"name\":");
		json_string(stdout, name ? name : "unknown");
		printf(",\"frames\":%llu,\"bytes\":%llu}",
		    (unsigned long long)s->types[i].frames,
		    (unsigned long long)s->types[i].bytes);
	}
	printf("]");
	if (s->other.frames > 0)
		printf(",\"other_types\":{\"frames\":%llu,\"bytes\":%llu}",
		    (unsigned long long)s->other.frames,
		    (unsigned long long)s->other.bytes);
}

static void
print_summary(const struct frames_state *s, const struct frame_stop *stop)
{
	char tag[TAG_NAME_MAX], msg[512], stopmsg[128];
	const char *name;
	size_t i;

	frame_stop_str(stop, stopmsg, sizeof(stopmsg));
	if (s->r.err.code != WPE_OK)
		wperr_str(&s->r.err, msg, sizeof(msg));
	else
		snprintf(msg, sizeof(msg), "trace of %llu bytes from %llu "
		    "chunk%s + terminal", (unsigned long long)s->r.bytes,
		    (unsigned long long)s->r.chunks, s->r.chunks == 1 ? "" : "s");
	if (s->json) {
		printf("{\"summary\":true,\"frames\":%llu,\"bytes\":%llu,",
		    (unsigned long long)stop->frames,
		    (unsigned long long)stop->bytes);
		print_types_json(s);
		printf(",\"bad_crc\":%llu,\"nonzero_pad\":%llu,\"end\":\"%s\","
		    "\"end_offset\":%llu,\"end_message\":",
		    (unsigned long long)s->bad_crc,
		    (unsigned long long)s->bad_pad, stop_code(stop->why),
		    (unsigned long long)stop->off);
		json_string(stdout, stopmsg);
		printf(",\"reassemble\":\"%s\",\"trace_bytes\":%llu,"
		    "\"chunks\":%llu,\"reassemble_message\":",
		    verdict_code(&s->r),
		    (unsigned long long)(s->r.err.code == WPE_OK ?
		    s->r.bytes : 0), (unsigned long long)s->r.chunks);
		json_string(stdout, msg);
		printf("}\n");
		return;
	}
	printf("\n%llu frame%s, %llu bytes; %llu bad CRC, %llu non-zero pad\n",
	    (unsigned long long)stop->frames, stop->frames == 1 ? "" : "s",
	    (unsigned long long)stop->bytes,
	    (unsigned long long)s->bad_crc, (unsigned long long)s->bad_pad);
	for (i = 0; i < s->ntypes; i++) {
		tag_vis(s->types[i].type, tag);
		name = tag_name(s->types[i].type);
		printf("  %-16s %-17s %7llu %-6s %12llu %s\n", tag,
		    name ? name : "unknown",
		    (unsigned long long)s->types[i].frames,
		    s->types[i].frames == 1 ? "frame" : "frames",
		    (unsigned long long)s->types[i].bytes,
		    s->types[i].bytes == 1 ? "byte" : "bytes");
	}
	if (s->other.frames > 0)
		printf("  %-34s %7llu %-6s %12llu %s\n", "(other types)",
		    (unsigned long long)s->other.frames,
		    s->other.frames == 1 ? "frame" : "frames",
		    (unsigned long long)s->other.bytes,
		    s->other.bytes == 1 ? "byte" : "bytes");
	printf("end: %s\n", stopmsg);
	printf("reassemble: %s\n", msg);
}

/* Walks the dump twice in step: once listing frames, once reassembling. */
static enum pump_verdict
frames_feed(struct pump *p, void *arg, const unsigned char *buf, size_t len,
    int eof, size_t *used)
{
	struct frames_state *s = arg;
	enum pump_verdict v;
	const struct frame_stop *stop;
	enum frame_ev ev = FRAME_NEED;

	*used = len;
	if (!recognise(&s->rg, p, buf, len, eof, used, &v))
		return v;
	if (!s->json && !s->quiet && !s->started)
		printf("%7s %12s  %-16s %-17s %9s  %s\n", "index", "offset",
		    "tag", "name", "length", "crc");
	s->started = 1;
	if (len > 0) {
		frame_input(&s->fw, buf, len);
		while ((ev = frame_next(&s->fw)) != FRAME_NEED &&
		    ev != FRAME_STOP) {
			if (ev != FRAME_END)
				continue;
			count_type(s, &s->fw.cur);
			s->bad_crc += s->fw.cur.crc != s->fw.cur.crc_calc;
			s->bad_pad += s->fw.cur.pad != 0;
			if (!s->quiet)
				print_frame(s, &s->fw.cur);
		}
		if (s->verdict == REASM_NEED || s->verdict == REASM_DATA ||
		    s->verdict == REASM_PAD) {
			reasm_input(&s->r, buf, len);
			while ((s->verdict = reasm_next(&s->r)) == REASM_DATA ||
			    s->verdict == REASM_PAD)
				;
		}
	}
	p->items = s->fw.nframes;
	if (ev != FRAME_STOP && !eof)
		return PUMP_MORE;
	stop = frame_eof(&s->fw);
	if (s->verdict == REASM_NEED)
		s->verdict = reasm_eof(&s->r);
	/* -q: nothing on success; a failure still gets its summary. */
	if (stop->why == FSTOP_CLEAN && s->bad_crc == 0 && s->bad_pad == 0) {
		if (!s->quiet)
			print_summary(s, stop);
		return PUMP_DONE;
	}
	print_summary(s, stop);
	return PUMP_BAD;
}

static int
frames(const struct run_opts *io, const struct frames_state *opts)
{
	struct frames_state *s;
	struct pump p;
	int status;

	if (!io->quiet && io_std_closed(STDOUT_FILENO)) {
		warnx("standard output is closed; redirect it, or use -q for "
		    "the status alone");
		return EXIT_TROUBLE;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		warn(NULL);
		return EXIT_TROUBLE;
	}
	s->json = opts->json;
	s->quiet = io->quiet;
	frame_init(&s->fw, opts->cap);
	reasm_init(&s->r, opts->cap, opts->chunk_tag, opts->trace_tag);
	s->verdict = REASM_NEED;
	s->rg.reads = HINT_READS_DRAIN;
	s->rg.refuse = RECOGNISE_PACKED | RECOGNISE_KIND(SNIFF_TRACE) |
	    RECOGNISE_KIND(SNIFF_TEXT) | RECOGNISE_KIND(SNIFF_EMPTY);
	s->rg.path = io->in;
	s->rg.cmd = "frames -";
	status = run_pump(io, &p, frames_feed, s);
	free(s);
	return status;
}

int
cmd_frames(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_MAX_FRAME, OPT_TRACE_TAG, OPT_CHUNK_TAG };
	static const struct option longopts[] = {
		{ "chunk-tag", required_argument, NULL, OPT_CHUNK_TAG },
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "max-frame", required_argument, NULL, OPT_MAX_FRAME },
		{ "quiet", no_argument, NULL, 'q' },
		{ "trace-tag", required_argument, NULL, OPT_TRACE_TAG },
		{ "no-progress", no_argument, NULL, RUN_NO_PROGRESS },
		{ "progress", no_argument, NULL, RUN_PROGRESS },
		{ NULL, 0, NULL, 0 }
	};
	struct frames_state o;
	struct run_opts io;
	int ch;

	memset(&o, 0, sizeof(o));
	o.cap = FRAME_CAP_DEFAULT;
	o.trace_tag = TAG_WPRF;
	o.chunk_tag = TAG_WPRC;
	memset(&io, 0, sizeof(io));
	io.drain = 1;
	while ((ch = opt_getopt(argc, argv, "hq", longopts)) != -1) {
		if (run_opt(&io, ch))
			continue;
		switch (ch) {
		case 'h':
			opt_help(synopsis_frames);
		case OPT_JSON:
			o.json = 1;
			break;
		case OPT_MAX_FRAME:
			o.cap = (uint32_t)opt_size("--max-frame", optarg, 0,
			    UINT32_MAX);
			break;
		case OPT_TRACE_TAG:
			o.trace_tag = opt_tag("--trace-tag", optarg);
			break;
		case OPT_CHUNK_TAG:
			o.chunk_tag = opt_tag("--chunk-tag", optarg);
			break;
		default:
			opt_usage(synopsis_frames);
		}
	}
	argc -= optind;
	argv += optind;
	opt_operands(argc, argv, 0, 1, synopsis_frames);
	opt_tags_differ(o.trace_tag, o.chunk_tag);
	io.in = argc == 1 ? argv[0] : NULL;
	return frames(&io, &o);
}
