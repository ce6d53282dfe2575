#!/usr/bin/env bats
# wprofck split: a trace into the frames the guest sends (spec section 2),
# checked against frames built slice by slice with mkframe, which computes
# the CRC with zlib itself, and round-tripped through reassemble.

load common
load frames_helpers

MIB16=16777216

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	randfile "$P/base" $((3 * 4096 + 1)) 7
	# About 33 MiB: two chunks of 16 MiB and a 1 MiB terminal.
	randfile "$P/big" $((33 << 20)) 9
	expect_split "$P/big" $((33 << 20)) $MIB16 "$P/big.exp"
	printf 'abcdefghijklmno' >"$P/abc"
}

setup() {
	OUT=$BATS_TEST_TMPDIR/out
	GOT=$BATS_TEST_TMPDIR/got
	EXP=$BATS_TEST_TMPDIR/exp
	IN=$BATS_TEST_TMPDIR/in
	ALL=$BATS_TEST_TMPDIR/all
	LIST=$BATS_TEST_TMPDIR/list
	K=0
	: >"$LIST"
}

# round_trip BYTES CAP [SRC]: splits the first BYTES of SRC at CAP, checks
# the frames byte for byte against expect_split and that reassemble gives
# the input back. Keeps the frames as got.K, K counting the calls, and
# appends their list to $LIST.
round_trip() {
	local b=$1 cap=$2 src=${3:-$P/base}
	local got=$BATS_TEST_TMPDIR/got.$((K += 1)) out=$BATS_TEST_TMPDIR/out.$K
	head -c "$b" "$src" >"$IN"
	run -0 wp_to "$got" split --cap "$cap" "$IN"
	assert_output ''
	expect_split "$IN" "$b" "$cap" "$EXP"
	cmp "$EXP" "$got"
	expect_list "$b" "$cap" >>"$LIST"
	if [ "$b" -eq 0 ]; then
		run -1 "$WPROFCK" reassemble -o "$out" "$got"
		assert_output --partial 'empty trace'
		assert [ ! -e "$out" ]
		return
	fi
	run -0 "$WPROFCK" reassemble -o "$out" "$got"
	cmp "$IN" "$out"
}

# frames_list: what frames --json says of all got.K in a row is $LIST, a
# clean walk.
frames_list() {
	local k files=()
	for ((k = 1; k <= K; k++)); do
		files+=("$BATS_TEST_TMPDIR/got.$k")
	done
	cat "${files[@]}" >"$ALL"
	echo "end $(grep -c . "$LIST") clean 0 0" >>"$LIST"
	run -0 wp_to "$BATS_TEST_TMPDIR/json" frames --json "$ALL"
	run -0 jq -r 'if .summary then
	    "end \(.frames) \(.end) \(.bad_crc) \(.nonzero_pad)"
	    else "\(.tag) \(.length)" end' "$BATS_TEST_TMPDIR/json"
	assert_output "$(cat "$LIST")"
}

# sizes CAP: 0, 1, cap-1, cap, cap+1, 3*cap, 3*cap+1.
sizes() {
	echo 0 1 $(($1 - 1)) "$1" $(($1 + 1)) $((3 * $1)) $((3 * $1 + 1))
}

@test "split --cap 1: every size round-trips and the frames are exact" {
	for b in $(sizes 1); do
		round_trip "$b" 1
	done
	frames_list
}

@test "split --cap 7: every size round-trips and the frames are exact" {
	for b in $(sizes 7); do
		round_trip "$b" 7
	done
	frames_list
}

@test "split --cap 4096: every size round-trips and the frames are exact; 4K is 4096" {
	for b in $(sizes 4096); do
		round_trip "$b" 4096
	done
	frames_list
	run -0 wp_to "$GOT" split --cap 4K "$P/base"
	cmp "$BATS_TEST_TMPDIR/got.7" "$GOT"
}

@test "split, default cap: 33 MiB is two 16 MiB chunks and a 1 MiB terminal" {
	run -0 wp_to "$GOT" split "$P/big"
	cmp "$P/big.exp" "$GOT"
	run -0 hexdump_of "$GOT" 0 8
	assert_output '43 52 50 57 00 00 00 01'
	run -0 hexdump_of "$GOT" $((MIB16 + 16)) 8
	assert_output '43 52 50 57 00 00 00 01'
	run -0 hexdump_of "$GOT" $((2 * (MIB16 + 16))) 8
	assert_output '46 52 50 57 00 00 10 00'
	run -0 "$WPROFCK" reassemble -o "$OUT" "$GOT"
	cmp "$P/big" "$OUT"
}

