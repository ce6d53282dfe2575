#!/usr/bin/env bats
# check's progress inside a file (issue 17 item 2): a trace that takes
# seconds shows its bytes while it is read, not only once it is done. The
# time is forced with tests/slowcat (4 KiB a millisecond and slower); the
# format itself is tested on a fake clock in 04-progress.bats.

load common

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	# 4 MiB: over a second through slowcat.
	"$MKPB" -n 4096 -s 1024 -o "$P/t4m.pb"
	SLOWCAT=${WPROFCK%/wprofck}/tests/slowcat
	export SLOWCAT
}

@test "check --progress: a slow trace shows a line before its verdict, then the last one" {
	run -0 bash -c '"$1" -b 4096 -d 1000 "$2" |
	    "$WPROFCK" check --progress - 2>"$3" >/dev/null' _ \
	    "$SLOWCAT" "$P/t4m.pb" "$BATS_TEST_TMPDIR/err"
	run -0 cat "$BATS_TEST_TMPDIR/err"
	# A line during the read: bytes, rate, no artifact done yet, the
	# name last; then the last line, with the time it took.
	assert_line -n 0 --regexp '^wprofck: check: [0-9.]+ (KiB|MiB), [0-9.]+ [KM]iB/s, 0 artifacts: \(standard input\)$'
	assert_line -n -1 --regexp '^wprofck: check: 4\.0 MiB in [0-9.]+ s, [0-9.]+ [KM]iB/s, 1 artifact: \(standard input\)$'
}

@test "check on a terminal: the updating line comes during the read, the name last, and is cleared" {
	command -v script >/dev/null || skip "script(1) is not installed"
	script -qec "stty cols 80; $SLOWCAT -b 4096 -d 1000 $P/t4m.pb | $WPROFCK check - >/dev/null" \
	    /dev/null >"$BATS_TEST_TMPDIR/tty"
	run -0 grep -c $'\rwprofck: check: [0-9.]* [KM]iB, [0-9.]* [KM]iB/s, 0 artifacts: (standard input)\033\\[K' "$BATS_TEST_TMPDIR/tty"
	# Cleared at the end: the last bytes erase the line.
	run -0 tail -c 4 "$BATS_TEST_TMPDIR/tty"
	assert_output $'\r\033[K'
}

@test "check --progress of two files: one artifact in the singular, two in the plural" {
	cp "$P/t4m.pb" "$BATS_TEST_TMPDIR/a.wprof.pb"
	run -0 bash -c '"$WPROFCK" check --progress "$1" 2>&1 >/dev/null' _ "$BATS_TEST_TMPDIR/a.wprof.pb"
	assert_output --regexp ', 1 artifact: '
	cp "$P/t4m.pb" "$BATS_TEST_TMPDIR/b.wprof.pb"
	run -0 bash -c '"$WPROFCK" check --progress "$1" "$2" 2>&1 >/dev/null' _ "$BATS_TEST_TMPDIR/a.wprof.pb" "$BATS_TEST_TMPDIR/b.wprof.pb"
	assert_output --regexp ', 2 artifacts: the operands$'
}

@test "salvage --progress counts packets, not frames" {
	run -0 bash -c '"$WPROFCK" salvage --progress -o "$2" "$1" 2>&1 >/dev/null' _ "$P/t4m.pb" "$BATS_TEST_TMPDIR/s.pb"
	assert_line -n 0 --regexp '^wprofck: salvage: 4\.0 MiB in [0-9.]+ s, [0-9.]+ [KMG]iB/s, 4101 packets: '
}
