#!/usr/bin/env bats
# Faults (issue 5): outputs that cannot be written or vanish, inputs that
# cannot be read, die mid-frame or trickle in a byte at a time, signals,
# racing writers, headers that claim absurd lengths, and large drains in
# bounded memory. Every test checks the exit status, the message and what
# is left on disk: OUT untouched or absent, no .wprofck.* temporary file.
# Expected traces are the bytes fed in; expected stops are computed from
# the layout of the dump built here.

load common
load faults_helpers

CAP=16777216
LIES="0 $CAP $((CAP + 1)) $((1 << 31)) 4294967295"

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	# tests/slowcat.c, the slow writer, built like the rest of $B should
	# make test-run not have built it.
	need_built "$B/tests/slowcat"
	randfile "$P/c1" 4096 1
	randfile "$P/c2" 4096 2
	randfile "$P/t" 1000 3
	randfile "$P/s100" 100 4
	randfile "$P/s50" 50 5
	randfile "$P/s30" 30 6
	: >"$P/empty"
	printf 'old contents\n' >"$P/old"
	# Two chunks and a terminal: 4112 + 4112 + 1016 bytes.
	"$MKFRAME" -t WPRC "$P/c1" >"$P/f.c1"
	"$MKFRAME" -t WPRC "$P/c2" >"$P/f.c2"
	"$MKFRAME" -t WPRF "$P/t" >"$P/f.t"
	cat "$P/f.c1" "$P/f.c2" "$P/f.t" >"$P/drain"
	cat "$P/c1" "$P/c2" "$P/t" >"$P/trace"
	# A small dump for the slow writer: 289 bytes, 6 frames.
	new_drain "$P/small"
	frame_text SOUT 'guest: hi'
	frame WPRC "$P/s100"
	frame_text SCLG x
	frame WPRC "$P/s50"
	frame WPRF "$P/s30"
	frame_text SOUT bye
	cat "$P/s100" "$P/s50" "$P/s30" >"$P/small.trace"
	# 2 MiB in 64 KiB frames, as a trace, and as Stdout frames to extract.
	randfile "$P/mid" $((2 << 20)) 7
	"$WPROFCK" split --cap 64K -o "$P/mid.drain" "$P/mid"
	"$WPROFCK" split --cap 64K --chunk-tag SOUT -o "$P/mid.sout" "$P/mid"
	# 64 MiB in four 16 MiB frames, made by split itself. Random bytes from
	# the kernel are quicker than randfile at this size and just as good:
	# every result is compared with these very bytes.
	head -c $((64 << 20)) /dev/urandom >"$P/big"
	"$WPROFCK" split -o "$P/big.drain" "$P/big"
	# Two traces of different sizes for the race.
	head -c $((6 << 20)) /dev/urandom >"$P/ra"
	head -c $(((5 << 20) + 1)) /dev/urandom >"$P/rb"
	"$WPROFCK" split -o "$P/ra.drain" "$P/ra"
	"$WPROFCK" split -o "$P/rb.drain" "$P/rb"
	# The headers that lie about their length, for lie_drain.
	for len in $LIES; do
		for tag in SOUT WPRC WPRF; do
			"$MKFRAME" -t "$tag" -l "$len" "$P/empty" \
			    >"$P/h.$tag.$len"
		done
	done
}

setup() {
	new_drain
	D=$BATS_TEST_TMPDIR/d
	mkdir "$D"
	OUT=$D/out
	GOT=$BATS_TEST_TMPDIR/got
	ERR=$BATS_TEST_TMPDIR/err
	FIFO=$BATS_TEST_TMPDIR/fifo
}

teardown() {
	undo_all
	exec 4>&-
}

# noterm NAME STOP FRAMES BYTES CHUNKS TRACEBYTES: reassemble's message
# for a walk that stopped before any terminal frame; FRAMES and BYTES are
# the complete frames before the stop and the bytes they span.
noterm() {
	local fs=s cs=s
	[ "$3" != 1 ] || fs=
	[ "$5" != 1 ] || cs=
	printf 'wprofck: reassemble: %s: no trace: no WprofTrace frame (%s; %s complete frame%s in %s bytes, %s chunk%s, %s trace bytes); no .pb written' \
	    "$1" "$2" "$3" "$fs" "$4" "$5" "$cs" "$6"
}

