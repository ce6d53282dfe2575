#!/usr/bin/env bats
# The command line: help, version, unknown commands and options, and option
# values (tags and sizes), which are usage errors naming the option.

load common

setup() {
	new_drain
	GOT=$BATS_TEST_TMPDIR/stdout
}

@test "--help: usage of every command on stdout, exit 0" {
	run -0 wp_to "$GOT" --help
	assert_output ''
	run -0 cat "$GOT"
	assert_line -n 0 --regexp '^usage: wprofck '
	assert_line --regexp '^ +wprofck reassemble \['
	assert_line --regexp '^ +wprofck check( |$)'
}

@test "-h and help print the same as --help" {
	run -0 "$WPROFCK" --help
	want=$output
	run -0 "$WPROFCK" -h
	assert_output "$want"
	run -0 "$WPROFCK" help
	assert_output "$want"
}

@test "help reassemble: its synopsis, every option in it" {
	run -0 wp_to "$GOT" help reassemble
	assert_output ''
	run -0 cat "$GOT"
	assert_line -n 0 --regexp '^usage: wprofck reassemble '
	assert_output --regexp '\[-fq\]'
	assert_output --partial '[-o '
	assert_output --partial '[--max-frame '
	assert_output --partial '[--trace-tag '
	assert_output --partial '[--chunk-tag '
	assert_output --partial '[--check'
	assert_output --regexp '\[dump\]|\[DUMP\]'
}

@test "reassemble --help and -h print what help reassemble prints" {
	run -0 "$WPROFCK" help reassemble
	want=$output
	run -0 "$WPROFCK" reassemble --help
	assert_output "$want"
	run -0 "$WPROFCK" reassemble -h
	assert_output "$want"
}

@test "help check and check --help print the check synopsis" {
	run -0 "$WPROFCK" help check
	assert_line -n 0 --regexp '^usage: wprofck check '
	want=$output
	run -0 "$WPROFCK" check --help
	assert_output "$want"
}

@test "help of an unknown command: exit 2" {
	run -2 wp_to "$GOT" help frobnicate
	assert_output --partial 'frobnicate'
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
	assert_line -n 0 --regexp '^usage: wprofck '
	[ "$(fsize "$GOT")" -eq 0 ]
}

@test "an unknown command: exit 2 naming it" {
	run -2 wp_to "$GOT" frobnicate
	assert_line -n 0 'wprofck: no such command: frobnicate'
	[ "$(fsize "$GOT")" -eq 0 ]
}

@test "an unknown global option: exit 2" {
	run -2 wp_to "$GOT" --frobnicate
	assert_output --partial 'usage: wprofck '
	[ "$(fsize "$GOT")" -eq 0 ]
}

@test "reassemble: an unknown option is a usage error, exit 2" {
	run -2 wp_to "$GOT" reassemble --frobnicate "$DRAIN"
	assert_output --partial 'usage: wprofck reassemble '
	[ "$(fsize "$GOT")" -eq 0 ]
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
		assert_output --partial 'wprofck: --max-frame'
		[ "$(fsize "$GOT")" -eq 0 ]
	done
}

@test "--max-frame: a cap beyond a 32-bit length is refused" {
	run -2 wp_to "$GOT" reassemble --max-frame 5G "$DRAIN"
	assert_output --partial 'wprofck: --max-frame'
}

@test "--trace-tag: bad tags are usage errors naming the option" {
	local v
	for v in TOOLONG ABC '' 0x1FFFFFFFF 4294967296 12Q; do
		run -2 wp_to "$GOT" reassemble --trace-tag "$v" "$DRAIN"
		assert_output --partial 'wprofck: --trace-tag'
	done
}

@test "--chunk-tag: bad tags are usage errors naming the option" {
	local v
	for v in 0x1FFFFFFFF TOOLONG "$(printf 'AB\001C')"; do
		run -2 wp_to "$GOT" reassemble --chunk-tag "$v" "$DRAIN"
		assert_output --partial 'wprofck: --chunk-tag'
	done
}

@test "--trace-tag equal to --chunk-tag is refused" {
	run -2 wp_to "$GOT" reassemble --trace-tag WPRC "$DRAIN"
	assert_output --partial -- '--trace-tag'
}

@test "sizes take plain bytes and K, M, G suffixes (1024-based)" {
	local spec n
	for spec in 4096:4096 4K:4096 1M:1048576 1G:1073741824 \
	    3G:3221225472 1048576:1048576; do
		n=${spec#*:}
		new_drain
		frame_text WPRF x -l $((n + 1))
		run -1 wp_to "$GOT" reassemble --max-frame "${spec%%:*}" "$DRAIN"
		assert_output "wprofck: $DRAIN: no trace: no WprofTrace frame (oversized frame at offset 0: length $((n + 1)) over the cap $n; 0 complete frames in 0 bytes, 0 chunks, 0 trace bytes); no .pb written"
	done
}

@test "a suffixed cap admits a frame of exactly that size" {
	randfile "$BATS_TEST_TMPDIR/p" 4096
	frame WPRF "$BATS_TEST_TMPDIR/p"
	run -0 wp_to "$GOT" reassemble --max-frame 4K "$DRAIN"
	cmp "$BATS_TEST_TMPDIR/p" "$GOT"
}
