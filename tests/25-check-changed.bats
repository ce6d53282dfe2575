#!/usr/bin/env bats
# check gives its verdict on the file as it stands (issue 14 item 1): a
# regular file written in place while check reads it keeps its size, so
# only its modification and change times tell; it is `changed`, exit 2,
# never ok. The shim (WPSHIM_POKE=0) writes 0x00 over byte 0 right after
# the first read, so the bytes check walks are a good trace and the file
# is not one.

load common
load faults_helpers

setup_file() {
	need_built "$B/tests/shim.so"
}

setup() {
	D=$BATS_TEST_TMPDIR/side
	mkdir -p "$D"
	# 488369 bytes: four reads of 128 KiB, so the walk goes on after the
	# change. The old mtime makes the rewrite's mtime differ whatever the
	# granularity of the file system's clock.
	cp "$TESTS/data/wprof-500ms-sha256sum.wprof.pb" "$D/t.wprof.pb"
	touch -d '2020-01-01 00:00:00' "$D/t.wprof.pb"
}

# rewritten ARGS...: check under the shim that rewrites byte 0.
rewritten() {
	shim WPSHIM_POKE=0 "$WPROFCK" check "$@"
}

# The shim did write: the file no longer starts with 0x0a.
assert_rewritten() {
	assert_equal "$(head -c 1 "$D/t.wprof.pb" | od -An -tx1 | tr -d ' ')" 00
}

DETAIL='    the file changed while it was read: it was written to while it was read: the
    same size, a new modification or change time'

@test "the file passes when nothing writes it, under the same shim" {
	run -0 shim "$WPROFCK" check -q "$D/t.wprof.pb"
	assert_output ''
}

@test "check --deep: a file written in place while it is read is changed, exit 2" {
	run -2 rewritten "$D/t.wprof.pb"
	assert_rewritten
	assert_line --index 1 --regexp "^FAIL +477K +- +- +$D/t.wprof.pb\$"
	assert_equal "${lines[2]}
${lines[3]}" "$DETAIL"
	assert_line --index 4 --regexp '^changed: the file was written to while it was read \(exit status 2\)'
	# A second check sees the rewritten file for what it is.
	run -1 "$WPROFCK" check "$D/t.wprof.pb"
	assert_output --partial 'bad leading byte 0x00'
}

@test "check --deep: the 18 MB trace, read ahead and walked on two threads, written in place is changed" {
	f=$TESTS/data/wprof-2s-stacks-sched.wprof.pb
	[ -f "$f" ] || skip "wprof-2s-stacks-sched.wprof.pb is not in tests/data"
	cp "$f" "$D/t.wprof.pb"
	touch -d '2020-01-01 00:00:00' "$D/t.wprof.pb"
	run -2 rewritten "$D/t.wprof.pb"
	assert_rewritten
	assert_line --index 4 --regexp '^changed: the file was written to while it was read \(exit status 2\)'
}

@test "check --shape: the verdict of the first read holds only if the file stayed" {
	run -2 rewritten --shape "$D/t.wprof.pb"
	assert_rewritten
	assert_line --index 1 --regexp "^FAIL +477K +$D/t.wprof.pb\$"
	assert_equal "${lines[2]}
${lines[3]}" "$DETAIL"
}

@test "check -: standard input that is a regular file written in place is changed" {
	run -2 rewritten - <"$D/t.wprof.pb"
	assert_rewritten
	assert_line --index 1 --regexp '^FAIL +477K +- +- +\(standard input\)$'
	assert_equal "${lines[2]}
${lines[3]}" "$DETAIL"
}

@test "check --json DIR: the rewritten artifact is changed, and so is the summary" {
	run -2 rewritten --json "$D"
	assert_rewritten
	assert_equal "${#lines[@]}" 2
	assert_equal "$(jq -c 'select(.path) | [.path, .ok, .size, .reason]' <<<"${lines[0]}")" \
	    "[\"$D/t.wprof.pb\",false,488369,\"changed\"]"
	assert_equal "$(jq -c '[.passed, .failed, .reasons]' <<<"${lines[1]}")" \
	    '[0,1,{"changed":1}]'
}
