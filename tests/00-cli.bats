#!/usr/bin/env bats
# The command line: help, version, unknown commands and options, the
# "wprofck: CMD: " prefix on every message, and option values (tags and
# sizes), which are usage errors naming the option.

load common

setup() {
	new_drain
	GOT=$BATS_TEST_TMPDIR/stdout
}

# The commands the dispatcher knows, typed in again here.
COMMANDS="check extract frames reassemble split"

@test "--help: the usage line, each command with what it does, on stdout, exit 0" {
	local cmd
	run -0 wp_to "$GOT" --help
	assert_output ''
	run -0 cat "$GOT"
	assert_line -n 0 'usage: wprofck [-hV] command [argument ...]'
	assert_line 'Commands:'
	for cmd in $COMMANDS; do
		assert_line --regexp "^  $cmd +[a-z].{20,}\$"
	done
	assert_line --regexp '^  reassemble +rebuild the wprof trace from a drain dump$'
	assert_line --regexp '^  -h, --help +print this help and exit$'
	assert_line --regexp '^  -V, --version +print the version and exit$'
	assert_output --partial 'wprofck(1)'
	assert_output --partial "'wprofck help command'"
	[ "$(awk 'length > 79' "$GOT")" = '' ]
}

@test "-h and help print the same as --help" {
	run -0 "$WPROFCK" --help
	want=$output
	run -0 "$WPROFCK" -h
	assert_output "$want"
	run -0 "$WPROFCK" help
	assert_output "$want"
}

@test "help reassemble: its synopsis, what it does, every option with a line, the manual" {
	run -0 wp_to "$GOT" help reassemble
	assert_output ''
	run -0 cat "$GOT"
	assert_line -n 0 'usage: wprofck reassemble [-fq] [-o out] [--sync] [--max-frame size] [--trace-tag tag] [--chunk-tag tag] [--check[=shape|deep]] [--junit file] [--salvage] [--progress | --no-progress] [dump]'
	assert_line -n 1 'Rebuild the wprof trace from a drain dump.'
	assert_line -n 2 'Options:'
	assert_line --regexp '^  -f, --force +write binary data to a terminal too$'
	assert_line --regexp '^  -q, --quiet +nothing on success; failures still reported$'
	assert_line --regexp '^  -o, --output=out +write to out atomically \(- is standard output\)$'
	assert_line --regexp '^  --sync +fsync '
	assert_line --regexp '^  --max-frame=size +.*16M'
	assert_line --regexp '^  --trace-tag=tag +.*WPRF'
	assert_line --regexp '^  --chunk-tag=tag +.*WPRC'
	assert_line --regexp '^  --check\[=shape\|deep\] +.*deep by default'
	assert_line --regexp '^  --progress +[a-z]'
	assert_line --regexp '^  --no-progress +[a-z]'
	assert_line --regexp '^  -h, --help +print this help and exit$'
	assert_line --regexp 'wprofck\(1\).*man wprofck$'
	[ "$(tail -n +2 "$GOT" | awk 'length > 79')" = '' ]
}

@test "CMD --help and CMD -h print what help CMD prints, for every command" {
	local cmd
	for cmd in $COMMANDS; do
		run -0 "$WPROFCK" help "$cmd"
		assert_line -n 0 --regexp "^usage: wprofck $cmd "
		assert_line 'Options:'
		want=$output
		run -0 "$WPROFCK" "$cmd" --help
		assert_output "$want"
		run -0 "$WPROFCK" "$cmd" -h
		assert_output "$want"
	done
}

@test "help of an unknown command: exit 2 naming it, then the usage line" {
	run -2 wp_to "$GOT" help frobnicate
	assert_line -n 0 'wprofck: help: no such command: frobnicate'
	assert_line -n 1 'usage: wprofck [-hV] command [argument ...]'
	[ "$(fsize "$GOT")" -eq 0 ]
}

@test "help with two commands: extra operand, exit 2" {
	run -2 wp_to "$GOT" help check split
	assert_line -n 0 "wprofck: help: extra operand 'split'"
	[ "$(fsize "$GOT")" -eq 0 ]
}

@test "--version and -V: wprofck and a version number on stdout" {
	run -0 wp_to "$GOT" --version
	assert_output ''
	run -0 cat "$GOT"
	assert_output --regexp '^wprofck [0-9]+\.[0-9]+(\.[0-9]+)?$'
	run -0 "$WPROFCK" -V
	assert_output --regexp '^wprofck [0-9]+\.[0-9]+(\.[0-9]+)?$'
}

@test "no command: usage on stderr, exit 2" {
	run -2 wp_to "$GOT" </dev/null
	assert_line -n 0 'usage: wprofck [-hV] command [argument ...]'
	assert_line -n 1 "'wprofck help' lists the commands."
	[ "$(fsize "$GOT")" -eq 0 ]
}

@test "an unknown command: exit 2 naming it, then the usage line" {
	run -2 wp_to "$GOT" frobnicate
	assert_line -n 0 'wprofck: no such command: frobnicate'
	assert_line -n 1 'usage: wprofck [-hV] command [argument ...]'
	[ "${#lines[@]}" -eq 2 ]
	[ "$(fsize "$GOT")" -eq 0 ]
}

@test "an unknown global option: getopt's message with the wprofck prefix, then the usage line" {
	run -2 wp_to "$GOT" --frobnicate
	assert_line -n 0 "wprofck: unrecognized option '--frobnicate'"
	assert_line -n 1 'usage: wprofck [-hV] command [argument ...]'
	run -2 wp_to "$GOT" -x
	assert_line -n 0 "wprofck: invalid option -- 'x'"
	[ "$(fsize "$GOT")" -eq 0 ]
}