# old_out: OUT holds $P/old; OLD_INO is its inode.
old_out() {
	cp "$P/old" "$OUT"
	OLD_INO=$(stat -c %i "$OUT")
}

# assert_old_out: OUT is the very file old_out made, alone in its
# directory.
assert_old_out() {
	cmp "$P/old" "$OUT"
	assert_equal "$(stat -c %i "$OUT")" "$OLD_INO"
	assert_equal "$(ls_dir "$D")" out
}

# fifo_start ARGS...: holds $FIFO open read-write on fd 4, so that no open
# blocks, and starts wprofck ARGS in the background with SIGINT, SIGTERM
# and SIGHUP at their defaults (or as $SIGS, options of env(1), says),
# stdout to $GOT, stderr to $ERR; sets PID.
fifo_start() {
	mkfifo "$FIFO"
	exec 4<>"$FIFO"
	env "${SIGS:---default-signal=INT,TERM,HUP}" "$WPROFCK" "$@" \
	    >"$GOT" 2>"$ERR" 3>&- 4>&- &
	PID=$!
}

# fifo_head N FILE / fifo_tail N FILE: writes the first N bytes of FILE,
# or the bytes after them, into the FIFO (20 s at most, should wprofck
# stop reading).
fifo_head() {
	timeout 20 head -c "$1" -- "$2" >&4
}

fifo_tail() {
	timeout 20 tail -c +"$(($1 + 1))" -- "$2" >&4
}

# fifo_finish: closes the FIFO, waits for wprofck; ST is its status as
# bash reports it (128 + N for signal N), ERRTEXT its standard error.
fifo_finish() {
	exec 4>&-
	ST=0
	wait "$PID" || ST=$?
	ERRTEXT=$(cat "$ERR")
}

# Output that cannot be written.

@test "-o /dev/full: reassemble, split and extract exit 2 with ENOSPC; it stays a device" {
	run -2 wp_to "$GOT" reassemble -o /dev/full "$P/drain"
	assert_output 'wprofck: reassemble: /dev/full: write: No space left on device'
	run -2 wp_to "$GOT" split -o /dev/full "$P/trace"
	assert_output 'wprofck: split: /dev/full: write: No space left on device'
	run -2 wp_to "$GOT" extract -o /dev/full WPRC "$P/drain"
	assert_output 'wprofck: extract: /dev/full: write: No space left on device'
	assert_equal "$(fsize "$GOT")" 0
	[ -c /dev/full ]
	assert_equal "$(stat -c '%t:%T' /dev/full)" '1:7'
}

@test "stdout is /dev/full: every subcommand exits 2 with ENOSPC" {
	run -2 bash -c '"$WPROFCK" reassemble "$1" >/dev/full' _ "$P/drain"
	assert_output 'wprofck: reassemble: (standard output): write: No space left on device'
	run -2 bash -c '"$WPROFCK" split "$1" >/dev/full' _ "$P/trace"
	assert_output 'wprofck: split: (standard output): write: No space left on device'
	run -2 bash -c '"$WPROFCK" extract WPRC "$1" >/dev/full' _ "$P/drain"
	assert_output 'wprofck: extract: (standard output): write: No space left on device'
	run -2 bash -c '"$WPROFCK" frames "$1" >/dev/full' _ "$P/drain"
	assert_output 'wprofck: frames: write error on standard output: No space left on device'
	run -2 bash -c '"$WPROFCK" frames --json "$1" >/dev/full' _ "$P/drain"
	assert_output 'wprofck: frames: write error on standard output: No space left on device'
	run -2 bash -c '"$WPROFCK" check "$1" >/dev/full' _ "$P/drain"
	assert_output 'wprofck: check: write error on standard output: No space left on device'
	[ -c /dev/full ]
}

@test "-o in a directory that does not exist: exit 2 naming OUT, nothing created" {
	local o=$D/no/out
	run -2 wp_to "$GOT" reassemble -o "$o" "$P/drain"
	assert_output "wprofck: reassemble: $o: the directory '${o%/*}' does not exist"
	run -2 wp_to "$GOT" split -o "$o" "$P/trace"
	assert_output "wprofck: split: $o: the directory '${o%/*}' does not exist"
	run -2 wp_to "$GOT" extract -o "$o" WPRC "$P/drain"
	assert_output "wprofck: extract: $o: the directory '${o%/*}' does not exist"
	assert_equal "$(ls_dir "$D")" ''
	assert_equal "$(fsize "$GOT")" 0
}

