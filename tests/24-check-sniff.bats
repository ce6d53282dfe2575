#!/usr/bin/env bats
# wprofck check says what a failing input really is (issues 11 and 17): a
# drain (its first 16 bytes are a frame header of a known type), gzip, zstd
# or xz data, text, with the command to run instead, written with the
# path so that it works as printed (each is run here as printed). The
# magic bytes are written here by hand from their specifications.

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

# after TEXT: what the detail says after TEXT, the command it gives.
after() {
	detail | sed -n "s/^.*$1//p"
}

@test "a drain given to check: named, with the reassemble that works" {
	new_drain "$T"
	frame WPRC "$P/good.pb"
	frame WPRF /dev/null
	run -1 "$WPROFCK" check "$T"
	# WPRC is 0x57505243, written little-endian: 43 52 50 57.
	[ "$(detail)" = "bad leading byte 0x43; this is a drain, not a trace (first frame WPRC, WprofTraceChunk, $GOOD bytes); make the trace from it with: wprofck reassemble -o OUT.wprof.pb $T" ]
	cmd=$(after 'make the trace from it with: ')
	run -1 wp_to "$J" check --json "$T"
	run -0 jq -r 'select(.path) | .reason' "$J"
	assert_output bad_leading_byte
	run -0 jq -r 'select(.path) | .message' "$J"
	assert_output --partial '; this is a drain, not a trace (first frame WPRC,'
	# Followed as printed, it makes the trace.
	cd "$BATS_TEST_TMPDIR"
	run -0 eval "${cmd/wprofck/\"\$WPROFCK\"}"
	cmp "$P/good.pb" OUT.wprof.pb
}

@test "a small drain is too small, and still named" {
	new_drain "$T"
	frame_text SOUT 'guest: hello'
	run -1 "$WPROFCK" check "$T"
	[ "$(detail)" = "too small: 28 bytes, the minimum is 4096; this is a drain, not a trace (first frame SOUT, Stdout, 12 bytes); make the trace from it with: wprofck reassemble -o OUT.wprof.pb $T" ]
}

@test "a drain with --shape is named too" {
	new_drain "$T"
	frame WPRF "$P/good.pb"
	run -1 "$WPROFCK" check --shape "$T"
	[[ "$(detail)" == "bad leading byte 0x46; this is a drain, not a trace (first frame WPRF, WprofTrace, $GOOD bytes)"* ]]
}

# packed TOOL BYTE: packs good.pb with TOOL into $T, checks that check
# names the unpacking with the path, and that the command, run as printed,
# passes the check.
packed() {
	"$1" -c "$P/good.pb" >"$T"
	run -1 "$WPROFCK" check --min-size 0 "$T"
	[ "$(detail)" = "bad leading byte $2; this is $1 data: $1 -dc $T | wprofck check -" ]
	cmd=$(after '; this is [a-z]* data: ')
	run -0 eval "${cmd/wprofck/\"\$WPROFCK\"}"
	assert_output --partial "ok "
}

@test "gzip data: the gzip -dc command to run, which works; gunzip would not" {
	packed gzip 0x1f
	# What the hint used to say: gunzip refuses a name without .gz.
	run -2 gunzip "$T"
	assert_output --partial 'unknown suffix -- ignored'
}

@test "zstd data: the zstd -dc command to run, which works" {
	if ! command -v zstd >/dev/null; then
		skip "zstd is not installed (apt-get install zstd)"
	fi
	packed zstd 0x28
}

@test "xz data: the xz -dc command to run, which works" {
	if ! command -v xz >/dev/null; then
		skip "xz is not installed (apt-get install xz-utils)"
	fi
	packed xz 0xfd
}

@test "zstd and xz magic alone are named too" {
	{ printf '\050\265\057\375'; head -c 5000 /dev/zero; } >"$T"
	run -1 "$WPROFCK" check "$T"
	[ "$(detail)" = "bad leading byte 0x28; this is zstd data: zstd -dc $T | wprofck check -" ]
	{ printf '\3757zXZ\0'; head -c 5000 /dev/zero; } >"$T"
	run -1 "$WPROFCK" check "$T"
	[ "$(detail)" = "bad leading byte 0xfd; this is xz data: xz -dc $T | wprofck check -" ]
}

@test "a path that needs quoting is quoted, and the command still works" {
	local d="$BATS_TEST_TMPDIR/it's a dir"
	mkdir "$d"
	T="$d/-x.wprof.pb"
	gzip -c "$P/good.pb" >"$T"
	run -1 "$WPROFCK" check --min-size 0 "$T"
	cmd=$(after '; this is gzip data: ')
	[ "$cmd" = "gzip -dc '$BATS_TEST_TMPDIR/it'\\''s a dir/-x.wprof.pb' | wprofck check -" ]
	run -0 eval "${cmd/wprofck/\"\$WPROFCK\"}"
	# A relative path that starts with '-' gets ./ before it.
	cd "$d"
	run -1 "$WPROFCK" check --min-size 0 -- -x.wprof.pb
	cmd=$(after '; this is gzip data: ')
	[ "$cmd" = "gzip -dc ./-x.wprof.pb | wprofck check -" ]
	run -0 eval "${cmd/wprofck/\"\$WPROFCK\"}"
}

@test "a path a terminal would not show as itself: FILE instead, never the bytes" {
	T="$BATS_TEST_TMPDIR/a$(printf '\033')b.pb"
	gzip -c "$P/good.pb" >"$T"
	run -1 "$WPROFCK" check --min-size 0 "$T"
	[ "$(after '; this is gzip data: ')" = "gzip -dc FILE | wprofck check -" ]
}

@test "text is named as text" {
	printf 'hello, world\n%.0s' $(seq 400) >"$T"
	run -1 "$WPROFCK" check "$T"
	[ "$(detail)" = "bad leading byte 0x68; this is text, not a trace" ]
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
	[[ "$(detail)" == *"make the trace from it with: wprofck reassemble -o OUT.wprof.pb FILE" ]]
}
