#!/usr/bin/env bats
# wprofck check --deep (issue 3): the walk of a Perfetto Trace. Every trace
# is made here by mkpb: an opening of five packets (OPEN bytes, packets 0 to
# 4, the last one the START track event at timestamp 0 with interned_data),
# then body packet i (packet 5 + i) of exactly 64 bytes at offset
# OPEN + 64 i: 0a 3e, 40 + a 5-byte timestamp 1000000000 + 1000 i, 50 07,
# 5a 34 + a 52-byte track_event. Damage named by mkpb -X goes into body
# packet -p after those 62 bytes, at OPEN + 64 p + 64, or for field2 as a
# record before it.

load common

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	"$MKPB" -n 0 >"$P/opening.pb"
	OPEN=$(fsize "$P/opening.pb")
	export OPEN
	"$MKPB" -n 100 -m "$P/good.map" >"$P/good.pb"
	GOOD=$(fsize "$P/good.pb")
	export GOOD
}

setup() {
	T=$BATS_TEST_TMPDIR/t.wprof.pb
	OFF50=$((OPEN + 64 * 50))
}

# The column header of check, deep by default.
DEEP_H='RESULT  SIZE PACKETS     SPAN  PATH'

# detail [N]: the failure's detail in $output, below the result line on
# line N (default 2: below the header), its wrapped lines joined again.
detail() {
	printf '%s\n' "$output" | awk -v n="${1:-2}" 'NR > n && /^    / {
		sub(/^    /, ""); d = d (d == "" ? "" : " ") $0; next }
	    NR > n { exit } END { print d }'
}

# deep_fail MESSAGE: check of $T (deep by default) fails with exit 1, and
# the detail below its line starts with MESSAGE.
deep_fail() {
	local d
	run -1 "$WPROFCK" check "$T"
	assert_line -n 0 "$DEEP_H"
	assert_line -n 1 --regexp "^FAIL +[^ ]+ +- +- +$T\$"
	d=$(detail)
	[[ $d == "$1"* ]] || fail "detail: $d"
	refute_output --partial passed
	run -1 "$WPROFCK" check --deep "$T"
	[ "$(detail)" = "$d" ]
}

# damaged KIND: $T is the good trace with damage KIND in body packet 50.
damaged() {
	"$MKPB" -n 100 -p 50 -X "$1" >"$T"
}

# field NAME...: the values of the keys NAME in the JSON line of
# check --deep $T (with --min-size $MIN, default 4096), on one line.
field() {
	local keys
	keys=$(printf ', .%s' "$@")
	"$WPROFCK" check --deep --json --min-size "${MIN:-4096}" "$T" |
	    jq -r "select(.path) | [${keys#, }] | map(tostring) | join(\" \")"
}

# varint_hex N: the protobuf varint of N as hex pairs.
varint_hex() {
	local n=$1 out=
	while [ "$n" -ge 128 ]; do
		out="$out $(printf '%02x' $((n % 128 + 128)))"
		n=$((n / 128))
	done
	printf '%s\n' "${out# } $(printf '%02x' "$n")" | sed 's/^ //'
}

@test "the opening made by mkpb is about 5 KB, and body packets 64 bytes" {
	[ "$OPEN" -gt 4096 ] && [ "$OPEN" -lt 6000 ]
	[ "$GOOD" -eq $((OPEN + 6400)) ]
	run -0 awk '$1 >= 5 { if ($2 != o + 64 * ($1 - 5) || $3 != 64) bad++ }
	    END { print NR, bad + 0 }' o="$OPEN" "$P/good.map"
	assert_output '105 0'
	run -0 hexdump_of "$P/good.pb" "$OFF50" 12
	assert_output "0a 3e 40 $(varint_hex $((1000000000 + 50 * 1000))) 50 07 5a 34"
	run -0 varint_hex 300
	assert_output 'ac 02'
}

@test "--deep: a complete trace passes with its packets and span" {
	run -0 "$WPROFCK" check "$P/good.pb"
	# 99 * 1000 ns between the first and the last body packet; the START
	# instant at 0 is left out. mkpb writes 101 instants (TrackEvent type
	# 3), num_cpus 4, no thread tracks and no ftrace.
	assert_output "$DEEP_H
$(printf '%-6s %5s %7s %8s  %s' ok 11K 105 '99.0 us' "$P/good.pb")
packets: 105 in 1 trace: 101 track_event, 1 clock_snapshot, 1 system_info,
    1 trace_attributes, 1 trace_uuid; 1 reference resolved
content: 0 threads in 0 processes, 0 ftrace cpus (4 in system_info); 0 slices
    begun, 0 ended, 101 instants, 0 counters, 0 ftrace events, 0 sched_switch, 0
    sched_waking; any Perfetto release reads it"
}

