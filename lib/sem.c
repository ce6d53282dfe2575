/*
 * The importer rules of Perfetto's trace_processor v58.2 that a valid
 * protobuf can break, fed by walk events (sem.h). Each rule cites the
 * file and line of v58.2 it follows; the stats named are in
 * src/trace_processor/storage/stats.h.
 */
#include <stdlib.h>
#include <string.h>

#include "sem.h"

/* What the current track descriptor holds. */
#define SEM_TD_UUID	0x01
#define SEM_TD_PARENT	0x02
#define SEM_TD_PID	0x04
#define SEM_TD_TID	0x08
#define SEM_TD_THREAD	0x10
#define SEM_TD_PROCESS	0x20

/* Field numbers, perfetto_trace.proto. */
#define F_PKT_TS	8
#define F_PKT_SEQ	10
#define F_PKT_TE	SEM_F_PKT_TE
#define F_PKT_INTERN	12
#define F_PKT_FLAGS	13
#define SEQ_INCREMENTAL_STATE_CLEARED 1
#define F_TE_TS_DELTA	1
#define F_TE_TS_ABS	16
#define F_TD_UUID	1
#define F_TD_PROCESS	3
#define F_TD_THREAD	4
#define F_TD_PARENT	5
#define F_THR_PID	1
#define F_THR_TID	2
#define F_PROC_PID	1
#define F_CS_CLOCKS	1
#define F_CS_PRIMARY	2
#define F_CLK_ID	1
#define F_CLK_TS	2
#define F_FB_CPU	1
#define F_FB_LOST	3
#define F_SCHED_INTERN	5
#define F_SCHED_STATE	2
#define F_SCHED_COMM	6
#define F_SCHED_WCOMM	11
#define F_UTS_RELEASE	3
#define F_TE_TYPE	SEM_F_TE_TYPE
#define F_TE_TRACK	SEM_F_TE_TRACK
#define F_SI_NUM_CPUS	8
#define F_FB_EVENT	SEM_F_FB_EVENT
#define F_SCHED_SWITCH_TS 1
#define F_SCHED_WAKING_TS 7

#define CLOCK_BOOTTIME	6

enum { KIND_NONE, KIND_THREAD, KIND_PROCESS };

/*
 * 56 bytes; the table is at most half full, so SEM_TRACKS_MAX tracks
 * take 7 MiB.
 */
struct sem_track {
	uint64_t uuid;		/* 0: an empty slot */
	uint64_t parent;
	uint64_t pid, tid;
	uint64_t packet, off;	/* where it was first described */
	unsigned char kind;
	unsigned char described; /* 0: only used by slices so far */
	uint32_t open;		/* slices open on it */
};

static const struct {
	const char *name;
	const char *stat;
} reasons[SEM_REASON_COUNT] = {
	[SEM_OK] = { "ok", "" },
	[SEM_TE_NO_SEQUENCE] = { "track_event_no_sequence",
	    "track_event_missing_sequence_id" },
	[SEM_TE_NO_TIMESTAMP] = { "track_event_no_timestamp",
	    "track_event_missing_timestamp" },
	[SEM_INTERNED_NO_SEQUENCE] = { "interned_no_sequence",
	    "interned_data_missing_sequence_id" },
	[SEM_CLEARED_NO_SEQUENCE] = { "cleared_no_sequence",
	    "incremental_state_cleared_missing_sequence_id" },
	[SEM_TE_NEGATIVE_TS] = { "track_event_negative_timestamp",
	    "track_event_invalid_timestamp" },
	[SEM_NEGATIVE_TS] = { "negative_timestamp",
	    "trace_sorter_negative_timestamp_dropped" },
	[SEM_TD_NO_UUID] = { "track_no_uuid",
	    "track_descriptor_missing_uuid" },
	[SEM_TD_THREAD_NO_IDS] = { "thread_no_pid_tid",
	    "track_descriptor_thread_missing_pid_tid" },
	[SEM_TD_PROCESS_NO_PID] = { "process_no_pid",
	    "track_descriptor_process_missing_pid" },
	[SEM_TD_CONFLICT] = { "track_conflict",
	    "track_descriptor_conflicting_reservation" },
	[SEM_TRACK_LOOP] = { "track_loop",
	    "track_event_track_hierarchy_loop" },
	[SEM_TRACK_TOO_DEEP] = { "track_too_deep",
	    "track_event_track_hierarchy_too_deep" },
	[SEM_TRACK_NO_PARENT] = { "track_no_parent",
	    "track_hierarchy_missing_uuid" },
	[SEM_CLOCK_DUPLICATE] = { "clock_duplicate",
	    "invalid_clock_snapshots" },
	[SEM_CLOCK_BACKWARDS] = { "clock_backwards",
	    "invalid_clock_snapshots" },
	[SEM_FTRACE_NO_CPU] = { "ftrace_no_cpu",
	    "ftrace_bundle_tokenizer_errors" },
	[SEM_FTRACE_CPU_RANGE] = { "ftrace_cpu_range", "(load fails)" },
	[SEM_FTRACE_LOST] = { "ftrace_lost_events",
	    "ftrace_cpu_has_data_loss" },
	[SEM_COMPACT_LENGTH] = { "compact_sched_length",
	    "compact_sched_has_parse_errors" },
	[SEM_COMPACT_COMM] = { "compact_sched_comm",
	    "compact_sched_has_parse_errors" },
	[SEM_PREV_STATE] = { "prev_state_invalid", "task_state_invalid" },
	[SEM_SLICE_TOO_DEEP] = { "slice_too_deep",
	    "slice_max_depth_exceeded" },
	[SEM_NOTE_BIG_PACKET] = { "big_packet", "(convert fails)" },
	[SEM_NOTE_TRACKS_UNCHECKED] = { "tracks_unchecked", "" },
	[SEM_NOTE_CLOCKS_UNCHECKED] = { "clocks_unchecked", "" },
	[SEM_NOTE_DEPTH_UNCHECKED] = { "depth_unchecked", "" },
};

