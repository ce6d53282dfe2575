# Loaded by every suite: bats-support, bats-assert, the binaries under test
# and helpers that build drain dumps. $B names the build directory (build by
# default); WPROFCK, MKFRAME and MKPB may be set to other binaries.

bats_require_minimum_version 1.5.0

# The same as `load /usr/lib/bats/bats-support/load` and bats-assert/load,
# minus the dirname(1) those run once per file: about 15 forks per test,
# which made up most of the suites' run time.
_wp_bats_lib() {
	local f
	if [ -d "/usr/lib/bats/$1/src" ]; then
		for f in "/usr/lib/bats/$1"/src/*.bash; do
			# shellcheck disable=SC1090
			source "$f"
		done
	else
		load "/usr/lib/bats/$1/load"
	fi
}
_wp_bats_lib bats-support
_wp_bats_lib bats-assert

: "${B:=build}"
case $B in
/*) _wp_build=$B ;;
*) _wp_build=$BATS_TEST_DIRNAME/../$B ;;
esac
: "${WPROFCK:=$_wp_build/wprofck}"
: "${MKFRAME:=$_wp_build/tests/mkframe}"
: "${MKPB:=$_wp_build/tests/mkpb}"
export WPROFCK MKFRAME MKPB
TESTS=$BATS_TEST_DIRNAME

# The dump that frame() appends to; new_drain points it elsewhere. In
# setup_file there is no BATS_TEST_TMPDIR yet.
DRAIN=${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}/drain

# frame TAG FILE [mkframe options...]: appends one frame whose payload is
# FILE to $DRAIN. Sets FRAME_OFF to the offset of its header and FRAME_IDX
# to its index, counting every frame() call since the last new_drain.
frame() {
	local tag=$1 file=$2
	shift 2
	FRAME_OFF=$(fsize "$DRAIN")
	FRAME_IDX=$((${FRAME_IDX--1} + 1))
	"$MKFRAME" -t "$tag" "$@" "$file" >>"$DRAIN"
}

# frame_text TAG TEXT [mkframe options...]: the same with a text payload.
frame_text() {
	local tag=$1 text=$2
	shift 2
	printf '%s' "$text" >"$DRAIN.text"
	frame "$tag" "$DRAIN.text" "$@"
}

# new_drain [PATH]: starts an empty dump at PATH (default: drain in the
# test's temporary directory) and makes it $DRAIN.
new_drain() {
	DRAIN=${1:-${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}/drain}
	: >"$DRAIN"
	unset FRAME_IDX
	FRAME_OFF=0
}

# small_drain DIR [TEXT]: DIR/c1 (4096 random bytes) and DIR/t (1000)
# as the trace DIR/trace, and the drain DIR/drain of a chunk, a Stdout
# frame of TEXT when given, and the terminal frame.
small_drain() {
	randfile "$1/c1" 4096 1
	randfile "$1/t" 1000 3
	new_drain "$1/drain"
	frame WPRC "$1/c1"
	[ $# -lt 2 ] || frame_text SOUT "$2"
	frame WPRF "$1/t"
	cat "$1/c1" "$1/t" >"$1/trace"
}

# fsize FILE: its size in bytes, 0 when it does not exist.
fsize() {
	if [ -e "$1" ]; then
		stat -c %s -- "$1"
	else
		echo 0
	fi
}

# randfile PATH SIZE [SEED]: SIZE bytes that depend only on SEED: the 256
# byte values, then the numbers from SEED up, their digits mapped to binary
# bytes, so there is no repeating period (a chunk that moved or went missing
# changes the result).
randfile() {
	{
		all_bytes
		seq "$((${3:-1} * 1000003))" 4000000000 |
		    tr '0-9\n' '\000\377\012\200\001a\033\177\n\376\015'
	} | head -c "$2" >"$1"
}

# all_bytes: the 256 byte values in order.
all_bytes() {
	# shellcheck disable=SC2059
	printf "$(awk 'BEGIN { for (i = 0; i < 256; i++) printf "\\%03o", i }')"
}

# crc_of FILE: the zlib CRC-32 of FILE as 8 lowercase hex digits, taken
# from gzip's trailer so that it does not depend on the code under test.
crc_of() {
	gzip -c <"$1" | tail -c 8 | head -c 4 | od -An -tx1 |
	    awk '{ printf "%s%s%s%s\n", $4, $3, $2, $1 }'
}

# hexdump_of FILE [SKIP [COUNT]]: bytes as lowercase hex pairs, one line.
hexdump_of() {
	od -An -v -tx1 ${2:+-j "$2"} ${3:+-N "$3"} -- "$1" | tr -s ' \n' ' ' |
	    sed 's/^ //; s/ $//'
}

# mktrace PATH PACKETS [FIRST]: a Perfetto-shaped trace: PACKETS top-level
# records 0a 05 | 40 ts(2-byte varint) 50 07, i.e. a TracePacket with a
# timestamp (field 8) and trusted_packet_sequence_id 7 (field 10), 7 bytes
# each. FIRST, given as three octal digits, replaces the leading byte.
mktrace() {
	sh "$TESTS/data/make-sample.sh" -T "$2" "$1" || return
	if [ -n "${3:-}" ]; then
		# shellcheck disable=SC2059
		{ printf "\\$3"; tail -c +2 "$1"; } >"$1.tmp" && mv "$1.tmp" "$1"
	fi
}

# wp_to OUT ARGS...: runs wprofck ARGS with standard output into OUT, so
# that `run` sees standard error alone and binary output stays intact.
wp_to() {
	local out=$1
	shift
	"$WPROFCK" "$@" >"$out"
}

# wp_in IN OUT ARGS...: as wp_to, with standard input from IN.
wp_in() {
	local in=$1 out=$2
	shift 2
	"$WPROFCK" "$@" <"$in" >"$out"
}

# ls_dir DIR: the names in DIR, hidden ones included, one line.
ls_dir() {
	ls -A "$1" | tr '\n' ' ' | sed 's/ $//'
}
