#!/usr/bin/env bats
# wprofck reassemble: spec sections 1 (the frame walk), 2 (the reassembly
# rules) and 4 (writing the output). Every dump is built here with mkframe;
# every expected trace is the concatenation of the payloads fed in.

load common

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	randfile "$P/c1" 4096 1
	randfile "$P/c2" 4096 2
	randfile "$P/c3" 4096 3
	randfile "$P/t" 1000 4
	cat "$P/c1" "$P/c2" "$P/c3" "$P/t" >"$P/trace"
	randfile "$P/big1" 1048576 11
	randfile "$P/big2" 1048576 12
	randfile "$P/p4096" 4096 21
	randfile "$P/p4097" 4097 22
	randfile "$P/p16m" 16777216 23
	{ cat "$P/p16m"; printf x; } >"$P/p16m1"
	: >"$P/empty"
	printf 'hello' >"$P/hello"
	# --check: 700 records of 7 bytes pass, 585 are 4095 bytes (too
	# small), and the good one with a leading 0x0b fails on that byte.
	mktrace "$P/good.pb" 700
	mktrace "$P/small.pb" 585
	mktrace "$P/lead0b.pb" 700 013
	new_drain "$P/good.drain"
	frame_text SOUT 'guest: wprof on'
	frame WPRC "$P/c1"
	frame WPRC "$P/c2"
	frame_text SCLG 'sched_ext: enabled'
	frame WPRC "$P/c3"
	frame WPRF "$P/t"
	frame_text SOUT 'guest: done'
}

setup() {
	new_drain
	OUT=$BATS_TEST_TMPDIR/out.pb
	GOT=$BATS_TEST_TMPDIR/stdout
}

# The standard good dump (made in setup_file): three chunks and a
# terminal, with unrelated frames between them.
good_drain() {
	cp "$P/good.drain" "$DRAIN"
}

# torn_msg NAME TAGNAME INDEX OFFSET STORED COMPUTED
torn_msg() {
	printf 'wprofck: reassemble: %s: torn trace: %s frame %s at offset %s failed its CRC (stored 0x%s, computed 0x%s); no .pb written' "$@"
}

# noterm_msg NAME STOP FRAMES BYTES CHUNKS TRACEBYTES [TAGNAME]
noterm_msg() {
	local fs=s cs=s
	[ "$3" != 1 ] || fs=
	[ "$5" != 1 ] || cs=
	printf 'wprofck: reassemble: %s: no trace: no %s frame (%s; %s complete frame%s in %s bytes, %s chunk%s, %s trace bytes); no .pb written' \
	    "$1" "${7:-WprofTrace}" "$2" "$3" "$fs" "$4" "$5" "$cs" "$6"
}

xor1() {
	printf '%08x' $((0x$1 ^ 1))
}

@test "mkframe: the header is tag, length, CRC-32 and pad, little-endian" {
	# 0x3610a686 is the well-known CRC-32 of "hello"; gzip agrees.
	run -0 crc_of "$P/hello"
	assert_output 3610a686
	"$MKFRAME" -t SOUT -p 7 "$P/hello" >"$DRAIN"
	run -0 hexdump_of "$DRAIN"
	assert_output '54 55 4f 53 05 00 00 00 86 a6 10 36 07 00 00 00 68 65 6c 6c 6f'
}

@test "mkframe: -l, -c, -C, a numeric -t and standard input" {
	"$MKFRAME" -t 0x01020304 -l 99 -c 0xa0b0c0d0 <"$P/hello" >"$DRAIN"
	run -0 hexdump_of "$DRAIN"
	assert_output '04 03 02 01 63 00 00 00 d0 c0 b0 a0 00 00 00 00 68 65 6c 6c 6f'
	"$MKFRAME" -C "$P/hello" >"$DRAIN"
	run -0 hexdump_of "$DRAIN"
	assert_output '46 52 50 57 05 00 00 00 87 a6 10 36 00 00 00 00 68 65 6c 6c 6f'
}

@test "randfile: deterministic, every byte value, no short period" {
	randfile "$BATS_TEST_TMPDIR/a" 4096 1
	cmp "$P/c1" "$BATS_TEST_TMPDIR/a"
	run -0 hexdump_of "$P/c1" 0 4
	assert_output '00 01 02 03'
	run -0 hexdump_of "$P/c1" 250 10
	# 1000003 (seed 1), digits mapped: 1 -> ff, 0 -> 00.
	assert_output 'fa fb fc fd fe ff ff 00 00 00'
	run -1 cmp -s "$P/c1" "$P/c2"
}

