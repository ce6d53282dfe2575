/*
 * Unit tests for lib/sem.c, printed as TAP: event sequences as a walker
 * would feed them, one rule of trace_processor v58.2 broken (or kept) by
 * each, and the verdict expected. Field numbers are written here from
 * perfetto_trace.proto, not taken from the code under test.
 */
#include <stdio.h>
#include <string.h>

#include "../lib/sem.h"

#define TAP_NAME "unit_sem"
#include "tap.h"

static struct sem s;
static uint64_t npkt;

static void
begin(void)
{
	sem_packet_begin(&s, 100 * npkt, npkt, 50);
	npkt++;
}

static void
end(void)
{
	sem_packet_end(&s);
}

/* A TracePacket with a TrackEvent; ts or seq 0 leave the field out. */
static void
te_packet(uint64_t ts, int has_ts, int has_seq)
{
	begin();
	if (has_ts)
		sem_field(&s, 8, ts);
	if (has_seq)
		sem_field(&s, 10, 7);
	sem_msg_begin(&s, SEM_M_TRACK_EVENT, 11, 0);
	sem_field(&s, 9, 3);
	sem_field(&s, 11, 12);
	sem_msg_end(&s, SEM_M_TRACK_EVENT);
	end();
}

/*
 * A TrackEvent of type (1 BEGIN, 2 END, 3 INSTANT) on track uuid, n times;
 * uuid 0 leaves track_uuid (field 11) out.
 */
static void
slices(int type, uint64_t uuid, int n)
{
	while (n-- > 0) {
		begin();
		sem_field(&s, 8, 1000 + npkt);
		sem_field(&s, 10, 7);
		sem_msg_begin(&s, SEM_M_TRACK_EVENT, 11, 0);
		sem_field(&s, 9, (uint64_t)type);
		if (uuid)
			sem_field(&s, 11, uuid);
		sem_msg_end(&s, SEM_M_TRACK_EVENT);
		end();
	}
}

/* A track descriptor; thread 1 adds a ThreadDescriptor of pid and tid. */
static void
td_packet(uint64_t uuid, uint64_t parent, int thread, uint64_t pid,
    uint64_t tid)
{
	begin();
	sem_field(&s, 10, 7);
	sem_msg_begin(&s, SEM_M_TRACK_DESCRIPTOR, 60, 0);
	if (uuid)
		sem_field(&s, 1, uuid);
	if (parent)
		sem_field(&s, 5, parent);
	if (thread) {
		sem_msg_begin(&s, SEM_M_THREAD_DESCRIPTOR, 4, 0);
		if (pid)
			sem_field(&s, 1, pid);
		if (tid)
			sem_field(&s, 2, tid);
		sem_msg_end(&s, SEM_M_THREAD_DESCRIPTOR);
	}
	sem_msg_end(&s, SEM_M_TRACK_DESCRIPTOR);
	end();
}

static void
clock_packet(uint64_t boot, uint64_t real, int boot_twice)
{
	int i;

	begin();
	sem_msg_begin(&s, SEM_M_CLOCK_SNAPSHOT, 6, 0);
	for (i = 0; i < 1 + boot_twice; i++) {
		sem_msg_begin(&s, SEM_M_CLOCK, 1, 0);
		sem_field(&s, 1, 6);
		sem_field(&s, 2, boot);
		sem_msg_end(&s, SEM_M_CLOCK);
	}
	sem_msg_begin(&s, SEM_M_CLOCK, 1, 0);
	sem_field(&s, 1, 1);
	sem_field(&s, 2, real);
	sem_msg_end(&s, SEM_M_CLOCK);
	sem_msg_end(&s, SEM_M_CLOCK_SNAPSHOT);
	end();
}

static void
uname_packet(const char *release)
{
	begin();
	sem_msg_begin(&s, SEM_M_UTSNAME, 2, 0);
	sem_bytes(&s, 3, (const uint8_t *)release, strlen(release));
	sem_msg_end(&s, SEM_M_UTSNAME);
	end();
}

/*
 * An ftrace bundle on cpu (none when cpu is -1) with a compact_sched of n
 * switches; short_field drops one element of that array, comm is every
 * comm index, state every prev_state, and the table has 2 entries.
 */
