#!/usr/bin/env bats
# wprofck check says what a failing input really is (issue 11, item 3): a
# drain (its first 16 bytes are a frame header of a known type), gzip, zstd
# or xz data, with the command to run instead. The magic bytes are written
# here by hand from their specifications.

load common

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	"$MKPB" -n 100 >"$P/good.pb"
	GOOD=$(fsize "$P/good.pb")
	export GOOD
}

setup() {
	T=$BATS_TEST_TMPDIR/t.wprof.pb
	J=$BATS_TEST_TMPDIR/json
}

# detail: the failure's detail below the header and the result line, its
# wrapped lines joined again.
detail() {
	printf '%s\n' "$output" | awk 'NR > 2 && /^    / {
		sub(/^    /, ""); d = d (d == "" ? "" : " ") $0; next }
	    NR > 2 { exit } END { print d }'
}

@test "a drain given to check: named, with reassemble and frames" {
	new_drain "$T"
	frame WPRC "$P/good.pb"
	frame WPRF /dev/null
	run -1 "$WPROFCK" check "$T"
	# WPRC is 0x57505243, written little-endian: 43 52 50 57.
	[ "$(detail)" = "bad leading byte 0x43; this is a drain, not a trace (first frame WPRC, WprofTraceChunk, $GOOD bytes): wprofck reassemble makes the trace from it, wprofck frames lists its frames" ]
	run -1 wp_to "$J" check --json "$T"
	run -0 jq -r 'select(.path) | .reason' "$J"
	assert_output bad_leading_byte
	run -0 jq -r 'select(.path) | .message' "$J"
	assert_output --partial '; this is a drain, not a trace (first frame WPRC,'
}

@test "a small drain is too small, and still named" {
	new_drain "$T"
	frame_text SOUT 'guest: hello'
	run -1 "$WPROFCK" check "$T"
	[ "$(detail)" = "too small: 28 bytes, the minimum is 4096; this is a drain, not a trace (first frame SOUT, Stdout, 12 bytes): wprofck reassemble makes the trace from it, wprofck frames lists its frames" ]
}

@test "a drain with --shape is named too" {
	new_drain "$T"
	frame WPRF "$P/good.pb"
	run -1 "$WPROFCK" check --shape "$T"
	[[ "$(detail)" == "bad leading byte 0x46; this is a drain, not a trace (first frame WPRF, WprofTrace, $GOOD bytes)"* ]]
}

@test "gzip data: gunzip and zcat named" {
	gzip -c "$P/good.pb" >"$T"
	run -1 "$WPROFCK" check --min-size 0 "$T"
	[ "$(detail)" = "bad leading byte 0x1f; this is gzip data: unpack it with gunzip (or zcat FILE | wprofck check -)" ]
	# What gunzip gives back passes.
	run -0 bash -c 'zcat "$1" | "$WPROFCK" check -' _ "$T"
}

@test "zstd data: unzstd named" {
	{ printf '\050\265\057\375'; head -c 5000 /dev/zero; } >"$T"
	run -1 "$WPROFCK" check "$T"
	[ "$(detail)" = "bad leading byte 0x28; this is zstd data: unpack it with unzstd (or zstdcat FILE | wprofck check -)" ]
}

@test "xz data: unxz named" {
	{ printf '\3757zXZ\0'; head -c 5000 /dev/zero; } >"$T"
	run -1 "$WPROFCK" check "$T"
	[ "$(detail)" = "bad leading byte 0xfd; this is xz data: unpack it with unxz (or xzcat FILE | wprofck check -)" ]
}

@test "anything else: the leading byte alone, no guess" {
	{ printf 'ABCD\1\0\0\0'; head -c 5000 /dev/zero; } >"$T"
	run -1 "$WPROFCK" check "$T"
	[ "$(detail)" = "bad leading byte 0x41" ]
}

@test "a drain from a pipe is named too" {
	new_drain "$T"
	frame WPRC "$P/good.pb"
	run -1 bash -c 'cat "$1" | "$WPROFCK" check -' _ "$T"
	[[ "$(detail)" == "bad leading byte 0x43; this is a drain, not a trace (first frame WPRC,"* ]]
}
