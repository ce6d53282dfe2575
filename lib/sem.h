/*
 * sem: the rules of Perfetto's importer (trace_processor v58.2) that a
 * valid protobuf can still break, as a state machine fed by the events of
 * a walk. It does not decode: the walker reports the messages and the
 * scalar fields sem wants, and sem_finish() gives the verdicts as data.
 * Interned references and generations are pbref's, not sem's.
 *
 * How a walker drives it:
 *   once:       m = sem_msg_by_name(schema_msgs[i].name) for each schema
 *               message, kept in a table (SEM_M_NONE: not wanted), or
 *               the same from sem_msg_name(m) for each m;
 *   per packet: sem_packet_begin (the packet's own fields follow as
 *               those of SEM_M_PACKET), then for every wanted message in
 *               it sem_msg_begin / its fields / sem_msg_end; then
 *               sem_packet_end;
 *   fields:     sem_field for each varint of a wanted message (each
 *               element of a packed field on its own), sem_bytes for
 *               its strings and bytes (no rule reads a fixed value);
 *               those outside sem_fields(m) may be left out;
 *   at the end: sem_finish, then read s->found / s->nfound.
 * A wanted message nested in an unwanted one is reported all the same.
 *
 * State is bounded: at most SEM_TRACKS_MAX tracks (described, or used by
 * a slice) and SEM_CLOCKS_MAX clocks in a snapshot are remembered; past
 * a bound sem notes what it did not fully check, and never fails for it.
 */
#ifndef SEM_H
#define SEM_H

#include <stddef.h>
#include <stdint.h>

enum sem_msg {
	SEM_M_NONE,
	SEM_M_PACKET,			/* TracePacket */
	SEM_M_TRACK_EVENT,		/* TrackEvent */
	SEM_M_TRACK_DESCRIPTOR,		/* TrackDescriptor */
	SEM_M_THREAD_DESCRIPTOR,	/* ThreadDescriptor */
	SEM_M_PROCESS_DESCRIPTOR,	/* ProcessDescriptor */
	SEM_M_CLOCK_SNAPSHOT,		/* ClockSnapshot */
	SEM_M_CLOCK,			/* ClockSnapshot.Clock */
	SEM_M_FTRACE_BUNDLE,		/* FtraceEventBundle */
	SEM_M_COMPACT_SCHED,		/* FtraceEventBundle.CompactSched */
	SEM_M_UTSNAME,			/* Utsname */
	SEM_M_INTERNED_DATA,		/* InternedData: its presence only */
	SEM_M_SYSTEM_INFO,		/* SystemInfo: num_cpus */
	SEM_M_FTRACE_EVENT,		/* FtraceEvent: counted */
	SEM_M_COUNT
};

/*
 * One reason per rule; each names the trace_processor stat it predicts
 * (sem_reason_stat). Those up to SEM_NOTE_FIRST are failures: Perfetto
 * fails the load, or records an error or data-loss stat, or drops what
 * wprof wrote. From SEM_NOTE_FIRST on they are notes.
 */
enum sem_reason {
	SEM_OK,
	SEM_TE_NO_SEQUENCE,	/* TrackEvent, no trusted_packet_sequence_id */
	SEM_TE_NO_TIMESTAMP,	/* TrackEvent without any timestamp */
	SEM_INTERNED_NO_SEQUENCE, /* InternedData, no sequence id */
	SEM_CLEARED_NO_SEQUENCE, /* INCREMENTAL_STATE_CLEARED, no sequence */
	SEM_TE_NEGATIVE_TS,	/* TrackEvent timestamp >= 2^63 */
	SEM_NEGATIVE_TS,	/* another packet's timestamp >= 2^63 */
	SEM_TD_NO_UUID,		/* TrackDescriptor without uuid */
	SEM_TD_THREAD_NO_IDS,	/* thread descriptor without pid or tid */
	SEM_TD_PROCESS_NO_PID,	/* process descriptor without pid */
	SEM_TD_CONFLICT,	/* uuid described again, differently */
	SEM_TRACK_LOOP,		/* parent chain comes back to itself */
	SEM_TRACK_TOO_DEEP,	/* more than 100 ancestors */
	SEM_TRACK_NO_PARENT,	/* parent_uuid never described */
	SEM_CLOCK_DUPLICATE,	/* a clock listed twice in one snapshot */
	SEM_CLOCK_BACKWARDS,	/* the trace clock goes backwards */
	SEM_FTRACE_NO_CPU,	/* FtraceEventBundle without cpu */
	SEM_FTRACE_CPU_RANGE,	/* cpu >= 1024: the whole load fails */
	SEM_FTRACE_LOST,	/* lost_events set: the kernel dropped events */
	SEM_COMPACT_LENGTH,	/* compact_sched arrays of unequal length */
	SEM_COMPACT_COMM,	/* comm index past the intern table */
	SEM_PREV_STATE,		/* prev_state bit no kernel >= 4.14 sets */
	SEM_SLICE_TOO_DEEP,	/* a slice opens 512 deep on its track */
	SEM_NOTE_FIRST,
	SEM_NOTE_BIG_PACKET = SEM_NOTE_FIRST,	/* over 64 MiB */
	SEM_NOTE_TRACKS_UNCHECKED,	/* past SEM_TRACKS_MAX descriptors */
	SEM_NOTE_CLOCKS_UNCHECKED,	/* past SEM_CLOCKS_MAX in a snapshot */
	SEM_NOTE_DEPTH_UNCHECKED,	/* wanted messages nested too deep */
	SEM_REASON_COUNT
};