@test "-o in a read-only directory: exit 2 with the errno, OUT untouched, no temporary file" {
	old_out
	ro_dir "$D" || skip "$RO_WHY"
	# An existing OUT is opened first, as '>' opens it: on a read-only
	# mount that is what fails.
	run -2 "${RO_RUN[@]}" "$WPROFCK" reassemble -o "$OUT" "$P/drain"
	assert_output --regexp "^wprofck: reassemble: $OUT: (open|create a temporary file): $RO_ERR\$"
	run -2 "${RO_RUN[@]}" "$WPROFCK" reassemble -o "$D/new" "$P/drain"
	assert_output "wprofck: reassemble: $D/new: create a temporary file: $RO_ERR"
	run -2 "${RO_RUN[@]}" "$WPROFCK" split -o "$OUT" "$P/trace"
	assert_output --regexp "^wprofck: split: $OUT: (open|create a temporary file): $RO_ERR\$"
	run -2 "${RO_RUN[@]}" "$WPROFCK" extract -o "$D/new" WPRC "$P/drain"
	assert_output "wprofck: extract: $D/new: create a temporary file: $RO_ERR"
	undo_all
	assert_old_out
}

@test "-o on a full file system: exit 2 with ENOSPC naming OUT, OUT untouched, no temporary file" {
	mount -t tmpfs -o size=256k tmpfs "$D" 2>/dev/null ||
	    skip "cannot mount a small tmpfs here"
	UNDO+=("mount:$D")
	old_out
	run -2 wp_to "$GOT" reassemble -o "$OUT" "$P/mid.drain"
	assert_output "wprofck: reassemble: $OUT: write: No space left on device"
	run -2 wp_to "$GOT" split -o "$OUT" "$P/mid"
	assert_output "wprofck: split: $OUT: write: No space left on device"
	run -2 wp_to "$GOT" extract -o "$OUT" SOUT "$P/mid.sout"
	assert_output "wprofck: extract: $OUT: write: No space left on device"
	assert_old_out
}

@test "-o a directory: exit 2 naming it, the directory untouched" {
	mkdir "$D/sub"
	touch "$D/sub/keep"
	run -2 wp_to "$GOT" reassemble -o "$D/sub" "$P/drain"
	assert_output "wprofck: reassemble: $D/sub: open: Is a directory"
	run -2 wp_to "$GOT" split -o "$D/sub" "$P/trace"
	assert_output "wprofck: split: $D/sub: open: Is a directory"
	run -2 wp_to "$GOT" extract -o "$D/sub" WPRC "$P/drain"
	assert_output "wprofck: extract: $D/sub: open: Is a directory"
	assert_equal "$(ls_dir "$D")" sub
	assert_equal "$(ls_dir "$D/sub")" keep
}

@test "reassemble -o: the directory vanishes mid-run: exit 2 naming OUT, nothing left" {
	# Reassemble gathers slices into 1 MiB writes: send more than that.
	fifo_start reassemble -o "$OUT" "$FIFO"
	fifo_head 1500000 "$P/mid.drain"
	wait_tmp "$D"
	rm -rf "$D"
	mkdir "$D"
	fifo_tail 1500000 "$P/mid.drain"
	fifo_finish
	assert_equal "$ST" 2
	assert_equal "$ERRTEXT" "wprofck: reassemble: $OUT: link the output file: No such file or directory"
	assert_equal "$(ls_dir "$D")" ''
}

@test "split -o: the directory vanishes mid-run: exit 2 naming OUT, nothing left" {
	# Output is gathered into 1 MiB writes, and split holds the last one
	# back while a header in it waits: send more than 2 MiB.
	fifo_start split --cap 64K -o "$OUT" "$FIFO"
	fifo_head 3000000 "$P/big"
	wait_tmp "$D"
	rm -rf "$D"
	mkdir "$D"
	fifo_tail 3000000 "$P/big"
	fifo_finish
	assert_equal "$ST" 2
	assert_equal "$ERRTEXT" "wprofck: split: $OUT: link the output file: No such file or directory"
	assert_equal "$(ls_dir "$D")" ''
}

