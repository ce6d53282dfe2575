/*
 * schemagen: turns the FileDescriptorSet that protoc writes with
 * --descriptor_set_out --include_imports into lib/schema.c and
 * lib/schema.h, the table the deep walk checks packets against.
 * Usage: schemagen -r ref -s sha256 descriptors.pb schema.c schema.h,
 * where ref names the Perfetto release or commit of the .proto and sha256
 * is the .proto's; both go into the header of the two files.
 * A build tool, not part of the library: it reads the whole set into
 * memory and stops at the first thing it does not understand.
 */
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../pbwire.h"

#define PACKAGE		".perfetto.protos."
#define MSG_MAX		65535
#define DENSE		64	/* field numbers looked up directly */

/* FieldDescriptorProto.Type */
enum {
	T_DOUBLE = 1, T_FLOAT, T_INT64, T_UINT64, T_INT32, T_FIXED64,
	T_FIXED32, T_BOOL, T_STRING, T_GROUP, T_MESSAGE, T_BYTES, T_UINT32,
	T_ENUM, T_SFIXED32, T_SFIXED64, T_SINT32, T_SINT64,
};

struct span {
	const unsigned char *p;
	size_t len;
};

struct gfield {
	char *name;
	uint32_t number;
	int type, repeated, payload;
	char *type_name;	/* full name with a leading dot */
	int msg;
	const char *ref;
};

struct gmsg {
	char *full;		/* .perfetto.protos.A.B */
	struct gfield *f;
	size_t nf;
};

static struct gmsg *msgs;
static size_t nmsgs, msgcap;

/*
 * The references the walk resolves: a field that uses an id, or an
 * InternedData field (or TrackDescriptor.uuid) that defines them.
 */
static const struct {
	const char *msg, *field, *ref;
} refs[] = {
	{ "TrackEvent", "name_iid", "SR_USE_EVENT_NAME" },
	{ "TrackEvent", "category_iids", "SR_USE_EVENT_CATEGORY" },
	{ "TrackEvent", "callstack_iid", "SR_USE_CALLSTACK" },
	{ "TrackEvent", "track_uuid", "SR_USE_TRACK" },
	{ "DebugAnnotation", "name_iid", "SR_USE_DEBUG_ANNOTATION_NAME" },
	{ "DebugAnnotation", "string_value_iid",
	    "SR_USE_DEBUG_ANNOTATION_STRING" },
	{ "Callstack", "frame_ids", "SR_USE_FRAME" },
	{ "Frame", "function_name_id", "SR_USE_FUNCTION_NAME" },
	{ "Frame", "mapping_id", "SR_USE_MAPPING" },
	{ "TrackDescriptor", "parent_uuid", "SR_USE_TRACK" },
	{ "TrackDescriptor", "uuid", "SR_DEF_TRACK" },
	{ "InternedData", "event_categories", "SR_DEF_EVENT_CATEGORY" },
	{ "InternedData", "event_names", "SR_DEF_EVENT_NAME" },
	{ "InternedData", "debug_annotation_names",
	    "SR_DEF_DEBUG_ANNOTATION_NAME" },
	{ "InternedData", "debug_annotation_string_values",
	    "SR_DEF_DEBUG_ANNOTATION_STRING" },
	{ "InternedData", "function_names", "SR_DEF_FUNCTION_NAME" },
	{ "InternedData", "mappings", "SR_DEF_MAPPING" },
	{ "InternedData", "frames", "SR_DEF_FRAME" },
	{ "InternedData", "callstacks", "SR_DEF_CALLSTACK" },
};

static uint64_t
varint(struct span *s)
{
	const unsigned char *p = s->p, *end = s->p + s->len;
	uint64_t v;

	if (pbwire_varint(&p, end, end, 10, &v) != PBWIRE_OK)
		errx(1, "bad varint in the descriptor set");
	s->len -= (size_t)(p - s->p);
	s->p = p;
	return v;
}

/*
 * The next field of s: its number and wire type, with its value in *v
 * (varint) or *sub (length-delimited). 0 at the end.
 */
