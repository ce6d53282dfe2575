#!/usr/bin/env bats
# wprofck check, the shape rules (spec section 3, issue 2): one file, many
# files, directories, $KTSTR_SIDECAR_DIR, -q, --min-size, exit statuses.
# Shape-only files are built here byte by byte (a leading byte, then
# zeros), so their sizes and humanized sizes are known by construction:
# 100 is "100B", 4095 "4.0K", 4096 "4.0K", 65536 "64K", 10485760 "10M".

load common

# blob PATH SIZE [FIRST]: SIZE bytes, the first one FIRST (three octal
# digits, default 012 = 0x0a), the rest zeros.
blob() {
	{
		printf "\\${3:-012}"
		head -c "$(($2 - 1))" /dev/zero
	} >"$1"
}

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	blob "$P/4096.pb" 4096
	blob "$P/4095.pb" 4095
	blob "$P/100.pb" 100
	blob "$P/64k.pb" 65536
	blob "$P/10m.pb" 10485760
	blob "$P/lead7b.pb" 4096 173
	blob "$P/lead00.pb" 4096 000
	: >"$P/empty.pb"
	"$MKPB" -n 100 >"$P/good.pb"
}

setup() {
	D=$BATS_TEST_TMPDIR/side
	mkdir -p "$D"
	unset KTSTR_SIDECAR_DIR
}

# The column header of check --shape.
H='RESULT  SIZE  PATH'

# The human line: verdict, size, then the path.
line() {
	printf '%-6s %5s  %s' "$@"
}

# failed SIZE PATH DETAIL: a failure's line and its detail, indented below.
failed() {
	printf '%s\n    %s' "$(line FAIL "$1" "$2")" "$3"
}

HINT_SMALL='too_small: wprof stopped before writing its opening, or the transfer cut the
    file short'
HINT_LEAD='bad_leading_byte: a trace starts with 0x0a, field 1 (packet) with wire type 2;
    this file holds something else'
HINT_MISSING='missing: the file named, or the one a link points to, does not exist'

@test "check: a file of 4096 bytes starting with 0x0a passes, exit 0" {
	run -0 "$WPROFCK" check --shape "$P/4096.pb"
	assert_output "$H
$(line ok 4.0K "$P/4096.pb")"
}

@test "check: the size is shown in human units" {
	run -0 "$WPROFCK" check --shape "$P/64k.pb"
	assert_line -n 1 "$(line ok 64K "$P/64k.pb")"
	run -0 "$WPROFCK" check --shape "$P/10m.pb"
	assert_line -n 1 "$(line ok 10M "$P/10m.pb")"
}

@test "check: 4095 bytes is too small: size and minimum, then the hint once" {
	run -1 "$WPROFCK" check --shape "$P/4095.pb"
	assert_output "$H
$(failed 4.0K "$P/4095.pb" 'too small: 4095 bytes, the minimum is 4096')
$HINT_SMALL"
}

@test "check: a wrong leading byte is shown, and 0x0a is named in the hint" {
	run -1 "$WPROFCK" check --shape "$P/lead7b.pb"
	assert_output "$H
$(failed 4.0K "$P/lead7b.pb" 'bad leading byte 0x7b')
$HINT_LEAD"
	run -1 "$WPROFCK" check --shape "$P/lead00.pb"
	assert_line -n 2 '    bad leading byte 0x00'
}

@test "check: the size rule comes before the leading byte" {
	blob "$BATS_TEST_TMPDIR/small7b.pb" 100 173
	run -1 "$WPROFCK" check --shape "$BATS_TEST_TMPDIR/small7b.pb"
	assert_line -n 2 '    too small: 100 bytes, the minimum is 4096'
	refute_output --partial 'leading'
}

@test "check: a missing file fails, exit 1" {
	run -1 "$WPROFCK" check --shape "$BATS_TEST_TMPDIR/nope.wprof.pb"
	assert_output "$H
$(failed - "$BATS_TEST_TMPDIR/nope.wprof.pb" 'missing: no such file')
$HINT_MISSING"
}