@test "--deep --json: the figures of a complete trace" {
	cp "$P/good.pb" "$T"
	run -0 field ok size reason packets sequences sequences_capped \
	    track_event interned_data track_descriptor
	assert_output "true $GOOD null 105 1 false 101 1 0"
	run -0 field ts_min ts_max span_ns note
	assert_output "1000000000 $((1000000000 + 99 * 1000)) $((99 * 1000)) null"
}

@test "--deep: descriptors, interned data, sequences, unordered timestamps" {
	# 20 body packets, every 4th a track_descriptor (i = 3, 7, 11, 15,
	# 19), ids 7, 8, 9 in turn, timestamps 5000 + 1500000 i written from
	# the last down, and a last interned_data packet without timestamp.
	"$MKPB" -n 20 -D 4 -S 3 -R -T -t 5000 -d 1500000 -s 100 >"$T"
	run -0 field packets track_event track_descriptor interned_data \
	    sequences ts_min ts_max
	assert_output "26 16 5 2 3 5000 $((5000 + 19 * 1500000))"
}

@test "--deep: the span runs from the earliest to the latest timestamp" {
	# No opening: 11 packets at 5000 + 1500000 i, the latest written first.
	"$MKPB" -O -R -n 11 -t 5000 -d 1500000 >"$T"
	MIN=0
	run -0 field ts_min ts_max span_ns
	assert_output '5000 15005000 15000000'
	run -0 "$WPROFCK" check --deep --min-size 0 "$T"
	assert_line -n 1 "$(printf '%-6s %5s %7s %8s  %s' ok 704B 11 '15.0 ms' "$T")"
}

@test "--deep: spans are shown in ns, us, ms, s, minutes and hours" {
	for span in 999:'999 ns' 1500:'1.5 us' 2500000:'2.5 ms' \
	    12340000000:'12.34 s' 754000000000:'12m34s' 7260000000000:'2h01m'; do
		"$MKPB" -O -n 2 -t 1000 -d "${span%%:*}" >"$T"
		run -0 "$WPROFCK" check --deep --min-size 0 "$T"
		assert_line -n 1 --regexp "^ok +128B +2 +${span#*:}  $T\$"
	done
}

@test "--deep: up to 64 sequence ids are counted exactly" {
	"$MKPB" -n 100 -S 64 >"$T"
	run -0 field sequences sequences_capped
	assert_output '64 false'
}

@test "--deep: past 64 sequence ids the count is a floor of 65, capped" {
	"$MKPB" -n 100 -S 65 >"$T"
	run -0 field sequences sequences_capped
	assert_output '65 true'
	"$MKPB" -n 300 -S 300 >"$T"
	run -0 field sequences sequences_capped
	assert_output '65 true'
}

@test "--deep: no track event after the opening is a note, not a failure" {
	cp "$P/opening.pb" "$T"
	run -0 "$WPROFCK" check --deep "$T"
	# Its only timestamp is the START instant at 0, which spans nothing.
	assert_line -n 1 --regexp "^ok +[^ ]+ +5 +-  $T \\(no track events after the opening\\)\$"
	run -0 field track_event note
	assert_output '1 no track events after the opening'
}

@test "--deep: the shape rules still come first" {
	head -c 4095 "$P/good.pb" >"$T"
	run -1 "$WPROFCK" check --deep "$T"
	assert_line -n 2 '    too small: 4095 bytes, the minimum is 4096'
	{ printf '\013'; tail -c +2 "$P/good.pb"; } >"$T"
	run -1 "$WPROFCK" check --deep "$T"
	assert_line -n 2 '    bad leading byte 0x0b'
}

@test "--deep: a small whole trace passes when --min-size allows it" {
	"$MKPB" -O -n 10 >"$T"
	run -1 "$WPROFCK" check --deep "$T"
	assert_line -n 2 '    too small: 640 bytes, the minimum is 4096'
	run -0 "$WPROFCK" check --deep --min-size 0 "$T"
}