static int
next(struct span *s, uint32_t *num, int *wt, uint64_t *v, struct span *sub)
{
	uint64_t tag, n;

	if (s->len == 0)
		return 0;
	tag = varint(s);
	*num = (uint32_t)(tag >> 3);
	*wt = (int)(tag & 7);
	switch (*wt) {
	case 0:
		*v = varint(s);
		break;
	case 1:
	case 5:
		n = *wt == 1 ? 8 : 4;
		if (s->len < n)
			errx(1, "short fixed value in the descriptor set");
		s->p += n;
		s->len -= n;
		break;
	case 2:
		n = varint(s);
		if (n > s->len)
			errx(1, "length past the end in the descriptor set");
		sub->p = s->p;
		sub->len = (size_t)n;
		s->p += n;
		s->len -= n;
		break;
	default:
		errx(1, "wire type %d in the descriptor set", *wt);
	}
	return 1;
}

static char *
str(const struct span *s)
{
	char *p;

	if ((p = malloc(s->len + 1)) == NULL)
		err(1, NULL);
	memcpy(p, s->p, s->len);
	p[s->len] = '\0';
	return p;
}

static char *
join(const char *a, const char *b)
{
	char *p;

	if (asprintf(&p, "%s.%s", a, b) == -1)
		err(1, NULL);
	return p;
}

/* FieldDescriptorProto */
static void
field(struct gfield *f, struct span s, const char *dataoneof, int *oneofs,
    size_t noneofs)
{
	struct span sub, o;
	uint32_t num, on;
	uint64_t v, ov;
	int wt, owt;

	memset(f, 0, sizeof(*f));
	f->msg = -1;
	while (next(&s, &num, &wt, &v, &sub)) {
		if (num == 1 && wt == 2)
			f->name = str(&sub);
		else if (num == 3 && wt == 0)
			f->number = (uint32_t)v;
		else if (num == 4 && wt == 0)
			f->repeated = v == 3;
		else if (num == 5 && wt == 0)
			f->type = (int)v;
		else if (num == 6 && wt == 2)
			f->type_name = str(&sub);
		else if (num == 9 && wt == 0)
			f->payload = dataoneof != NULL && v < noneofs &&
			    oneofs[v];
		else if (num == 8 && wt == 2) {
			o = sub;
			while (next(&o, &on, &owt, &ov, &sub))
				(void)on;
		}
	}
	if (f->name == NULL || f->number == 0 || f->type == 0)
		errx(1, "a field without name, number or type");
}

static void message(struct span, const char *scope);

static void
add_msg(const char *full, struct span s)
{
	struct span sub, o;
	struct gmsg *m;
	uint32_t num, on;
	uint64_t v, ov;
	int wt, owt, oneofs[64];
	size_t noneofs = 0, i;
	char *name = NULL, *oname;

	/* Oneofs first: a field names its oneof by index. */
	o = s;
	while (next(&o, &num, &wt, &v, &sub))
		if (num == 8 && wt == 2) {
			struct span od = sub;
			oname = NULL;
			while (next(&od, &on, &owt, &ov, &sub))
				if (on == 1 && owt == 2)
					oname = str(&sub);
			if (noneofs == 64)
				errx(1, "%s: too many oneofs", full);
			oneofs[noneofs++] = oname != NULL &&
			    strcmp(full, PACKAGE "TracePacket") == 0 &&
			    strcmp(oname, "data") == 0;
			free(oname);
		}
	if (nmsgs == msgcap) {
		msgcap = msgcap ? msgcap * 2 : 256;
		if ((msgs = reallocarray(msgs, msgcap, sizeof(*msgs))) == NULL)
			err(1, NULL);
	}
	m = &msgs[nmsgs++];
	memset(m, 0, sizeof(*m));
	if ((m->full = strdup(full)) == NULL)
		err(1, NULL);
	o = s;
	while (next(&o, &num, &wt, &v, &sub))
		if (num == 2 && wt == 2)
			m->nf++;
	if ((m->f = calloc(m->nf + 1, sizeof(*m->f))) == NULL)
		err(1, NULL);
	i = 0;
	o = s;
	while (next(&o, &num, &wt, &v, &sub))
		if (num == 2 && wt == 2)
			field(&msgs[nmsgs - 1].f[i++], sub, "data", oneofs,
			    noneofs);
	o = s;
	while (next(&o, &num, &wt, &v, &sub)) {
		if (num == 3 && wt == 2)
			message(sub, full);
		else if (num == 6 && wt == 2)
			errx(1, "%s: extensions are not supported", full);
	}
	free(name);
}

