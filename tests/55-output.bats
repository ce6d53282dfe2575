#!/usr/bin/env bats
# Output files (spec section 4, issue 10): our own streams written through
# their descriptor after the verdict, nothing left beside OUT by any kind
# of death, fsync only with --sync, a write that returns 0 is an error,
# symbolic links, and the named temporary file where O_TMPFILE is refused.

load common
load faults_helpers

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	need_built "$B/tests/slowcat" "$B/tests/shim.so"
	small_drain "$P" 'hello from the guest'
	printf 'hello from the guest' >"$P/sout"
	printf 'old contents\n' >"$P/old"
	# 4 MiB in 64 KiB frames, as chunks and as Stdout frames, to kill
	# a run in the middle of.
	head -c $((4 << 20)) /dev/urandom >"$P/big"
	"$WPROFCK" split --cap 64K -o "$P/big.drain" "$P/big"
	"$WPROFCK" split --cap 64K --chunk-tag SOUT -o "$P/big.sout" "$P/big"
}

setup() {
	D=$BATS_TEST_TMPDIR/d
	mkdir "$D"
	OUT=$D/out
}

@test "-o /dev/stdout inside a redirect keeps what the shell wrote before and after" {
	run -0 bash -c '{ echo HEADER; "$WPROFCK" reassemble -o /dev/stdout "$1"; echo FOOTER; } >"$2"' \
	    _ "$P/drain" "$D/log.bin"
	{ echo HEADER; cat "$P/trace"; echo FOOTER; } >"$D/want"
	cmp "$D/want" "$D/log.bin"
}

@test "-o /dev/stdout appended to a log keeps its earlier lines" {
	printf 'line 1\nline 2\n' >"$D/app.log"
	run -0 bash -c '"$WPROFCK" reassemble -o /dev/stdout "$1" >>"$2"' \
	    _ "$P/drain" "$D/app.log"
	{ printf 'line 1\nline 2\n'; cat "$P/trace"; } >"$D/want"
	cmp "$D/want" "$D/app.log"
}

@test "extract -o /dev/stderr and -o /dev/fd/1 write through the descriptor" {
	printf 'before\n' >"$D/err.log"
	run -0 bash -c '"$WPROFCK" extract -o /dev/stderr SOUT "$1" 2>>"$2"' \
	    _ "$P/drain" "$D/err.log"
	{ printf 'before\n'; cat "$P/sout"; } >"$D/want"
	cmp "$D/want" "$D/err.log"
	run -0 bash -c '{ echo A; "$WPROFCK" extract -o /dev/fd/1 SOUT "$1"; echo B; } >"$2"' \
	    _ "$P/drain" "$D/fd.log"
	{ echo A; cat "$P/sout"; echo B; } >"$D/want"
	cmp "$D/want" "$D/fd.log"
}

@test "an OUT that is the same file as standard output is written through it" {
	printf 'kept\n' >"$D/same.log"
	run -0 bash -c '"$WPROFCK" reassemble -o "$2" "$1" >>"$2"' \
	    _ "$P/drain" "$D/same.log"
	{ printf 'kept\n'; cat "$P/trace"; } >"$D/want"
	cmp "$D/want" "$D/same.log"
}

@test "-o - is standard output" {
	run -0 wp_to "$D/got" reassemble -o - "$P/drain"
	cmp "$P/trace" "$D/got"
	assert_equal "$(ls_dir "$D")" got
}

@test "a torn trace to /dev/stdout writes nothing there" {
	head -c 5000 "$P/drain" >"$D/torn"
	run -1 bash -c '{ st=0; echo HEADER; "$WPROFCK" reassemble -o /dev/stdout "$1" || st=$?; echo FOOTER; exit $st; } >"$2"' \
	    _ "$D/torn" "$D/log.bin"
	printf 'HEADER\nFOOTER\n' >"$D/want"
	cmp "$D/want" "$D/log.bin"
}

# kill_mid CMD...: runs CMD reading $P/big.* from a slow pipe, SIGKILLs it
# once its temporary file holds data, and checks what is left.
kill_mid() {
	cp "$P/old" "$OUT"
	local ino
	ino=$(stat -c %i "$OUT")
	"$SLOWCAT" -b 4096 -d 2000 "$1" | "$WPROFCK" "${@:2}" 2>/dev/null &
	PID=$!
	wait_tmp "$D"
	kill -KILL "$PID"
	wait "$PID" || :
	assert_equal "$(ls_dir "$D")" out
	cmp "$P/old" "$OUT"
	assert_equal "$(stat -c %i "$OUT")" "$ino"
}

@test "SIGKILL mid reassemble -o, extract -o and split -o: OUT unchanged, nothing beside it" {
	kill_mid "$P/big.drain" reassemble -o "$OUT"
	kill_mid "$P/big.sout" extract -o "$OUT" SOUT
	kill_mid "$P/big" split --cap 4K -o "$OUT"
}

