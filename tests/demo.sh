#!/bin/sh
# make demo: takes a real wprof trace from tests/data, cuts it into the
# frames a ktstr guest sends (a drain dump, as the host captures it), lists
# those frames, rebuilds the trace from the drain, compares it with the
# original and checks it; each command is shown with what it printed.
# Everything goes under BUILD/demo. Usage: sh tests/demo.sh BUILD
B=${1:-build}
cd "$(dirname "$0")/.." || exit 2
wprofck=$B/wprofck
trace=tests/data/wprof-500ms-sha256sum.wprof.pb
d=$B/demo
mkdir -p "$d" || exit 2
rm -f "$d/wprof.drain" "$d/sha256sum-0123456789abcdef.wprof.pb"

# show CMD...: prints the command line, runs it, prints its exit status.
show() {
	echo "\$ $*"
	"$@"
	rc=$?
	echo "(exit $rc)"
	echo
	return $rc
}

show "$wprofck" split --cap 128K -o "$d/wprof.drain" "$trace" || exit 1
show "$wprofck" frames "$d/wprof.drain" || exit 1
show "$wprofck" reassemble -o "$d/sha256sum-0123456789abcdef.wprof.pb" \
    "$d/wprof.drain" || exit 1
show cmp "$trace" "$d/sha256sum-0123456789abcdef.wprof.pb" || exit 1
show "$wprofck" check "$d/sha256sum-0123456789abcdef.wprof.pb" || exit 1
