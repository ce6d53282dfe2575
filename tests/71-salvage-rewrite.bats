#!/usr/bin/env bats
# salvage keeps its promise (issue 16 item 5): what it writes passes check.
# A real stack trace cut anywhere before its end loses the one packet that
# defines every callstack, frame and function name; salvage drops the
# references whose definitions were lost and says what it removed. And it
# does so in bounded memory (issue 14 item 7): peak RSS at most 16 MiB.
#
# Checked by hand with trace_processor_shell v58.2 (../shared/perfetto,
# the stats query of its README) on the salvaged outputs of the 18 MB
# trace cut at 5,000,000 and 18,300,000 bytes: they load, and the only
# stats are clock_sync_cache_miss (1) and compact_sched_switch_skipped
# (2), both info and both what the whole original trace shows too: no
# error, no data loss. Not a make test dependency.

load common
load faults_helpers

STACKS=$TESTS/data/wprof-2s-stacks-sched.wprof.pb
SHA=$TESTS/data/wprof-500ms-sha256sum.wprof.pb
# The final packet of STACKS, 517,274 bytes long, starts here.
LAST=18156886

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	# An id-heavy trace: mkpb's opening, then 1,200,000 TrackEvents of
	# sequence 7, each { type INSTANT, callstack_iid i } for i from 1,
	# none defined: what a cut before wprof's stack packet leaves.
	"$MKPB" -n 0 >"$P/heavy.pb"
	perl -e '
		sub v { my $x = shift; my $s = "";
			while ($x >= 0x80) { $s .= chr(($x & 0x7f) | 0x80); $x >>= 7 }
			return $s . chr($x) }
		binmode STDOUT;
		for my $i (1 .. $ARGV[0]) {
			my $te = "\x48\x03\xc0\x03" . v($i);
			my $p = "\x40" . v(1000 + $i) . "\x50\x07\x5a" .
			    v(length $te) . $te;
			print "\x0a" . v(length $p) . $p;
		}' 1200000 >>"$P/heavy.pb"
}

# cut_salvage SRC BYTES: salvages the first BYTES of SRC into s.pb, with
# the peak RSS recorded, exit 0; its messages go to log too.
cut_salvage() {
	head -c "$2" "$1" >"$BATS_TEST_TMPDIR/cut.pb"
	run -0 wp_rss "$BATS_TEST_TMPDIR/stdout" salvage \
	    -o "$BATS_TEST_TMPDIR/s.pb" "$BATS_TEST_TMPDIR/cut.pb"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/log"
	assert_rss_small
}

# removed_callstacks: the count of callstack iids salvage said it removed.
removed_callstacks() {
	sed -n 's/.*; removed: \([0-9]*\) callstack iids\?[;,].*/\1/p' \
	    "$BATS_TEST_TMPDIR/log"
}

@test "the whole stack trace fails nothing and is copied as it is" {
	run -0 "$WPROFCK" salvage -o "$BATS_TEST_TMPDIR/s.pb" "$STACKS"
	assert_output --partial 'nothing to drop: 289808 whole packets'
	refute_output --partial 'rewrote'
	cmp "$STACKS" "$BATS_TEST_TMPDIR/s.pb"
}

@test "the stack trace cut before its final packet: output passes check" {
	local at n
	for at in 5000000 12000000 $LAST; do
		head -c "$at" "$STACKS" >"$BATS_TEST_TMPDIR/cut.pb"
		# The cut itself fails: its callstacks are defined nowhere.
		run -1 "$WPROFCK" check -q "$BATS_TEST_TMPDIR/cut.pb"
		cut_salvage "$STACKS" "$at"
		run -0 "$WPROFCK" check -q "$BATS_TEST_TMPDIR/s.pb"
		n=$(removed_callstacks)
		[ -n "$n" ] && [ "$n" -gt 0 ] ||
		    fail "cut at $at: no callstack iids removed: $(cat "$BATS_TEST_TMPDIR/log")"
		# Each removed field is 3 to 5 bytes (tag 0xc0 0x03, a varint
		# id), and each rewritten packet's lengths may shrink by a
		# byte or two: the output is that much shorter, no more.
		local kept out
		kept=$(sed -n 's/.*kept [0-9]* packets\{0,1\} (\([0-9]*\) bytes).*/\1/p' "$BATS_TEST_TMPDIR/log")
		[ -z "$kept" ] && kept=$at
		out=$(fsize "$BATS_TEST_TMPDIR/s.pb")
		((out < kept && kept - out >= 3 * n && kept - out <= 9 * n)) ||
		    fail "cut at $at: $kept bytes kept, $out written, $n removed"
	done
}

@test "the stack trace cut inside its final packet: output passes check" {
	cut_salvage "$STACKS" 18300000
	assert_line -n 0 --partial "kept 289807 packets ($LAST bytes); dropped 143114 bytes from offset $LAST: truncated"
	run -0 "$WPROFCK" check -q "$BATS_TEST_TMPDIR/s.pb"
	# Every packet with field 56 (TrackEvent.callstack_iid) lost it.
	grep -q 'removed: [0-9]* callstack iids; [0-9]* bytes written' \
	    "$BATS_TEST_TMPDIR/log"
}

@test "the stack trace cut inside its opening: exit 1, no output" {
	head -c 3000 "$STACKS" >"$BATS_TEST_TMPDIR/cut.pb"
	run -1 "$WPROFCK" salvage -o "$BATS_TEST_TMPDIR/s.pb" \
	    "$BATS_TEST_TMPDIR/cut.pb"
	assert_output --partial 'nothing saved'
	[ ! -e "$BATS_TEST_TMPDIR/s.pb" ]
}

@test "the 488 KB trace cut mid-packet: output passes check" {
	cut_salvage "$SHA" 300000
	assert_line -n 0 --partial 'dropped'
	run -0 "$WPROFCK" check -q "$BATS_TEST_TMPDIR/s.pb"
}

@test "an id-heavy cut: 1,199,999 callstack iids removed within 16 MiB" {
	local size
	size=$(fsize "$P/heavy.pb")
	cut_salvage "$P/heavy.pb" $((size - 7))
	assert_line -n 1 --partial 'rewrote 1199999 packets so that no reference dangles'
	assert_line -n 1 --partial 'removed: 1199999 callstack iids;'
	run -0 "$WPROFCK" check -q "$BATS_TEST_TMPDIR/s.pb"
	# Each lost field: tag 0xc0 0x03 and a varint of 1 to 3 bytes; each
	# TrackEvent and packet length stays one byte.
	local want=$((size - 7 - 10))
	want=$((want - 3 * 127 - 4 * (16383 - 127) - 5 * (1199999 - 16383)))
	assert_equal "$(fsize "$BATS_TEST_TMPDIR/s.pb")" "$want"
}

@test "a pipe in, standard output out: the same rewrite" {
	head -c 5000000 "$STACKS" >"$BATS_TEST_TMPDIR/cut.pb"
	"$WPROFCK" salvage -q -o "$BATS_TEST_TMPDIR/a.pb" "$BATS_TEST_TMPDIR/cut.pb"
	cat "$BATS_TEST_TMPDIR/cut.pb" | "$WPROFCK" salvage -q - \
	    >"$BATS_TEST_TMPDIR/b.pb"
	cmp "$BATS_TEST_TMPDIR/a.pb" "$BATS_TEST_TMPDIR/b.pb"
	run -0 "$WPROFCK" check -q "$BATS_TEST_TMPDIR/b.pb"
}
