#!/usr/bin/env bats
# Output safety (issue 14 items 3, 4, 5, 8 and 9, issue 15 item 1): every
# failure of outfile_open driven by the fault shim, -o by the kernel's
# rules in a shared sticky directory, output written in place cut back on
# failure, the forms of standard output, and a SIGBUS sent from outside.

load common
load faults_helpers

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	need_built "$B/tests/shim.so"
	small_drain "$P"
	printf 'old contents\n' >"$P/old"
	head -c $((4 << 20)) /dev/urandom >"$P/big"
	"$WPROFCK" split --cap 64K -o "$P/big.drain" "$P/big"
	chmod 755 "$P"
	chmod 644 "$P"/*
}

setup() {
	D=$BATS_TEST_TMPDIR/d
	mkdir "$D"
	OUT=$D/out
	SHARED=
}

teardown() {
	undo_all
	[ -z "$SHARED" ] || rm -rf "$SHARED"
}

@test "TMPDIR that does not exist, -o /dev/null: exit 2 with a message, no double free" {
	run -2 env TMPDIR=/nonexistent "$WPROFCK" reassemble -o /dev/null \
	    "$TESTS/data/sample.drain"
	assert_output "wprofck: reassemble: standard output: cannot hold the output until the verdict in TMPDIR=/nonexistent: create a spool file: No such file or directory; write it to a file with -o instead"
	[ -c /dev/null ]
}

# fail_open WHAT MESSAGE [OUT]: outfile_open with the shim failing WHAT
# exits 2 with MESSAGE after OUT's name, and leaves the directory as it
# was (an existing OUT keeps its bytes).
fail_open() {
	local what=$1 msg=$2 out=${3:-$OUT} before
	before=$(ls_dir "$D")
	run -2 shim WPSHIM_FAIL="$what" "$WPROFCK" reassemble -o "$out" \
	    "$P/drain"
	assert_output "wprofck: reassemble: $out: $msg"
	assert_equal "$(ls_dir "$D")" "$before"
}

@test "outfile_open: each failing system call gives exit 2, its message and nothing left" {
	fail_open tmpfile "create a temporary file: Input/output error"
	fail_open dir "open the output directory: Input/output error"
	fail_open thread "start the writer thread: Input/output error"
	run -2 shim WPSHIM_NO_TMPFILE=1 WPSHIM_FAIL=excl "$WPROFCK" \
	    reassemble -o "$OUT" "$P/drain"
	assert_output "wprofck: reassemble: $OUT: create a temporary file: Input/output error"
	assert_equal "$(ls_dir "$D")" ''
	cp "$P/old" "$OUT"
	fail_open fchmod "fchmod: Input/output error"
	fail_open thread "start the writer thread: Input/output error"
	cmp "$P/old" "$OUT"
	run -2 shim WPSHIM_FAIL=thread "$WPROFCK" reassemble -o - "$P/drain"
	assert_output "wprofck: reassemble: (standard output): start the writer thread: Input/output error"
}

@test "outfile_commit: a failed link or rename gives exit 2 and nothing beside OUT" {
	fail_open link "link the output file: Input/output error"
	cp "$P/old" "$OUT"
	fail_open link "link the output file: Input/output error"
	fail_open rename "rename: Input/output error"
	cmp "$P/old" "$OUT"
	run -2 shim WPSHIM_NO_TMPFILE=1 WPSHIM_FAIL=rename "$WPROFCK" \
	    reassemble -o "$OUT" "$P/drain"
	assert_output "wprofck: reassemble: $OUT: rename: Input/output error"
	assert_equal "$(ls_dir "$D")" out
	cmp "$P/old" "$OUT"
}

# shared_dir: a world-writable sticky directory owned by root, reachable
# by the user nobody (65534), as /tmp is. Sets SHARED.
shared_dir() {
	SHARED=$(mktemp -d /tmp/wprofck-sticky.XXXXXX)
	chmod 1777 "$SHARED"
	setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null ||
	    skip "setpriv cannot switch to uid 65534 here"
}

# as_nobody CMD...: runs CMD as uid and gid 65534.
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# protected NAME: skips unless the kernel enforces fs.protected_NAME.
protected() {
	local v
	v=$(cat "/proc/sys/fs/protected_$1" 2>/dev/null) || v=0
	[ "$v" -ge 1 ] || skip "fs.protected_$1=$v: the kernel does not enforce it here (sysctl -w fs.protected_$1=1 runs this test)"
}

# shell_opens PATH: whether the shell's >> (the checks of >, without the
# truncation) may open PATH for writing.
shell_opens() {
	sh -c 'exec 3>>"$1"' _ "$1" 2>/dev/null
}

@test "-o a link another user planted in a sticky directory: refused as '>' refuses it, its target untouched" {
	shared_dir
	protected symlinks
	cp "$P/old" "$D/victim"
	chmod 755 "$BATS_TEST_TMPDIR" "$D"
	as_nobody ln -s "$D/victim" "$SHARED/out.pb"
	if shell_opens "$SHARED/out.pb"; then
		fail "the shell's >> follows the planted link: the kernel does not protect it"
	fi
	run -2 "$WPROFCK" reassemble -o "$SHARED/out.pb" "$P/drain"
	assert_output "wprofck: reassemble: $SHARED/out.pb: open: Permission denied"
	cmp "$P/old" "$D/victim"
	[ -L "$SHARED/out.pb" ]
	assert_equal "$(ls_dir "$SHARED")" out.pb
}

@test "-o a dangling link another user planted in a sticky directory: refused, nothing created" {
	shared_dir
	protected symlinks
	chmod 755 "$BATS_TEST_TMPDIR" "$D"
	as_nobody ln -s "$D/made" "$SHARED/out.pb"
	run -2 "$WPROFCK" split -o "$SHARED/out.pb" "$P/trace"
	assert_output "wprofck: split: $SHARED/out.pb: open: Permission denied"
	assert_equal "$(ls_dir "$D")" ''
	assert_equal "$(ls_dir "$SHARED")" out.pb
}

@test "-o a FIFO another user planted in a sticky directory: refused, it gets nothing" {
	shared_dir
	protected fifos
	as_nobody mkfifo -m 666 "$SHARED/out.pb"
	run -2 timeout 20 "$WPROFCK" reassemble -o "$SHARED/out.pb" "$P/drain"
	assert_output "wprofck: reassemble: $SHARED/out.pb: open: Permission denied"
	[ -p "$SHARED/out.pb" ]
	assert_equal "$(ls_dir "$SHARED")" out.pb
}

@test "-o a file another user planted in a sticky directory: refused as '>' refuses it" {
	shared_dir
	protected regular
	as_nobody sh -c 'printf "theirs\n" >"$1"; chmod 666 "$1"' _ "$SHARED/out.pb"
	run -2 "$WPROFCK" reassemble -o "$SHARED/out.pb" "$P/drain"
	assert_output "wprofck: reassemble: $SHARED/out.pb: open: Permission denied"
	assert_equal "$(cat "$SHARED/out.pb")" theirs
}

@test "-o in a sticky directory does what '>' does there, whatever fs.protected_* say" {
	local kind ok
	shared_dir
	cp "$P/old" "$D/victim"
	chmod 755 "$BATS_TEST_TMPDIR" "$D"
	as_nobody ln -s "$D/victim" "$SHARED/link"
	as_nobody sh -c 'printf "theirs\n" >"$1"; chmod 666 "$1"' _ "$SHARED/file"
	for kind in link file; do
		if shell_opens "$SHARED/$kind"; then ok=0; else ok=2; fi
		run -"$ok" "$WPROFCK" reassemble -o "$SHARED/$kind" "$P/drain"
		if [ "$ok" -eq 2 ]; then
			assert_output "wprofck: reassemble: $SHARED/$kind: open: Permission denied"
		fi
	done
	if shell_opens "$SHARED/link"; then
		cmp "$P/trace" "$D/victim"
		[ -L "$SHARED/link" ]
	else
		cmp "$P/old" "$D/victim"
	fi
}

@test "an existing FIFO as OUT is opened as the shell opens it and nothing is created beside it" {
	mkfifo "$D/fifo"
	cat "$D/fifo" >"$BATS_TEST_TMPDIR/got" &
	run -0 timeout 20 "$WPROFCK" reassemble -o "$D/fifo" "$P/drain"
	wait
	cmp "$P/trace" "$BATS_TEST_TMPDIR/got"
	assert_equal "$(ls_dir "$D")" fifo
}

@test "a dangling -o link into a missing directory names that directory" {
	ln -s "$D/missing/dir/out" "$D/link"
	run -2 "$WPROFCK" reassemble -o "$D/link" "$P/drain"
	assert_output "wprofck: reassemble: $D/link: the directory '$D/missing/dir' does not exist"
	assert_equal "$(ls_dir "$D")" link
}

@test "-o /proc/PID/fd/1, /proc/thread-self/fd/1, //dev/stdout, /dev/./stdout into a pipe write through it" {
	local o
	for o in /proc/thread-self/fd/1 //dev/stdout /dev/./stdout \
	    /proc/self/fd/1 /dev/stdout; do
		run -0 bash -c '"$WPROFCK" reassemble -o "$1" "$2" | cat >"$3"' \
		    _ "$o" "$P/drain" "$D/got"
		cmp "$P/trace" "$D/got"
	done
	run -0 bash -c 'sh -c '\''exec "$WPROFCK" reassemble -o /proc/$$/fd/1 "$1"'\'' _ "$1" | cat >"$2"' \
	    _ "$P/drain" "$D/got"
	cmp "$P/trace" "$D/got"
	assert_equal "$(ls_dir "$D")" got
}

@test "-o /dev/stdout and -o /dev/tty on a terminal are refused without -f" {
	command -v script >/dev/null || skip "script(1) (bsdutils) is not installed"
	local o
	for o in /dev/stdout /dev/tty; do
		run -2 script -qec "$WPROFCK reassemble -o $o $P/drain" /dev/null
		assert_output --partial "wprofck: reassemble: refusing to write binary data to a terminal; use -o or -f"
	done
}

@test "output in place on a full file system: exit 2, the file cut back to where it started" {
	mount -t tmpfs -o size=1m tmpfs "$D" 2>/dev/null ||
	    skip "cannot mount a small tmpfs here"
	UNDO+=("mount:$D")
	run -2 bash -c '"$WPROFCK" reassemble "$1" >"$2"' _ "$P/big.drain" "$D/x"
	assert_output "wprofck: reassemble: (standard output): write: No space left on device"
	assert_equal "$(fsize "$D/x")" 0
	cp "$P/old" "$D/x"
	run -2 bash -c '"$WPROFCK" reassemble "$1" >>"$2"' _ "$P/big.drain" "$D/x"
	assert_output "wprofck: reassemble: (standard output): write: No space left on device"
	cmp "$P/old" "$D/x"
	run -2 bash -c '{ echo HEAD; "$WPROFCK" reassemble -o /dev/stdout "$1"; rc=$?; echo TAIL; exit $rc; } >"$2"' \
	    _ "$P/big.drain" "$D/x"
	assert_output "wprofck: reassemble: /dev/stdout: write: No space left on device"
	printf 'HEAD\nTAIL\n' >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/want" "$D/x"
}

@test "output in place under ulimit -f: exit 2 with EFBIG, not SIGXFSZ; the file cut back to where it started" {
	# 1 MiB of output: the spool holds it under the limit of 1024
	# blocks, the file it is appended to does not.
	randfile "$D/t1m" $((1 << 20)) 5
	"$WPROFCK" split -o "$D/t1m.drain" "$D/t1m"
	cp "$P/old" "$D/so.pb"
	run -2 bash -c 'ulimit -f 1024; "$WPROFCK" reassemble "$1" >>"$2"' \
	    _ "$D/t1m.drain" "$D/so.pb"
	assert_output "wprofck: reassemble: (standard output): write: File too large"
	cmp "$P/old" "$D/so.pb"
	run -2 bash -c 'ulimit -f 1024; { cat "$3"; "$WPROFCK" reassemble "$1"; } >"$2"' \
	    _ "$D/t1m.drain" "$D/so.pb" "$P/old"
	assert_output "wprofck: reassemble: (standard output): write: File too large"
	cmp "$P/old" "$D/so.pb"
}

@test "a SIGBUS sent with kill(2) during the mapped walk is not swallowed: death by SIGBUS (135), nothing left" {
	local pid st
	# env execs wprofck: $! is its process.
	env LD_PRELOAD="$SHIM" ASAN_OPTIONS=verify_asan_link_order=0 \
	    WPSHIM_STOP_MAP=1 "$WPROFCK" reassemble -o "$OUT" "$P/big.drain" &
	pid=$!
	for _ in $(seq 100); do
		st=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) || break
		[ "$st" = T ] && break
		sleep 0.1
	done
	assert_equal "$st" T
	kill -BUS "$pid"
	kill -CONT "$pid"
	st=0
	wait "$pid" || st=$?
	assert_equal "$st" 135
	assert_equal "$(ls_dir "$D")" ''
}

@test "replacing an existing OUT: the temporary name lives for one link and one rename, and check names it" {
	command -v strace >/dev/null || skip "strace is not installed"
	cp "$P/old" "$OUT"
	# LeakSanitizer cannot work under ptrace (SANITIZE=1 builds).
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    run -0 strace -f -e trace=linkat,renameat,renameat2 -o "$BATS_TEST_TMPDIR/st" \
	    "$WPROFCK" reassemble -o "$OUT" "$P/drain"
	cmp "$P/trace" "$OUT"
	# The link to .wprofck.* and the rename over OUT, in a row.
	run -0 grep -c -e 'linkat(' -e 'rename' "$BATS_TEST_TMPDIR/st"
	assert_output 2
	run -0 grep -A1 'linkat(.*"\.wprofck\.[a-z0-9]\{6\}"' "$BATS_TEST_TMPDIR/st"
	assert_line --index 1 --regexp 'rename(at2?)?\(.*"\.wprofck\.[a-z0-9]{6}".*"out"'
	# What a SIGKILL between them would leave, check reports as a leftover.
	cp "$P/trace" "$D/.wprofck.abc123"
	run "$WPROFCK" check "$D"
	assert_output --partial ".wprofck.abc123"
}