@test "check: a path through a file is missing too" {
	run -1 "$WPROFCK" check --shape "$P/4096.pb/x.wprof.pb"
	assert_line -n 2 '    missing: no such file'
}

@test "check: an empty file is too small" {
	run -1 "$WPROFCK" check --shape "$P/empty.pb"
	assert_output "$H
$(failed 0B "$P/empty.pb" 'too small: 0 bytes, the minimum is 4096')
$HINT_SMALL"
}

@test "check --min-size: the minimum is an option, in bytes or K/M/G" {
	run -0 "$WPROFCK" check --shape --min-size 100 "$P/100.pb"
	assert_line -n 1 "$(line ok 100B "$P/100.pb")"
	run -1 "$WPROFCK" check --shape --min-size 101 "$P/100.pb"
	assert_line -n 2 '    too small: 100 bytes, the minimum is 101'
	run -0 "$WPROFCK" check --shape --min-size 64K "$P/64k.pb"
	run -1 "$WPROFCK" check --shape --min-size 65537 "$P/64k.pb"
	assert_line -n 2 '    too small: 65536 bytes, the minimum is 65537'
	run -1 "$WPROFCK" check --shape --min-size 11M "$P/10m.pb"
	assert_line -n 2 '    too small: 10485760 bytes, the minimum is 11534336'
}

@test "check --min-size 0: an empty file has no leading byte" {
	run -1 "$WPROFCK" check --shape --min-size 0 "$P/empty.pb"
	assert_line -n 2 '    bad leading byte: the file is empty'
	assert_line -n 3 --partial 'bad_leading_byte: a trace starts with 0x0a'
}

@test "check --min-size with a bad value is a usage error naming it" {
	run -2 "$WPROFCK" check --shape --min-size lots "$P/4096.pb"
	assert_output --partial 'wprofck: check: --min-size: '
	run -2 "$WPROFCK" check --shape --min-size -5 "$P/4096.pb"
	assert_output --partial 'wprofck: check: --min-size: '
	run -2 "$WPROFCK" check --shape --min-size "$P/4096.pb"
	assert_output --partial 'wprofck: check: --min-size: '
}

@test "check: an unknown option is a usage error with the synopsis" {
	run -2 "$WPROFCK" check --bogus "$P/4096.pb"
	assert_output --partial 'usage: wprofck check [-0q] [--json] [--junit file] [--shape | --deep] [--min-size size] [--files-from file] [--no-recurse] [--progress | --no-progress] [path ...]'
}

@test "check --help prints the synopsis on stdout, exit 0" {
	run -0 wp_to "$BATS_TEST_TMPDIR/out" check --help
	assert_output ''
	run -0 cat "$BATS_TEST_TMPDIR/out"
	assert_line -n 0 'usage: wprofck check [-0q] [--json] [--junit file] [--shape | --deep] [--min-size size] [--files-from file] [--no-recurse] [--progress | --no-progress] [path ...]'
}

@test "check: several files, each reported, then N passed, M failed: reasons" {
	run -1 "$WPROFCK" check --shape "$P/4096.pb" "$P/4095.pb" "$P/64k.pb" \
	    "$BATS_TEST_TMPDIR/gone.pb"
	assert_output "$H
$(line ok 4.0K "$P/4096.pb")
$(failed 4.0K "$P/4095.pb" 'too small: 4095 bytes, the minimum is 4096')
$(line ok 64K "$P/64k.pb")
$(failed - "$BATS_TEST_TMPDIR/gone.pb" 'missing: no such file')
2 passed, 2 failed: 1 missing, 1 too_small
$HINT_MISSING
$HINT_SMALL"
}

@test "check: several files that all pass, exit 0" {
	run -0 "$WPROFCK" check --shape "$P/4096.pb" "$P/64k.pb"
	assert_line -n 3 '2 passed, 0 failed'
	[ "${#lines[@]}" -eq 4 ]
}

