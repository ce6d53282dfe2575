#!/bin/sh
# Regenerates tests/data/sample.drain, the dump that `make demo` reassembles,
# from the repository root:
#
#     make build/tests/mkframe && sh tests/data/make-sample.sh
#
# The trace is 1300 Perfetto records of 7 bytes (9100 bytes, first byte
# 0x0a): 0a 05, then a TracePacket with a timestamp (field 8, a two-byte
# varint) and trusted_packet_sequence_id 7 (field 10). It travels as a guest
# with a 4 KiB cap would send it: two 4096-byte WprofTraceChunk frames and a
# 908-byte WprofTrace frame, with Stdout, SchedLog and Exit frames between.
#
# usage: make-sample.sh [-m mkframe] [-t trace] [drain]
#        make-sample.sh -T packets file
# -t keeps the trace bytes in a file too; -T writes only a trace of that
# many packets (the suites use it).
set -eu

trace() {
	# $1 packets; timestamps wander so that they are not monotonic.
	# shellcheck disable=SC2059
	printf "$(awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++) {
			ts = 128 + (i * 7919) % 16000
			printf "\\012\\005\\100\\%03o\\%03o\\120\\007",
			    128 + ts % 128, int(ts / 128)
		}
	}')"
}

mkframe=build/tests/mkframe
keep=
while getopts m:t:T: opt; do
	case $opt in
	m) mkframe=$OPTARG ;;
	t) keep=$OPTARG ;;
	T) packets=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))

if [ -n "${packets:-}" ]; then
	[ $# -eq 1 ] || { echo "usage: make-sample.sh -T packets file" >&2; exit 2; }
	trace "$packets" >"$1"
	exit 0
fi
[ $# -le 1 ] || { echo "usage: make-sample.sh [-m mkframe] [-t trace] [drain]" >&2; exit 2; }
drain=${1:-tests/data/sample.drain}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trace 1300 >"$tmp/trace"
head -c 4096 "$tmp/trace" >"$tmp/c1"
tail -c +4097 "$tmp/trace" | head -c 4096 >"$tmp/c2"
tail -c +8193 "$tmp/trace" >"$tmp/last"
printf '\000\000\000\000' >"$tmp/exit"

{
	printf 'ktstr guest: wprof started\n' | "$mkframe" -t SOUT
	"$mkframe" -t WPRC "$tmp/c1"
	printf 'sched_ext: scx_simple enabled\n' | "$mkframe" -t SCLG
	"$mkframe" -t WPRC "$tmp/c2"
	printf 'step 1 done\n' | "$mkframe" -t SOUT
	"$mkframe" -t WPRF "$tmp/last"
	"$mkframe" -t EXIT "$tmp/exit"
} >"$tmp/drain"
mv "$tmp/drain" "$drain"
if [ -n "$keep" ]; then
	cp "$tmp/trace" "$keep"
fi