/* DescriptorProto within scope (a package or message full name). */
static void
message(struct span s, const char *scope)
{
	struct span o = s, sub;
	uint32_t num;
	uint64_t v;
	int wt;
	char *name = NULL, *full;

	while (next(&o, &num, &wt, &v, &sub))
		if (num == 1 && wt == 2)
			name = str(&sub);
	if (name == NULL)
		errx(1, "a message without a name");
	full = join(scope, name);
	add_msg(full, s);
	free(full);
	free(name);
}

static void
file(struct span s)
{
	struct span o = s, sub;
	uint32_t num;
	uint64_t v;
	int wt;
	char *pkg = NULL, *scope;

	while (next(&o, &num, &wt, &v, &sub))
		if (num == 2 && wt == 2)
			pkg = str(&sub);
	if (asprintf(&scope, "%s%s", pkg ? "." : "", pkg ? pkg : "") == -1)
		err(1, NULL);
	o = s;
	while (next(&o, &num, &wt, &v, &sub)) {
		if (num == 4 && wt == 2)
			message(sub, scope);
		else if (num == 7 && wt == 2)
			errx(1, "extensions are not supported");
	}
	free(scope);
	free(pkg);
}

static int
by_full(const void *a, const void *b)
{
	return strcmp(((const struct gmsg *)a)->full,
	    ((const struct gmsg *)b)->full);
}

static int
by_number(const void *a, const void *b)
{
	uint32_t x = ((const struct gfield *)a)->number;
	uint32_t y = ((const struct gfield *)b)->number;

	return x < y ? -1 : x > y;
}

static int
find_msg(const char *full)
{
	struct gmsg key, *m;

	key.full = (char *)(uintptr_t)full;
	m = bsearch(&key, msgs, nmsgs, sizeof(*msgs), by_full);
	return m ? (int)(m - msgs) : -1;
}

static const char *
short_name(const char *full)
{
	size_t n = sizeof(PACKAGE) - 1;

	return strncmp(full, PACKAGE, n) == 0 ? full + n : full + 1;
}

static const char *
kind(const struct gfield *f)
{
	switch (f->type) {
	case T_INT64: case T_UINT64: case T_INT32: case T_UINT32:
		return "SK_VARINT";
	case T_SINT32: case T_SINT64:
		return "SK_ZIGZAG";
	case T_BOOL:
		return "SK_BOOL";
	case T_ENUM:
		return "SK_ENUM";
	case T_FIXED32: case T_SFIXED32: case T_FLOAT:
		return "SK_FIXED32";
	case T_FIXED64: case T_SFIXED64: case T_DOUBLE:
		return "SK_FIXED64";
	case T_STRING:
		return "SK_STRING";
	case T_BYTES:
		return "SK_BYTES";
	case T_MESSAGE:
		return "SK_MESSAGE";
	case T_GROUP:
		return "SK_GROUP";
	}
	errx(1, "field %s: type %d", f->name, f->type);
}