@test "extract -o: the directory vanishes mid-run: exit 2 naming OUT, nothing left" {
	fifo_start extract -o "$OUT" SOUT "$FIFO"
	fifo_head 1500000 "$P/mid.sout"
	wait_tmp "$D"
	rm -rf "$D"
	mkdir "$D"
	fifo_tail 1500000 "$P/mid.sout"
	fifo_finish
	assert_equal "$ST" 2
	assert_equal "$ERRTEXT" "wprofck: extract: $OUT: link the output file: No such file or directory"
	assert_equal "$(ls_dir "$D")" ''
}

@test "a full \$TMPDIR for the spool: exit 2 with ENOSPC, nothing on stdout" {
	local tmp=$BATS_TEST_TMPDIR/tmp
	mkdir "$tmp"
	mount -t tmpfs -o size=64k tmpfs "$tmp" 2>/dev/null ||
	    skip "cannot mount a small tmpfs here"
	UNDO+=("mount:$tmp")
	# reassemble to stdout or a device waits for the verdict in the spool;
	# split and extract spool a frame over 1 MiB.
	run -2 env TMPDIR="$tmp" bash -c '"$WPROFCK" reassemble "$1" >"$2"' \
	    _ "$P/mid.drain" "$GOT"
	assert_output --regexp "^wprofck: reassemble: .*TMPDIR=$tmp: .*No space left on device; write it to a file with -o instead\$"
	assert_equal "$(fsize "$GOT")" 0
	run -2 env TMPDIR="$tmp" "$WPROFCK" reassemble -o /dev/null "$P/mid.drain"
	assert_output --regexp "^wprofck: reassemble: .*TMPDIR=$tmp: .*No space left on device; write it to a file with -o instead\$"
	run -2 env TMPDIR="$tmp" bash -c '"$WPROFCK" split --cap 2M "$1" >"$2"' \
	    _ "$P/mid" "$GOT"
	assert_output --regexp "^wprofck: split: .*TMPDIR=$tmp: .*No space left on device; write it to a file with -o instead\$"
	assert_equal "$(fsize "$GOT")" 0
	frame SOUT "$P/mid"
	run -2 env TMPDIR="$tmp" bash -c '"$WPROFCK" extract SOUT "$1" >"$2"' \
	    _ "$DRAIN" "$GOT"
	assert_output --regexp "^wprofck: extract: .*TMPDIR=$tmp: .*No space left on device; write it to a file with -o instead\$"
	assert_equal "$(fsize "$GOT")" 0
	assert_equal "$(ls_dir "$tmp")" ''
}

# Input that cannot be read.

@test "a directory as input: exit 2 'read: Is a directory', OUT untouched" {
	old_out
	run -2 wp_to "$GOT" reassemble "$D"
	assert_output "wprofck: reassemble: $D: read: Is a directory"
	assert_equal "$(fsize "$GOT")" 0
	run -2 wp_to "$GOT" reassemble -o "$OUT" "$D"
	assert_output "wprofck: reassemble: $D: read: Is a directory"
	run -2 wp_to "$GOT" frames "$D"
	assert_output "wprofck: frames: $D: read: Is a directory"
	run -2 wp_to "$GOT" frames --json "$D"
	assert_output "wprofck: frames: $D: read: Is a directory"
	assert_old_out
}

@test "an unreadable input: exit 2 'Permission denied' from every subcommand" {
	local u=$BATS_TEST_TMPDIR/unreadable
	cp "$P/drain" "$u"
	chmod 000 "$u"
	no_dac "$u" || skip "$NODAC_WHY"
	old_out
	run -2 "${NODAC[@]}" "$WPROFCK" reassemble -o "$OUT" "$u"
	assert_output "wprofck: reassemble: $u: Permission denied"
	run -2 "${NODAC[@]}" "$WPROFCK" frames "$u"
	assert_output "wprofck: frames: $u: Permission denied"
	run -2 "${NODAC[@]}" "$WPROFCK" extract -o "$OUT" WPRC "$u"
	assert_output "wprofck: extract: $u: Permission denied"
	run -2 "${NODAC[@]}" "$WPROFCK" split -o "$OUT" "$u"
	assert_output "wprofck: split: $u: Permission denied"
	run -2 "${NODAC[@]}" "$WPROFCK" check "$u"
	assert_line -n 1 --regexp "^FAIL .* $u\$"
	assert_line -n 2 '    unreadable: Permission denied'
	assert_old_out
}

