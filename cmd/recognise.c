#include <err.h>

#include "recognise.h"
#include "run.h"

int
recognise(struct recognise *g, struct pump *p, const unsigned char *buf,
    size_t len, int eof, size_t *used, enum pump_verdict *v)
{
	char msg[512];

	if (g->done)
		return 1;
	if (len < SNIFF_HEAD && !eof) {
		*used = 0;
		*v = PUMP_MORE;
		return 0;
	}
	g->done = 1;
	sniff_head(buf, len, &g->s);
	if ((g->refuse & RECOGNISE_KIND(g->s.kind)) == 0 ||
	    hint_input(&g->s, g->reads, g->path, g->cmd, msg,
	    sizeof(msg)) == NULL)
		return 1;
	p->keep_bad = 0;
	run_clear_progress(p);
	warnx("%s: %s", p->name, msg);
	g->wrong = 1;
	*v = PUMP_BAD;
	return 0;
}