@test "split, default cap: 16 MiB is one terminal; 16 MiB + 1 from a pipe is a chunk and a 1-byte terminal" {
	round_trip $MIB16 $MIB16 "$P/big"
	head -c $((MIB16 + 1)) "$P/big" >"$IN"
	run -0 wp_pipe "$IN" "$GOT" split
	head -c $((MIB16 + 16)) "$P/big.exp" >"$EXP"
	tail -c 1 "$IN" | "$MKFRAME" >>"$EXP"
	cmp "$EXP" "$GOT"
}

@test "split: the headers byte by byte, with CRCs from gzip; an empty trace" {
	# abcdefg | hijklmn | o at cap 7: two chunks and a 1-byte terminal.
	printf 'abcdefg' >"$BATS_TEST_TMPDIR/s0"
	printf 'hijklmn' >"$BATS_TEST_TMPDIR/s1"
	printf 'o' >"$BATS_TEST_TMPDIR/s2"
	c0=$(le32hex_bytes "$(crc_of "$BATS_TEST_TMPDIR/s0")")
	c1=$(le32hex_bytes "$(crc_of "$BATS_TEST_TMPDIR/s1")")
	c2=$(le32hex_bytes "$(crc_of "$BATS_TEST_TMPDIR/s2")")
	run -0 wp_to "$GOT" split --cap 7 "$P/abc"
	run -0 hexdump_of "$GOT"
	assert_output "43 52 50 57 07 00 00 00 $c0 00 00 00 00 61 62 63 64 65 66 67 43 52 50 57 07 00 00 00 $c1 00 00 00 00 68 69 6a 6b 6c 6d 6e 46 52 50 57 01 00 00 00 $c2 00 00 00 00 6f"
	# An empty trace is one empty terminal, CRC 0, from a file or a pipe.
	: >"$IN"
	run -0 wp_to "$GOT" split "$IN"
	run -0 hexdump_of "$GOT"
	assert_output '46 52 50 57 00 00 00 00 00 00 00 00 00 00 00 00'
	run -0 wp_pipe /dev/null "$GOT" split --cap 4096
	run -0 hexdump_of "$GOT"
	assert_output '46 52 50 57 00 00 00 00 00 00 00 00 00 00 00 00'
}

@test "split from standard input, a pipe, - and a pipe written 1000 bytes at a time" {
	expect_split "$P/base" 12289 4096 "$EXP"
	run -0 wp_in "$P/base" "$GOT" split --cap 4096
	cmp "$EXP" "$GOT"
	run -0 wp_pipe "$P/base" "$GOT" split --cap 4096 -
	cmp "$EXP" "$GOT"
	run -0 wp_dribble 1000 "$P/base" "$GOT" split --cap 4096
	cmp "$EXP" "$GOT"
}

@test "split holds a 16 MiB slice in bounded memory" {
	mem_limit_ok 12000 || skip "wprofck does not start under ulimit -v"
	run -0 wp_limited 12000 "$GOT" split "$P/big"
	cmp "$P/big.exp" "$GOT"
}

@test "split --trace-tag and --chunk-tag, as characters and as numbers" {
	expect_split "$P/base" 12289 4096 "$EXP" ABCE ABCD
	run -0 wp_to "$GOT" split --cap 4096 --trace-tag ABCD \
	    --chunk-tag 0x41424345 "$P/base"
	cmp "$EXP" "$GOT"
	run -0 "$WPROFCK" reassemble --trace-tag ABCD --chunk-tag ABCE \
	    -o "$OUT" "$GOT"
	cmp "$P/base" "$OUT"
	# Numbers in decimal too: 1129336131 is 0x43504D43, "CPMC".
	assert_equal $((0x43504D43)) 1129336131
	expect_split "$P/abc" 15 7 "$EXP" CPMC WPRF
	run -0 wp_to "$GOT" split --cap 7 --chunk-tag 1129336131 "$P/abc"
	cmp "$EXP" "$GOT"
}

@test "split: bad option values are usage errors naming the option, nothing written" {
	run -2 wp_to "$GOT" split --cap 0 "$P/abc"
	assert_line -n 0 "wprofck: split: --cap: '0': out of range (1 to 4294967295 bytes)"
	run -2 wp_to "$GOT" split --cap 12Q "$P/abc"
	assert_line -n 0 "wprofck: split: --cap: '12Q': not a size (bytes, or a number with K, M or G)"
	run -2 wp_to "$GOT" split --cap 4G "$P/abc"
	assert_output --partial "wprofck: split: --cap: '4G': out of range"
	run -2 wp_to "$GOT" split --trace-tag ABCDE "$P/abc"
	assert_line -n 0 "wprofck: split: --trace-tag: 'ABCDE': not four characters or a number"
	run -2 wp_to "$GOT" split --chunk-tag 0x100000000 "$P/abc"
	assert_line -n 0 "wprofck: split: --chunk-tag: '0x100000000': over 0xffffffff"
	run -2 wp_to "$GOT" split --trace-tag WPRC "$P/abc"
	assert_line -n 0 'wprofck: split: --trace-tag and --chunk-tag must differ'
	assert_equal "$(fsize "$GOT")" 0
}