# Section 2: the reassembly rules.

@test "chunks are appended in arrival order, then the terminal, to stdout" {
	good_drain
	run -0 wp_to "$GOT" reassemble "$DRAIN"
	assert_output ''
	cmp "$P/trace" "$GOT"
}

@test "-o OUT gets the same bytes and stdout stays empty" {
	good_drain
	run -0 wp_to "$GOT" reassemble -o "$OUT" "$DRAIN"
	assert_output ''
	cmp "$P/trace" "$OUT"
	[ "$(fsize "$GOT")" -eq 0 ]
}

@test "a lone terminal frame is the whole trace" {
	frame WPRF "$P/t"
	run -0 wp_to "$GOT" reassemble "$DRAIN"
	cmp "$P/t" "$GOT"
}

@test "an empty lone terminal is an empty trace: exit 1, no output" {
	frame WPRF "$P/empty"
	run -1 wp_to "$GOT" reassemble "$DRAIN"
	assert_line -n 0 "wprofck: reassemble: $DRAIN: no trace: empty trace (WprofTrace frame 0 at offset 0, no chunks); no .pb written"
	[ "$(fsize "$GOT")" -eq 0 ]
}

@test "empty chunks and an empty terminal are an empty trace" {
	frame WPRC "$P/empty"
	frame_text SOUT x
	frame WPRC "$P/empty"
	frame WPRF "$P/empty"
	run -1 wp_to "$GOT" reassemble -o "$OUT" "$DRAIN"
	assert_output --partial "wprofck: reassemble: $DRAIN: no trace: empty trace (WprofTrace frame 3 at offset $FRAME_OFF"
	assert_output --partial "); no .pb written"
	[ ! -e "$OUT" ]
}

@test "an empty chunk adds nothing; the terminal still counts" {
	frame WPRC "$P/empty"
	frame WPRF "$P/t"
	run -0 wp_to "$GOT" reassemble "$DRAIN"
	cmp "$P/t" "$GOT"
}

@test "torn first chunk: exit 1, index, offset and both CRCs" {
	frame WPRC "$P/c1" -C
	frame WPRC "$P/c2"
	frame WPRF "$P/t"
	crc=$(crc_of "$P/c1")
	run -1 wp_to "$GOT" reassemble "$DRAIN"
	assert_line -n 0 "$(torn_msg "$DRAIN" WprofTraceChunk 0 0 "$(xor1 "$crc")" "$crc")"
	[ "$(fsize "$GOT")" -eq 0 ]
}

@test "torn middle chunk: the index counts unrelated frames too" {
	frame_text SOUT 'guest: wprof on'
	frame WPRC "$P/c1"
	frame_text SCLG 'sched_ext: enabled'
	frame WPRC "$P/c2" -C
	idx=$FRAME_IDX off=$FRAME_OFF
	frame WPRC "$P/c3"
	frame WPRF "$P/t"
	crc=$(crc_of "$P/c2")
	[ "$idx" -eq 3 ]
	[ "$off" -eq $((16 + 15 + 16 + 4096 + 16 + 18)) ]
	run -1 wp_to "$GOT" reassemble "$DRAIN"
	assert_line -n 0 "$(torn_msg "$DRAIN" WprofTraceChunk 3 "$off" "$(xor1 "$crc")" "$crc")"
	[ "$(fsize "$GOT")" -eq 0 ]
}

@test "torn last chunk" {
	frame WPRC "$P/c1"
	frame WPRC "$P/c2"
	frame WPRC "$P/c3" -C
	frame WPRF "$P/t"
	crc=$(crc_of "$P/c3")
	run -1 wp_to "$GOT" reassemble "$DRAIN"
	assert_line -n 0 "$(torn_msg "$DRAIN" WprofTraceChunk 2 8224 "$(xor1 "$crc")" "$crc")"
	[ "$(fsize "$GOT")" -eq 0 ]
}

@test "torn terminal: named WprofTrace, CRCs as 8 lowercase hex digits" {
	frame WPRC "$P/c1"
	frame WPRF "$P/t" -c 1
	crc=$(crc_of "$P/t")
	run -1 wp_to "$GOT" reassemble "$DRAIN"
	assert_line -n 0 "$(torn_msg "$DRAIN" WprofTrace 1 4112 00000001 "$crc")"
	[ "$(fsize "$GOT")" -eq 0 ]
}

