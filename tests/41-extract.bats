#!/usr/bin/env bats
# wprofck extract: the payloads of one frame type, in arrival order, with
# the trace and other frames interleaved; bad CRCs skipped with a warning;
# payloads over the 1 MiB in-memory hold go through the spool file. The
# expected output is always the concatenation of the payload files fed in.

load common
load frames_helpers

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	printf 'guest: hello\n' >"$P/o1"
	printf 'line 2\n' >"$P/o2"
	printf 'bye\n' >"$P/o3"
	printf 'oops\n' >"$P/e1"
	printf 'sched_ext: a\n' >"$P/l1"
	printf 'sched_ext: b\n' >"$P/l2"
	randfile "$P/bin" 5000 1
	randfile "$P/c1" 4096 2
	randfile "$P/t" 1000 3
	randfile "$P/b3" $((3 << 20)) 4
	randfile "$P/b3x" $((3 << 20)) 5
	: >"$P/empty"
	# Stdout (text and binary), the trace, stderr, SchedLog and an unknown
	# type, interleaved.
	new_drain "$P/mixed"
	frame SOUT "$P/o1"
	frame WPRC "$P/c1"
	frame SERR "$P/e1"
	frame SOUT "$P/bin"
	frame SCLG "$P/l1"
	frame SOUT "$P/o2"
	frame WPRF "$P/t"
	frame SOUT "$P/o3"
	frame SCLG "$P/l2"
	frame ABCD "$P/o1"
	cat "$P/o1" "$P/bin" "$P/o2" "$P/o3" >"$P/mixed.sout"
	cat "$P/l1" "$P/l2" >"$P/mixed.sclg"
}

setup() {
	new_drain
	GOT=$BATS_TEST_TMPDIR/got
	EXP=$BATS_TEST_TMPDIR/exp
	OUT=$BATS_TEST_TMPDIR/out
}

@test "extract SOUT: exactly the stdout payloads, in order, trace frames between them" {
	run -0 wp_to "$GOT" extract SOUT "$P/mixed"
	assert_output ''
	cmp "$P/mixed.sout" "$GOT"
	# The text as a terminal would show it.
	frame SOUT "$P/o1"
	frame WPRC "$P/c1"
	frame SOUT "$P/o2"
	frame WPRF "$P/t"
	frame SOUT "$P/o3"
	run -0 "$WPROFCK" extract SOUT "$DRAIN"
	assert_output "$(printf 'guest: hello\nline 2\nbye')"
}

@test "extract: the tag as four characters, a number or a ktstr name in any case" {
	for tag in SOUT 0x534F5554 0x534f5554 1397708116 Stdout stdout STDOUT sTdOuT; do
		run -0 wp_to "$GOT" extract "$tag" "$P/mixed"
		assert_output ''
		cmp "$P/mixed.sout" "$GOT"
	done
	for tag in SCLG SchedLog schedlog SCHEDLOG; do
		run -0 wp_to "$GOT" extract "$tag" "$P/mixed"
		cmp "$P/mixed.sclg" "$GOT"
	done
}

@test "extract: any type: the trace's own, an unknown four-character tag, one that is absent" {
	cp "$P/mixed" "$DRAIN"
	frame WPRC "$P/o1"
	run -0 wp_to "$GOT" extract WprofTraceChunk "$DRAIN"
	cat "$P/c1" "$P/o1" >"$EXP"
	cmp "$EXP" "$GOT"
	run -0 wp_to "$GOT" extract WPRF "$DRAIN"
	cmp "$P/t" "$GOT"
	run -0 wp_to "$GOT" extract SERR "$DRAIN"
	cmp "$P/e1" "$GOT"
	run -0 wp_to "$GOT" extract ABCD "$DRAIN"
	cmp "$P/o1" "$GOT"
	run -0 wp_to "$GOT" extract 0x41424344 "$DRAIN"
	cmp "$P/o1" "$GOT"
	# A type with no frame: said on stderr, exit 1, as grep does.
	run -1 wp_to "$GOT" extract Dmesg "$DRAIN"
	assert_output --regexp "^wprofck: extract: .*/drain: no DMSG \(Dmesg\) frame in its [0-9]+ frames; 'wprofck frames .*/drain' lists the types there are\$"
	assert_equal "$(fsize "$GOT")" 0
	run -1 wp_to "$GOT" extract SOUT "$P/empty"
	assert_output "wprofck: extract: $P/empty: no SOUT (Stdout) frame in its 0 frames; 'wprofck frames $P/empty' lists the types there are"
	assert_equal "$(fsize "$GOT")" 0
}

@test "extract: a SOUT frame with a bad CRC is skipped with a warning naming it, the rest written, exit 1" {
	frame SOUT "$P/o1"
	frame WPRC "$P/c1"
	frame SOUT "$P/bin" -C
	frame SOUT "$P/o2"
	frame WPRF "$P/t"
	frame SOUT "$P/o3" -c 0
	cat "$P/o1" "$P/o2" >"$EXP"
	run -1 wp_to "$GOT" extract SOUT "$DRAIN"
	assert_line -n 0 "wprofck: extract: $DRAIN: skipped Stdout frame 2 at offset 4141: bad CRC (stored 0x$(le32hex "$DRAIN" 4149), computed 0x$(crc_of "$P/bin"))"
	assert_line -n 1 "wprofck: extract: $DRAIN: skipped Stdout frame 5 at offset 10196: bad CRC (stored 0x00000000, computed 0x$(crc_of "$P/o3"))"
	assert_equal "${#lines[@]}" 2
	cmp "$EXP" "$GOT"
}

