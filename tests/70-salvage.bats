#!/usr/bin/env bats
# salvage (issue 11 item 7): the longest prefix of whole, valid packets of
# a damaged trace, what was dropped and why, dangling references in what
# was kept, exit 0 only when the opening survives, atomic output.
#
# Where packets start comes from mkpb's map (-m), which does not share
# code with the walk under test.

load common

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	# 40 body packets of 100 bytes after the opening (records 0-4).
	"$MKPB" -n 40 -s 100 -m "$P/map" >"$P/good.pb"
	# A TracePacket that uses event name iid 281 before anything defines
	# it: timestamp 1000, sequence 7, track_event { type INSTANT,
	# name_iid 281 }; protoc decodes it (checked by hand).
	printf '\012\014\100\350\007\120\007\132\005\120\231\002\110\003' \
	    >"$P/use.bin"
	# mkpb -T's last record defines iid 281 in sequence 7.
	"$MKPB" -n 0 -T -m "$P/tmap" >"$P/tailsrc.pb"
	tail -c +"$(($(rec_off "$P/tmap" 5) + 1))" "$P/tailsrc.pb" \
	    >"$P/def.bin"
	cat "$P/good.pb" "$P/use.bin" "$P/def.bin" >"$P/late.pb"
}

# rec_off MAP INDEX: the offset of record INDEX in an mkpb map.
rec_off() {
	awk -v i="$2" '$1 == i { print $2 }' "$1"
}

@test "a trace cut inside a packet: the packets before it, byte for byte" {
	local at
	at=$(rec_off "$P/map" 26)
	head -c $((at + 37)) "$P/good.pb" >"$BATS_TEST_TMPDIR/cut.pb"
	run -0 "$WPROFCK" salvage -o "$BATS_TEST_TMPDIR/s.pb" \
	    "$BATS_TEST_TMPDIR/cut.pb"
	assert_output "wprofck: salvage: $BATS_TEST_TMPDIR/cut.pb: kept 26 packets ($at bytes); dropped 37 bytes from offset $at: truncated: packet 26 at offset $at claims 98 bytes, 35 are there, 63 missing"
	head -c "$at" "$P/good.pb" >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/s.pb"
	run -0 "$WPROFCK" check --deep "$BATS_TEST_TMPDIR/s.pb"
}

@test "trailing garbage: the whole trace, the garbage dropped" {
	cat "$P/good.pb" >"$BATS_TEST_TMPDIR/t.pb"
	printf '\377\377\377' >>"$BATS_TEST_TMPDIR/t.pb"
	run -0 "$WPROFCK" salvage -o "$BATS_TEST_TMPDIR/s.pb" \
	    "$BATS_TEST_TMPDIR/t.pb"
	assert_output --partial "kept 45 packets ($(fsize "$P/good.pb") bytes); dropped 3 bytes from offset $(fsize "$P/good.pb"): trailing bytes"
	cmp "$P/good.pb" "$BATS_TEST_TMPDIR/s.pb"
}

@test "a malformed packet in the middle: everything before it, nothing after" {
	local at
	"$MKPB" -n 40 -s 100 -p 30 -X wt6 -m "$BATS_TEST_TMPDIR/map" \
	    >"$BATS_TEST_TMPDIR/bad.pb"
	at=$(rec_off "$BATS_TEST_TMPDIR/map" 35)
	run -0 "$WPROFCK" salvage -o "$BATS_TEST_TMPDIR/s.pb" \
	    "$BATS_TEST_TMPDIR/bad.pb"
	assert_output --partial "kept 35 packets ($at bytes); dropped $(($(fsize "$BATS_TEST_TMPDIR/bad.pb") - at)) bytes from offset $at: malformed packet"
	head -c "$at" "$BATS_TEST_TMPDIR/bad.pb" >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/s.pb"
}

@test "a whole trace: copied as it is, nothing dropped" {
	run -0 "$WPROFCK" salvage -o "$BATS_TEST_TMPDIR/s.pb" "$P/good.pb"
	assert_output "wprofck: salvage: $P/good.pb: nothing to drop: 45 whole packets, $(fsize "$P/good.pb") bytes"
	cmp "$P/good.pb" "$BATS_TEST_TMPDIR/s.pb"
	run -0 "$WPROFCK" salvage -q -o "$BATS_TEST_TMPDIR/q.pb" "$P/good.pb"
	assert_output ''
	cmp "$P/good.pb" "$BATS_TEST_TMPDIR/q.pb"
}

@test "the real wprof traces are whole" {
	local t
	for t in "$TESTS"/data/wprof-*.wprof.pb; do
		run -0 "$WPROFCK" salvage -o "$BATS_TEST_TMPDIR/s.pb" "$t"
		assert_output --partial ": nothing to drop: "
		cmp "$t" "$BATS_TEST_TMPDIR/s.pb"
	done
}