@test "a read error (EIO) after the temporary file exists: exit 2, OUT untouched" {
	[ -r /proc/self/mem ] || skip "no /proc/self/mem"
	old_out
	run -2 wp_to "$GOT" reassemble -o "$OUT" /proc/self/mem
	assert_output 'wprofck: reassemble: /proc/self/mem: read: Input/output error'
	run -2 wp_to "$GOT" split -o "$OUT" /proc/self/mem
	assert_output 'wprofck: split: /proc/self/mem: read: Input/output error'
	run -2 wp_to "$GOT" extract -o "$OUT" SOUT /proc/self/mem
	assert_output 'wprofck: extract: /proc/self/mem: read: Input/output error'
	assert_old_out
}

@test "a FIFO whose writer dies mid-frame: reassemble reports the torn frame, exit 1, no OUT" {
	# The terminal's header is at 8224; 500 of its 1000 bytes arrive.
	mkfifo "$FIFO"
	timeout 20 "$SLOWCAT" -k -b 1000 -d 2000 -n 8740 "$P/drain" \
	    >"$FIFO" 3>&- &
	run -1 timeout 20 "$WPROFCK" reassemble -o "$OUT" "$FIFO"
	assert_line -n 0 "$(noterm "$FIFO" 'torn frame at offset 8224: needs 1000 bytes, has 500' 2 8224 2 8192)"
	assert_equal "$(ls_dir "$D")" ''
	st=0
	wait $! || st=$?
	assert_equal "$st" 137
}

@test "a FIFO whose writer dies mid-frame: frames and extract say where" {
	mkfifo "$FIFO"
	timeout 20 "$SLOWCAT" -k -b 1000 -d 2000 -n 8740 "$P/drain" \
	    >"$FIFO" 3>&- &
	run -1 timeout 20 "$WPROFCK" frames "$FIFO"
	assert_line 'end: torn frame at offset 8224: needs 1000 bytes, has 500'
	wait $! || :
	# Extract writes the payloads of the complete frames, never a part.
	timeout 20 "$SLOWCAT" -k -b 1000 -d 2000 -n 8740 "$P/drain" \
	    >"$FIFO" 3>&- &
	run -1 timeout 20 "$WPROFCK" extract -o "$OUT" WPRF "$FIFO"
	assert_output "wprofck: extract: $FIFO: the walk ended early: torn frame at offset 8224: needs 1000 bytes, has 500"
	assert_equal "$(ls_dir "$D")" out
	assert_equal "$(fsize "$OUT")" 0
	wait $! || :
}

@test "a FIFO whose writer dies inside a header: partial header, exit 1, no OUT" {
	mkfifo "$FIFO"
	timeout 20 "$SLOWCAT" -k -b 1000 -d 1000 -n 8231 "$P/drain" \
	    >"$FIFO" 3>&- &
	run -1 timeout 20 "$WPROFCK" reassemble -o "$OUT" "$FIFO"
	assert_line -n 0 "$(noterm "$FIFO" 'partial header: 7 bytes at offset 8224' 2 8224 2 8192)"
	assert_equal "$(ls_dir "$D")" ''
	wait $! || :
	timeout 20 "$SLOWCAT" -k -b 4096 -d 0 -n 8231 "$P/drain" \
	    >"$FIFO" 3>&- &
	run -1 timeout 20 "$WPROFCK" frames "$FIFO"
	assert_line 'end: partial header: 7 bytes at offset 8224'
	assert_line '2 frames, 8224 bytes; 0 bad CRC, 0 non-zero pad'
	wait $! || :
}

@test "a writer that delivers one byte at a time: reassemble is byte-exact" {
	# Through a pipe the reader may start late and find a few bytes at
	# once; through a FIFO it is there first, so every read gets one byte.
	run -0 bash -c '"$SLOWCAT" "$1" | "$WPROFCK" reassemble -o "$2"' _ \
	    "$P/small" "$OUT"
	assert_output ''
	cmp "$P/small.trace" "$OUT"
	mkfifo "$FIFO"
	timeout 20 "$SLOWCAT" "$P/small" >"$FIFO" 3>&- &
	run -0 wp_to "$GOT" reassemble "$FIFO"
	assert_output ''
	cmp "$P/small.trace" "$GOT"
	wait $! || :
	assert_equal "$(ls_dir "$D")" out
}

