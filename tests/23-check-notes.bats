#!/usr/bin/env bats
# wprofck check DIR, what it lists besides artifacts (issues 10 and 11):
# stale .wprofck.* temporary files and what the walk skipped (FIFOs,
# devices, directories and links named like artifacts), as notes that are
# neither artifacts nor failures; and inputs that must never block: a FIFO
# with no writer, a line that reaches a pipe before a slow artifact ends.

load common

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	"$MKPB" -n 100 >"$P/good.pb"
}

setup() {
	D=$BATS_TEST_TMPDIR/side
	mkdir -p "$D"
	J=$BATS_TEST_TMPDIR/json
	cp "$P/good.pb" "$D/t-0000000000000001.wprof.pb"
}

H='RESULT  SIZE PACKETS     SPAN  PATH'
OK_T='ok       11K     105  99.0 us  t-0000000000000001.wprof.pb'

# row RESULT SIZE PACKETS SPAN PATH: one line of the deep columns.
row() {
	printf '%-6s %5s %7s %8s  %s' "$@"
}

# What one trace of mkpb -n 100 holds: an opening of a clock snapshot, system
# information, a trace UUID, trace attributes and the START track event,
# then 100 track events; the START event's name is the one reference.
# With what the traces hold (lib/sem.c): mkpb writes 101 instants (type
# 3), no thread tracks, no ftrace, num_cpus 4.
KINDS1='packets: 105 in 1 trace: 101 track_event, 1 clock_snapshot, 1 system_info,
    1 trace_attributes, 1 trace_uuid; 1 reference resolved
content: 0 threads in 0 processes, 0 ftrace cpus (4 in system_info); 0 slices
    begun, 0 ended, 101 instants, 0 counters, 0 ftrace events, 0 sched_switch, 0
    sched_waking; any Perfetto release reads it'
KINDS2='packets: 210 in 2 traces: 202 track_event, 2 clock_snapshot, 2 system_info,
    2 trace_attributes, 2 trace_uuid; 2 references resolved
content: 0 threads in 0 processes, 0 ftrace cpus (4 in system_info); 0 slices
    begun, 0 ended, 202 instants, 0 counters, 0 ftrace events, 0 sched_switch, 0
    sched_waking; any Perfetto release reads it'

TEMP='    a temporary file left by a wprofck run that was killed; remove it'

@test "notes: a stale .wprofck.* file is a note with its size, exit 0" {
	# 5000 / 1024 = 4.88: "4.9K".
	head -c 5000 "$P/good.pb" >"$D/.wprofck.Ab12Cd"
	run -0 "$WPROFCK" check "$D"
	assert_output "$H
$(row note 4.9K - - .wprofck.Ab12Cd)
$TEMP
$OK_T
1 passed, 0 failed; 1 note
$KINDS1"
}

@test "notes: stale files in subdirectories too, each listed where it sorts" {
	mkdir "$D/sub"
	: >"$D/sub/.wprofck.XXXXXX"
	: >"$D/.wprofck.aaaaaa"
	: >"$D/.wprofck."
	: >"$D/.wprofckfoo"
	run -0 "$WPROFCK" check "$D"
	assert_output "$H
$(row note 0B - - .wprofck.aaaaaa)
$TEMP
$(row note 0B - - sub/.wprofck.XXXXXX)
$TEMP
$OK_T
1 passed, 0 failed; 2 notes
$KINDS1"
}

@test "notes: a stale file is not an artifact: the directory has none" {
	rm "$D/t-0000000000000001.wprof.pb"
	: >"$D/.wprofck.Ab12Cd"
	run -1 "$WPROFCK" check "$D"
	assert_line -n 3 "$(row FAIL - - - "$D")"
	assert_line -n 4 '    no artifacts: no *.wprof.pb file under this directory'
	assert_line -n 5 '0 passed, 1 failed: 1 no_artifacts; 1 note'
}

@test "notes: a FIFO named like an artifact is skipped and said, no wait" {
	mkfifo "$D/f-0000000000000002.wprof.pb"
	run -0 timeout 10 "$WPROFCK" check "$D"
	assert_output "$H
$(row note - - - f-0000000000000002.wprof.pb)
    skipped: a FIFO, not a regular file
$OK_T
1 passed, 0 failed; 1 note
$KINDS1"
}

@test "notes: a directory named like an artifact is said; what is in it is checked" {
	mkdir "$D/d.wprof.pb"
	cp "$P/good.pb" "$D/d.wprof.pb/u-0000000000000003.wprof.pb"
	run -0 "$WPROFCK" check "$D"
	assert_output "$H
$(row note - - - d.wprof.pb)
    skipped: a directory, not a file (what is under it is checked)
$(row ok 11K 105 '99.0 us' d.wprof.pb/u-0000000000000003.wprof.pb)
$OK_T
2 passed, 0 failed; 1 note
$KINDS2"
}