@test "--shape: a trace cut in the middle passes the shape check only" {
	head -c "$((OFF50 + 30))" "$P/good.pb" >"$T"
	run -0 "$WPROFCK" check --shape "$T"
	run -1 "$WPROFCK" check "$T"
	run -1 "$WPROFCK" check --deep "$T"
	run -1 "$WPROFCK" check --shape --deep "$T"
	run -0 "$WPROFCK" check --deep --shape "$T"
}

# Truncation

@test "truncated inside a packet: offset, index, bytes missing" {
	head -c "$((OFF50 + 30))" "$P/good.pb" >"$T"
	deep_fail "truncated: packet 55 at offset $OFF50 claims 62 bytes, 28 are there, 34 missing"
}

@test "truncated by one byte at the end: the last packet misses 1 byte" {
	head -c "$((GOOD - 1))" "$P/good.pb" >"$T"
	deep_fail "truncated: packet 104 at offset $((GOOD - 64)) claims 62 bytes, 61 are there, 1 missing"
}

@test "truncated inside a length varint" {
	# Packets of 2048 bytes: 0a, a 2-byte length 2045, the body.
	"$MKPB" -n 10 -s 2048 >"$P/2k.pb"
	off=$((OPEN + 5 * 2048))
	run -0 hexdump_of "$P/2k.pb" "$off" 3
	assert_output '0a fd 0f'
	head -c "$((off + 2))" "$P/2k.pb" >"$T"
	deep_fail "truncated: the file ends inside the length of packet 10 at offset $off"
}

@test "truncated after the tag of a packet: its length is missing" {
	head -c "$((OFF50 + 1))" "$P/good.pb" >"$T"
	deep_fail "truncated: the file ends inside the length of packet 55 at offset $OFF50"
}

@test "truncated exactly at a packet boundary: passes, the count tells" {
	head -c "$OFF50" "$P/good.pb" >"$T"
	run -0 "$WPROFCK" check --deep "$T"
	[ "$(field packets)" -eq 55 ]
}

@test "truncated at a packet boundary before 4096 bytes: the size tells" {
	end3=$(awk '$1 == 3 { print $2 + $3 }' "$P/good.map")
	head -c "$end3" "$P/good.pb" >"$T"
	run -1 "$WPROFCK" check --deep "$T"
	assert_line -n 2 "    too small: $end3 bytes, the minimum is 4096"
	run -0 "$WPROFCK" check --deep --min-size 0 "$T"
	[ "$(MIN=0 field packets)" -eq 4 ]
}

# One bit flipped in the length of packet 55, 0x3e (62).

@test "a length one bit shorter (62 -> 60) cuts the track_event short" {
	# 5a 34 at offset +10: 52 bytes claimed, 60 - 10 = 50 left.
	"$MKPB" -n 100 -f "$((OFF50 + 1)):1" >"$T"
	run -0 hexdump_of "$T" "$((OFF50 + 1))" 1
	assert_output '3c'
	deep_fail "malformed packet 55: field 11, wire type 2, at offset $((OFF50 + 10)): the value runs past the end of the packet (52 bytes, 50 left)"
}

@test "a length one bit longer (62 -> 63) leaves a tag without its length" {
	"$MKPB" -n 100 -f "$((OFF50 + 1)):0" >"$T"
	deep_fail "malformed packet 55: field 1, wire type 2, at offset $((OFF50 + 64)): the length runs past the end of the packet"
}

@test "a length with its high bit set (0xbe 0x40 = 8254) runs past the end" {
	"$MKPB" -n 100 -f "$((OFF50 + 1)):7" >"$T"
	there=$((GOOD - OFF50 - 3))
	deep_fail "truncated: packet 55 at offset $OFF50 claims 8254 bytes, $there are there, $((8254 - there)) missing"
}

@test "a length 64 bytes longer (62 -> 126) swallows the next packet" {
	# protoc reads the next packet's tag and length as field 1 of this
	# one, an FtraceEventBundle; it holds no cpu, so trace_processor
	# drops it (ftrace_tokenizer.cc:121-126 at v58.2).
	"$MKPB" -n 100 -f "$((OFF50 + 1)):6" >"$T"
	run -1 "$WPROFCK" check --deep "$T"
	[ "$(field reason)" = ftrace_no_cpu ]
	[ "$(field packet)" -eq 55 ]
}

