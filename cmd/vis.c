#include <stdlib.h>
#include <vis.h>

#include "vis.h"

/* Every copy, so that none is lost: a command makes a handful. */
struct vis_copy {
	struct vis_copy *next;
	char *s;
};

static struct vis_copy *copies;

const char *
msg_vis(const char *s)
{
	struct vis_copy *c;
	char *v;

	if (s == NULL)
		return "(null)";
	if ((c = malloc(sizeof(*c))) == NULL)
		return "(out of memory)";
	if (stravis(&v, s, VIS_CSTYLE | VIS_OCTAL | VIS_TAB | VIS_NL) == -1) {
		free(c);
		return "(out of memory)";
	}
	c->s = v;
	c->next = copies;
	copies = c;
	return v;
}