@test "check: one artifact, no summary line" {
	run -1 "$WPROFCK" check --shape "$P/4095.pb"
	[ "${#lines[@]}" -eq 5 ]
	refute_output --partial 'passed'
}

@test "check -q and --quiet: nothing on success; failures and the summary" {
	run -1 "$WPROFCK" check --shape -q "$P/4096.pb" "$P/4095.pb" "$P/64k.pb"
	assert_output "$H
$(failed 4.0K "$P/4095.pb" 'too small: 4095 bytes, the minimum is 4096')
2 passed, 1 failed: 1 too_small
$HINT_SMALL"
	run -0 "$WPROFCK" check --shape -q "$P/4096.pb" "$P/64k.pb"
	assert_output ''
	run -0 "$WPROFCK" check --shape --quiet "$P/4096.pb" "$P/64k.pb"
	assert_output ''
	run -1 "$WPROFCK" check --shape --quiet "$P/4095.pb"
	assert_line -n 1 "$(line FAIL 4.0K "$P/4095.pb")"
}

@test "check: a file name with a newline stays on one line" {
	f="$BATS_TEST_TMPDIR/two
lines.wprof.pb"
	cp "$P/4096.pb" "$f"
	run -0 "$WPROFCK" check --shape "$f"
	assert_output "$H
$(line ok 4.0K "$BATS_TEST_TMPDIR/two\\nlines.wprof.pb")"
}

# Directories

# side_dir: a sidecar directory, written in an order unlike the sorted one.
side_dir() {
	mkdir -p "$D/sub/deeper"
	cp "$P/4096.pb" "$D/zeta-0000000000000001.wprof.pb"
	cp "$P/64k.pb" "$D/alpha-00000000000000ff.repro.wprof.pb"
	cp "$P/4095.pb" "$D/alpha-00000000000000ff.wprof.pb"
	cp "$P/10m.pb" "$D/alpha-0000000000000001.wprof.pb"
	cp "$P/4096.pb" "$D/sub/beta-0000000000000002.wprof.pb"
	cp "$P/100.pb" "$D/sub/deeper/gamma-0000000000000003.repro.wprof.pb"
	cp "$P/4096.pb" "$D/alpha-00000000000000ff.ktstr.json"
	cp "$P/4096.pb" "$D/notes.txt"
	cp "$P/4096.pb" "$D/x.wprof.pb.old"
}

@test "check DIR: every *.wprof.pb under it, sorted, paths relative" {
	side_dir
	run -1 "$WPROFCK" check --shape "$D"
	assert_output "$H
$(line ok 10M alpha-0000000000000001.wprof.pb)
$(failed 4.0K alpha-00000000000000ff.wprof.pb 'too small: 4095 bytes, the minimum is 4096')
$(line ok 64K alpha-00000000000000ff.repro.wprof.pb)
$(line ok 4.0K sub/beta-0000000000000002.wprof.pb)
$(failed 100B sub/deeper/gamma-0000000000000003.repro.wprof.pb 'too small: 100 bytes, the minimum is 4096')
$(line ok 4.0K zeta-0000000000000001.wprof.pb)
4 passed, 2 failed: 2 too_small
$HINT_SMALL"
}

@test "check DIR/: a trailing slash changes nothing" {
	side_dir
	run -1 "$WPROFCK" check --shape "$D"
	want=$output
	run -1 "$WPROFCK" check --shape "$D/"
	assert_output "$want"
	run -1 "$WPROFCK" check --shape "$D//"
	assert_output "$want"
}

@test "check DIR: the order does not depend on the order of creation" {
	side_dir
	run -1 "$WPROFCK" check --shape "$D"
	want=$output
	mkdir "$BATS_TEST_TMPDIR/copy"
	for f in $(ls "$D" | sort -r); do
		cp -R "$D/$f" "$BATS_TEST_TMPDIR/copy/"
	done
	run -1 "$WPROFCK" check --shape "$BATS_TEST_TMPDIR/copy"
	assert_output "$want"
}

