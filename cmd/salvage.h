/*
 * salvage.c: the longest prefix of whole, valid packets of a damaged
 * trace. reassemble --salvage runs the same walk over the chunks it kept.
 */
#ifndef SALVAGE_H
#define SALVAGE_H

#include <stdint.h>

#include "../lib/artifact.h"
#include "../lib/pbwalk.h"
#include "../lib/prune.h"
#include "../lib/pump.h"

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

/*
 * What was kept, once cut, must pass check: the output is checked deep,
 * and when uses dangle (their definitions were in what was dropped) it is
 * rewritten without them (lib/prune.h) and checked again.
 */
struct salvage_mend {
	struct artifact_result saved;	/* the deep check of what was kept */
	int checked;		/* saved is set */
	struct prune pr;	/* what the rewrite removed */
	int pruned;		/* the output was rewritten */
	enum prune_err perr;	/* the rewrite could not be done */
	uint64_t perr_at;
	int unfixed;		/* the rewrite still fails: saved.err */
};

void salvage_mend_init(struct salvage_mend *);
void salvage_mend_free(struct salvage_mend *);
/*
 * Checks p's output and mends it: PUMP_DONE when it is fit to commit,
 * PUMP_BAD when the rewrite could not be done or did not pass
 * (salvage_say_unmended() says why), PUMP_FAIL on trouble (p->err). refs
 * are reference sets whose walk is over, used again.
 */
enum pump_verdict salvage_mend(struct pump *, struct pbref *refs,
    struct salvage_mend *);
/* Says why the mend left nothing to write; 0 when it did not fail so. */
int salvage_say_unmended(const struct pump *, const struct salvage_mend *);
/* Says what the rewrite removed; call it when m->pruned. */
void salvage_say_removed(const struct pump *, const struct salvage_mend *);

#endif