@test "a writer that delivers one byte at a time: frames, extract and split as from a file" {
	run -0 wp_to "$BATS_TEST_TMPDIR/want" frames --json "$P/small"
	run -0 bash -c '"$SLOWCAT" "$1" | "$WPROFCK" frames --json >"$2"' _ \
	    "$P/small" "$GOT"
	assert_output ''
	cmp "$BATS_TEST_TMPDIR/want" "$GOT"
	run -0 bash -c '"$SLOWCAT" "$1" | "$WPROFCK" extract -o "$2" SOUT' _ \
	    "$P/small" "$OUT"
	run -0 cat "$OUT"
	assert_output 'guest: hibye'
	"$WPROFCK" split --cap 7 "$P/small.trace" >"$BATS_TEST_TMPDIR/want"
	run -0 bash -c '"$SLOWCAT" -d 300 "$1" | "$WPROFCK" split --cap 7 >"$2"' \
	    _ "$P/small.trace" "$GOT"
	cmp "$BATS_TEST_TMPDIR/want" "$GOT"
}

# Signals.

@test "SIGINT during a large reassemble -o: dies by it (130), OUT keeps its content, no temporary file" {
	old_out
	fifo_start reassemble -o "$OUT" "$FIFO"
	fifo_head $((3 << 20)) "$P/big.drain"
	wait_tmp "$D"
	kill -INT "$PID"
	fifo_finish
	assert_equal "$ST" 130
	assert_equal "$ERRTEXT" ''
	assert_old_out
}

@test "SIGTERM during a large reassemble -o: dies by it (143), no OUT, no temporary file" {
	fifo_start reassemble -o "$OUT" "$FIFO"
	fifo_head $((3 << 20)) "$P/big.drain"
	wait_tmp "$D"
	kill -TERM "$PID"
	fifo_finish
	assert_equal "$ST" 143
	assert_equal "$ERRTEXT" ''
	assert_equal "$(ls_dir "$D")" ''
}

@test "SIGINT, SIGTERM and SIGHUP during a reassemble to stdout: nothing written, \$TMPDIR clean" {
	local sig tmp=$BATS_TEST_TMPDIR/tmp
	mkdir "$tmp"
	for sig in INT:130 TERM:143 HUP:129; do
		rm -f "$FIFO"
		TMPDIR=$tmp fifo_start reassemble "$FIFO"
		fifo_head $((3 << 20)) "$P/big.drain"
		# The bytes wait in an unlinked spool file in $TMPDIR.
		run -0 bash -c 'readlink /proc/$1/fd/*' _ "$PID"
		assert_output --partial "$tmp/"
		kill -"${sig%:*}" "$PID"
		fifo_finish
		assert_equal "$ST" "${sig#*:}"
		assert_equal "$(fsize "$GOT")" 0
		assert_equal "$(ls_dir "$tmp")" ''
	done
}

@test "SIGTERM during split -o and extract -o: OUT keeps its content, no temporary file" {
	old_out
	fifo_start split --cap 64K -o "$OUT" "$FIFO"
	fifo_head 3000000 "$P/big"
	wait_tmp "$D"
	kill -TERM "$PID"
	fifo_finish
	assert_equal "$ST" 143
	assert_old_out
	rm -f "$FIFO"
	fifo_start extract -o "$OUT" SOUT "$FIFO"
	fifo_head 1500000 "$P/mid.sout"
	wait_tmp "$D"
	kill -TERM "$PID"
	fifo_finish
	assert_equal "$ST" 143
	assert_old_out
}

@test "signals ignored at the start stay ignored (nohup, background jobs): the run completes" {
	SIGS=--ignore-signal=INT,HUP fifo_start reassemble -o "$OUT" "$FIFO"
	fifo_head $((3 << 20)) "$P/big.drain"
	wait_tmp "$D"
	kill -HUP "$PID" || :
	kill -INT "$PID" || :
	sleep 0.2
	if ! kill -0 "$PID" 2>/dev/null; then
		fifo_finish
		fail "wprofck died by an ignored signal: status $ST"
	fi
	fifo_tail $((3 << 20)) "$P/big.drain"
	fifo_finish
	assert_equal "$ST" 0
	assert_equal "$ERRTEXT" ''
	cmp "$P/big" "$OUT"
	assert_equal "$(ls_dir "$D")" out
}

