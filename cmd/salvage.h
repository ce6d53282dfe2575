/*
 * salvage.c: the longest prefix of whole, valid packets of a damaged
 * trace. reassemble --salvage runs the same walk over the chunks it kept.
 */
#ifndef SALVAGE_H
#define SALVAGE_H

#include <stdint.h>

#include "../lib/pbwalk.h"

/* wprof's opening: clock snapshot, system info, uuid, attributes, START. */
#define SALVAGE_OPENING_PACKETS	5

/* What was kept holds the opening: without it nothing is written. */
int salvage_enough(const struct pbwalk *);

/*
 * Walks the size bytes of fd from offset 0 as salvage does: w->good_end
 * and w->good_packets say what to keep, w->err why the rest goes. -1 on
 * trouble (e). The caller frees w with pbwalk_free().
 */
int salvage_walk_fd(int fd, uint64_t size, struct pbwalk *w,
    struct wperr *e);

#endif