#define SEM_TRACKS_MAX	(1u << 16)	/* tracks remembered: 7 MiB */
#define SEM_CLOCKS_MAX	32		/* distinct clocks in one snapshot */
#define SEM_DEPTH_MAX	8		/* wanted messages open at once */
#define SEM_FOUND_MAX	64		/* findings kept; all are counted */
#define SEM_ANCESTORS_MAX 100		/* track_event_tracker.cc:713 */
#define SEM_CPU_MAX	1024		/* ftrace_tokenizer.cc:129 */
#define SEM_PACKET_MAX	(64u << 20)	/* proto_ring_buffer.h:99 */
#define SEM_SLICE_DEPTH_MAX 512		/* slice_tracker.h:43, kMaxDepth */

/*
 * What a trace holds, for a triager who does not open the UI. Counted
 * when a packet ends, so a packet walked twice (lib/pbwalk.c's fast path
 * gives up on groups and deep nesting) counts once.
 */
enum { SEM_TE_UNSPECIFIED, SEM_TE_BEGIN, SEM_TE_END, SEM_TE_INSTANT,
    SEM_TE_COUNTER, SEM_TE_OTHER, SEM_TE_TYPES };

struct sem_summary {
	uint64_t te[SEM_TE_TYPES];	/* TrackEvents by TrackEvent.type */
	uint64_t ftrace_events;		/* FtraceEvent messages */
	uint64_t sched_switch;		/* compact_sched switch entries */
	uint64_t sched_waking;		/* compact_sched waking entries */
	uint64_t threads;		/* thread tracks described */
	uint64_t processes;		/* distinct pids among them */
	unsigned cpus;			/* distinct ftrace bundle cpus */
	int have_num_cpus;
	uint64_t num_cpus;		/* SystemInfo.num_cpus */
	unsigned release;		/* oldest Perfetto major that reads all
					   fields used; 0: any */
	const char *release_field;	/* the field that needs it */
};

/*
 * The facts of one finding. packet and off name the packet (its index
 * from 0, the offset of its first byte); id is the track uuid, clock id,
 * cpu or array field it is about; value what was found and other what it
 * was held against (the first description's value, the previous clock
 * value, the intern table's size, ...), as the reason says.
 */
struct sem_finding {
	enum sem_reason reason;
	uint64_t packet;
	uint64_t off;
	uint64_t id;
	uint64_t value;
	uint64_t other;
};

struct sem_track;

struct sem_frame {
	enum sem_msg msg;
	uint32_t field;		/* its field number in its parent */
	uint64_t off;
};

struct sem {
	/* the verdicts, filled as the walk goes and by sem_finish */
	struct sem_finding found[SEM_FOUND_MAX];
	size_t nfound;
	uint64_t count[SEM_REASON_COUNT];

	/* the packet being walked */
	uint64_t pkt_index, pkt_off;
	uint64_t pkt_ts;
	unsigned pkt_has;	/* SEM_P_x */
	uint32_t pkt_has_te_ts;	/* TrackEvent timestamp_*_us fields */
	struct sem_frame stack[SEM_DEPTH_MAX];
	unsigned depth, lost_depth;

	/* the message being walked, by kind */
	struct {
		unsigned has;
		uint64_t uuid, parent, pid, tid;
		int kind;
	} td;
	struct {
		uint64_t id[SEM_CLOCKS_MAX];
		uint64_t ts[SEM_CLOCKS_MAX];
		unsigned n;
		uint64_t clock_id, clock_ts;
		unsigned clock_has;
	} cs;
	uint64_t trace_clock;		/* BOOTTIME unless a snapshot says */
	uint64_t trace_clock_last;
	int trace_clock_seen;
	struct {
		unsigned has;
		uint64_t cpu;
	} fb;
	struct {
		uint64_t n[13];		/* elements per array field */
		uint64_t intern;	/* intern_table entries */
		uint64_t bad_comm;	/* the largest comm index */
		uint64_t bad_state;
		int comm_seen, state_seen;
	} cs_sched;
	unsigned kernel_major, kernel_minor;	/* 0.0: not known */

