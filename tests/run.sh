#!/bin/sh
# Runs the C unit tests ($B/tests/unit and unit_pbwalk, when built) and
# every bats suite, keeps the TAP stream in $B/test.log and ends with one line:
# "N passed, M failed" (", K skipped" when some were skipped).
# Fails when a test failed, a runner failed, or nothing ran.
# Usage (from make test-run): B=build sh tests/run.sh

B=${B:-build}
export B
cd "$(dirname "$0")/.." || exit 2
mkdir -p "$B" || exit 2
# Two runs may share $B; each counts from its own files, and the log
# lands in $B/test.log only at the end.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wprofck-run.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
log=$tmp/test.log
rcs=$tmp/rcs
: >"$rcs" || exit 2

if ! command -v bats >/dev/null 2>&1; then
	echo "run.sh: bats not found; run sh tests/deps.sh" >&2
	exit 2
fi

# A pipe hides the exit status of its first command, so each runner
# records its own in $rcs.
{
	for unit in "$B/tests/unit" "$B"/tests/unit_*; do
		[ -x "$unit" ] || continue
		echo "# $unit"
		"$unit"
		echo "${unit##*/} $?" >>"$rcs"
	done
	# The fuzz targets, built with $(CC), replay their corpus; a crash
	# prints no TAP line of its own, so it gets one here.
	for replay in "$B"/tests/fuzz/replay-*; do
		[ -x "$replay" ] || continue
		target=${replay##*/replay-}
		echo "# $replay tests/fuzz/corpus/$target"
		"$replay" "tests/fuzz/corpus/$target"
		rc=$?
		echo "replay-$target $rc" >>"$rcs"
		[ "$rc" -eq 0 ] ||
			echo "not ok - replay-$target exited with status $rc"
	done
	echo "# bats --tap tests/*.bats"
	bats --tap tests/*.bats
	echo "bats $?" >>"$rcs"
} 2>&1 | tee "$log"

passed=$(grep -c '^ok ' "$log")
skipped=$(grep '^ok ' "$log" | grep -ci ' # skip')
failed=$(grep -c '^not ok ' "$log")
passed=$((passed - skipped))

cp "$log" "$B/test.log.$$" && mv -f "$B/test.log.$$" "$B/test.log"

status=0
while read -r runner rc; do
	if [ "$rc" -ne 0 ]; then
		echo "run.sh: $runner exited with status $rc"
		status=1
	fi
done <"$rcs"
if [ "$failed" -gt 0 ] || [ $((passed + skipped)) -eq 0 ]; then
	status=1
fi

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
exit "$status"
