#!/usr/bin/env bats
# check's conveniences and the notes of a sidecar walk (issue 17 items 3
# and 4): --files-from with -0 and standard input, --no-recurse, a note for
# a compressed artifact and for a link to a directory.

load common

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	"$MKPB" -n 10 >"$P/good.pb"
	head -c 3000 "$P/good.pb" >"$P/small.pb"
}

setup() {
	D=$BATS_TEST_TMPDIR/side
	mkdir -p "$D/sub"
	cp "$P/good.pb" "$D/a-0123456789abcdef.wprof.pb"
	cp "$P/small.pb" "$D/sub/b-0123456789abcdef.wprof.pb"
	unset KTSTR_SIDECAR_DIR
}

# The paths of the ok and FAIL lines, in order.
paths() {
	awk '$1 == "ok" || $1 == "FAIL" { print $NF }' <<<"$output"
}

@test "--files-from=FILE: each line a path, checked as an operand, shown whole" {
	printf '%s\n' "$D/a-0123456789abcdef.wprof.pb" "$D/sub" >"$BATS_TEST_TMPDIR/list"
	run -1 "$WPROFCK" check --files-from="$BATS_TEST_TMPDIR/list"
	run -0 paths
	assert_output "$D/a-0123456789abcdef.wprof.pb
$D/sub/b-0123456789abcdef.wprof.pb"
}

@test "--files-from=- reads standard input; operands come first" {
	run -1 bash -c 'printf "%s\n" "$2" | "$WPROFCK" check --files-from=- "$1"' _ \
	    "$D/sub/b-0123456789abcdef.wprof.pb" "$D/a-0123456789abcdef.wprof.pb"
	run -0 paths
	assert_output "$D/sub/b-0123456789abcdef.wprof.pb
$D/a-0123456789abcdef.wprof.pb"
}

@test "-0: NUL-separated names, a newline in one included" {
	nl=$D/$'new\nline'-0123456789abcdef.wprof.pb
	cp "$P/good.pb" "$nl"
	run -0 bash -c 'printf "%s\0" "$1" "$2" | "$WPROFCK" check --json -0 --files-from=-' _ \
	    "$nl" "$D/a-0123456789abcdef.wprof.pb"
	run -0 jq -r 'select(.path) | [.path, .ok] | @json' <<<"$output"
	assert_output "$(jq -cn --arg a "$nl" --arg b "$D/a-0123456789abcdef.wprof.pb" '[$a, true], [$b, true]')"
}

@test "--files-from is streamed: the first path is checked before the list ends" {
	# The list's writer waits for the first verdict before the second
	# name: a check that read the whole list first would never give it.
	# The shell may not have created the output yet at the first look
	# (grep -s).
	out=$BATS_TEST_TMPDIR/out
	run -0 bash -c '
	    {
		printf "%s\n" "$1"
		for i in $(seq 100); do
			grep -qs "^ok" "$2" && break
			sleep 0.1
		done
		grep -qs "^ok" "$2" || echo "no verdict before the list ended"
		printf "%s\n" "$1"
	    } | "$WPROFCK" check --shape --files-from=- >"$2"' _ \
	    "$D/a-0123456789abcdef.wprof.pb" "$out"
	assert_output ""
	assert_equal "$(grep -c '^ok ' "$out")" 2
}

@test "--files-from: an empty name is trouble, the rest still checked, exit 2" {
	printf '%s\n' '' "$D/a-0123456789abcdef.wprof.pb" >"$BATS_TEST_TMPDIR/list"
	run -2 "$WPROFCK" check --files-from="$BATS_TEST_TMPDIR/list"
	assert_line -n 0 "wprofck: check: --files-from=$BATS_TEST_TMPDIR/list: line 1: an empty name"
	assert_line --regexp "^ok .*  $D/a-0123456789abcdef.wprof.pb\$"
}

@test "--files-from: an empty list checks nothing and is no success, exit 1" {
	: >"$BATS_TEST_TMPDIR/list"
	run -1 "$WPROFCK" check --files-from="$BATS_TEST_TMPDIR/list"
	assert_output "wprofck: check: --files-from=$BATS_TEST_TMPDIR/list: no names in it"
}

@test "--files-from: a list that cannot be read is trouble, exit 2" {
	run -2 "$WPROFCK" check --files-from="$BATS_TEST_TMPDIR/nothing"
	assert_output "wprofck: check: --files-from=$BATS_TEST_TMPDIR/nothing: No such file or directory"
}

@test "--files-from=- with the operand -, and -0 without --files-from: usage errors, exit 2" {
	run -2 "$WPROFCK" check --files-from=- - </dev/null
	assert_line -n 0 "wprofck: check: --files-from=- and the operand - both read standard input"
	assert_line -n 1 --partial "usage: wprofck check "
	run -2 "$WPROFCK" check -0 "$D"
	assert_line -n 0 "wprofck: check: -0 is for --files-from: the names it reads are NUL-separated"
}

@test "--no-recurse: a directory's own artifacts, not its subdirectories'" {
	run -0 "$WPROFCK" check --no-recurse "$D"
	run -0 paths
	assert_output a-0123456789abcdef.wprof.pb
	# Without it the subdirectory's failure is found.
	run -1 "$WPROFCK" check "$D"
	run -0 paths
	assert_output "a-0123456789abcdef.wprof.pb
sub/b-0123456789abcdef.wprof.pb"
}