	/* the summary, and what the packet being walked adds to it */
	struct sem_summary sum;
	uint64_t cpu_seen[SEM_CPU_MAX / 64];
	unsigned newer_used;		/* bits of sem.c's newer[] */
	int pkt_te_type;		/* -1: no TrackEvent */
	uint64_t pkt_te_track;		/* its track_uuid; 0: none given */
	uint64_t pkt_fev, pkt_switch, pkt_waking;

	/*
	 * tracks, described or holding slices: open addressing on uuid,
	 * grown to the cap; the slices open on the default track (events
	 * without a track_uuid) in open0
	 */
	struct sem_track *tracks;
	size_t ntracks, tracks_cap;
	int tracks_full;
	uint32_t open0;
	/* the track the last slice was on, and its open count (or NULL) */
	uint64_t slice_uuid;
	uint32_t *slice_open;
};

void	sem_init(struct sem *);
void	sem_free(struct sem *);
enum sem_msg sem_msg_by_name(const char *);
/* The schema name of m (sem_msg_by_name's inverse); NULL for none. */
const char *sem_msg_name(enum sem_msg m);
/*
 * The fields of message m that sem_field and sem_bytes read, bit n for
 * field n (all below 64): a walker may leave the others out.
 */
uint64_t sem_fields(enum sem_msg m);
void	sem_bytes(struct sem *, uint32_t field, const uint8_t *, size_t);

/*
 * Below, what every packet costs is inline: the frames of the wanted
 * messages, a packet's own TrackEvent, the end of a packet that breaks
 * no rule. Each inline function does what sem.c would do in its case
 * and hands every other case to sem.c whole (sem_x_rare); what a rule
 * checks is written once, in one of the two places.
 */
#define SEM_P_TS	0x01
#define SEM_P_SEQ	0x02
#define SEM_P_TE	0x04
#define SEM_P_INTERN	0x08
#define SEM_P_CLEARED	0x10
#define SEM_F_PKT_TE	11	/* TracePacket.track_event */
#define SEM_F_TE_TYPE	9	/* TrackEvent.type */
#define SEM_F_TE_TRACK	11	/* TrackEvent.track_uuid */
#define SEM_F_FB_EVENT	2	/* FtraceEventBundle.event */

/* Messages whose begin sem.c acts on (sem_msg_begin_rare). */
#define SEM_BEGIN_RARE	(1u << SEM_M_INTERNED_DATA | \
	1u << SEM_M_TRACK_DESCRIPTOR | 1u << SEM_M_THREAD_DESCRIPTOR | \
	1u << SEM_M_PROCESS_DESCRIPTOR | 1u << SEM_M_CLOCK_SNAPSHOT | \
	1u << SEM_M_CLOCK | 1u << SEM_M_FTRACE_BUNDLE | \
	1u << SEM_M_COMPACT_SCHED)
/* Messages whose end sem.c acts on (sem_msg_end_rare). */
#define SEM_END_RARE	(1u << SEM_M_TRACK_DESCRIPTOR | 1u << SEM_M_CLOCK | \
	1u << SEM_M_CLOCK_SNAPSHOT | 1u << SEM_M_FTRACE_BUNDLE | \
	1u << SEM_M_COMPACT_SCHED)

void	sem_packet_begin_rare(struct sem *, uint64_t len);
void	sem_msg_begin_rare(struct sem *, enum sem_msg, uint32_t field,
	    uint64_t off);
void	sem_msg_end_rare(struct sem *, enum sem_msg);
void	sem_field_rare(struct sem *, uint32_t field, uint64_t value);
void	sem_packet_end_rare(struct sem *);

static inline void
sem_packet_begin(struct sem *s, uint64_t off, uint64_t index, uint64_t len)
{
	s->pkt_index = index;
	s->pkt_off = off;
	s->pkt_ts = 0;
	s->pkt_has = 0;
	s->pkt_has_te_ts = 0;
	s->pkt_te_type = -1;
	s->pkt_te_track = 0;
	s->pkt_fev = s->pkt_switch = s->pkt_waking = 0;
	/* The packet is the bottom frame; the walker does not push it. */
	s->stack[0].msg = SEM_M_PACKET;
	s->stack[0].field = 1;
	s->stack[0].off = off;
	s->depth = 1;
	s->lost_depth = 0;
	if (len > SEM_PACKET_MAX)
		sem_packet_begin_rare(s, len);
}

