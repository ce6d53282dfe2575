#!/usr/bin/env bats
# wprofck frames: the table of frames, the summary, the stop conditions of
# the walk (spec section 1), the reassembly verdict (section 2) and JSON
# Lines. Every dump is built here with mkframe, so every offset, length and
# CRC in the expected output is known from the bytes fed in; the offsets
# below are counted by hand (a frame is 16 bytes of header + its payload).

load common
load frames_helpers

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	randfile "$P/c1" 100 1
	randfile "$P/c2" 100 2
	randfile "$P/t" 50 3
	: >"$P/empty"
	printf 'hello' >"$P/hello"
	# A first payload that puts the next header across the 1 MiB read.
	randfile "$P/m1" $((1048576 - 16 - 8)) 4
	randfile "$P/m2" 70000 5
	new_drain "$P/small"
	small_drain
	echo "${OFFS[*]}" >"$P/small.offs"
}

setup() {
	new_drain
	GOT=$BATS_TEST_TMPDIR/got
}

# small_drain: Stdout, a chunk, SchedLog, the terminal, Stdout; 251 bytes.
# Sets OFFS to the five offsets.
small_drain() {
	OFFS=()
	frame SOUT "$P/hello"
	OFFS+=("$FRAME_OFF")
	frame WPRC "$P/c1"
	OFFS+=("$FRAME_OFF")
	frame_text SCLG 'sched_ext: on'
	OFFS+=("$FRAME_OFF")
	frame WPRF "$P/t"
	OFFS+=("$FRAME_OFF")
	frame_text SOUT 'bye'
	OFFS+=("$FRAME_OFF")
}

# small_rows: the table of small_drain, header included.
small_rows() {
	table_head
	row 0 0 SOUT Stdout 5 ok
	row 1 21 WPRC WprofTraceChunk 100 ok
	row 2 137 SCLG SchedLog 13 ok
	row 3 166 WPRF WprofTrace 50 ok
	row 4 232 SOUT Stdout 3 ok
}

# small_types: the per-type lines of small_drain's summary.
small_types() {
	type_line SOUT Stdout 2 8
	type_line WPRC WprofTraceChunk 1 100
	type_line SCLG SchedLog 1 13
	type_line WPRF WprofTrace 1 50
}

@test "frames: the table and the summary of a good dump, exit 0" {
	read -r offs <"$P/small.offs"
	assert_equal "$offs" '0 21 137 166 232'
	run -0 "$WPROFCK" frames "$P/small"
	assert_output "$(small_rows
	    echo
	    echo '5 frames, 251 bytes; 0 bad CRC, 0 non-zero pad'
	    small_types
	    echo 'end: clean end'
	    echo 'reassemble: trace of 150 bytes from 1 chunk + terminal')"
}

@test "frames: the same table and JSON from a pipe and from -" {
	run -0 "$WPROFCK" frames "$P/small"
	want=$output
	run -0 wp_pipe "$P/small" "$GOT" frames
	run -0 cat "$GOT"
	assert_output "$want"
	run -0 wp_in "$P/small" "$GOT" frames -
	run -0 cat "$GOT"
	assert_output "$want"
	run -0 wp_to "$BATS_TEST_TMPDIR/file.json" frames --json "$P/small"
	run -0 wp_pipe "$P/small" "$GOT" frames --json
	cmp "$BATS_TEST_TMPDIR/file.json" "$GOT"
}

@test "frames: headers and payloads across the 1 MiB read, from a file and a pipe" {
	frame SOUT "$P/m1"
	frame WPRC "$P/m2"
	frame_text SOUT 'x'
	frame WPRF "$P/m2"
	want=$(table_head
	    row 0 0 SOUT Stdout 1048552 ok
	    row 1 1048568 WPRC WprofTraceChunk 70000 ok
	    row 2 1118584 SOUT Stdout 1 ok
	    row 3 1118601 WPRF WprofTrace 70000 ok
	    echo
	    echo '4 frames, 1188617 bytes; 0 bad CRC, 0 non-zero pad'
	    type_line SOUT Stdout 2 1048553
	    type_line WPRC WprofTraceChunk 1 70000
	    type_line WPRF WprofTrace 1 70000
	    echo 'end: clean end'
	    echo 'reassemble: trace of 140000 bytes from 1 chunk + terminal')
	run -0 "$WPROFCK" frames "$DRAIN"
	assert_output "$want"
	run -0 wp_dribble 4093 "$DRAIN" "$GOT" frames
	run -0 cat "$GOT"
	assert_output "$want"
}