@test "ulimit -f: reassemble -o, extract -o and split -o exit 2 with EFBIG (SIGXFSZ is ignored), OUT as it was" {
	local cmd
	cp "$P/old" "$OUT"
	for cmd in "reassemble -o $OUT $P/big.drain" \
	    "extract -o $OUT SOUT $P/big.sout" "split -o $OUT $P/big"; do
		run -2 bash -c 'ulimit -f 1024; exec "$WPROFCK" '"$cmd"
		assert_output --regexp "^wprofck: [a-z]+: $OUT: (write|copy_file_range): File too large\$"
		assert_equal "$(ls_dir "$D")" out
		cmp "$P/old" "$OUT"
	done
}

@test "a write that returns 0 is an error (exit 2), not a spin" {
	run -2 shim WPSHIM_WRITE0=1 timeout 20 "$WPROFCK" reassemble -o "$OUT" "$P/drain"
	assert_output --regexp "^wprofck: (reassemble: )?$OUT: write: Input/output error\$"
	assert_equal "$(ls_dir "$D")" ''
	run -2 shim WPSHIM_WRITE0=1 timeout 20 "$WPROFCK" split -o "$OUT" "$P/trace"
	assert_output --regexp "^wprofck: (split: )?$OUT: write: Input/output error\$"
	assert_equal "$(ls_dir "$D")" ''
}

@test "--sync fsyncs the file and its directory; without it nothing is fsynced" {
	run -0 shim WPSHIM_FSYNC="$BATS_TEST_TMPDIR/fsyncs" "$WPROFCK" reassemble -o "$OUT" "$P/drain"
	cmp "$P/trace" "$OUT"
	[ ! -e "$BATS_TEST_TMPDIR/fsyncs" ]
	run -0 shim WPSHIM_FSYNC="$BATS_TEST_TMPDIR/fsyncs" "$WPROFCK" reassemble --sync -o "$OUT" "$P/drain"
	cmp "$P/trace" "$OUT"
	assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/fsyncs")" 2
	rm "$BATS_TEST_TMPDIR/fsyncs"
	run -0 shim WPSHIM_FSYNC="$BATS_TEST_TMPDIR/fsyncs" "$WPROFCK" extract --sync -o "$OUT" SOUT "$P/drain"
	assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/fsyncs")" 2
	rm "$BATS_TEST_TMPDIR/fsyncs"
	run -0 shim WPSHIM_FSYNC="$BATS_TEST_TMPDIR/fsyncs" "$WPROFCK" split --sync -o "$OUT" "$P/trace"
	assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/fsyncs")" 2
}

@test "O_TMPFILE refused: a named temporary file, renamed into place" {
	cp "$P/old" "$OUT"
	run -0 shim WPSHIM_NO_TMPFILE=1 "$WPROFCK" reassemble -o "$OUT" "$P/drain"
	cmp "$P/trace" "$OUT"
	assert_equal "$(ls_dir "$D")" out
}

@test "O_TMPFILE refused: SIGUSR1, SIGQUIT and SIGALRM remove the named temporary file" {
	local sig
	for sig in USR1 QUIT ALRM TERM; do
		cp "$P/old" "$OUT"
		"$SLOWCAT" -b 4096 -d 2000 "$P/big.drain" |
		    env --default-signal=QUIT LD_PRELOAD="$SHIM" ASAN_OPTIONS=verify_asan_link_order=0 \
		    WPSHIM_NO_TMPFILE=1 "$WPROFCK" reassemble -o "$OUT" 2>/dev/null &
		PID=$!
		wait_tmp "$D"
		[ -n "$(find "$D" -name '.wprofck.*')" ]
		kill -"$sig" "$PID"
		wait "$PID" || :
		assert_equal "$(ls_dir "$D")" out
		cmp "$P/old" "$OUT"
	done
}

@test "a symbolic link OUT replaces the file it names; a dangling one creates it" {
	cp "$P/old" "$D/target"
	ln -s target "$D/link"
	run -0 "$WPROFCK" reassemble -o "$D/link" "$P/drain"
	[ -L "$D/link" ]
	cmp "$P/trace" "$D/target"
	ln -s sub/new "$D/dangling"
	mkdir "$D/sub"
	run -0 "$WPROFCK" reassemble -o "$D/dangling" "$P/drain"
	[ -L "$D/dangling" ]
	cmp "$P/trace" "$D/sub/new"
	assert_equal "$(ls_dir "$D")" 'dangling link sub target'
	assert_equal "$(ls_dir "$D/sub")" new
}

@test "a new OUT gets the umask's mode; an existing OUT keeps its mode" {
	run -0 bash -c 'umask 027; "$WPROFCK" reassemble -o "$2" "$1"' _ "$P/drain" "$OUT"
	assert_equal "$(stat -c %a "$OUT")" 640
	chmod 600 "$OUT"
	run -0 "$WPROFCK" reassemble -o "$OUT" "$P/drain"
	assert_equal "$(stat -c %a "$OUT")" 600
}

@test "a temporary name fits wherever OUT's own name does" {
	local name
	name=$(printf 'x%.0s' $(seq 255))
	run -0 "$WPROFCK" reassemble -o "$D/$name" "$P/drain"
	cmp "$P/trace" "$D/$name"
	run -0 shim WPSHIM_NO_TMPFILE=1 "$WPROFCK" reassemble -o "$D/$name" "$P/drain"
	cmp "$P/trace" "$D/$name"
	assert_equal "$(ls_dir "$D")" "$name"
}
