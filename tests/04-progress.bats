#!/usr/bin/env bats
# cmd/progress.c on a fake clock (tests/progress_drv.c): an updating line
# on a terminal, cleared at the end; plain lines when forced; nothing when
# off or when standard error is not a terminal. The terminal is a pty from
# script(1).

load common

setup() {
	DRV=${WPROFCK%/wprofck}/tests/progress_drv
	IN=$BATS_TEST_TMPDIR/in
	ERR=$BATS_TEST_TMPDIR/err
	# 1 GiB expected; 1 MiB after 1 s, 2 and 3 MiB soon after, 512 MiB
	# after 7 s.
	printf '%s\n' '500 1000 1' '1000 1048576 10' '1100 2097152 20' \
	    '3000 3145728 30' '7000 536870912 40' end >"$IN"
}

# on_tty ARGS...: the driver with its standard error on a pty, 100
# columns wide; the bytes it wrote there end up in $ERR.
on_tty() {
	script -qec "stty cols 100; $DRV $* <$IN" /dev/null >"$ERR"
}

# The first line: 1 MiB of 1 GiB after 1 s is 1 MiB/s, and the 1023 MiB
# left take 1023 s, 17m03s.
# The name comes last, so that a narrow terminal cuts the name, not the
# time left.
FIRST='wprofck: test: 1.0 MiB of 1.0 GiB (0%), 1.0 MiB/s, 10 frames, 17m03s left: drain.bin'

@test "forced: plain lines from the first second, every 5 s, and a last one; no carriage return" {
	run -0 bash -c '"$1" forced 1073741824 drain.bin <"$2" 2>"$3"' _ \
	    "$DRV" "$IN" "$ERR"
	assert_output ''
	run -0 cat "$ERR"
	# 512 MiB in 7 s is 73.14 MiB/s; the other 512 MiB take 7 s more.
	assert_output "$FIRST
wprofck: test: 512.0 MiB of 1.0 GiB (50%), 73.1 MiB/s, 40 frames, 7s left: drain.bin
wprofck: test: 512.0 MiB in 7.0 s, 73.1 MiB/s, 40 frames: drain.bin"
	run -1 grep -c $'\r' "$ERR"
}

@test "forced with no total: no percentage and no time left; the unit is the caller's" {
	run -0 bash -c '"$1" forced 0 "<stdin>" packets <"$2" 2>"$3"' _ \
	    "$DRV" "$IN" "$ERR"
	run -0 head -n 1 "$ERR"
	assert_output 'wprofck: test: 1.0 MiB, 1.0 MiB/s, 10 packets: <stdin>'
}

@test "forced: a run under a second prints only the last line" {
	printf '%s\n' '0 0 0' '900 4096 2' end >"$IN"
	run -0 bash -c '"$1" forced 4096 x <"$2" 2>"$3"' _ "$DRV" "$IN" "$ERR"
	run -0 cat "$ERR"
	assert_output 'wprofck: test: 4.0 KiB in 0.9 s, 4.4 KiB/s, 2 frames: x'
}

@test "auto: nothing when standard error is not a terminal" {
	run -0 bash -c '"$1" auto 1073741824 drain.bin <"$2" 2>"$3"' _ \
	    "$DRV" "$IN" "$ERR"
	assert_equal "$(fsize "$ERR")" 0
}

@test "off: nothing, on a terminal too" {
	run -0 on_tty off 1073741824 drain.bin
	assert_equal "$(fsize "$ERR")" 0
	run -0 bash -c '"$1" off 1073741824 drain.bin <"$2" 2>"$3"' _ \
	    "$DRV" "$IN" "$ERR"
	assert_equal "$(fsize "$ERR")" 0
}

@test "auto on a terminal: one line rewritten with \\r, at most every 250 ms, cleared at the end" {
	run -0 on_tty auto 1073741824 drain.bin
	# 1100 ms is too soon after 1000; 3000 and 7000 draw. 3 MiB in 3 s is
	# 1 MiB/s, the 1021 MiB left take 17m01s.
	printf '\r%s\033[K\r%s\033[K\r%s\033[K\r\033[K' "$FIRST" \
	    'wprofck: test: 3.0 MiB of 1.0 GiB (0%), 1.0 MiB/s, 30 frames, 17m01s left: drain.bin' \
	    'wprofck: test: 512.0 MiB of 1.0 GiB (50%), 73.1 MiB/s, 40 frames, 7s left: drain.bin' \
	    >"$BATS_TEST_TMPDIR/want"
	run -0 cmp "$BATS_TEST_TMPDIR/want" "$ERR"
}

