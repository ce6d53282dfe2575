/*
 * Unit tests of the reference sets (lib/pbref.c), printed as TAP: dense
 * ids, ids spread to hit the memory cap, and generations of interned data
 * as trace_processor v58.2 keeps them (proto_trace_reader.cc ParsePacket,
 * packet_sequence_state_builder.h, incremental_state.cc). Packets are
 * made by hand: their references, then their top-level fields, then
 * pbref_packet, as the walk does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/err.h"
#include "../lib/pbref.h"
#include "../lib/schema.h"

#define TAP_NAME "pbref"
#include "tap.h"

#define F_FLAGS	13	/* sequence_flags */
#define F_ISC	41	/* incremental_state_cleared */
#define F_LOST	42	/* previous_packet_dropped */
#define CLEARED	1	/* SEQ_INCREMENTAL_STATE_CLEARED */
#define NEEDS	2	/* SEQ_NEEDS_INCREMENTAL_STATE */
#define DEF(k)	((k) + SR_KINDS)

static struct pbref r;
static uint64_t npkt;

static void
use(unsigned kind, uint64_t id, uint64_t off)
{
	pbref_add(&r, kind, id, off);
}

static void
def(unsigned kind, uint64_t id)
{
	pbref_add(&r, DEF(kind), id, 0);
}

/* Ends a packet on sequence seq (none when seq is UINT64_MAX). */
static void
end(uint64_t seq)
{
	if (seq != UINT64_MAX)
		pbref_top(&r, 10, seq);
	pbref_packet(&r, seq == UINT64_MAX ? 0 : seq, npkt++);
}

/* A packet on seq with a top-level varint field = v. */
static void
end_with(uint64_t seq, uint32_t field, uint64_t v)
{
	pbref_top(&r, field, v);
	end(seq);
}

static void
clear(uint64_t seq)
{
	end_with(seq, F_FLAGS, CLEARED);
}

static void
start(void)
{
	pbref_free(&r);
	pbref_init(&r);
	npkt = 0;
}

/* The verdict: 0, or the error's code. */
static enum wperr_code
verdict(struct wperr *e)
{
	memset(e, 0, sizeof(*e));
	return pbref_resolve(&r, e) == 0 ? WPE_OK : e->code;
}

static void
test_dense(void)
{
	struct wperr e;
	uint64_t i;

	/* 200,000 frames and callstacks, past the old 196,608-id cap. */
	start();
	clear(7);
	for (i = 1; i <= 200000; i++)
		use(SR_USE_CALLSTACK, i, 100 + i);
	end(7);
	for (i = 1; i <= 200000; i++) {
		def(SR_USE_CALLSTACK, i);
		use(SR_USE_FRAME, i, 1000000 + i);
		if (i % 50000 == 0)
			end(7);
	}
	for (i = 1; i <= 200000; i++)
		def(SR_USE_FRAME, i);
	end(7);
	ok(verdict(&e) == WPE_OK && !r.capped && r.checked == 400000,
	    "200,000 dense callstacks and frames used before they are "
	    "defined: resolved, not capped");

	/* Defined first: nothing to log, the sets cost bits. */
	start();
	clear(7);
	for (i = 1; i <= 200000; i++)
		def(SR_USE_FRAME, i);
	end(7);
	for (i = 1; i <= 200000; i++) {
		use(SR_USE_FRAME, i, 1000000 + i);
		if (i % 50000 == 0)
			end(7);
	}
	ok(r.mem < 128 * 1024 && verdict(&e) == WPE_OK,
	    "200,000 dense frames: under 128 KiB of sets");

	/* 100,000 of each with frame 73457 never defined. */
	start();
	clear(7);
	for (i = 1; i <= 100000; i++)
		use(SR_USE_CALLSTACK, i, 100 + i);
	end(7);
	for (i = 1; i <= 100000; i++) {
		def(SR_USE_CALLSTACK, i);
		use(SR_USE_FRAME, i, 1000000 + i);
		if (i % 50000 == 0)
			end(7);
	}
	for (i = 1; i <= 100000; i++)
		if (i != 73457)
			def(SR_USE_FRAME, i);
	end(7);
	ok(verdict(&e) == WPE_MISSING_INTERNED &&
	    e.refkind == SR_USE_FRAME && e.refid == 73457 &&
	    e.refseq == 7 && e.off == 1073457 && e.index == 3 &&
	    e.refmissing == 1 && r.inexact == 0,
	    "one frame of 100,000 missing: named, with its first use");

	/* Uses spread over the 64-bit range but few: exact. */
	start();
	clear(7);
	for (i = 0; i < 64; i++)
		use(SR_USE_EVENT_NAME, (uint64_t)1 << i, 10 + i);
	for (i = 0; i < 64; i++)
		if (i != 40)
			def(SR_USE_EVENT_NAME, (uint64_t)1 << i);
	end(7);
	ok(verdict(&e) == WPE_MISSING_INTERNED && e.refid == 1ull << 40 &&
	    e.off == 50 && e.refmissing == 1,
	    "64 ids spread over 64 bits: 2^40 missing, found");
}