@test "torn frames of other types are ignored" {
	frame_text SOUT 'bad crc' -C
	frame WPRC "$P/c1"
	frame_text SCLG 'crc zero' -c 0
	frame WPRC "$P/c2"
	frame_text ZZZZ 'unknown tag, bad crc' -C
	frame WPRC "$P/c3"
	frame "$((0x00000000))" "$P/c1" -C
	frame WPRF "$P/t"
	run -0 wp_to "$GOT" reassemble "$DRAIN"
	assert_output ''
	cmp "$P/trace" "$GOT"
}

@test "frames of every other type between chunks are skipped" {
	local tag
	frame WPRC "$P/c1"
	for tag in STIM STEN SCST SCPP SCRR SCEN EXIT TEST SCDX CRSH PMET \
	    RAWO PRAW SNRQ SNRP SRDY SOUT SERR SCLG LIFE KADR EXCX DMSG PROB \
	    ABCD 0 0xffffffff 0x46525057 0x43525057; do
		"$MKFRAME" -t "$tag" "$P/hello" >>"$DRAIN"
	done
	frame WPRC "$P/c2"
	frame "$((0x53434C47))" "$P/big1"
	frame WPRC "$P/c3"
	frame WPRF "$P/t"
	run -0 wp_to "$GOT" reassemble "$DRAIN"
	assert_output ''
	cmp "$P/trace" "$GOT"
}

@test "duplicate terminal: the first one ends the trace" {
	frame WPRC "$P/c1"
	frame WPRF "$P/t"
	frame WPRF "$P/c2"
	run -0 wp_to "$GOT" reassemble "$DRAIN"
	cat "$P/c1" "$P/t" >"$BATS_TEST_TMPDIR/exp"
	cmp "$BATS_TEST_TMPDIR/exp" "$GOT"
}

@test "a second, torn terminal is ignored" {
	frame WPRF "$P/t"
	frame WPRF "$P/c2" -C
	run -0 wp_to "$GOT" reassemble "$DRAIN"
	cmp "$P/t" "$GOT"
}

@test "chunks after the terminal are ignored, good or torn" {
	frame WPRC "$P/c1"
	frame WPRF "$P/t"
	frame WPRC "$P/c2"
	frame WPRC "$P/c3" -C
	run -0 wp_to "$GOT" reassemble "$DRAIN"
	cat "$P/c1" "$P/t" >"$BATS_TEST_TMPDIR/exp"
	cmp "$BATS_TEST_TMPDIR/exp" "$GOT"
}

@test "nothing after the terminal is looked at: oversized, torn, partial" {
	frame WPRF "$P/t"
	frame WPRC "$P/c1" -C
	frame_text SOUT x -l 0xffffffff
	printf 'WPR' >>"$DRAIN"
	run -0 wp_to "$GOT" reassemble "$DRAIN"
	assert_output ''
	cmp "$P/t" "$GOT"
}

@test "no terminal: exit 1, the stop, frames, bytes, chunks, trace bytes" {
	frame WPRC "$P/c1"
	frame_text SOUT 'guest: oops'
	frame WPRC "$P/c2"
	frame WPRC "$P/c3"
	run -1 wp_to "$GOT" reassemble "$DRAIN"
	assert_line -n 0 "$(noterm_msg "$DRAIN" 'clean end' 4 $((3 * 4112 + 27)) 3 12288)"
	[ "$(fsize "$GOT")" -eq 0 ]
}

@test "an empty dump has no trace" {
	run -1 wp_to "$GOT" reassemble "$DRAIN"
	assert_line -n 0 "$(noterm_msg "$DRAIN" 'clean end' 0 0 0 0)"
}

@test "a dump of unrelated frames has no trace" {
	frame_text SOUT a
	frame_text SCLG bc
	run -1 wp_to "$GOT" reassemble "$DRAIN"
	assert_line -n 0 "$(noterm_msg "$DRAIN" 'clean end' 2 35 0 0)"
}

# Section 1: the stop conditions of the frame walk.

@test "a partial trailing header after the terminal is dropped" {
	frame WPRC "$P/c1"
	frame WPRF "$P/t"
	printf '\103\122\120\127\001' >>"$DRAIN"
	run -0 wp_to "$GOT" reassemble "$DRAIN"
	cat "$P/c1" "$P/t" >"$BATS_TEST_TMPDIR/exp"
	cmp "$BATS_TEST_TMPDIR/exp" "$GOT"
}