@test "notes: a link to a device or a FIFO is skipped and said" {
	ln -s /dev/null "$D/n-0000000000000004.wprof.pb"
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	ln -s "$BATS_TEST_TMPDIR/fifo" "$D/o-0000000000000005.wprof.pb"
	run -0 timeout 10 "$WPROFCK" check "$D"
	assert_output "$H
$(row note - - - n-0000000000000004.wprof.pb)
    skipped: a link to something that is not a regular file
$(row note - - - o-0000000000000005.wprof.pb)
    skipped: a link to something that is not a regular file
$OK_T
1 passed, 0 failed; 2 notes
$KINDS1"
}

@test "notes: a device node named like an artifact is said" {
	mknod "$D/c-0000000000000006.wprof.pb" c 1 3 2>/dev/null ||
	    skip "mknod is not allowed here"
	run -0 "$WPROFCK" check "$D"
	assert_line -n 1 "$(row note - - - c-0000000000000006.wprof.pb)"
	assert_line -n 2 '    skipped: a character device, not a regular file'
}

@test "notes: -q leaves them out; --json puts them in the summary record" {
	: >"$D/.wprofck.Ab12Cd"
	mkfifo "$D/f-0000000000000002.wprof.pb"
	run -0 "$WPROFCK" check -q "$D"
	assert_output ''
	run -0 wp_to "$J" check --json "$D"
	run -0 jq -r 'select(.path) | .path' "$J"
	assert_output "$D/t-0000000000000001.wprof.pb"
	run -0 jq -c 'select(.summary) | .notes | map([.path, .size, .note])' "$J"
	assert_output '[["'"$D"'/.wprofck.Ab12Cd",0,"a temporary file left by a wprofck run that was killed; remove it"],["'"$D"'/f-0000000000000002.wprof.pb",null,"skipped: a FIFO, not a regular file"]]'
}

# Inputs that must not block

@test "a FIFO operand with no writer finishes at once: 0 bytes" {
	mkfifo "$BATS_TEST_TMPDIR/lonely"
	run -1 timeout 10 "$WPROFCK" check "$BATS_TEST_TMPDIR/lonely"
	assert_line -n 1 "$(row FAIL 0B - - "$BATS_TEST_TMPDIR/lonely")"
	assert_line -n 2 '    too small: 0 bytes, the minimum is 4096'
}

@test "a FIFO operand with a slow writer is read as a stream" {
	F=$BATS_TEST_TMPDIR/slow.wprof.pb
	mkfifo "$F"
	(
		exec 3<>"$F"
		: >"$BATS_TEST_TMPDIR/ready"
		sleep 0.3
		cat "$P/good.pb" >&3
	) &
	while [ ! -e "$BATS_TEST_TMPDIR/ready" ]; do sleep 0.01; done
	run -0 timeout 10 "$WPROFCK" check "$F"
	wait
	assert_line -n 1 "$(row ok 11K 105 '99.0 us' "$F")"
}

@test "each line reaches a pipe before a slow second artifact is done" {
	F=$BATS_TEST_TMPDIR/slow.wprof.pb
	T=$BATS_TEST_TMPDIR
	mkfifo "$F"
	# The writer holds the FIFO open, then waits up to 10 s for the
	# reader of check's output to have seen the first artifact's line.
	(
		exec 3<>"$F"
		: >"$T/ready"
		for _ in $(seq 200); do
			[ -e "$T/seen" ] && break
			sleep 0.05
		done
		if [ -e "$T/seen" ]; then echo seen; else echo late; fi >"$T/writer"
		cat "$P/good.pb" >&3
	) &
	while [ ! -e "$T/ready" ]; do sleep 0.01; done
	"$WPROFCK" check "$D/t-0000000000000001.wprof.pb" "$F" | {
		IFS= read -r header
		IFS= read -r first
		printf '%s\n%s\n' "$header" "$first" >"$T/first"
		: >"$T/seen"
		cat >"$T/rest"
	}
	wait
	run -0 cat "$T/writer"
	assert_output seen
	run -0 cat "$T/first"
	assert_output "$H
$(row ok 11K 105 '99.0 us' "$D/t-0000000000000001.wprof.pb")"
	run -0 cat "$T/rest"
	assert_line -n 0 "$(row ok 11K 105 '99.0 us' "$F")"
	assert_line -n 1 '2 passed, 0 failed'
}
