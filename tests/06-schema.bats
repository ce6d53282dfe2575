#!/usr/bin/env bats
# The generated schema table (lib/gen/schemagen.c, issue 15). Without
# protoc: schemagen turns the committed descriptor set of
# tests/data/schema-mini.proto into a table that tests/unit_schema.c
# passes. With protoc: a slightly newer proto changes a few lines of the
# table (the real proto when PROTO names it, the mini one otherwise), and
# `make schema` makes again what is committed (only with PROTO set to the
# proto lib/schema.h names by its sha256).

load common

: "${SCHEMAGEN:=$_wp_build/gen/schemagen}"
export SCHEMAGEN

SHA=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

need_protoc() {
	if ! command -v protoc >/dev/null 2>&1; then
		skip "protoc not found (apt-get install protobuf-compiler): the schema table is not regenerated"
	fi
}

@test "schemagen: the table of the mini descriptor set passes unit_schema, no protoc needed" {
	T=$BATS_TEST_TMPDIR
	run -0 "$SCHEMAGEN" -r 'mini ref' -s "$SHA" "$TESTS/data/schema-mini.pb" \
	    "$T/schema.c" "$T/schema.h"
	for f in schema.c schema.h; do
		run -0 sed -n 3,4p "$T/$f"
		assert_output " * of mini ref,
 * sha256 $SHA:"
	done
	# Indices are names, never numbers: { number, M_x, SK_MESSAGE, ... }
	# for the 16 message fields of the mini proto (Trace 1, TracePacket 3,
	# TrackEvent 2, DebugAnnotation 2, InternedData 8).
	run -0 grep -c '^	{ [0-9]*, M_[A-Za-z_]*, SK_MESSAGE' "$T/schema.c"
	assert_output 16
	run -1 grep '^	{ [0-9]*, [1-9][0-9]*, SK_' "$T/schema.c"
	run -0 ${CC:-cc} -std=c11 -Wall -Wextra -Werror -I"$T" \
	    -o "$T/unit_schema" "$TESTS/unit_schema.c" "$T/schema.c"
	run -0 "$T/unit_schema"
	refute_output --partial 'not ok'
	assert_line '1..36'
}

@test "schemagen: no -r or -s is a usage error; a bad sha256 is refused" {
	T=$BATS_TEST_TMPDIR
	run -2 "$SCHEMAGEN" -s "$SHA" "$TESTS/data/schema-mini.pb" \
	    "$T/schema.c" "$T/schema.h"
	assert_output 'usage: schemagen -r ref -s sha256 descriptors.pb schema.c schema.h'
	run -2 "$SCHEMAGEN" -r x "$TESTS/data/schema-mini.pb" \
	    "$T/schema.c" "$T/schema.h"
	run -1 "$SCHEMAGEN" -r x -s "${SHA^^}" "$TESTS/data/schema-mini.pb" \
	    "$T/schema.c" "$T/schema.h"
	assert_output "schemagen: -s ${SHA^^}: not a sha256 in lowercase hex"
	run -1 "$SCHEMAGEN" -r 'a */ b' -s "$SHA" "$TESTS/data/schema-mini.pb" \
	    "$T/schema.c" "$T/schema.h"
	assert_output "schemagen: -r a */ b: not for a comment"
	[ ! -e "$T/schema.c" ]
}

@test "tests/data/schema-mini.pb is the descriptor set of schema-mini.proto" {
	need_protoc
	T=$BATS_TEST_TMPDIR
	run -0 protoc -I"$TESTS/data" --include_imports \
	    --descriptor_set_out="$T/mini.pb" schema-mini.proto
	# Compared by what schemagen makes of it: protoc versions may order
	# the bytes of a descriptor differently.
	"$SCHEMAGEN" -r x -s "$SHA" "$T/mini.pb" "$T/a.c" "$T/a.h"
	"$SCHEMAGEN" -r x -s "$SHA" "$TESTS/data/schema-mini.pb" "$T/b.c" "$T/b.h"
	run -0 cmp "$T/a.c" "$T/b.c"
	run -0 cmp "$T/a.h" "$T/b.h"
}

# changed N: the count of changed lines schema-diff.sh gave for schema.c.
changed_c() {
	local line=${lines[${#lines[@]} - 1]}
	line=${line#changed lines: schema.c }
	echo "${line%%,*}"
}

@test "one message and one field added change a few lines of schema.c (mini proto)" {
	need_protoc
	run -0 sh "$TESTS/schema-diff.sh" "$TESTS/data/schema-mini.proto" \
	    "$BATS_TEST_TMPDIR/d"
	# The new message has its index, field offset, direct lookup, row,
	# field and name; TrackEvent its new field 57 and new counts.
	assert_line '+	M_DiffTestAdded,'
	assert_line '+	F_DiffTestAdded, F_DiffTestAdded_last = F_DiffTestAdded + 1 - 1,'
	assert_line '+	{ "DiffTestAdded", F_DiffTestAdded, 1, D_DiffTestAdded, 2 },'
	assert_line '+	{ 57, M_DiffTestAdded, SK_MESSAGE, 0 },'
	assert_line '+	"diff_test_added",'
	assert_line '+	{ "TrackEvent", F_TrackEvent, 9, D_TrackEvent, 58 },'
	# Messages after it in the order moved by one; their rows did not.
	assert_line '+#define SCHEMA_TRACE_PACKET	12'
	refute_line --partial '+	{ "TracePacket"'
	assert_line --regexp '^changed lines: schema.c [0-9]+, schema.h [0-9]+$'
	[ "$(changed_c)" -le 24 ]
	# Both versions compile, without a warning.
	for v in old new; do
		run -0 ${CC:-cc} -std=c11 -Wall -Wextra -Werror -c \
		    -I"$BATS_TEST_TMPDIR/d/$v" -o "$BATS_TEST_TMPDIR/d/$v/schema.o" \
		    "$BATS_TEST_TMPDIR/d/$v/schema.c"
	done
}

@test "one message and one field added change a few lines of schema.c (PROTO)" {
	need_protoc
	[ -n "${PROTO:-}" ] ||
		skip "PROTO unset: give PROTO=path/to/perfetto_trace.proto to diff the real table"
	run -0 sh "$TESTS/schema-diff.sh" "$PROTO" "$BATS_TEST_TMPDIR/d"
	assert_line '+	M_DiffTestAdded,'
	assert_line '+	{ 57, M_DiffTestAdded, SK_MESSAGE, 0 },'
	# The generator of 1.x rewrote 5,840 lines for the same change.
	[ "$(changed_c)" -le 24 ]
}

@test "make schema PROTO=... makes lib/schema.c and lib/schema.h byte for byte" {
	need_protoc
	[ -n "${PROTO:-}" ] ||
		skip "PROTO unset: give PROTO=path/to/perfetto_trace.proto to regenerate the table"
	sha=$(sha256sum <"$PROTO" | cut -c1-64)
	grep -q "^ \* sha256 $sha:\$" "$TESTS/../lib/schema.h" ||
		skip "PROTO=$PROTO is not the proto lib/schema.h was made from"
	mkdir "$BATS_TEST_TMPDIR/out"
	run -0 make -s -C "$TESTS/.." schema B="$_wp_build" PROTO="$PROTO" \
	    SCHEMA_OUT="$BATS_TEST_TMPDIR/out"
	run -0 cmp "$BATS_TEST_TMPDIR/out/schema.c" "$TESTS/../lib/schema.c"
	run -0 cmp "$BATS_TEST_TMPDIR/out/schema.h" "$TESTS/../lib/schema.h"
}