@test "frames: partial header: K bytes at offset X, exit 1" {
	cp "$P/small" "$DRAIN"
	printf 'WPRF\005' >>"$DRAIN"
	run -1 "$WPROFCK" frames "$DRAIN"
	assert_output "$(small_rows
	    echo
	    echo '5 frames, 251 bytes; 0 bad CRC, 0 non-zero pad'
	    small_types
	    echo 'end: partial header: 5 bytes at offset 251'
	    echo 'reassemble: trace of 150 bytes from 1 chunk + terminal')"
	head -c 15 "$P/c1" >"$DRAIN"
	run -1 "$WPROFCK" frames "$DRAIN"
	assert_line '0 frames, 0 bytes; 0 bad CRC, 0 non-zero pad'
	assert_line 'end: partial header: 15 bytes at offset 0'
}

@test "frames: torn frame at offset X: needs L bytes, has R, exit 1" {
	frame SOUT "$P/hello"
	frame WPRC "$P/c1" -l 200
	run -1 "$WPROFCK" frames "$DRAIN"
	assert_output "$(table_head
	    row 0 0 SOUT Stdout 5 ok
	    echo
	    echo '1 frame, 21 bytes; 0 bad CRC, 0 non-zero pad'
	    type_line SOUT Stdout 1 5
	    echo 'end: torn frame at offset 21: needs 200 bytes, has 100'
	    echo 'reassemble: no trace: no WprofTrace frame (torn frame at offset 21: needs 200 bytes, has 100; 1 complete frame in 21 bytes, 0 chunks, 0 trace bytes)')"
	# Cut right after the second header: nothing of its payload is there.
	head -c 37 "$DRAIN" >"$GOT"
	run -1 "$WPROFCK" frames "$GOT"
	assert_line 'end: torn frame at offset 21: needs 200 bytes, has 0'
}

@test "frames: oversized frame at offset X: length L over the cap C, nothing after it, exit 1" {
	frame SOUT "$P/hello"
	frame WPRC "$P/c1" -l 16777217
	frame WPRF "$P/t"
	run -1 "$WPROFCK" frames "$DRAIN"
	assert_output "$(table_head
	    row 0 0 SOUT Stdout 5 ok
	    echo
	    echo '1 frame, 21 bytes; 0 bad CRC, 0 non-zero pad'
	    type_line SOUT Stdout 1 5
	    echo 'end: oversized frame at offset 21: length 16777217 over the cap 16777216'
	    echo 'reassemble: no trace: no WprofTrace frame (oversized frame at offset 21: length 16777217 over the cap 16777216; 1 complete frame in 21 bytes, 0 chunks, 0 trace bytes)')"
	# Exactly 16 MiB is within the cap: the frame is torn, not oversized.
	new_drain
	frame SOUT "$P/hello" -l 16777216
	run -1 "$WPROFCK" frames "$DRAIN"
	assert_line 'end: torn frame at offset 0: needs 16777216 bytes, has 5'
}

@test "frames --max-frame: a frame at the cap passes, one over it stops the walk" {
	frame SOUT "$P/c1"
	frame_text SOUT "$(printf '%101s' '')"
	frame WPRF "$P/t"
	run -0 "$WPROFCK" frames --max-frame 101 "$DRAIN"
	assert_line 'end: clean end'
	run -1 "$WPROFCK" frames --max-frame 100 "$DRAIN"
	assert_line "$(row 0 0 SOUT Stdout 100 ok)"
	refute_line --regexp "^ +[12] "
	assert_line '1 frame, 116 bytes; 0 bad CRC, 0 non-zero pad'
	assert_line 'end: oversized frame at offset 116: length 101 over the cap 100'
	assert_line 'reassemble: no trace: no WprofTrace frame (oversized frame at offset 116: length 101 over the cap 100; 1 complete frame in 116 bytes, 0 chunks, 0 trace bytes)'
	run -1 "$WPROFCK" frames --max-frame 0 "$DRAIN"
	assert_line 'end: oversized frame at offset 0: length 100 over the cap 0'
	run -0 "$WPROFCK" frames --max-frame 1K "$DRAIN"
	assert_line 'end: clean end'
}

