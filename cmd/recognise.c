#include <err.h>

#include "recognise.h"
#include "run.h"

enum recognise_verdict
recognise(struct recognise *g, struct pump *p, const unsigned char *buf,
    size_t len, int eof)
{
	char msg[512];

	if (g->done)
		return RECOGNISE_GO;
	if (len < SNIFF_HEAD && !eof)
		return RECOGNISE_WAIT;
	g->done = 1;
	sniff_head(buf, len, &g->s);
	if ((g->refuse & RECOGNISE_KIND(g->s.kind)) == 0 ||
	    hint_input(&g->s, g->reads, g->path, g->cmd, msg,
	    sizeof(msg)) == NULL)
		return RECOGNISE_GO;
	p->keep_bad = 0;
	run_clear_progress(p);
	warnx("%s: %s", p->name, msg);
	return RECOGNISE_WRONG;
}