@test "split refuses to write to a terminal without -f; -f and -o write" {
	run -2 script -qec "$(printf '%q ' "$WPROFCK" split "$P/abc")" /dev/null </dev/null
	assert_output --partial 'wprofck: split: refusing to write binary data to a terminal; use -o or -f'
	refute_output --partial 'abc'
	run -0 script -qec "$(printf '%q ' "$WPROFCK" split -f "$P/abc")" /dev/null </dev/null
	assert_output --partial 'FRPW'
	assert_output --partial 'abcdefghijklmno'
	run -0 script -qec "$(printf '%q ' "$WPROFCK" split -o "$OUT" "$P/abc")" /dev/null </dev/null
	assert_output ''
	expect_split "$P/abc" 15 $MIB16 "$EXP"
	cmp "$EXP" "$OUT"
}

@test "split -o: writes the file by rename over the old one, leaves no temporary file" {
	mkdir "$BATS_TEST_TMPDIR/d"
	run -0 "$WPROFCK" split --cap 4096 -o "$BATS_TEST_TMPDIR/d/out" "$P/base"
	assert_output ''
	expect_split "$P/base" 12289 4096 "$EXP"
	cmp "$EXP" "$BATS_TEST_TMPDIR/d/out"
	run -0 ls_dir "$BATS_TEST_TMPDIR/d"
	assert_output 'out'
	ino=$(stat -c %i "$BATS_TEST_TMPDIR/d/out")
	run -0 "$WPROFCK" split --cap 7 -o "$BATS_TEST_TMPDIR/d/out" "$P/abc"
	expect_split "$P/abc" 15 7 "$EXP"
	cmp "$EXP" "$BATS_TEST_TMPDIR/d/out"
	refute [ "$(stat -c %i "$BATS_TEST_TMPDIR/d/out")" = "$ino" ]
	run -0 ls_dir "$BATS_TEST_TMPDIR/d"
	assert_output 'out'
}

@test "split -o: a read error keeps the old file, the input itself is refused, devices stay devices" {
	mkdir "$BATS_TEST_TMPDIR/d" "$BATS_TEST_TMPDIR/notafile"
	echo old >"$BATS_TEST_TMPDIR/d/out"
	run -2 "$WPROFCK" split -o "$BATS_TEST_TMPDIR/d/out" "$BATS_TEST_TMPDIR/notafile"
	assert_output "wprofck: split: $BATS_TEST_TMPDIR/notafile: read: Is a directory"
	run -0 cat "$BATS_TEST_TMPDIR/d/out"
	assert_output old
	run -0 ls_dir "$BATS_TEST_TMPDIR/d"
	assert_output 'out'

	cp "$P/abc" "$IN"
	run -2 "$WPROFCK" split -o "$IN" "$IN"
	assert_output "wprofck: split: $IN: is the input; refusing to overwrite it"
	cmp "$P/abc" "$IN"

	run -0 "$WPROFCK" split -o /dev/null "$P/abc"
	assert_output ''
	assert_equal "$(stat -c '%F %t:%T' /dev/null)" 'character special file 1:3'
	run -2 wp_to /dev/full split "$P/abc"
	assert_output 'wprofck: split: (standard output): write: No space left on device'
	run -2 "$WPROFCK" split -o /dev/full "$P/abc"
	assert_output 'wprofck: split: /dev/full: write: No space left on device'
	assert_equal "$(stat -c '%F %t:%T' /dev/full)" 'character special file 1:7'
}

@test "split: a missing input, two operands, an unknown option" {
	run -2 "$WPROFCK" split -o "$OUT" "$BATS_TEST_TMPDIR/nope"
	assert_output "wprofck: split: $BATS_TEST_TMPDIR/nope: No such file or directory"
	assert [ ! -e "$OUT" ]
	run -2 wp_to "$GOT" split "$P/abc" "$P/abc"
	assert_line --index 0 --regexp "^wprofck: (split: )?extra operand '$P/abc'\$"
	assert_line --index 1 --regexp '^usage: wprofck split '
	run -2 wp_to "$GOT" split --bogus "$P/abc"
	assert_output --partial 'usage: wprofck split '
	assert_equal "$(fsize "$GOT")" 0
}