@test "frames --max-frame 12Q and 4G are usage errors naming the option" {
	run -2 "$WPROFCK" frames --max-frame 12Q "$P/empty"
	assert_line -n 0 "wprofck: frames: --max-frame: '12Q': not a size (bytes, or a number with K, M or G)"
	run -2 "$WPROFCK" frames --max-frame 4G "$P/empty"
	assert_output --partial "wprofck: frames: --max-frame: '4G': out of range"
}

@test "frames: BAD CRC rows show the stored and the computed CRC, the walk goes on, exit 1" {
	frame SOUT "$P/hello" -C
	frame WPRC "$P/c1" -c 0
	frame WPRC "$P/c2" -c 0xffffffff
	frame WPRF "$P/t"
	bad=$(bad_crc "$DRAIN" 0 "$P/hello")
	# 0x3610a686 is the well-known CRC-32 of "hello"; -C flips its low bit.
	assert_equal "$bad" "BAD (stored 0x3610a687, computed 0x3610a686)"
	run -1 "$WPROFCK" frames "$DRAIN"
	assert_output "$(table_head
	    row 0 0 SOUT Stdout 5 "$bad"
	    row 1 21 WPRC WprofTraceChunk 100 "BAD (stored 0x00000000, computed 0x$(crc_of "$P/c1"))"
	    row 2 137 WPRC WprofTraceChunk 100 "BAD (stored 0xffffffff, computed 0x$(crc_of "$P/c2"))"
	    row 3 253 WPRF WprofTrace 50 ok
	    echo
	    echo '4 frames, 319 bytes; 3 bad CRC, 0 non-zero pad'
	    type_line SOUT Stdout 1 5
	    type_line WPRC WprofTraceChunk 2 200
	    type_line WPRF WprofTrace 1 50
	    echo 'end: clean end'
	    echo "reassemble: torn trace: WprofTraceChunk frame 1 at offset 21 failed its CRC (stored 0x00000000, computed 0x$(crc_of "$P/c1"))")"
}

@test "frames: a non-zero pad is shown and counted, and alone makes exit 1" {
	frame SOUT "$P/hello" -p 7
	frame WPRF "$P/t"
	run -1 "$WPROFCK" frames "$DRAIN"
	assert_output "$(table_head
	    row 0 0 SOUT Stdout 5 ok 'pad 0x00000007'
	    row 1 21 WPRF WprofTrace 50 ok
	    echo
	    echo '2 frames, 87 bytes; 0 bad CRC, 1 non-zero pad'
	    type_line SOUT Stdout 1 5
	    type_line WPRF WprofTrace 1 50
	    echo 'end: clean end'
	    echo 'reassemble: trace of 50 bytes from 0 chunks + terminal')"
	# A bad CRC and a pad on one row.
	new_drain
	frame WPRF "$P/t" -p 0xdeadbeef -C
	run -1 "$WPROFCK" frames "$DRAIN"
	assert_line "$(row 0 0 WPRF WprofTrace 50 "$(bad_crc "$DRAIN" 0 "$P/t")" 'pad 0xdeadbeef')"
	assert_line '1 frame, 66 bytes; 1 bad CRC, 1 non-zero pad'
}

@test "frames: unknown tags are listed as unknown and never rejected" {
	frame_text ABCD 'x'
	frame wxyz "$P/empty"
	frame_text 0x12345678 'yy'
	frame WPRF "$P/t"
	run -0 "$WPROFCK" frames "$DRAIN"
	assert_output "$(table_head
	    row 0 0 ABCD unknown 1 ok
	    row 1 17 wxyz unknown 0 ok
	    row 2 33 '\0224Vx' unknown 2 ok
	    row 3 51 WPRF WprofTrace 50 ok
	    echo
	    echo '4 frames, 117 bytes; 0 bad CRC, 0 non-zero pad'
	    type_line ABCD unknown 1 1
	    type_line wxyz unknown 1 0
	    type_line '\0224Vx' unknown 1 2
	    type_line WPRF WprofTrace 1 50
	    echo 'end: clean end'
	    echo 'reassemble: trace of 50 bytes from 0 chunks + terminal')"
}