static const struct {
	const char *name;
	enum sem_msg msg;
} msgs[] = {
	{ "ClockSnapshot", SEM_M_CLOCK_SNAPSHOT },
	{ "ClockSnapshot.Clock", SEM_M_CLOCK },
	{ "FtraceEventBundle", SEM_M_FTRACE_BUNDLE },
	{ "FtraceEvent", SEM_M_FTRACE_EVENT },
	{ "FtraceEventBundle.CompactSched", SEM_M_COMPACT_SCHED },
	{ "InternedData", SEM_M_INTERNED_DATA },
	{ "ProcessDescriptor", SEM_M_PROCESS_DESCRIPTOR },
	{ "SystemInfo", SEM_M_SYSTEM_INFO },
	{ "ThreadDescriptor", SEM_M_THREAD_DESCRIPTOR },
	{ "TrackDescriptor", SEM_M_TRACK_DESCRIPTOR },
	{ "TrackEvent", SEM_M_TRACK_EVENT },
	{ "Utsname", SEM_M_UTSNAME },
};

/*
 * Fields that Perfetto releases before some major version do not read,
 * and count as an import error each (the summary names the oldest release
 * that reads every field the trace uses).
 */
static const struct {
	enum sem_msg msg;
	uint32_t field;
	unsigned release;
	const char *name;
} newer[] = {
	/*
	 * protos/perfetto/trace/track_event/track_event.proto:295 at v53.0,
	 * absent at v52.0; CHANGELOG v53.0 (line 532 of v58.2's): "Added
	 * support for attaching callstacks to TrackEvents".
	 */
	{ SEM_M_TRACK_EVENT, 56, 53, "TrackEvent.callstack_iid" },
};

static const char *const notes[SEM_REASON_COUNT - SEM_NOTE_FIRST] = {
	[SEM_NOTE_BIG_PACKET - SEM_NOTE_FIRST] = "a packet over 64 MiB: "
	    "trace_processor loads it, its convert command cannot",
	[SEM_NOTE_TRACKS_UNCHECKED - SEM_NOTE_FIRST] = "over 65536 tracks: "
	    "tracks and slices not fully checked",
	[SEM_NOTE_CLOCKS_UNCHECKED - SEM_NOTE_FIRST] = "over 32 clocks in a "
	    "snapshot: clocks not fully checked",
	[SEM_NOTE_DEPTH_UNCHECKED - SEM_NOTE_FIRST] = "importer rules not "
	    "checked in messages nested deeper than 8",
};

void
sem_init(struct sem *s)
{
	memset(s, 0, sizeof(*s));
	s->trace_clock = CLOCK_BOOTTIME;
	s->pkt_te_type = -1;
}

void
sem_free(struct sem *s)
{
	free(s->tracks);
	s->tracks = NULL;
	s->ntracks = s->tracks_cap = 0;
}

enum sem_msg
sem_msg_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++)
		if (strcmp(msgs[i].name, name) == 0)
			return msgs[i].msg;
	return SEM_M_NONE;
}

