#!/bin/sh
# Rebuilds the seed corpus of the fuzz targets under tests/fuzz/corpus/ from
# the suite's own tools (mkframe, mkpb, make-sample.sh), from the repository
# root:
#
#     make build/tests/mkframe build/tests/mkpb && sh tests/fuzz/mkcorpus.sh
#
# Every seed starts with the fixed prefix its target reads (see the comment
# at the top of each tests/fuzz/fuzz_*.c). Regression inputs (named
# regress-*) are kept as they are; only seed-* files are rewritten.
set -eu

B=${B:-build}
mkframe=$B/tests/mkframe
mkpb=$B/tests/mkpb
c=tests/fuzz/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Bytes as octal escapes for printf.
byte() { printf "\\$(printf %03o $(($1 & 255)))"; }
le16() { byte "$1"; byte $(($1 >> 8)); }
le32() { le16 $(($1 & 65535)); le16 $(($1 >> 16)); }
le64() { le32 $(($1 & 4294967295)); le32 $(($1 >> 32)); }

# reasm and split: mode cap chunk-tag trace-tag seed
pre15() { byte "$1"; le32 "$2"; le32 "$3"; le32 "$4"; le16 "$5"; }
# frames: mode cap seed skip-mask
pre8() { byte "$1"; le32 "$2"; le16 "$3"; byte "$4"; }

for t in reasm frames split opts pbwalk; do
	mkdir -p "$c/$t"
	rm -f "$c/$t"/seed-*
done

# A 280-byte trace of 40 records, split at a cap of 64 as the guest would.
sh tests/data/make-sample.sh -T 40 "$tmp/trace"
i=0
while [ $((i * 64)) -lt 280 ]; do
	tail -c +$((i * 64 + 1)) "$tmp/trace" | head -c 64 >"$tmp/s$i"
	i=$((i + 1))
done
printf 'step 1 done\n' | "$mkframe" -t SOUT >"$tmp/sout"
printf 'scx_simple enabled\n' | "$mkframe" -t SCLG >"$tmp/sclg"
printf '\000\000\000\000' | "$mkframe" -t EXIT >"$tmp/exit"
chunks() { for k in 0 1 2 3; do "$mkframe" -t "$1" "$tmp/s$k"; done; }

dumps=$tmp/dumps
mkdir "$dumps"
{ cat "$tmp/sout"; chunks WPRC; cat "$tmp/sclg"; "$mkframe" -t WPRF "$tmp/s4"
  cat "$tmp/exit"; } >"$dumps/good"
{ chunks WPRC; "$mkframe" -t WPRF "$tmp/s4"; "$mkframe" -t WPRF "$tmp/s0"
  } >"$dumps/two-terminals"
{ "$mkframe" -t WPRC "$tmp/s0"; "$mkframe" -C -t WPRC "$tmp/s1"
  "$mkframe" -t WPRF "$tmp/s4"; } >"$dumps/bad-crc-chunk"
{ chunks WPRC; "$mkframe" -C -t WPRF "$tmp/s4"; } >"$dumps/bad-crc-terminal"
{ "$mkframe" -C -t SOUT "$tmp/s0"; "$mkframe" -t WPRF "$tmp/s4"
  } >"$dumps/bad-crc-other"
{ cat "$tmp/sout"; "$mkframe" -t WPRC "$tmp/s0"
  "$mkframe" -t WPRF -l 65 </dev/null; cat "$tmp/exit"; } >"$dumps/oversized"
{ chunks WPRC; "$mkframe" -t WPRF "$tmp/s4" | head -c 9; } >"$dumps/partial-header"
{ chunks WPRC; "$mkframe" -t WPRF -l 40 "$tmp/s4" | head -c 30; } >"$dumps/torn-terminal"
{ "$mkframe" -t WPRF </dev/null; } >"$dumps/empty-terminal"
{ chunks WPRC; cat "$tmp/exit"; } >"$dumps/no-terminal"
{ "$mkframe" -p 1 -t SOUT "$tmp/s0"; "$mkframe" -p 0x80000000 -t WPRF "$tmp/s4"
  } >"$dumps/nonzero-pad"
{ chunks CHNK; "$mkframe" -t TRCE "$tmp/s4"; } >"$dumps/custom-tags"
{ chunks WPRF; "$mkframe" -t WPRC "$tmp/s4"; } >"$dumps/swapped-tags"