@test "check DIR: sorted by test name, not path; the trace before its repro" {
	cp "$P/4096.pb" "$D/a+b-0000000000000001.wprof.pb"
	cp "$P/4096.pb" "$D/a-0000000000000002.wprof.pb"
	cp "$P/4096.pb" "$D/a-0000000000000002.repro.wprof.pb"
	run -0 "$WPROFCK" check --shape "$D"
	assert_line -n 1 "$(line ok 4.0K a-0000000000000002.wprof.pb)"
	assert_line -n 2 "$(line ok 4.0K a-0000000000000002.repro.wprof.pb)"
	assert_line -n 3 "$(line ok 4.0K a+b-0000000000000001.wprof.pb)"
}

@test "check DIR: paths sort component by component" {
	mkdir -p "$D/nested/run2" "$D/b"
	cp "$P/4096.pb" "$D/idle_balance-0000000000000001.wprof.pb"
	cp "$P/4096.pb" "$D/lead_x-0000000000000001.wprof.pb"
	cp "$P/4096.pb" "$D/nested/run2/inner_y-0000000000000001.wprof.pb"
	cp "$P/4096.pb" "$D/nested/a-0000000000000001.wprof.pb"
	cp "$P/4096.pb" "$D/b/z-0000000000000001.wprof.pb"
	cp "$P/4096.pb" "$D/c-0000000000000001.wprof.pb"
	run -0 "$WPROFCK" check --shape "$D"
	assert_output "$H
$(line ok 4.0K b/z-0000000000000001.wprof.pb)
$(line ok 4.0K c-0000000000000001.wprof.pb)
$(line ok 4.0K idle_balance-0000000000000001.wprof.pb)
$(line ok 4.0K lead_x-0000000000000001.wprof.pb)
$(line ok 4.0K nested/a-0000000000000001.wprof.pb)
$(line ok 4.0K nested/run2/inner_y-0000000000000001.wprof.pb)
6 passed, 0 failed"
}

@test "check DIR with no *.wprof.pb is no_artifacts, exit 1" {
	cp "$P/4096.pb" "$D/a.ktstr.json"
	mkdir "$D/sub"
	run -1 "$WPROFCK" check --shape "$D"
	assert_output "$H
$(failed - "$D" 'no artifacts: no *.wprof.pb file under this directory')
no_artifacts: nothing to check: is this the sidecar directory
    (KTSTR_SIDECAR_DIR), and did the tests run with wprof on?"
}

@test "check DIR: a directory named *.wprof.pb is a note, not an artifact" {
	mkdir "$D/d.wprof.pb"
	run -1 "$WPROFCK" check --shape "$D"
	assert_output "$H
$(line note - d.wprof.pb)
    skipped: a directory, not a file (what is under it is checked)
$(failed - "$D" 'no artifacts: no *.wprof.pb file under this directory')
0 passed, 1 failed: 1 no_artifacts; 1 note
no_artifacts: nothing to check: is this the sidecar directory
    (KTSTR_SIDECAR_DIR), and did the tests run with wprof on?"
}

@test "check DIR: symbolic links to directories are not followed, no loop" {
	mkdir "$D/sub"
	cp "$P/4096.pb" "$D/sub/t-0000000000000001.wprof.pb"
	ln -s .. "$D/sub/up"
	ln -s "$D" "$D/sub/again"
	run -0 "$WPROFCK" check --shape "$D"
	# Each is a note (issue 17), where it sorts.
	assert_output "$H
$(line note - sub/again)
    skipped: a link to a directory (give it as an operand to check it)
$(line ok 4.0K sub/t-0000000000000001.wprof.pb)
$(line note - sub/up)
    skipped: a link to a directory (give it as an operand to check it)
1 passed, 0 failed; 2 notes"
}