const char *
sem_msg_name(enum sem_msg m)
{
	size_t i;

	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++)
		if (msgs[i].msg == m)
			return msgs[i].name;
	return NULL;
}

int
sem_is_note(enum sem_reason r)
{
	return r >= SEM_NOTE_FIRST;
}

const char *
sem_reason_name(enum sem_reason r)
{
	return (unsigned)r < SEM_REASON_COUNT ? reasons[r].name : "?";
}

const char *
sem_reason_stat(enum sem_reason r)
{
	return (unsigned)r < SEM_REASON_COUNT ? reasons[r].stat : "?";
}

const char *
sem_note_str(enum sem_reason r)
{
	if (r < SEM_NOTE_FIRST || r >= SEM_REASON_COUNT)
		return "?";
	return notes[r - SEM_NOTE_FIRST];
}

static void
found(struct sem *s, enum sem_reason r, uint64_t id, uint64_t value,
    uint64_t other)
{
	struct sem_finding *f;

	s->count[r]++;
	/* Notes once each: "not fully checked" needs saying only once. */
	if (sem_is_note(r) && s->count[r] > 1)
		return;
	if (s->nfound == SEM_FOUND_MAX)
		return;
	f = &s->found[s->nfound++];
	f->reason = r;
	f->packet = s->pkt_index;
	f->off = s->pkt_off;
	f->id = id;
	f->value = value;
	f->other = other;
}