@test "--no-recurse: a directory with artifacts only below is no_artifacts, exit 1" {
	rm "$D/a-0123456789abcdef.wprof.pb"
	run -1 "$WPROFCK" check --shape --no-recurse "$D"
	assert_line -n 2 '    no artifacts: no *.wprof.pb file under this directory'
}

@test "a compressed artifact in a sidecar tree gets a note with the command that checks it" {
	rm -r "$D/sub"
	gzip -c "$P/good.pb" >"$D/c-0123456789abcdef.wprof.pb.gz"
	run -0 "$WPROFCK" check "$D/"
	assert_line --regexp '^note +[0-9.]+K +- +- +c-0123456789abcdef\.wprof\.pb\.gz$'
	# The command on a line of its own, never broken.
	assert_line '    compressed artifact:'
	assert_line "    gzip -dc $D/c-0123456789abcdef.wprof.pb.gz | wprofck check -"
	assert_line '1 passed, 0 failed; 1 note'
	# Following it literally works.
	run -0 bash -c "gzip -dc $D/c-0123456789abcdef.wprof.pb.gz | \"\$WPROFCK\" check -"
	assert_line -n 1 --regexp '^ok .*  \(standard input\)$'
}

@test "a compressed artifact's note quotes a path the shell would split" {
	gzip -c "$P/good.pb" >"$D/it's here-0123456789abcdef.wprof.pb.gz"
	run -1 "$WPROFCK" check --json "$D"
	run -0 jq -r 'select(.summary) | .notes[0].note' <<<"$output"
	assert_output "compressed artifact: gzip -dc '$D/it'\\''s here-0123456789abcdef.wprof.pb.gz' | wprofck check -"
	cmd=${output#compressed artifact: }
	run -0 bash -c "${cmd%wprofck check -}cmp - \"\$1\"" _ "$P/good.pb"
}

@test "a symbolic link to a run directory gets a note; given as an operand it is checked" {
	mkdir "$BATS_TEST_TMPDIR/run2"
	cp "$P/small.pb" "$BATS_TEST_TMPDIR/run2/d-0123456789abcdef.wprof.pb"
	ln -s ../run2 "$D/run2"
	run -1 "$WPROFCK" check "$D"
	assert_line 'note       -       -        -  run2'
	assert_line '    skipped: a link to a directory (give it as an operand to check it)'
	run -1 "$WPROFCK" check "$D/run2"
	assert_line -n 1 --regexp '^FAIL .*  d-0123456789abcdef.wprof.pb$'
}

# The inconsistencies of issue 17 item 6 on the check side.

@test "a trace of 10,000,000 packets keeps the PACKETS column: 10.0M, JSON exact" {
	T=$BATS_TEST_TMPDIR/e.pb
	# Ten million empty packets, two bytes each.
	perl -e 'print "\n\0" x 10000000' >"$T"
	run -0 "$WPROFCK" check "$T"
	assert_line -n 0 'RESULT  SIZE PACKETS     SPAN  PATH'
	assert_line -n 1 "ok       19M   10.0M        -  $T (no track events after the opening)"
	run -0 "$WPROFCK" check --json "$T"
	run -0 jq -r 'select(.path) | .packets' <<<"$output"
	assert_output 10000000
}

@test "--json: the summary record has version 1; hints is {} when all passed, as documented" {
	run -0 "$WPROFCK" check --json "$D/a-0123456789abcdef.wprof.pb"
	run -0 jq -c 'select(.summary) | [.version, .hints, .reasons]' <<<"$output"
	assert_output '[1,{},{}]'
	run -0 grep -c '^what to do (the text the human output prints once per reason), or to null$' "$BATS_TEST_DIRNAME/../man/wprofck.1"
	run -0 grep -c '^1, the version of the format of these records\.$' "$BATS_TEST_DIRNAME/../man/wprofck.1"
}

@test "standard input is (standard input) for people, - in JSON, in check and reassemble alike" {
	run -0 "$WPROFCK" check - <"$P/good.pb"
	assert_line -n 1 --regexp '^ok .*  \(standard input\)$'
	run -0 "$WPROFCK" check --json - <"$P/good.pb"
	run -0 jq -r 'select(.path) | .path' <<<"$output"
	assert_equal "$output" -
	run -1 "$WPROFCK" reassemble -o "$BATS_TEST_TMPDIR/t.pb" </dev/null
	assert_line -n 0 --partial 'wprofck: reassemble: (standard input): '
}

@test "reassemble -q --check: nothing on success; every line of a failure has the command's prefix" {
	new_drain
	frame WPRF "$P/good.pb"
	run -0 "$WPROFCK" reassemble -q --check -o "$BATS_TEST_TMPDIR/t.pb" "$DRAIN"
	assert_output ''
	new_drain
	frame WPRF "$P/small.pb"
	run -1 "$WPROFCK" reassemble -q --check -o "$BATS_TEST_TMPDIR/t.pb" "$DRAIN"
	assert_line -n 0 --regexp "^wprofck: reassemble: FAIL +2\\.9K +- +- +$BATS_TEST_TMPDIR/t.pb\$"
	assert_line -n 1 '    too small: 3000 bytes, the minimum is 4096'
	assert_line -n 2 'wprofck: reassemble: too_small: wprof stopped before writing its opening, or the'
}
