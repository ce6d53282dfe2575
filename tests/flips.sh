#!/bin/sh
# What check cannot see, measured: changes N bytes of TRACE, one at a time,
# each at a random offset into a random other value, and counts how many of
# the changed traces check still passes. A trace has no checksum, so some
# do. The README and wprofck(1) quote the result.
# Usage: sh tests/flips.sh BUILD TRACE [N [SEED]]
B=${1:?usage: sh tests/flips.sh BUILD TRACE [N [SEED]]}
trace=${2:?usage: sh tests/flips.sh BUILD TRACE [N [SEED]]}
n=${3:-1000}
seed=${4:-17}
size=$(stat -c %s -- "$trace") || exit 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wprofck-flips.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cp -- "$trace" "$tmp/t.wprof.pb" || exit 2

# N lines "offset old new", new != old, from awk's generator and SEED.
od -An -v -tu1 -- "$trace" | tr -s ' \n' '\n\n' | sed '/^$/d' >"$tmp/bytes"
awk -v n="$n" -v seed="$seed" -v size="$size" '
	NR == FNR { b[NR - 1] = $1; next }
	END {
		srand(seed)
		for (i = 0; i < n; i++) {
			off = int(rand() * size)
			v = int(rand() * 255)
			if (v >= b[off])
				v++
			print off, b[off], v
		}
	}' "$tmp/bytes" /dev/null >"$tmp/flips" || exit 2

passed=0 failed=0 trouble=0
while read -r off old new; do
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' "$new")" |
	    dd of="$tmp/t.wprof.pb" bs=1 seek="$off" conv=notrunc 2>/dev/null
	"$B/wprofck" check -q "$tmp/t.wprof.pb" >/dev/null 2>&1
	case $? in
	0) passed=$((passed + 1)) ;;
	1) failed=$((failed + 1)) ;;
	*) trouble=$((trouble + 1)) ;;
	esac
	printf "$(printf '\\%03o' "$old")" |
	    dd of="$tmp/t.wprof.pb" bs=1 seek="$off" conv=notrunc 2>/dev/null
done <"$tmp/flips"
cmp -s "$trace" "$tmp/t.wprof.pb" || { echo "flips.sh: restore failed" >&2; exit 2; }
echo "$passed of $n single-byte changes of $trace passed check" \
    "($failed failed, $trouble trouble; seed $seed)"