@test "auto on a terminal: a run under a second shows nothing" {
	printf '%s\n' '0 0 0' '999 4096 2' end >"$IN"
	run -0 on_tty auto 4096 x
	assert_equal "$(fsize "$ERR")" 0
}

@test "auto on a terminal: progress_clear takes the line away, the next update draws it at once" {
	printf '%s\n' '1000 1048576 10' clear '1024 1048576 10' end >"$IN"
	run -0 on_tty auto 1073741824 drain.bin
	printf '\r%s\033[K\r\033[K\r%s\033[K\r\033[K' "$FIRST" \
	    'wprofck: test: 1.0 MiB of 1.0 GiB (0%), 1000.0 KiB/s, 10 frames, 17m27s left: drain.bin' \
	    >"$BATS_TEST_TMPDIR/want"
	run -0 cmp "$BATS_TEST_TMPDIR/want" "$ERR"
}

@test "auto on a narrow terminal: the line is cut to the width less one, so it never wraps" {
	printf '%s\n' '1000 1048576 10' end >"$IN"
	script -qec "stty cols 40; $DRV auto 1073741824 drain.bin <$IN" \
	    /dev/null >"$ERR"
	# Not even the figures fit: they are cut, and the name left out.
	printf '\r%s\033[K\r\033[K' "${FIRST:0:39}" >"$BATS_TEST_TMPDIR/want"
	run -0 cmp "$BATS_TEST_TMPDIR/want" "$ERR"
}

@test "auto at 80 columns: a long name loses its start, the time left stays whole" {
	printf '%s\n' '1000 1048576 10' end >"$IN"
	long=/var/tmp/ktstr/sidecars/run-20261203/scheduler_tests/a_very_long_test_name-0123456789abcdef.wprof.pb
	script -qec "stty cols 80; $DRV auto 1073741824 $long <$IN" \
	    /dev/null >"$ERR"
	# 79 columns: the figures, then "..." and the end of the name.
	fig='wprofck: test: 1.0 MiB of 1.0 GiB (0%), 1.0 MiB/s, 10 frames, 17m03s left: '
	want="$fig...${long: -$((79 - ${#fig} - 3))}"
	assert_equal "${#want}" 79
	printf '\r%s\033[K\r\033[K' "$want" >"$BATS_TEST_TMPDIR/want"
	run -0 cmp "$BATS_TEST_TMPDIR/want" "$ERR"
}

@test "forced: a count of one is in the singular" {
	printf '%s\n' '1000 1048576 1' end >"$IN"
	run -0 bash -c '"$1" forced 0 x <"$2" 2>"$3"' _ "$DRV" "$IN" "$ERR"
	run -0 head -n 1 "$ERR"
	assert_output 'wprofck: test: 1.0 MiB, 1.0 MiB/s, 1 frame: x'
	run -0 bash -c '"$1" forced 0 x artifacts <"$2" 2>"$3"' _ "$DRV" "$IN" "$ERR"
	run -0 head -n 1 "$ERR"
	assert_output 'wprofck: test: 1.0 MiB, 1.0 MiB/s, 1 artifact: x'
}

@test "forced, over files: the file's bytes, size and time left, then the run's, the file's name last" {
	# A file of 1 MiB read in the first second, then one of 4 MiB: 2 MiB
	# of it after 6 s (3 MiB in all, 512 KiB/s), 2 MiB left.
	printf '%s\n' 'file a.wprof.pb 1048576' 'f 1000 1048576' 'file - 0' \
	    '1000 1048576 1' 'file b.wprof.pb 4194304' 'f 2000 1048576' \
	    'f 6000 2097152' 'f 7000 4194304' 'file - 0' '7000 5242880 2' \
	    end >"$IN"
	run -0 bash -c '"$1" forced 0 dir artifacts <"$2" 2>"$3"' _ "$DRV" "$IN" "$ERR"
	run -0 cat "$ERR"
	assert_output 'wprofck: test: 1.0 MiB of 1.0 MiB (100%), 1.0 MiB/s, 0 artifacts: a.wprof.pb
wprofck: test: 2.0 MiB of 4.0 MiB (50%), 512.0 KiB/s, 1 artifact, 4s left; 3.0 MiB in all: b.wprof.pb
wprofck: test: 5.0 MiB in 7.0 s, 731.4 KiB/s, 2 artifacts: dir'
}
