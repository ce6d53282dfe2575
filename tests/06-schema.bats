#!/usr/bin/env bats
# The generated schema table (lib/gen/schemagen.c, issue 15): a slightly
# newer proto changes a few lines of it, and `make schema` makes again what
# is committed. Both need protoc; the first uses the real proto when PROTO
# names it, tests/data/schema-mini.proto otherwise; the second only runs
# with PROTO set to the proto lib/schema.h names by its sha256.

load common

: "${SCHEMAGEN:=$_wp_build/gen/schemagen}"
export SCHEMAGEN

setup() {
	if ! command -v protoc >/dev/null 2>&1; then
		skip "protoc not found (apt-get install protobuf-compiler): the schema table is not regenerated"
	fi
}

# changed N: the count of changed lines schema-diff.sh gave for schema.c.
changed_c() {
	local line=${lines[${#lines[@]} - 1]}
	line=${line#changed lines: schema.c }
	echo "${line%%,*}"
}

@test "one message and one field added change a few lines of schema.c (mini proto)" {
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
	[ -n "${PROTO:-}" ] ||
		skip "PROTO unset: give PROTO=path/to/perfetto_trace.proto to diff the real table"
	run -0 sh "$TESTS/schema-diff.sh" "$PROTO" "$BATS_TEST_TMPDIR/d"
	assert_line '+	M_DiffTestAdded,'
	assert_line '+	{ 57, M_DiffTestAdded, SK_MESSAGE, 0 },'
	# The generator of 1.x rewrote 5,840 lines for the same change.
	[ "$(changed_c)" -le 24 ]
}

@test "make schema PROTO=... makes lib/schema.c and lib/schema.h byte for byte" {
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