@test "stopped and continued mid-run (^Z, fg): the run completes, byte-exact" {
	fifo_start reassemble -o "$OUT" "$FIFO"
	fifo_head $((3 << 20)) "$P/big.drain"
	wait_tmp "$D"
	kill -TSTP "$PID"
	kill -STOP "$PID"
	sleep 0.1
	kill -CONT "$PID"
	fifo_tail $((3 << 20)) "$P/big.drain"
	fifo_finish
	assert_equal "$ST" 0
	assert_equal "$ERRTEXT" ''
	cmp "$P/big" "$OUT"
	assert_equal "$(ls_dir "$D")" out
}

# Two writers.

@test "two reassemblies racing to one OUT: always one whole trace, never a mix" {
	local round s1 s2 size sa sb seen=
	sa=$(fsize "$P/ra")
	sb=$(fsize "$P/rb")
	old_out
	for round in 1 2 3 4 5; do
		"$WPROFCK" reassemble -o "$OUT" "$P/ra.drain" 3>&- &
		p1=$!
		"$WPROFCK" reassemble -o "$OUT" "$P/rb.drain" 3>&- &
		p2=$!
		# A reader meanwhile sees the old file or a whole new one.
		while kill -0 "$p1" 2>/dev/null || kill -0 "$p2" 2>/dev/null; do
			size=$(stat -c %s "$OUT")
			case $size in
			13 | "$sa" | "$sb") ;;
			*) fail "round $round: a reader saw $size bytes at OUT" ;;
			esac
		done
		s1=0 s2=0
		wait "$p1" || s1=$?
		wait "$p2" || s2=$?
		assert_equal "$s1:$s2" 0:0
		if cmp -s "$P/ra" "$OUT"; then
			seen+=a
		elif cmp -s "$P/rb" "$OUT"; then
			seen+=b
		else
			fail "round $round: OUT is neither trace"
		fi
		assert_equal "$(ls_dir "$D")" out
	done
	echo "winners: $seen"
}

# Headers that lie about their length: spec section 1, the stop conditions.

# lie_drain WHERE LEN: $DRAIN with a header claiming LEN bytes and no
# payload at WHERE: "start", a Stdout header before a chunk and the
# terminal; "middle", a chunk header between two chunks and the terminal;
# "end", a terminal header after two chunks, the last bytes of the dump.
# Sets LIE_TAG (its type), LIE_OFF (its offset), LIE_LEFT (the bytes after
# it), LIE_FRAMES and LIE_CHUNKS (complete frames and chunks before it) and
# LIE_PARTS (the payloads of the trace when LEN is 0: an empty frame is a
# frame).
lie_drain() {
	case $1 in
	start)
		cat "$P/h.SOUT.$2" "$P/f.c1" "$P/f.t" >"$DRAIN"
		LIE_TAG=SOUT
		LIE_OFF=0 LIE_LEFT=5128 LIE_FRAMES=0 LIE_CHUNKS=0
		LIE_PARTS=("$P/c1" "$P/t")
		;;
	middle)
		cat "$P/f.c1" "$P/h.WPRC.$2" "$P/f.c2" "$P/f.t" >"$DRAIN"
		LIE_TAG=WPRC
		LIE_OFF=4112 LIE_LEFT=5128 LIE_FRAMES=1 LIE_CHUNKS=1
		LIE_PARTS=("$P/c1" "$P/c2" "$P/t")
		;;
	end)
		cat "$P/f.c1" "$P/f.c2" "$P/h.WPRF.$2" >"$DRAIN"
		LIE_TAG=WPRF
		LIE_OFF=8224 LIE_LEFT=0 LIE_FRAMES=2 LIE_CHUNKS=2
		LIE_PARTS=("$P/c1" "$P/c2")
		;;
	esac
}

# lie_check WHERE LEN [CAP]: reassemble (with --max-frame CAP when given)
# of lie_drain WHERE LEN: 0 is an empty frame and the trace is whole; over
# the cap is oversized; otherwise more than is left, a torn frame. The
# peak RSS stays small whatever the length claims.
lie_check() {
	local where=$1 len=$2 cap=${3:-$CAP} stop
	local opts=()
	[ -n "${3:-}" ] && opts=(--max-frame "$3")
	lie_drain "$where" "$len"
	if [ "$len" -eq 0 ]; then
		run -0 wp_rss "$GOT" reassemble "${opts[@]}" "$DRAIN"
		assert_output ''
		cat "${LIE_PARTS[@]}" >"$BATS_TEST_TMPDIR/lie.trace"
		cmp "$BATS_TEST_TMPDIR/lie.trace" "$GOT"
	else
		if [ "$len" -gt "$cap" ]; then
			stop="oversized frame at offset $LIE_OFF: length $len over the cap $cap"
		else
			stop="torn frame at offset $LIE_OFF: needs $len bytes, has $LIE_LEFT"
		fi
		run -1 wp_rss "$GOT" reassemble "${opts[@]}" "$DRAIN"
		assert_line -n 0 "$(noterm "$DRAIN" "$stop" "$LIE_FRAMES" "$LIE_OFF" "$LIE_CHUNKS" $((LIE_CHUNKS * 4096)))"
		[ ! -s "$GOT" ]
	fi
	assert_rss_small
}