static void
ftrace_packet(long cpu, int n, uint32_t short_field, uint64_t comm,
    uint64_t state)
{
	static const uint32_t arrays[] = { 1, 2, 3, 4, 6 };
	size_t a;
	int i;

	begin();
	sem_field(&s, 10, 7);
	sem_msg_begin(&s, SEM_M_FTRACE_BUNDLE, 1, 0);
	if (cpu >= 0)
		sem_field(&s, 1, (uint64_t)cpu);
	sem_msg_begin(&s, SEM_M_COMPACT_SCHED, 4, 0);
	for (a = 0; a < sizeof(arrays) / sizeof(arrays[0]); a++)
		for (i = 0; i < n - (arrays[a] == short_field); i++)
			sem_field(&s, arrays[a], arrays[a] == 6 ? comm :
			    arrays[a] == 2 ? state : 1000);
	/* after the arrays: the table counts whole, as Perfetto builds it */
	sem_bytes(&s, 5, (const uint8_t *)"a", 1);
	sem_bytes(&s, 5, (const uint8_t *)"b", 1);
	sem_msg_end(&s, SEM_M_COMPACT_SCHED);
	sem_msg_end(&s, SEM_M_FTRACE_BUNDLE);
	end();
}

static void
fresh(void)
{
	sem_free(&s);
	sem_init(&s);
	npkt = 0;
}

/* Exactly one finding, of reason r, about id (id ~0: any). */
static int
only(enum sem_reason r, uint64_t id)
{
	sem_finish(&s);
	return s.nfound == 1 && s.found[0].reason == r &&
	    (id == ~(uint64_t)0 || s.found[0].id == id);
}

static int
clean(void)
{
	sem_finish(&s);
	return s.nfound == 0;
}

