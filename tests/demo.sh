#!/bin/sh
# make demo: reassembles the sample drain shipped in tests/data into a
# .wprof.pb under BUILD/demo, checks it, and shows both commands with what
# they printed. Usage: sh tests/demo.sh BUILD
B=${1:-build}
cd "$(dirname "$0")/.." || exit 2
wprofck=$B/wprofck
out=$B/demo/sample.wprof.pb
mkdir -p "$B/demo" || exit 2
rm -f "$out"

# show CMD...: prints the command line, runs it, prints its exit status.
show() {
	echo "\$ $*"
	"$@"
	rc=$?
	echo "(exit $rc)"
	echo
	return $rc
}

show "$wprofck" reassemble -o "$out" tests/data/sample.drain || exit 1
show ls -l "$out" || exit 1
show "$wprofck" check "$out" || exit 1