@test "a partial trailing header ends the walk: stop named with its size" {
	frame WPRC "$P/c1"
	frame WPRC "$P/c2"
	printf '\106\122\120\127\001' >>"$DRAIN"
	run -1 wp_to "$GOT" reassemble "$DRAIN"
	assert_line -n 0 "$(noterm_msg "$DRAIN" 'partial header: 5 bytes at offset 8224' 2 8224 2 8192)"
}

@test "a torn trailing frame ends the walk: needs L bytes, has R" {
	frame WPRC "$P/c1"
	head -c 40 "$P/t" >"$BATS_TEST_TMPDIR/t40"
	frame WPRF "$BATS_TEST_TMPDIR/t40" -l 100
	run -1 wp_to "$GOT" reassemble "$DRAIN"
	assert_line -n 0 "$(noterm_msg "$DRAIN" 'torn frame at offset 4112: needs 100 bytes, has 40' 1 4112 1 4096)"
	[ "$(fsize "$GOT")" -eq 0 ]
}

@test "a torn trailing frame of another type ends the walk the same way" {
	frame WPRC "$P/c1"
	frame_text SOUT 'short' -l 4000
	run -1 wp_to "$GOT" reassemble "$DRAIN"
	assert_line -n 0 "$(noterm_msg "$DRAIN" 'torn frame at offset 4112: needs 4000 bytes, has 5' 1 4112 1 4096)"
}

@test "an oversized length stops the walk; later frames that would finish the trace are ignored" {
	frame WPRC "$P/c1"
	frame_text SOUT 'ten bytes!' -l 4097
	off=$FRAME_OFF
	frame WPRC "$P/c2"
	frame WPRF "$P/t"
	run -1 wp_to "$GOT" reassemble --max-frame 4096 -o "$OUT" "$DRAIN"
	assert_line -n 0 "$(noterm_msg "$DRAIN" "oversized frame at offset $off: length 4097 over the cap 4096" 1 "$off" 1 4096)"
	[ ! -e "$OUT" ]
}

@test "a header claiming 4 GiB under the default cap stops the walk" {
	frame WPRC "$P/c1"
	frame_text SCLG x -l 0xffffffff
	frame WPRF "$P/t"
	run -1 wp_to "$GOT" reassemble "$DRAIN"
	assert_line -n 0 "$(noterm_msg "$DRAIN" 'oversized frame at offset 4112: length 4294967295 over the cap 16777216' 1 4112 1 4096)"
}

@test "--max-frame 4096: frames of exactly 4096 bytes pass" {
	frame WPRC "$P/p4096"
	frame WPRF "$P/p4096"
	run -0 wp_to "$GOT" reassemble --max-frame 4096 "$DRAIN"
	cat "$P/p4096" "$P/p4096" >"$BATS_TEST_TMPDIR/exp"
	cmp "$BATS_TEST_TMPDIR/exp" "$GOT"
}

@test "--max-frame 4096: a frame of 4097 bytes is oversized" {
	frame WPRC "$P/p4096"
	frame WPRF "$P/p4097"
	run -1 wp_to "$GOT" reassemble --max-frame 4096 "$DRAIN"
	assert_line -n 0 "$(noterm_msg "$DRAIN" 'oversized frame at offset 4112: length 4097 over the cap 4096' 1 4112 1 4096)"
	[ "$(fsize "$GOT")" -eq 0 ]
}

@test "default cap: a 16 MiB terminal passes" {
	frame WPRC "$P/c1"
	frame WPRF "$P/p16m"
	run -0 wp_to "$GOT" reassemble -o "$OUT" "$DRAIN"
	cat "$P/c1" "$P/p16m" >"$BATS_TEST_TMPDIR/exp"
	cmp "$BATS_TEST_TMPDIR/exp" "$OUT"
}

@test "default cap: a 16 MiB + 1 terminal is oversized" {
	frame WPRC "$P/c1"
	frame WPRF "$P/p16m1"
	run -1 wp_to "$GOT" reassemble "$DRAIN"
	assert_line -n 0 "$(noterm_msg "$DRAIN" 'oversized frame at offset 4112: length 16777217 over the cap 16777216' 1 4112 1 4096)"
	[ "$(fsize "$GOT")" -eq 0 ]
}