@test "check DIR: a link to a file is checked, a dangling one is missing" {
	ln -s "$P/4096.pb" "$D/t-0000000000000001.wprof.pb"
	ln -s nowhere "$D/t-0000000000000002.wprof.pb"
	run -1 "$WPROFCK" check --shape "$D"
	assert_output "$H
$(line ok 4.0K t-0000000000000001.wprof.pb)
$(failed - t-0000000000000002.wprof.pb 'missing: no such file')
1 passed, 1 failed: 1 missing
$HINT_MISSING"
}

@test "check DIR: a link loop named *.wprof.pb is unreadable, exit 2" {
	cp "$P/4096.pb" "$D/t-0000000000000001.wprof.pb"
	ln -s loop.wprof.pb "$D/loop.wprof.pb"
	run -2 "$WPROFCK" check --shape "$D"
	assert_line -n 1 "$(line FAIL - loop.wprof.pb)"
	assert_line -n 2 '    unreadable: Too many levels of symbolic links'
	assert_line -n 3 "$(line ok 4.0K t-0000000000000001.wprof.pb)"
	assert_line -n 4 '1 passed, 1 failed: 1 unreadable'
}

@test "check: an unreadable operand is trouble: exit 2 even with failures" {
	ln -s self "$BATS_TEST_TMPDIR/self"
	run -2 "$WPROFCK" check --shape "$P/4095.pb" "$BATS_TEST_TMPDIR/self"
	assert_line -n 3 "$(line FAIL - "$BATS_TEST_TMPDIR/self")"
	assert_line -n 4 --regexp '^    unreadable: '
	assert_line -n 5 '0 passed, 2 failed: 1 unreadable, 1 too_small'
}