@test "extract: a bad CRC on another type is no concern of extract SOUT" {
	frame SOUT "$P/o1"
	frame SCLG "$P/l1" -C
	frame WPRC "$P/c1" -C
	frame SOUT "$P/o2"
	cat "$P/o1" "$P/o2" >"$EXP"
	run -0 wp_to "$GOT" extract SOUT "$DRAIN"
	assert_output ''
	cmp "$EXP" "$GOT"
	run -1 wp_to "$GOT" extract SchedLog "$DRAIN"
	assert_output --regexp "^wprofck: extract: $DRAIN: skipped SchedLog frame 1 at offset 29: bad CRC "
	assert_equal "$(fsize "$GOT")" 0
}

@test "extract: a torn trailing frame is a warning and exit 1, its part never written" {
	frame SOUT "$P/o1"
	frame WPRF "$P/t"
	frame SOUT "$P/o2"
	frame SOUT "$P/o3" -l 100
	cat "$P/o1" "$P/o2" >"$EXP"
	run -1 wp_to "$GOT" extract SOUT "$DRAIN"
	assert_output "wprofck: extract: $DRAIN: the walk ended early: torn frame at offset 1068: needs 100 bytes, has 4"
	cmp "$EXP" "$GOT"
}

@test "extract: a partial header or an oversized frame ends the walk, exit 1; --max-frame sets the cap" {
	frame SOUT "$P/o1"
	printf 'TUOS\001\000' >>"$DRAIN"
	run -1 wp_to "$GOT" extract SOUT "$DRAIN"
	assert_output "wprofck: extract: $DRAIN: the walk ended early: partial header: 6 bytes at offset 29"
	cmp "$P/o1" "$GOT"

	new_drain
	frame SOUT "$P/o1"
	frame SOUT "$P/o2" -l 16777217
	frame SOUT "$P/o3"
	run -1 wp_to "$GOT" extract SOUT "$DRAIN"
	assert_line -n 0 "wprofck: extract: $DRAIN: the walk ended early: oversized frame at offset 29: length 16777217 over the cap 16777216"
	assert_line -n 1 "wprofck: extract: $DRAIN: if the guest wrote frames that large, --max-frame 17M admits this one"
	cmp "$P/o1" "$GOT"

	new_drain
	frame SOUT "$P/o1"
	frame SOUT "$P/o2"
	frame SOUT "$P/o3"
	run -1 wp_to "$GOT" extract --max-frame 7 SOUT "$DRAIN"
	assert_line -n 0 "wprofck: extract: $DRAIN: the walk ended early: oversized frame at offset 0: length 13 over the cap 7"
	assert_equal "$(fsize "$GOT")" 0
	run -0 wp_to "$GOT" extract --max-frame 13 SOUT "$DRAIN"
	cat "$P/o1" "$P/o2" "$P/o3" >"$EXP"
	cmp "$EXP" "$GOT"
}

@test "extract: 3 MiB frames go through the spool byte for byte; a bad one leaves nothing behind" {
	# The first payload puts the next header across the 1 MiB read.
	head -c 1048552 "$P/b3" >"$BATS_TEST_TMPDIR/m1"
	frame SOUT "$BATS_TEST_TMPDIR/m1"
	frame SOUT "$P/o1"
	frame SOUT "$P/b3"
	frame WPRC "$P/b3x"
	frame SOUT "$P/b3x"
	frame SOUT "$P/b3" -C
	frame SOUT "$P/o2"
	cat "$BATS_TEST_TMPDIR/m1" "$P/o1" "$P/b3" "$P/b3x" "$P/o2" >"$EXP"
	run -1 wp_to "$GOT" extract SOUT "$DRAIN"
	assert_output --regexp "^wprofck: extract: $DRAIN: skipped Stdout frame 5 at offset 10485829: bad CRC "
	cmp "$EXP" "$GOT"
	run -1 wp_dribble 65521 "$DRAIN" "$GOT" extract SOUT
	cmp "$EXP" "$GOT"
}

@test "extract holds a 12 MiB frame in bounded memory" {
	mem_limit_ok 12000 || skip "wprofck does not start under ulimit -v"
	cat "$P/b3" "$P/b3x" "$P/b3" "$P/b3x" >"$EXP"
	frame SOUT "$EXP"
	run -0 wp_limited 12000 "$GOT" extract SOUT "$DRAIN"
	cmp "$EXP" "$GOT"
}

@test "extract from a pipe and from -" {
	run -0 wp_pipe "$P/mixed" "$GOT" extract SOUT
	cmp "$P/mixed.sout" "$GOT"
	run -0 wp_dribble 7 "$P/mixed" "$GOT" extract SOUT -
	cmp "$P/mixed.sout" "$GOT"
}