@test "frames: non-printable tag bytes are escaped, never written raw" {
	# The tags spell, most significant byte first: 01 0a 20 ff, 00 41 42
	# 43, 5c 41 42 43, 7f 09 0d 80; vis(3) with VIS_CSTYLE | VIS_OCTAL
	# writes \001 \n \s \377, \0 ABC, \\ ABC, \177 \t \r \200.
	frame_text 0x010a20ff 'a'
	frame_text 0x00414243 'b'
	frame_text 0x5c414243 'c'
	frame_text 0x7f090d80 'd'
	run -0 wp_to "$GOT" frames "$DRAIN"
	printable_only "$GOT"
	run -0 cat "$GOT"
	assert_line "$(row 0 0 '\001\n\s\377' unknown 1 ok)"
	assert_line "$(row 1 17 '\0ABC' unknown 1 ok)"
	assert_line "$(row 2 34 '\\ABC' unknown 1 ok)"
	assert_line "$(row 3 51 '\177\t\r\200' unknown 1 ok)"
	run -0 wp_to "$GOT" frames --json "$DRAIN"
	printable_only "$GOT"
	jsonl_valid "$GOT"
	run -0 jq -r 'select(.summary | not) | .tag' "$GOT"
	assert_output "$(printf '%s\n' '\001\n\s\377' '\0ABC' '\\ABC' '\177\t\r\200')"
}

@test "frames: more than 64 types: the rest are summed as other types" {
	# 66 frames "Z001" to "Z066" with payload zz: mkframe writes the first,
	# the others differ only in the tag, which is on the wire reversed.
	frame_text Z001 zz
	rest=
	for b in $(od -An -v -to1 -j 4 "$DRAIN"); do
		rest+="\\$b"
	done
	for i in $(seq -w 2 66); do
		printf "${i:1:1}${i:0:1}0Z$rest"
	done >>"$DRAIN"
	assert_equal "$(fsize "$DRAIN")" 1188
	run -0 "$WPROFCK" frames "$DRAIN"
	assert_line "$(row 65 1170 Z066 unknown 2 ok)"
	assert_line '66 frames, 1188 bytes; 0 bad CRC, 0 non-zero pad'
	assert_line "$(type_line Z001 unknown 1 2)"
	assert_line "$(type_line Z064 unknown 1 2)"
	refute_line "$(type_line Z065 unknown 1 2)"
	assert_line "$(printf '  %-34s %7s frames %12s bytes' '(other types)' 2 4)"
	run -0 wp_to "$GOT" frames --json "$DRAIN"
	run -0 jq -c 'select(.summary) | [(.types | length), .other_types]' "$GOT"
	assert_output '[64,{"frames":2,"bytes":4}]'
}

@test "frames: reassemble verdicts for no terminal and an empty trace, exit 0; an empty dump, exit 1" {
	frame SOUT "$P/hello"
	frame WPRC "$P/c1"
	run -0 "$WPROFCK" frames "$DRAIN"
	assert_line 'end: clean end'
	assert_line 'reassemble: no trace: no WprofTrace frame (clean end; 2 complete frames in 137 bytes, 1 chunk, 100 trace bytes)'

	new_drain
	frame SOUT "$P/hello"
	frame WPRF "$P/empty"
	run -0 "$WPROFCK" frames "$DRAIN"
	assert_line "$(row 1 21 WPRF WprofTrace 0 ok)"
	assert_line 'reassemble: no trace: empty trace (WprofTrace frame 1 at offset 21, no chunks)'

	# No bytes at all is no drain, as reassemble finds no trace in it.
	run -1 "$WPROFCK" frames "$P/empty"
	assert_output "wprofck: frames: $P/empty: this is empty, not a drain"
	run -1 "$WPROFCK" reassemble -o "$BATS_TEST_TMPDIR/t.pb" "$P/empty"
	assert_line -n 0 --partial ': no trace: no WprofTrace frame (clean end; 0 complete frames'
}