static void
resolve(void)
{
	size_t i, j, k;
	struct gmsg *m;
	struct gfield *f;
	const char *sn;

	for (i = 0; i < nmsgs; i++) {
		m = &msgs[i];
		qsort(m->f, m->nf, sizeof(*m->f), by_number);
		sn = short_name(m->full);
		for (j = 0; j < m->nf; j++) {
			f = &m->f[j];
			if (j > 0 && f->number == m->f[j - 1].number)
				errx(1, "%s: field %u twice", m->full,
				    f->number);
			if (f->type == T_MESSAGE || f->type == T_GROUP) {
				if (f->type_name == NULL ||
				    (f->msg = find_msg(f->type_name)) < 0)
					errx(1, "%s.%s: unknown type %s",
					    m->full, f->name, f->type_name ?
					    f->type_name : "(none)");
			}
			for (k = 0; k < sizeof(refs) / sizeof(refs[0]); k++)
				if (strcmp(refs[k].msg, sn) == 0 &&
				    strcmp(refs[k].field, f->name) == 0)
					f->ref = refs[k].ref;
		}
	}
	/* Every reference must still name a field, with an iid of number 1. */
	for (k = 0; k < sizeof(refs) / sizeof(refs[0]); k++) {
		int found = 0;
		for (i = 0; i < nmsgs; i++)
			if (strcmp(short_name(msgs[i].full), refs[k].msg) == 0)
				for (j = 0; j < msgs[i].nf; j++)
					if (msgs[i].f[j].ref == refs[k].ref &&
					    strcmp(msgs[i].f[j].name,
					    refs[k].field) == 0) {
						found = 1;
						f = &msgs[i].f[j];
						if (strncmp(refs[k].ref, "SR_DEF",
						    6) == 0 && f->msg >= 0 &&
						    (msgs[f->msg].nf == 0 ||
						    msgs[f->msg].f[0].number != 1 ||
						    strcmp(msgs[f->msg].f[0].name,
						    "iid") != 0))
							errx(1, "%s.%s: no iid 1",
							    refs[k].msg,
							    refs[k].field);
					}
		if (!found)
			errx(1, "%s.%s: not in the schema", refs[k].msg,
			    refs[k].field);
	}
}

/* The messages schema.h names, by their index. */
static const char *const named[][2] = {
	{ "TracePacket", "SCHEMA_TRACE_PACKET" },
	{ "TrackEvent", "SCHEMA_TRACK_EVENT" },
	{ "InternedData", "SCHEMA_INTERNED_DATA" },
	{ "TrackDescriptor", "SCHEMA_TRACK_DESCRIPTOR" },
};

static const char *source_ref, *source_sha256;

/* Both files open with the source they were made from. */
static void
emit_stamp(FILE *fp)
{
	fprintf(fp, "/*\n"
	    " * Generated by lib/gen/schemagen.c from Perfetto's perfetto_trace.proto\n"
	    " * of %s,\n"
	    " * sha256 %s:\n"
	    " * make schema PROTO=path PERFETTO_REF=ref; do not edit.\n"
	    " */\n", source_ref, source_sha256);
}

