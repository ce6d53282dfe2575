#!/usr/bin/env bats
# Tags and type names on the command line: the four letters of a known type
# and the ktstr names match in any case everywhere; an unknown name is a
# usage error listing the known types.

load common

setup() {
	new_drain
	GOT=$BATS_TEST_TMPDIR/stdout
	# Types given as numbers, so the dump does not depend on the parser
	# under test: SOUT, SCLG, DMSG, and 'abcd' and 'ABCD'.
	frame_text 0x534F5554 'out one;'
	frame_text 0x53434C47 'sched log'
	frame_text 0x534F5554 'out two'
	frame_text 0x444D5347 'kernel says'
	frame_text 0x61626364 'lower'
	frame_text 0x41424344 'upper'
}

@test "extract: SOUT, sout, Sout, stdout and STDOUT are the same type" {
	local tag
	for tag in SOUT sout Sout sOuT stdout STDOUT Stdout; do
		run -0 wp_to "$GOT" extract "$tag" "$DRAIN"
		assert_output ''
		run -0 cat "$GOT"
		assert_output 'out one;out two'
	done
}

@test "extract: sclg and schedlog, dmsg and DMESG" {
	local tag
	for tag in sclg Sclg schedlog SCHEDLOG; do
		run -0 wp_to "$GOT" extract "$tag" "$DRAIN"
		run -0 cat "$GOT"
		assert_output 'sched log'
	done
	for tag in dmsg DMESG dmesg; do
		run -0 wp_to "$GOT" extract "$tag" "$DRAIN"
		run -0 cat "$GOT"
		assert_output 'kernel says'
	done
}

@test "extract: an unknown four-letter tag keeps its case" {
	run -0 wp_to "$GOT" extract abcd "$DRAIN"
	run -0 cat "$GOT"
	assert_output 'lower'
	run -0 wp_to "$GOT" extract ABCD "$DRAIN"
	run -0 cat "$GOT"
	assert_output 'upper'
}

@test "an unknown name is a usage error that lists the known types" {
	local tag
	for tag in stdot Bogus x StdoutX; do
		run -2 wp_to "$GOT" extract "$tag" "$DRAIN"
		assert_line -n 0 "wprofck: extract: tag: '$tag': unknown type; want a number, or one of WPRF WPRC STIM STEN SCST SCPP SCRR SCEN EXIT TEST SCDX CRSH PMET RAWO PRAW SNRQ SNRP SRDY SOUT SERR SCLG LIFE KADR EXCX DMSG PROB SCSW KORQ KORP or its ktstr name (wprofck(1)), in any case"
		assert_line --partial 'usage: wprofck extract '
		[ "$(fsize "$GOT")" -eq 0 ]
	done
}

@test "--trace-tag and --chunk-tag take known tags in any case" {
	local p=$BATS_TEST_TMPDIR/p
	randfile "$p" 3000
	run -0 wp_to "$BATS_TEST_TMPDIR/split" split --cap 1000 \
	    --trace-tag sout --chunk-tag sErR "$p"
	# Two chunks typed SERR, then a terminal typed SOUT, by the header
	# bytes themselves (little-endian: RRES, TUOS).
	run -0 hexdump_of "$BATS_TEST_TMPDIR/split" 0 4
	assert_output '52 52 45 53'
	run -0 hexdump_of "$BATS_TEST_TMPDIR/split" 2032 4
	assert_output '54 55 4f 53'
	run -0 wp_to "$GOT" reassemble --trace-tag SOUT --chunk-tag serr \
	    "$BATS_TEST_TMPDIR/split"
	cmp "$p" "$GOT"
	run -0 wp_to "$GOT" frames --trace-tag Sout --chunk-tag SERR \
	    "$BATS_TEST_TMPDIR/split"
	run -0 grep -x 'reassemble: trace of 3000 bytes from 2 chunks + terminal' "$GOT"
}
