/*
 * Unit tests of the pruning of lost references (lib/prune.c), printed as
 * TAP. Packets and the bytes expected after pruning are spelled out by
 * hand from the field numbers of perfetto_trace.proto (TracePacket
 * trusted_packet_sequence_id 10, sequence_flags 13, interned_data 12,
 * track_event 11; TrackEvent type 9, name_iid 10, track_uuid 11,
 * categories 22, debug_annotations 4, callstack_iid 56; InternedData
 * event_names 2; EventName iid 1; DebugAnnotation name_iid 1, int_value
 * 4), not by the code under test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/prune.h"

#define TAP_NAME "prune"
#include "tap.h"

static unsigned char out[4096];
static size_t outlen;

static int
put(void *arg, const void *b, size_t n)
{
	(void)arg;
	if (n > sizeof(out) - outlen)
		return -1;
	memcpy(out + outlen, b, n);
	outlen += n;
	return 0;
}

struct pkt {
	const unsigned char *b;
	size_t n;
};

/* Runs the three passes over the bodies of n packets. */
static int
run(struct prune *pr, const struct pkt *p, size_t n)
{
	static const enum prune_pass passes[] = {
		PRUNE_TRACKS, PRUNE_DEFS, PRUNE_WRITE
	};
	size_t i, j;

	outlen = 0;
	pr->put = put;
	for (j = 0; j < 3; j++) {
		prune_start(pr, passes[j]);
		for (i = 0; i < n; i++)
			if (prune_packet(pr, p[i].b, p[i].n) != PRUNE_OK)
				return -1;
	}
	return 0;
}

int
main(void)
{
	/* Sequence 7 cleared; event name iid 5 defined. */
	static const unsigned char a[] = {
		0x50, 0x07, 0x68, 0x01, 0x62, 0x04, 0x12, 0x02, 0x08, 0x05
	};
	/* name_iid 5, callstack_iid 9, an annotation named by iid 2. */
	static const unsigned char b[] = {
		0x50, 0x07, 0x5a, 0x0d, 0x48, 0x03, 0x50, 0x05, 0xc0, 0x03,
		0x09, 0x22, 0x04, 0x08, 0x02, 0x20, 0x01
	};
	static const unsigned char b_want[] = {
		0x0a, 0x08, 0x50, 0x07, 0x5a, 0x04, 0x48, 0x03, 0x50, 0x05
	};
	/* On track 77, which nothing describes. */
	static const unsigned char c[] = { 0x50, 0x07, 0x5a, 0x02, 0x58, 0x4d };
	unsigned char big[160], want[160];
	struct prune pr;
	struct pkt p[3];
	size_t n;

	prune_init(&pr);
	p[0].b = a;
	p[0].n = sizeof(a);
	p[1].b = b;
	p[1].n = sizeof(b);
	p[2].b = c;
	p[2].n = sizeof(c);
	ok(run(&pr, p, 3) == 0, "three packets pruned");
	ok(outlen == 2 + sizeof(a) + sizeof(b_want), "the output's size");
	ok(outlen >= 2 && out[0] == 0x0a && out[1] == sizeof(a) &&
	    memcmp(out + 2, a, sizeof(a)) == 0, "a packet with nothing lost "
	    "is copied");
	ok(outlen == 2 + sizeof(a) + sizeof(b_want) &&
	    memcmp(out + 2 + sizeof(a), b_want, sizeof(b_want)) == 0,
	    "callstack_iid and the annotation dropped, name_iid kept, "
	    "lengths encoded again");
	ok(pr.dropped[SR_USE_CALLSTACK] == 1, "one callstack iid removed");
	ok(pr.dropped_annotations == 1, "one annotation removed");
	ok(pr.dropped_packets == 1, "the event on track 77 dropped whole");
	ok(pr.rewritten == 1, "one packet rewritten");
	ok(prune_removed(&pr) == 3, "three removals in all");

	/*
	 * A TrackEvent of 136 bytes (a two-byte length) that loses its
	 * callstack_iid (3 bytes) and its annotation (6): 127 bytes, a
	 * one-byte length, and the packet's length one less again.
	 */
	memcpy(big, (const unsigned char[]){ 0x50, 0x07, 0x5a, 0x88, 0x01 },
	    5);
	memcpy(big + 5, b + 4, 13);
	big[18] = 0xb2;		/* categories: field 22, wire type 2 */
	big[19] = 0x01;
	big[20] = 120;
	memset(big + 21, 'x', 120);
	n = 141;
	memcpy(want, (const unsigned char[]){ 0x0a, 0x83, 0x01, 0x50, 0x07,
	    0x5a, 0x7f, 0x48, 0x03, 0x50, 0x05, 0xb2, 0x01, 120 }, 14);
	memset(want + 14, 'x', 120);
	p[1].b = big;
	p[1].n = n;
	ok(run(&pr, p, 2) == 0, "a long event pruned");
	ok(outlen == 2 + sizeof(a) + 134 &&
	    memcmp(out + 2 + sizeof(a), want, 134) == 0,
	    "two-byte lengths become one-byte ones");

	/* Without the clear, the definition does not count: name_iid goes. */
	p[0].b = a;
	p[0].n = 4;		/* sequence 7, sequence_flags 1 only */
	p[1].b = b;
	p[1].n = sizeof(b);
	ok(run(&pr, p, 2) == 0 && pr.dropped[SR_USE_EVENT_NAME] == 1 &&
	    pr.dropped[SR_USE_CALLSTACK] == 1,
	    "an undefined name iid is removed too");
	prune_free(&pr);
	return tap_done();
}