int
main(void)
{
	int i;

	sem_init(&s);
	ok(sem_msg_by_name("TrackEvent") == SEM_M_TRACK_EVENT &&
	    sem_msg_by_name("ClockSnapshot.Clock") == SEM_M_CLOCK &&
	    sem_msg_by_name("DebugAnnotation") == SEM_M_NONE &&
	    sem_msg_by_name("TracePacket") == SEM_M_NONE,
	    "messages wanted by schema name");
	for (i = SEM_M_NONE + 1; i < SEM_M_COUNT; i++)
		if (i != SEM_M_PACKET && (sem_msg_name((enum sem_msg)i) ==
		    NULL || sem_msg_by_name(sem_msg_name((enum sem_msg)i)) !=
		    (enum sem_msg)i))
			break;
	ok(i == SEM_M_COUNT && sem_msg_name(SEM_M_NONE) == NULL &&
	    sem_msg_name(SEM_M_PACKET) == NULL,
	    "sem_msg_name names each wanted message by its schema name");

	fresh();
	clock_packet(0, 1795963201358955928ULL, 0);
	uname_packet("6.18.44-fc-v769");
	td_packet(12, 0, 0, 0, 0);
	td_packet(491, 0, 1, 1, 70);
	td_packet(493, 491, 0, 0, 0);
	td_packet(493, 491, 0, 0, 0);
	te_packet(121863466, 1, 1);
	ftrace_packet(1, 5, 0, 1, 0x100);
	clock_packet(5, 1795963201358955933ULL, 0);
	ok(clean(), "a trace as wprof writes it: no finding");

	fresh();
	te_packet(5, 1, 0);
	ok(only(SEM_TE_NO_SEQUENCE, 0), "TrackEvent without sequence id");
	ok(s.found[0].packet == 0 && s.found[0].off == 0,
	    "the finding names packet and offset");

	fresh();
	begin();
	sem_field(&s, 13, 1);
	sem_msg_begin(&s, SEM_M_INTERNED_DATA, 12, 0);
	sem_msg_end(&s, SEM_M_INTERNED_DATA);
	end();
	sem_finish(&s);
	ok(s.nfound == 2 && s.found[0].reason == SEM_CLEARED_NO_SEQUENCE &&
	    s.found[1].reason == SEM_INTERNED_NO_SEQUENCE,
	    "CLEARED and interned data without sequence id");

	fresh();
	begin();
	sem_field(&s, 10, 7);
	sem_field(&s, 13, 3);
	sem_msg_begin(&s, SEM_M_INTERNED_DATA, 12, 0);
	sem_msg_end(&s, SEM_M_INTERNED_DATA);
	end();
	ok(clean(), "CLEARED and interned data on sequence 7");

	fresh();
	te_packet(0, 0, 1);
	ok(only(SEM_TE_NO_TIMESTAMP, 0), "TrackEvent without timestamp");

	fresh();
	te_packet(0, 1, 1);
	ok(clean(), "timestamp 0 is a timestamp");

	fresh();
	te_packet((uint64_t)0 - 710626729, 1, 1);
	ok(only(SEM_TE_NEGATIVE_TS, ~(uint64_t)0) &&
	    s.found[0].value == (uint64_t)0 - 710626729,
	    "TrackEvent timestamp >= 2^63 (an underflow)");

	fresh();
	te_packet((uint64_t)1 << 63, 1, 1);
	ok(only(SEM_TE_NEGATIVE_TS, ~(uint64_t)0), "timestamp 2^63 exactly");

	fresh();
	te_packet(((uint64_t)1 << 63) - 1, 1, 1);
	ok(clean(), "timestamp 2^63 - 1 is fine");

	fresh();
	td_packet(0, 0, 0, 0, 0);
	ok(only(SEM_TD_NO_UUID, 0), "track descriptor without uuid");

	fresh();
	td_packet(491, 0, 1, 1, 0);
	ok(only(SEM_TD_THREAD_NO_IDS, 491), "thread descriptor without tid");

	fresh();
	td_packet(491, 0, 1, 1, 70);
	td_packet(491, 0, 1, 1, 691);
	ok(only(SEM_TD_CONFLICT, 491) && s.found[0].value == 691 &&
	    s.found[0].other == 70 && s.found[0].packet == 1,
	    "thread described twice with different tids");

	fresh();
	td_packet(493, 491, 0, 0, 0);
	td_packet(491, 0, 1, 1, 70);
	td_packet(493, 12, 0, 0, 0);
	td_packet(12, 0, 0, 0, 0);
	ok(only(SEM_TD_CONFLICT, 493), "same uuid, another parent");

	fresh();
	td_packet(493, 491, 0, 0, 0);
	td_packet(491, 0, 1, 1, 70);
	ok(clean(), "a parent described after its child");

	fresh();
	td_packet(493, 493, 0, 0, 0);
	ok(only(SEM_TRACK_LOOP, 493), "a track its own parent");

	fresh();
	td_packet(493, 491, 0, 0, 0);
	td_packet(491, 493, 1, 1, 70);
	sem_finish(&s);
	ok(s.nfound == 2 && s.found[0].reason == SEM_TRACK_LOOP &&
	    s.found[1].reason == SEM_TRACK_LOOP, "a loop of two tracks");

	fresh();
	td_packet(493, 541166008776ULL, 0, 0, 0);
	ok(only(SEM_TRACK_NO_PARENT, 493) &&
	    s.found[0].value == 541166008776ULL,
	    "a parent never described");

	fresh();
	for (i = 1; i <= 101; i++)
		td_packet((uint64_t)i, (uint64_t)i - 1, 0, 0, 0);
	sem_finish(&s);
	ok(s.count[SEM_TRACK_TOO_DEEP] == 2 &&
	    s.count[SEM_TRACK_LOOP] == 0, "101 ancestors: too deep");

	fresh();
	for (i = 1; i <= 99; i++)
		td_packet((uint64_t)i, (uint64_t)i - 1, 0, 0, 0);
	ok(clean(), "99 ancestors: fine");

	fresh();
	clock_packet(0, 100, 1);
	ok(only(SEM_CLOCK_DUPLICATE, 6), "BOOTTIME listed twice");

	fresh();
	clock_packet(1729763504, 100, 0);
	clock_packet(0, 100, 0);
	ok(only(SEM_CLOCK_BACKWARDS, 6) && s.found[0].packet == 1 &&
	    s.found[0].other == 1729763504, "BOOTTIME going backwards");

	fresh();
	clock_packet(0, 100, 0);
	clock_packet(0, 100, 0);
	ok(clean(), "BOOTTIME standing still");

	fresh();
	ftrace_packet(-1, 3, 0, 0, 0);
	ok(only(SEM_FTRACE_NO_CPU, 0), "ftrace bundle without cpu");

	fresh();
	ftrace_packet(1024, 3, 0, 0, 0);
	ok(only(SEM_FTRACE_CPU_RANGE, 1024), "ftrace bundle on cpu 1024");

	fresh();
	ftrace_packet(1023, 3, 0, 0, 0);
	ok(clean(), "ftrace bundle on cpu 1023");

	for (i = 1; i <= 6; i++) {
		char what[64];

		if (i == 5)
			continue;
		fresh();
		ftrace_packet(0, 4, (uint32_t)i, 0, 0);
		snprintf(what, sizeof(what), "compact_sched field %d one short",
		    i);
		ok(only(SEM_COMPACT_LENGTH, ~(uint64_t)0), what);
	}

	fresh();
	ftrace_packet(0, 4, 0, 2, 0);
	ok(only(SEM_COMPACT_COMM, ~(uint64_t)0) && s.found[0].value == 2 &&
	    s.found[0].other == 2, "comm index past the intern table");

	fresh();
	uname_packet("6.18.44-fc-v769");
	ftrace_packet(0, 4, 0, 0, 0x800);
	ok(only(SEM_PREV_STATE, ~(uint64_t)0), "prev_state 0x800 on 6.18");

	fresh();
	uname_packet("6.18.44-fc-v769");
	ftrace_packet(0, 4, 0, 0, 0x10001);
	ok(clean(), "prev_state is cut to 16 bits");

	fresh();
	ftrace_packet(0, 4, 0, 0, 0x800);
	ok(clean(), "prev_state 0x800, kernel unknown (4.4 assumed)");

	fresh();
	uname_packet("4.9.0");
	ftrace_packet(0, 4, 0, 0, 0x800);
	ok(clean(), "prev_state 0x800 on 4.9");

	/* slice_tracker.cc:138, kMaxDepth 512 (slice_tracker.h:43). */
	fresh();
	slices(1, 40, 512);
	ok(clean(), "512 slices open on one track: fine");
	slices(1, 40, 1);
	ok(only(SEM_SLICE_TOO_DEEP, 40) && s.found[0].value == 512 &&
	    s.found[0].other == 512 && s.found[0].packet == 512,
	    "a 513th slice open on one track");
	fresh();
	slices(1, 40, 512);
	slices(3, 40, 1);
	ok(only(SEM_SLICE_TOO_DEEP, 40), "an instant under 512 open slices");
	fresh();
	slices(1, 40, 512);
	slices(2, 40, 1);
	slices(1, 40, 1);
	slices(3, 41, 1);
	ok(clean(), "an END makes room; an instant on another track is fine");
	fresh();
	slices(2, 40, 5);
	slices(1, 40, 512);
	ok(clean(), "ENDs with nothing open are ignored, not counted below 0");
	fresh();
	slices(1, 40, 300);
	slices(1, 41, 300);
	td_packet(40, 0, 0, 0, 0);
	ok(clean() && s.sum.threads == 0,
	    "slices per track; a track described after its slices");
	fresh();
	slices(1, 0, 513);
	ok(only(SEM_SLICE_TOO_DEEP, 0), "events without track_uuid: one track");
	fresh();
	slices(1, 46, 3);
	td_packet(45, 46, 0, 0, 0);
	ok(only(SEM_TRACK_NO_PARENT, 45),
	    "a track that only holds slices is no parent");
	fresh();
	for (i = 1; i <= (int)SEM_TRACKS_MAX + 1; i++)
		slices(1, (uint64_t)i, 1);
	td_packet(45, 46, 0, 0, 0);
	sem_finish(&s);
	ok(s.nfound == 1 && s.found[0].reason == SEM_NOTE_TRACKS_UNCHECKED &&
	    s.found[0].id == SEM_TRACKS_MAX + 1,
	    "past the tracks' bound: a note, and no track fails");

	fresh();
	sem_packet_begin(&s, 0, 0, (64u << 20) + 1);
	sem_packet_end(&s);
	sem_finish(&s);
	ok(s.nfound == 1 && s.found[0].reason == SEM_NOTE_BIG_PACKET &&
	    sem_is_note(s.found[0].reason), "a packet over 64 MiB: a note");

	fresh();
	begin();
	for (i = 0; i < SEM_DEPTH_MAX + 2; i++)
		sem_msg_begin(&s, SEM_M_UTSNAME, 2, 0);
	for (i = 0; i < SEM_DEPTH_MAX + 2; i++)
		sem_msg_end(&s, SEM_M_UTSNAME);
	end();
	sem_finish(&s);
	ok(s.nfound == 1 && s.found[0].reason == SEM_NOTE_DEPTH_UNCHECKED,
	    "nesting past the bound: a note");

	ok(strcmp(sem_reason_stat(SEM_TD_CONFLICT),
	    "track_descriptor_conflicting_reservation") == 0 &&
	    strcmp(sem_reason_name(SEM_TRACK_LOOP), "track_loop") == 0,
	    "reasons name their stat");
	for (i = 1; i < SEM_REASON_COUNT; i++)
		if (sem_reason_name((enum sem_reason)i) == NULL ||
		    *sem_reason_name((enum sem_reason)i) == '\0')
			break;
	ok(i == SEM_REASON_COUNT, "every reason has a name");

	sem_free(&s);
	return tap_done();
}