@test "a non-zero pad warns with the frame, offset, name and pad" {
	frame WPRC "$P/c1"
	frame WPRC "$P/c2" -p 0x80000001
	off=$FRAME_OFF
	frame WPRF "$P/t"
	run -0 wp_to "$GOT" reassemble "$DRAIN"
	assert_output "wprofck: reassemble: $DRAIN: warning: frame 1 at offset $off (WprofTraceChunk) has pad 0x80000001, expected 0"
	cat "$P/c1" "$P/c2" "$P/t" >"$BATS_TEST_TMPDIR/exp"
	cmp "$BATS_TEST_TMPDIR/exp" "$GOT"
}

@test "pads on other frames warn too, one line each, in order" {
	frame_text SOUT 'hi' -p 1
	frame_text ZZZZ 'unknown' -p 0xff
	frame WPRF "$P/t" -p 2
	run -0 wp_to "$GOT" reassemble -o "$OUT" "$DRAIN"
	assert_line -n 0 "wprofck: reassemble: $DRAIN: warning: frame 0 at offset 0 (Stdout) has pad 0x00000001, expected 0"
	assert_line -n 1 "wprofck: reassemble: $DRAIN: warning: frame 1 at offset 18 (ZZZZ) has pad 0x000000ff, expected 0"
	assert_line -n 2 "wprofck: reassemble: $DRAIN: warning: frame 2 at offset 41 (WprofTrace) has pad 0x00000002, expected 0"
	[ "${#lines[@]}" -eq 3 ]
	cmp "$P/t" "$OUT"
}

@test "-q silences the pad warning; the trace is still written" {
	frame WPRC "$P/c1" -p 7
	frame WPRF "$P/t"
	run -0 wp_to "$GOT" reassemble -q "$DRAIN"
	assert_output ''
	cat "$P/c1" "$P/t" >"$BATS_TEST_TMPDIR/exp"
	cmp "$BATS_TEST_TMPDIR/exp" "$GOT"
}

# Input: a file, standard input, "-", a pipe.

@test "standard input when DUMP is absent; (standard input) names it" {
	good_drain
	run -0 wp_in "$DRAIN" "$GOT" reassemble
	cmp "$P/trace" "$GOT"
	new_drain
	frame WPRF "$P/t" -C
	run -1 wp_in "$DRAIN" "$GOT" reassemble
	assert_output --partial "wprofck: reassemble: (standard input): torn trace: WprofTrace frame 0 at offset 0"
}

@test "DUMP - is standard input" {
	good_drain
	run -0 wp_in "$DRAIN" "$GOT" reassemble -o "$OUT" -
	cmp "$P/trace" "$OUT"
	new_drain
	run -1 wp_in "$DRAIN" "$GOT" reassemble -
	assert_line -n 0 "$(noterm_msg '(standard input)' 'clean end' 0 0 0 0)"
}

@test "a pipe in small writes is read like a file" {
	good_drain
	run -0 bash -c 'dd if="$1" bs=777 status=none | "$WPROFCK" reassemble -o "$2"' _ "$DRAIN" "$OUT"
	assert_output ''
	cmp "$P/trace" "$OUT"
}

@test "a missing DUMP is trouble: exit 2 naming it" {
	run -2 wp_to "$GOT" reassemble "$BATS_TEST_TMPDIR/nonesuch"
	assert_output "wprofck: reassemble: $BATS_TEST_TMPDIR/nonesuch: No such file or directory"
}

@test "a directory as DUMP is trouble: exit 2" {
	run -2 wp_to "$GOT" reassemble -o "$OUT" "$BATS_TEST_TMPDIR"
	assert_output --partial "wprofck: reassemble: $BATS_TEST_TMPDIR"
	assert_output --partial "Is a directory"
	[ ! -e "$OUT" ]
}

@test "reading stops once the terminal is complete (a writer stays open)" {
	good_drain
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	exec 4<>"$BATS_TEST_TMPDIR/fifo"
	cat "$DRAIN" >&4
	run -0 timeout 10 "$WPROFCK" reassemble -o "$OUT" "$BATS_TEST_TMPDIR/fifo"
	exec 4>&-
	cmp "$P/trace" "$OUT"
}

# Output to standard output.

