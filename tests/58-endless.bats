#!/usr/bin/env bats
# Bounded work on endless inputs (issue 14 item 6). Zero bytes are empty
# frames of type 0 with a good CRC, so /dev/zero was walked for ever:
# more than 1,000,000 empty frames in a row are not a drain. salvage stops
# reading at its verdict; split stops at 64 MiB of zero bytes in a row,
# and no output grows past 64 GiB.

load common

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	randfile "$P/t" 1000 3
	new_drain "$P/drain"
	frame WPRF "$P/t"
	"$MKPB" -n 40 -s 100 -o "$P/good.pb"
}

setup() {
	OUT=$BATS_TEST_TMPDIR/out
}

@test "frames of /dev/zero ends: not a drain, exit 1" {
	run -1 timeout 10 "$WPROFCK" frames -q /dev/zero
	assert_line "end: not a drain: more than 1000000 empty frames in a row from offset 0"
	assert_line --regexp '^1000000 frames, 16000000 bytes; 0 bad CRC, 0 non-zero pad$'
	run -1 timeout 10 "$WPROFCK" frames --json -q /dev/zero
	assert_output --partial '"end":"not_a_drain","end_offset":16000000,'
}

@test "reassemble and extract of /dev/zero end: not a drain, exit 1, nothing written" {
	run -1 timeout 10 "$WPROFCK" reassemble -o "$OUT" /dev/zero
	assert_line --index 0 --regexp "^wprofck: (reassemble: )?/dev/zero: no trace: no WprofTrace frame \(not a drain: more than 1000000 empty frames in a row from offset 0; 1000000 complete frames in 16000000 bytes, 0 chunks, 0 trace bytes\); no .pb written\$"
	[ ! -e "$OUT" ]
	run -1 timeout 10 bash -c '"$WPROFCK" reassemble </dev/zero >"$1"' _ "$OUT"
	assert_output --partial 'not a drain'
	assert_equal "$(fsize "$OUT")" 0
	run -1 timeout 10 "$WPROFCK" extract -o "$OUT" SOUT /dev/zero
	assert_line --index 0 --regexp "^wprofck: (extract: )?/dev/zero: the walk ended early: not a drain: more than 1000000 empty frames in a row from offset 0\$"
}

@test "exactly 1000000 empty frames in a row are still a drain; one more is not" {
	head -c 16000000 /dev/zero >"$BATS_TEST_TMPDIR/z"
	cat "$BATS_TEST_TMPDIR/z" "$P/drain" >"$BATS_TEST_TMPDIR/ok.drain"
	run -0 timeout 10 "$WPROFCK" reassemble -o "$OUT" "$BATS_TEST_TMPDIR/ok.drain"
	cmp "$P/t" "$OUT"
	rm -f "$OUT"
	head -c 16 /dev/zero | cat "$BATS_TEST_TMPDIR/z" - "$P/drain" \
	    >"$BATS_TEST_TMPDIR/bad.drain"
	run -1 timeout 10 "$WPROFCK" reassemble -o "$OUT" "$BATS_TEST_TMPDIR/bad.drain"
	assert_output --partial 'not a drain: more than 1000000 empty frames in a row from offset 0;'
	[ ! -e "$OUT" ]
	# A frame with a payload between two runs starts the count again.
	{ cat "$BATS_TEST_TMPDIR/z" "$P/drain" "$BATS_TEST_TMPDIR/z"; } \
	    >"$BATS_TEST_TMPDIR/two.drain"
	run -0 timeout 10 "$WPROFCK" frames -q "$BATS_TEST_TMPDIR/two.drain"
}

@test "split of /dev/zero ends: not a trace, exit 1, nothing written" {
	run -1 timeout 10 "$WPROFCK" split -o "$OUT" /dev/zero
	assert_output --regexp "^wprofck: (split: )?/dev/zero: not a trace: more than 64 MiB of zero bytes in a row from offset 0; nothing written\$"
	[ ! -e "$OUT" ]
	run -1 timeout 10 bash -c '"$WPROFCK" split </dev/zero >"$1"' _ "$OUT"
	assert_output --partial 'not a trace: more than 64 MiB of zero bytes'
	assert_equal "$(fsize "$OUT")" 0
	# 64 MiB of zeros after the first byte are allowed, one more is not.
	rm -f "$OUT"
	{ printf '\n'; head -c $((64 << 20)) /dev/zero; } >"$BATS_TEST_TMPDIR/z"
	run -0 timeout 10 "$WPROFCK" split -o "$OUT" "$BATS_TEST_TMPDIR/z"
	rm -f "$OUT"
	printf '\0' >>"$BATS_TEST_TMPDIR/z"
	run -1 timeout 10 "$WPROFCK" split -o "$OUT" "$BATS_TEST_TMPDIR/z"
	assert_output --partial 'not a trace: more than 64 MiB of zero bytes in a row from offset 1;'
	[ ! -e "$OUT" ]
}

@test "split of a file whose output would pass 64 GiB fails at once, exit 2" {
	truncate -s 64G "$BATS_TEST_TMPDIR/big" ||
	    fail "cannot make a sparse file here"
	run -2 timeout 10 "$WPROFCK" split -o "$OUT" "$BATS_TEST_TMPDIR/big"
	assert_output --regexp "^wprofck: (split: )?$OUT: the output would grow past wprofck's bound of 64 GiB: File too large\$"
	[ ! -e "$OUT" ]
	# 64 GiB less a little, in slices of a byte: 17 times that.
	truncate -s 4G "$BATS_TEST_TMPDIR/big"
	run -2 timeout 10 "$WPROFCK" split --cap 1 -o "$OUT" "$BATS_TEST_TMPDIR/big"
	assert_output --partial 'bound of 64 GiB'
	[ ! -e "$OUT" ]
}

@test "salvage of /dev/zero and /dev/urandom stops at its verdict: the rest was not read" {
	local f
	for f in /dev/zero /dev/urandom; do
		run -1 timeout 10 "$WPROFCK" salvage -o "$OUT" "$f"
		assert_output --regexp "^wprofck: (salvage: )?$f: nothing saved: [0-9]+ whole packets? \([0-9]+ bytes\) before the damage, .*; the rest was not read\$"
		[ ! -e "$OUT" ]
	done
}

@test "salvage of a trace followed by endless garbage keeps the trace and stops" {
	local n
	n=$(fsize "$P/good.pb")
	run -0 timeout 10 bash -c 'cat "$1" /dev/zero | "$WPROFCK" salvage - >"$2"' \
	    _ "$P/good.pb" "$OUT"
	assert_output --regexp "^wprofck: (salvage: )?\(standard input\): kept 45 packets \($n bytes\); dropped everything from offset $n, the rest was not read: "
	cmp "$P/good.pb" "$OUT"
	# A file's size is known, so what is dropped is counted unread.
	cat "$P/good.pb" "$P/t" >"$BATS_TEST_TMPDIR/g.pb"
	run -0 timeout 10 "$WPROFCK" salvage -o "$OUT" "$BATS_TEST_TMPDIR/g.pb"
	assert_output --partial "kept 45 packets ($n bytes); dropped 1000 bytes from offset $n: "
}