# What is not a packet

@test "a top-level field 2 is not a trace: field, wire type, offset" {
	damaged field2
	run -0 hexdump_of "$T" "$OFF50" 4
	assert_output '12 02 68 69'
	deep_fail "not a trace: top-level field 2, wire type 2, at offset $OFF50 where packet 55 should start"
	assert_output --partial 'not_a_trace: a trace holds only field 1 with wire type 2 at its top'
	[ "$(detail)" = "not a trace: top-level field 2, wire type 2, at offset $OFF50 where packet 55 should start" ]
	run -0 field reason offset packet
	assert_output "not_a_trace $OFF50 55"
}

@test "trailing zero bytes are trailing bytes" {
	"$MKPB" -n 100 -a 00000000 >"$T"
	deep_fail "trailing bytes: 4 bytes at offset $GOOD, after 105 packets, are not a packet: field number 0 does not exist"
	[ "$(field reason)" = trailing_bytes ]
}

@test "trailing text garbage is trailing bytes" {
	{ cat "$P/good.pb"; printf 'garbage'; } >"$T"
	# 'g' is 0x67: field 12 with wire type 7, which does not exist.
	deep_fail "trailing bytes: 7 bytes at offset $GOOD, after 105 packets, are not a packet: wire types 6 and 7 do not exist"
}

@test "trailing bytes that read as another field are not a trace" {
	{ cat "$P/good.pb"; printf 'hi'; } >"$T"
	# 'h' is 0x68: field 13, wire type 0, then the varint 'i'.
	deep_fail "not a trace: top-level field 13, wire type 0, at offset $GOOD where packet 105 should start"
}

@test "trailing bytes that start like a packet are a truncated packet" {
	{ cat "$P/good.pb"; printf '\n\177abc'; } >"$T"
	deep_fail "truncated: packet 105 at offset $GOOD claims 127 bytes, 3 are there, 124 missing"
}

@test "a packet tag written in two bytes (8a 00) is still a packet" {
	damaged nonminimal
	run -0 hexdump_of "$T" "$OFF50" 3
	assert_output '8a 00 3e'
	run -0 "$WPROFCK" check --deep "$T"
	[ "$(field packets)" -eq 105 ]
}

@test "an empty packet (0a 00) is a packet" {
	damaged emptypkt
	run -0 "$WPROFCK" check --deep "$T"
	run -0 field packets track_event
	assert_output '105 100'
}

# Varints

@test "a packet length of 11 bytes is a bad varint" {
	damaged longlen
	run -0 hexdump_of "$T" "$OFF50" 12
	assert_output '0a be 80 80 80 80 80 80 80 80 80 00'
	deep_fail "bad varint: packet 55 at offset $OFF50: the packet length is longer than 10 bytes"
	[ "$(field reason)" = bad_varint ]
}

@test "a timestamp of 11 bytes is a bad varint" {
	damaged longts
	deep_fail "bad varint: field 8 of packet 55 at offset $((OFF50 + 65)): the value is longer than 10 bytes"
}

@test "a timestamp of 10 bytes with bits past 64 passes, as protoc reads it" {
	# protoc drops the bits past 64 of a tenth byte: not an error.
	damaged bigts
	run -0 "$WPROFCK" check --deep "$T"
}

@test "a field tag of 11 bytes is a bad varint" {
	# A tag is 32 bits: protoc reads at most 5 bytes of it.
	damaged longtag
	deep_fail "bad varint: packet 55 at offset $((OFF50 + 64)): the field tag is longer than 5 bytes"
}

# Fields inside a packet

@test "nested groups are well-formed; a timestamp inside is not the packet's" {
	damaged groups
	run -0 "$WPROFCK" check --deep "$T"
	run -0 field packets ts_max
	assert_output "105 $((1000000000 + 99 * 1000))"
}

@test "a group closed inside another group is a malformed packet" {
	damaged badgroup
	deep_fail "malformed packet 55: field 100, wire type 4, at offset $((OFF50 + 68)): the group ends inside another group"
	run -0 field reason offset packet
	assert_output "malformed_packet $((OFF50 + 68)) 55"
}

@test "a group still open at the end of the packet is a malformed packet" {
	damaged opengroup
	deep_fail "malformed packet 55: field 100, wire type 3, at offset $((OFF50 + 69)): the group is not closed at the end of the packet"
}

