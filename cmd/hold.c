#include <err.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "../lib/wprofck.h"

/*
 * Bytes held back until a verdict on them is known: the first HOLD_MEM
 * bytes in memory, the rest in an unlinked spool file, so holding a 16 MiB
 * frame costs no 16 MiB allocation.
 */
#define HOLD_MEM (1u << 20)

int
hold_init(struct hold *h, struct wperr *e)
{
	memset(h, 0, sizeof(*h));
	h->spool = -1;
	if ((h->mem = malloc(HOLD_MEM)) == NULL) {
		return wperr_sys(e, "malloc");
	}
	return 0;
}

/*
 * The start of extract and split: a hold and a read buffer of len bytes.
 * Returns the buffer, or NULL after a warning.
 */
unsigned char *
hold_with_buffer(struct hold *h, size_t len, const char *outname)
{
	unsigned char *buf;
	struct wperr e;

	if ((buf = malloc(len)) == NULL) {
		warn(NULL);
		return NULL;
	}
	if (hold_init(h, &e) == -1) {
		free(buf);
		warn_wperr(outname, &e);
		return NULL;
	}
	return buf;
}

int
hold_add(struct hold *h, const void *buf, size_t len, struct wperr *e)
{
	size_t n = HOLD_MEM - h->memlen;

	if (n > len)
		n = len;
	memcpy(h->mem + h->memlen, buf, n);
	h->memlen += n;
	if (n == len)
		return 0;
	if (h->spool == -1 && (h->spool = spool_open(e)) == -1)
		return -1;
	if (write_full(h->spool, (const char *)buf + n, len - n) == -1) {
		return wperr_sys(e, "write spool file");
	}
	h->spooled += len - n;
	return 0;
}

/* Writes what is held to fd and empties the hold. */
int
hold_flush(struct hold *h, int fd, struct wperr *e)
{
	if (write_full(fd, h->mem, h->memlen) == -1) {
		return wperr_sys(e, "write");
	}
	if (h->spooled > 0 && fd_copy(h->spool, fd, h->spooled, e) == -1)
		return -1;
	return hold_reset(h, e);
}

int
hold_reset(struct hold *h, struct wperr *e)
{
	h->memlen = 0;
	if (h->spooled > 0) {
		h->spooled = 0;
		if (ftruncate(h->spool, 0) == -1 ||
		    lseek(h->spool, 0, SEEK_SET) == -1) {
			return wperr_sys(e, "truncate spool file");
		}
	}
	return 0;
}

void
hold_free(struct hold *h)
{
	free(h->mem);
	if (h->spool != -1)
		close(h->spool);
	h->mem = NULL;
	h->spool = -1;
}