@test "extract -o: writes the file by rename over the old one, leaves no temporary file" {
	mkdir "$BATS_TEST_TMPDIR/d"
	run -0 wp_to "$GOT" extract -o "$BATS_TEST_TMPDIR/d/out" SOUT "$P/mixed"
	assert_output ''
	assert_equal "$(fsize "$GOT")" 0
	cmp "$P/mixed.sout" "$BATS_TEST_TMPDIR/d/out"
	run -0 ls_dir "$BATS_TEST_TMPDIR/d"
	assert_output out
	ino=$(stat -c %i "$BATS_TEST_TMPDIR/d/out")
	run -0 "$WPROFCK" extract -o "$BATS_TEST_TMPDIR/d/out" SchedLog "$P/mixed"
	cmp "$P/mixed.sclg" "$BATS_TEST_TMPDIR/d/out"
	refute [ "$(stat -c %i "$BATS_TEST_TMPDIR/d/out")" = "$ino" ]
	run -0 ls_dir "$BATS_TEST_TMPDIR/d"
	assert_output out
}

@test "extract -o with a bad CRC: the warning, exit 1, and the rest is in the file" {
	frame SOUT "$P/o1"
	frame SOUT "$P/o2" -C
	frame SOUT "$P/o3"
	mkdir "$BATS_TEST_TMPDIR/d"
	run -1 "$WPROFCK" extract -o "$BATS_TEST_TMPDIR/d/out" SOUT "$DRAIN"
	assert_output --regexp "^wprofck: extract: $DRAIN: skipped Stdout frame 1 at offset 29: bad CRC "
	cat "$P/o1" "$P/o3" >"$EXP"
	cmp "$EXP" "$BATS_TEST_TMPDIR/d/out"
	run -0 ls_dir "$BATS_TEST_TMPDIR/d"
	assert_output out
}

@test "extract -o: a read error keeps the old file, the dump itself is refused, devices stay devices" {
	mkdir "$BATS_TEST_TMPDIR/d" "$BATS_TEST_TMPDIR/notafile"
	echo old >"$BATS_TEST_TMPDIR/d/out"
	run -2 "$WPROFCK" extract -o "$BATS_TEST_TMPDIR/d/out" SOUT "$BATS_TEST_TMPDIR/notafile"
	assert_output "wprofck: extract: $BATS_TEST_TMPDIR/notafile: read: Is a directory"
	run -0 cat "$BATS_TEST_TMPDIR/d/out"
	assert_output old
	run -0 ls_dir "$BATS_TEST_TMPDIR/d"
	assert_output out

	cp "$P/mixed" "$DRAIN"
	run -2 "$WPROFCK" extract -o "$DRAIN" SOUT "$DRAIN"
	assert_output "wprofck: extract: $DRAIN: is the input; refusing to overwrite it"
	cmp "$P/mixed" "$DRAIN"

	run -0 "$WPROFCK" extract -o /dev/null SOUT "$P/mixed"
	assert_output ''
	assert_equal "$(stat -c '%F %t:%T' /dev/null)" 'character special file 1:3'
	run -2 wp_to /dev/full extract SOUT "$P/mixed"
	assert_output 'wprofck: extract: (standard output): write: No space left on device'
	run -2 "$WPROFCK" extract -o /dev/full SOUT "$P/mixed"
	assert_output 'wprofck: extract: /dev/full: write: No space left on device'
	assert_equal "$(stat -c '%F %t:%T' /dev/full)" 'character special file 1:7'
}

@test "extract: an unknown tag name is a usage error" {
	for tag in Bogus StdoutX ABCDE; do
		run -2 wp_to "$GOT" extract "$tag" "$P/mixed"
		assert_output --partial "wprofck: extract: tag: '$tag': unknown type; want a number, or one of WPRF WPRC STIM "
		assert_output --partial " SOUT SERR SCLG "
	done
	run -2 wp_to "$GOT" extract 0x100000000 "$P/mixed"
	assert_output --partial "wprofck: extract: tag: '0x100000000': "
	run -2 wp_to "$GOT" extract '' "$P/mixed"
	assert_output --partial "wprofck: extract: tag: '': "
	assert_equal "$(fsize "$GOT")" 0
}

@test "extract: no tag, three operands, an unknown option, a missing dump" {
	run -2 "$WPROFCK" extract
	assert_line --index 0 --regexp '^wprofck: (extract: )?missing operand$'
	assert_line --index 1 --regexp '^usage: wprofck extract '
	run -2 "$WPROFCK" extract SOUT "$P/empty" "$P/empty"
	assert_line --index 0 --regexp "^wprofck: (extract: )?extra operand '$P/empty'\$"
	assert_line --index 1 --regexp '^usage: wprofck extract '
	run -2 "$WPROFCK" extract --bogus SOUT "$P/empty"
	assert_output --partial 'usage: wprofck extract '
	run -2 "$WPROFCK" extract SOUT "$BATS_TEST_TMPDIR/nope"
	assert_output "wprofck: extract: $BATS_TEST_TMPDIR/nope: No such file or directory"
}