@test "damage inside the opening: exit 1, no output, OUT unchanged" {
	local at
	at=$(rec_off "$P/map" 4)
	head -c $((at + 100)) "$P/good.pb" >"$BATS_TEST_TMPDIR/cut.pb"
	printf 'old\n' >"$BATS_TEST_TMPDIR/s.pb"
	run -1 "$WPROFCK" salvage -o "$BATS_TEST_TMPDIR/s.pb" \
	    "$BATS_TEST_TMPDIR/cut.pb"
	assert_output --regexp "^wprofck: salvage: $BATS_TEST_TMPDIR/cut.pb: nothing saved: 4 whole packets \\($at bytes\\) before the damage, short of wprof's opening \\(5 packets, 4096 bytes\\); no output written: truncated: "
	assert_equal "$(cat "$BATS_TEST_TMPDIR/s.pb")" old
	assert_equal "$(ls_dir "$BATS_TEST_TMPDIR")" 'cut.pb s.pb'
	run -1 "$WPROFCK" salvage -o "$BATS_TEST_TMPDIR/n.pb" "$BATS_TEST_TMPDIR/s.pb"
	assert_output "wprofck: salvage: $BATS_TEST_TMPDIR/s.pb: this is text, not a trace"
	[ ! -e "$BATS_TEST_TMPDIR/n.pb" ]
	printf '\001\002' >"$BATS_TEST_TMPDIR/b.pb"
	run -1 "$WPROFCK" salvage -o "$BATS_TEST_TMPDIR/n.pb" "$BATS_TEST_TMPDIR/b.pb"
	assert_output --partial 'nothing saved: 0 whole packets (0 bytes)'
	[ ! -e "$BATS_TEST_TMPDIR/n.pb" ]
}

@test "cut just before the packet that defines an iid: the use is dropped" {
	local at
	at=$(($(fsize "$P/good.pb") + $(fsize "$P/use.bin")))
	run -0 "$WPROFCK" check --deep "$P/late.pb"
	head -c "$at" "$P/late.pb" >"$BATS_TEST_TMPDIR/cut.pb"
	printf 'junk' >>"$BATS_TEST_TMPDIR/cut.pb"
	run -0 "$WPROFCK" salvage -o "$BATS_TEST_TMPDIR/s.pb" \
	    "$BATS_TEST_TMPDIR/cut.pb"
	assert_line -n 0 --partial "kept 46 packets ($at bytes); dropped 4 bytes from offset $at"
	assert_line -n 1 "wprofck: salvage: $BATS_TEST_TMPDIR/s.pb: rewrote 1 packet so that no reference dangles (their definitions were in what was dropped); removed: 1 event name iid; $((at - 3)) bytes written"
	# use.bin without its name_iid (field 10, 3 bytes): the TrackEvent
	# is 2 bytes long, the packet 9; built by hand, as protoc reads it.
	head -c "$(fsize "$P/good.pb")" "$P/late.pb" >"$BATS_TEST_TMPDIR/want"
	printf '\012\011\100\350\007\120\007\132\002\110\003' \
	    >>"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/s.pb"
	run -0 "$WPROFCK" check "$BATS_TEST_TMPDIR/s.pb"
	# Cut cleanly there, nothing is dropped but the reference dangles.
	head -c "$at" "$P/late.pb" >"$BATS_TEST_TMPDIR/clean.pb"
	run -0 "$WPROFCK" salvage -o "$BATS_TEST_TMPDIR/s2.pb" \
	    "$BATS_TEST_TMPDIR/clean.pb"
	assert_line -n 0 --partial 'nothing to drop: 46 whole packets'
	assert_line -n 1 --partial 'rewrote 1 packet so that no reference dangles'
	cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/s2.pb"
}

@test "from a pipe to standard output, and - for either" {
	local at
	at=$(rec_off "$P/map" 30)
	head -c $((at + 5)) "$P/good.pb" >"$BATS_TEST_TMPDIR/cut.pb"
	head -c "$at" "$P/good.pb" >"$BATS_TEST_TMPDIR/want"
	run -0 bash -c 'cat "$1" | "$WPROFCK" salvage - >"$2"' _ \
	    "$BATS_TEST_TMPDIR/cut.pb" "$BATS_TEST_TMPDIR/out"
	assert_output --partial "(standard input): kept 30 packets ($at bytes); dropped 5 bytes"
	cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/out"
	run -0 bash -c '"$WPROFCK" salvage -o - "$1" >"$2"' _ \
	    "$BATS_TEST_TMPDIR/cut.pb" "$BATS_TEST_TMPDIR/out2"
	cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/out2"
}

@test "usage: a trace is required, one only; binary data refuses a terminal" {
	run -2 "$WPROFCK" salvage
	assert_line -n 0 'wprofck: salvage: missing operand'
	run -2 "$WPROFCK" salvage "$P/good.pb" "$P/good.pb"
	assert_line -n 0 "wprofck: salvage: extra operand '$P/good.pb'"
	run -2 script -qec "$WPROFCK salvage $P/good.pb" /dev/null
	assert_output --partial 'refusing to write binary data to a terminal'
}