@test "a group end without a start is a malformed packet" {
	damaged strayend
	deep_fail "malformed packet 55: field 100, wire type 4, at offset $((OFF50 + 64)): the group ends but never started"
}

@test "groups nested 101 deep are a malformed packet" {
	# 62 + 404 bytes: the length takes 2 bytes, the groups start at +65.
	# The packet is the first of protobuf's 100 levels: group 100 fails.
	damaged deepgroups
	deep_fail "malformed packet 55: field 100, wire type 3, at offset $((OFF50 + 263)): messages and groups nest deeper than 100"
}

@test "wire type 6 is a malformed packet" {
	damaged wt6
	deep_fail "malformed packet 55: field 100, wire type 6, at offset $((OFF50 + 64)): wire types 6 and 7 do not exist"
}

@test "field number 0 is a malformed packet" {
	damaged field0
	deep_fail "malformed packet 55: at offset $((OFF50 + 64)): field number 0 does not exist"
}

@test "field number 2^29 is a malformed packet" {
	damaged bigfield
	deep_fail "malformed packet 55: at offset $((OFF50 + 64)): the field number is above 536870911"
}

@test "a length-delimited field longer than its packet is a malformed packet" {
	damaged fieldlen
	deep_fail "malformed packet 55: field 100, wire type 2, at offset $((OFF50 + 64)): the value runs past the end of the packet (5 bytes, 4 left)"
}

@test "a fixed64 cut by the end of its packet is a malformed packet" {
	damaged fixed
	deep_fail "malformed packet 55: field 100, wire type 1, at offset $((OFF50 + 64)): the value runs past the end of the packet (8 bytes, 4 left)"
}

@test "fixed64 and fixed32 fields inside their packet are well-formed" {
	damaged fixedok
	run -0 "$WPROFCK" check --deep "$T"
}

@test "a tag cut by the end of its packet is a malformed packet" {
	damaged tagend
	deep_fail "malformed packet 55: at offset $((OFF50 + 64)): a field tag runs past the end of the packet"
}

@test "a varint cut by the end of its packet is a malformed packet" {
	damaged varend
	deep_fail "malformed packet 55: field 8, wire type 0, at offset $((OFF50 + 64)): the value runs past the end of the packet"
}

# Reading in blocks: the walk reads 1 MiB at a time.

@test "--deep: packets of many sizes across 1 MiB block boundaries" {
	for s in 20 61 63 64 65 67 100 129 2047 2049 70001; do
		n=$((1572864 / s))
		"$MKPB" -O -n "$n" -s "$s" >"$T"
		[ "$(fsize "$T")" -eq $((n * s)) ]
		MIN=0
		[ "$(field packets)" = "$n" ]
	done
}

@test "--deep: a bad varint across a block boundary is found where it is" {
	# Packet p of s bytes at s p (no opening) holds an 11-byte varint at
	# s p + s + 1; pick s and p so that it spans offset 1048576.
	for s in $(seq 60 117); do
		p=$(((1048576 - s - 2) / s))
		v=$((s * p + s + 1))
		[ "$v" -lt 1048576 ] && [ $((v + 11)) -gt 1048576 ] && break
	done
	[ "$v" -lt 1048576 ] && [ $((v + 11)) -gt 1048576 ]
	"$MKPB" -O -n $((p + 100)) -s "$s" -p "$p" -X longts >"$T"
	run -1 "$WPROFCK" check --deep --min-size 0 "$T"
	[[ "$(detail)" == "bad varint: field 8 of packet $p at offset $v: the value is longer than 10 bytes"* ]]
}

@test "--deep: a damaged packet right after a block boundary" {
	"$MKPB" -O -n 20000 -s 64 -p 16384 -X strayend >"$T"
	run -1 "$WPROFCK" check --deep --min-size 0 "$T"
	[[ "$(detail)" == "malformed packet 16384: field 100, wire type 4, at offset $((1048576 + 64)): the group ends but never started"* ]]
}