@test "a torn terminal after megabytes of chunks writes nothing to stdout" {
	frame WPRC "$P/big1"
	frame WPRC "$P/big2"
	frame WPRF "$P/t" -C
	run -1 wp_to "$GOT" reassemble "$DRAIN"
	assert_output --partial 'torn trace: WprofTrace frame 2 at offset 2097184'
	[ "$(fsize "$GOT")" -eq 0 ]
}

@test "no terminal after megabytes of chunks writes nothing to stdout, even into a pipe" {
	frame WPRC "$P/big1"
	frame WPRC "$P/big2"
	run -1 bash -c 'set -o pipefail; "$WPROFCK" reassemble "$1" | wc -c >"$2"' _ "$DRAIN" "$GOT"
	assert_output --partial 'no trace: no WprofTrace frame (clean end;'
	assert_equal "$(cat "$GOT")" 0
}

@test "binary is not written to a terminal: exit 2" {
	command -v script >/dev/null || skip "script(1) from bsdutils is not installed"
	good_drain
	run -2 script -qec "$(printf '%q ' "$WPROFCK" reassemble "$DRAIN")" /dev/null </dev/null
	assert_output --partial 'wprofck: reassemble: refusing to write binary data to a terminal; use -o or -f'
}

@test "-f writes to a terminal; -o needs no -f" {
	command -v script >/dev/null || skip "script(1) from bsdutils is not installed"
	frame WPRF "$P/hello"
	run -0 script -qec "$(printf '%q ' "$WPROFCK" reassemble -f "$DRAIN")" /dev/null </dev/null
	assert_output 'hello'
	run -0 script -qec "$(printf '%q ' "$WPROFCK" reassemble -o "$OUT" "$DRAIN")" /dev/null </dev/null
	assert_output ''
	cmp "$P/hello" "$OUT"
}

@test "a full disk on stdout is trouble: exit 2" {
	good_drain
	run -2 bash -c '"$WPROFCK" reassemble "$1" >/dev/full' _ "$DRAIN"
	assert_output --partial 'No space left on device'
}

# Section 4: -o OUT.

@test "-o: only OUT is left in its directory" {
	good_drain
	mkdir "$BATS_TEST_TMPDIR/d"
	run -0 wp_to "$GOT" reassemble -o "$BATS_TEST_TMPDIR/d/t.wprof.pb" "$DRAIN"
	assert_equal "$(ls_dir "$BATS_TEST_TMPDIR/d")" 't.wprof.pb'
	cmp "$P/trace" "$BATS_TEST_TMPDIR/d/t.wprof.pb"
}

@test "-o: an existing OUT is replaced on success" {
	good_drain
	printf 'old' >"$OUT"
	run -0 wp_to "$GOT" reassemble -o "$OUT" "$DRAIN"
	cmp "$P/trace" "$OUT"
}

@test "-o: failures leave nothing at OUT and no temporary file" {
	local d=$BATS_TEST_TMPDIR/d
	mkdir "$d"
	frame WPRC "$P/big1"
	frame WPRF "$P/t" -C
	run -1 wp_to "$GOT" reassemble -o "$d/t.pb" "$DRAIN"
	assert_equal "$(ls_dir "$d")" ''
	new_drain
	frame WPRC "$P/big1"
	run -1 wp_to "$GOT" reassemble -o "$d/t.pb" "$DRAIN"
	assert_equal "$(ls_dir "$d")" ''
	new_drain
	frame WPRF "$P/empty"
	run -1 wp_to "$GOT" reassemble -o "$d/t.pb" "$DRAIN"
	assert_equal "$(ls_dir "$d")" ''
}

@test "-o: a failure leaves an existing OUT untouched" {
	local d=$BATS_TEST_TMPDIR/d
	mkdir "$d"
	cp "$P/c3" "$d/t.pb"
	ino=$(stat -c %i "$d/t.pb")
	frame WPRC "$P/big1"
	frame WPRF "$P/t" -C
	run -1 wp_to "$GOT" reassemble -o "$d/t.pb" "$DRAIN"
	cmp "$P/c3" "$d/t.pb"
	assert_equal "$(stat -c %i "$d/t.pb")" "$ino"
	assert_equal "$(ls_dir "$d")" 't.pb'
}