static void
emit_h(FILE *h, size_t nfields, size_t ndense)
{
	size_t i, k;

	emit_stamp(h);
	fprintf(h, "#ifndef SCHEMA_H\n#define SCHEMA_H\n\n"
	    "#include <stdint.h>\n\n");
	fprintf(h,
	    "enum schema_kind {\n"
	    "\tSK_VARINT, SK_ZIGZAG, SK_BOOL, SK_ENUM,\n"
	    "\tSK_FIXED32, SK_FIXED64,\n"
	    "\tSK_STRING, SK_BYTES, SK_MESSAGE, SK_GROUP,\n"
	    "};\n\n"
	    "enum schema_ref {\n"
	    "\tSR_NONE,\n"
	    "\tSR_USE_EVENT_NAME, SR_USE_EVENT_CATEGORY,\n"
	    "\tSR_USE_DEBUG_ANNOTATION_NAME, SR_USE_DEBUG_ANNOTATION_STRING,\n"
	    "\tSR_USE_FUNCTION_NAME, SR_USE_MAPPING, SR_USE_FRAME,\n"
	    "\tSR_USE_CALLSTACK, SR_USE_TRACK,\n"
	    "\tSR_DEF_EVENT_NAME, SR_DEF_EVENT_CATEGORY,\n"
	    "\tSR_DEF_DEBUG_ANNOTATION_NAME, SR_DEF_DEBUG_ANNOTATION_STRING,\n"
	    "\tSR_DEF_FUNCTION_NAME, SR_DEF_MAPPING, SR_DEF_FRAME,\n"
	    "\tSR_DEF_CALLSTACK, SR_DEF_TRACK,\n"
	    "};\n"
	    "#define SR_KINDS\t9\t/* SR_DEF_x - SR_KINDS == SR_USE_x */\n\n"
	    "#define SF_REPEATED\t0x01\n"
	    "#define SF_PAYLOAD\t0x02\t/* in TracePacket's oneof data */\n"
	    "#define SF_REF(f)\t((unsigned)(f)->flags >> 3)\t"
	    "/* enum schema_ref */\n\n"
	    "/* Eight bytes, so that the fields of a message share few lines. */\n"
	    "struct schema_field {\n"
	    "\tuint32_t number;\n"
	    "\tuint16_t msg;\t\t/* SK_MESSAGE, SK_GROUP: its index */\n"
	    "\tuint8_t kind;\t\t/* enum schema_kind */\n"
	    "\tuint8_t flags;\t\t/* SF_x, and the reference << 3 */\n"
	    "};\n\n"
	    "/*\n"
	    " * Fields sorted by number from schema_fields[first]; field numbers\n"
	    " * below ndense (at most SCHEMA_DENSE) index schema_dense[dense + n],\n"
	    " * which holds their index in schema_fields, SCHEMA_UNKNOWN for none.\n"
	    " */\n"
	    "struct schema_msg {\n"
	    "\tconst char *name;\n"
	    "\tuint32_t first;\n"
	    "\tuint32_t nfields;\n"
	    "\tuint32_t dense;\n"
	    "\tuint32_t ndense;\n"
	    "};\n\n");
	fprintf(h, "#define SCHEMA_NMSGS\t%zu\n#define SCHEMA_NFIELDS\t%zu\n"
	    "#define SCHEMA_DENSE\t%d\n#define SCHEMA_NDENSE\t%zu\n"
	    "/* schema_fields[SCHEMA_UNKNOWN]: a field the schema does not know. */\n"
	    "#define SCHEMA_UNKNOWN\tSCHEMA_NFIELDS\n",
	    nmsgs, nfields, DENSE, ndense);
	for (k = 0; k < sizeof(named) / sizeof(named[0]); k++) {
		for (i = 0; i < nmsgs; i++)
			if (strcmp(short_name(msgs[i].full), named[k][0]) == 0)
				break;
		if (i == nmsgs)
			errx(1, "no message %s", named[k][0]);
		fprintf(h, "#define %s\t%zu\n", named[k][1], i);
		if (k == 0)
			fprintf(h, "#define SCHEMA_TRACE_PACKET_NFIELDS\t%zu\n",
			    msgs[i].nf);
	}
	fprintf(h, "\nextern const struct schema_msg schema_msgs[SCHEMA_NMSGS];\n"
	    "extern const struct schema_field "
	    "schema_fields[SCHEMA_NFIELDS + 1];\n"
	    "extern const uint16_t schema_dense[SCHEMA_NDENSE];\n"
	    "/* The name of schema_fields[i]. */\n"
	    "extern const char *const schema_field_names[SCHEMA_NFIELDS];\n\n"
	    "#endif\n");
}

/* The direct lookup of message m: its field numbers below DENSE. */
static size_t
ndense_of(const struct gmsg *m)
{
	if (m->nf == 0)
		return 0;
	return m->f[m->nf - 1].number < DENSE ? m->f[m->nf - 1].number + 1 :
	    DENSE;
}

static size_t
ndense_all(void)
{
	size_t i, n = 0;

	for (i = 0; i < nmsgs; i++)
		n += ndense_of(&msgs[i]);
	return n;
}

/*
 * The identifier of message m in lib/schema.c: its name below the package
 * with '_' for '.'. Two messages must not share one.
 */
static char *
ident(const struct gmsg *m)
{
	char *id, *p;

	if ((id = strdup(short_name(m->full))) == NULL)
		err(1, NULL);
	for (p = id; *p != '\0'; p++)
		if (*p == '.')
			*p = '_';
	return id;
}

static int
by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **
idents(void)
{
	char **id, **sorted;
	size_t i;

	if ((id = calloc(nmsgs, sizeof(*id))) == NULL ||
	    (sorted = calloc(nmsgs, sizeof(*sorted))) == NULL)
		err(1, NULL);
	for (i = 0; i < nmsgs; i++)
		sorted[i] = id[i] = ident(&msgs[i]);
	qsort(sorted, nmsgs, sizeof(*sorted), by_string);
	for (i = 1; i < nmsgs; i++)
		if (strcmp(sorted[i - 1], sorted[i]) == 0)
			errx(1, "two messages named %s in lib/schema.c",
			    sorted[i]);
	free(sorted);
	return id;
}