static void
test_hostile(void)
{
	struct wperr e;
	uint64_t i;

	/* Each id its own chunk: the cap comes first, then a note. */
	start();
	clear(7);
	for (i = 0; i < 100000; i++) {
		use(SR_USE_EVENT_NAME, i * 0x10000000001ull, i);
		if (i % 100 == 99)
			end(7);
	}
	end(7);
	ok(r.capped && r.mem <= PBREF_MEM_MAX,
	    "100,000 ids spread over 64 bits: capped within PBREF_MEM_MAX");
	ok(verdict(&e) == WPE_OK, "capped: no failure");

	/* Track uuids: a hash set, bounded the same way. */
	start();
	for (i = 1; i <= 2000000; i++) {
		use(SR_USE_TRACK, i * 0x9e3779b97f4a7c15ull, i);
		if (i % 1000 == 0)
			end(7);
	}
	end(7);
	ok(r.capped && r.mem <= PBREF_MEM_MAX && verdict(&e) == WPE_OK,
	    "2,000,000 track uuids: capped within PBREF_MEM_MAX, no failure");

	/* Many sequences, each with a clear. */
	start();
	for (i = 1; i <= 400000 && !r.capped; i++) {
		use(SR_USE_EVENT_NAME, 5, i);
		end_with(i, F_FLAGS, CLEARED);
	}
	ok(r.capped && r.mem <= PBREF_MEM_MAX && verdict(&e) == WPE_OK,
	    "400,000 sequences: capped within PBREF_MEM_MAX, no failure");

	/* One packet with more references than wait for its end. */
	start();
	clear(7);
	for (i = 0; i <= PBREF_PENDING_MAX; i++)
		use(SR_USE_EVENT_NAME, 1, i);
	end(7);
	ok(r.capped && verdict(&e) == WPE_OK,
	    "a packet with more references than PBREF_PENDING_MAX: capped, "
	    "no failure");
}