@test "-o: permissions follow the umask" {
	frame WPRF "$P/t"
	(umask 027 && "$WPROFCK" reassemble -o "$BATS_TEST_TMPDIR/a" "$DRAIN")
	(umask 022 && "$WPROFCK" reassemble -o "$BATS_TEST_TMPDIR/b" "$DRAIN")
	(umask 077 && "$WPROFCK" reassemble -o "$BATS_TEST_TMPDIR/c" "$DRAIN")
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/a")" 640
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/b")" 644
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/c")" 600
}

@test "-o /dev/full: exit 2 naming it and ENOSPC; it stays a device" {
	good_drain
	run -2 wp_to "$GOT" reassemble -o /dev/full "$DRAIN"
	assert_output --partial 'wprofck: reassemble: /dev/full: '
	assert_output --partial 'No space left on device'
	[ -c /dev/full ]
	assert_equal "$(stat -c '%t:%T' /dev/full)" '1:7'
}

@test "-o /dev/null: works, and /dev/null stays a device" {
	good_drain
	run -0 wp_to "$GOT" reassemble -o /dev/null "$DRAIN"
	assert_output ''
	[ -c /dev/null ]
	assert_equal "$(stat -c '%t:%T' /dev/null)" '1:3'
}

@test "-o FIFO: written in place, and it stays a FIFO" {
	good_drain
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	cat "$BATS_TEST_TMPDIR/fifo" >"$BATS_TEST_TMPDIR/fromfifo" 3>&- &
	reader=$!
	run -0 wp_to "$GOT" reassemble -o "$BATS_TEST_TMPDIR/fifo" "$DRAIN"
	wait "$reader"
	[ -p "$BATS_TEST_TMPDIR/fifo" ]
	cmp "$P/trace" "$BATS_TEST_TMPDIR/fromfifo"
}

@test "-o the input itself: exit 2, the input untouched" {
	good_drain
	cp "$DRAIN" "$BATS_TEST_TMPDIR/copy"
	run -2 wp_to "$GOT" reassemble -o "$DRAIN" "$DRAIN"
	assert_output "wprofck: reassemble: $DRAIN: is the input; refusing to overwrite it"
	cmp "$BATS_TEST_TMPDIR/copy" "$DRAIN"
}

@test "-o a hard link to the input: exit 2, the input untouched" {
	good_drain
	cp "$DRAIN" "$BATS_TEST_TMPDIR/copy"
	ln "$DRAIN" "$BATS_TEST_TMPDIR/link"
	run -2 wp_in "$DRAIN" "$GOT" reassemble -o "$BATS_TEST_TMPDIR/link"
	assert_output "wprofck: reassemble: $BATS_TEST_TMPDIR/link: is the input; refusing to overwrite it"
	cmp "$BATS_TEST_TMPDIR/copy" "$DRAIN"
}

@test "-o in a missing directory: exit 2 naming the directory" {
	good_drain
	run -2 wp_to "$GOT" reassemble -o "$BATS_TEST_TMPDIR/no/t.pb" "$DRAIN"
	assert_output --regexp "^wprofck: (reassemble: )?$BATS_TEST_TMPDIR/no/t.pb: the directory '$BATS_TEST_TMPDIR/no' does not exist\$"
}

@test "SIGTERM mid-way: nothing at OUT, no temporary file" {
	local d=$BATS_TEST_TMPDIR/d fifo=$BATS_TEST_TMPDIR/fifo st=0
	mkdir "$d"
	good_drain
	mkfifo "$fifo"
	"$WPROFCK" reassemble -o "$d/t.pb" "$fifo" \
	    >/dev/null 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	pid=$!
	exec 4>"$fifo"
	head -c 6000 "$DRAIN" >&4
	# The unnamed temporary file must be open in $d, or this test proves
	# nothing.
	for _ in $(seq 100); do
		ls -l "/proc/$pid/fd" | grep -q -- "$d/#" && break
		sleep 0.05
	done
	ls -l "/proc/$pid/fd" | grep -q -- "$d/#"
	kill -TERM "$pid"
	wait "$pid" || st=$?
	exec 4>&-
	assert_equal "$st" 143
	assert_equal "$(ls_dir "$d")" ''
}

# Tags.

@test "--trace-tag and --chunk-tag as four characters" {
	frame ABCD "$P/c1"
	frame WPRC "$P/big1"
	frame ABCD "$P/c2"
	frame WPRF "$P/big2"
	frame WXYZ "$P/t"
	run -0 wp_to "$GOT" reassemble --chunk-tag ABCD --trace-tag WXYZ "$DRAIN"
	cat "$P/c1" "$P/c2" "$P/t" >"$BATS_TEST_TMPDIR/exp"
	cmp "$BATS_TEST_TMPDIR/exp" "$GOT"
}