@test "frames: reassemble verdict: torn at frame i, worded as reassemble words it" {
	frame SOUT "$P/hello"
	frame WPRC "$P/c1"
	frame WPRC "$P/c2" -C
	frame WPRF "$P/t"
	msg="torn trace: WprofTraceChunk frame 2 at offset 137 failed its CRC (stored 0x$(le32hex "$DRAIN" 145), computed 0x$(crc_of "$P/c2"))"
	run -1 "$WPROFCK" frames "$DRAIN"
	assert_line "reassemble: $msg"
	assert_line "$(row 3 253 WPRF WprofTrace 50 ok)"
	run -1 wp_to "$GOT" reassemble -o "$BATS_TEST_TMPDIR/out" "$DRAIN"
	assert_line -n 0 "wprofck: reassemble: $DRAIN: $msg; no .pb written"
}

@test "frames: reassembly stops at the first terminal; later frames are still listed and checked" {
	frame WPRF "$P/t"
	frame WPRC "$P/c1" -C
	frame WPRF "$P/t"
	run -1 "$WPROFCK" frames "$DRAIN"
	assert_line 'reassemble: trace of 50 bytes from 0 chunks + terminal'
	assert_line '3 frames, 248 bytes; 1 bad CRC, 0 non-zero pad'
	assert_line "$(type_line WPRF WprofTrace 2 100)"
}

@test "frames --trace-tag and --chunk-tag set what the verdict counts" {
	frame_text ABCE 'chunk-'
	frame WPRC "$P/c1"
	frame_text ABCD 'end'
	run -0 "$WPROFCK" frames --chunk-tag ABCE --trace-tag 0x41424344 "$DRAIN"
	assert_line 'reassemble: trace of 9 bytes from 1 chunk + terminal'
	run -2 "$WPROFCK" frames --chunk-tag ABCD --trace-tag ABCD "$DRAIN"
	assert_line -n 0 'wprofck: frames: --trace-tag and --chunk-tag must differ'
}

@test "frames --json: one valid object per frame, then one summary, fields as built" {
	cp "$P/small" "$DRAIN"
	frame_text ABCD 'pad' -p 3
	frame WPRC "$P/c2" -C
	frame_text SOUT 'torn' -l 10
	run -1 "$WPROFCK" frames "$DRAIN"
	end=$(printf '%s\n' "$output" | sed -n 's/^end: //p')
	assert_equal "$end" 'torn frame at offset 386: needs 10 bytes, has 4'
	run -1 wp_to "$GOT" frames --json "$DRAIN"
	assert_output ''
	jsonl_valid "$GOT"
	run -0 wc -l <"$GOT"
	assert_output 8
	# The stored CRCs, read back from the headers, are mkframe's zlib CRCs.
	assert_equal "$(le32hex "$DRAIN" 29)" "$(crc_of "$P/c1")"
	offs=(0 21 137 166 232)
	run -0 jq -r 'select(.summary | not) |
	    [.index, .offset, .tag, .type, .name, .length, .crc_ok, .crc,
	    .crc_computed, .pad] | @tsv' "$GOT"
	assert_output "$(
	    for i in 0 1 2 3 4; do
		off=${offs[$i]}
		crc=0x$(le32hex "$DRAIN" $((off + 8)))
		case $i in
		0) set -- SOUT $((0x534F5554)) Stdout 5 ;;
		1) set -- WPRC $((0x57505243)) WprofTraceChunk 100 ;;
		2) set -- SCLG $((0x53434C47)) SchedLog 13 ;;
		3) set -- WPRF $((0x57505246)) WprofTrace 50 ;;
		4) set -- SOUT $((0x534F5554)) Stdout 3 ;;
		esac
		printf '%s\t%s\t%s\t%s\t%s\t%s\ttrue\t%s\t%s\t0\n' "$i" "$off" \
		    "$@" "$crc" "$crc"
	    done
	    printf '5\t251\tABCD\t%s\tunknown\t3\ttrue\t0x%s\t0x%s\t3\n' \
		$((0x41424344)) "$(le32hex "$DRAIN" 259)" "$(le32hex "$DRAIN" 259)"
	    printf '6\t270\tWPRC\t%s\tWprofTraceChunk\t100\tfalse\t0x%s\t0x%s\t0\n' \
		$((0x57505243)) "$(le32hex "$DRAIN" 278)" "$(crc_of "$P/c2")")"
	want=$(jq -nc --arg endmsg "$end" '{summary: true, frames: 7,
	    bytes: 386,
	    types: [
		{tag: "SOUT", name: "Stdout", frames: 2, bytes: 8},
		{tag: "WPRC", name: "WprofTraceChunk", frames: 2, bytes: 200},
		{tag: "SCLG", name: "SchedLog", frames: 1, bytes: 13},
		{tag: "WPRF", name: "WprofTrace", frames: 1, bytes: 50},
		{tag: "ABCD", name: "unknown", frames: 1, bytes: 3}],
	    bad_crc: 1, nonzero_pad: 1, "end": "torn_frame", end_offset: 386,
	    end_message: $endmsg, reassemble: "ok", trace_bytes: 150, chunks: 1,
	    reassemble_message: "trace of 150 bytes from 1 chunk + terminal"}')
	run -0 jq -r --argjson want "$want" 'select(.summary) |
	    if . == $want then "as expected" else . end' "$GOT"
	assert_output "as expected"
	run -0 jq -r '.summary // false' "$GOT"
	assert_output "$(printf 'false\n%.0s' 1 2 3 4 5 6 7; echo true)"
}

