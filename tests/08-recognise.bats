#!/usr/bin/env bats
# Every command looks at what it is given before anything else (issue 17,
# item 3), with the one recognition of lib/sniff.c: given the wrong kind,
# it says what the input is and the command that reads it, as its first
# and only message, exit 1, nothing written. The commands it names are
# run here as printed.

load common
load frames_helpers

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	"$MKPB" -n 100 >"$P/good.pb"
	new_drain "$P/good.drain"
	frame SOUT "$TESTS/data/make-sample.sh"
	frame WPRC "$P/good.pb"
	frame WPRF /dev/null
	gzip -c "$P/good.pb" >"$P/good.pb.gz"
	gzip -c "$P/good.drain" >"$P/drain.gz"
	: >"$P/empty"
	printf 'hello, world\n' >"$P/hello.txt"
}

setup() {
	GOT=$BATS_TEST_TMPDIR/out
	cd "$BATS_TEST_TMPDIR"
}

# as_printed: the command after the last ": " of the message in $output,
# with wprofck meaning the binary under test, run in a shell.
as_printed() {
	local cmd=${output##*: }
	eval "${cmd//wprofck/\"\$WPROFCK\"}"
}

@test "frames and extract of a trace: a trace, check it; not an oversized frame" {
	run -1 wp_to "$GOT" frames "$P/good.pb"
	assert_output "wprofck: frames: $P/good.pb: this is a Perfetto trace, not a drain: wprofck check $P/good.pb"
	assert_equal "$(fsize "$GOT")" 0
	run -0 as_printed
	run -1 wp_to "$GOT" frames --json "$P/good.pb"
	assert_output "wprofck: frames: $P/good.pb: this is a Perfetto trace, not a drain: wprofck check $P/good.pb"
	assert_equal "$(fsize "$GOT")" 0
	run -1 wp_to "$GOT" extract SOUT "$P/good.pb"
	assert_output "wprofck: extract: $P/good.pb: this is a Perfetto trace, not a drain: wprofck check $P/good.pb"
	assert_equal "$(fsize "$GOT")" 0
	# wprof's own trace, whose first bytes read as a 97M frame
	run -1 "$WPROFCK" extract -o x.pb WPRC "$TESTS/data/wprof-1s-pid1.wprof.pb"
	assert_output "wprofck: extract: $TESTS/data/wprof-1s-pid1.wprof.pb: this is a Perfetto trace, not a drain: wprofck check $TESTS/data/wprof-1s-pid1.wprof.pb"
	[ ! -e x.pb ]
	run -1 wp_to "$GOT" frames "$TESTS/data/wprof-1s-pid1.wprof.pb"
	refute_output --partial 'max-frame'
	# from standard input, through a pipe, one byte at a time
	run -1 wp_dribble 1 "$P/good.pb" "$GOT" frames
	assert_output "wprofck: frames: (standard input): this is a Perfetto trace, not a drain: wprofck check DUMP"
}

@test "a drain's commands given packed data: the -dc command, which works" {
	run -1 wp_to "$GOT" frames "$P/drain.gz"
	assert_output "wprofck: frames: $P/drain.gz: this is gzip data: gzip -dc $P/drain.gz | wprofck frames -"
	run -0 as_printed
	assert_line --partial '3 frames, '
	run -1 wp_to "$GOT" extract SOUT "$P/drain.gz"
	assert_output "wprofck: extract: $P/drain.gz: this is gzip data: gzip -dc $P/drain.gz | wprofck extract SOUT -"
	run -0 as_printed
	assert_equal "$output" "$(cat "$TESTS/data/make-sample.sh")"
	run -1 wp_to "$GOT" reassemble "$P/drain.gz"
	assert_output "wprofck: reassemble: $P/drain.gz: this is gzip data: gzip -dc $P/drain.gz | wprofck reassemble -"
	as_printed >"$GOT"
	cmp "$P/good.pb" "$GOT"
}

@test "salvage of a drain: a drain, reassemble it; not wire types 6 and 7" {
	run -1 "$WPROFCK" salvage -o s.pb "$P/good.drain"
	assert_output "wprofck: salvage: $P/good.drain: this is a drain, not a trace (first frame SOUT, Stdout, $(fsize "$TESTS/data/make-sample.sh") bytes); make the trace from it with: wprofck reassemble -o OUT.wprof.pb $P/good.drain"
	[ ! -e s.pb ]
	run -0 as_printed
	cmp "$P/good.pb" OUT.wprof.pb
	run -1 "$WPROFCK" salvage -o s.pb "$P/good.pb.gz"
	assert_output "wprofck: salvage: $P/good.pb.gz: this is gzip data: gzip -dc $P/good.pb.gz | wprofck salvage -o s.pb -"
	[ ! -e s.pb ]
	run -0 as_printed
	cmp "$P/good.pb" s.pb
	run -1 "$WPROFCK" salvage -o s2.pb "$P/hello.txt"
	assert_output "wprofck: salvage: $P/hello.txt: this is text, not a trace"
	[ ! -e s2.pb ]
}

@test "split of a drain refuses, exit 1; of a gzip'd trace, says so" {
	run -1 "$WPROFCK" split -o s.drain "$P/good.drain"
	assert_output "wprofck: split: $P/good.drain: this is a drain, not a trace (first frame SOUT, Stdout, $(fsize "$TESTS/data/make-sample.sh") bytes); make the trace from it with: wprofck reassemble -o OUT.wprof.pb $P/good.drain"
	[ ! -e s.drain ]
	run -1 wp_in "$P/good.drain" "$GOT" split
	assert_output --partial "wprofck: split: (standard input): this is a drain, not a trace (first frame SOUT,"
	assert_equal "$(fsize "$GOT")" 0
	run -1 "$WPROFCK" split -o s.drain "$P/good.pb.gz"
	assert_output "wprofck: split: $P/good.pb.gz: this is gzip data: gzip -dc $P/good.pb.gz | wprofck split -o s.drain -"
	[ ! -e s.drain ]
	run -0 as_printed
	run -0 wp_to "$GOT" reassemble s.drain
	cmp "$P/good.pb" "$GOT"
	# Text and an empty input are still a trace's bytes to split.
	run -0 wp_to "$GOT" split "$P/hello.txt"
	run -0 wp_to "$GOT" split "$P/empty"
}

@test "frames of an empty file: empty, exit 1, as reassemble finds no trace" {
	run -1 wp_to "$GOT" frames "$P/empty"
	assert_output "wprofck: frames: $P/empty: this is empty, not a drain"
	assert_equal "$(fsize "$GOT")" 0
	run -1 wp_in /dev/null "$GOT" frames -q
	assert_output "wprofck: frames: (standard input): this is empty, not a drain"
	run -1 wp_to "$GOT" frames "$P/hello.txt"
	assert_output "wprofck: frames: $P/hello.txt: this is text, not a drain"
	run -1 wp_to "$GOT" reassemble "$P/hello.txt"
	assert_output "wprofck: reassemble: $P/hello.txt: this is text, not a drain"
}

@test "a drain whose first frame is of a type not known here is walked as before" {
	new_drain
	frame_text wxyz 'guest: hi'
	frame SOUT "$P/hello.txt"
	run -0 "$WPROFCK" frames "$DRAIN"
	assert_line -n 1 --regexp '^      0            0  wxyz +unknown +9  ok$'
	run -0 wp_to "$GOT" extract SOUT "$DRAIN"
	cmp "$P/hello.txt" "$GOT"
	# and a partial header that is not text is still a partial header
	printf 'WPRF\005' >"$DRAIN"
	run -1 "$WPROFCK" frames "$DRAIN"
	assert_output --partial 'end: partial header: 5 bytes at offset 0'
}

@test "recognition keeps streaming: a drain one byte at a time, and a first piece of 3 bytes" {
	run -0 wp_dribble 1 "$P/good.drain" "$GOT" reassemble
	cmp "$P/good.pb" "$GOT"
	run -0 wp_dribble 3 "$P/good.drain" "$GOT" extract SOUT
	cmp "$TESTS/data/make-sample.sh" "$GOT"
	run -0 wp_dribble 1 "$P/good.pb" "$GOT" salvage -
	cmp "$P/good.pb" "$GOT"
	run -0 wp_dribble 1 "$P/good.pb" "$GOT" split
	run -0 "$WPROFCK" reassemble -o back.pb "$GOT"
	cmp "$P/good.pb" back.pb
	# A FIFO whose writer pauses after the drain.
	mkfifo fifo
	{ cat "$P/good.drain"; sleep 2; } >fifo &
	run -0 timeout 10 "$WPROFCK" extract -o "$GOT" SOUT fifo
	cmp "$TESTS/data/make-sample.sh" "$GOT"
	wait
}