@test "--deep: a pipe is walked as it comes" {
	head -c "$((OFF50 + 30))" "$P/good.pb" >"$T"
	run -1 bash -c 'cat "$1" | "$WPROFCK" check --deep /dev/stdin' _ "$T"
	assert_line -n 1 --regexp '^FAIL .* /dev/stdin$'
	[ "$(detail)" = "truncated: packet 55 at offset $OFF50 claims 62 bytes, 28 are there, 34 missing" ]
	run -0 bash -c 'cat "$1" | "$WPROFCK" check /dev/stdin' _ "$P/good.pb"
	assert_line -n 1 --regexp "^ok +11K +105 "
	cp "$P/good.pb" "$T"
	printf '\0\0' >>"$T"
	run -1 bash -c 'cat "$1" | "$WPROFCK" check --deep /dev/stdin' _ "$T"
	[[ "$(detail)" == "trailing bytes: 2 bytes at offset $GOOD, after 105 packets,"* ]]
}

# Over 4 GiB

G5=5368709120

# huge PATH: the good trace and one packet that ends at 5 GiB, made sparse
# by truncate; skips when the file system cannot hold it.
huge() {
	"$MKPB" -n 100 -H "$G5" -o "$1"
	truncate -s "$G5" "$1" 2>/dev/null || {
		rm -f "$1"
		skip "this file system cannot hold a 5 GiB sparse file"
	}
}

@test "--deep: a 5 GiB sparse trace passes; 64-bit lengths and offsets" {
	huge "$T"
	run -0 "$WPROFCK" check --deep "$T"
	assert_line -n 1 --regexp "^ok +5\\.0G +106 "
	run -0 field size packets
	assert_output "$G5 106"
	rm -f "$T"
}

@test "--deep: a 5 GiB trace one byte short is truncated past 4 GiB" {
	huge "$T"
	truncate -s "$((G5 - 1))" "$T"
	# 0a, a 5-byte length, then the body up to 5 GiB.
	len=$((G5 - GOOD - 6))
	deep_fail "truncated: packet 105 at offset $GOOD claims $len bytes, $((len - 1)) are there, 1 missing"
	rm -f "$T"
}

@test "--deep: a trace grown with zeros to 5 GiB has trailing bytes" {
	cp "$P/good.pb" "$T"
	truncate -s "$G5" "$T" 2>/dev/null || skip "no 5 GiB sparse file here"
	deep_fail "trailing bytes: $((G5 - GOOD)) bytes at offset $GOOD, after 105 packets, are not a packet: field number 0 does not exist"
	rm -f "$T"
}

@test "check --shape: a 5 GiB file passes the shape rules" {
	huge "$T"
	run -0 "$WPROFCK" check --shape "$T"
	assert_output "RESULT  SIZE  PATH
$(printf '%-6s %5s  %s' ok 5.0G "$T")"
	rm -f "$T"
}

# reassemble --check=deep uses the same walk and prints the same line.

@test "reassemble --check=deep: a cut trace is written, fails, exit 1" {
	head -c "$((OFF50 + 30))" "$P/good.pb" >"$BATS_TEST_TMPDIR/cut"
	new_drain
	frame WPRF "$BATS_TEST_TMPDIR/cut"
	run -1 wp_to /dev/null reassemble --check=deep -o "$T" "$DRAIN"
	assert_line -n 0 --regexp "^wprofck: reassemble: FAIL +[^ ]+ +- +- +$T\$"
	[ "$(detail 1)" = "truncated: packet 55 at offset $OFF50 claims 62 bytes, 28 are there, 34 missing" ]
	assert_line -n 3 --partial 'wprofck: reassemble: truncated: the file ends inside a packet'
	cmp "$BATS_TEST_TMPDIR/cut" "$T"
	run -1 wp_to /dev/null reassemble --check -o "$T" "$DRAIN"
	[ "$(detail 1)" = "truncated: packet 55 at offset $OFF50 claims 62 bytes, 28 are there, 34 missing" ]
	run -0 wp_to /dev/null reassemble --check=shape -o "$T" "$DRAIN"
}

@test "reassemble --check=deep: a whole trace passes with its figures" {
	new_drain
	frame WPRF "$P/good.pb"
	run -0 wp_to /dev/null reassemble --check=deep -o "$T" "$DRAIN"
	assert_output --regexp "^wprofck: reassemble: ok +11K +105 +99\\.0 us  $T\$"
}

@test "--deep from a pipe: a packet cut after its length is truncated, not a crash" {
	# Found by fuzz_pbwalk (tests/fuzz/corpus/pbwalk/
	# regress-stream-truncated-used-unset): the stream walk used a length
	# it had not set when the walk failed, and crashed.
	run -1 bash -c '"$MKPB" -O -n 4 -s 24 -c 50 |
	    "$WPROFCK" check --deep --min-size 0 /dev/stdin'
	assert_line -n 2 '    truncated: packet 2 at offset 48 claims 22 bytes, 0 are there, 22 missing'
}

