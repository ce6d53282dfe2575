#!/usr/bin/env bats
# References on real traces (issue 16): every interned id and track uuid
# of the 18 MB stack trace is checked, and interned data resolves per
# generation of its sequence as trace_processor v58.2 resolves it. Each
# damaged file below was loaded with trace_processor_shell v58.2; the
# stat it records is named in the test.

load common

STACKS=$TESTS/data/wprof-2s-stacks-sched.wprof.pb
SHA=$TESTS/data/wprof-500ms-sha256sum.wprof.pb

setup() {
	T=$BATS_TEST_TMPDIR/t.wprof.pb
}

# json KEY: KEY of the file's record in check --json of $T.
json() {
	"$WPROFCK" check --json --min-size 0 "$T" | jq -r "select(.path) | .$1"
}

# bytes_at FILE OFF N: N bytes of FILE from OFF as hex.
bytes_at() {
	od -An -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'
}

# patch FILE OFF OCTALS: writes the bytes in place.
patch() {
	printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

@test "the 18 MB stack trace: every reference checked, none capped" {
	run -0 "$WPROFCK" check "$STACKS"
	refute_output --partial 'not all checked'
	assert_line --index 1 --regexp '^ok +18M +289808 '
	run -0 sh -c '"$WPROFCK" check --json "$1" | jq -c "select(.path | not) | [.refs_capped, .refs_checked > 2000000]"' sh "$STACKS"
	assert_output '[false,true]'
}

@test "the 18 MB stack trace with a frame iid gone from its final packet fails missing_interned" {
	# The final packet's Frame with iid 16699 (varint bb 82 01) gets iid
	# 2097151 (ff ff 7f): callstacks still name frame 16699.
	# trace_processor: stackprofile_invalid_frame_id (error) 1.
	cp "$STACKS" "$T"
	[ "$(bytes_at "$T" 18411885 4)" = 08bb8201 ]
	patch "$T" 18411886 '\377\377\177'
	run -1 "$WPROFCK" check "$T"
	run -0 json reason
	assert_output missing_interned
	run -0 json message
	assert_output --regexp '^missing interned data: frame iid 16699 of sequence 7, first used by packet 289807 at offset [0-9]+, is defined in no interned_data of that sequence \(1 id missing in all\)'
}

@test "a trace whose START does not clear the incremental state fails missing_interned" {
	# wprof's START packet (4) carries sequence_flags(13) = 1 at byte
	# 5001; 0 leaves every interned id of the sequence unusable.
	# trace_processor: interned_data_skipped_incremental_state_invalid 6,
	# interned_data_tokenizer_errors 44794.
	cp "$SHA" "$T"
	[ "$(bytes_at "$T" 5000 2)" = 6801 ]
	run -0 "$WPROFCK" check "$T"
	patch "$T" 5001 '\000'
	run -1 "$WPROFCK" check "$T"
	run -0 json reason
	assert_output missing_interned
	# Flags 3 (cleared, needs state) clear it as well: no loss.
	patch "$T" 5001 '\003'
	run -0 "$WPROFCK" check "$T"
}

# The packets of the small traces below, all on sequence 7:
# CLEAR: sequence_flags(13) 1; ISC: incremental_state_cleared(41) 1;
# USE: track_event { name_iid(10): 5 } and timestamp(8) 1 last, as
# trace_processor drops a TrackEvent without one; DEF: interned_data {
# event_names { iid: 5 } }.
CLEAR='\n\004P\007h\001'
ISC='\n\005P\007\310\002\001'
USE='\n\010Z\002P\005P\007@\001'
DEF='\n\010b\004\022\002\010\005P\007'

@test "interned data used before its definition in the same generation passes (wprof's stack packet)" {
	printf "$CLEAR$USE$DEF" >"$T"
	run -0 "$WPROFCK" check --min-size 0 "$T"
	printf "$ISC$USE$DEF" >"$T"
	run -0 "$WPROFCK" check --min-size 0 "$T"
}

@test "interned data before the first clear of its sequence is ignored" {
	printf "$USE$DEF$CLEAR" >"$T"
	run -1 "$WPROFCK" check --min-size 0 "$T"
	run -0 json message
	assert_output --partial 'event name iid 5 of sequence 7, first used by packet 0 at offset 4,'
}

@test "an id defined in one generation and used in the next fails" {
	# CLEAR (6 bytes), DEF (10), CLEAR (6), then USE: its name_iid tag
	# lies 4 bytes into it, at 26.
	printf "$CLEAR$DEF$CLEAR$USE" >"$T"
	run -1 "$WPROFCK" check --min-size 0 "$T"
	run -0 json message
	assert_output --partial 'event name iid 5 of sequence 7, first used by packet 3 at offset 26,'
}

@test "check of many files shares one reference state, and nothing of one file resolves another's" {
	# A defines event name 5, B uses it: B alone is missing it.
	printf "$CLEAR$DEF" >"$BATS_TEST_TMPDIR/a.wprof.pb"
	printf "$CLEAR$USE" >"$BATS_TEST_TMPDIR/b.wprof.pb"
	printf "$CLEAR$USE$DEF" >"$BATS_TEST_TMPDIR/c.wprof.pb"
	run -1 "$WPROFCK" check --json --min-size 0 "$BATS_TEST_TMPDIR/a.wprof.pb" \
	    "$BATS_TEST_TMPDIR/b.wprof.pb" "$BATS_TEST_TMPDIR/c.wprof.pb"
	run -0 jq -r 'select(.path) | [(.path | sub(".*/"; "")), (.reason // "ok")] | join(" ")' <<<"$output"
	assert_output "a.wprof.pb ok
b.wprof.pb missing_interned
c.wprof.pb ok"
	# After a failed file, the next is checked from scratch too.
	run -1 "$WPROFCK" check --json --min-size 0 "$BATS_TEST_TMPDIR/b.wprof.pb" \
	    "$BATS_TEST_TMPDIR/c.wprof.pb" "$BATS_TEST_TMPDIR/b.wprof.pb"
	run -0 jq -r 'select(.path) | .reason // "ok"' <<<"$output"
	assert_output "missing_interned
ok
missing_interned"
}

@test "an interned id defined again in its generation: ok, with a note (the first definition holds)" {
	# incremental_state.cc:93-104 at v58.2: emplace keeps the first
	# message of an iid; trace_processor loads the copy below (label
	# h_iid_same, keep, in tests/data/semantic.tsv).
	local note='an interned id defined again in its generation: trace_processor keeps the first definition'
	T=$SHA
	run -0 json note
	assert_output null
	T=$BATS_TEST_TMPDIR/t.wprof.pb
	run -0 "$_wp_build/tests/semmut" "$SHA" 1 h_iid_same "$T"
	run -0 "$WPROFCK" check "$T"
	assert_line --index 1 --regexp "^ok .* \\($note\\)\$"
	run -0 json note
	assert_output "$note"
}
