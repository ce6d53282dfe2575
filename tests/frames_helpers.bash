# Helpers for 40-frames, 41-extract and 42-split, loaded after common.bash.
# Expected results are computed here from the bytes fed in, with mkframe
# (which calls zlib itself), od and gzip, never with wprofck.

# le32hex FILE OFFSET: the little-endian u32 at OFFSET as 8 hex digits,
# read byte by byte so that the host's byte order does not matter.
le32hex() {
	od -An -v -tx1 -j "$2" -N 4 -- "$1" |
	    awk '{ printf "%s%s%s%s\n", $4, $3, $2, $1 }'
}

# le32hex_bytes HEX8: the 8 hex digits as the 4 bytes little-endian would
# write them, "aa bb cc dd".
le32hex_bytes() {
	printf '%s %s %s %s\n' "${1:6:2}" "${1:4:2}" "${1:2:2}" "${1:0:2}"
}

# split_count BYTES CAP: sets NFRAMES to how many frames a trace of BYTES
# makes at CAP: max(1, ceil(BYTES / CAP)).
split_count() {
	NFRAMES=$((($1 + $2 - 1) / $2))
	if [ "$NFRAMES" -eq 0 ]; then
		NFRAMES=1
	fi
}

# expect_split IN BYTES CAP OUT [CHUNKTAG [TRACETAG]]: the frames the guest
# would send for the trace IN of BYTES bytes, built slice by slice with
# mkframe: every frame but the last a chunk of exactly CAP bytes, the last
# the terminal.
expect_split() {
	local in=$1 b=$2 cap=$3 out=$4 ct=${5:-WPRC} tt=${6:-WPRF}
	local i tag
	split_count "$b" "$cap"
	: >"$out"
	for ((i = 0; i < NFRAMES; i++)); do
		tag=$ct
		if [ "$i" -eq $((NFRAMES - 1)) ]; then
			tag=$tt
		fi
		dd if="$in" bs="$cap" skip="$i" count=1 iflag=fullblock \
		    status=none |
		    "$MKFRAME" -t "$tag" >>"$out" || return
	done
}

# expect_list BYTES CAP [CHUNKTAG [TRACETAG]]: "tag length" per frame.
expect_list() {
	local b=$1 cap=$2 ct=${3:-WPRC} tt=${4:-WPRF}
	local i
	split_count "$b" "$cap"
	for ((i = 0; i < NFRAMES - 1; i++)); do
		echo "$ct $cap"
	done
	echo "$tt $((b - (NFRAMES - 1) * cap))"
}

# row INDEX OFFSET TAG NAME LENGTH CRC [EXTRA]: one line of the frames
# table, laid out as cmd/frames.c prints it.
row() {
	printf '%7s %12s  %-16s %-17s %9s  %s%s\n' "$1" "$2" "$3" "$4" "$5" \
	    "$6" "${7:+  $7}"
}

# table_head: the header line of the frames table.
table_head() {
	printf '%7s %12s  %-16s %-17s %9s  %s\n' index offset tag name length \
	    crc
}

# type_line TAG NAME FRAMES BYTES: one per-type line of the summary.
type_line() {
	local unit=frames bytes=bytes
	[ "$3" != 1 ] || unit=frame
	[ "$4" != 1 ] || bytes=byte
	printf '  %-16s %-17s %7s %-6s %12s %s\n' "$1" "$2" "$3" "$unit" "$4" "$bytes"
}

# bad_crc DRAIN OFFSET PAYLOAD: the BAD verdict for the frame at OFFSET,
# its stored CRC read back from the header and the CRC of PAYLOAD.
bad_crc() {
	printf 'BAD (stored 0x%s, computed 0x%s)' "$(le32hex "$1" $(($2 + 8)))" \
	    "$(crc_of "$3")"
}

# printable_only FILE: succeeds when FILE holds only printable ASCII and
# newlines; otherwise prints the stray bytes.
printable_only() {
	local stray
	stray=$(LC_ALL=C tr -d '\n\040-\176' <"$1" | od -An -c)
	if [ -n "$stray" ]; then
		echo "raw bytes in $1: $stray"
		return 1
	fi
}

# jsonl_valid FILE: FILE is not empty and every line of it is one JSON
# object: jq reads the lines as strings and parses each on its own.
jsonl_valid() {
	[ -s "$1" ] || { echo "$1 is empty"; return 1; }
	jq -R -n -e '[inputs | fromjson | type == "object"] | all' "$1" \
	    >/dev/null
}

# mem_limit_ok KB: whether wprofck starts at all under ulimit -v KB (it
# does not under ASan, which reserves terabytes of address space).
mem_limit_ok() {
	(ulimit -v "$1" && "$WPROFCK" --help) >/dev/null 2>&1
}

# wp_pipe IN OUT ARGS...: as wp_in, with IN through a pipe (cat IN |).
wp_pipe() {
	local in=$1 out=$2
	shift 2
	cat -- "$in" | "$WPROFCK" "$@" >"$out"
}

# wp_dribble BS IN OUT ARGS...: as wp_pipe, IN written BS bytes at a time.
wp_dribble() {
	local bs=$1 in=$2 out=$3
	shift 3
	dd if="$in" bs="$bs" status=none | "$WPROFCK" "$@" >"$out"
}

# wp_limited KB OUT ARGS...: as wp_to, under ulimit -v KB.
wp_limited() {
	local kb=$1 out=$2
	shift 2
	(ulimit -v "$kb" && exec "$WPROFCK" "$@") >"$out"
}