# The schema walk and references (issue 9). Small traces are written byte
# by byte here; what protoc 3.21 says of the same bytes is in the comments.

@test "--deep: both real wprof traces pass with their packet counts" {
	# protoc --decode counts 16 and 9964 packets in them.
	T=$BATS_TEST_DIRNAME/data/wprof-1s-pid1.wprof.pb
	MIN=0
	run -0 field ok packets
	assert_output 'true 16'
	T=$BATS_TEST_DIRNAME/data/wprof-500ms-sha256sum.wprof.pb
	run -0 field ok packets track_event
	assert_output 'true 9964 9955'
}

@test "--deep: wire type 7 inside a TrackEvent is a malformed packet with its path" {
	# packet { track_event { 0x0f: field 1, wire type 7 } }; protoc fails.
	printf '\n\002Z\000\n\003Z\001\017' >"$T"
	run -1 "$WPROFCK" check --deep --min-size 0 "$T"
	[ "$(detail)" = "malformed packet 1: field 1, wire type 7, at offset 8: wire types 6 and 7 do not exist; in TracePacket.track_event(11) > TrackEvent.timestamp_delta_us(1)" ]
}

@test "--deep: invalid UTF-8 in a string is a malformed packet" {
	# track_event { name(23): "\xc0\x80" }; protoc logs an ERROR.
	printf '\n\007Z\005\272\001\002\300\200' >"$T"
	run -1 "$WPROFCK" check --deep --min-size 0 "$T"
	[ "$(detail)" = "malformed packet 0: field 23, wire type 2, at offset 4: the string is not valid UTF-8; in TracePacket.track_event(11) > TrackEvent.name(23)" ]
}

@test "--deep: an event name iid defined nowhere is missing_interned" {
	# track_event { name_iid: 5 } trusted_packet_sequence_id: 7
	# timestamp: 1
	printf '\n\010Z\002P\005P\007@\001' >"$T"
	run -1 "$WPROFCK" check --deep --min-size 0 "$T"
	[[ "$(detail)" == "missing interned data: event name iid 5 of sequence 7, first used by packet 0 at offset 4, is defined in no interned_data of that sequence (1 id missing in all); the packet that defines it was lost"* ]]
	MIN=0
	run -0 field reason
	assert_output 'missing_interned'
}

@test "--deep: a callstack iid defined nowhere: wprof's final stack packet" {
	# track_event { callstack_iid(56): 3 } trusted_packet_sequence_id: 7
	# timestamp: 1
	printf '\n\011Z\003\300\003\003P\007@\001' >"$T"
	run -1 "$WPROFCK" check --deep --min-size 0 "$T"
	[[ "$(detail)" == *"callstack iid 3 of sequence 7"*"wprof most likely stopped before it wrote its final stack packet, or the file was cut at a packet boundary" ]]
}

@test "--deep: defined after its use, in the same sequence, passes" {
	# packet 0 clears sequence 7 (sequence_flags 1), packet 1 uses event
	# name 5; packet 2: interned_data { event_names { iid: 5 } }, all on
	# sequence 7, the sequence id after the payload, packet 1's timestamp
	# last.
	printf '\n\004P\007h\001\n\010Z\002P\005P\007@\001\n\010b\004\022\002\010\005P\007' >"$T"
	run -0 "$WPROFCK" check --deep --min-size 0 "$T"
}

@test "--deep: a track uuid described by no TrackDescriptor is missing_track" {
	# track_event { track_uuid(11): 9 } trusted_packet_sequence_id: 7
	# timestamp: 1
	printf '\n\010Z\002X\011P\007@\001' >"$T"
	run -1 "$WPROFCK" check --deep --min-size 0 "$T"
	[[ "$(detail)" == "missing track: track uuid 9, first used by packet 0 at offset 4, is described by no TrackDescriptor (1 uuid missing in all)"* ]]
	MIN=0
	run -0 field reason
	assert_output 'missing_track'
	# track_descriptor(60) { uuid: 9 } makes it whole.
	printf '\n\005\342\003\002\010\011' >>"$T"
	run -0 "$WPROFCK" check --deep --min-size 0 "$T"
}
