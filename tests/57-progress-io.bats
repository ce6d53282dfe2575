#!/usr/bin/env bats
# Progress as the commands show it (issue 11 item 5): the pump reports to
# cmd/progress.c; tests/04-progress.bats tests that module on its own.

load common

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	# 3 MiB of trace in 64 KiB chunks: 48 frames in all, the last a full terminal.
	randfile "$P/trace" 3145728 5
	"$WPROFCK" split --cap 64K -o "$P/drain" "$P/trace"
}

@test "--progress: a last plain line with the bytes and the frames, on any stderr" {
	run -0 --separate-stderr "$WPROFCK" reassemble --progress \
	    -o "$BATS_TEST_TMPDIR/out" "$P/drain"
	assert_equal "$output" ''
	[[ $stderr =~ ^wprofck:\ reassemble:\ .*\ in\ .*\ s,\ .*/s,\ 48\ frames:\ $P/drain$ ]]
	[[ $stderr != *$'\r'* ]]
	cmp "$P/trace" "$BATS_TEST_TMPDIR/out"
	run -0 --separate-stderr "$WPROFCK" extract --progress \
	    -o "$BATS_TEST_TMPDIR/x" WPRC "$P/drain"
	[[ $stderr =~ ^wprofck:\ extract:\ .*\ 48\ frames:\ $P/drain$ ]]
}

@test "no progress by default when stderr is not a terminal, nor with --no-progress" {
	run -0 --separate-stderr "$WPROFCK" reassemble \
	    -o "$BATS_TEST_TMPDIR/out" "$P/drain"
	assert_equal "$stderr" ''
	run -0 --separate-stderr "$WPROFCK" reassemble --no-progress \
	    -o "$BATS_TEST_TMPDIR/out" "$P/drain"
	assert_equal "$stderr" ''
}

@test "a terminal: one updating line after a second, cleared at the end" {
	local d=$BATS_TEST_TMPDIR
	split -b 1048576 "$P/drain" "$d/piece."
	# The drain arrives in four pieces over about 1.8 s.
	printf '%s\n' '#!/bin/sh' \
	    "for f in $d/piece.*; do cat \"\$f\"; sleep 0.6; done |" \
	    "\"$WPROFCK\" reassemble -o $d/out" >"$d/run.sh"
	script -qec "sh $d/run.sh" "$d/typescript" >/dev/null
	cmp "$P/trace" "$d/out"
	# Each update starts with a carriage return; the last is erased.
	grep -q $'\rwprofck: reassemble: .*frames: (standard input)\033\\[K' "$d/typescript"
	# The last thing written is the erasure: a carriage return and ESC [K.
	tr '\r' '\n' <"$d/typescript" | grep -av '^Script done' |
	    tail -n 1 >"$d/last"
	assert_equal "$(od -An -c "$d/last" | tr -d ' \n')" '033[K\n'
}