static void
test_generations(void)
{
	struct wperr e;

	/* Interned data before the first clear is ignored. */
	start();
	def(SR_USE_EVENT_NAME, 5);
	use(SR_USE_EVENT_NAME, 5, 10);
	end(7);
	clear(7);
	ok(verdict(&e) == WPE_MISSING_INTERNED && e.refid == 5 &&
	    e.off == 10 && e.index == 0 && e.refseq == 7,
	    "defined and used before any clear: missing");

	/* A use before the clear of what is defined after it. */
	start();
	use(SR_USE_CALLSTACK, 3, 10);
	end(7);
	clear(7);
	def(SR_USE_CALLSTACK, 3);
	end(7);
	ok(verdict(&e) == WPE_MISSING_INTERNED && e.refid == 3 &&
	    e.off == 10, "used before the clear, defined after: missing");

	/* The clearing packet's own interned data counts. */
	start();
	def(SR_USE_EVENT_NAME, 5);
	use(SR_USE_EVENT_NAME, 5, 10);
	clear(7);
	ok(verdict(&e) == WPE_OK, "defined in the clearing packet: resolved");

	/* Order inside a generation does not matter. */
	start();
	clear(7);
	use(SR_USE_CALLSTACK, 3, 10);
	end(7);
	def(SR_USE_CALLSTACK, 3);
	end(7);
	ok(verdict(&e) == WPE_OK,
	    "used first, defined at the end of the generation: resolved");

	/* A later generation does not see the earlier one's data. */
	start();
	clear(7);
	def(SR_USE_FRAME, 9);
	use(SR_USE_FRAME, 9, 20);
	end(7);
	clear(7);
	use(SR_USE_FRAME, 9, 40);
	end(7);
	ok(verdict(&e) == WPE_MISSING_INTERNED && e.refid == 9 &&
	    e.off == 40 && e.index == 3 && e.refmissing == 1,
	    "defined in generation 1, used in generation 2: missing");

	/* Nor an earlier the later's. */
	start();
	clear(7);
	use(SR_USE_FRAME, 9, 20);
	end(7);
	clear(7);
	def(SR_USE_FRAME, 9);
	end(7);
	ok(verdict(&e) == WPE_MISSING_INTERNED && e.off == 20,
	    "used in generation 1, defined in generation 2: missing");

	/* The old field 41 clears too; the last sequence_flags counts. */
	start();
	end_with(7, F_ISC, 1);
	def(SR_USE_EVENT_NAME, 5);
	use(SR_USE_EVENT_NAME, 5, 10);
	end(7);
	ok(verdict(&e) == WPE_OK, "incremental_state_cleared (41) clears");
	start();
	pbref_top(&r, F_FLAGS, CLEARED);
	end_with(7, F_FLAGS, 0);
	def(SR_USE_EVENT_NAME, 5);
	use(SR_USE_EVENT_NAME, 5, 10);
	end(7);
	ok(verdict(&e) == WPE_MISSING_INTERNED,
	    "sequence_flags 1 then 0: the last one counts, no clear");
	start();
	end_with(7, F_FLAGS, 0x100000001ull);
	def(SR_USE_EVENT_NAME, 5);
	use(SR_USE_EVENT_NAME, 5, 10);
	end(7);
	ok(verdict(&e) == WPE_OK,
	    "sequence_flags is a uint32: 2^32 + 1 clears");

	/* A clear or interned data without a sequence id is ignored. */
	start();
	clear(0);
	end_with(UINT64_MAX, F_FLAGS, CLEARED);
	def(SR_USE_EVENT_NAME, 5);
	end(UINT64_MAX);
	use(SR_USE_EVENT_NAME, 5, 30);
	end(UINT64_MAX);
	ok(verdict(&e) == WPE_MISSING_INTERNED && e.off == 30 &&
	    e.refseq == 0, "interned data in a packet without a sequence id "
	    "is ignored");
	start();
	clear(0);
	def(SR_USE_EVENT_NAME, 5);
	end(0);
	use(SR_USE_EVENT_NAME, 5, 30);
	end(UINT64_MAX);
	ok(verdict(&e) == WPE_OK, "a use without a sequence id resolves "
	    "on sequence 0, defined with an explicit 0");

	/* trusted_packet_sequence_id is a uint32. */
	start();
	clear(7);
	def(SR_USE_EVENT_NAME, 5);
	end(7);
	use(SR_USE_EVENT_NAME, 5, 30);
	end(((uint64_t)1 << 32) + 7);
	ok(verdict(&e) == WPE_OK, "sequence 2^32 + 7 is sequence 7");

	/* A loss: defined before it counts, defined after it does not. */
	start();
	clear(7);
	def(SR_USE_EVENT_NAME, 1);
	end(7);
	end_with(7, F_LOST, 1);
	def(SR_USE_EVENT_NAME, 2);
	end(7);
	use(SR_USE_EVENT_NAME, 1, 50);
	use(SR_USE_EVENT_NAME, 2, 51);
	end(7);
	ok(verdict(&e) == WPE_MISSING_INTERNED && e.refid == 2 &&
	    e.off == 51, "after previous_packet_dropped, new interned data "
	    "is ignored until the next clear");
	start();
	clear(7);
	end_with(7, F_LOST, 1);
	clear(7);
	def(SR_USE_EVENT_NAME, 2);
	use(SR_USE_EVENT_NAME, 2, 51);
	end(7);
	ok(verdict(&e) == WPE_OK, "a clear after a loss makes it valid");

	/* Redefinition: the first content stays, the use resolves. */
	start();
	clear(7);
	def(SR_USE_EVENT_NAME, 5);
	end(7);
	def(SR_USE_EVENT_NAME, 5);
	use(SR_USE_EVENT_NAME, 5, 10);
	end(7);
	ok(verdict(&e) == WPE_OK && r.redefined == 1,
	    "an iid defined twice in a generation: resolved, counted");
	start();
	clear(7);
	def(SR_USE_EVENT_NAME, 5);
	end(7);
	clear(7);
	def(SR_USE_EVENT_NAME, 5);
	use(SR_USE_EVENT_NAME, 5, 10);
	end(7);
	ok(verdict(&e) == WPE_OK && r.redefined == 0,
	    "the same iid in two generations is no redefinition");

	/* The first missing use by offset, over sequences and generations. */
	start();
	clear(7);
	clear(8);
	use(SR_USE_EVENT_NAME, 1, 100);
	end(7);
	clear(7);
	use(SR_USE_EVENT_NAME, 2, 200);
	end(7);
	use(SR_USE_EVENT_NAME, 3, 50);
	use(SR_USE_EVENT_NAME, 3, 300);
	use(SR_USE_MAPPING, 4, 60);
	end(8);
	ok(verdict(&e) == WPE_MISSING_INTERNED && e.refid == 3 &&
	    e.refseq == 8 && e.off == 50 && e.refmissing == 3,
	    "the first missing use by offset; distinct missing ids of its "
	    "kind counted over all generations");

	/* Track uuids are one set over the file, whatever the generation. */
	start();
	use(SR_USE_TRACK, 77, 10);
	end(7);
	clear(7);
	def(SR_USE_TRACK, 77);
	end(9);
	ok(verdict(&e) == WPE_OK, "a track uuid resolves across sequences "
	    "and generations");
	start();
	clear(7);
	use(SR_USE_TRACK, 78, 10);
	use(SR_USE_EVENT_NAME, 1, 20);
	end(7);
	ok(verdict(&e) == WPE_MISSING_TRACK && e.refid == 78 && e.off == 10,
	    "a missing track used before a missing name comes first");
	/* A packet trace_processor drops does not describe a track. */
	start();
	def(SR_USE_TRACK, 77);
	end_with(7, F_FLAGS, NEEDS);
	use(SR_USE_TRACK, 77, 10);
	end(7);
	ok(verdict(&e) == WPE_MISSING_TRACK,
	    "a descriptor in a packet that needs state before any clear is "
	    "dropped");
}