CHNK=0x43484e4b
TRCE=0x54524345
for d in "$dumps"/*; do
	n=${d##*/}
	case $n in
	custom-tags) mode=4 ;;		# tags from the prefix
	swapped-tags) mode=8 ;;
	*) mode=0 ;;			# cap from the first prefix byte
	esac
	{ pre15 $mode 64 $CHNK $TRCE 1; cat "$d"; } >"$c/reasm/seed-$n"
	{ pre8 0 64 1 0; cat "$d"; } >"$c/frames/seed-$n"
done
{ pre15 3 0 0 0 7; cat "$dumps/good"; } >"$c/reasm/seed-default-cap"
{ pre15 12 0 $TRCE $TRCE 3; cat "$dumps/custom-tags"; } >"$c/reasm/seed-equal-tags"
{ pre8 3 0 9 255; cat "$dumps/good"; } >"$c/frames/seed-default-cap-skip-crc"

# split: the trace at caps below, at and above its size, and no trace.
{ pre15 0 0 0 0 1; } >"$c/split/seed-empty"
{ pre15 0 0 0 0 2; printf x; } >"$c/split/seed-one-byte-cap-1"
{ pre15 0 6 0 0 3; cat "$tmp/trace"; } >"$c/split/seed-cap-7"
{ pre15 0 63 0 0 4; cat "$tmp/trace"; } >"$c/split/seed-cap-64"
{ pre15 0 139 0 0 5; cat "$tmp/trace"; } >"$c/split/seed-cap-half"
{ pre15 1 279 0 0 6; cat "$tmp/trace"; } >"$c/split/seed-cap-exact"
{ pre15 2 281 0 0 7; cat "$tmp/trace"; } >"$c/split/seed-cap-over"
{ pre15 4 15 $CHNK $TRCE 8; cat "$tmp/trace"; } >"$c/split/seed-custom-tags"
{ pre15 3 0 0 0 9; cat "$tmp/trace"; } >"$c/split/seed-default-cap"

# opts: mode (0 full range, 1 a cap, 2 min and max below, 3 a minimum).
n=0
for s in WPRF WPRC 0x57505246 1397708116 0x100000000 012 08 0x schedlog \
    Exit EXIT wprofTRACE 'W\001RF' WPR WPRFX 16M 4k 5G 1g 17179869184G \
    99999999999999999999 -1 ' 1' 0x10K 12Q 4096 \
    t-0123456789abcdef.wprof.pb sched_basic-00ff00ff00ff00ff.repro.wprof.pb \
    -0123456789abcdef.wprof.pb t-0123456789ABCDEF.wprof.pb .wprof.pb; do
	n=$((n + 1))
	{ byte $((n % 4)); le64 4096; le64 $((1 << 30)); printf %b "$s"; } \
	    >"$c/opts/seed-$n"
done

# pbwalk: mkpb traces, whole, cut and damaged (mode 2: also through
# artifact_check_fd), and a few builder programs (mode 1).
"$mkpb" -O -n 4 -s 24 >"$c/pbwalk/seed-good.tmp"
{ byte 2; byte 0; le16 1; cat "$c/pbwalk/seed-good.tmp"; } >"$c/pbwalk/seed-good"
{ byte 2; byte 255; le16 2; "$mkpb" -O -n 4 -s 24 -c 50; } >"$c/pbwalk/seed-cut"
rm "$c/pbwalk/seed-good.tmp"
for x in bigfield bigts deepgroups emptypkt field0 field2 fieldlen fixed \
    fixedok groups longlen longtag longts nonminimal opengroup strayend \
    tagend varend wt6 badgroup; do
	{ byte 2; byte 7; le16 3; "$mkpb" -O -n 3 -s 24 -X $x -p 1; } \
	    >"$c/pbwalk/seed-$x"
done
{ byte 2; byte 40; le16 7; "$mkpb" -O -n 70 -s 20 -S 70; } >"$c/pbwalk/seed-70-sequences"
{ byte 0; byte 0; le16 4; printf '\022\002hi'; } >"$c/pbwalk/seed-not-a-trace"
{ byte 1; byte 3; le16 5; printf '\001\003\010\001\122\001\003\377\001\002'; } \
    >"$c/pbwalk/seed-program-1"
{ byte 1; byte 0; le16 6; printf '\000\007\044\003\007\373\011\101\100\003\146\004'; } \
    >"$c/pbwalk/seed-program-2"