@test "--trace-tag and --chunk-tag as numbers, hex and decimal" {
	frame ABCD "$P/c1"
	frame WPRF "$P/big2"
	frame ABCD "$P/c2"
	frame WXYZ "$P/t"
	run -0 wp_to "$GOT" reassemble --chunk-tag 0x41424344 --trace-tag 1465407834 "$DRAIN"
	cat "$P/c1" "$P/c2" "$P/t" >"$BATS_TEST_TMPDIR/exp"
	cmp "$BATS_TEST_TMPDIR/exp" "$GOT"
}

@test "the default tags spelled as numbers behave as the defaults" {
	good_drain
	run -0 wp_to "$GOT" reassemble --chunk-tag 0x57505243 --trace-tag 0x57505246 "$DRAIN"
	cmp "$P/trace" "$GOT"
}

@test "a torn frame of a tag set by option: its ktstr name or its chars" {
	frame SOUT "$P/c1" -C
	frame WXYZ "$P/t"
	crc=$(crc_of "$P/c1")
	run -1 wp_to "$GOT" reassemble --chunk-tag SOUT --trace-tag WXYZ "$DRAIN"
	assert_line -n 0 "$(torn_msg "$DRAIN" Stdout 0 0 "$(xor1 "$crc")" "$crc")"
	new_drain
	frame ABCD "$P/c1" -C
	frame WXYZ "$P/t"
	run -1 wp_to "$GOT" reassemble --chunk-tag ABCD --trace-tag WXYZ "$DRAIN"
	assert_line -n 0 "$(torn_msg "$DRAIN" ABCD 0 0 "$(xor1 "$crc")" "$crc")"
}

@test "no terminal of a tag set by option names that tag" {
	frame ABCD "$P/c1"
	frame WPRF "$P/t"
	run -1 wp_to "$GOT" reassemble --chunk-tag ABCD --trace-tag WXYZ "$DRAIN"
	assert_line -n 0 "$(noterm_msg "$DRAIN" 'clean end' 2 5128 1 4096 WXYZ)"
}

# --check

@test "--check: a good trace passes, exit 0, ok on stderr" {
	frame WPRC "$P/good.pb"
	frame WPRF "$P/empty"
	run -0 wp_to "$GOT" reassemble --check -o "$OUT" "$DRAIN"
	assert_output --regexp '(^|[^A-Za-z])ok([^A-Za-z]|$)'
	refute_output --partial FAIL
	cmp "$P/good.pb" "$OUT"
}

@test "--check: a wrong leading byte fails with exit 1; the file stays" {
	frame WPRF "$P/lead0b.pb"
	run -1 wp_to "$GOT" reassemble --check -o "$OUT" "$DRAIN"
	assert_output --partial FAIL
	cmp "$P/lead0b.pb" "$OUT"
}

@test "--check: a trace under 4096 bytes fails with exit 1; the file stays" {
	[ "$(fsize "$P/small.pb")" -eq 4095 ]
	frame WPRF "$P/small.pb"
	run -1 wp_to "$GOT" reassemble --check -o "$OUT" "$DRAIN"
	assert_output --partial FAIL
	cmp "$P/small.pb" "$OUT"
}

@test "--check does not hide a torn trace: exit 1, nothing written" {
	frame WPRF "$P/good.pb" -C
	run -1 wp_to "$GOT" reassemble --check -o "$OUT" "$DRAIN"
	assert_output --partial 'torn trace'
	[ ! -e "$OUT" ]
}

# The checked-in sample.

@test "tests/data/sample.drain is what make-sample.sh makes, and reassembles" {
	sh "$TESTS/data/make-sample.sh" -m "$MKFRAME" -t "$BATS_TEST_TMPDIR/trace" "$BATS_TEST_TMPDIR/sample.drain"
	cmp "$TESTS/data/sample.drain" "$BATS_TEST_TMPDIR/sample.drain"
	run -0 wp_to "$GOT" reassemble --max-frame 4K "$TESTS/data/sample.drain"
	assert_output ''
	cmp "$BATS_TEST_TMPDIR/trace" "$GOT"
	run -0 od -An -tx1 -N1 "$GOT"
	assert_output ' 0a'
}