static void
test_log(void)
{
	struct wperr e;
	uint64_t i, n = 400000;

	/*
	 * More first uses than the log holds: the ones logged are defined
	 * later, the missing one is used after the log filled.
	 */
	start();
	clear(7);
	for (i = 1; i <= n; i++) {
		use(SR_USE_CALLSTACK, i, 1000 + i);
		if (i % 1000 == 0)
			end(7);
	}
	end(7);
	for (i = 1; i <= n; i++) {
		def(SR_USE_CALLSTACK, i);
		if (i % 100000 == 0)
			end(7);
	}
	use(SR_USE_CALLSTACK, n + 1, 5000000);
	end(7);
	ok(!r.capped && verdict(&e) == WPE_MISSING_INTERNED &&
	    e.refid == n + 1 && r.inexact == 1 && e.off <= 5000000 &&
	    e.what != NULL && strcmp(e.what, "first used at or after") == 0,
	    "a missing id past a full log: found, its use placed no later "
	    "than it was");
}

static void
test_reset(void)
{
	struct wperr e;
	uint64_t i;

	start();
	clear(7);
	def(SR_USE_EVENT_NAME, 5);
	end(7);
	pbref_reset(&r);
	clear(7);
	use(SR_USE_EVENT_NAME, 5, 10);
	end(7);
	ok(verdict(&e) == WPE_MISSING_INTERNED,
	    "after a reset nothing of the trace before is defined");

	start();
	clear(7);
	for (i = 1; i <= 100000; i++)
		use(SR_USE_CALLSTACK, i * 4096, i);
	end(7);
	pbref_reset(&r);
	ok(r.mem <= PBREF_KEEP && r.pendcap * sizeof(*r.pend) <= PBREF_KEEP,
	    "a reset keeps at most PBREF_KEEP bytes");
	clear(7);
	def(SR_USE_EVENT_NAME, 5);
	use(SR_USE_EVENT_NAME, 5, 10);
	end(7);
	ok(verdict(&e) == WPE_OK && !r.capped && r.checked == 1,
	    "after a capped trace and a reset, the next one is checked");

	/* A move hands the sets over, emptied; the source is left empty. */
	{
		struct pbref keep;

		pbref_init(&keep);
		start();
		clear(7);
		def(SR_USE_EVENT_NAME, 5);
		end(7);
		pbref_move(&keep, &r);
		ok(r.nseq == 0 && r.mem == 0 && keep.nseq == 0 &&
		    keep.pend != NULL, "a move empties both, keeps allocations");
		pbref_move(&r, &keep);
		clear(7);
		use(SR_USE_EVENT_NAME, 5, 10);
		end(7);
		ok(verdict(&e) == WPE_MISSING_INTERNED && keep.pend == NULL,
		    "moved back: nothing of before is defined");
		pbref_free(&keep);
	}
	pbref_free(&r);
}

int
main(void)
{
	pbref_init(&r);
	test_dense();
	test_hostile();
	test_generations();
	test_log();
	test_reset();
	pbref_free(&r);
	return tap_done();
}