@test "reassemble: an unknown option: wprofck: reassemble: first, then its usage line, exit 2" {
	run -2 wp_to "$GOT" reassemble --frobnicate "$DRAIN"
	assert_line -n 0 "wprofck: reassemble: unrecognized option '--frobnicate'"
	assert_line -n 1 --regexp '^usage: wprofck reassemble \[-fq\] '
	assert_line -n 1 --partial ' [--check[=shape|deep]] '
	[ "${#lines[@]}" -eq 2 ]
	[ "$(fsize "$GOT")" -eq 0 ]
}

@test "getopt's messages carry the command: invalid, ambiguous, missing argument" {
	run -2 wp_to "$GOT" check -j
	assert_line -n 0 "wprofck: check: invalid option -- 'j'"
	assert_line -n 1 --regexp '^usage: wprofck check '
	run -2 wp_to "$GOT" reassemble --ch x "$DRAIN"
	assert_line -n 0 --regexp "^wprofck: reassemble: option '--ch' is ambiguous"
	run -2 wp_to "$GOT" split -o
	assert_line -n 0 "wprofck: split: option requires an argument -- 'o'"
	run -2 wp_to "$GOT" frames --json=yes
	assert_line -n 0 "wprofck: frames: option '--json' doesn't allow an argument"
	run -2 wp_to "$GOT" extract --max-frame
	assert_line -n 0 "wprofck: extract: option '--max-frame' requires an argument"
}

@test "the prefix is wprofck whatever the program is called" {
	ln -s "$WPROFCK" "$BATS_TEST_TMPDIR/other-name"
	run -2 "$BATS_TEST_TMPDIR/other-name" reassemble --max-frame 12Q "$DRAIN"
	assert_line -n 0 "wprofck: reassemble: --max-frame: '12Q': not a size (bytes, or a number with K, M or G)"
	assert_line -n 1 --partial 'usage: wprofck reassemble '
	run -2 "$BATS_TEST_TMPDIR/other-name" frobnicate
	assert_line -n 0 'wprofck: no such command: frobnicate'
}

@test "reassemble: two operands are a usage error, exit 2" {
	run -2 wp_to "$GOT" reassemble "$DRAIN" "$DRAIN"
	assert_output --partial 'usage: wprofck reassemble '
}

@test "reassemble: -o without a value is a usage error, exit 2" {
	run -2 wp_to "$GOT" reassemble -o
	assert_output --partial 'usage: wprofck reassemble '
}

@test "--max-frame: bad sizes are usage errors naming the option" {
	local v
	for v in 12Q abc -1 '' 4KB 1.5M 0x; do
		run -2 wp_to "$GOT" reassemble --max-frame "$v" "$DRAIN"
		assert_output --partial 'wprofck: reassemble: --max-frame'
		[ "$(fsize "$GOT")" -eq 0 ]
	done
}

@test "--max-frame: a cap beyond a 32-bit length is refused" {
	run -2 wp_to "$GOT" reassemble --max-frame 5G "$DRAIN"
	assert_output --partial 'wprofck: reassemble: --max-frame'
}

@test "--trace-tag: bad tags are usage errors naming the option" {
	local v
	for v in TOOLONG ABC '' 0x1FFFFFFFF 4294967296 12Q; do
		run -2 wp_to "$GOT" reassemble --trace-tag "$v" "$DRAIN"
		assert_output --partial 'wprofck: reassemble: --trace-tag'
	done
}

@test "--chunk-tag: bad tags are usage errors naming the option" {
	local v
	for v in 0x1FFFFFFFF TOOLONG "$(printf 'AB\001C')"; do
		run -2 wp_to "$GOT" reassemble --chunk-tag "$v" "$DRAIN"
		assert_output --partial 'wprofck: reassemble: --chunk-tag'
	done
}

@test "--trace-tag equal to --chunk-tag is refused" {
	run -2 wp_to "$GOT" reassemble --trace-tag WPRC "$DRAIN"
	assert_line -n 0 'wprofck: reassemble: --trace-tag and --chunk-tag must differ'
	assert_line -n 1 --partial 'usage: wprofck reassemble '
	run -2 wp_to "$GOT" reassemble --trace-tag wprc "$DRAIN"
	assert_line -n 0 'wprofck: reassemble: --trace-tag and --chunk-tag must differ'
}

@test "sizes take plain bytes and K, M, G suffixes (1024-based)" {
	local spec n
	for spec in 4096:4096 4K:4096 1M:1048576 1G:1073741824 \
	    3G:3221225472 1048576:1048576; do
		n=${spec#*:}
		new_drain
		frame_text WPRF x -l $((n + 1))
		run -1 wp_to "$GOT" reassemble --max-frame "${spec%%:*}" "$DRAIN"
		assert_line -n 0 "wprofck: reassemble: $DRAIN: no trace: no WprofTrace frame (oversized frame at offset 0: length $((n + 1)) over the cap $n; 0 complete frames in 0 bytes, 0 chunks, 0 trace bytes); no .pb written"
	done
}

@test "a suffixed cap admits a frame of exactly that size" {
	randfile "$BATS_TEST_TMPDIR/p" 4096
	frame WPRF "$BATS_TEST_TMPDIR/p"
	run -0 wp_to "$GOT" reassemble --max-frame 4K "$DRAIN"
	cmp "$BATS_TEST_TMPDIR/p" "$GOT"
}