static uint64_t
hash(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

/* The slot of uuid (uuid != 0), or of where it would go; NULL if none. */
static struct sem_track *
track_slot(struct sem *s, uint64_t uuid)
{
	size_t i, mask;

	if (s->tracks_cap == 0)
		return NULL;
	mask = s->tracks_cap - 1;
	for (i = hash(uuid) & mask;; i = (i + 1) & mask)
		if (s->tracks[i].uuid == uuid || s->tracks[i].uuid == 0)
			return &s->tracks[i];
}

/*
 * Grows the table to keep it at most half full, up to SEM_TRACKS_MAX
 * entries; 0 when there is no room (the caller notes it).
 */
static int
track_room(struct sem *s)
{
	struct sem_track *old = s->tracks, *t;
	size_t oldcap = s->tracks_cap, cap, i;

	if (2 * (s->ntracks + 1) <= s->tracks_cap)
		return 1;
	if (s->ntracks >= SEM_TRACKS_MAX)
		return 0;
	cap = oldcap ? oldcap * 2 : 256;
	if ((s->tracks = calloc(cap, sizeof(*s->tracks))) == NULL) {
		s->tracks = old;
		return 0;
	}
	s->tracks_cap = cap;
	s->slice_open = NULL;
	for (i = 0; i < oldcap; i++)
		if (old[i].uuid != 0) {
			t = track_slot(s, old[i].uuid);
			*t = old[i];
		}
	free(old);
	return 1;
}

/*
 * The entry of uuid (not 0), added if new; NULL when the table is full,
 * which is noted once and makes the track rules that need every track
 * stand down (tracks_full).
 */
static struct sem_track *
track_get(struct sem *s, uint64_t uuid)
{
	struct sem_track *t;
	int ok;

	ok = track_room(s);
	t = track_slot(s, uuid);
	if (t == NULL || (t->uuid == 0 && !ok)) {
		s->tracks_full = 1;
		found(s, SEM_NOTE_TRACKS_UNCHECKED, uuid, SEM_TRACKS_MAX, 0);
		return NULL;
	}
	if (t->uuid == 0) {
		t->uuid = uuid;
		s->ntracks++;
	}
	return t;
}

/*
 * slice_tracker.cc:138: a slice that would open at depth kMaxDepth (512)
 * on its track is dropped, and so is an instant there. trace_processor
 * matches BEGIN and END per track in timestamp order, this in the order
 * of the file: wprof writes each track's events in time order, and the
 * two differ only for 512 slices open at once. An END with nothing open
 * is ignored there (slice_tracker.cc:186), and here.
 */
static void
slice_event(struct sem *s, uint64_t uuid, int type)
{
	struct sem_track *t = NULL;
	uint32_t *open = &s->open0;

	if (type != SEM_TE_BEGIN && type != SEM_TE_END &&
	    type != SEM_TE_INSTANT)
		return;
	if (uuid != 0 && (s->slice_open == NULL || s->slice_uuid != uuid)) {
		if ((t = track_get(s, uuid)) == NULL)
			return;
		s->slice_uuid = uuid;
		s->slice_open = &t->open;
	}
	if (uuid != 0)
		open = s->slice_open;
	if (type == SEM_TE_END) {
		if (*open > 0)
			(*open)--;
	} else if (*open >= SEM_SLICE_DEPTH_MAX)
		found(s, SEM_SLICE_TOO_DEEP, uuid, *open, SEM_SLICE_DEPTH_MAX);
	else if (type == SEM_TE_BEGIN)
		(*open)++;
}

static void
sched_reset(struct sem *s)
{
	memset(&s->cs_sched, 0, sizeof(s->cs_sched));
}

/* proto_ring_buffer.h:99: trace_processor's convert path stops. */
void
sem_packet_begin_rare(struct sem *s, uint64_t len)
{
	found(s, SEM_NOTE_BIG_PACKET, 0, len, SEM_PACKET_MAX);
}

static enum sem_msg
current(const struct sem *s)
{
	if (s->lost_depth > 0 || s->depth == 0)
		return SEM_M_NONE;
	return s->stack[s->depth - 1].msg;
}

static uint32_t
current_field(const struct sem *s)
{
	return s->depth == 0 ? 0 : s->stack[s->depth - 1].field;
}

static int
inside(const struct sem *s, enum sem_msg m)
{
	unsigned i;

	for (i = 0; i < s->depth; i++)
		if (s->stack[i].msg == m)
			return 1;
	return 0;
}

/*
 * A message nested too deep, or one whose begin resets what sem gathers
 * of it; the begin of a packet's own TrackEvent or of an FtraceEvent is
 * sem_msg_begin's, in sem.h.
 */
void
sem_msg_begin_rare(struct sem *s, enum sem_msg m, uint32_t field,
    uint64_t off)
{
	if (s->lost_depth > 0 || s->depth == SEM_DEPTH_MAX) {
		if (s->lost_depth++ == 0)
			found(s, SEM_NOTE_DEPTH_UNCHECKED, m, SEM_DEPTH_MAX, 0);
		return;
	}
	s->stack[s->depth].msg = m;
	s->stack[s->depth].field = field;
	s->stack[s->depth].off = off;
	s->depth++;
	switch (m) {
	case SEM_M_INTERNED_DATA:
		if (field == F_PKT_INTERN && s->depth == 2)
			s->pkt_has |= SEM_P_INTERN;
		break;
	case SEM_M_TRACK_DESCRIPTOR:
		memset(&s->td, 0, sizeof(s->td));
		break;
	case SEM_M_THREAD_DESCRIPTOR:
		if (inside(s, SEM_M_TRACK_DESCRIPTOR) &&
		    field == F_TD_THREAD) {
			s->td.has |= SEM_TD_THREAD;
			s->td.kind = KIND_THREAD;
		}
		break;
	case SEM_M_PROCESS_DESCRIPTOR:
		if (inside(s, SEM_M_TRACK_DESCRIPTOR) &&
		    field == F_TD_PROCESS) {
			s->td.has |= SEM_TD_PROCESS;
			s->td.kind = KIND_PROCESS;
		}
		break;
	case SEM_M_CLOCK_SNAPSHOT:
		s->cs.n = 0;
		break;
	case SEM_M_CLOCK:
		s->cs.clock_has = 0;
		s->cs.clock_id = s->cs.clock_ts = 0;
		break;
	case SEM_M_FTRACE_BUNDLE:
		s->fb.has = 0;
		s->fb.cpu = 0;
		break;
	case SEM_M_COMPACT_SCHED:
		sched_reset(s);
		break;
	default:
		break;
	}
}

static void
td_end(struct sem *s)
{
	struct sem_track *t;

	/* track_event_tokenizer.cc:138: no uuid, the descriptor is dropped. */
	if (!(s->td.has & SEM_TD_UUID)) {
		found(s, SEM_TD_NO_UUID, 0, 0, 0);
		return;
	}
	/* track_event_tokenizer.cc:250: a thread needs both pid and tid. */
	if ((s->td.has & SEM_TD_THREAD) &&
	    (s->td.has & (SEM_TD_PID | SEM_TD_TID)) !=
	    (SEM_TD_PID | SEM_TD_TID)) {
		found(s, SEM_TD_THREAD_NO_IDS, s->td.uuid, 0, 0);
		return;
	}
	/* track_event_tokenizer.cc:288: a process needs its pid. */
	if ((s->td.has & SEM_TD_PROCESS) && !(s->td.has & SEM_TD_PID)) {
		found(s, SEM_TD_PROCESS_NO_PID, s->td.uuid, 0, 0);
		return;
	}
	if (s->td.uuid == 0)	/* the default track: no reservation kept */
		return;
	if ((t = track_get(s, s->td.uuid)) == NULL)
		return;
	if (!t->described) {
		t->described = 1;
		t->parent = s->td.parent;
		t->pid = s->td.pid;
		t->tid = s->td.tid;
		t->kind = (unsigned char)s->td.kind;
		t->packet = s->pkt_index;
		t->off = s->pkt_off;
		return;
	}
	/*
	 * track_event_tracker.cc:194 and IsForSameTrack (track_event_tracker.h
	 * :108): the same uuid again with another parent, pid, tid or kind.
	 */
	if (t->parent != s->td.parent)
		found(s, SEM_TD_CONFLICT, t->uuid, s->td.parent, t->parent);
	else if (t->kind != s->td.kind)
		found(s, SEM_TD_CONFLICT, t->uuid, (uint64_t)s->td.kind,
		    (uint64_t)t->kind);
	else if (t->pid != s->td.pid)
		found(s, SEM_TD_CONFLICT, t->uuid, s->td.pid, t->pid);
	else if (t->tid != s->td.tid)
		found(s, SEM_TD_CONFLICT, t->uuid, s->td.tid, t->tid);
}

static void
clock_end(struct sem *s)
{
	unsigned i;

	if (!(s->cs.clock_has & 1))
		return;
	for (i = 0; i < s->cs.n; i++) {
		/* clock_synchronizer.cc:121: a clock twice in one snapshot. */
		if (s->cs.id[i] == s->cs.clock_id) {
			found(s, SEM_CLOCK_DUPLICATE, s->cs.clock_id,
			    s->cs.clock_ts, s->cs.ts[i]);
			return;
		}
	}
	if (s->cs.n == SEM_CLOCKS_MAX) {
		found(s, SEM_NOTE_CLOCKS_UNCHECKED, s->cs.clock_id,
		    SEM_CLOCKS_MAX, 0);
		return;
	}
	s->cs.id[s->cs.n] = s->cs.clock_id;
	s->cs.ts[s->cs.n] = s->cs.clock_ts;
	s->cs.n++;
}

static void
snapshot_end(struct sem *s)
{
	unsigned i;

	for (i = 0; i < s->cs.n; i++) {
		if (s->cs.id[i] != s->trace_clock)
			continue;
		/*
		 * clock_synchronizer.cc:142: the trace clock must not go
		 * backwards from one snapshot to the next (as int64).
		 */
		if (s->trace_clock_seen &&
		    (int64_t)s->cs.ts[i] < (int64_t)s->trace_clock_last)
			found(s, SEM_CLOCK_BACKWARDS, s->trace_clock,
			    s->cs.ts[i], s->trace_clock_last);
		s->trace_clock_last = s->cs.ts[i];
		s->trace_clock_seen = 1;
	}
}

static void
bundle_end(struct sem *s)
{
	/* ftrace_tokenizer.cc:122: a bundle without cpu is dropped. */
	if (!(s->fb.has & 1))
		found(s, SEM_FTRACE_NO_CPU, 0, 0, 0);
	/* ftrace_tokenizer.cc:130: cpu >= 1024 fails the whole load. */
	else if (s->fb.cpu >= SEM_CPU_MAX)
		found(s, SEM_FTRACE_CPU_RANGE, s->fb.cpu, s->fb.cpu,
		    SEM_CPU_MAX);
	else if (!(s->cpu_seen[s->fb.cpu / 64] & 1ULL << s->fb.cpu % 64)) {
		s->cpu_seen[s->fb.cpu / 64] |= 1ULL << s->fb.cpu % 64;
		s->sum.cpus++;
	}
}

static void
sched_end(struct sem *s)
{
	const uint64_t *n = s->cs_sched.n;
	int i;

	s->pkt_switch += n[F_SCHED_SWITCH_TS];
	s->pkt_waking += n[F_SCHED_WAKING_TS];

	/*
	 * ftrace_tokenizer.cc:412 and :471: the switch arrays (fields 1-4
	 * and 6) and the waking arrays (7-11; 12 is optional) must be of
	 * one length each, or the event is counted as a parse error.
	 */
	for (i = 2; i <= 6; i++)
		if (i != F_SCHED_INTERN && n[i] != n[1]) {
			found(s, SEM_COMPACT_LENGTH, (uint64_t)i, n[i], n[1]);
			return;
		}
	for (i = 8; i <= 11; i++)
		if (n[i] != n[7]) {
			found(s, SEM_COMPACT_LENGTH, (uint64_t)i, n[i], n[7]);
			return;
		}
	/* ftrace_tokenizer.cc:389 and :443: comm past the intern table. */
	if (s->cs_sched.comm_seen &&
	    s->cs_sched.bad_comm >= s->cs_sched.intern)
		found(s, SEM_COMPACT_COMM, F_SCHED_COMM, s->cs_sched.bad_comm,
		    s->cs_sched.intern);
	/* ftrace_sched_event_tracker.cc:168, task_state.cc:94 */
	if (s->cs_sched.state_seen)
		found(s, SEM_PREV_STATE, F_SCHED_STATE, s->cs_sched.bad_state,
		    0);
}

void
sem_msg_end_rare(struct sem *s, enum sem_msg m)
{
	if (s->lost_depth > 0) {
		s->lost_depth--;
		return;
	}
	if (s->depth == 0 || s->stack[s->depth - 1].msg != m)
		return;		/* unbalanced: the walker's bug, ignored */
	switch (m) {
	case SEM_M_TRACK_DESCRIPTOR:
		td_end(s);
		break;
	case SEM_M_CLOCK:
		clock_end(s);
		break;
	case SEM_M_CLOCK_SNAPSHOT:
		snapshot_end(s);
		break;
	case SEM_M_FTRACE_BUNDLE:
		bundle_end(s);
		break;
	case SEM_M_COMPACT_SCHED:
		sched_end(s);
		break;
	default:
		break;
	}
	s->depth--;
}

/*
 * task_state.cc: on kernels from 4.14 (and when the version is not known,
 * 4.4 is assumed and nothing is invalid) bits 0xfe00 of the 16 bits kept
 * make a state invalid. prev_state is cut to 16 bits first.
 */
static int
state_invalid(const struct sem *s, uint64_t v)
{
	if (s->kernel_major < 4 ||
	    (s->kernel_major == 4 && s->kernel_minor < 14))
		return 0;
	return (v & 0xfe00) != 0;
}

#define B(n)	(1ULL << (n))

uint64_t
sem_fields(enum sem_msg m)
{
	switch (m) {
	case SEM_M_PACKET:
		/* A walker gives timestamp and sequence by sem_packet_facts. */
		return B(F_PKT_FLAGS);
	case SEM_M_TRACK_EVENT:
		return B(F_TE_TS_DELTA) | B(F_TE_TS_ABS) | B(F_TE_TYPE) |
		    B(F_TE_TRACK) | B(56);	/* newer[] */
	case SEM_M_TRACK_DESCRIPTOR:
		return B(F_TD_UUID) | B(F_TD_PARENT);
	case SEM_M_THREAD_DESCRIPTOR:
		return B(F_THR_PID) | B(F_THR_TID);
	case SEM_M_PROCESS_DESCRIPTOR:
		return B(F_PROC_PID);
	case SEM_M_CLOCK_SNAPSHOT:
		return B(F_CS_PRIMARY);
	case SEM_M_CLOCK:
		return B(F_CLK_ID) | B(F_CLK_TS);
	case SEM_M_FTRACE_BUNDLE:
		return B(F_FB_CPU) | B(F_FB_LOST);
	case SEM_M_COMPACT_SCHED:
		return B(13) - B(1);	/* fields 1 to 12 */
	case SEM_M_UTSNAME:
		return B(F_UTS_RELEASE);
	case SEM_M_SYSTEM_INFO:
		return B(F_SI_NUM_CPUS);
	default:
		return 0;
	}
}

static void
newer_field(struct sem *s, enum sem_msg m, uint32_t field)
{
	size_t i;

	for (i = 0; i < sizeof(newer) / sizeof(newer[0]); i++)
		if (newer[i].msg == m && newer[i].field == field)
			s->newer_used |= 1u << i;
}

/* Every field but the type and track of a packet's own TrackEvent (sem.h). */
void
sem_field_rare(struct sem *s, uint32_t field, uint64_t v)
{
	switch (current(s)) {
	case SEM_M_PACKET:
		if (field == F_PKT_TS) {
			s->pkt_has |= SEM_P_TS;
			s->pkt_ts = v;
		} else if (field == F_PKT_SEQ) {
			s->pkt_has |= SEM_P_SEQ;
		} else if (field == F_PKT_FLAGS &&
		    (v & SEQ_INCREMENTAL_STATE_CLEARED)) {
			s->pkt_has |= SEM_P_CLEARED;
		}
		break;
	case SEM_M_TRACK_EVENT:
		if (field == F_TE_TS_DELTA || field == F_TE_TS_ABS)
			s->pkt_has_te_ts = 1;
		else
			newer_field(s, SEM_M_TRACK_EVENT, field);
		break;
	case SEM_M_SYSTEM_INFO:
		if (field == F_SI_NUM_CPUS) {
			s->sum.have_num_cpus = 1;
			s->sum.num_cpus = v;
		}
		break;
	case SEM_M_TRACK_DESCRIPTOR:
		if (field == F_TD_UUID) {
			s->td.has |= SEM_TD_UUID;
			s->td.uuid = v;
		} else if (field == F_TD_PARENT) {
			s->td.has |= SEM_TD_PARENT;
			s->td.parent = v;
		}
		break;
	case SEM_M_THREAD_DESCRIPTOR:
		if (current_field(s) != F_TD_THREAD)
			break;
		if (field == F_THR_PID) {
			s->td.has |= SEM_TD_PID;
			s->td.pid = v;
		} else if (field == F_THR_TID) {
			s->td.has |= SEM_TD_TID;
			s->td.tid = v;
		}
		break;
	case SEM_M_PROCESS_DESCRIPTOR:
		if (current_field(s) == F_TD_PROCESS && field == F_PROC_PID) {
			s->td.has |= SEM_TD_PID;
			s->td.pid = v;
		}
		break;
	case SEM_M_CLOCK_SNAPSHOT:
		if (field == F_CS_PRIMARY)
			s->trace_clock = v;
		break;
	case SEM_M_CLOCK:
		if (field == F_CLK_ID) {
			s->cs.clock_has |= 1;
			s->cs.clock_id = v;
		} else if (field == F_CLK_TS) {
			s->cs.clock_ts = v;
		}
		break;
	case SEM_M_FTRACE_BUNDLE:
		if (field == F_FB_CPU) {
			s->fb.has |= 1;
			s->fb.cpu = v;
		} else if (field == F_FB_LOST && v != 0) {
			found(s, SEM_FTRACE_LOST, s->fb.cpu, v, 0);
		}
		break;
	case SEM_M_COMPACT_SCHED:
		if (field < 13 && field != F_SCHED_INTERN)
			s->cs_sched.n[field]++;
		/* The table is built whole first (ftrace_tokenizer.cc:354). */
		if ((field == F_SCHED_COMM || field == F_SCHED_WCOMM) &&
		    (!s->cs_sched.comm_seen || v > s->cs_sched.bad_comm)) {
			s->cs_sched.comm_seen = 1;
			s->cs_sched.bad_comm = v;
		}
		if (field == F_SCHED_STATE && !s->cs_sched.state_seen &&
		    state_invalid(s, v & 0xffff)) {
			s->cs_sched.state_seen = 1;
			s->cs_sched.bad_state = v;
		}
		break;
	default:
		break;
	}
}

/* "6.18.44-fc" -> 6, 18; anything else leaves the version unknown. */
static void
parse_release(struct sem *s, const uint8_t *p, size_t n)
{
	unsigned v[2] = { 0, 0 };
	size_t i = 0;
	int k;

	for (k = 0; k < 2; k++) {
		if (i == n || p[i] < '0' || p[i] > '9')
			return;
		while (i < n && p[i] >= '0' && p[i] <= '9' && v[k] < 100000)
			v[k] = v[k] * 10 + (unsigned)(p[i++] - '0');
		if (k == 0 && (i == n || p[i++] != '.'))
			return;
	}
	s->kernel_major = v[0];
	s->kernel_minor = v[1];
}

void
sem_bytes(struct sem *s, uint32_t field, const uint8_t *p, size_t n)
{
	switch (current(s)) {
	case SEM_M_COMPACT_SCHED:
		if (field == F_SCHED_INTERN)
			s->cs_sched.intern++;
		break;
	case SEM_M_UTSNAME:
		if (field == F_UTS_RELEASE)
			parse_release(s, p, n);
		break;
	default:
		break;
	}
}

/* The rules of a packet's end; sem_packet_end counts it (sem.h). */
void
sem_packet_end_rare(struct sem *s)
{
	/* proto_trace_reader.cc:585: CLEARED applies to no sequence. */
	if ((s->pkt_has & (SEM_P_CLEARED | SEM_P_SEQ)) == SEM_P_CLEARED)
		found(s, SEM_CLEARED_NO_SEQUENCE, 0, 0, 0);
	/* proto_trace_reader.cc:680: interned data for no sequence. */
	if ((s->pkt_has & (SEM_P_INTERN | SEM_P_SEQ)) == SEM_P_INTERN)
		found(s, SEM_INTERNED_NO_SEQUENCE, 0, 0, 0);
	if (s->pkt_has & SEM_P_TE) {
		/* track_event_tokenizer.cc:432: needs a sequence id. */
		if (!(s->pkt_has & SEM_P_SEQ))
			found(s, SEM_TE_NO_SEQUENCE, 0, 0, 0);
		/* track_event_tokenizer.cc:471: and a timestamp. */
		else if (!(s->pkt_has & SEM_P_TS) && !s->pkt_has_te_ts)
			found(s, SEM_TE_NO_TIMESTAMP, 0, 0, 0);
		/* track_event_tokenizer.cc:480: negative as int64. */
		else if ((s->pkt_has & SEM_P_TS) && (int64_t)s->pkt_ts < 0)
			found(s, SEM_TE_NEGATIVE_TS, 0, s->pkt_ts, 0);
		else
			slice_event(s, s->pkt_te_track, s->pkt_te_type);
	} else if ((s->pkt_has & SEM_P_TS) && (int64_t)s->pkt_ts < 0) {
		/* trace_sorter.h:372: the sorter drops it. */
		found(s, SEM_NEGATIVE_TS, 0, s->pkt_ts, 0);
	}
}

/*
 * track_event_tracker.cc:710-735: from each described track, the parent
 * chain must end at 0 within 100 steps, meet no uuid twice, and find
 * every uuid on it described. Run once per track at the end, as the
 * descriptors may come in any order; a chain is walked at most
 * SEM_ANCESTORS_MAX steps, so this is bounded by 100 times the tracks.
 */
static void
hierarchy(struct sem *s)
{
	uint64_t seen[SEM_ANCESTORS_MAX];
	size_t i;
	unsigned k, j;

	for (i = 0; i < s->tracks_cap; i++) {
		struct sem_track *t = &s->tracks[i], *c;
		uint64_t cur = t->uuid;
		enum sem_reason r = SEM_TRACK_TOO_DEEP;

		if (cur == 0 || !t->described)
			continue;
		for (k = 0; k < SEM_ANCESTORS_MAX; k++) {
			if (cur == 0) {
				r = SEM_OK;
				break;
			}
			for (j = 0; j < k && seen[j] != cur; j++)
				;
			if (j < k) {
				r = SEM_TRACK_LOOP;
				break;
			}
			c = track_slot(s, cur);
			if (c == NULL || c->uuid == 0 || !c->described) {
				/* Past the cap the parent may just be unseen. */
				r = s->tracks_full ? SEM_OK :
				    SEM_TRACK_NO_PARENT;
				break;
			}
			seen[k] = cur;
			cur = c->parent;
		}
		if (r == SEM_OK)
			continue;
		s->pkt_index = t->packet;
		s->pkt_off = t->off;
		found(s, r, t->uuid, cur, t->parent);
	}
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Threads are the thread tracks described, processes their distinct pids
 * (wprof describes processes in a process tree, not by descriptors). The
 * pids are sorted in a copy; without the memory for it, processes stay 0.
 */
static void
summarize(struct sem *s)
{
	uint64_t *pid;
	size_t i, n = 0;

	for (i = 0; i < s->tracks_cap; i++)
		if (s->tracks[i].described &&
		    s->tracks[i].kind == KIND_THREAD)
			n++;
	s->sum.threads = n;
	for (i = 0; i < sizeof(newer) / sizeof(newer[0]); i++)
		if ((s->newer_used & 1u << i) &&
		    newer[i].release > s->sum.release) {
			s->sum.release = newer[i].release;
			s->sum.release_field = newer[i].name;
		}
	if (n == 0 || (pid = calloc(n, sizeof(*pid))) == NULL)
		return;
	for (i = 0, n = 0; i < s->tracks_cap; i++)
		if (s->tracks[i].described &&
		    s->tracks[i].kind == KIND_THREAD)
			pid[n++] = s->tracks[i].pid;
	qsort(pid, n, sizeof(*pid), cmp_u64);
	for (i = 0; i < n; i++)
		if (i == 0 || pid[i] != pid[i - 1])
			s->sum.processes++;
	free(pid);
}

void
sem_finish(struct sem *s)
{
	hierarchy(s);
	summarize(s);
}