/*
 * Message i's direct lookup, wrapped near 80 columns; each message starts
 * a line, so that a change to one touches only its own lines.
 */
static void
emit_dense(FILE *c, size_t i, const char *id)
{
	const struct gmsg *m = &msgs[i];
	size_t n = ndense_of(m), j, k, col = 8, w;
	char e[256];

	for (j = 0, k = 0; j < n; j++) {
		while (k < m->nf && m->f[k].number < j)
			k++;
		if (k < m->nf && m->f[k].number == j)
			snprintf(e, sizeof(e), "F_%s + %zu,", id, k);
		else
			snprintf(e, sizeof(e), "U,");
		w = strlen(e) + 1;
		if (j == 0)
			fprintf(c, "\t%s", e);
		else if (col + w > 80) {
			fprintf(c, "\n\t%s", e);
			col = 8;
		} else
			fprintf(c, " %s", e);
		col += w;
	}
	if (n > 0)
		fprintf(c, "\n");
}

/*
 * Every index in lib/schema.c is a name (M_x, F_x, D_x) that the compiler
 * counts, never a number, so that a message or field added upstream
 * changes the lines of that message and not every index after it.
 */
static void
emit_c(FILE *c)
{
	size_t i, j, k;
	const struct gfield *f;
	char flags[128], **id = idents();

	emit_stamp(c);
	fprintf(c, "#include \"schema.h\"\n\n"
	    "/*\n"
	    " * The indices of the tables below, named so that a message or field\n"
	    " * added upstream changes a few lines here, not every index after it:\n"
	    " * M_x the index of message x in schema_msgs, F_x the index of its\n"
	    " * first field in schema_fields, D_x that of its direct lookup in\n"
	    " * schema_dense.\n"
	    " */\n"
	    "enum {\n");
	for (i = 0; i < nmsgs; i++)
		fprintf(c, "\tM_%s,\n", id[i]);
	fprintf(c, "};\n\nenum {\n");
	for (i = 0; i < nmsgs; i++)
		fprintf(c, "\tF_%s, F_%s_last = F_%s + %zu - 1,\n", id[i], id[i],
		    id[i], msgs[i].nf);
	fprintf(c, "};\n\nenum {\n");
	for (i = 0; i < nmsgs; i++)
		fprintf(c, "\tD_%s, D_%s_last = D_%s + %zu - 1,\n", id[i], id[i],
		    id[i], ndense_of(&msgs[i]));
	fprintf(c, "};\n\n"
	    "_Static_assert(M_%s + 1 == SCHEMA_NMSGS, \"schema.h's count\");\n"
	    "_Static_assert(F_%s_last + 1 == SCHEMA_NFIELDS, "
	    "\"schema.h's count\");\n"
	    "_Static_assert(D_%s_last + 1 == SCHEMA_NDENSE, "
	    "\"schema.h's count\");\n",
	    id[nmsgs - 1], id[nmsgs - 1], id[nmsgs - 1]);
	for (k = 0; k < sizeof(named) / sizeof(named[0]); k++)
		fprintf(c, "_Static_assert(M_%s == %s, \"schema.h's index\");\n",
		    named[k][0], named[k][1]);
	fprintf(c, "\nconst struct schema_msg schema_msgs[SCHEMA_NMSGS] = {\n");
	for (i = 0; i < nmsgs; i++)
		fprintf(c, "\t{ \"%s\", F_%s, %zu, D_%s, %zu },\n",
		    short_name(msgs[i].full), id[i], msgs[i].nf, id[i],
		    ndense_of(&msgs[i]));
	fprintf(c, "};\n\n"
	    "/* A field number the message does not have. */\n"
	    "#define U\tSCHEMA_UNKNOWN\n\n"
	    "const uint16_t schema_dense[SCHEMA_NDENSE] = {\n");
	for (i = 0; i < nmsgs; i++)
		emit_dense(c, i, id[i]);
	fprintf(c, "};\n\nconst struct schema_field "
	    "schema_fields[SCHEMA_NFIELDS + 1] = {\n");
	for (i = 0; i < nmsgs; i++) {
		if (msgs[i].nf > 0)
			fprintf(c, "\t/* %s */\n", short_name(msgs[i].full));
		for (j = 0; j < msgs[i].nf; j++) {
			f = &msgs[i].f[j];
			snprintf(flags, sizeof(flags), "%s%s%s%s%s%s",
			    f->repeated ? "SF_REPEATED" : "",
			    f->repeated && (f->payload || f->ref) ? " | " : "",
			    f->payload ? "SF_PAYLOAD" : "",
			    f->payload && f->ref ? " | " : "",
			    f->ref ? f->ref : "", f->ref ? " << 3" : "");
			if (f->msg < 0)
				fprintf(c, "\t{ %u, 0, %s, %s },\n", f->number,
				    kind(f), flags[0] != '\0' ? flags : "0");
			else
				fprintf(c, "\t{ %u, M_%s, %s, %s },\n",
				    f->number, id[f->msg], kind(f),
				    flags[0] != '\0' ? flags : "0");
		}
	}
	fprintf(c, "\t{ 0, 0, SK_BYTES, 0 },\n");
	fprintf(c, "};\n\nconst char *const "
	    "schema_field_names[SCHEMA_NFIELDS] = {\n");
	for (i = 0; i < nmsgs; i++) {
		if (msgs[i].nf > 0)
			fprintf(c, "\t/* %s */\n", short_name(msgs[i].full));
		for (j = 0; j < msgs[i].nf; j++)
			fprintf(c, "\t\"%s\",\n", msgs[i].f[j].name);
	}
	fprintf(c, "};\n");
	for (i = 0; i < nmsgs; i++)
		free(id[i]);
	free(id);
}

