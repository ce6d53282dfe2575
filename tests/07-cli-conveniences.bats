#!/usr/bin/env bats
# Issue 17, the conveniences: "did you mean" for commands, long options and
# types; bash completion; the ktstr types SCSW, KORQ and KORP; usage errors
# that end with the usage line and exit 2 in every command; help help; the
# wording of the one-line descriptions and of counts.

load common

ROOT=$BATS_TEST_DIRNAME/..
COMPLETION=$ROOT/cmd/wprofck.bash

setup() {
	new_drain
	GOT=$BATS_TEST_TMPDIR/stdout
	unset KTSTR_SIDECAR_DIR
}

# usage_of CMD: the usage line CMD --help prints.
usage_of() {
	"$WPROFCK" "$1" --help | head -n 1
}

# The commands wprofck help lists, one a line.
commands() {
	"$WPROFCK" help | awk '/^Commands:/ { on = 1; next } /^$/ { on = 0 }
	    on { print $1 }'
}

# long_opts CMD: the long options CMD --help describes, one a line.
long_opts() {
	"$WPROFCK" "$1" --help | awk '/^Options:$/ { on = 1; next }
	    /^$/ { on = 0 }
	    on { for (i = 1; i <= NF; i++) if ($i ~ /^--[a-z]/) {
		sub(/[=[,].*/, "", $i); print $i } }' | sort -u
}

@test "did you mean: a mistyped command names the command, then the usage line, exit 2" {
	run -2 wp_to "$GOT" chekc
	assert_line -n 0 'wprofck: no such command: chekc'
	assert_line -n 1 "wprofck: did you mean 'check'?"
	assert_line -n 2 'usage: wprofck [-hV] command [argument ...]'
	[ "${#lines[@]}" -eq 3 ]
	run -2 wp_to "$GOT" Reassemble
	assert_line -n 1 "wprofck: did you mean 'reassemble'?"
	run -2 wp_to "$GOT" framse
	assert_line -n 1 "wprofck: did you mean 'frames'?"
	run -2 wp_to "$GOT" hlep
	assert_line -n 1 "wprofck: did you mean 'help'?"
	run -2 wp_to "$GOT" help slpit
	assert_line -n 0 'wprofck: help: no such command: slpit'
	assert_line -n 1 "wprofck: did you mean 'split'?"
	[ "$(fsize "$GOT")" -eq 0 ]
}

@test "did you mean: nothing near, no suggestion" {
	run -2 wp_to "$GOT" xyzzy
	assert_output $'wprofck: no such command: xyzzy\nusage: wprofck [-hV] command [argument ...]'
	# Two edits from a five-letter name is near; three is not.
	run -2 wp_to "$GOT" chxxk
	assert_line -n 1 "wprofck: did you mean 'check'?"
	run -2 wp_to "$GOT" cxxxk
	refute_output --partial 'did you mean'
}

@test "did you mean: an unknown long option, after getopt's message and before the usage line" {
	run -2 wp_to "$GOT" check --jsn
	assert_line -n 0 "wprofck: check: unrecognized option '--jsn'"
	assert_line -n 1 "wprofck: check: did you mean '--json'?"
	assert_line -n 2 "$(usage_of check)"
	[ "${#lines[@]}" -eq 3 ]
	run -2 wp_to "$GOT" reassemble --chekc=deep "$DRAIN"
	assert_line -n 1 "wprofck: reassemble: did you mean '--check'?"
	run -2 wp_to "$GOT" --verison
	assert_line -n 1 "wprofck: did you mean '--version'?"
	# An abbreviation getopt calls ambiguous gets getopt's list alone.
	run -2 wp_to "$GOT" reassemble --c "$DRAIN"
	assert_line -n 0 --partial "wprofck: reassemble: option '--c' is ambiguous"
	refute_output --partial 'did you mean'
}

@test "did you mean: every long option of every command, typed with a letter missing" {
	local cmd opt typo n=0
	for cmd in $(commands); do
		for opt in $(long_opts "$cmd"); do
			# --json -> --jon: the second letter dropped
			typo=--${opt:2:1}${opt:4}
			run -2 wp_to "$GOT" "$cmd" "$typo"
			assert_line -n 0 "wprofck: $cmd: unrecognized option '$typo'"
			assert_line -n 1 --regexp "^wprofck: $cmd: did you mean .*'$opt'"
			assert_line -n 2 "$(usage_of "$cmd")"
			n=$((n + 1))
		done
	done
	[ "$n" -ge 40 ]
}

@test "did you mean: a four-letter type one edit from a known one is a usage error, exit 2" {
	frame_text SOUT 'out'
	run -2 wp_to "$GOT" extract sotu "$DRAIN"
	assert_line -n 0 "wprofck: extract: tag: 'sotu': unknown type; did you mean 'SOUT' (Stdout)?"
	assert_line -n 1 "wprofck: extract: tag: to mean the unknown type 'sotu' itself, give its number: 0x736F7475"
	assert_line -n 2 "$(usage_of extract)"
	[ "${#lines[@]}" -eq 3 ]
	[ "$(fsize "$GOT")" -eq 0 ]
	run -2 wp_to "$GOT" extract SCSX "$DRAIN"
	assert_line -n 0 "wprofck: extract: tag: 'SCSX': unknown type; did you mean 'SCST' (ScenarioStart), 'SCDX' (SchedExit) or 'SCSW' (SchedSwapNotify)?"
	run -2 wp_to "$GOT" frames --trace-tag WPFR "$DRAIN"
	assert_line -n 0 "wprofck: frames: --trace-tag: 'WPFR': unknown type; did you mean 'WPRF' (WprofTrace)?"
	assert_line -n 2 "$(usage_of frames)"
	run -2 wp_to "$GOT" split --chunk-tag wprx "$DRAIN"
	assert_line -n 0 "wprofck: split: --chunk-tag: 'wprx': unknown type; did you mean 'WPRF' (WprofTrace) or 'WPRC' (WprofTraceChunk)?"
}

@test "did you mean: the number of a type near a known one, and types near none, are taken as they are" {
	frame_text 0x736F7475 'sotu payload'
	frame_text 0x51515151 'QQQQ payload'
	run -0 wp_to "$GOT" extract 0x736F7475 "$DRAIN"
	run -0 cat "$GOT"
	assert_output 'sotu payload'
	run -0 wp_to "$GOT" extract QQQQ "$DRAIN"
	run -0 cat "$GOT"
	assert_output 'QQQQ payload'
	# Two edits from every known type: a type of its own, no frame of it.
	run -1 wp_to "$GOT" extract SOXX "$DRAIN"
	assert_output --partial 'no SOXX frame'
}

@test "did you mean: a mistyped ktstr name names the type, then the usage line" {
	run -2 wp_to "$GOT" extract stdot "$DRAIN"
	assert_line -n 0 --partial "wprofck: extract: tag: 'stdot': unknown type; want a number"
	assert_line -n 1 "wprofck: extract: tag: did you mean 'SOUT' (Stdout)?"
	assert_line -n 2 "$(usage_of extract)"
	run -2 wp_to "$GOT" extract SchedSwapNotfy "$DRAIN"
	assert_line -n 1 "wprofck: extract: tag: did you mean 'SCSW' (SchedSwapNotify)?"
}

@test "types: SCSW, KORQ and KORP are known by tag and by name, in frames and extract" {
	frame_text 0x53435357 'swap'
	frame_text 0x4B4F5251 'op request'
	frame_text 0x4B4F5250 'op reply!'
	run -0 wp_to "$GOT" frames "$DRAIN"
	run -0 grep -E '^ +[0-9]+ +[0-9]+  (SCSW|KORQ|KORP) ' "$GOT"
	assert_line -n 0 --regexp '^ +0 +0  SCSW +SchedSwapNotify +4  ok$'
	assert_line -n 1 --regexp '^ +1 +20  KORQ +KernelOpRequest +10  ok$'
	assert_line -n 2 --regexp '^ +2 +46  KORP +KernelOpReply +9  ok$'
	run -0 wp_to "$GOT" frames --json "$DRAIN"
	run -0 jq -r 'select(.index != null) | .name' "$GOT"
	assert_output $'SchedSwapNotify\nKernelOpRequest\nKernelOpReply'
	local t
	for t in SCSW scsw SchedSwapNotify KORQ kernelOpRequest; do
		run -0 wp_to "$GOT" extract -f "$t" "$DRAIN"
	done
	run -0 wp_to "$GOT" extract -f KernelOpReply "$DRAIN"
	run -0 cat "$GOT"
	assert_output 'op reply!'
}

@test "types: the manual's table has SCSW, KORQ and KORP with their values" {
	run -0 grep -E '^\.It (SCSW|KORQ|KORP) Ta ' "$ROOT/man/wprofck.1"
	assert_output $'.It SCSW Ta 0x53435357 Ta SchedSwapNotify\n.It KORQ Ta 0x4B4F5251 Ta KernelOpRequest\n.It KORP Ta 0x4B4F5250 Ta KernelOpReply'
}

@test "help help prints help's own help, exit 0" {
	run -0 "$WPROFCK" help help
	assert_line -n 0 'usage: wprofck help [command]'
	assert_output --partial 'List the commands'
	assert_line --regexp 'wprofck\(1\)'
	run -2 "$WPROFCK" help help check
	assert_line -n 0 "wprofck: help: extra operand 'check'"
	assert_line -n 1 'usage: wprofck help [command]'
}

@test "help: each description is one sentence with one full stop" {
	local cmd
	for cmd in $(commands); do
		run -0 "$WPROFCK" "$cmd" --help
		assert_line -n 1 --regexp '^[A-Z].*[a-z)]\.$'
	done
	run -0 "$WPROFCK" frames --help
	assert_line -n 1 'List the frames of a drain dump and say whether it is intact.'
	# wprofck help lists them without a full stop.
	run -0 "$WPROFCK" help
	refute_output --regexp '[.?!]$'$'\n''(  [a-z]|$)'
}

@test "usage errors: bad option values and bad tags end with the usage line, exit 2, in every command" {
	local args
	while IFS='|' read -r cmd args; do
		# shellcheck disable=SC2086
		run -2 wp_to "$GOT" $cmd $args
		assert_line -n 0 --regexp "^wprofck: $cmd: "
		assert_line -n -1 "$(usage_of "$cmd")"
		[ "$(fsize "$GOT")" -eq 0 ]
	done <<-EOF
		check|--min-size=abc
		check|--min-size=-1
		extract|bogus
		extract|--max-frame=12Q SOUT
		frames|--max-frame=4G
		frames|--trace-tag=toolong
		frames|--trace-tag=SOUT --chunk-tag=sout
		reassemble|--check=x
		reassemble|--chunk-tag=0x100000000
		split|--cap=0
		split|--trace-tag=WPRC
	EOF
}

@test "usage errors: a missing or an extra operand is exit 2 with the usage line in every command" {
	local cmd
	for cmd in extract salvage; do
		run -2 wp_to "$GOT" "$cmd"
		assert_line -n 0 "wprofck: $cmd: missing operand"
		assert_line -n 1 "$(usage_of "$cmd")"
	done
	run -2 wp_to "$GOT" check
	assert_line -n 1 "$(usage_of check)"
	KTSTR_SIDECAR_DIR='' run -2 wp_to "$GOT" check
	assert_line -n 1 "$(usage_of check)"
	for cmd in frames reassemble salvage split; do
		run -2 wp_to "$GOT" "$cmd" "$DRAIN" "$DRAIN"
		assert_line -n 0 "wprofck: $cmd: extra operand '$DRAIN'"
		assert_line -n 1 "$(usage_of "$cmd")"
	done
	run -2 wp_to "$GOT" extract SOUT "$DRAIN" "$DRAIN"
	assert_line -n 1 "$(usage_of extract)"
}

@test "counts in the singular: 1 artifact, 1 frame, 1 byte" {
	mkdir "$BATS_TEST_TMPDIR/one"
	cp "$TESTS/data/wprof-1s-pid1.wprof.pb" "$BATS_TEST_TMPDIR/one/"
	run -0 wp_to "$GOT" check --progress "$BATS_TEST_TMPDIR/one"
	assert_line --regexp ', 1 artifact: '
	frame_text SOUT 'x'
	run -1 wp_to "$GOT" extract SERR "$DRAIN"
	assert_output --partial "no SERR (Stderr) frame in its 1 frame;"
	run -0 wp_to "$GOT" frames "$DRAIN"
	run -0 grep -E '^  SOUT ' "$GOT"
	assert_output --regexp ' 1 frame +1 byte$'
}

@test "man: --shape is described once under check; salvage's - is a literal, not a quoted phrase" {
	run -0 awk '/^\.It Xo$/ { getline; on = ($0 == ".Cm check") }
	    on && /^\.It Fl -shape$/ { n++ } END { print n + 0 }' "$ROOT/man/wprofck.1"
	assert_output 1
	run -0 sh -c 'mandoc -Tutf8 "$1" | sed "s/.\x08//g"' sh "$ROOT/man/wprofck.1"
	assert_output --partial "may be ‘-’ for"
	refute_output --partial "‘- for"
}

# complete WORD...: the completions of the last WORD, as bash would ask
# for them, one a line.
complete_words() {
	bash -c '
		source "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_wprofck
		printf "%s\n" "${COMPREPLY[@]}"
	' sh "$COMPLETION" "$@"
}

@test "completion: commands, and help's operand" {
	run -0 complete_words wprofck ''
	assert_output "$({ commands; echo help; } | sort)"
	run -0 complete_words wprofck re
	assert_output reassemble
	run -0 complete_words wprofck -
	assert_output $'-h\n--help\n-V\n--version'
	run -0 complete_words wprofck help s
	assert_output $'salvage\nsplit'
	run -0 complete_words wprofck help check ''
	assert_output ''
}

@test "completion: each command's long options are those its --help describes" {
	local cmd n=0
	for cmd in $(commands); do
		run -0 complete_words wprofck "$cmd" --
		assert_equal "$(sed 's/=$//' <<<"$output" | sort -u)" \
		    "$(long_opts "$cmd")"
		n=$((n + 1))
	done
	[ "$n" -ge 6 ]
	run -0 complete_words wprofck check --j
	assert_output $'--json\n--junit='
	run -0 complete_words wprofck check --js
	assert_output --json
	run -0 complete_words wprofck check --min
	assert_output --min-size=
}

@test "completion: types for extract and for the tag options, the known ones of lib/tag.c" {
	local want
	# The four characters of each value of the type table, in its order.
	want=$(grep -oE '0x[0-9A-F]{8}, [01] \},' "$ROOT/lib/tag.c" |
	    cut -c3-10 | while read -r h; do printf "$(printf "%s" "$h" | sed "s/../\\\\x&/g")"; echo; done)
	[ "$(wc -l <<<"$want")" -eq 29 ]
	run -0 complete_words wprofck extract ''
	assert_output "$want"
	run -0 complete_words wprofck extract -f so
	assert_output SOUT
	run -0 complete_words wprofck frames --trace-tag wp
	assert_output $'WPRF\nWPRC'
	run -0 complete_words wprofck reassemble --chunk-tag = WPRC
	assert_output WPRC
	run -0 complete_words wprofck reassemble --check = ''
	assert_output $'shape\ndeep'
	run -0 complete_words wprofck reassemble --check=d
	assert_output deep
}

@test "completion: operands and -o complete file names" {
	mkdir "$BATS_TEST_TMPDIR/files"
	: >"$BATS_TEST_TMPDIR/files/a.wprof.pb"
	: >"$BATS_TEST_TMPDIR/files/b.drain"
	cd "$BATS_TEST_TMPDIR/files"
	run -0 complete_words wprofck check ''
	assert_output $'a.wprof.pb\nb.drain'
	run -0 complete_words wprofck extract SOUT b
	assert_output b.drain
	run -0 complete_words wprofck reassemble -o a
	assert_output a.wprof.pb
	run -0 complete_words wprofck frames --max-frame ''
	assert_output ''
	# After --, even a word with a dash is a file.
	: >"$BATS_TEST_TMPDIR/files/-odd"
	run -0 complete_words wprofck check -- -o
	assert_output -- -odd
}

@test "install puts the completion where bash-completion looks, uninstall removes it" {
	local d=$BATS_TEST_TMPDIR/dest pc=$BATS_TEST_TMPDIR/pc
	# pkg-config as it is, but for the one question, answered by $PC_DIR.
	cat >"$pc" <<-'EOF'
		#!/bin/sh
		if [ "$1" = --variable=completionsdir ]; then
			[ "$2" = bash-completion ] && [ -n "$PC_DIR" ] &&
			    echo "$PC_DIR"
			exit
		fi
		exec pkg-config "$@"
	EOF
	chmod +x "$pc"
	export PC_DIR=/pc/completions
	run -0 make -s -C "$ROOT" B="$B" DESTDIR="$d" PREFIX=/usr PKG_CONFIG="$pc" install
	cmp "$COMPLETION" "$d/pc/completions/wprofck"
	[ -x "$d/usr/bin/wprofck" ]
	run -0 make -s -C "$ROOT" B="$B" DESTDIR="$d" PREFIX=/usr PKG_CONFIG="$pc" uninstall
	[ ! -e "$d/pc/completions/wprofck" ] && [ ! -e "$d/usr/bin/wprofck" ]
	# Without bash-completion's .pc file: under PREFIX.
	PC_DIR=
	run -0 make -s -C "$ROOT" B="$B" DESTDIR="$d" PREFIX=/opt/w PKG_CONFIG="$pc" install
	cmp "$COMPLETION" "$d/opt/w/share/bash-completion/completions/wprofck"
	run -0 make -s -C "$ROOT" B="$B" DESTDIR="$d" PREFIX=/opt/w PKG_CONFIG="$pc" uninstall
	[ ! -e "$d/opt/w/share/bash-completion/completions/wprofck" ]
}

@test "make demo: a real trace split into a drain, its frames, reassembled, the same bytes, checked" {
	local san=
	if grep -qa -e __asan_init -e __ubsan_handle "$WPROFCK" 2>/dev/null; then
		san=1
	fi
	run -0 make -s -C "$ROOT" B="$B" SANITIZE="$san" demo-run
	assert_line --regexp '^\$ .*/wprofck split --cap 128K -o .*/demo/wprof\.drain tests/data/wprof-500ms-sha256sum\.wprof\.pb$'
	assert_line --regexp '^\$ .*/wprofck frames .*/demo/wprof\.drain$'
	assert_line 'reassemble: trace of 488369 bytes from 3 chunks + terminal'
	assert_line --regexp '^\$ cmp tests/data/wprof-500ms-sha256sum\.wprof\.pb .*/demo/sha256sum-0123456789abcdef\.wprof\.pb$'
	assert_line --regexp '^ok +477K +9964 +497\.0 ms +.*/demo/sha256sum-0123456789abcdef\.wprof\.pb$'
	refute_output --partial 'sample.drain'
	run -0 grep -c '^(exit 0)$' <<<"$output"
	assert_output 5
	# The README says what it does.
	run -0 grep -A3 '^    make demo ' "$ROOT/README.md"
	assert_output --partial 'wprof-500ms-sha256sum.wprof.pb'
	assert_output --partial 'into a drain, lists its frames, reassembles it, compares'
}

@test "what check cannot see: single-byte changes that pass, measured by tests/flips.sh; quoted alike" {
	local trace=$TESTS/data/wprof-500ms-sha256sum.wprof.pb
	run -0 sh "$TESTS/flips.sh" "$(dirname "$WPROFCK")" "$trace" 40 17
	assert_output --regexp '^[0-9]+ of 40 single-byte changes of .* passed check \([0-9]+ failed, 0 trouble; seed 17\)$'
	local passed=${output%% *} failed
	failed=${output#*(}
	failed=${failed%% *}
	[ "$((passed + failed))" -eq 40 ]
	# The caveat holds: some changes pass, and check sees most.
	[ "$passed" -ge 1 ] && [ "$failed" -gt "$passed" ]
	# The README and the manual say so, with the same number.
	run -0 grep -c '262 passed' "$ROOT/README.md" "$ROOT/man/wprofck.1"
	assert_line --regexp 'README\.md:1$'
	assert_line --regexp 'wprofck\.1:1$'
	run -0 sh -c 'mandoc -Tutf8 "$1" | sed "s/.\x08//g"' sh "$ROOT/man/wprofck.1"
	assert_output --partial 'What check cannot see'
	assert_output --partial 'sha256sum(1)'
	run -0 grep -x '## What check cannot see' "$ROOT/README.md"
}