static inline void
sem_msg_begin(struct sem *s, enum sem_msg m, uint32_t field, uint64_t off)
{
	struct sem_frame *fr;

	if (s->lost_depth > 0 || s->depth == SEM_DEPTH_MAX ||
	    (SEM_BEGIN_RARE >> m & 1)) {
		sem_msg_begin_rare(s, m, field, off);
		return;
	}
	fr = &s->stack[s->depth++];
	fr->msg = m;
	fr->field = field;
	fr->off = off;
	if (m == SEM_M_TRACK_EVENT && field == SEM_F_PKT_TE && s->depth == 2) {
		s->pkt_has |= SEM_P_TE;
		s->pkt_te_type = SEM_TE_UNSPECIFIED;
	} else if (m == SEM_M_FTRACE_EVENT && field == SEM_F_FB_EVENT &&
	    fr[-1].msg == SEM_M_FTRACE_BUNDLE)
		s->pkt_fev++;
}

static inline void
sem_msg_end(struct sem *s, enum sem_msg m)
{
	if (s->lost_depth > 0 || (SEM_END_RARE >> m & 1) || s->depth == 0 ||
	    s->stack[s->depth - 1].msg != m) {
		sem_msg_end_rare(s, m);
		return;
	}
	s->depth--;
}

/*
 * sem_field for each varint of a wanted message (each element of a
 * packed field on its own), sem_bytes for its strings and bytes.
 */
static inline void
sem_field(struct sem *s, uint32_t field, uint64_t v)
{
	if ((field == SEM_F_TE_TYPE || field == SEM_F_TE_TRACK) &&
	    s->depth == 2 && s->lost_depth == 0 &&
	    s->stack[1].msg == SEM_M_TRACK_EVENT) {
		if (field == SEM_F_TE_TYPE)
			s->pkt_te_type = v < SEM_TE_OTHER ? (int)v :
			    SEM_TE_OTHER;
		else
			s->pkt_te_track = v;
	} else
		sem_field_rare(s, field, v);
}

/*
 * The packet's timestamp and sequence id, for a walker that reads them
 * anyway: the same as sem_field() with fields 8 and 10, without a call.
 */
static inline void
sem_packet_facts(struct sem *s, int has_ts, uint64_t ts, int has_seq)
{
	if (has_ts) {
		s->pkt_has |= SEM_P_TS;
		s->pkt_ts = ts;
	}
	if (has_seq)
		s->pkt_has |= SEM_P_SEQ;
}

/*
 * A slice event on the default track (no track_uuid), or on the track of
 * the one before it, within the depth: sem_packet_end_rare's slice_event
 * without the call; 0 for the rest.
 */
static inline int
sem_slice_quick(struct sem *s)
{
	uint32_t *open = s->slice_open;

	if (s->pkt_te_track == 0)
		open = &s->open0;
	else if (open == NULL || s->pkt_te_track != s->slice_uuid)
		return 0;
	switch (s->pkt_te_type) {
	case SEM_TE_END:
		if (*open > 0)
			(*open)--;
		return 1;
	case SEM_TE_BEGIN:
		if (*open >= SEM_SLICE_DEPTH_MAX)
			return 0;
		++*open;
		return 1;
	case SEM_TE_INSTANT:
		return *open < SEM_SLICE_DEPTH_MAX;
	default:
		return 1;
	}
}

static inline void
sem_packet_end(struct sem *s)
{
	unsigned has = s->pkt_has & (SEM_P_SEQ | SEM_P_TS | SEM_P_TE);

	/*
	 * A packet with a sequence id and a timestamp that is not negative
	 * meets no rule of sem_packet_end_rare, but for a TrackEvent the
	 * depth of its slices (sem_slice_quick when on the last track).
	 */
	if ((int64_t)s->pkt_ts < 0 || (has != (SEM_P_SEQ | SEM_P_TS) &&
	    (has != (SEM_P_SEQ | SEM_P_TS | SEM_P_TE) || !sem_slice_quick(s))))
		sem_packet_end_rare(s);
	if (s->pkt_te_type >= 0)
		s->sum.te[s->pkt_te_type]++;
	s->sum.ftrace_events += s->pkt_fev;
	s->sum.sched_switch += s->pkt_switch;
	s->sum.sched_waking += s->pkt_waking;
	/* No message is open between packets. */
	s->depth = s->lost_depth = 0;
}

void	sem_finish(struct sem *);
int	sem_is_note(enum sem_reason);
const char *sem_reason_name(enum sem_reason);
const char *sem_reason_stat(enum sem_reason);
/* A note, worded: "a packet over 64 MiB ...". */
const char *sem_note_str(enum sem_reason);

#endif
