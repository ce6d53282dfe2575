/*
 * Unit tests of the schema table that lib/gen/schemagen.c writes, printed
 * as TAP. The layout rules come from schema.h's comments (messages sorted
 * by full name, fields by number, the direct lookup of numbers below
 * SCHEMA_DENSE); the facts from perfetto_trace.proto, read by hand. Built
 * against lib/schema.c by make, and by tests/06-schema.bats against the
 * table schemagen makes from tests/data/schema-mini.pb, which keeps the
 * real field numbers of the messages below.
 */
#include <stdio.h>
#include <string.h>

#include "schema.h"

#define TAP_NAME "unit_schema"
#include "tap.h"

static int
msg_index(const char *name)
{
	unsigned i;

	for (i = 0; i < SCHEMA_NMSGS; i++)
		if (strcmp(schema_msgs[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Field number of message name, found the slow way; NULL for none. */
static const struct schema_field *
field(const char *name, uint32_t number)
{
	const struct schema_msg *m;
	int i = msg_index(name);
	uint32_t j;

	if (i < 0)
		return NULL;
	m = &schema_msgs[i];
	for (j = 0; j < m->nfields; j++)
		if (schema_fields[m->first + j].number == number)
			return &schema_fields[m->first + j];
	return NULL;
}

static const char *
name_of(const struct schema_field *f)
{
	return schema_field_names[f - schema_fields];
}

/* Whether the field is there with this name, kind, flags and reference. */
static int
is(const char *msg, uint32_t number, const char *name, unsigned kind,
    unsigned flags, unsigned ref)
{
	const struct schema_field *f = field(msg, number);

	return f != NULL && strcmp(name_of(f), name) == 0 && f->kind == kind &&
	    (f->flags & (SF_REPEATED | SF_PAYLOAD)) == flags &&
	    SF_REF(f) == ref;
}

static int
to(const char *msg, uint32_t number, const char *target)
{
	const struct schema_field *f = field(msg, number);

	return f != NULL && f->kind == SK_MESSAGE && f->msg < SCHEMA_NMSGS &&
	    strcmp(schema_msgs[f->msg].name, target) == 0;
}

static void
layout(void)
{
	const struct schema_msg *m;
	const struct schema_field *f;
	uint32_t i, j, n, next = 0, dense = 0, want;
	int sorted = 1, packed = 1, fsorted = 1, lookup = 1, targets = 1;

	for (i = 0; i < SCHEMA_NMSGS; i++) {
		m = &schema_msgs[i];
		if (i > 0 && strcmp(schema_msgs[i - 1].name, m->name) >= 0)
			sorted = 0;
		if (m->first != next || m->dense != dense)
			packed = 0;
		next += m->nfields;
		dense += m->ndense;
		for (j = 0; j < m->nfields; j++) {
			f = &schema_fields[m->first + j];
			if (j > 0 && f[-1].number >= f->number)
				fsorted = 0;
			if ((f->kind == SK_MESSAGE || f->kind == SK_GROUP) &&
			    f->msg >= SCHEMA_NMSGS)
				targets = 0;
		}
		want = m->nfields == 0 ? 0 :
		    schema_fields[m->first + m->nfields - 1].number + 1;
		if (want > SCHEMA_DENSE)
			want = SCHEMA_DENSE;
		if (m->ndense != want)
			lookup = 0;
		for (n = 0; n < m->ndense; n++) {
			f = field(m->name, n);
			if (schema_dense[m->dense + n] != (f == NULL ?
			    SCHEMA_UNKNOWN : (uint32_t)(f - schema_fields)))
				lookup = 0;
		}
	}
	ok(sorted, "messages sorted by full name, each once");
	ok(packed && next == SCHEMA_NFIELDS && dense == SCHEMA_NDENSE,
	    "fields and direct lookups packed in message order");
	ok(fsorted, "each message's fields sorted by number, each once");
	ok(lookup, "the direct lookup of numbers below SCHEMA_DENSE "
	    "agrees with the fields");
	ok(targets, "message fields name a message of the table");
	f = &schema_fields[SCHEMA_UNKNOWN];
	ok(f->number == 0 && f->kind == SK_BYTES && f->flags == 0,
	    "SCHEMA_UNKNOWN: a field of no number, skipped as bytes");
}

static void
named(void)
{
	ok(msg_index("TracePacket") == SCHEMA_TRACE_PACKET,
	    "SCHEMA_TRACE_PACKET is TracePacket");
	ok(schema_msgs[SCHEMA_TRACE_PACKET].nfields ==
	    SCHEMA_TRACE_PACKET_NFIELDS, "SCHEMA_TRACE_PACKET_NFIELDS");
	ok(msg_index("TrackEvent") == SCHEMA_TRACK_EVENT,
	    "SCHEMA_TRACK_EVENT is TrackEvent");
	ok(msg_index("InternedData") == SCHEMA_INTERNED_DATA,
	    "SCHEMA_INTERNED_DATA is InternedData");
	ok(msg_index("TrackDescriptor") == SCHEMA_TRACK_DESCRIPTOR,
	    "SCHEMA_TRACK_DESCRIPTOR is TrackDescriptor");
}

static void
facts(void)
{
	ok(is("Trace", 1, "packet", SK_MESSAGE, SF_REPEATED, SR_NONE) &&
	    to("Trace", 1, "TracePacket"), "Trace.packet");
	ok(is("TracePacket", 8, "timestamp", SK_VARINT, 0, SR_NONE),
	    "TracePacket.timestamp");
	ok(is("TracePacket", 11, "track_event", SK_MESSAGE, SF_PAYLOAD,
	    SR_NONE) && to("TracePacket", 11, "TrackEvent"),
	    "TracePacket.track_event, in the oneof data");
	ok(is("TracePacket", 60, "track_descriptor", SK_MESSAGE, SF_PAYLOAD,
	    SR_NONE), "TracePacket.track_descriptor, in the oneof data");
	ok(is("TracePacket", 12, "interned_data", SK_MESSAGE, 0, SR_NONE) &&
	    to("TracePacket", 12, "InternedData"),
	    "TracePacket.interned_data, not in the oneof data");
	ok(is("TracePacket", 10, "trusted_packet_sequence_id", SK_VARINT, 0,
	    SR_NONE), "TracePacket.trusted_packet_sequence_id, in a oneof "
	    "of its own");
	ok(is("TrackEvent", 3, "category_iids", SK_VARINT, SF_REPEATED,
	    SR_USE_EVENT_CATEGORY), "TrackEvent.category_iids");
	ok(is("TrackEvent", 10, "name_iid", SK_VARINT, 0, SR_USE_EVENT_NAME),
	    "TrackEvent.name_iid");
	ok(is("TrackEvent", 23, "name", SK_STRING, 0, SR_NONE),
	    "TrackEvent.name");
	ok(is("TrackEvent", 9, "type", SK_ENUM, 0, SR_NONE),
	    "TrackEvent.type");
	ok(is("TrackEvent", 11, "track_uuid", SK_VARINT, 0, SR_USE_TRACK),
	    "TrackEvent.track_uuid");
	ok(is("TrackEvent", 56, "callstack_iid", SK_VARINT, 0,
	    SR_USE_CALLSTACK), "TrackEvent.callstack_iid");
	ok(is("DebugAnnotation", 1, "name_iid", SK_VARINT, 0,
	    SR_USE_DEBUG_ANNOTATION_NAME), "DebugAnnotation.name_iid");
	ok(is("DebugAnnotation", 5, "double_value", SK_FIXED64, 0, SR_NONE),
	    "DebugAnnotation.double_value");
	ok(is("DebugAnnotation", 2, "bool_value", SK_BOOL, 0, SR_NONE),
	    "DebugAnnotation.bool_value");
	ok(is("DebugAnnotation", 11, "dict_entries", SK_MESSAGE, SF_REPEATED,
	    SR_NONE) && to("DebugAnnotation", 11, "DebugAnnotation"),
	    "DebugAnnotation.dict_entries, of its own type");
	ok(to("DebugAnnotation", 8, "DebugAnnotation.NestedValue"),
	    "DebugAnnotation.nested_value, a nested message by full name");
	ok(is("TrackDescriptor", 1, "uuid", SK_VARINT, 0, SR_DEF_TRACK),
	    "TrackDescriptor.uuid");
	ok(is("TrackDescriptor", 5, "parent_uuid", SK_VARINT, 0,
	    SR_USE_TRACK), "TrackDescriptor.parent_uuid");
	ok(is("InternedData", 1, "event_categories", SK_MESSAGE, SF_REPEATED,
	    SR_DEF_EVENT_CATEGORY), "InternedData.event_categories");
	ok(is("InternedData", 29, "debug_annotation_string_values",
	    SK_MESSAGE, SF_REPEATED, SR_DEF_DEBUG_ANNOTATION_STRING) &&
	    to("InternedData", 29, "InternedString"),
	    "InternedData.debug_annotation_string_values");
	ok(is("InternedString", 2, "str", SK_BYTES, 0, SR_NONE),
	    "InternedString.str");
	ok(is("Callstack", 2, "frame_ids", SK_VARINT, SF_REPEATED,
	    SR_USE_FRAME), "Callstack.frame_ids");
	ok(is("Frame", 3, "mapping_id", SK_VARINT, 0, SR_USE_MAPPING),
	    "Frame.mapping_id");
	ok(field("TrackEvent", 57) == NULL && field("Trace", 2) == NULL,
	    "numbers the proto does not use are not there");
}

int
main(void)
{
	layout();
	named();
	facts();
	return tap_done();
}
