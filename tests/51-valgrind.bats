#!/usr/bin/env bats
# Every subcommand under valgrind's memcheck (issue 5), on a good drain, a
# torn one, a cut one and a damaged trace, and along the failure paths:
# no invalid access, no use of uninitialised memory, no leak (definite,
# indirect or possible). Each run is small, for valgrind is slow.

load common
load faults_helpers

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	"$MKPB" -n 20 >"$P/good.pb"
	head -c -10 "$P/good.pb" >"$P/cut.pb"
	head -c 100 "$P/good.pb" >"$P/small.pb"
	printf 'guest: hello\n' >"$P/hello"
	randfile "$P/m15" $((3 << 19)) 1
	# good: Stdout, the trace split at 4 KiB, then SchedLog.
	{
		"$MKFRAME" -t SOUT "$P/hello"
		"$WPROFCK" split --cap 4K "$P/good.pb"
		"$MKFRAME" -t SCLG "$P/hello"
	} >"$P/good.drain"
	# torn: a pad warning and a chunk with a bad CRC.
	{
		"$MKFRAME" -t SOUT -p 1 "$P/hello"
		head -c 4096 "$P/good.pb" | "$MKFRAME" -t WPRC -C
		tail -c +4097 "$P/good.pb" | "$MKFRAME" -t WPRF
	} >"$P/torn.drain"
	# cut: the dump ends inside the terminal's payload.
	head -c -100 "$P/good.drain" >"$P/cut.drain"
	# over: a header claiming 4 GiB after a chunk.
	{
		head -c 4096 "$P/good.pb" | "$MKFRAME" -t WPRC
		"$MKFRAME" -t SOUT -l 0xffffffff "$P/hello"
	} >"$P/over.drain"
	# big: 1.5 MiB Stdout frames, over extract's 1 MiB in memory, one of
	# them with a bad CRC.
	{
		"$MKFRAME" -t SOUT "$P/m15"
		"$MKFRAME" -t SOUT -C "$P/m15"
		"$MKFRAME" -t SOUT "$P/hello"
	} >"$P/big.drain"
	mkdir "$P/side"
	cp "$P/good.pb" "$P/side/a-0000000000000001.wprof.pb"
	cp "$P/cut.pb" "$P/side/b-0000000000000002.wprof.pb"
	cp "$P/small.pb" "$P/side/c-0000000000000003.repro.wprof.pb"
}

setup() {
	command -v valgrind >/dev/null ||
	    skip "valgrind is not installed (Debian package valgrind)"
	if sanitized; then
		skip "$WPROFCK is built with sanitizers, which valgrind cannot run"
	fi
	OUT=$BATS_TEST_TMPDIR/out
	GOT=$BATS_TEST_TMPDIR/got
}

# vg_to OUT ARGS...: wprofck ARGS under memcheck, standard output to OUT.
# Any error or leak makes valgrind print ==PID== lines and exit 99.
vg_to() {
	local out=$1
	shift
	valgrind --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect,possible \
	    --show-leak-kinds=definite,indirect,possible -q \
	    "$WPROFCK" "$@" >"$out"
}

# vg STATUS ARGS...: wprofck ARGS under memcheck exits with its own
# STATUS, and valgrind found nothing to say.
vg() {
	local want=$1
	shift
	run "-$want" vg_to "$GOT" "$@"
	refute_output --regexp '==[0-9]+=='
}

@test "valgrind: reassemble of a good drain to a file, to stdout, with --check=deep" {
	vg 0 reassemble -o "$OUT" "$P/good.drain"
	assert_output ''
	cmp "$P/good.pb" "$OUT"
	vg 0 reassemble "$P/good.drain"
	assert_output ''
	cmp "$P/good.pb" "$GOT"
	rm "$OUT"
	vg 0 reassemble --check=deep -o "$OUT" "$P/good.drain"
	cmp "$P/good.pb" "$OUT"
}

@test "valgrind: reassemble of a torn and a cut drain" {
	vg 1 reassemble -o "$OUT" "$P/torn.drain"
	assert_output --partial 'torn trace: WprofTraceChunk frame 1 at offset 29'
	vg 1 reassemble "$P/cut.drain"
	assert_output --partial 'no trace: no WprofTrace frame (torn frame at offset'
	[ ! -e "$OUT" ]
}

@test "valgrind: reassemble's failure paths: /dev/full, no directory, no input" {
	vg 2 reassemble -o /dev/full "$P/good.drain"
	assert_output 'wprofck: reassemble: /dev/full: write: No space left on device'
	vg 2 reassemble -o "$BATS_TEST_TMPDIR/no/out" "$P/good.drain"
	assert_output "wprofck: reassemble: $BATS_TEST_TMPDIR/no/out: the directory '$BATS_TEST_TMPDIR/no' does not exist"
	vg 2 reassemble -o "$OUT" "$BATS_TEST_TMPDIR/nonesuch"
	assert_output "wprofck: reassemble: $BATS_TEST_TMPDIR/nonesuch: No such file or directory"
}

@test "valgrind: frames and frames --json of a good, a torn and an oversized drain" {
	vg 0 frames "$P/good.drain"
	vg 1 frames --json "$P/torn.drain"
	vg 1 frames "$P/over.drain"
	run -0 grep '^end: ' "$GOT"
	assert_output 'end: oversized frame at offset 4112: length 4294967295 over the cap 16777216'
}

@test "valgrind: extract, in memory and through the spool, with a bad CRC" {
	vg 0 extract SOUT "$P/good.drain"
	cmp "$P/hello" "$GOT"
	vg 1 extract -o "$OUT" SOUT "$P/big.drain"
	assert_output --partial 'skipped Stdout frame 1 at offset'
	cat "$P/m15" "$P/hello" >"$BATS_TEST_TMPDIR/exp"
	cmp "$BATS_TEST_TMPDIR/exp" "$OUT"
	vg 1 extract SOUT "$P/cut.drain"
	assert_output --partial 'the walk ended early: torn frame'
}

@test "valgrind: split to stdout and to a file" {
	vg 0 split "$P/good.pb"
	vg 0 split --cap 1K -o "$OUT" "$P/good.pb"
	run -0 wp_to "$BATS_TEST_TMPDIR/back" reassemble "$OUT"
	cmp "$P/good.pb" "$BATS_TEST_TMPDIR/back"
}

@test "valgrind: check, check --deep and check --json on files and a directory" {
	vg 0 check "$P/good.pb"
	# Walked on two threads: the helper is stopped at exit, not lost.
	vg 0 check "$TESTS/data/wprof-500ms-sha256sum.wprof.pb"
	vg 1 check --deep "$P/cut.pb"
	run -0 cat "$GOT"
	assert_output --partial 'truncated'
	# Only the deep walk finds that b is cut short.
	vg 1 check --shape --json "$P/side"
	run -0 jq -r 'select(.path) | "\(.test) \(.ok)"' "$GOT"
	assert_output "$(printf 'a true\nb true\nc false')"
	vg 1 check --deep --json "$P/side"
	run -0 jq -r 'select(.path) | "\(.test) \(.ok)"' "$GOT"
	assert_output "$(printf 'a true\nb false\nc false')"
}