@test "the dumps with lying headers are laid out as lie_drain says" {
	local where len
	for len in $LIES; do
		run -0 hexdump_of "$P/h.WPRC.$len" 4 4
		assert_output "$(printf '%02x %02x %02x %02x' $((len & 255)) \
		    $((len >> 8 & 255)) $((len >> 16 & 255)) $((len >> 24 & 255)))"
	done
	for where in start middle end; do
		lie_drain "$where" "$CAP"
		assert_equal "$(fsize "$DRAIN")" $((LIE_OFF + 16 + LIE_LEFT))
		cmp -i "$LIE_OFF:0" -n 16 "$DRAIN" "$P/h.${LIE_TAG}.$CAP"
	done
}

@test "lengths 0, cap, cap+1, 2^31, 2^32-1 at the start: the right stop, small RSS" {
	local len
	for len in $LIES; do
		lie_check start "$len"
		lie_check start "$len" 4294967295
	done
}

@test "lengths 0, cap, cap+1, 2^31, 2^32-1 in the middle: the right stop, small RSS" {
	local len
	for len in $LIES; do
		lie_check middle "$len"
		lie_check middle "$len" 4294967295
	done
}

@test "lengths 0, cap, cap+1, 2^31, 2^32-1 at the end: the right stop, small RSS" {
	local len
	for len in $LIES; do
		lie_check end "$len"
		lie_check end "$len" 4294967295
	done
}

@test "a 2^32-1 length within --max-frame: frames and extract stay small too" {
	lie_drain middle 4294967295
	run -1 wp_rss "$GOT" frames --max-frame 4294967295 "$DRAIN"
	run -0 grep '^end: ' "$GOT"
	assert_output 'end: torn frame at offset 4112: needs 4294967295 bytes, has 5128'
	assert_rss_small
	run -1 wp_rss "$GOT" extract --max-frame 4294967295 WPRC "$DRAIN"
	assert_output "wprofck: extract: $DRAIN: the walk ended early: torn frame at offset 4112: needs 4294967295 bytes, has 5128"
	cmp "$P/c1" "$GOT"
	assert_rss_small
	# A lying chunk with megabytes behind it: still no buffer of its size.
	new_drain
	frame WPRC "$P/mid" -l 4294967295
	run -1 wp_rss "$GOT" reassemble --max-frame 4294967295 "$DRAIN"
	assert_line -n 0 "$(noterm "$DRAIN" "torn frame at offset 0: needs 4294967295 bytes, has $((2 << 20))" 0 0 0 0)"
	assert_rss_small
	run -1 wp_rss "$GOT" extract --max-frame 4294967295 WPRC "$DRAIN"
	assert_equal "$(fsize "$GOT")" 0
	assert_rss_small
}

# Large drains in bounded memory.

@test "a 64 MiB drain of 16 MiB frames: reassemble -o from a file, byte-exact, RSS under 16 MiB" {
	need_rss
	run -0 wp_rss "$GOT" reassemble -o "$OUT" "$P/big.drain"
	assert_output ''
	cmp "$P/big" "$OUT"
	assert_rss_small
}

@test "a 64 MiB drain of 16 MiB frames: reassemble from a pipe and to stdout, RSS under 16 MiB" {
	need_rss
	run -0 wp_rss_pipe "$P/big.drain" "$BATS_TEST_TMPDIR/x" reassemble -o "$OUT"
	assert_output ''
	cmp "$P/big" "$OUT"
	assert_rss_small
	rm "$OUT"
	run -0 wp_rss_pipe "$P/big.drain" "$GOT" reassemble
	assert_output ''
	cmp "$P/big" "$GOT"
	assert_rss_small
	run -0 wp_rss "$GOT" reassemble "$P/big.drain"
	cmp "$P/big" "$GOT"
	assert_rss_small
}