static void
usage(void)
{
	fprintf(stderr, "usage: schemagen -r ref -s sha256 descriptors.pb "
	    "schema.c schema.h\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct span s, sub;
	unsigned char *data = NULL;
	size_t len = 0, cap = 0, n, i, nfields = 0;
	uint32_t num;
	uint64_t v;
	int wt;
	FILE *in, *c, *h;
	int ch;

	while ((ch = getopt(argc, argv, "r:s:")) != -1) {
		switch (ch) {
		case 'r':
			source_ref = optarg;
			break;
		case 's':
			source_sha256 = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 3 || source_ref == NULL || source_sha256 == NULL)
		usage();
	/* They stand in a comment of one line each. */
	if (strpbrk(source_ref, "\n") != NULL || strstr(source_ref, "*/"))
		errx(1, "-r %s: not for a comment", source_ref);
	if (strlen(source_sha256) != 64 ||
	    strspn(source_sha256, "0123456789abcdef") != 64)
		errx(1, "-s %s: not a sha256 in lowercase hex", source_sha256);
	if ((in = fopen(argv[0], "rb")) == NULL)
		err(1, "%s", argv[0]);
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			if ((data = realloc(data, cap)) == NULL)
				err(1, NULL);
		}
		if ((n = fread(data + len, 1, cap - len, in)) == 0)
			break;
		len += n;
	}
	if (ferror(in))
		err(1, "%s", argv[0]);
	fclose(in);
	s.p = data;
	s.len = len;
	while (next(&s, &num, &wt, &v, &sub))
		if (num == 1 && wt == 2)
			file(sub);
	if (nmsgs == 0 || nmsgs > MSG_MAX)
		errx(1, "%s: %zu messages", argv[0], nmsgs);
	qsort(msgs, nmsgs, sizeof(*msgs), by_full);
	resolve();
	for (i = 0; i < nmsgs; i++)
		nfields += msgs[i].nf;
	/* schema_dense holds field indices, and one more for none. */
	if (nfields >= UINT16_MAX)
		errx(1, "%s: %zu fields", argv[0], nfields);
	if ((c = fopen(argv[1], "w")) == NULL)
		err(1, "%s", argv[1]);
	if ((h = fopen(argv[2], "w")) == NULL)
		err(1, "%s", argv[2]);
	emit_c(c);
	emit_h(h, nfields, ndense_all());
	if (fclose(c) == EOF)
		err(1, "%s", argv[1]);
	if (fclose(h) == EOF)
		err(1, "%s", argv[2]);
	free(data);
	return 0;
}
