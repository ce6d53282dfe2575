#!/usr/bin/env bats
# Names from outside reach standard error escaped (issue 14 item 8): a file
# name, an -o name, a tag, an option's value or KTSTR_SIDECAR_DIR holding
# an escape sequence is shown with vis(3)'s C-style escapes, as check's
# report shows paths, and no raw ESC byte reaches the terminal.

load common

setup() {
	# ESC [ 3 1 m, a newline: a colour change and a line of its own.
	E=$(printf 'a\033[31mb\nc')
	V='a\033[31mb\nc'
	# The same as an extended regular expression.
	RV='a\\033\[31mb\\nc'
	cd "$BATS_TEST_TMPDIR" || return
	cp "$TESTS/data/sample.drain" "$E"
}

# no_raw_esc: the output of the last run holds no ESC byte.
no_raw_esc() {
	if printf '%s' "$output" | grep -q "$(printf '\033')"; then
		fail "a raw ESC reached standard error: $output"
	fi
}

@test "reassemble: the dump, -o and the hints are escaped" {
	printf '\001not a drain at all, but long enough' >"$E.bad"
	run -1 "$WPROFCK" reassemble -o out.pb "$E.bad"
	assert_line --index 0 --regexp "^wprofck: (reassemble: )?$RV\\.bad: no trace: "
	assert_output --partial " $V.bad' lists the frames"
	no_raw_esc
	run -2 "$WPROFCK" reassemble -o "nodir$E/out.pb" "$E"
	assert_output --partial "nodir$V"
	no_raw_esc
	run -2 "$WPROFCK" reassemble -o out.pb "$E" "$E"
	assert_line --index 0 --regexp "^wprofck: (reassemble: )?extra operand '$RV'\$"
	no_raw_esc
}

@test "reassemble --progress: the progress line is escaped" {
	run -0 "$WPROFCK" reassemble --progress -o out.pb "$E"
	assert_line --regexp "^wprofck: (reassemble: )?[0-9.]+ KiB in .*: $RV\$"
	no_raw_esc
}

@test "salvage, frames and extract: the operand is escaped" {
	run -1 "$WPROFCK" salvage -o out.pb "$E"
	assert_output --regexp "^wprofck: (salvage: )?$RV: this is a drain, not a trace .* wprofck reassemble -o OUT.wprof.pb FILE\$"
	no_raw_esc
	run -2 "$WPROFCK" frames "missing$E"
	assert_output --regexp "^wprofck: (frames: )?missing$RV: No such file or directory\$"
	no_raw_esc
	run -2 "$WPROFCK" extract -o out "$E" "$E"
	assert_output --regexp "^wprofck: (extract: )?tag: '$RV': "
	no_raw_esc
	run -1 "$WPROFCK" extract -o out SERR "$E"
	assert_output --partial "$V: no SERR (Stderr) frame"
	no_raw_esc
	run -2 "$WPROFCK" split --cap "$E" -o out "$E"
	assert_output --regexp "^wprofck: (split: )?--cap: '$RV': "
	no_raw_esc
}

@test "KTSTR_SIDECAR_DIR and an unknown command are escaped" {
	KTSTR_SIDECAR_DIR="$E" run -2 "$WPROFCK" check
	assert_output --regexp "^wprofck: (check: )?KTSTR_SIDECAR_DIR=$RV: not a directory\$"
	no_raw_esc
	KTSTR_SIDECAR_DIR="missing$E" run -2 "$WPROFCK" check
	assert_output --partial "KTSTR_SIDECAR_DIR=missing$V: No such file"
	no_raw_esc
	run -2 "$WPROFCK" "$E"
	assert_line --index 0 "wprofck: no such command: $V"
	no_raw_esc
}
