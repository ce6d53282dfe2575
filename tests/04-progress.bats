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
FIRST='wprofck: test: drain.bin: 1.0 MiB of 1.0 GiB (0%), 1.0 MiB/s, 10 frames, 17m03s left'

@test "forced: plain lines from the first second, every 5 s, and a last one; no carriage return" {
	run -0 bash -c '"$1" forced 1073741824 drain.bin <"$2" 2>"$3"' _ \
	    "$DRV" "$IN" "$ERR"
	assert_output ''
	run -0 cat "$ERR"
	# 512 MiB in 7 s is 73.14 MiB/s; the other 512 MiB take 7 s more.
	assert_output "$FIRST
wprofck: test: drain.bin: 512.0 MiB of 1.0 GiB (50%), 73.1 MiB/s, 40 frames, 7s left
wprofck: test: drain.bin: 512.0 MiB in 7.0 s, 73.1 MiB/s, 40 frames"
	run -1 grep -c $'\r' "$ERR"
}

@test "forced with no total: no percentage and no time left; the unit is the caller's" {
	run -0 bash -c '"$1" forced 0 "<stdin>" packets <"$2" 2>"$3"' _ \
	    "$DRV" "$IN" "$ERR"
	run -0 head -n 1 "$ERR"
	assert_output 'wprofck: test: <stdin>: 1.0 MiB, 1.0 MiB/s, 10 packets'
}

@test "forced: a run under a second prints only the last line" {
	printf '%s\n' '0 0 0' '900 4096 2' end >"$IN"
	run -0 bash -c '"$1" forced 4096 x <"$2" 2>"$3"' _ "$DRV" "$IN" "$ERR"
	run -0 cat "$ERR"
	assert_output 'wprofck: test: x: 4.0 KiB in 0.9 s, 4.4 KiB/s, 2 frames'
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
	    'wprofck: test: drain.bin: 3.0 MiB of 1.0 GiB (0%), 1.0 MiB/s, 30 frames, 17m01s left' \
	    'wprofck: test: drain.bin: 512.0 MiB of 1.0 GiB (50%), 73.1 MiB/s, 40 frames, 7s left' \
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
	    'wprofck: test: drain.bin: 1.0 MiB of 1.0 GiB (0%), 1000.0 KiB/s, 10 frames, 17m27s left' \
	    >"$BATS_TEST_TMPDIR/want"
	run -0 cmp "$BATS_TEST_TMPDIR/want" "$ERR"
}

@test "auto on a narrow terminal: the line is cut to the width less one, so it never wraps" {
	printf '%s\n' '1000 1048576 10' end >"$IN"
	script -qec "stty cols 40; $DRV auto 1073741824 drain.bin <$IN" \
	    /dev/null >"$ERR"
	printf '\r%s\033[K\r\033[K' "${FIRST:0:39}" >"$BATS_TEST_TMPDIR/want"
	run -0 cmp "$BATS_TEST_TMPDIR/want" "$ERR"
}