@test "frames --json: verdict and end codes for no terminal, torn, empty and each stop" {
	frame WPRC "$P/c1"
	run -0 wp_to "$GOT" frames --json "$DRAIN"
	run -0 jq -r 'select(.summary) | "\(.end) \(.end_offset) \(.reassemble) \(.trace_bytes) \(.chunks)"' "$GOT"
	assert_output 'clean 116 no_terminal 0 1'

	new_drain
	frame WPRC "$P/c1" -C
	frame WPRF "$P/t"
	run -1 wp_to "$GOT" frames --json "$DRAIN"
	run -0 jq -r 'select(.summary) | "\(.reassemble) \(.reassemble_message)"' "$GOT"
	assert_output --regexp '^torn torn trace: WprofTraceChunk frame 0 at offset 0 '

	new_drain
	frame WPRF "$P/empty"
	run -0 wp_to "$GOT" frames --json "$DRAIN"
	run -0 jq -r 'select(.summary) | .reassemble' "$GOT"
	assert_output empty

	new_drain
	frame WPRF "$P/t"
	printf 'abc' >>"$DRAIN"
	run -1 wp_to "$GOT" frames --json "$DRAIN"
	run -0 jq -r 'select(.summary) | "\(.end) \(.end_offset) \(.end_message)"' "$GOT"
	assert_output 'partial_header 66 partial header: 3 bytes at offset 66'

	new_drain
	frame WPRF "$P/t" -l 4294967295
	run -1 wp_to "$GOT" frames --json "$DRAIN"
	run -0 jq -r 'select(.summary) | "\(.frames) \(.end) \(.end_offset) \(.end_message)"' "$GOT"
	assert_output '0 oversized_frame 0 oversized frame at offset 0: length 4294967295 over the cap 16777216'
}

@test "frames: trouble: a missing dump, two dumps, an unknown option, a full disk" {
	run -2 "$WPROFCK" frames "$BATS_TEST_TMPDIR/nope"
	assert_output "wprofck: frames: $BATS_TEST_TMPDIR/nope: No such file or directory"
	run -2 "$WPROFCK" frames "$P/empty" "$P/empty"
	assert_line --index 0 --regexp "^wprofck: (frames: )?extra operand '$P/empty'\$"
	assert_line --index 1 --regexp '^usage: wprofck frames '
	run -2 "$WPROFCK" frames --bogus
	assert_output --partial 'usage: wprofck frames '
	run -2 wp_to /dev/full frames "$P/small"
	assert_output 'wprofck: frames: write error on standard output: No space left on device'
	run -2 wp_to /dev/full frames --json "$P/small"
	assert_output 'wprofck: frames: write error on standard output: No space left on device'
}