# unprivileged CMD...: runs CMD where file permissions apply: as nobody
# when root, after making the directories above $BATS_TEST_TMPDIR
# searchable (bats makes them private); skips when that is not possible.
unprivileged() {
	local d=$BATS_TEST_TMPDIR
	if [ "$(id -u)" -ne 0 ]; then
		"$@"
		return
	fi
	command -v setpriv >/dev/null || skip "root without setpriv(1)"
	while [ "$d" != / ] && [ "$d" != /tmp ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

@test "check: a file that may not be read is unreadable, its size known, exit 2" {
	cp "$P/4096.pb" "$D/t-0000000000000001.wprof.pb"
	chmod 000 "$D/t-0000000000000001.wprof.pb"
	run -2 unprivileged "$WPROFCK" check --shape "$D/t-0000000000000001.wprof.pb"
	assert_output "$H
$(failed 4.0K "$D/t-0000000000000001.wprof.pb" 'unreadable: Permission denied')
unreadable: the file could not be read (exit status 2): fix the permissions or
    the path and check again"
}

@test "check DIR: a directory that may not be read is unreadable, exit 2" {
	mkdir "$D/locked" "$D/open"
	cp "$P/4096.pb" "$D/open/t-0000000000000001.wprof.pb"
	cp "$P/4096.pb" "$D/locked/t-0000000000000002.wprof.pb"
	chmod 000 "$D/locked"
	run -2 unprivileged "$WPROFCK" check --shape "$D"
	chmod 755 "$D/locked"
	assert_line -n 1 "$(line FAIL - locked)"
	assert_line -n 2 '    unreadable: Permission denied'
	assert_line -n 3 "$(line ok 4.0K open/t-0000000000000001.wprof.pb)"
	assert_line -n 4 '1 passed, 1 failed: 1 unreadable'
}

@test "check DIR: entries that cannot be examined are unreadable, exit 2" {
	# Read but not search permission: the names are there, stat fails.
	mkdir "$D/nosearch"
	cp "$P/4096.pb" "$D/nosearch/t-0000000000000002.wprof.pb"
	cp "$P/4096.pb" "$D/nosearch/other.txt"
	cp "$P/4096.pb" "$D/t-0000000000000001.wprof.pb"
	chmod 444 "$D/nosearch"
	run -2 unprivileged "$WPROFCK" check --shape "$D"
	chmod 755 "$D/nosearch"
	assert_line -n 1 "$(line FAIL - nosearch/other.txt)"
	assert_line -n 2 '    unreadable: Permission denied'
	assert_line -n 3 "$(line FAIL - nosearch/t-0000000000000002.wprof.pb)"
	assert_line -n 4 '    unreadable: Permission denied'
	assert_line -n 5 "$(line ok 4.0K t-0000000000000001.wprof.pb)"
	assert_line -n 6 '1 passed, 2 failed: 2 unreadable'
}

@test "check DIR: a path longer than PATH_MAX is unreadable, exit 2" {
	local name i
	name=$(printf 'd%.0s' $(seq 200))
	cp "$P/4096.pb" "$D/t-0000000000000001.wprof.pb"
	(
		cd "$D" || exit 1
		for i in $(seq 25); do
			mkdir "$name" && cd "$name" || exit 1
		done
		cp "$P/4096.pb" t-0000000000000002.wprof.pb
	)
	run -2 "$WPROFCK" check --shape "$D"
	assert_output --partial '    unreadable: File name too long'
	assert_line -n 1 --partial "FAIL       -  $name/"
	assert_output --partial "$(line ok 4.0K t-0000000000000001.wprof.pb)"
	assert_output --partial '1 passed, 1 failed: 1 unreadable'
	rm -rf "$D/$name" 2>/dev/null || true
}

@test "check DIR: a top directory that may not be read is one unreadable line" {
	cp "$P/4096.pb" "$D/t-0000000000000001.wprof.pb"
	chmod 000 "$D"
	run -2 unprivileged "$WPROFCK" check --shape "$D"
	chmod 755 "$D"
	assert_line -n 1 "$(line FAIL - "$D")"
	assert_line -n 2 '    unreadable: Permission denied'
	[ "${#lines[@]}" -eq 5 ]
}

@test "check DIR: sizes of every width keep the path in one column" {
	cp "$P/64k.pb" "$D/t1-0000000000000001.wprof.pb"
	cp "$P/4096.pb" "$D/t2-0000000000000002.wprof.pb"
	cp "$P/10m.pb" "$D/t3-0000000000000003.wprof.pb"
	cp "$P/100.pb" "$D/t4-0000000000000004.wprof.pb"
	run -1 "$WPROFCK" check --shape "$D"
	for i in 1 2 3 4; do
		l=${lines[$i]}
		[ "${l:14:19}" = "t$i-000000000000000$i" ]
	done
}

@test "check DIR FILE: with several operands, paths keep the operand" {
	cp "$P/4096.pb" "$D/t-0000000000000001.wprof.pb"
	run -0 "$WPROFCK" check --shape "$D" "$P/64k.pb"
	assert_output "$H
$(line ok 4.0K "$D/t-0000000000000001.wprof.pb")
$(line ok 64K "$P/64k.pb")
2 passed, 0 failed"
}

@test "check -q DIR: only the failures, relative, and the summary" {
	side_dir
	run -1 "$WPROFCK" check --shape -q "$D"
	assert_output "$H
$(failed 4.0K alpha-00000000000000ff.wprof.pb 'too small: 4095 bytes, the minimum is 4096')
$(failed 100B sub/deeper/gamma-0000000000000003.repro.wprof.pb 'too small: 100 bytes, the minimum is 4096')
4 passed, 2 failed: 2 too_small
$HINT_SMALL"
}

@test "check DIR: 1000 artifacts, one line each, then the summary" {
	local files=() i
	for i in $(seq 1000 1999); do
		files+=("$D/t$i-0000000000000001.wprof.pb")
	done
	tee "${files[@]}" <"$P/4096.pb" >/dev/null
	run -0 "$WPROFCK" check --shape "$D"
	[ "${#lines[@]}" -eq 1002 ]
	assert_line -n 1 "$(line ok 4.0K t1000-0000000000000001.wprof.pb)"
	assert_line -n 1000 "$(line ok 4.0K t1999-0000000000000001.wprof.pb)"
	assert_line -n 1001 '1000 passed, 0 failed'
}

# $KTSTR_SIDECAR_DIR

@test "check with no path checks \$KTSTR_SIDECAR_DIR" {
	side_dir
	run -1 "$WPROFCK" check --shape "$D"
	want=$output
	KTSTR_SIDECAR_DIR=$D run -1 "$WPROFCK" check --shape
	assert_output "$want"
}

@test "check with no path and no \$KTSTR_SIDECAR_DIR is a usage error" {
	run -2 "$WPROFCK" check
	assert_line -n 0 'wprofck: check: no path, and KTSTR_SIDECAR_DIR is not set'
	assert_line -n 1 'usage: wprofck check [-0q] [--json] [--junit file] [--shape | --deep] [--min-size size] [--files-from file] [--no-recurse] [--progress | --no-progress] [path ...]'
	KTSTR_SIDECAR_DIR= run -2 "$WPROFCK" check
	assert_line -n 0 'wprofck: check: no path, and KTSTR_SIDECAR_DIR is not set'
}

@test "check: a path operand wins over \$KTSTR_SIDECAR_DIR" {
	KTSTR_SIDECAR_DIR=$BATS_TEST_TMPDIR/nowhere run -0 "$WPROFCK" check --shape "$P/4096.pb"
	assert_output "$H
$(line ok 4.0K "$P/4096.pb")"
}

@test "check: \$KTSTR_SIDECAR_DIR that does not exist is trouble, exit 2" {
	KTSTR_SIDECAR_DIR=$BATS_TEST_TMPDIR/nowhere run -2 "$WPROFCK" check
	assert_output --regexp "^wprofck: (check: )?KTSTR_SIDECAR_DIR=$BATS_TEST_TMPDIR/nowhere: No such file or directory\$"
	KTSTR_SIDECAR_DIR=$P/4096.pb run -2 "$WPROFCK" check
	assert_output --regexp "^wprofck: (check: )?KTSTR_SIDECAR_DIR=$P/4096.pb: not a directory\$"
}

# Streams

@test "check: a pipe is read to its end: size and leading byte" {
	run -0 bash -c 'cat "$1" | "$WPROFCK" check --shape /dev/stdin' _ "$P/64k.pb"
	assert_output "$H
$(line ok 64K /dev/stdin)"
	run -1 bash -c 'cat "$1" | "$WPROFCK" check --shape /dev/stdin' _ "$P/4095.pb"
	assert_line -n 2 '    too small: 4095 bytes, the minimum is 4096'
	run -1 bash -c 'cat "$1" | "$WPROFCK" check --shape /dev/stdin' _ "$P/lead7b.pb"
	assert_line -n 2 '    bad leading byte 0x7b'
}

@test "check -: standard input, a pipe or a file" {
	run -0 bash -c 'cat "$1" | "$WPROFCK" check --shape -' _ "$P/64k.pb"
	assert_output "$H
$(line ok 64K '(standard input)')"
	run -1 bash -c '"$WPROFCK" check --shape - <"$1"' _ "$P/4095.pb"
	assert_output "$H
$(failed 4.0K '(standard input)' 'too small: 4095 bytes, the minimum is 4096')
$HINT_SMALL"
	run -0 bash -c '"$WPROFCK" check --shape --json - <"$1"' _ "$P/4096.pb"
	assert_line -n 0 '{"path":"-","ok":true,"size":4096,"reason":null,"message":null}'
}

@test "check: standard output that cannot be written is trouble, exit 2" {
	[ -w /dev/full ] || skip "no /dev/full"
	run -2 bash -c '"$WPROFCK" check "$1" >/dev/full' _ "$P/4096.pb"
	assert_output --partial 'wprofck: check: '
}

@test "check -: standard input that is a terminal is refused, exit 2" {
	command -v script >/dev/null || skip "no script(1) to make a terminal"
	run -2 script -qec "$WPROFCK check -" /dev/null </dev/null
	assert_output --regexp 'wprofck: (check: )?standard input is a terminal: give a file, or pipe a trace in'
}
